"""The cassette file: a versioned, canonical JSON document of recorded interactions, read
into and written from a typed model.

Layout (``format_version`` 1)::

    {
      "complete": true,                     # false: the record run failed or was cut short
      "format_version": 1,
      "interactions": [                     # sorted by (request key, occurrence)
        {"occurrence": 0,                   # n-th request with this key, in issue order
         "request": {"body": {...} | null, "headers": {...}, "method": "POST",
                     "path": "/sessions/…/chat", "query": [["k", "v"], ...]},
         "response": {"status": 201, "headers": {...}, "body": {...}}          # or "text"/"base64"
                   | {"status": 200, "headers": {...}, "stream": {"events": [{"data": ..., "offset_ms": 0}, ...],
                                                                "end": "clean" | "cancelled" | "cut",
                                                                "error": {"type", "message"} | null,
                                                                "partial": "…"}}  # only after a cut
         | "error": {"type": "APITimeoutError", "message": "…"}}            # no reply at all
      ],
      "recorded_with": {"transport": "InMemoryTransport"},
      "sdk_version": "0.1.0"
    }

A body sits in its request or response object under one key: ``body`` (JSON, as
structure; null for none), ``text`` (UTF-8 that is not JSON) or ``base64`` (other bytes).
An event's ``data`` is its JSON, or ``{"raw": "<data>"}`` when it is not JSON.

:func:`load` structures a file with a strict converter: a missing, unknown or mistyped
field raises :class:`~julep_async.exceptions.CassetteError` naming its place
(``interactions[3].request.query``). :func:`dumps` writes sorted keys, real UTF-8
characters, two-space indents and a final newline, so recording the same calls again
gives the same bytes. :func:`write_atomically` puts a file in place whole, mode 0644
(less the umask); a temporary file left by a killed run is removed by the next save or load.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import gc
import glob
import os
import secrets
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Literal, NewType, get_args, get_origin

import attrs
import cattrs
from cattrs.cols import homogenous_tuple_structure_factory, mapping_structure_factory
from cattrs.gen import make_dict_unstructure_fn, override
from cattrs.v import format_exception

from .. import _json
from ..exceptions import CassetteError
from .base import Request

__all__ = [
    "FORMAT_VERSION",
    "Cassette",
    "Interaction",
    "RecordedError",
    "RecordedRequest",
    "RecordedResponse",
    "RecordedStream",
    "StreamEvent",
    "canonical_json",
    "dumps",
    "load",
    "write_atomically",
]

FORMAT_VERSION = 1
REQUEST_HEADERS = frozenset({"accept", "content-type"})
"""Request headers written to a cassette (an allow-list: credentials never are)."""
VOLATILE_RESPONSE_HEADERS = frozenset({
    "date", "server", "content-length", "transfer-encoding", "connection", "keep-alive",
    "cf-ray", "set-cookie", "content-encoding",
})
"""Response headers left out of a cassette. ``x-request-id`` is kept, so a replayed call
has the request id of the recorded one (``RawResponse.request_id``)."""
Base64Text = NewType("Base64Text", str)


class _Invalid(ValueError):
    """A rule of the format is broken; the message says which."""


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, real characters: the same value gives the same text."""
    return _json.canonical(value)


@attrs.frozen(kw_only=True)
class _WithBody:
    """A recorded body, under at most one of ``body``, ``text`` and ``base64``."""

    body: Any = None
    text: str | None = None
    base64: Base64Text | None = None

    @staticmethod
    def fields_of(raw: bytes | None) -> dict[str, Any]:
        """The body field for ``raw``: JSON as structure when it is JSON, else text, else base64."""
        if not raw:
            return {}
        try:
            return {"body": _json.loads(raw)}
        except ValueError:
            pass
        try:
            return {"text": raw.decode()}
        except UnicodeDecodeError:
            return {"base64": base64.b64encode(raw).decode()}

    def raw_body(self) -> bytes:
        if self.text is not None:
            return self.text.encode()
        if self.base64 is not None:
            return base64.b64decode(self.base64)
        return b"" if self.body is None else _json.dumps(self.body)

    def holds_json(self) -> bool:
        """The body, if any, is written under ``body`` (null for none)."""
        return self.text is None and self.base64 is None

    def body_field(self) -> dict[str, Any]:
        """The body as the file holds it: ``{"body": ...}``, ``{"text": ...}`` or ``{"base64": ...}``."""
        if self.text is not None:
            return {"text": self.text}
        return {"body": self.body} if self.base64 is None else {"base64": self.base64}

    def __attrs_post_init__(self) -> None:
        if sum(value is not None for value in (self.body, self.text, self.base64)) > 1:
            raise _Invalid("has a body under more than one of body, text, base64")


