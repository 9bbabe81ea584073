"""Context-overflow strategies: properties over random conversations and budgets."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from julep_async.backend.context import (
    MESSAGE_OVERHEAD,
    MIN_SUMMARY_TOKENS,
    SUMMARY_PREFIX,
    SUMMARY_SHARE,
    History,
    Prompt,
    PromptTooBig,
    Stored,
    build_prompt,
    count_tokens,
    fit_text,
    head_within,
    make_default_summarizer,
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


def tokens(prompt: Sequence[dict[str, Any]]) -> int:
    return sum(message_tokens(m, count_tokens) for m in prompt)


@PROPERTY
@given(system=systems, earlier=messages, last=newest, budget=budgets, strategy=st.sampled_from(STRATEGIES))
def test_prompt_fits_the_budget_or_fails_clearly(system: Any, earlier: Any, last: Any, budget: int,
                                                 strategy: str) -> None:
    pinned = tokens([*system, last])
    try:
        prompt = build_prompt(system, earlier, [last], strategy=strategy, token_budget=budget)
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
        prompt = build_prompt(system, earlier, [last], strategy="truncate", token_budget=budget)
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
            results.append(build_prompt(system, earlier, [last], strategy=strategy, token_budget=budget))
        except PromptTooBig as exc:
            results.append(str(exc))  # type: ignore[arg-type]
    assert results[0] == results[1]
    assert earlier == snapshot


@PROPERTY
@given(earlier=messages, last=newest, budget=st.integers(min_value=60, max_value=600))
def test_summarize_folds_the_oldest_and_keeps_the_newest_verbatim(earlier: Any, last: Any, budget: int) -> None:
    prompt = build_prompt([], earlier, [last], strategy="summarize", token_budget=budget)
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
    first = build_prompt([], turns, [{"role": "user", "content": "q"}], strategy="summarize", token_budget=300,
                         summarizer=summarizer)
    assert first.summary == f"+{first.summary_upto}" and calls == [(None, first.summary_upto)]
    stored = Stored(first.summary, first.summary_upto)
    same = build_prompt([], turns, [{"role": "user", "content": "q"}], strategy="summarize", token_budget=300,
                        summarizer=summarizer, stored=stored)
    assert same.summary == first.summary and len(calls) == 1  # reused as is
    longer = [*turns, {"role": "user", "content": "z" * 200}, {"role": "assistant", "content": "w" * 200}]
    grown = build_prompt([], longer, [{"role": "user", "content": "q"}], strategy="summarize", token_budget=300,
                         summarizer=summarizer, stored=stored)
    assert calls[-1][0] == first.summary  # extended from the previous summary
    assert grown.summary_upto > first.summary_upto


def test_no_strategy_sends_everything_until_the_window() -> None:
    earlier = [{"role": "user", "content": "x" * 400}] * 3
    prompt = build_prompt([], earlier, [{"role": "user", "content": "q"}], strategy=None, token_budget=10, window=1000)
    assert len(prompt.messages) == 4  # the budget is not a limit without a strategy
    with pytest.raises(PromptTooBig, match="window"):
        build_prompt([], earlier, [{"role": "user", "content": "q"}], strategy=None, token_budget=None, window=200)


def test_a_summary_that_does_not_fit_fails_summarize_and_is_truncated_by_adaptive() -> None:
    def verbose(previous: str | None, folded: Any, max_tokens: int) -> str:
        return "blah " * 500

    earlier = [{"role": "user", "content": "x" * 300}] * 6
    with pytest.raises(PromptTooBig, match="summary"):
        build_prompt([], earlier, [{"role": "user", "content": "q"}], strategy="summarize", token_budget=200,
                     summarizer=verbose)
    prompt = build_prompt([], earlier, [{"role": "user", "content": "q"}], strategy="adaptive", token_budget=200,
                          summarizer=verbose)
    assert prompt.summary is None and prompt.prompt_tokens <= 200 and prompt.dropped > 0


def linear_prompt(system: list[Any], earlier: list[Any], newest: Any, *, strategy: str | None, token_budget: int,
                  window: int, stored: Stored) -> Prompt:
    """The strategies as first written: every list rebuilt each turn, O(history). The
    incremental :func:`build_prompt` must give exactly the same prompts."""
    counter = count_tokens
    sizes = [message_tokens(message, counter) for message in earlier]
    outer = sum(message_tokens(m, counter) for m in system) + message_tokens(newest, counter)
    total = outer + sum(sizes)
    if strategy is None:
        if total > window:
            raise PromptTooBig("model's window")
        return Prompt([*system, *earlier, newest], total)
    pinned = [message.get("role") == "system" for message in earlier]
    fixed = outer + sum(size for size, pin in zip(sizes, pinned, strict=True) if pin)
    limit = min(token_budget, window) if token_budget else window
    if fixed > limit:
        raise PromptTooBig("alone need")
    room = limit - fixed
    tail = [0] * (len(earlier) + 1)
    for index in range(len(earlier) - 1, -1, -1):
        tail[index] = tail[index + 1] + (0 if pinned[index] else sizes[index])

    def cut_for(space: int, start: int = 0) -> int:
        return next(i for i in range(start, len(earlier) + 1) if tail[i] <= space)

    def assemble(cut: int, summary: Any) -> list[Any]:
        kept = [m for i, m in enumerate(earlier) if pinned[i] or i >= cut]
        return [*system, *([summary] if summary else []), *kept, newest]

    def unpinned_before(cut: int) -> int:
        return sum(1 for i in range(cut) if not pinned[i])

    def truncated() -> Prompt:
        cut = cut_for(room)
        return Prompt(assemble(cut, None), fixed + tail[cut], dropped=unpinned_before(cut))

    if strategy == "truncate":
        return truncated()
    if stored.upto == 0 and tail[0] <= room:
        return Prompt(assemble(0, None), fixed + tail[0])
    reserve = room // SUMMARY_SHARE
    start = min(stored.upto, len(earlier))
    cut = cut_for(room - reserve, start)
    if cut == start and stored.summary is not None:
        text = stored.summary
    elif reserve - MESSAGE_OVERHEAD < MIN_SUMMARY_TOKENS:
        text = None
    else:
        folded = [m for i, m in enumerate(earlier[start:cut], start) if not pinned[i]]
        text = make_default_summarizer(counter)(stored.summary, folded,
                                                reserve - MESSAGE_OVERHEAD - counter(SUMMARY_PREFIX)) or None
    summary = {"role": "system", "name": "summary", "content": SUMMARY_PREFIX + text} if text else None
    used = fixed + tail[cut] + (message_tokens(summary, counter) if summary else 0)
    if used > limit:
        if strategy == "adaptive":
            return truncated()
        raise PromptTooBig("the summary left")
    folded_count = unpinned_before(cut)
    return Prompt(assemble(cut, summary), used, dropped=0 if summary else folded_count,
                  summarized=folded_count if summary else 0, summary=text, summary_upto=cut)


any_role = st.sampled_from(["user", "assistant", "assistant", "user", "system"])
mixed = st.lists(st.builds(lambda r, c: {"role": r, "content": c}, any_role, words), max_size=30)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(system=systems, stored_messages=mixed, new=mixed, last=newest, budget=budgets,
       strategy=st.sampled_from([None, *STRATEGIES]), window=st.integers(min_value=50, max_value=2000),
       upto=st.integers(min_value=0, max_value=40), summary=st.none() | words)
def test_the_incremental_history_gives_the_prompts_of_the_linear_rebuild(
        system: Any, stored_messages: Any, new: Any, last: Any, budget: int, strategy: str | None, window: int,
        upto: int, summary: str | None) -> None:
    stored = Stored(summary, upto)
    history = History()
    for message in stored_messages:  # grown one message at a time, as a session's is
        history.append(message, message_tokens(message, count_tokens))
    try:
        expected: Prompt | str = linear_prompt(system, [*stored_messages, *new], last, strategy=strategy,
                                               token_budget=budget, window=window, stored=stored)
    except PromptTooBig as exc:
        expected = str(exc)
    for given_history in (history, stored_messages):
        try:
            got = build_prompt(system, given_history, [*new, last], strategy=strategy, token_budget=budget,
                               window=window, stored=stored)
        except PromptTooBig as exc:
            assert isinstance(expected, str) and expected in str(exc)
            continue
        assert isinstance(expected, Prompt)
        assert list(got.messages) == expected.messages and got.messages == expected.messages
        assert list(reversed(got.messages)) == expected.messages[::-1]
        assert [got.messages[i] for i in range(-len(got.messages), len(got.messages))] == expected.messages * 2
        assert attrs.evolve(got, messages=list(got.messages)) == expected


def test_a_prompt_is_a_read_only_view_that_later_turns_do_not_change() -> None:
    history = History([{"role": "user", "content": f"m{i}"} for i in range(5)])
    prompt = build_prompt([], history, [{"role": "user", "content": "q"}], strategy=None, token_budget=None)
    before = list(prompt.messages)
    history.append({"role": "assistant", "content": "later"}, 5)
    assert list(prompt.messages) == before and len(prompt.messages) == 6
    assert prompt.messages[1:3] == before[1:3] and prompt.messages != before[:-1]
    with pytest.raises(IndexError):
        prompt.messages[6]
    assert "m4" in repr(prompt.messages)


@PROPERTY
@given(text=st.text(max_size=300), max_tokens=st.integers(min_value=0, max_value=100))
def test_the_default_counters_shortcuts_cut_where_the_search_cuts(text: str, max_tokens: int) -> None:
    def searched(text: str) -> int:  # the same counter, but not the default: the search runs
        return count_tokens(text)

    assert fit_text(text, max_tokens, count_tokens) == fit_text(text, max_tokens, searched)
    assert head_within(text, max_tokens, count_tokens) == head_within(text, max_tokens, searched)
