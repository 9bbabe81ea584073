"""All (un)structuring policy, in one place: models stay plain attrs classes.

Replies (plain models):

* datetimes: ISO 8601 in, timezone-aware out (a naive value from a server is UTC);
* unions of JSON shapes (``str | list[str]``) and primitives: taken as decoded;
* a :class:`~julep_async.types.Choice` always has a ``message``: the single output, the
  first of several (``messages``), or the ``delta`` of a chunk-shaped reply;
* unknown keys: tolerated by :data:`converter`; refused by :data:`strict_converter`,
  which also checks every primitive's type (tests use it, so drift from the spec shows).

Request bodies (:class:`~julep_async.types.Input` models), judged the same on both sides
of the seam: the SDK checks keyword arguments with :func:`build`, the backend a request
body with :func:`wire` (``Call.wire``). Both take a shortcut that checks a body by the
models' field rules and gives the dict that is sent, with no model built; any refusal is
explained by :func:`structure_input`, which builds the models (tests/test_wire.py holds
the two to the same result):

* nested models are built from dicts (or taken as given); every value is then judged by
  the model's field validators, so the error names the field and the spec's rule;
* a union of models is told apart by its tag field (``mode``, ``type``) when its members
  have one, else the first member that fits wins (the spec's ``anyOf``);
* unknown keys are ignored (the spec allows them); ``UNSET`` fields are never sent, a
  tag field always is.
"""

from __future__ import annotations

import linecache
import threading
import types
import typing
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, NoReturn, TypeVar, cast

import attrs
import cattrs
import cattrs.cols
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from ._types import UNSET, _Unset
from .exceptions import ValidationError
from .types import Choice, ChunkChoice
from .types._fields import SPEC, FieldError, Spec, shown
from .types._input import Input

__all__ = ["Body", "build", "configure_converter", "converter", "make_converter", "strict_converter",
           "structure_input", "to_wire", "wire"]

T = TypeVar("T")
Hook = Callable[[Any, Any], Any]
_NONE = type(None)


