"""Every snippet of the Julep sessions guide runs: with ``await`` on ``AsyncClient``, and
verbatim on ``Client``. The snippets are copied from ``reference/sessions-guide.txt``
below (the guide's ``julep.exceptions`` import reads ``julep_async.exceptions`` here), and
a test checks that the copy still matches the guide wherever the guide is at hand."""

from __future__ import annotations

import contextlib
import io
import re
import textwrap
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from julep_async import AsyncClient, Client
from julep_async.transports import InMemoryTransport

pytestmark = pytest.mark.anyio

SNIPPETS: dict[str, str] = {
    "creating_sessions": '''
session = client.sessions.create(
    agent_id=agent.id,
    user_id=user.id,  # Optional
    context_overflow="adaptive",  # or "truncate" or "summarize"
    metadata={
        "channel": "web",
        "language": "english"
    }
)
''',
    "session_chat": '''
# Single message
response = client.sessions.chat(
    session_id=session.id,
    messages=[
        {
            "role": "user",
            "content": "What can you help me with?"
        }
    ]
)

# Multiple messages in a conversation
response = client.sessions.chat(
    session_id=session.id,
    messages=[
        {
            "role": "user",
            "content": "I need help with research"
        },
        {
            "role": "assistant",
            "content": "I can help you with that. What topic would you like to research?"
        },
        {
            "role": "user",
            "content": "Let's research quantum computing"
        }
    ]
)
''',
    "managing_session_context": '''
# Get session history
history = client.sessions.history(
    session_id=session.id,
    limit=10,
    before=datetime.now()
)

# Update session context
session = client.sessions.update(
    session_id=session.id,
    metadata={"topic": "quantum computing"}
)

# Clear session history
client.sessions.clear(session_id=session.id)
''',
    "session_documents": '''
# Add a document to the session
doc = client.sessions.docs.create(
    session_id=session.id,
    title="Research Notes",
    content="Notes about quantum computing...",
    metadata={"type": "notes"}
)

# Search session documents
results = client.sessions.docs.search(
    session_id=session.id,
    text="quantum",
    metadata_filter={"type": "notes"}
)

# Delete a session document
client.sessions.docs.delete(
    session_id=session.id,
    doc_id=doc.id
)
''',
    "session_management": '''
# List sessions
sessions = client.sessions.list(
    agent_id=agent.id,
    user_id=user.id,  # Optional
    limit=10,
    offset=0
)

# Get session details
session = client.sessions.get(session_id=session.id)

# Delete a session
client.sessions.delete(session_id=session.id)
''',
    "error_handling": '''
from julep_async.exceptions import JulepError, SessionNotFoundError

try:
    session = client.sessions.get("nonexistent_id")
except SessionNotFoundError:
    print("Session not found")
except JulepError as e:
    print(f"An error occurred: {e}")
''',
    "context_overflow": '''
# Adaptive context handling (default)
session = client.sessions.create(
    agent_id=agent.id,
    context_overflow="adaptive"
)

# Truncate old messages
session = client.sessions.create(
    agent_id=agent.id,
    context_overflow="truncate"
)

# Summarize old messages
session = client.sessions.create(
    agent_id=agent.id,
    context_overflow="summarize"
)
''',
}

GUIDE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "sessions-guide.txt"
_CALL = re.compile(r"(?<![\w.])client\.(sessions|agents|users)\.")


def check_outcome(name: str, before: dict[str, Any], after: dict[str, Any], printed: str) -> None:
    """What each snippet must have done."""
    if name == "creating_sessions":
        assert after["session"].context_overflow == "adaptive"
        assert after["session"].metadata == {"channel": "web", "language": "english"}
        assert after["session"].agent_ids == [before["agent"].id]
    elif name == "session_chat":
        assert "Let's research quantum computing" in after["response"].content
    elif name == "managing_session_context":
        assert [e.role for e in after["history"].entries] == ["user", "assistant"]
        assert after["session"].metadata == {"channel": "web", "topic": "quantum computing"}
    elif name == "session_documents":
        assert [ref.id for ref in after["results"].docs] == [after["doc"].id]
    elif name == "session_management":
        assert [s.id for s in after["sessions"].items] == [before["session"].id]
        assert after["session"].id == before["session"].id
    elif name == "error_handling":
        assert printed == "Session not found\n"
    elif name == "context_overflow":
        assert after["session"].context_overflow == "summarize"


PARAMS = ("client", "datetime", "agent", "user", "session")


def as_coroutine(code: str) -> str:
    """The snippet as ``async def __snippet__(client, ...)`` with ``await`` on each call."""
    body = _CALL.sub(lambda m: "await " + m.group(0), textwrap.dedent(code))
    signature = ", ".join(f"{name}=None" for name in PARAMS)
    return f"async def __snippet__({signature}):\n" + textwrap.indent(body, "    ") + "\n    return locals()\n"


SETUP = """
agent = client.agents.create(name="Research Assistant")
user = client.users.create(name="Ada")
session = client.sessions.create(agent_id=agent.id, user_id=user.id, metadata={"channel": "web"})
client.sessions.chat(session.id, [{"role": "user", "content": "hello"}])
"""


@pytest.mark.parametrize("name", list(SNIPPETS))
async def test_snippet_with_await_on_async_client(name: str, anyio_backend: str) -> None:
    async with AsyncClient(transport=InMemoryTransport(), strict=True) as client:
        namespace: dict[str, Any] = {"client": client, "datetime": datetime}
        exec(as_coroutine(SETUP), namespace)
        before = await namespace["__snippet__"](client=client, datetime=datetime)
        exec(as_coroutine(SNIPPETS[name]), namespace)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            after = await namespace["__snippet__"](**{k: v for k, v in before.items() if k in PARAMS})
        check_outcome(name, before, after, out.getvalue())


@pytest.mark.parametrize("name", list(SNIPPETS))
def test_snippet_verbatim_on_client(name: str) -> None:
    with Client(transport=InMemoryTransport(), strict=True) as client:
        namespace: dict[str, Any] = {"client": client, "datetime": datetime}
        exec(SETUP, namespace)
        before = dict(namespace)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(textwrap.dedent(SNIPPETS[name]), namespace)
        check_outcome(name, before, namespace, out.getvalue())


@pytest.mark.skipif(not GUIDE.exists(), reason="the shared reference guide is not beside this checkout")
def test_snippets_match_the_guide() -> None:
    guide = GUIDE.read_text().replace("from julep.exceptions", "from julep_async.exceptions")
    squashed = re.sub(r"\s+", " ", guide)
    for name, code in SNIPPETS.items():
        assert re.sub(r"\s+", " ", code.strip()) in squashed, name
