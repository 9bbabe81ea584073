"""Ids and timestamps for the fake backend: random and wall-clock, or fully seeded."""

from __future__ import annotations

import os
import random
import time
from datetime import UTC, datetime

_SEEDED_EPOCH_US = int(datetime(2025, 1, 1, tzinfo=UTC).timestamp()) * 1_000_000
_TICK_US = 1_000  # a seeded clock's step: one millisecond


_VERSION_CLEARED = ~(0xF000 << 64) & ~(0xC000 << 48)
_VERSION_4 = (0x4000 << 64) | (0x8000 << 48)


class Clock:
    """Hands out ids and strictly increasing timestamps.

    Ids come from a generator seeded with ``seed``, or from the OS once (unique, not
    secret: the fake's ids protect nothing). With ``seed`` set, time is logical: it starts
    at 2025-01-01T00:00:00Z and every reading advances it by one millisecond, so the
    same calls give the same bytes on every run.

    Time is kept in integer microseconds since the epoch, and a timestamp's date and time
    of day are formatted once per second (a chat turn reads the clock three times).
    """

    def __init__(self, seed: int | None = None) -> None:
        self._seeded = seed is not None
        self.random: random.Random = random.Random(seed if self._seeded else int.from_bytes(os.urandom(16)))
        """Other seeded choices (``canonical_name`` digits, ...)."""
        self._last = _SEEDED_EPOCH_US - _TICK_US if self._seeded else time.time_ns() // 1000
        self._requests = 0
        self._second = -1
        self._second_text = ""

    def timestamp(self) -> str:
        """The next reading in ISO 8601, UTC, with microseconds and ``Z``: fixed width, so
        it sorts as text (``2025-01-01T00:00:00.001000Z``)."""
        if self._seeded:
            self._last += _TICK_US
        else:
            now = time.time_ns() // 1000
            self._last = now if now > self._last else self._last + 1
        second, micro = divmod(self._last, 1_000_000)
        if second != self._second:
            self._second = second
            self._second_text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        return f"{self._second_text}.{micro:06d}Z"

    def new_id(self) -> str:
        """A random version-4 UUID (``str(uuid.UUID(int=bits, version=4))`` of random bits)."""
        h = f"{self.random.getrandbits(128) & _VERSION_CLEARED | _VERSION_4:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def request_id(self) -> str:
        """An ``x-request-id``: counted when seeded (so recordings repeat), random otherwise."""
        self._requests += 1
        return f"req_{self._requests:012d}" if self._seeded else f"req_{self.random.getrandbits(64):016x}"
