"""Documents: ``/{agents|users|sessions}/{id}/docs…`` (the session ones are this project's
extension), search, ``/docs/{id}`` and ``/embed``."""

from __future__ import annotations

from typing import Any, cast

from ...converter import to_wire
from ...types import BulkDeleteDocsRequest, CreateDocRequest, DocSearchRequest, EmbedQueryRequest
from .. import prompt, records, search
from ..faults import not_found
from ..parse import Call
from ..store import DocState
from .common import Reply, find, owner, page

SEARCH_DEFAULTS: dict[str, Any] = {"limit": 10, "metadata_filter": {}, "confidence": 0.5, "alpha": 0.5}
MAX_LIST_LIMIT = 100
"""The v1 server refuses a docs page over 100 (the spec allows 999)."""


def _unwrapped(body: Any) -> Any:
    """A body the spec wraps in ``{"body": ...}`` (an artifact: the server and the official
    SDK send the fields flat); both forms are read."""
    if isinstance(body, dict) and isinstance(body.get("body"), dict):
        return body["body"]
    return body


async def create(call: Call) -> Reply:
    where = owner(call)
    given = call.wire(CreateDocRequest)
    record = records.doc(given, id=call.new_id(), now=call.now())
    text = record["content"] if isinstance(record["content"], str) else " ".join(record["content"])
    call.tenant.add_doc(DocState(record, where, search.Indexed.of(record["title"], text)))
    return 201, record


async def list_docs(call: Call) -> Reply:
    where = owner(call)
    query = call.list_query(max_limit=MAX_LIST_LIMIT)
    include = call.flag("include_embeddings", True)
    stored = [doc.record for doc in call.tenant.docs_of(where).values()]
    return page(stored, query, shape=lambda record: records.doc_reply(record, include))


async def delete(call: Call) -> Reply:
    docs = call.tenant.docs_of(owner(call))
    doc: DocState = find(docs, call.ids[1], "Doc")
    call.tenant.drop_doc(doc)
    return 202, records.deleted(call.ids[1], call.now())


async def bulk_delete(call: Call) -> Reply:
    """``{"items": [...]}`` of the deleted docs (the spec says a bare array; the v1 server
    and the official SDK use the envelope). An empty filter without ``delete_all`` deletes
    nothing."""
    docs = call.tenant.docs_of(owner(call))
    request = call.model(BulkDeleteDocsRequest)
    wanted = request.metadata_filter if isinstance(request.metadata_filter, dict) else {}
    chosen = [doc for doc in docs.values()
              if request.delete_all is True or (wanted and search.matches(doc.record["metadata"], wanted))]
    now = call.now()
    for doc in chosen:
        call.tenant.drop_doc(doc)
    return 202, {"items": [records.deleted(doc.record["id"], now) for doc in chosen]}


async def search_docs(call: Call) -> Reply:
    where = owner(call)
    request: Any = call.structure(_unwrapped(call.object()), cast(Any, DocSearchRequest))
    options: dict[str, Any] = {**SEARCH_DEFAULTS, **to_wire(request)}
    started = call.backend.timer()
    found = prompt.search_docs(call.tenant, [where], options.get("text"), options, options.get("vector"))
    return 200, {"docs": found, "time": max(round(call.backend.timer() - started, 6), 0.000001)}


async def get(call: Call) -> Reply:
    doc = call.tenant.doc_index.get(call.ids[0])
    if doc is None:
        raise not_found("Doc", call.ids[0])
    return 200, records.doc_reply(doc.record, call.flag("include_embeddings", True))


async def embed(call: Call) -> Reply:
    request = call.structure(_unwrapped(call.object()), EmbedQueryRequest)
    texts = [request.text] if isinstance(request.text, str) else request.text
    return 200, {"vectors": [search.embed(text) for text in texts]}
