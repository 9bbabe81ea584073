"""The request-body shortcut (:func:`julep_async.converter.wire`) gives exactly what the
long way gives: the model built, checked and unstructured, or the same ``ValidationError``.
Judged on every body the cassettes hold, against every request model, and on Hypothesis'
mutations of them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import julep_async.types as types
from julep_async import _json
from julep_async.converter import structure_input, to_wire, wire
from julep_async.exceptions import ValidationError
from julep_async.types._input import Input

MODELS = sorted((cls for cls in vars(types).values()
                 if isinstance(cls, type) and issubclass(cls, Input) and attrs.has(cls)), key=lambda c: c.__name__)


def _recorded_bodies() -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for path in sorted((Path(__file__).parent / "cassettes").rglob("*.json")):
        for interaction in json.loads(path.read_text())["interactions"]:
            body = interaction["request"].get("body")
            if isinstance(body, dict):
                found.setdefault(_json.canonical(body), body)
    return list(found.values())


BODIES = _recorded_bodies()


def _outcome(run: Any, *args: Any) -> tuple[str, Any]:
    try:
        return "sent", _json.canonical(run(*args))
    except ValidationError as error:
        return "refused", (str(error), error.problems)


def _same(data: Any, cls: type) -> None:
    long_way = _outcome(lambda: to_wire(structure_input(data, cls)))
    assert _outcome(wire, data, cls) == long_way, (cls.__name__, data)


def test_the_cassettes_hold_bodies_of_many_shapes() -> None:
    accepted = {cls.__name__ for cls in MODELS for body in BODIES if _outcome(wire, body, cls)[0] == "sent"}
    assert len(BODIES) > 100 and {"ChatInput", "CreateAgentRequest", "CreateSessionRequest",
                                  "CreateToolRequest", "CreateDocRequest"} <= accepted


@pytest.mark.parametrize("cls", MODELS, ids=lambda cls: cls.__name__)
def test_every_recorded_body_takes_the_shortcut_to_the_same_place(cls: type) -> None:
    for body in BODIES:
        _same(body, cls)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 2**33) | st.floats(allow_nan=False) | st.text(max_size=6)
    | st.sampled_from(["user", "assistant", "function", "auto", "text", "hybrid", "x" * 300]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=8,
)


@st.composite
def mutated(draw: st.DrawFn) -> tuple[type, Any]:
    """A recorded body, changed at one to three places, tried as any request model."""
    cls = draw(st.sampled_from(MODELS))
    body = json.loads(json.dumps(draw(st.sampled_from(BODIES))))
    names = [a.name for a in attrs.fields(cls)]
    for _ in range(draw(st.integers(1, 3))):
        target = body
        while isinstance(target, dict) and target and draw(st.booleans()):  # sometimes one level down
            inner = draw(st.sampled_from(sorted(target)))
            child = target[inner]
            if isinstance(child, list) and child and isinstance(child[0], dict):
                child = child[0]
            if not isinstance(child, dict):
                break
            target = child
        action = draw(st.sampled_from(["set", "set", "drop", "null"]))
        key = draw(st.sampled_from(sorted(target) + names)) if isinstance(target, dict) else None
        if key is None:
            continue
        if action == "drop":
            target.pop(key, None)
        else:
            target[key] = None if action == "null" else draw(json_values)
    return cls, body


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_bodies_take_the_shortcut_to_the_same_place(case: tuple[type, Any]) -> None:
    _same(case[1], case[0])


def test_models_given_as_models_and_tuples_for_lists_go_the_same_way() -> None:
    message = types.Message(role="user", content="hi")
    _same({"messages": [message, {"role": "assistant", "content": "yes"}], "stop": ("a", "b")}, types.ChatInput)
    _same({"messages": (message,)}, types.ChatInput)
    _same(message, types.Message)
