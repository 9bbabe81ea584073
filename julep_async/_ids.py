"""Resource ids, read the same way by the SDK and the backend."""

from __future__ import annotations

import re

__all__ = ["canonical_id"]

_UUID = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}")


def canonical_id(value: str) -> str | None:
    """``value`` as a lower-case hyphenated UUID (Julep's id form), or ``None`` if it is not one.

    Upper case and missing hyphens are accepted: ``"3FA85F645717..."`` and
    ``"3fa85f64-5717-..."`` name the same resource.
    """
    lowered = value.lower()
    if len(lowered) == 36 and lowered[8] == "-" and _UUID.fullmatch(lowered):
        return lowered
    if _UUID.fullmatch(lowered) is None:
        return None
    digits = lowered.replace("-", "")
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"
