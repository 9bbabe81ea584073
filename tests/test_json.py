"""``julep_async._json``: orjson, and the standard library for the documents orjson would
read wrongly (an integer past 64 bits), judged the same way either path."""

from __future__ import annotations

import tracemalloc
from typing import Any

import pytest

from julep_async import AsyncClient, _json
from julep_async.transports import InMemoryTransport

LONG = 123456789012345678901234567890  # 30 digits: orjson would make it a float


def test_an_integer_past_64_bits_is_read_and_written_exactly() -> None:
    assert _json.loads(b'{"n": 123456789012345678901234567890, "x": 1.5}') == {"n": LONG, "x": 1.5}
    assert _json.dumps({"n": LONG}) == b'{"n":123456789012345678901234567890}'
    assert _json.canonical({"n": LONG, "a": "\u00e9"}) == '{"a":"\u00e9","n":123456789012345678901234567890}'


@pytest.mark.parametrize("text", [
    '{"a": NaN}', '{"a": Infinity}', '{"a": 1e400}', '{"a": "\\ud800"}', '{"\\udc80": 1}',
])
@pytest.mark.parametrize("long", [False, True], ids=["orjson", "stdlib"])
def test_what_is_not_json_or_not_unicode_is_refused_on_either_path(text: str, long: bool) -> None:
    raw = (text[:-1] + f', "n": {LONG}}}' if long else text).encode()
    assert _json.has_long_number(raw) is long
    with pytest.raises(ValueError):
        _json.loads(raw)


def _traced_bytes(make: Any) -> int:
    """Bytes still allocated by what ``make`` returns (kept alive meanwhile)."""
    tracemalloc.start()
    try:
        kept = make()
        size = tracemalloc.get_traced_memory()[0]
        del kept
        return size
    finally:
        tracemalloc.stop()


def test_kept_bytes_are_trimmed_to_their_size() -> None:
    untrimmed = _traced_bytes(lambda: [_json.dumps({"n": n}) for n in range(1000)])
    trimmed = _traced_bytes(lambda: [_json.trimmed(_json.dumps({"n": n})) for n in range(1000)])
    assert _json.trimmed(b'{"n":1}') == b'{"n":1}'
    assert trimmed < 100_000 < untrimmed  # 1,000 documents of ~10 bytes; orjson's own keep 4 KiB each


@pytest.mark.anyio
async def test_the_backends_idempotency_cache_keeps_trimmed_replies() -> None:
    """Every reply it keeps for a repeated Idempotency-Key (and the request's body) takes
    about its own size, not orjson's 4 KiB buffer: 4,096 kept replies per key would be 32 MiB."""
    async with AsyncClient(api_key="k", transport=InMemoryTransport()) as client:
        agent = await client.agents.create("Cache")
        for _ in range(5):
            await client.agents.update(agent.id, metadata={"warm": True})  # hooks and codecs made
        tenant = client._transport.backend._tenants["k"]  # type: ignore[attr-defined]
        before = len(tenant.replies)
        tracemalloc.start()
        try:
            for n in range(200):
                await client.agents.update(agent.id, metadata={"n": n})
            size = tracemalloc.get_traced_memory()[0]
        finally:
            tracemalloc.stop()
    assert len(tenant.replies) == before + 200
    assert size < 200 * 2 * 4096 / 2  # the 200 bodies and fingerprints kept, well under 4 KiB each
