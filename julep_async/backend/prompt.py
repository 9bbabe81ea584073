"""Prompt assembly: the system message, recalled documents, and the session's history fitted
to its ``context_overflow`` strategy (:mod:`.context`)."""

from __future__ import annotations

from typing import Any

from . import context, search
from .faults import Fault
from .records import DEFAULT_SYSTEM_TEMPLATE
from .store import DocState, Record, SessionState, Tenant

__all__ = ["build", "recall", "search_docs", "system_messages"]


def system_messages(session: Record, agent: Record | None) -> list[Record]:
    """The system message the fake model sees: who the agent is, its instructions, the
    session's own template (verbatim: Jinja is not rendered) and situation."""
    parts = []
    if agent is not None:
        parts.append(f"You are {agent['name']}." + (f" {agent['about']}" if agent["about"] else ""))
        if instructions := agent["instructions"]:
            lines = [instructions] if isinstance(instructions, str) else instructions
            parts.append("Instructions:\n" + "\n".join(f"- {line}" for line in lines))
    template = session.get("system_template")
    if template and template != DEFAULT_SYSTEM_TEMPLATE:
        parts.append(template)
    if session.get("situation"):
        parts.append(f"Situation: {session['situation']}")
    return [{"role": "system", "content": "\n\n".join(parts)}] if parts else []


def build(backend: Any, tenant: Tenant, state: SessionState, messages: list[Record], *, recall_docs: bool,
          agent_id: str | None = None) -> tuple[context.Prompt, list[Record]]:
    """The prompt for ``messages`` (the new ones) after the stored history, and the documents
    recalled for it; 400 ``prompt_too_big`` when no strategy can make it fit."""
    record = state.record
    agent = tenant.agents.get(agent_id or state.agents[0]) if state.agents else None
    system = system_messages(record, agent)
    docs: list[Record] = []
    if recall_docs and record.get("recall_options") is not None:
        docs = recall(tenant, state, messages, agent_id or (state.agents[0] if state.agents else None))
        if docs:
            listing = "\n".join(f"- {d['title']}: {d['snippet']['content']}" for d in docs)
            system.append({"role": "system", "content": f"Relevant documents:\n{listing}"})
    budget = record["token_budget"]
    try:
        prompt = context.build_prompt(
            system, state.history, messages,
            strategy=record["context_overflow"], token_budget=budget if budget is not None and budget > 0 else None,
            window=backend.context_window, counter=backend.counter, summarizer=backend.summarizer,
            stored=state.summary,
        )
    except context.PromptTooBig as error:
        raise Fault(400, str(error), code="prompt_too_big", type="PromptTooBigError") from None
    return prompt, docs


def recall(tenant: Tenant, state: SessionState, messages: list[Record], agent_id: str | None) -> list[Record]:
    """The documents a chat recalls: those of the session, its users and the answering
    agent, searched with the recent messages as the query, as ``recall_options`` says."""
    options = state.record["recall_options"]
    recent = messages[-options["num_search_messages"]:]
    query = " ".join(context.text_of(m.get("content")) for m in recent)[: options["max_query_length"]]
    owners = [("sessions", state.record["id"]), *(("users", u) for u in state.users)]
    if agent_id is not None:
        owners.append(("agents", agent_id))
    return search_docs(tenant, owners, query, options)


def search_docs(tenant: Tenant, owners: list[tuple[str, str]], text: str | None, options: Record,
                vector: list[float] | None = None) -> list[Record]:
    """Doc references from ``owners`` matching ``options["metadata_filter"]``, best first:
    by BM25 for ``text``, by embedding for ``vector`` (or the text's embedding in vector
    mode), mixed by ``alpha`` when both apply."""
    candidates: dict[str, DocState] = {}
    for owner in owners:
        candidates.update(tenant.docs.get(owner, {}))
    wanted = options.get("metadata_filter") or {}
    pool = [(doc_id, doc) for doc_id, doc in candidates.items() if search.matches(doc.record["metadata"], wanted)]
    mode = options.get("mode") or ("hybrid" if text and vector is not None else "vector" if vector is not None
                                   else "text")
    if vector is None and mode != "text" and text:
        vector = search.embed(text)
    scores: dict[str, float] = {}
    if mode in ("text", "hybrid") and text:
        ranked = search.rank(text, ((doc_id, doc.index) for doc_id, doc in pool))
        best = ranked[0][1] if ranked else 1.0
        scores = {doc_id: score / best for doc_id, score in ranked}  # 0..1, the best match 1
    if mode in ("vector", "hybrid") and vector is not None:
        cutoff = options.get("confidence", 0.5)
        alpha = options.get("alpha", 0.5) if mode == "hybrid" else 1.0
        for doc_id, doc in pool:
            similarity = max(search.cosine(vector, v) for v in _vectors(doc.record["embeddings"]))
            if similarity >= cutoff or (mode == "hybrid" and doc_id in scores):
                scores[doc_id] = alpha * similarity + (1 - alpha) * scores.get(doc_id, 0.0)
    order = {doc_id: index for index, (doc_id, _) in enumerate(pool)}
    best_first = sorted(scores, key=lambda doc_id: (-scores[doc_id], order[doc_id]))
    return [_reference(candidates[doc_id], text or "", scores[doc_id]) for doc_id in best_first[: options["limit"]]]


def _vectors(embeddings: Any) -> list[list[float]]:
    return [embeddings] if embeddings and not isinstance(embeddings[0], list) else list(embeddings or [[0.0]])


def _reference(doc: DocState, text: str, score: float) -> Record:
    content = doc.record["content"]
    content = content if isinstance(content, str) else " ".join(content)
    return {
        "id": doc.record["id"], "owner": {"id": doc.owner[1], "role": doc.owner[0].removesuffix("s")},
        "title": doc.record["title"], "metadata": doc.record["metadata"],
        "snippet": {"index": 0, "content": search.snippet(content, text)},
        "distance": round(1 - score, 6) if score <= 1 else 0.0,
    }
