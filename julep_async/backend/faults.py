"""Error replies of the fake backend, in Julep's envelope."""

from __future__ import annotations

from typing import Any

__all__ = ["Fault", "invalid", "not_found"]


class Fault(Exception):
    """An error reply: ``{"error": {"message", "code", "type", ...}}`` with ``status``."""

    status: int
    message: str
    code: str
    type: str

    def __init__(self, status: int, message: str, *, code: str | None = None, type: str = "http_error",
                 details: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.status, self.message = status, message
        self.code, self.type = code or f"http_{status}", type
        self.details = details

    def payload(self) -> dict[str, Any]:
        error: dict[str, Any] = {"message": self.message, "code": self.code, "type": self.type}
        if self.details is not None:
            error["details"] = self.details
        return {"error": error}


def invalid(message: str, details: list[dict[str, str]] | None = None) -> Fault:
    """422, as Julep (FastAPI) answers a request that breaks the schema."""
    return Fault(422, message, code="validation_error", type="validation_error",
                 details=details if details is not None else [{"loc": "", "msg": message, "type": "value_error"}])


def not_found(kind: str, id: str) -> Fault:
    """404 for a ``kind`` (``"Session"``, ``"Agent"``, ...) that has no record ``id``; the
    ``type`` names it the way Julep names its domain errors (``"AgentNotFoundError"``)."""
    return Fault(404, f"{kind} {id!r} not found", type=f"{kind}NotFoundError")