@attrs.frozen(kw_only=True)
class RecordedRequest(_WithBody):
    """A request as recorded: credentials and volatile headers left out, the query sorted."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    headers: dict[str, str]

    @classmethod
    def of(cls, request: Request) -> RecordedRequest:
        return cls(method=request.method, path=request.path, query=tuple(sorted(request.query)),
                   headers={k: v for k, v in request.headers.items() if k in REQUEST_HEADERS},
                   **cls.fields_of(request.body))

    def key(self) -> str:
        """The pairing key: method, path, query and body — never headers."""
        return f"{self.method} {self.path} {canonical_json(self.query)} {canonical_json(self.body_field())}"


@attrs.frozen(kw_only=True)
class RecordedError:
    """A failure with no reply (or a stream's cut), as the SDK error it raised."""

    type: str
    message: str


@attrs.frozen(kw_only=True)
class StreamEvent:
    data: Any
    offset_ms: int


@attrs.frozen(kw_only=True)
class RecordedStream:
    """A streamed reply's events, and how the stream ended."""

    events: tuple[StreamEvent, ...]
    end: Literal["clean", "cancelled", "cut"]
    error: RecordedError | None = None
    partial: str | None = None  # the bytes of an event the cut broke off


@attrs.frozen(kw_only=True)
class RecordedResponse(_WithBody):
    status: int
    headers: dict[str, str]
    stream: RecordedStream | None = None

    def holds_json(self) -> bool:
        return self.stream is None and super().holds_json()

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        if self.stream is not None and (self.body, self.text, self.base64) != (None, None, None):
            raise _Invalid("has both a stream and a body")


@attrs.frozen(kw_only=True)
class Interaction:
    """One request and what came of it: a ``response`` or an ``error``."""

    occurrence: int
    request: RecordedRequest
    response: RecordedResponse | None = None
    error: RecordedError | None = None

    def __attrs_post_init__(self) -> None:
        if (self.response is None) == (self.error is None):
            raise _Invalid("needs a 'response' or an 'error' (one of them)")


@attrs.frozen(kw_only=True)
class Cassette:
    complete: bool
    format_version: int
    interactions: tuple[Interaction, ...]
    recorded_with: dict[str, str]
    sdk_version: str


def _exactly(kind: type) -> Any:
    def structure(value: Any, _: Any) -> Any:
        if type(value) is not kind:
            raise TypeError(f"expected {kind.__name__}, got {type(value).__name__}")
        return value

    return structure


def _base64_text(value: Any, _: Any) -> Base64Text:
    try:
        base64.b64decode(value, validate=True)
    except (TypeError, ValueError, binascii.Error):
        raise _Invalid("not valid base64") from None
    return Base64Text(value)


def _pair(value: Any, _: Any) -> tuple[str, str]:
    if type(value) is not list or len(value) != 2 or not all(type(item) is str for item in value):
        raise _Invalid("must be a [name, value] pair of strings")
    return value[0], value[1]


def _is_array(kind: Any) -> bool:
    return get_origin(kind) is tuple and get_args(kind)[1:] == (...,)


def _is_object(kind: Any) -> bool:
    return get_origin(kind) is dict


def _only_from(json_type: type, what: str, factory: Any) -> Any:
    """A hook factory: ``factory``'s hook, for values that are exactly ``json_type``
    (cattrs would take a dict's keys as a list, and pairs as a dict)."""

    def make(kind: Any, converter: cattrs.Converter) -> Any:
        structure = factory(kind, converter)

        def checked(value: Any, _: Any) -> Any:
            if type(value) is not json_type:
                raise _Invalid(f"must be {what}")
            return structure(value, kind)

        return checked

    return make


def _make_converter(*, detailed: bool) -> cattrs.Converter:
    """Strict: JSON types exactly as the model says, no unknown keys (``detailed``: every
    error with its place, at several times the cost)."""
    converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=detailed)
    converter.register_unstructure_hook_func(lambda kind: kind is Any, _as_is)  # bodies are JSON already
    for kind in (str, int, bool):
        converter.register_structure_hook(kind, _exactly(kind))
    converter.register_structure_hook(Base64Text, _base64_text)
    converter.register_structure_hook_func(lambda kind: kind == tuple[str, str], _pair)
    converter.register_structure_hook_factory(_is_array, _only_from(list, "a list", homogenous_tuple_structure_factory))
    converter.register_structure_hook_factory(_is_object, _only_from(dict, "an object", mapping_structure_factory))
    # Written as the format shows them: optional keys left out, a body under one key only.
    # (Parts before wholes: a class's hook takes its fields' hooks as they are when it is made.)
    leave_out = {RecordedStream: ("partial",), RecordedRequest: ("text", "base64"),
                 RecordedResponse: ("text", "base64", "stream"), Interaction: ("response", "error")}
    for cls, names in leave_out.items():
        omitted: dict[str, Any] = {name: override(omit_if_default=True) for name in names}
        unstructure: Any = make_dict_unstructure_fn(cls, converter, **omitted)
        if issubclass(cls, _WithBody):
            unstructure = _body_under_one_key(unstructure)
        converter.register_unstructure_hook(cls, unstructure)
    return converter


