"""Server-sent events: the one encoder and the one incremental decoder.

Streaming, recording and the fake backend all use these, so a stream is framed and
read alike everywhere. Julep frames each event as one ``data: <json>`` line and a blank
line, with no ``[DONE]``. The decoder reads any framing the SSE standard allows:
``\\n``, ``\\r\\n`` or ``\\r`` line ends (mixed, split anywhere between chunks),
``data:`` with or without its space, several ``data`` lines joined by ``\\n``;
comments and the other fields (``event``, ``id``, ``retry``) are skipped.
"""

from __future__ import annotations

from typing import Any

from . import _json
from .exceptions import APIConnectionError

__all__ = ["Decoder", "encode", "encode_json"]


def encode(data: str) -> bytes:
    """One event carrying ``data``: a ``data:`` line per line of it, then a blank line."""
    return "".join(f"data: {line}\n" for line in data.split("\n")).encode() + b"\n"


def encode_json(payload: Any) -> bytes:
    """One event carrying ``payload`` as compact JSON (Julep's framing)."""
    return b"data: " + _json.dumps(payload) + b"\n\n"


class Decoder:
    """Bytes in, the ``data`` of each complete event out.

    Feed it the chunks as they come; call :meth:`end` when the stream ends.
    """

    def __init__(self) -> None:
        self._line = b""  # a line not ended yet
        self._event: list[bytes] = []  # the raw lines of the event being read
        self._data: list[bytes] = []  # its data lines
        self._open = False  # a field of the next event has been read
        self._after_cr = False  # the last chunk ended in CR: an LF first in the next belongs to it

    def feed(self, chunk: bytes) -> list[str]:
        """The events that ``chunk`` completes, in order (often none or one)."""
        if self._after_cr and chunk[:1] == b"\n":
            chunk = chunk[1:]
        self._after_cr = chunk[-1:] == b"\r"
        if not chunk:
            return []
        lines = (self._line + chunk).splitlines(keepends=True)
        self._line = b"" if lines[-1][-1:] in (b"\n", b"\r") else lines.pop()
        events = []
        for line in lines:
            content = line.rstrip(b"\r\n")
            if not content:  # a blank line ends the event
                if self._data:
                    events.append(b"\n".join(self._data).decode(errors="replace"))
                self._event, self._data, self._open = [], [], False
                continue
            field, _, value = content.partition(b":")
            if not field and not self._open:  # a comment between events
                continue
            self._event.append(line)
            self._open = True
            if field == b"data":
                self._data.append(value[1:] if value[:1] == b" " else value)
        return events

    @property
    def pending(self) -> bytes:
        """The bytes of an event begun but not ended (``b""`` between events)."""
        return b"".join(self._event) + self._line if self._open or self._line else b""

    def end(self) -> None:
        """The stream ended: raise if it ended inside an event, as a cut connection does.

        Raises:
            APIConnectionError: the stream stopped in the middle of an event.
        """
        if self.pending:
            raise APIConnectionError("the stream ended in the middle of an event (connection cut)")
