"""Building the prompt a model sees, under a session's ``context_overflow`` strategy.

Tokens are counted by a :data:`TokenCounter`; the default, :func:`count_tokens`, is one
token per started four characters of text, and every message costs
:data:`MESSAGE_OVERHEAD` more. The prompt is ``system`` + ``earlier`` (stored history,
then all but the last new message) + ``newest`` (the last new message).

Pinned, never dropped: the system messages and the newest message. If those alone
exceed the limit, every strategy answers 400 ``prompt_too_big``. The limit is the
session's ``token_budget`` (capped by the model's window), or the window itself.

===========  ================================================================
strategy     what is sent when the prompt is over the limit
===========  ================================================================
``None``     everything; over the model's window → 400 ``prompt_too_big``
truncate     drop the oldest unpinned messages until it fits (a contiguous newest
             suffix stays)
summarize    fold the oldest unpinned messages into one summary message, sized to
             at most a quarter of the free room; keep the newest ones verbatim. A
             summary that does not fit → 400 ``prompt_too_big``
adaptive     summarize; if the prompt still does not fit, truncate
===========  ================================================================

The summary is kept on the session with how many messages it covers, and the next turn
extends it (``summarizer(previous, newly_folded, max_tokens)``) instead of starting
over; once folded, a message stays folded. Stored history is never rewritten.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import attrs

MESSAGE_OVERHEAD = 4
SUMMARY_SHARE = 4  # the summary may take 1/SUMMARY_SHARE of the room left for messages
MIN_SUMMARY_TOKENS = 8
SUMMARY_PREFIX = "Summary of the earlier conversation: "
DEFAULT_CONTEXT_WINDOW = 8192

Message = dict[str, Any]
TokenCounter = Callable[[str], int]
Summarizer = Callable[[str | None, Sequence[Message], int], str]
"""``(previous_summary, messages_to_fold, max_tokens) -> summary text``."""


class PromptTooBig(Exception):
    """The prompt cannot be made to fit."""


def count_tokens(text: str) -> int:
    """The default counter: ``ceil(len(text) / 4)``."""
    return (len(text) + 3) // 4


def text_of(content: Any) -> str:
    """The plain text of a message ``content`` (a string, or a list of parts)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(text_of(part.get("text") if isinstance(part, dict) else part) for part in content)
    return str(content)


def message_tokens(message: Message, counter: TokenCounter) -> int:
    content = message.get("content")
    return MESSAGE_OVERHEAD + counter(content if type(content) is str else text_of(content))


def fit_text(text: str, max_tokens: int, counter: TokenCounter) -> str:
    """``text``, or its longest tail (behind ``…``) that ``counter`` puts within ``max_tokens``."""
    if counter(text) <= max_tokens:
        return text
    low, high = 0, len(text)
    while low < high:  # the longest tail that fits
        mid = (low + high + 1) // 2
        if counter("…" + text[len(text) - mid :]) <= max_tokens:
            low = mid
        else:
            high = mid - 1
    return "…" + text[len(text) - low :] if low else ""


def head_within(text: str, max_tokens: int, counter: TokenCounter) -> str:
    """The longest start of ``text`` that ``counter`` puts within ``max_tokens``."""
    if counter(text) <= max_tokens:
        return text
    low, high = 0, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if counter(text[:mid]) <= max_tokens:
            low = mid
        else:
            high = mid - 1
    return text[:low]


def make_default_summarizer(counter: TokenCounter) -> Summarizer:
    """A deterministic summarizer: the previous summary, then ``role: first words`` per
    folded message, cut from the front to ``max_tokens``."""

    def summarize(previous: str | None, messages: Sequence[Message], max_tokens: int) -> str:
        lines = [previous] if previous else []
        for message in messages:
            words = text_of(message.get("content")).split()
            gist = " ".join(words[:12]) + (" …" if len(words) > 12 else "")
            lines.append(f"{message.get('role', 'user')}: {gist}")
        return fit_text(" | ".join(lines), max_tokens, counter)

    return summarize


@attrs.frozen
class Prompt:
    """What the model receives, and how it was made to fit."""

    messages: list[Message]
    prompt_tokens: int
    dropped: int = 0
    summarized: int = 0
    summary: str | None = None
    summary_upto: int = 0  # how many ``earlier`` messages the summary covers

    def report(self, strategy: str | None, token_budget: int | None, window: int) -> dict[str, Any]:
        return {
            "strategy": strategy,
            "token_budget": token_budget,
            "context_window": window,
            "prompt_tokens": self.prompt_tokens,
            "dropped": self.dropped,
            "summarized": self.summarized,
            "summary": self.summary,
        }


