"""``julep_async._json``: orjson, and the standard library for the documents orjson would
read wrongly (an integer past 64 bits), judged the same way either path."""

from __future__ import annotations

import pytest

from julep_async import _json

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
