"""Context-overflow strategies: properties over random conversations and budgets."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from julep_async.backend.context import (
    SUMMARY_PREFIX,
    PromptTooBig,
    Stored,
    build_prompt,
    count_tokens,
    message_tokens,
)

words = st.text(alphabet="abcdefghij klmnop", min_size=0, max_size=120)
roles = st.sampled_from(["user", "assistant"])
messages = st.lists(st.builds(lambda r, c: {"role": r, "content": c}, roles, words), max_size=25)
systems = st.lists(st.builds(lambda c: {"role": "system", "content": c}, words), max_size=1)
newest = st.builds(lambda c: {"role": "user", "content": c}, words)
budgets = st.integers(min_value=8, max_value=600)
STRATEGIES = ["truncate", "summarize", "adaptive"]
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def tokens(prompt: list[dict[str, Any]]) -> int:
    return sum(message_tokens(m, count_tokens) for m in prompt)


@PROPERTY
@given(system=systems, earlier=messages, last=newest, budget=budgets, strategy=st.sampled_from(STRATEGIES))
def test_prompt_fits_the_budget_or_fails_clearly(system: Any, earlier: Any, last: Any, budget: int,
                                                 strategy: str) -> None:
    pinned = tokens([*system, last])
    try:
        prompt = build_prompt(system, earlier, last, strategy=strategy, token_budget=budget)
    except PromptTooBig as exc:
        assert pinned > budget, "only the system and newest messages alone may fail to fit"
        assert "token_budget" in str(exc)
        return
    assert tokens(prompt.messages) == prompt.prompt_tokens <= budget
    assert prompt.messages[: len(system)] == system and prompt.messages[-1] == last


@PROPERTY
@given(system=systems, earlier=messages, last=newest, budget=budgets)
def test_truncate_keeps_a_contiguous_newest_suffix(system: Any, earlier: Any, last: Any, budget: int) -> None:
    try:
        prompt = build_prompt(system, earlier, last, strategy="truncate", token_budget=budget)
    except PromptTooBig:
        return
    kept = prompt.messages[len(system) : -1]
    assert kept == earlier[len(earlier) - len(kept) :]
    assert prompt.dropped == len(earlier) - len(kept)


@PROPERTY
@given(system=systems, earlier=messages, last=newest, budget=budgets, strategy=st.sampled_from(STRATEGIES))
def test_strategies_are_deterministic_and_never_touch_their_input(system: Any, earlier: Any, last: Any,
                                                                    budget: int, strategy: str) -> None:
    snapshot = [dict(m) for m in earlier]
    results = []
    for _ in range(2):
        try:
            results.append(build_prompt(system, earlier, last, strategy=strategy, token_budget=budget))
        except PromptTooBig as exc:
            results.append(str(exc))  # type: ignore[arg-type]
    assert results[0] == results[1]
    assert earlier == snapshot


@PROPERTY
@given(earlier=messages, last=newest, budget=st.integers(min_value=60, max_value=600))
def test_summarize_folds_the_oldest_and_keeps_the_newest_verbatim(earlier: Any, last: Any, budget: int) -> None:
    prompt = build_prompt([], earlier, last, strategy="summarize", token_budget=budget)
    if prompt.summary is None:
        assert prompt.messages == [*earlier[prompt.summary_upto :], last]
        return
    summary, *kept = prompt.messages[:-1]
    assert summary["content"].startswith(SUMMARY_PREFIX) and summary["name"] == "summary"
    assert kept == earlier[prompt.summary_upto :] and prompt.summarized == prompt.summary_upto


def test_the_stored_summary_is_reused_and_extended_not_recomputed() -> None:
    calls: list[tuple[str | None, int]] = []

    def summarizer(previous: str | None, folded: Any, max_tokens: int) -> str:
        calls.append((previous, len(folded)))
        return f"{previous or ''}+{len(folded)}"

    turns = [{"role": "user", "content": "x" * 200}, {"role": "assistant", "content": "y" * 200}] * 4
    first = build_prompt([], turns, {"role": "user", "content": "q"}, strategy="summarize", token_budget=300,
                         summarizer=summarizer)
    assert first.summary == f"+{first.summary_upto}" and calls == [(None, first.summary_upto)]
    stored = Stored(first.summary, first.summary_upto)
    same = build_prompt([], turns, {"role": "user", "content": "q"}, strategy="summarize", token_budget=300,
                        summarizer=summarizer, stored=stored)
    assert same.summary == first.summary and len(calls) == 1  # reused as is
    longer = [*turns, {"role": "user", "content": "z" * 200}, {"role": "assistant", "content": "w" * 200}]
    grown = build_prompt([], longer, {"role": "user", "content": "q"}, strategy="summarize", token_budget=300,
                         summarizer=summarizer, stored=stored)
    assert calls[-1][0] == first.summary  # extended from the previous summary
    assert grown.summary_upto > first.summary_upto


def test_no_strategy_sends_everything_until_the_window() -> None:
    earlier = [{"role": "user", "content": "x" * 400}] * 3
    prompt = build_prompt([], earlier, {"role": "user", "content": "q"}, strategy=None, token_budget=10, window=1000)
    assert len(prompt.messages) == 4  # the budget is not a limit without a strategy
    with pytest.raises(PromptTooBig, match="window"):
        build_prompt([], earlier, {"role": "user", "content": "q"}, strategy=None, token_budget=None, window=200)


def test_a_summary_that_does_not_fit_fails_summarize_and_is_truncated_by_adaptive() -> None:
    def verbose(previous: str | None, folded: Any, max_tokens: int) -> str:
        return "blah " * 500

    earlier = [{"role": "user", "content": "x" * 300}] * 6
    with pytest.raises(PromptTooBig, match="summary"):
        build_prompt([], earlier, {"role": "user", "content": "q"}, strategy="summarize", token_budget=200,
                     summarizer=verbose)
    prompt = build_prompt([], earlier, {"role": "user", "content": "q"}, strategy="adaptive", token_budget=200,
                          summarizer=verbose)
    assert prompt.summary is None and prompt.prompt_tokens <= 200 and prompt.dropped > 0