def _structure_datetime(value: Any, _: type) -> datetime:
    if type(value) is str:  # the common case, first
        moment = datetime.fromisoformat(value)
    elif isinstance(value, datetime):
        moment = value
    else:
        raise TypeError(f"expected an ISO 8601 date-time string, got {type(value).__name__}")
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _unstructure_datetime(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _passthrough(value: Any, _: Any) -> Any:
    return value


def _is_union(tp: Any) -> bool:
    return typing.get_origin(tp) in (typing.Union, types.UnionType)


def _is_unset(tp: Any) -> bool:
    return typing.get_origin(tp) is typing.Literal and typing.get_args(tp) == (_Unset.UNSET,)


def _is_any_or_literal(tp: Any) -> bool:
    return bool(tp is Any or typing.get_origin(tp) is typing.Literal)


def _is_list(tp: Any) -> bool:
    return typing.get_origin(tp) is list


def _is_dict(tp: Any) -> bool:
    return bool(tp is dict or typing.get_origin(tp) is dict)


def _is_input(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, Input)


def _tag_of(cls: type) -> tuple[str, Any] | None:
    """The discriminator of a model: a field typed ``Literal[x]`` whose default is ``x``."""
    for attribute in attrs.fields(cls):
        options = typing.get_args(attribute.type) if typing.get_origin(attribute.type) is typing.Literal else ()
        if len(options) == 1 and attribute.default == options[0]:
            return attribute.name, options[0]
    return None


def _required(cls: type) -> list[str]:
    return [a.name for a in attrs.fields(cls) if a.default is attrs.NOTHING]


# -- hook factories -----------------------------------------------------------------


def _union_hook(tp: Any, converter: cattrs.Converter) -> Hook:
    """``X | None``, ``X | Unset``, unions of models, and unions of JSON shapes."""
    args = typing.get_args(tp)
    members = [m for m in args if m is not _NONE and not _is_unset(m)]
    if len(members) == 1:
        inner, inner_type = converter.get_structure_hook(members[0]), members[0]

        def structure_optional(value: Any, _: Any) -> Any:
            return value if value is None or value is UNSET else inner(value, inner_type)

        return structure_optional
    models = [m for m in members if isinstance(m, type) and attrs.has(m)]
    if not models:
        return _passthrough  # JSON shapes (str | list[str]) and Literals: the validators judge
    choose = _dispatcher(models, converter)

    def structure_union(value: Any, _: Any) -> Any:
        if isinstance(value, Mapping):
            return choose(value)
        return value  # a model instance, a string for a Literal member, or something for the validator to refuse

    return structure_union


def _dispatcher(models: list[type], converter: cattrs.Converter) -> Callable[[Mapping[str, Any]], Any]:
    tags = [_tag_of(model) for model in models]
    names = {tag[0] for tag in tags if tag is not None}
    if None not in tags and len(names) == 1:  # every member tagged by the same field: pick by it
        name = names.pop()
        by_value = {tag[1]: model for tag, model in zip(tags, models, strict=True) if tag is not None}
        listing = ", ".join(repr(value) for value in by_value)

        def by_tag(value: Mapping[str, Any]) -> Any:
            model = by_value.get(value.get(name, tags[0][1] if tags[0] else None))
            if model is None:
                raise FieldError(name, f"must be one of {listing}, got {shown(value.get(name))}")
            return converter.structure(value, model)

        return by_tag

    def first_that_fits(value: Mapping[str, Any]) -> Any:
        errors: list[tuple[type, Exception]] = []
        for model in models:
            try:
                return converter.structure(value, model)
            except Exception as error:  # the next member may fit
                errors.append((model, error))
        complete = [error for model, error in errors if all(key in value for key in _required(model))]
        raise (complete or [error for _, error in errors])[0]

    return first_that_fits


def _input_hook(cls: type, converter: cattrs.Converter) -> Hook:
    generated: Hook = make_dict_structure_fn(
        cls, converter, _cattrs_forbid_extra_keys=False, _cattrs_detailed_validation=converter.detailed_validation
    )
    required = frozenset(_required(cls))

    def structure_input(value: Any, _: Any) -> Any:
        if type(value) is dict:  # the common case, first
            return generated(value, cls)
        if isinstance(value, cls):
            return value
        if attrs.has(type(value)):  # another model (a reply message sent back, say): by its set fields
            value = {key: item if item is None else _without_nulls(item)
                     for key, item in converter.unstructure(value).items() if item is not None or key in required}
        if not isinstance(value, Mapping):
            raise FieldError("", f"must be an object, got {shown(value)}")
        return generated(value, cls)

    return structure_input


def _unstructure_by_value(converter: cattrs.Converter) -> Callable[[Any], Any]:
    """A union's value unstructured by its own class: a JSON value as it is, a model by its hook."""
    plain = (str, int, float, bool, type(None), _Unset)

    def unstructure(value: Any) -> Any:
        return value if isinstance(value, plain) else converter.unstructure(value)

    return unstructure


def _without_nulls(value: Any) -> Any:
    """A reply model's data without its ``None`` (unset) fields, at every level."""
    if isinstance(value, dict):
        return {key: _without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    return value


def _input_unstructure_hook(cls: type, converter: cattrs.Converter) -> Callable[[Any], Any]:
    overrides: dict[str, Any] = {
        a.name: override(omit_if_default=True) for a in attrs.fields(cls) if a.default is UNSET
    }
    unstructure: Callable[[Any], Any] = make_dict_unstructure_fn(cls, converter, **overrides)
    return unstructure


def _list_hook(tp: Any, converter: cattrs.Converter) -> Hook:
    (item_type,) = typing.get_args(tp) or (Any,)
    if item_type is Any:
        def structure_json_list(value: Any, _: Any) -> Any:
            if not isinstance(value, (list, tuple)):
                raise FieldError("", f"must be a list, got {type(value).__name__}")
            return list(value)

        return structure_json_list
    elements = cattrs.cols.list_structure_factory(tp, converter)

    def structure_list(value: Any, _: Any) -> Any:
        if not isinstance(value, (list, tuple)):
            raise FieldError("", f"must be a list, got {shown(value)}")
        return elements(value, tp)

    return structure_list


def _dict_hook(value: Any, _: Any) -> Any:
    if not isinstance(value, dict):
        raise FieldError("", f"must be an object, got {shown(value)}")
    return value


def _choice_hook(cls: type, key: str, sources: tuple[str, ...], converter: cattrs.Converter) -> Hook:
    """A choice whose ``key`` is filled from the first of ``sources`` the reply has."""
    generated: Hook = _reply_hook(cls, converter) if _lenient(converter) else make_dict_structure_fn(
        cls, converter, _cattrs_forbid_extra_keys=converter.forbid_extra_keys,
        _cattrs_detailed_validation=converter.detailed_validation,
    )
    own = {a.name for a in attrs.fields(cls)}

    def structure_choice(value: Any, _: Any) -> Any:
        if (type(value) is dict or isinstance(value, Mapping)) and key not in value:
            for source in sources:
                found = value.get(source)
                if isinstance(found, list) and found:
                    found = found[0]
                if isinstance(found, Mapping):
                    value = {name: item for name, item in value.items() if name != source or source in own}
                    value[key] = found
                    break
        return generated(value, cls)

    return structure_choice


def _not_an_object(value: Any, cls: type) -> NoReturn:
    raise FieldError("", f"must be an object, got {shown(value)} (for {cls.__name__})")


def _gives_back(tp: Any, converter: cattrs.Converter) -> bool:
    """Whether ``tp``'s hook hands a value back as it is (text, numbers, ``Any``, a
    Literal, a union of JSON shapes, or ``X | None`` of one of those)."""
    if _is_union(tp):
        members = [m for m in typing.get_args(tp) if m is not _NONE and not _is_unset(m)]
        if len(members) == 1:
            return _gives_back(members[0], converter)
    return converter.get_structure_hook(tp) is _passthrough


def _generated_init(cls: type) -> bool:
    """Whether ``cls`` is made the plain way: attrs wrote its ``__init__``, which takes every
    field by its own name, none defaulting from ``self``."""
    init = getattr(cls.__dict__.get("__init__"), "__code__", None)
    return init is not None and init.co_filename.startswith("<attrs generated") and all(
        a.init and a.alias == a.name and not (isinstance(a.default, attrs.Factory)  # type: ignore[arg-type]
                                              and a.default.takes_self) for a in attrs.fields(cls))


def _fills_slots(cls: type) -> bool:
    """Whether an instance of ``cls`` may be made without ``__init__``, its slots filled one
    by one: ``__init__`` would run nothing but the assignments."""
    simple = all(a.init and a.validator is None and a.converter is None for a in attrs.fields(cls))
    hooks = ("__attrs_post_init__", "__attrs_pre_init__", "_attrs_cached_hash")
    return simple and not any(hasattr(cls, name) for name in hooks) and all(
        isinstance(getattr(cls, a.name, None), types.MemberDescriptorType) for a in attrs.fields(cls))


class _Circular(RecursionError):
    """A reply model's hook was asked for while it is being written (a model that holds
    itself, directly or through others)."""


_writing = threading.local()
"""The (converter id, class) pairs whose hooks this thread is writing."""


class _Reader:
    """Writes the expression that reads one value of a type, for :func:`_reply_hook`: inline
    where it can, else through the type's hook (named in :attr:`scope`)."""

    def __init__(self, converter: cattrs.Converter) -> None:
        self.converter = converter
        self.scope: dict[str, Any] = {}
        self._locals = 0

    def name(self, prefix: str, value: Any) -> str:
        """A new name in :attr:`scope`, holding ``value``."""
        found = f"{prefix}{len(self.scope)}"
        self.scope[found] = value
        return found

    def local(self, prefix: str) -> str:
        """A new name for a local of the hook (``_v3``): it never clashes with :attr:`scope`'s."""
        self._locals += 1
        return f"_{prefix}{self._locals}"

    def _hook(self, tp: Any, value: str) -> str:
        try:
            hook = self.converter.get_structure_hook(tp)
        except _Circular:  # a model that holds itself: its hook is looked up on each call
            hook = self.converter.structure
        return f"{self.name('h', hook)}({value}, {self.name('t', tp)})"

    def read(self, tp: Any, value: str) -> str:
        """The expression for ``value`` (a name, or ``o['key']``) read as ``tp``."""
        args = typing.get_args(tp)
        try:
            gives_back = _gives_back(tp, self.converter)
        except _Circular:
            return self._hook(tp, value)
        if gives_back:
            return value
        if _is_union(tp) and len(args) == 2 and _NONE in args:  # X | None: None as it is, X as X
            held = self.local("v")
            inner = next(arg for arg in args if arg is not _NONE)
            return f"(None if ({held} := {value}) is None else {self.read(inner, held)})"
        if tp is datetime and self.converter.get_structure_hook(datetime) is _structure_datetime:
            held, moment = self.local("v"), self.local("m")
            iso, utc = self.name("iso", datetime.fromisoformat), self.name("utc", UTC)
            aware = f"({moment} if ({moment} := {iso}({held})).tzinfo is not None else {moment}.replace(tzinfo={utc}))"
            return f"({aware} if type({held} := {value}) is str else {self._hook(tp, held)})"
        if _is_list(tp) and args:  # a list as it comes from JSON; anything else takes the hook
            held, item = self.local("v"), self.local("e")
            each = self.read(args[0], item)
            copied = f"{held}[:]" if each == item else f"[{each} for {item} in {held}]"
            return f"({copied} if type({held} := {value}) is list else {self._hook(tp, held)})"
        return self._hook(tp, value)


def _reply_hook(cls: type, converter: cattrs.Converter) -> Hook:
    """A reply model's hook for the lenient converter: what cattrs' generated hook does,
    in fewer steps (a ``history(40)`` builds 40 entries of 12 fields each).

    A value whose hook would give it back as it is (:func:`_gives_back`), a ``None`` for an
    optional field and a list's items are read inline instead of through calls, and a
    class whose ``__init__`` would only assign (:func:`_fills_slots`) has its slots filled
    directly. Unknown keys are ignored; a missing required one raises ``KeyError``, as in
    cattrs' hook; a value that is not an object is refused for a model (cattrs' hook reads
    ``[]`` as a model of defaults). A class made some other way (its own ``__init__``,
    aliases, a default made from ``self``) takes cattrs' hook.
    """
    if not _generated_init(cls):
        generated: Hook = make_dict_structure_fn(cls, converter)
        return generated
    writing: set[tuple[int, type]] = _writing.__dict__.setdefault("pairs", set())
    if (id(converter), cls) in writing:
        raise _Circular(cls.__name__)
    writing.add((id(converter), cls))
    try:
        return _written_hook(cls, converter)
    finally:
        writing.discard((id(converter), cls))


def _written_hook(cls: type, converter: cattrs.Converter) -> Hook:
    hints = typing.get_type_hints(cls)
    reader = _Reader(converter)
    scope = reader.scope
    scope.update({"__cl": cls, "__new": object.__new__, "__Mapping": Mapping, "__not_an_object": _not_an_object})
    lines = ["def structure(o, _=None):",
             "    if type(o) is not dict and not isinstance(o, __Mapping):",
             "        __not_an_object(o, __cl)",
             "    get = o.get"]
    values = []
    for a in attrs.fields(cls):
        key = repr(a.name)
        read = reader.read(hints.get(a.name, Any), f"o[{key}]")
        if a.default is attrs.NOTHING:
            value = read
        elif isinstance(a.default, attrs.Factory):  # type: ignore[arg-type]
            value = f"{read} if {key} in o else {reader.name('f', a.default.factory)}()"
        elif read == f"o[{key}]":
            value = f"get({key}, {reader.name('d', a.default)})"
        else:
            value = f"{read} if {key} in o else {reader.name('d', a.default)}"
        values.append((a, value))
    if _fills_slots(cls):
        lines.append("    i = __new(__cl)")
        for a, value in values:
            lines.append(f"    {reader.name('s', getattr(cls, a.name).__set__)}(i, {value})")
        lines.append("    return i")
    else:
        lines.append("    return __cl(" + ", ".join(f"{a.alias}={value}" for a, value in values) + ")")
    source, filename = "\n".join(lines) + "\n", f"<julep_async reply hook {cls.__qualname__}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)  # for tracebacks
    exec(compile(source, filename, "exec"), scope)
    structure: Hook = scope["structure"]
    return structure


def _lenient(converter: cattrs.Converter) -> bool:
    """Whether ``converter`` lets unknown keys pass, reports the first error only and reads
    fields by their names with cattrs' hooks (its reply models then take :func:`_reply_hook`)."""
    return not (converter.forbid_extra_keys or converter.detailed_validation
                or getattr(converter, "use_alias", False) or getattr(converter, "_prefer_attrib_converters", False))


def _is_reply(tp: Any) -> bool:
    return isinstance(tp, type) and attrs.has(tp) and not issubclass(tp, Input) and not typing.get_args(tp)


def _strict(kind: type) -> Hook:
    """A reply value must already be a ``kind`` (an int counts as a float; a bool as nothing else)."""
    accepted = (int, float) if kind is float else (kind,)

    def check(value: Any, _: Any) -> Any:
        if not isinstance(value, accepted) or (isinstance(value, bool) and kind is not bool):
            raise FieldError("", f"must be {kind.__name__}, got {shown(value)}")
        return value

    return check


def configure_converter(converter: cattrs.Converter, *, strict: bool = False) -> None:
    """Register julep_async's hooks on ``converter`` (``strict``: check reply types too)."""
    converter.register_structure_hook(datetime, _structure_datetime)
    converter.register_unstructure_hook(datetime, _unstructure_datetime)
    for kind in (str, int, float, bool):
        converter.register_structure_hook(kind, _strict(kind) if strict else _passthrough)
    converter.register_structure_hook_func(_is_any_or_literal, _passthrough)
    converter.register_structure_hook_func(_is_dict, _dict_hook)
    factories: list[tuple[Callable[[Any], bool], Any]] = [
        (_is_union, _union_hook), (_is_list, _list_hook), (_is_input, _input_hook)
    ]
    if _lenient(converter):
        factories.insert(0, (_is_reply, _reply_hook))
    for predicate, factory in factories:
        converter.register_structure_hook_factory(predicate, factory)
    converter.register_unstructure_hook_factory(_is_input, cast(Any, _input_unstructure_hook))
    converter.register_unstructure_hook_func(_is_union, _unstructure_by_value(converter))
    converter.register_structure_hook(Choice, _choice_hook(Choice, "message", ("messages", "delta"), converter))
    converter.register_structure_hook(ChunkChoice, _choice_hook(ChunkChoice, "delta", ("message",), converter))


def make_converter(*, strict: bool = False, detailed: bool | None = None) -> cattrs.Converter:
    """A converter: ``strict`` refuses unknown reply keys and mistyped reply values;
    ``detailed`` collects every error with its path (default: when strict)."""
    converter = cattrs.Converter(
        forbid_extra_keys=strict, detailed_validation=strict if detailed is None else detailed
    )
    configure_converter(converter, strict=strict)
    return converter


converter: cattrs.Converter = make_converter()
strict_converter: cattrs.Converter = make_converter(strict=True)
_detailed = make_converter(detailed=True)


# -- request bodies -----------------------------------------------------------------


class Body:
    """A request body checked against its model ``kind``: :attr:`wire` is what is sent.
    The model itself is built only when something asks for it (an event hook)."""

    __slots__ = ("kind", "wire")
    kind: type[Input]
    wire: dict[str, Any]

    def __init__(self, kind: type[Input], wire: dict[str, Any]) -> None:
        self.kind, self.wire = kind, wire

    def __repr__(self) -> str:
        return f"Body({self.kind.__name__})"

    def model(self) -> Input:
        return structure_input(self.wire, self.kind)


def build(cls: type[Input], /, **fields: Any) -> Body:
    """The body of a request model ``cls`` from keyword arguments, ``UNSET`` ones left out.

    Raises :class:`~julep_async.exceptions.ValidationError` naming the field and the rule.
    """
    if unknown := fields.keys() - _field_names(cls):
        raise ValidationError(f"unknown argument(s) {', '.join(sorted(unknown))} for {cls.__name__}",
                              problems=tuple((name, "is not an argument here") for name in sorted(unknown)))
    return Body(cls, wire({name: value for name, value in fields.items() if value is not UNSET}, cls))


def wire(data: Any, cls: type[Input]) -> dict[str, Any]:
    """``data`` (a dict, or a model) as the request model ``cls`` sends it: what
    ``to_wire(structure_input(data, cls))`` gives, and the same ``ValidationError`` when
    it does not fit.

    The common case, a dict whose nested models are dicts too, takes a shortcut: the same
    field rules judge the same values, but no model is built. Whatever the shortcut does
    not settle (an error to explain, a union of models given as a dict) goes the long way.
    """
    if type(data) is dict:
        shortcut = _SHORTCUTS.get(cls) or _shortcut(cls)
        found = shortcut(data)
        if found is not None:
            return found
    result: dict[str, Any] = to_wire(structure_input(data, cls))
    return result


_SHORTCUTS: dict[type, Callable[[dict[str, Any]], dict[str, Any] | None]] = {}


class _Plan(typing.NamedTuple):
    """How the shortcut takes one field: ``model`` is the field's model (one, or a list of
    them with ``many``); ``mixed`` marks a union holding models (a dict goes the long way)."""

    check: Callable[[str, Any], None]
    nullable: bool
    model: type | None
    many: bool
    mixed: bool


def _core(tp: Any) -> Any:
    """``tp`` without ``| None`` and ``| Unset``."""
    if _is_union(tp):
        members = [m for m in typing.get_args(tp) if m is not _NONE and not _is_unset(m)]
        return members[0] if len(members) == 1 else typing.Union[tuple(members)]  # noqa: UP007
    return tp


def _holds_model(tp: Any) -> bool:
    return (isinstance(tp, type) and attrs.has(tp)) or any(_holds_model(arg) for arg in typing.get_args(tp))


def _plan(attribute: attrs.Attribute[Any], tp: Any) -> _Plan:
    spec: Spec = attribute.metadata[SPEC]
    core = _core(tp)
    if _is_input(core):
        return _Plan(spec.check, spec.nullable, core, False, False)
    if _is_list(core) and _is_input(item := _core(typing.get_args(core)[0])):
        return _Plan(spec.check, spec.nullable, item, True, False)
    return _Plan(spec.check, spec.nullable, None, False, _holds_model(core))


def _shortcut(cls: type) -> Callable[[dict[str, Any]], dict[str, Any] | None]:
    """The shortcut of ``cls``: its wire form, or ``None`` for the long way."""
    hints = typing.get_type_hints(cls)
    fields = [a for a in attrs.fields(cls) if SPEC in a.metadata]
    plans = {a.name: _plan(a, hints[a.name]) for a in fields}
    required = tuple(a.name for a in fields if a.metadata[SPEC].required and a.default is attrs.NOTHING)
    tags = {a.name: a.default for a in fields if a.default is not UNSET and a.default is not attrs.NOTHING}

    def shortcut(data: dict[str, Any]) -> dict[str, Any] | None:
        sent = dict(tags)
        try:
            for name, value in data.items():
                plan = plans.get(name)
                if plan is None or value is UNSET:
                    continue  # unknown keys are not sent
                if value is None:
                    if not plan.nullable:
                        return None
                elif plan.model is not None:
                    value = _nested(plan, name, value)
                    if value is None:
                        return None
                elif plan.mixed and (isinstance(value, Mapping) or attrs.has(type(value))):
                    return None
                else:
                    plan.check(name, value)
                sent[name] = value
        except Exception:  # the long way explains it
            return None
        for name in required:
            if name not in sent:
                return None
        return sent

    _SHORTCUTS[cls] = shortcut
    return shortcut


def _nested(plan: _Plan, name: str, value: Any) -> Any:
    """A model field's wire value (``None``: the long way). The field's own rule then judges
    stand-ins of the model's class, for what it says of the count and the kind."""
    model: type = plan.model  # type: ignore[assignment]  # set: the plan is a model's
    if plan.many:
        if type(value) is not list:
            return None
        sent = [_one(model, item) for item in value]
        if None in sent:
            return None
        plan.check(name, [_stand_in(model)] * len(sent))
        return sent
    one = _one(model, value)
    if one is not None:
        plan.check(name, _stand_in(model))
    return one


def _one(model: type, value: Any) -> dict[str, Any] | None:
    if type(value) is dict:
        shortcut = _SHORTCUTS.get(model) or _shortcut(model)
        return shortcut(value)
    if type(value) is model:  # built and checked already
        result: dict[str, Any] = to_wire(value)
        return result
    return None


_STAND_INS: dict[type, Any] = {}


def _stand_in(model: type) -> Any:
    """An instance of ``model`` with no fields set: it passes ``isinstance``, nothing more."""
    found = _STAND_INS.get(model)
    if found is None:
        found = _STAND_INS[model] = object.__new__(model)
    return found


_FIELD_NAMES: dict[type, frozenset[str]] = {}


def _field_names(cls: type) -> frozenset[str]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = frozenset(a.name for a in attrs.fields(cls))
    return names


def structure_input(data: Any, cls: type[T]) -> T:
    """``data`` (a dict, or a model) as the request model ``cls``, or a ``ValidationError``
    naming every bad field."""
    try:
        return converter.structure(data, cls)
    except Exception:
        pass  # explain it: the detailed converter collects every error with its path
    try:
        _detailed.structure(data, cls)
    except Exception as error:
        problems = tuple(describe(error))
        message = "; ".join(f"{where}: {problem}" if where else problem for where, problem in problems)
        raise ValidationError(message, problems=problems) from None
    raise ValidationError(f"the value does not fit {cls.__name__}")  # pragma: no cover - both agree


def to_wire(model: Any) -> Any:
    """A request model as JSON-ready data, its ``UNSET`` fields left out."""
    return converter.unstructure(model)


def describe(error: BaseException, path: str = "") -> list[tuple[str, str]]:
    """``(field path, problem)`` for each error that cattrs and the validators raised."""
    if isinstance(error, (ClassValidationError, IterableValidationError)):
        found: list[tuple[str, str]] = []
        for inner in error.exceptions:
            where = path
            for note in getattr(inner, "__notes__", []):
                if (name := getattr(note, "name", None)) is not None:
                    where = f"{path}.{name}" if path else str(name)
                elif (index := getattr(note, "index", None)) is not None:
                    where = f"{path}[{index}]"
            found += describe(inner, where)
        return found
    if isinstance(error, FieldError):
        return [(".".join(part for part in (path, error.field) if part).replace(".[", "["), error.problem)]
    if isinstance(error, ForbiddenExtraKeysError):
        return [(path, f"unknown field(s) {', '.join(sorted(error.extra_fields))}")]
    if isinstance(error, KeyError):
        return [(path or str(error.args[0]), "is required")]
    return [(path, str(error))]
