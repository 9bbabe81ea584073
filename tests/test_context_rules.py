"""Context overflow, worked by hand: each rule of ``backend/context.py`` on a conversation
small enough to count on paper. (test_context.py checks the properties on random ones.)

The default counter is one token per started four characters, plus four per message, so
a message of 40 characters costs 14 tokens and one of 4 characters costs 5."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from julep_async.backend.context import (
    SUMMARY_PREFIX,
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
    text_of,
)

Message = dict[str, Any]
EARLIER = [{"role": "user" if i % 2 == 0 else "assistant", "content": f"{i:02d}" + "x" * 38} for i in range(20)]
NEWEST = {"role": "user", "content": "q" * 4}  # 5 tokens
SYSTEM = {"role": "system", "content": "s" * 8}  # 6 tokens
assert SUMMARY_PREFIX == "Summary of the earlier conversation: "  # 37 characters, 10 tokens


class Summarizer:
    """Notes each call and answers ``text``."""

    def __init__(self, text: str = "S") -> None:
        self.text = text
        self.calls: list[tuple[str | None, list[Message], int]] = []

    def __call__(self, previous: str | None, folded: Sequence[Message], max_tokens: int) -> str:
        self.calls.append((previous, list(folded), max_tokens))
        return self.text


def _summary(text: str) -> Message:
    return {"role": "system", "name": "summary", "content": SUMMARY_PREFIX + text}


# -- counting -------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "tokens"), [("", 0), ("a", 1), ("abcd", 1), ("abcde", 2), ("x" * 40, 10)])
def test_a_token_is_each_started_four_characters(text: str, tokens: int) -> None:
    assert count_tokens(text) == tokens


def test_every_message_costs_four_tokens_more_than_its_text() -> None:
    assert message_tokens({"role": "user", "content": "x" * 40}, count_tokens) == 14
    assert message_tokens({"role": "user", "content": None}, count_tokens) == 4
    assert message_tokens({"role": "user", "content": [{"type": "text", "text": "x" * 8}]}, count_tokens) == 6


@pytest.mark.parametrize(("content", "text"), [
    (None, ""), ("plain", "plain"), ([{"type": "text", "text": "a"}, "b", {"type": "image_url"}], "a b "), (5, "5"),
])
def test_the_text_of_a_message_is_its_string_or_its_parts_joined(content: Any, text: str) -> None:
    assert text_of(content) == text


def test_fit_text_keeps_the_longest_tail_that_fits_behind_an_ellipsis() -> None:
    assert fit_text("abcdefgh", 2, count_tokens) == "abcdefgh"
    assert fit_text("abcdefghij", 2, count_tokens) == "…defghij"  # 8 characters, the ellipsis one of them
    assert fit_text("abcdefghij", 0, count_tokens) == ""


def test_head_within_keeps_the_longest_start_that_fits() -> None:
    assert head_within("abcdefgh", 2, count_tokens) == "abcdefgh"
    assert head_within("abcdefghij", 2, count_tokens) == "abcdefgh"
    assert head_within("abcdefghij", 0, count_tokens) == ""


def test_the_default_summarizer_lists_each_folded_message_s_first_words_after_the_previous_summary() -> None:
    summarize = make_default_summarizer(count_tokens)
    folded = [{"role": "user", "content": " ".join(f"w{n}" for n in range(15))}, {"content": "no role"}]
    assert summarize("before", folded, 1000) == (
        "before | user: w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 … | user: no role")
    assert summarize(None, [{"role": "assistant", "content": "one two"}], 1000) == "assistant: one two"
    assert summarize("before", folded, 5) == "…1 … | user: no role"  # cut from the front to 20 characters


# -- no strategy ----------------------------------------------------------------------


def test_without_a_strategy_everything_is_sent_up_to_the_window() -> None:
    prompt = build_prompt([SYSTEM], EARLIER[:2], [NEWEST], strategy=None, token_budget=None, window=39)
    assert prompt == Prompt([SYSTEM, *EARLIER[:2], NEWEST], 39)
    with pytest.raises(PromptTooBig, match="the prompt needs 39 tokens and the model's window is 38"):
        build_prompt([SYSTEM], EARLIER[:2], [NEWEST], strategy=None, token_budget=None, window=38)


def test_a_historys_known_sizes_are_taken_as_given() -> None:
    history = History()
    for message, size in zip(EARLIER[:3], [1, 2, 3], strict=True):
        history.append(message, size)
    prompt = build_prompt([], history, [NEWEST], strategy="truncate", token_budget=20)
    assert (len(prompt.messages), prompt.prompt_tokens, prompt.dropped) == (4, 11, 0)


# -- truncate -------------------------------------------------------------------------


@pytest.mark.parametrize(("budget", "kept", "tokens"), [(100, 4, 67), (67, 4, 67), (66, 3, 53), (53, 3, 53),
                                                         (52, 2, 39), (25, 1, 25), (11, 0, 11)])
def test_truncate_drops_the_oldest_messages_until_the_prompt_fits(budget: int, kept: int, tokens: int) -> None:
    earlier = EARLIER[:4]  # 4 x 14 tokens, with the system message (6) and the newest (5): 67
    prompt = build_prompt([SYSTEM], earlier, [NEWEST], strategy="truncate", token_budget=budget)
    assert prompt.messages == [SYSTEM, *earlier[4 - kept:], NEWEST]
    assert (prompt.prompt_tokens, prompt.dropped, prompt.summarized, prompt.summary) == (tokens, 4 - kept, 0, None)


def test_system_messages_in_the_history_are_never_dropped() -> None:
    pinned = {"role": "system", "content": "p" * 40}
    earlier = [EARLIER[0], pinned, EARLIER[1], EARLIER[2]]
    prompt = build_prompt([], earlier, [NEWEST], strategy="truncate", token_budget=33)
    assert prompt.messages == [pinned, EARLIER[2], NEWEST]
    assert (prompt.prompt_tokens, prompt.dropped) == (33, 2)


def test_the_limit_is_the_window_when_the_budget_is_larger_or_unset() -> None:
    for budget in (1000, None, 0):
        prompt = build_prompt([], EARLIER[:4], [NEWEST], strategy="truncate", token_budget=budget, window=40)
        assert (prompt.prompt_tokens, prompt.dropped) == (33, 2)


def test_when_the_pinned_messages_alone_do_not_fit_every_strategy_refuses() -> None:
    for strategy in ("truncate", "summarize", "adaptive"):
        build_prompt([SYSTEM], EARLIER[:4], [NEWEST], strategy=strategy, token_budget=11)  # exactly fits
        with pytest.raises(PromptTooBig, match=r"^the system messages and the newest message alone need 11 tokens, "
                                               r"over the limit of 10; raise token_budget or shorten the message$"):
            build_prompt([SYSTEM], EARLIER[:4], [NEWEST], strategy=strategy, token_budget=10)


# -- summarize ------------------------------------------------------------------------
# 20 messages of 14 tokens (280) and the newest (5), in a budget of 200: the room for the
# history is 195, of which a quarter (48) is the summary's; the newest 10 messages (140)
# fit in the rest (147).


def test_summarize_folds_the_oldest_messages_into_a_quarter_of_the_room() -> None:
    summarizer = Summarizer("S")
    prompt = build_prompt([], EARLIER, [NEWEST], strategy="summarize", token_budget=200, summarizer=summarizer)
    assert summarizer.calls == [(None, EARLIER[:10], 34)]  # 48, less the message's 4 and the prefix's 10
    assert prompt == Prompt([_summary("S"), *EARLIER[10:], NEWEST], 5 + 140 + 14, dropped=0, summarized=10,
                            summary="S", summary_upto=10)


def test_the_default_summarizer_fills_the_summary_s_share_and_no_more() -> None:
    prompt = build_prompt([], EARLIER, [NEWEST], strategy="summarize", token_budget=200)
    assert prompt.summary is not None and prompt.summary.startswith("…") and count_tokens(prompt.summary) == 34
    assert prompt.prompt_tokens == 5 + 140 + 48 and prompt.summarized == 10


def test_a_conversation_that_fits_is_sent_whole_with_no_summary() -> None:
    summarizer = Summarizer()
    prompt = build_prompt([], EARLIER[:13], [NEWEST], strategy="summarize", token_budget=200, summarizer=summarizer)
    assert (prompt, summarizer.calls) == (Prompt([*EARLIER[:13], NEWEST], 5 + 13 * 14), [])


def test_the_stored_summary_is_reused_when_nothing_new_needs_folding() -> None:
    summarizer = Summarizer()
    prompt = build_prompt([], EARLIER, [NEWEST], strategy="summarize", token_budget=200, summarizer=summarizer,
                          stored=Stored("OLD", 10))
    assert summarizer.calls == []
    assert (prompt.messages[0], prompt.summary, prompt.summarized, prompt.summary_upto) == (_summary("OLD"), "OLD",
                                                                                          10, 10)


def test_the_stored_summary_is_extended_with_the_messages_folded_since() -> None:
    summarizer = Summarizer("NEW")
    prompt = build_prompt([], EARLIER, [NEWEST], strategy="summarize", token_budget=200, summarizer=summarizer,
                          stored=Stored("OLD", 4))
    assert summarizer.calls == [("OLD", EARLIER[4:10], 34)]
    assert (prompt.summary, prompt.summary_upto) == ("NEW", 10)


def test_once_folded_a_message_stays_folded_even_when_the_rest_would_fit() -> None:
    prompt = build_prompt([], EARLIER[:6], [NEWEST], strategy="summarize", token_budget=200, stored=Stored("OLD", 2))
    assert prompt.messages == [_summary("OLD"), *EARLIER[2:6], NEWEST]


def test_a_summary_covering_more_than_the_history_keeps_none_of_it() -> None:
    prompt = build_prompt([], EARLIER[:3], [NEWEST], strategy="summarize", token_budget=200, stored=Stored("OLD", 9))
    assert prompt.messages == [_summary("OLD"), NEWEST] and prompt.summary_upto == 3


@pytest.mark.parametrize(("budget", "summarized"), [(53, True), (52, False)])
def test_a_summary_is_made_only_when_its_share_holds_at_least_eight_tokens(budget: int, summarized: bool) -> None:
    summarizer = Summarizer("S")  # room 48: a share of 12, 8 once the message's own 4 are paid; room 47: 11
    prompt = build_prompt([], EARLIER, [NEWEST], strategy="summarize", token_budget=budget, summarizer=summarizer)
    assert (len(summarizer.calls), prompt.summary is not None) == (summarized, summarized)
    if summarized:
        assert (prompt.summarized, prompt.dropped, prompt.prompt_tokens) == (18, 0, 5 + 28 + 14)
    else:
        assert (prompt.summarized, prompt.dropped, prompt.prompt_tokens) == (0, 18, 5 + 28)


def test_an_empty_summary_is_no_summary() -> None:
    prompt = build_prompt([], EARLIER, [NEWEST], strategy="summarize", token_budget=200, summarizer=Summarizer(""))
    assert (prompt.summary, prompt.dropped, prompt.summarized, prompt.messages[0]) == (None, 10, 0, EARLIER[10])


@pytest.mark.parametrize("strategy", ["summarize", "adaptive"])
def test_a_summary_that_exactly_fills_the_budget_is_kept(strategy: str) -> None:
    text = "s" * 164  # with the prefix 201 characters: 51 tokens and 4 more for the message
    prompt = build_prompt([], EARLIER, [NEWEST], strategy=strategy, token_budget=200, summarizer=Summarizer(text))
    assert (prompt.prompt_tokens, prompt.summary) == (200, text)


def test_a_summary_that_overflows_fails_summarize() -> None:
    with pytest.raises(PromptTooBig, match=r"^the summary left a prompt of 201 tokens, over the limit of 200; use "):
        build_prompt([], EARLIER, [NEWEST], strategy="summarize", token_budget=200, summarizer=Summarizer("s" * 168))


def test_a_summary_that_overflows_is_truncated_instead_by_adaptive() -> None:
    prompt = build_prompt([], EARLIER, [NEWEST], strategy="adaptive", token_budget=200,
                          summarizer=Summarizer("s" * 168))
    assert prompt == Prompt([*EARLIER[7:], NEWEST], 5 + 13 * 14, dropped=7)


def test_the_report_says_what_was_done() -> None:
    prompt = Prompt([], 120, dropped=1, summarized=2, summary="S", summary_upto=3)
    assert prompt.report("adaptive", 100, 8192) == {
        "strategy": "adaptive", "token_budget": 100, "context_window": 8192, "prompt_tokens": 120, "dropped": 1,
        "summarized": 2, "summary": "S"}


def _longest_tail(text: str, max_tokens: int) -> str:
    fits = ["…" + text[len(text) - n:] for n in range(len(text), 0, -1) if count_tokens("…" + text[len(text) - n:])
            <= max_tokens]
    return text if count_tokens(text) <= max_tokens else (fits[0] if fits else "")


@pytest.mark.parametrize("max_tokens", range(7))
def test_fit_text_and_head_within_agree_with_a_search_of_every_cut(max_tokens: int) -> None:
    for length in range(26):
        text = "abcdefghijklmnopqrstuvwxyz"[:length]
        assert fit_text(text, max_tokens, count_tokens) == _longest_tail(text, max_tokens)
        heads = [text[:n] for n in range(length, -1, -1) if count_tokens(text[:n]) <= max_tokens]
        assert head_within(text, max_tokens, count_tokens) == heads[0]


@pytest.mark.parametrize(("words", "ellipsis"), [(12, False), (13, True)])
def test_the_default_summarizer_keeps_twelve_words_of_each_message(words: int, ellipsis: bool) -> None:
    content = " ".join(f"w{n}" for n in range(words))
    gist = make_default_summarizer(count_tokens)(None, [{"role": "user", "content": content}], 1000)
    assert gist == "user: " + " ".join(f"w{n}" for n in range(12)) + (" …" if ellipsis else "")


def test_without_a_strategy_an_oversized_prompt_says_what_to_do() -> None:
    with pytest.raises(PromptTooBig) as caught:
        build_prompt([], EARLIER[:2], [NEWEST], strategy=None, token_budget=None, window=10)
    assert str(caught.value) == ("the prompt needs 33 tokens and the model's window is 10; set context_overflow to "
                                 "'truncate', 'summarize' or 'adaptive', or shorten it")


def test_a_system_message_after_a_message_that_just_fits_does_not_push_it_out() -> None:
    pinned = {"role": "system", "content": "p" * 40}  # 14 tokens, pinned: paid for out of the budget first
    prompt = build_prompt([], [EARLIER[0], pinned], [NEWEST], strategy="truncate", token_budget=33)
    assert (prompt.messages, prompt.dropped) == ([EARLIER[0], pinned, NEWEST], 0)


def test_a_conversation_that_exactly_fills_the_room_is_sent_whole() -> None:
    summarizer = Summarizer()
    prompt = build_prompt([], EARLIER[:13], [NEWEST], strategy="summarize", token_budget=5 + 13 * 14,
                          summarizer=summarizer)
    assert (prompt.messages, prompt.summary, summarizer.calls) == ([*EARLIER[:13], NEWEST], None, [])


def test_system_messages_among_those_folded_are_left_out_of_the_summary() -> None:
    earlier = [EARLIER[0], {"role": "system", "content": "p" * 40}, *EARLIER[2:]]
    summarizer = Summarizer("S")
    build_prompt([], earlier, [NEWEST], strategy="summarize", token_budget=200, summarizer=summarizer,
                 stored=Stored("OLD", 4))
    assert summarizer.calls == [("OLD", earlier[4:11], 31)]
