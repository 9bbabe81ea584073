"""Record shapes: what the fake backend stores and sends back, field by field as the spec's
reply schemas have them, with the defaults the v1 server fills in.

Records are kept in wire shape (plain dicts of JSON values), so a reply is the record
itself: nothing is converted on the way out.
"""

from __future__ import annotations

import random
import re
from typing import Any

from . import search
from .store import Record

__all__ = [
    "AGENT_DEFAULTS",
    "DEFAULT_SYSTEM_TEMPLATE",
    "SESSION_DEFAULTS",
    "USER_DEFAULTS",
    "Record",
    "agent",
    "canonical_name",
    "deleted",
    "doc",
    "doc_reply",
    "participants",
    "recall_options",
    "session",
    "tool",
    "user",
]

DEFAULT_SYSTEM_TEMPLATE = """{%- if agent.name -%}
You are {{agent.name}}.{{" "}}
{%- endif -%}

{%- if agent.about -%}
About you: {{agent.about}}.{{" "}}
{%- endif -%}

{%- if user -%}
You are talking to a user
  {%- if user.name -%}{{" "}} and their name is {{user.name}}
    {%- if user.about -%}. About the user: {{user.about}}.{%- else -%}.{%- endif -%}
  {%- endif -%}
{%- endif -%}

{{NEWLINE}}

{%- if session.situation -%}
Situation: {{session.situation}}
{%- endif -%}

{{NEWLINE+NEWLINE}}

{%- if agent.instructions -%}
Instructions:{{NEWLINE}}
  {%- if agent.instructions is string -%}
    {{agent.instructions}}{{NEWLINE}}
  {%- else -%}
    {%- for instruction in agent.instructions -%}
      - {{instruction}}{{NEWLINE}}
    {%- endfor -%}
  {%- endif -%}
  {{NEWLINE}}
{%- endif -%}

{%- if docs -%}
Relevant documents:{{NEWLINE}}
  {%- for doc in docs -%}
    {{doc.title}}{{NEWLINE}}
    {%- if doc.content is string -%}
      {{doc.content}}{{NEWLINE}}
    {%- else -%}
      {%- for snippet in doc.content -%}
        {{snippet}}{{NEWLINE}}
      {%- endfor -%}
    {%- endif -%}
    {{"---"}}
  {%- endfor -%}
{%- endif -%}"""
"""The spec's ``default_system_template``: an agent that gives none gets this one."""

AGENT_DEFAULTS: Record = {
    "about": "", "model": "", "instructions": [], "default_settings": {},
    "default_system_template": DEFAULT_SYSTEM_TEMPLATE, "metadata": {},
}
USER_DEFAULTS: Record = {"name": "", "about": "", "metadata": {}}
SESSION_DEFAULTS: Record = {
    "situation": None, "render_templates": True, "token_budget": None, "context_overflow": None,
    "auto_run_tools": False, "forward_tool_calls": False, "recall_options": None, "metadata": {},
}
_SEARCH_DEFAULTS: Record = {
    "limit": 10, "lang": "en-US", "metadata_filter": {}, "num_search_messages": 4, "max_query_length": 1000,
    "include_embeddings": True,
}
RECALL_DEFAULTS: dict[str, Record] = {
    "text": {**_SEARCH_DEFAULTS, "mode": "text", "trigram_similarity_threshold": None},
    "vector": {**_SEARCH_DEFAULTS, "mode": "vector", "confidence": 0.5, "mmr_strength": 0.5},
    "hybrid": {**_SEARCH_DEFAULTS, "mode": "hybrid", "confidence": 0.5, "alpha": 0.5, "mmr_strength": 0.5,
               "trigram_similarity_threshold": None, "k_multiplier": 7},
}
"""A session's ``recall_options`` as stored: the spec's defaults for the mode, then what was given."""


def canonical_name(name: str, rng: random.Random) -> str:
    """An agent's ``canonical_name`` when none is given, made as the v1 server makes it:
    the name in lower case, words joined by ``_``, a leading letter, and three random
    digits (``"My Agent!"`` → ``my_agent_123``); kept to ``[a-z0-9_]`` so it fits the spec."""
    words = re.sub(r"[^a-z0-9\s_-]", "", name.lower())
    stem = re.sub(r"[-\s]+", "_", words).strip("_")[:240] or "agent"
    if not stem[0].isalpha():
        stem = f"a_{stem}"
    return f"{stem}_{rng.randint(100, 999)}"


def agent(given: Record, *, id: str, now: str, name: str) -> Record:
    record = {"id": id, "created_at": now, "updated_at": now, **AGENT_DEFAULTS, **given, "canonical_name": name}
    return normalize_agent(record)


def normalize_agent(record: Record) -> Record:
    """``instructions`` always as a list, as the v1 server stores them."""
    if isinstance(record.get("instructions"), str):
        record["instructions"] = [record["instructions"]]
    return record


def user(given: Record, *, id: str, now: str) -> Record:
    return {"id": id, "created_at": now, "updated_at": now, **USER_DEFAULTS, **given}


def session(given: Record, *, id: str, now: str, agents: list[str], users: list[str]) -> Record:
    settings = {key: value for key, value in given.items() if key not in ("agent", "agents", "user", "users")}
    record = {"id": id, "created_at": now, "updated_at": now, "summary": None, **SESSION_DEFAULTS, **settings}
    record["recall_options"] = recall_options(record["recall_options"])
    record["auto_run_tools"] = False  # not persisted by the v1 server: it always reads false
    return participants(record, agents, users)


def participants(record: Record, agents: list[str], users: list[str]) -> Record:
    """The session's ``kind`` and its participants in the kind's shape: ``agent`` (one) or
    ``agents`` (several), ``user`` or ``users``, or no user field at all."""
    for key in ("agent", "agents", "user", "users"):
        record.pop(key, None)
    record["kind"] = ("single_agent" if len(agents) == 1 else "multi_agent") + (
        "_no_user" if not users else "_single_user" if len(users) == 1 else "_multi_user"
    )
    if len(agents) == 1:
        record["agent"] = agents[0]
    else:
        record["agents"] = list(agents)
    if len(users) == 1:
        record["user"] = users[0]
    elif users:
        record["users"] = list(users)
    return record


def recall_options(given: Record | None) -> Record | None:
    """Stored recall options: the mode's defaults, then the given fields of that mode."""
    if given is None:
        return None
    defaults = RECALL_DEFAULTS[given.get("mode", "text")]
    return {**defaults, **{key: value for key, value in given.items() if key in defaults}}


def doc(given: Record, *, id: str, now: str) -> Record:
    content = given["content"]
    embeddings: Any = (search.embed(content) if isinstance(content, str)
                       else [search.embed(part) for part in content])
    return {
        "id": id, "created_at": now, "title": given["title"], "content": content,
        "metadata": given.get("metadata") or {}, "embeddings": embeddings, "modality": "text",
        "language": "en-US", "embedding_model": search.EMBEDDING_MODEL,
        "embedding_dimensions": search.EMBEDDING_DIMENSIONS,
    }


def doc_reply(record: Record, include_embeddings: bool) -> Record:
    return record if include_embeddings else {**record, "embeddings": None}


def tool(given: Record, *, id: str, now: str) -> Record:
    return {"id": id, "created_at": now, "updated_at": now, **given}


def deleted(id: str, now: str) -> Record:
    return {"id": id, "deleted_at": now, "jobs": []}
