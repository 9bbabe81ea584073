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

import bisect
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, ClassVar, overload

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
    if counter is count_tokens:  # the default counter needs no search: 1 + kept <= 4 * max_tokens
        kept = max(0, min(len(text), 4 * max_tokens - 1))
        return "…" + text[len(text) - kept :] if kept else ""
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
    if counter is count_tokens:  # the default counter needs no search: len(kept) <= 4 * max_tokens
        return text[: max(0, 4 * max_tokens)]
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

    messages: Sequence[Message]
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


class History:
    """The messages a session has said, as a prompt shows them, with running token sums,
    so that a turn's prompt is assembled in O(log n) however long the history is.
    Append-only: a cleared history is a new :class:`History`."""

    __slots__ = ("messages", "pinned", "pinned_tokens", "unpinned")
    messages: list[Message]
    unpinned: list[int]  #: ``unpinned[i]``: the tokens of the droppable messages before index ``i``
    pinned: list[int]  #: the indices of system messages, which no strategy drops
    pinned_tokens: int

    def __init__(self, messages: Iterable[Message] = (), counter: TokenCounter = count_tokens) -> None:
        self.messages, self.unpinned, self.pinned, self.pinned_tokens = [], [0], [], 0
        for message in messages:
            self.append(message, message_tokens(message, counter))

    def __len__(self) -> int:
        return len(self.messages)

    def append(self, message: Message, tokens: int) -> None:
        if message.get("role") == "system":
            self.pinned.append(len(self.messages))
            self.pinned_tokens += tokens
            self.unpinned.append(self.unpinned[-1])
        else:
            self.unpinned.append(self.unpinned[-1] + tokens)
        self.messages.append(message)


class PromptMessages(Sequence[Message]):
    """A prompt as a read-only sequence of messages, made of slices of the history that
    are not copied (``list(prompt)`` copies it)."""

    __slots__ = ("_length", "_parts")

    def __init__(self, *parts: tuple[Sequence[Message], int, int]) -> None:
        self._parts = [(items, start, stop) for items, start, stop in parts if stop > start]
        self._length = sum(stop - start for _, start, stop in self._parts)

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> Message: ...
    @overload
    def __getitem__(self, index: slice) -> list[Message]: ...
    def __getitem__(self, index: int | slice) -> Message | list[Message]:
        if isinstance(index, slice):
            return list(self)[index]
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError("prompt index out of range")
        for items, start, stop in self._parts:
            if index < stop - start:
                return items[start + index]
            index -= stop - start
        raise AssertionError("unreachable")

    def __iter__(self) -> Iterator[Message]:
        for items, start, stop in self._parts:
            for index in range(start, stop):
                yield items[index]

    def __reversed__(self) -> Iterator[Message]:
        for items, start, stop in reversed(self._parts):
            for index in range(stop - 1, start - 1, -1):
                yield items[index]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str | bytes):
            return NotImplemented
        return len(other) == self._length and all(a == b for a, b in zip(self, other, strict=True))

    __hash__: ClassVar[None] = None  # type: ignore[assignment]  # equal to a list, so unhashable like one

    def __repr__(self) -> str:
        return f"PromptMessages({list(self)!r})"


class _Earlier:
    """The messages before the newest: the stored ``history``, then the turn's other new
    messages (``extra``), indexed as one sequence without copying the history."""

    def __init__(self, history: History, extra: list[Message], counter: TokenCounter) -> None:
        self.history, self.extra = history, extra
        self.stored = len(history)
        self.length = self.stored + len(extra)
        self.extra_unpinned = [history.unpinned[-1]]  # history.unpinned, continued over extra
        self.extra_pinned: list[int] = []
        self.pinned_tokens = history.pinned_tokens
        for index, message in enumerate(extra, self.stored):
            tokens = message_tokens(message, counter)
            if message.get("role") == "system":
                self.extra_pinned.append(index)
                self.pinned_tokens += tokens
                tokens = 0
            self.extra_unpinned.append(self.extra_unpinned[-1] + tokens)

    def item(self, index: int) -> Message:
        return self.history.messages[index] if index < self.stored else self.extra[index - self.stored]

    def _unpinned_before(self, index: int) -> int:
        if index <= self.stored:
            return self.history.unpinned[index]
        return self.extra_unpinned[index - self.stored]

    def tail(self, index: int) -> int:
        """The tokens of the droppable messages from ``index`` on."""
        return self._unpinned_before(self.length) - self._unpinned_before(index)

    def cut_for(self, space: int, start: int = 0) -> int:
        """The first index from ``start`` on whose tail fits in ``space`` (a binary search:
        the tail only shrinks)."""
        low, high = start, self.length
        while low < high:
            middle = (low + high) // 2
            if self.tail(middle) <= space:
                high = middle
            else:
                low = middle + 1
        return low

    def pinned_before(self, cut: int) -> list[int]:
        stored = self.history.pinned
        return stored[: bisect.bisect_left(stored, cut)] + [index for index in self.extra_pinned if index < cut]

    def dropped(self, cut: int) -> int:
        """How many droppable messages lie before ``cut``."""
        return cut - len(self.pinned_before(cut))

    def droppable(self, start: int, stop: int) -> list[Message]:
        return [message for message in map(self.item, range(start, stop)) if message.get("role") != "system"]

    def prompt(self, system: Sequence[Message], summary: Message | None, cut: int, newest: Message) -> PromptMessages:
        """``system``, the summary, the system messages before ``cut``, everything from it on, ``newest``."""
        head = [*system, *([summary] if summary else []), *map(self.item, self.pinned_before(cut))]
        return PromptMessages((head, 0, len(head)), (self.history.messages, min(cut, self.stored), self.stored),
                              (self.extra, max(cut - self.stored, 0), len(self.extra)), ([newest], 0, 1))


