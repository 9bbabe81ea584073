"""Resources: thin namespaces over the client's one request pipeline."""

from .agents import Agents
from .docs import AgentDocs, SessionDocs, UserDocs
from .sessions import Sessions
from .users import Users

__all__ = ["AgentDocs", "Agents", "SessionDocs", "Sessions", "UserDocs", "Users"]
