"""Pages of a staff queue: the library's cursors, a trail of them in the URL, filters tested on views.

The library pages a listing with opaque cursors (:attr:`lapor_core.ListedPage.next_cursor`) that only go
forward. The queue's links carry the current page's cursor (``cursor``) and the cursors of the pages before
it (``back``, the first page written as an empty value), so "Sebelumnya" (previous) goes one page back and
"Kembali ke awal" (back to the start) drops them all. The trail keeps the last :data:`MAX_TRAIL` pages; a
longer walk keeps its way back only that far.

A filter the library's query does not hold (:meth:`QueueFilters.view_test`) is tested on each view the
desk returned; :func:`read_page` reads on until the page is full, at most :data:`MAX_SCAN` views, and its
``next_cursor`` always continues right after the last view it looked at, as the library's own does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final

import attrs

import lapor_core as lc

__all__ = ["MAX_SCAN", "MAX_TRAIL", "QueuePage", "Trail", "read_page"]

MAX_SCAN: Final = 1000
"""The most views one page looks at for filters tested on views; the page then stops and offers the next."""
MAX_TRAIL: Final = 20
"""How many earlier pages the ``back`` trail remembers."""
MAX_CURSOR: Final = 512
"""The longest cursor the library makes (a longer one in the URL is no cursor of the library's)."""
_BATCH: Final = 100


@attrs.frozen
class QueuePage:
    """One page of a queue.

    Attributes:
        items: The views shown.
        next_cursor: Where the next page starts, or None at the end.
        scanned: How many views were looked at (more than ``items`` when a filter is tested on views).
        stopped: The page stopped at :data:`MAX_SCAN` views before it was full: there may be more further on.
    """

    items: tuple[lc.ComplaintView, ...]
    next_cursor: str | None
    scanned: int = 0
    stopped: bool = False


def read_page(
    desk: lc.ComplaintDesk,
    principal: lc.Principal,
    query: lc.ComplaintQuery,
    keep: Callable[[lc.ComplaintView], bool] | None,
    *,
    max_scan: int = MAX_SCAN,
) -> QueuePage:
    """One page of ``query`` for ``principal``, keeping only the views ``keep`` accepts (None: all).

    Raises:
        lapor_core.ValidationError: The query's cursor is not one the library made.
    """
    if keep is None:
        page = desk.complaints(principal, query)
        return QueuePage(page.items, page.next_cursor, scanned=len(page.items))
    items: list[lc.ComplaintView] = []
    start, scanned = query.cursor, 0
    while True:
        batch = max(query.limit - len(items), min(_BATCH, max_scan - scanned), 1)
        page = desk.complaints(principal, attrs.evolve(query, cursor=start, limit=batch))
        for index, view in enumerate(page.items):
            scanned += 1
            if keep(view):
                items.append(view)
            full, spent = len(items) == query.limit, scanned >= max_scan
            if (full or spent) and index < len(page.items) - 1:  # stopped inside the batch: resume after it
                resume = desk.complaints(principal, attrs.evolve(query, cursor=start, limit=index + 1))
                return QueuePage(tuple(items), resume.next_cursor, scanned, stopped=spent and not full)
            if full or spent:
                more = page.next_cursor is not None
                return QueuePage(tuple(items), page.next_cursor, scanned, stopped=spent and more and not full)
        if page.next_cursor is None:
            return QueuePage(tuple(items), None, scanned)
        start = page.next_cursor


@attrs.frozen
class Trail:
    """Where a queue page is: its cursor (None: the first page) and the cursors of the pages before it.

    >>> first = Trail.read(None, [])
    >>> second = Trail.read(*first.forward("c2"))
    >>> second.cursor, second.back, second.number
    ('c2', (None,), 2)
    >>> Trail.read(*second.backward()) == first
    True
    """

    cursor: str | None = None
    back: tuple[str | None, ...] = ()

    @classmethod
    def read(cls, cursor: str | None, back: Sequence[str]) -> Trail:
        """The trail in a page's address: ``cursor`` and the ``back`` values (empty: the first page).

        Values no library cursor could be (too long) are dropped, and only the last :data:`MAX_TRAIL` kept.
        """
        current = cursor or None
        if current is not None and len(current) > MAX_CURSOR:
            current = None
        earlier = tuple(value or None for value in back if len(value) <= MAX_CURSOR)
        if current is None:
            earlier = ()
        return cls(current, earlier[-MAX_TRAIL:])

    @property
    def number(self) -> int | None:
        """The page's number, when the trail reaches back to the first page (else None)."""
        if self.cursor is None:
            return 1
        if self.back and self.back[0] is None:
            return len(self.back) + 1
        return None

    def forward(self, next_cursor: str) -> tuple[str | None, list[str]]:
        """The ``(cursor, back)`` of the next page."""
        back = [*self.back, self.cursor][-MAX_TRAIL:]
        return next_cursor, [value or "" for value in back]

    def backward(self) -> tuple[str | None, list[str]] | None:
        """The ``(cursor, back)`` of the previous page; None on the first page or past the trail's reach."""
        if self.cursor is None or not self.back:
            return None
        return self.back[-1], [value or "" for value in self.back[:-1]]

    def params(self, move: tuple[str | None, list[str]]) -> list[tuple[str, str]]:
        """A move's query-string pairs (``cursor`` then each ``back``)."""
        cursor, back = move
        pairs = [("cursor", cursor)] if cursor else []
        return pairs + [("back", value) for value in back]
