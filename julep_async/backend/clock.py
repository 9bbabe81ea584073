"""Ids and timestamps for the fake backend: random and wall-clock, or fully seeded."""

from __future__ import annotations

import os
import random
from datetime import UTC, datetime, timedelta

_SEEDED_EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
_TICK = timedelta(milliseconds=1)


def format_time(moment: datetime) -> str:
    """ISO 8601 in UTC with microseconds and ``Z``: fixed width, so it sorts as text."""
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return moment.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def _uuid4(bits: int) -> str:
    """``bits`` as a version-4 UUID string (what ``str(uuid.UUID(int=bits, version=4))`` gives)."""
    bits = (bits & ~(0xF000 << 64) | (0x4000 << 64)) & ~(0xC000 << 48) | (0x8000 << 48)
    h = f"{bits:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class Clock:
    """Hands out ids and strictly increasing timestamps.

    Ids come from a generator seeded with ``seed``, or from the OS once (unique, not
    secret: the fake's ids protect nothing). With ``seed`` set, time is logical: it starts
    at 2025-01-01T00:00:00Z and every reading advances it by one millisecond, so the
    same calls give the same bytes on every run.
    """

    def __init__(self, seed: int | None = None) -> None:
        self._seeded = seed is not None
        self.random: random.Random = random.Random(seed if self._seeded else int.from_bytes(os.urandom(16)))
        """Other seeded choices (``canonical_name`` digits, ...)."""
        self._last = _SEEDED_EPOCH - _TICK if self._seeded else datetime.now(UTC)
        self._requests = 0

    def now(self) -> datetime:
        if self._seeded:
            self._last += _TICK
        else:
            self._last = max(datetime.now(UTC), self._last + timedelta(microseconds=1))
        return self._last

    def new_id(self) -> str:
        return _uuid4(self.random.getrandbits(128))

    def request_id(self) -> str:
        """An ``x-request-id``: counted when seeded (so recordings repeat), random otherwise."""
        self._requests += 1
        return f"req_{self._requests:012d}" if self._seeded else f"req_{self.random.getrandbits(64):016x}"