def build_prompt(
    system: Sequence[Message],
    history: History | Sequence[Message],
    new: Sequence[Message],
    *,
    strategy: str | None,
    token_budget: int | None,
    window: int = DEFAULT_CONTEXT_WINDOW,
    counter: TokenCounter = count_tokens,
    summarizer: Summarizer | None = None,
    stored: Stored = Stored(),
) -> Prompt:
    """Apply ``strategy`` to ``system``, ``history`` and the turn's ``new`` messages (the
    last of them, the newest, is pinned) and return the prompt; raise
    :class:`PromptTooBig` if it cannot fit. With a :class:`History`, the cost does not
    grow with its length (except for messages newly folded into the summary)."""
    if not isinstance(history, History):
        history = History(history, counter)
    newest = new[-1]
    earlier = _Earlier(history, list(new[:-1]), counter)
    outer = sum(message_tokens(m, counter) for m in system) + message_tokens(newest, counter)
    fixed = outer + earlier.pinned_tokens
    total = fixed + earlier.tail(0)

    if strategy is None:
        if total > window:
            raise PromptTooBig(
                f"the prompt needs {total} tokens and the model's window is {window}; "
                "set context_overflow to 'truncate', 'summarize' or 'adaptive', or shorten it"
            )
        return Prompt(earlier.prompt(system, None, 0, newest), total)

    limit = min(token_budget, window) if token_budget else window
    if fixed > limit:
        raise PromptTooBig(
            f"the system messages and the newest message alone need {fixed} tokens, "
            f"over the limit of {limit}; raise token_budget or shorten the message"
        )
    room = limit - fixed

    def truncated() -> Prompt:
        cut = earlier.cut_for(room)
        return Prompt(earlier.prompt(system, None, cut, newest), fixed + earlier.tail(cut),
                      dropped=earlier.dropped(cut))

    if strategy == "truncate":
        return truncated()

    # summarize / adaptive
    if stored.upto == 0 and total <= limit:
        return Prompt(earlier.prompt(system, None, 0, newest), total)
    reserve = room // SUMMARY_SHARE
    start = min(stored.upto, earlier.length)
    cut = earlier.cut_for(room - reserve, start)
    if cut == start and stored.summary is not None:
        text: str | None = stored.summary
    elif reserve - MESSAGE_OVERHEAD < MIN_SUMMARY_TOKENS:
        text = None
    else:
        summarize = summarizer or make_default_summarizer(counter)
        text = summarize(stored.summary, earlier.droppable(start, cut),
                         reserve - MESSAGE_OVERHEAD - counter(SUMMARY_PREFIX)) or None
    summary = {"role": "system", "name": "summary", "content": SUMMARY_PREFIX + text} if text else None
    used = fixed + earlier.tail(cut) + (message_tokens(summary, counter) if summary else 0)
    if used > limit:
        if strategy == "adaptive":
            return truncated()
        raise PromptTooBig(
            f"the summary left a prompt of {used} tokens, over the limit of {limit}; "
            "use context_overflow='adaptive' or a summarizer that honours max_tokens"
        )
    folded = earlier.dropped(cut)
    return Prompt(
        earlier.prompt(system, summary, cut, newest),
        used,
        dropped=0 if summary else folded,
        summarized=folded if summary else 0,
        summary=text,
        summary_upto=cut,
    )
