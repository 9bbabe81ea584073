"""Offset pagination: ``await`` a pager for one page, ``async for`` over it for every item."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator
from typing import Generic, TypeVar

import attrs

T = TypeVar("T")


@attrs.frozen
class Page(Generic[T]):
    """One page of a list. Julep lists carry no total: a short page is the last one."""

    items: list[T]
    limit: int
    offset: int

    @property
    def has_more(self) -> bool:
        """Whether another page may follow (this one is full)."""
        return len(self.items) >= self.limit

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


class AsyncPager(Generic[T]):
    """The result of a ``list()`` call; nothing is fetched until it is awaited or iterated.

    ``await pager`` fetches the page at the requested offset; ``async for item in pager``
    walks every item from that offset on, one page request at a time, and stops at the
    first short page.
    """

    def __init__(self, fetch: Callable[[int, int], Awaitable[list[T]]], *, limit: int, offset: int) -> None:
        self._fetch = fetch
        self.limit = limit
        self.offset = offset

    def __repr__(self) -> str:
        return f"<AsyncPager limit={self.limit} offset={self.offset}>"

    async def page(self, offset: int | None = None) -> Page[T]:
        """Fetch the page at ``offset`` (default: the pager's own)."""
        offset = self.offset if offset is None else offset
        return Page(await self._fetch(offset, self.limit), self.limit, offset)

    def __await__(self) -> Generator[None, None, Page[T]]:
        return self.page().__await__()

    async def __aiter__(self) -> AsyncIterator[T]:
        offset = self.offset
        while True:
            page = await self.page(offset)
            for item in page.items:
                yield item
            if not page.has_more:
                return
            offset += len(page.items)
