"""What a replay says when it cannot answer, or when recorded requests went unused:
the closest recorded requests, a diff against the one sent, and the re-record command."""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..exceptions import CassetteError, CassetteMissError
from .cassette import Interaction, RecordedRequest


def miss(sent: RecordedRequest, occurrence: int, recorded: Mapping[str, Sequence[Interaction]], *,
         path: Path, rerecord: str) -> CassetteMissError:
    """The error for ``sent``, the ``occurrence``-th (from 0) request with its key, found in no ``recorded``."""
    what = f"{sent.method} {sent.path}"
    key = sent.key()
    if same := recorded.get(key):
        reason = (f"the cassette holds {len(same)} such request(s) and all were used; "
                  f"this is occurrence {occurrence + 1}")
        return CassetteMissError(f"{what}: {reason} ({path}).\nRe-record: {rerecord}")
    candidates = [group[0].request for group in recorded.values() if group]
    same_path = [c for c in candidates if (c.method, c.path) == (sent.method, sent.path)]
    pool = same_path or [c for c in candidates if c.method == sent.method] or candidates
    closest = sorted(pool, key=lambda c: -difflib.SequenceMatcher(None, c.key(), key).quick_ratio())[:3]
    lines = [f"{what}: no recorded interaction matches this request in {path}."]
    if closest:
        lines.append("Closest recorded requests:")
        lines += [f"  {n}. {c.method} {c.path}" for n, c in enumerate(closest, 1)]
        lines.append("Difference from the closest (- recorded, + sent):")
        lines += _diff(closest[0], sent)
    else:
        lines.append("The cassette holds no interactions.")
    lines.append(f"Re-record: {rerecord}")
    return CassetteMissError("\n".join(lines))


def unused(recorded: Mapping[str, Sequence[Interaction]], issued: Mapping[str, int], *,
           path: Path, rerecord: str) -> CassetteError | None:
    """The error naming the recorded requests that were issued fewer times than recorded, if any."""
    left = [
        f"  {group[0].request.method} {group[0].request.path} ({len(group) - issued.get(key, 0)} of "
        f"{len(group)} unused)"
        for key, group in recorded.items()
        if issued.get(key, 0) < len(group)
    ]
    if not left:
        return None
    return CassetteError(
        f"{len(left)} recorded request(s) in {path} were never replayed — the code under test "
        "no longer makes them:\n" + "\n".join(left) + f"\nRe-record: {rerecord}  (or pass allow_unused=True)"
    )


def _diff(recorded: RecordedRequest, sent: RecordedRequest) -> list[str]:
    def lines(request: RecordedRequest) -> list[str]:
        shown: dict[str, Any] = {"method": request.method, "path": request.path, "query": request.query,
                                 **request.body_field()}
        return json.dumps(shown, sort_keys=True, indent=2, ensure_ascii=False).splitlines()

    diff = difflib.unified_diff(lines(recorded), lines(sent), lineterm="", n=2)
    return ["    " + line for line in list(diff)[2:]]  # after the file names; a miss always differs
