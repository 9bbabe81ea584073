"""The lenient converter's reply hooks (``converter._reply_hook``) against cattrs' own
generated hooks, which are the oracle: for every reply model, on drawn replies (valid,
with unknown keys, with keys left out, with values of the wrong kind), both give the
same model or both refuse. One difference is meant: a value that is not an object is
refused for a model, where cattrs' hook reads ``[]`` or ``""`` as a model of defaults; the
oracle's hooks are wrapped to refuse it too."""

from __future__ import annotations

import typing
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs
import cattrs
import pytest
from cattrs.gen import make_dict_structure_fn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import julep_async.types as types_module
from julep_async.converter import configure_converter, converter
from julep_async.types import Input


def _objects_only(model: type, converter: Any) -> Any:
    generated = make_dict_structure_fn(model, converter, _cattrs_detailed_validation=True)

    def structure(value: Any, _: Any) -> Any:
        if not isinstance(value, Mapping):
            raise TypeError(f"{model.__name__} must be an object")
        return generated(value, model)

    return structure


# Detailed, so not lenient: its reply models keep cattrs' generated hooks (wrapped before
# configure_converter builds the Choice hooks on them).
cattrs_hooks = cattrs.Converter(detailed_validation=True)
cattrs_hooks.register_structure_hook_factory(
    lambda tp: isinstance(tp, type) and attrs.has(tp) and not issubclass(tp, Input), _objects_only)
configure_converter(cattrs_hooks)
REPLY_MODELS = sorted(
    (model for name in types_module.__all__ if isinstance(model := getattr(types_module, name), type)
     and attrs.has(model) and not issubclass(model, Input)),
    key=lambda model: model.__name__,
)
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
                    max_leaves=6)
MOMENT = st.datetimes(timezones=st.none() | st.timezones()).map(datetime.isoformat)


def _value(tp: Any, depth: int) -> st.SearchStrategy[Any]:
    """Values a reply may hold for ``tp``: mostly fitting ones, now and then any JSON."""
    return st.one_of(_fitting(tp, depth), JSON) if depth < 4 else JSON


def _fitting(tp: Any, depth: int) -> st.SearchStrategy[Any]:
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if tp is datetime:
        return MOMENT
    if origin is typing.Literal:
        return st.sampled_from(args)
    if origin in (typing.Union, type(int | None)):
        return st.one_of([_value(arg, depth + 1) for arg in args])
    if origin is list:
        return st.lists(_value(args[0] if args else Any, depth + 1), max_size=3)
    if origin is dict or tp is dict:
        return st.dictionaries(st.text(max_size=4), JSON, max_size=3)
    if isinstance(tp, type) and attrs.has(tp):
        return reply(tp, depth + 1)
    simple = {str: st.text(max_size=8), int: st.integers(), float: st.floats(allow_nan=False), bool: st.booleans()}
    return simple.get(tp, JSON)


def reply(model: type, depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    """A reply for ``model``: its fields, some left out, with unknown keys now and then."""
    hints = typing.get_type_hints(model)
    fields = {a.name: _value(hints[a.name], depth) for a in attrs.fields(model)}
    required = {a.name for a in attrs.fields(model) if a.default is attrs.NOTHING}
    drawn = st.fixed_dictionaries({name: fields[name] for name in required},
                                  optional={name: s for name, s in fields.items() if name not in required})
    dropped = st.sampled_from(sorted(required)) if required else st.none()
    extra = st.dictionaries(st.sampled_from(["unknown", "x_extra"]), JSON, max_size=1)
    return st.builds(lambda data, gone, more: {k: v for k, v in {**data, **more}.items() if k != gone},
                     drawn, st.one_of(st.none(), dropped) if depth == 0 else st.none(), extra)


def _outcome(hooks: Any, data: Any, model: type) -> Any:
    try:
        return hooks.structure(data, model)
    except Exception:
        return "refused"


def test_every_reply_model_takes_the_generated_hook() -> None:
    assert len(REPLY_MODELS) > 20
    for model in REPLY_MODELS:
        hook = converter.get_structure_hook(model)
        if model.__name__ not in ("Choice", "ChunkChoice"):  # theirs wraps the generated one
            assert hook.__code__.co_filename.startswith("<julep_async reply hook"), model


@pytest.mark.parametrize("model", REPLY_MODELS, ids=lambda model: model.__name__)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_reply_is_read_as_cattrs_reads_it(model: type, data: st.DataObject) -> None:
    drawn = data.draw(st.one_of(reply(model), JSON))
    assert _outcome(converter, drawn, model) == _outcome(cattrs_hooks, drawn, model)


def test_a_reply_that_is_not_an_object_is_refused_by_name() -> None:
    from julep_async.types import Entry

    with pytest.raises(Exception, match=r"must be an object, got .* \(for Entry\)"):
        converter.structure(["not", "an", "entry"], Entry)


@attrs.frozen
class _Node:
    name: str
    child: _Node | None = None
    kids: list[_Node] = attrs.Factory(list)


@attrs.define
class _FromSelf:
    x: int
    y: int = attrs.field(default=attrs.Factory(lambda self: self.x * 2, takes_self=True))


@attrs.define(init=False)
class _OwnInit:
    x: int

    def __init__(self, x: int) -> None:
        self.x = x * 10


@attrs.frozen
class _Private:
    _secret: str


def test_models_of_ones_own_are_read_as_cattrs_reads_them() -> None:
    """``configure_converter`` is public: a model that holds itself, a default made from
    ``self``, an ``__init__`` of one's own and a private field all read as cattrs reads them
    (the first by a written hook, the others by cattrs' own)."""
    mine = cattrs.Converter(detailed_validation=False)  # as julep_async's own (a detailed one keeps cattrs')
    configure_converter(mine)
    tree = {"name": "a", "child": {"name": "b", "kids": [{"name": "c"}]}, "kids": []}
    assert mine.structure(tree, _Node) == cattrs_hooks.structure(tree, _Node)
    assert mine.get_structure_hook(_Node).__code__.co_filename.startswith("<julep_async reply hook")
    for data, model in [({"x": 2}, _FromSelf), ({"x": 2}, _OwnInit), ({"_secret": "p", "secret": "s"}, _Private)]:
        assert mine.structure(data, model) == cattrs.Converter().structure(data, model)
    aliased = cattrs.Converter(detailed_validation=False, use_alias=True)
    configure_converter(aliased)
    assert aliased.structure({"secret": "s"}, _Private) == _Private("s")
