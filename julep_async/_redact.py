"""The one redaction function: a secret, in any form text can hold it, becomes ``<redacted>``.

Error messages and bodies, log lines and the cassette scan all go through :class:`Redactor`.
The forms, matched in any letter case: raw, JSON-escaped (once or twice, as a JSON text
inside a JSON string holds it), URL-encoded (``%20`` or ``+`` for a space), hex, and
base64 (standard or URL-safe, padded or not) alone or anywhere inside a longer base64
text — ``base64("Bearer <key>")``, or ``Basic base64("user:<key>")``.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import re
import urllib.parse
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["MIN_SECRET_LENGTH", "REDACTED", "Redactor", "credentials"]

MIN_SECRET_LENGTH = 8
"""Shorter values would match ordinary text; they are not treated as secrets."""
REDACTED = "<redacted>"
SECRET_HEADERS = frozenset({"authorization", "x-auth-key", "x-custom-api-key"})
"""Headers that carry credentials: never shown in a repr, never written to a cassette."""


def credentials(headers: Mapping[str, str]) -> set[str]:
    """The secrets that ``headers`` carry: each credential header's value without its
    ``Bearer``/``Basic`` scheme, and the password inside ``Basic base64(user:password)``."""
    found = set()
    for name in SECRET_HEADERS & headers.keys():
        scheme, _, token = headers[name].partition(" ")
        if not token or scheme.lower() not in ("bearer", "basic"):
            scheme, token = "", headers[name]
        found.add(token)
        if scheme.lower() == "basic":
            with contextlib.suppress(binascii.Error, UnicodeDecodeError):
                found.add(base64.b64decode(token, validate=True).decode().partition(":")[2])
    return found


def forms(secret: str) -> set[str]:
    """Every text ``secret`` can appear as (see the module docstring)."""
    raw = secret.encode()
    escaped = json.dumps(secret)[1:-1]
    found = {secret, escaped, json.dumps(secret, ensure_ascii=False)[1:-1], json.dumps(escaped)[1:-1],
             urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret, safe=""), raw.hex()}
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        whole = encode(raw).decode()
        found |= {whole, whole.rstrip("=")}
        for shift in (0, 1, 2):  # inside a longer base64 text: what stays the same at each alignment
            text = encode(b"\0" * shift + raw).decode()
            found.add(text[4 if shift else 0 : len(text) - (4 if (shift + len(raw)) % 3 else 0)])
    return {form for form in found if form}


_ASCII_TWINS = tuple((twin.encode(), letter.encode()) for twin, letter in (
    ("\u0130", "i"), ("\u0131", "i"), ("\u212a", "k"), ("\u017f", "s")))
"""The characters beyond ASCII that ``re.IGNORECASE`` matches to an ASCII letter (dotted
capital I, dotless i, Kelvin sign, long s), as UTF-8, with that letter."""


def _folded(text: str) -> str:
    """``text`` in one letter case, so that a plain ``in`` finds what ``re.IGNORECASE``
    would. Casefolding joins the Kelvin sign (U+212A) to ``k`` and the long s (U+017F) to
    ``s``, as ``re`` does; what it leaves, the dotless i (U+0131) and the dot (U+0307) that
    a dotted capital I folds to, is mapped after."""
    if text.isascii():
        return text.lower()
    return text.casefold().replace("\u0131", "i").replace("\u0307", "")


class Redactor:
    """Finds and hides ``secrets`` (those of at least :data:`MIN_SECRET_LENGTH` characters)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets = frozenset(s for s in secrets if len(s) >= MIN_SECRET_LENGTH)
        every = sorted({form for secret in self.secrets for form in forms(secret)}, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, every)), re.IGNORECASE) if every else None
        # found_in looks for ASCII forms in bytes, others in casefolded text: one or the other
        ascii_only = all(form.isascii() for form in every)
        self._byte_forms = tuple(sorted({form.lower().encode() for form in every})) if ascii_only else ()
        self._folded_forms = () if ascii_only else tuple(sorted({_folded(form) for form in every}))

    def __repr__(self) -> str:
        return f"<Redactor of {len(self.secrets)} secret(s)>"

    def __call__(self, text: str) -> str:
        """``text`` with every form of every secret replaced by ``<redacted>``."""
        return text if self._pattern is None else self._pattern.sub(REDACTED, text)

    def found_in(self, text: str) -> bool:
        """Whether any form of a secret is in ``text`` (a whole cassette: the text folded
        once and searched for each form, where the regex took seconds). Secrets in ASCII,
        as API keys are, are looked for in the text's UTF-8 with its ASCII letters lowered
        (fast whatever else the text holds); others in the casefolded text."""
        if self._byte_forms:
            data = text.encode("utf-8", "surrogatepass").lower()
            for twin, letter in _ASCII_TWINS:
                data = data.replace(twin, letter)
            return any(form in data for form in self._byte_forms)
        if not self._folded_forms:
            return False
        folded = _folded(text)
        return any(form in folded for form in self._folded_forms)

    def data(self, value: Any) -> Any:
        """A decoded JSON value with its strings (keys included) redacted."""
        if self._pattern is None:
            return value
        if isinstance(value, str):
            return self(value)
        if isinstance(value, dict):
            return {self(key): self.data(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.data(item) for item in value]
        return value

    def error(self, error: BaseException) -> None:
        """Redact ``error``'s message (and so its ``str`` and ``repr``) in place."""
        if self._pattern is not None and error.args and self.found_in(str(error)):
            error.args = (self(str(error)),)
            if hasattr(error, "message"):
                error.message = error.args[0]