@attrs.frozen
class Stored:
    """The session's summary so far."""

    summary: str | None = None
    upto: int = 0


def build_prompt(
    system: Sequence[Message],
    earlier: Sequence[Message],
    newest: Message,
    *,
    strategy: str | None,
    token_budget: int | None,
    window: int = DEFAULT_CONTEXT_WINDOW,
    counter: TokenCounter = count_tokens,
    summarizer: Summarizer | None = None,
    stored: Stored = Stored(),
    sizes: Sequence[int] | None = None,
) -> Prompt:
    """Apply ``strategy`` and return the prompt; raise :class:`PromptTooBig` if it cannot fit.

    ``sizes`` may give the token counts of ``earlier`` when they are known already.
    """
    if sizes is None:
        sizes = [message_tokens(message, counter) for message in earlier]
    outer = sum(message_tokens(m, counter) for m in system) + message_tokens(newest, counter)
    total = outer + sum(sizes)

    if strategy is None:
        if total > window:
            raise PromptTooBig(
                f"the prompt needs {total} tokens and the model's window is {window}; "
                "set context_overflow to 'truncate', 'summarize' or 'adaptive', or shorten it"
            )
        return Prompt([*system, *earlier, newest], total)

    pinned = [message.get("role") == "system" for message in earlier]
    fixed = outer + sum(size for size, pin in zip(sizes, pinned, strict=True) if pin)

    limit = min(token_budget, window) if token_budget else window
    if fixed > limit:
        raise PromptTooBig(
            f"the system messages and the newest message alone need {fixed} tokens, "
            f"over the limit of {limit}; raise token_budget or shorten the message"
        )
    room = limit - fixed
    # tail[i]: tokens of the unpinned earlier messages from index i on.
    tail = [0] * (len(earlier) + 1)
    for index in range(len(earlier) - 1, -1, -1):
        tail[index] = tail[index + 1] + (0 if pinned[index] else sizes[index])

    def cut_for(space: int, start: int = 0) -> int:
        return next(i for i in range(start, len(earlier) + 1) if tail[i] <= space)

    def assemble(cut: int, summary: Message | None) -> list[Message]:
        kept = [m for i, m in enumerate(earlier) if pinned[i] or i >= cut]
        return [*system, *([summary] if summary else []), *kept, newest]

    def unpinned_before(cut: int) -> int:
        return sum(1 for i in range(cut) if not pinned[i])

    def truncated() -> Prompt:
        cut = cut_for(room)
        return Prompt(assemble(cut, None), fixed + tail[cut], dropped=unpinned_before(cut))

    if strategy == "truncate":
        return truncated()

    # summarize / adaptive
    if stored.upto == 0 and tail[0] <= room:
        return Prompt(assemble(0, None), fixed + tail[0])
    reserve = room // SUMMARY_SHARE
    start = min(stored.upto, len(earlier))
    cut = cut_for(room - reserve, start)
    if cut == start and stored.summary is not None:
        text: str | None = stored.summary
    elif reserve - MESSAGE_OVERHEAD < MIN_SUMMARY_TOKENS:
        text = None
    else:
        folded = [m for i, m in enumerate(earlier[start:cut], start) if not pinned[i]]
        summarize = summarizer or make_default_summarizer(counter)
        text = summarize(stored.summary, folded, reserve - MESSAGE_OVERHEAD - counter(SUMMARY_PREFIX)) or None
    summary = {"role": "system", "name": "summary", "content": SUMMARY_PREFIX + text} if text else None
    used = fixed + tail[cut] + (message_tokens(summary, counter) if summary else 0)
    if used > limit:
        if strategy == "adaptive":
            return truncated()
        raise PromptTooBig(
            f"the summary left a prompt of {used} tokens, over the limit of {limit}; "
            "use context_overflow='adaptive' or a summarizer that honours max_tokens"
        )
    folded_count = unpinned_before(cut)
    return Prompt(
        assemble(cut, summary),
        used,
        dropped=0 if summary else folded_count,
        summarized=folded_count if summary else 0,
        summary=text,
        summary_upto=cut,
    )
