"""The one error tree of julep_async, the same whichever transport raised it::

    JulepError
    ├── ValidationError                 bad input caught before anything is sent
    ├── CassetteError                   missing, corrupt or incompatible cassette
    │   └── CassetteMissError           a request the cassette does not hold (replay)
    └── APIError
        ├── APIConnectionError
        │   └── APITimeoutError         also a builtin TimeoutError
        ├── APIResponseValidationError  a reply that does not parse as the documented shape
        └── APIStatusError              .status_code .body .request_id
            ├── BadRequestError             400
            ├── AuthenticationError         401
            ├── PermissionDeniedError       403
            ├── NotFoundError               404
            │   ├── SessionNotFoundError
            │   ├── AgentNotFoundError
            │   ├── UserNotFoundError
            │   └── DocNotFoundError
            ├── ConflictError               409
            ├── UnprocessableEntityError    422
            ├── RateLimitError              429
            └── InternalServerError         5xx

Status → class is :data:`STATUS_ERRORS`; which resource a 404 names comes from the
error body's ``type`` when the server says, else from the request path.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AgentNotFoundError",
    "AuthenticationError",
    "BadRequestError",
    "CassetteError",
    "CassetteMissError",
    "ConflictError",
    "DocNotFoundError",
    "InternalServerError",
    "JulepError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "SessionNotFoundError",
    "UnprocessableEntityError",
    "UserNotFoundError",
    "ValidationError",
    "error_for_status",
]


class JulepError(Exception):
    """Base of every error julep_async raises."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(JulepError, ValueError):
    """An argument was rejected before anything was sent.

    ``problems`` holds ``(field path, what is wrong)`` for each bad field, when known.
    """

    def __init__(self, message: str, *, problems: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems


class CassetteError(JulepError):
    """A cassette is missing, corrupt, incomplete or of an unknown format."""


class CassetteMissError(CassetteError):
    """Replay met a request that the cassette does not hold."""


class APIError(JulepError):
    """Talking to the API failed."""


class APIConnectionError(APIError):
    """No usable response: the connection failed, was reset or was cut mid-body."""


class APITimeoutError(APIConnectionError, TimeoutError):
    """An attempt or the whole call ran out of time."""


class APIResponseValidationError(APIError):
    """The server answered, but not with the documented shape."""

    def __init__(self, message: str, *, status_code: int, body: Any = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.body = body


class APIStatusError(APIError):
    """The server answered with an error status."""

    def __init__(
        self, message: str, *, status_code: int, body: Any = None, request_id: str | None = None
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.body = body
        self.request_id = request_id

    @property
    def code(self) -> str | None:
        """The ``error.code`` of a Julep error body (``"prompt_too_big"``, ...), if any."""
        error = self.body.get("error") if isinstance(self.body, dict) else None
        code = error.get("code") if isinstance(error, dict) else None
        return code if isinstance(code, str) else None


class BadRequestError(APIStatusError):
    """400."""


class AuthenticationError(APIStatusError):
    """401."""


class PermissionDeniedError(APIStatusError):
    """403."""


class NotFoundError(APIStatusError):
    """404."""


class SessionNotFoundError(NotFoundError):
    """404 for a session."""


class AgentNotFoundError(NotFoundError):
    """404 for an agent."""


class UserNotFoundError(NotFoundError):
    """404 for a user."""


class DocNotFoundError(NotFoundError):
    """404 for a document."""


class ConflictError(APIStatusError):
    """409."""


class UnprocessableEntityError(APIStatusError):
    """422."""


class RateLimitError(APIStatusError):
    """429."""


class InternalServerError(APIStatusError):
    """5xx."""


STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}

NOT_FOUND_ERRORS: dict[str, type[NotFoundError]] = {
    "sessions": SessionNotFoundError,
    "agents": AgentNotFoundError,
    "users": UserNotFoundError,
    "docs": DocNotFoundError,
}
"""A 404 names the resource of the last ``<collection>/<id>`` pair in its path, or the
one the body's ``error.type`` names (``"SessionNotFoundError"`` and so on)."""

_ACTIONS = frozenset({"chat", "render", "history", "search"})
_COLLECTIONS = frozenset({*NOT_FOUND_ERRORS, "tools"})
_NOT_FOUND_BY_TYPE: dict[str, type[NotFoundError]] = {
    "SessionNotFoundError": SessionNotFoundError,
    "AgentNotFoundError": AgentNotFoundError,
    "UserNotFoundError": UserNotFoundError,
    "DocNotFoundError": DocNotFoundError,
}
"""``error.type`` values on the wire (Julep names its domain errors so), spelled out: renaming a
class here must not change what a reply means."""


def _not_found_class(path: str, error_type: object) -> type[NotFoundError]:
    if isinstance(error_type, str) and error_type in _NOT_FOUND_BY_TYPE:
        return _NOT_FOUND_BY_TYPE[error_type]
    parts = path.strip("/").split("/")
    for index in range(len(parts) - 2, -1, -1):  # the last "<collection>/<id>" pair names it
        if parts[index] in _COLLECTIONS and parts[index + 1] not in _ACTIONS:
            return NOT_FOUND_ERRORS.get(parts[index], NotFoundError)
    return NotFoundError


def error_for_status(
    status: int, body: Any, *, path: str, request_id: str | None = None
) -> APIStatusError:
    """Build the typed error for an error reply (``body`` parsed JSON, or raw text)."""
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        detail = error["message"]
    elif isinstance(body, str) and body.strip():
        detail = body.strip()[:500]
    else:
        detail = "no error message in the reply"
    cls: type[APIStatusError]
    if status == 404:
        cls = _not_found_class(path, error.get("type") if isinstance(error, dict) else None)
    elif status >= 500:
        cls = InternalServerError
    else:
        cls = STATUS_ERRORS.get(status, APIStatusError)
    message = f"{status} from {path}: {detail}"
    return cls(message, status_code=status, body=body, request_id=request_id)