def _body_under_one_key(unstructure: Any) -> Any:
    def written(record: _WithBody) -> dict[str, Any]:
        fields: dict[str, Any] = unstructure(record)
        if not record.holds_json():
            del fields["body"]
        return fields

    return written


def _as_is(value: Any) -> Any:
    return value


_converter = _make_converter(detailed=False)
_explaining = _make_converter(detailed=True)  # only once a cassette has failed to load


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a whole cassette is built or written: its
    hundreds of thousands of new, acyclic objects would otherwise trigger collection after
    collection, each one walking everything made so far (load time grew faster than size)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _explain(error: Exception) -> str:
    """``cattrs``' errors as ``<place>: <what>`` lines."""
    def formatted(exc: BaseException, kind: Any) -> str:
        return str(exc) if isinstance(exc, _Invalid) else format_exception(exc, kind)

    lines = []
    for line in cattrs.transform_error(error, path="", format_exception=formatted):
        what, _, where = line.rpartition(" @ ")
        lines.append(f"{where.lstrip('.') or '(top level)'}: {what}")
    return "; ".join(lines[:5]) + (f" (and {len(lines) - 5} more)" if len(lines) > 5 else "")


def dumps(cassette: Cassette) -> str:
    with collector_paused():
        return _json.pretty(_converter.unstructure(cassette)) + "\n"


def _remove_temporaries(path: Path) -> None:
    """Delete the temporary files a killed save of ``path`` left behind."""
    for stale in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        stale.unlink(missing_ok=True)


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` so that a crash leaves the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_temporaries(path)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def load(path: Path, rerecord: str) -> Cassette:
    """Read and check a cassette; every problem is a :class:`CassetteError` saying what and where."""
    if path.parent.is_dir():
        _remove_temporaries(path)
    try:
        raw = path.read_bytes()  # orjson checks the UTF-8 itself: no decoding into str first
    except FileNotFoundError:
        raise CassetteError(f"no cassette at {path}; record it: {rerecord}") from None
    except OSError as exc:
        raise CassetteError(f"cannot read cassette {path}: {exc}") from None
    try:
        with collector_paused():
            document = _json.loads(raw)
    except ValueError as exc:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as bad:
            raise CassetteError(f"cannot read cassette {path}: it is not UTF-8 text ({bad.reason} at byte "
                                f"{bad.start}). Re-record it: {rerecord}") from None
        raise CassetteError(f"cassette {path} is not valid JSON ({exc}); it may have been cut off. "
                            f"Re-record it: {rerecord}") from None
    if not isinstance(document, Mapping):
        raise CassetteError(f"cassette {path} must hold a JSON object, not {type(document).__name__}")
    version = document.get("format_version")
    if type(version) is not int:
        raise CassetteError(f"cassette {path} has no format_version; it is not a julep_async cassette")
    if version > FORMAT_VERSION:
        raise CassetteError(
            f"cassette {path} has format_version {version}, newer than this julep_async understands "
            f"({FORMAT_VERSION}; recorded with SDK {document.get('sdk_version', '?')}): upgrade julep-async"
        )
    if document.get("complete") is not True:
        raise CassetteError(f"cassette {path} is incomplete: its record run failed or was interrupted. "
                            f"Re-record it: {rerecord}")
    try:
        with collector_paused():
            return _converter.structure(document, Cassette)
    except Exception:
        pass  # explain it: the detailed converter names every problem with its place
    try:
        _explaining.structure(document, Cassette)
    except Exception as exc:
        raise CassetteError(f"cassette {path} does not fit format_version {version}: {_explain(exc)}. "
                            f"Re-record it: {rerecord}") from None
    raise CassetteError(f"cassette {path} does not fit format_version {version}. "  # pragma: no cover - both agree
                        f"Re-record it: {rerecord}")
