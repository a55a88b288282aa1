"""Filters on the staff queues, kept in the URL: topic, province, status, deadline, flags, search, page size.

Each queue (verification, inbox, oversight, the Ombudsman's) reads them from the query string. What the
library can filter on it filters on (:class:`lapor_core.ComplaintQuery`: topic, province, status, the
confidential flag, escalation, keywords in the title or text), so a filter never shows what the principal
may not see and pages stay whole. What the library's query does not hold (the anonymous flag, where a
deadline stands in working days) is tested on each :class:`lapor_core.ComplaintView` the desk returned, so
only on what this principal may see (:mod:`lapor_portal.web.queue_pages` fills the page past what fails).
A keyword search also keeps only views that show their content: a complaint whose words the officer may not
read is never found by them.

A value the portal does not know (an unknown topic, a province code that is no province, a status of
another queue, a junk page size) is dropped rather than refused: a stale bookmark still opens the queue,
and the page says that some filters were ignored.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from typing import Annotated, Any, Final

import attrs
from fastapi import Depends, Query

import lapor_core as lc
from lapor_portal.context import Portal, get_portal
from lapor_portal.formatting import countdown
from lapor_portal.i18n import Translator

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "MAX_SEARCH",
    "PAGE_SIZES",
    "DeadlineFilter",
    "FlagFilter",
    "QueueFilters",
    "QueueFiltersDep",
    "choice_labels",
    "page_size",
    "queue_filters",
]

PAGE_SIZES: Final = (25, 50, 100)
"""The page sizes the form offers."""
DEFAULT_PAGE_SIZE: Final = 50
MIN_PAGE_SIZE: Final = 10
MAX_PAGE_SIZE: Final = 100
"""A larger ``size`` is read as this one: a page is read and drawn at once."""
MAX_SEARCH: Final = 200
"""The longest search text kept (longer is cut): the library's limit for a keyword query."""

ViewTest = Callable[[lc.ComplaintView], bool]


class DeadlineFilter(enum.StrEnum):
    """Where the complaint's current deadline stands, in working days (as the queue's countdown says)."""

    OVERDUE = "overdue"
    TODAY = "today"
    WITHIN_3 = "within-3"
    WITHIN_5 = "within-5"
    PAUSED = "paused"


_WITHIN: Final = {DeadlineFilter.WITHIN_3: 3, DeadlineFilter.WITHIN_5: 5}


class FlagFilter(enum.StrEnum):
    """A mark the complaint carries; several given means all of them."""

    ANONYMOUS = "anonymous"
    CONFIDENTIAL = "confidential"
    ESCALATED = "escalated"


def choice_labels(t: Translator) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The deadline and the flag choices of the form, each as ``(value, name)`` in ``t``'s language.

    >>> deadlines, flags = choice_labels(Translator("id"))
    >>> deadlines[0], flags[-1]
    (('overdue', 'Sudah lewat batas waktu'), ('escalated', 'Diadukan ke Ombudsman'))
    """
    deadlines = {
        DeadlineFilter.OVERDUE: t("queue.deadline_overdue"),
        DeadlineFilter.TODAY: t("queue.deadline_today"),
        DeadlineFilter.WITHIN_3: t("queue.deadline_within_3"),
        DeadlineFilter.WITHIN_5: t("queue.deadline_within_5"),
        DeadlineFilter.PAUSED: t("queue.deadline_paused"),
    }
    flags = {
        FlagFilter.ANONYMOUS: t("queue.flag_anonymous"),
        FlagFilter.CONFIDENTIAL: t("queue.flag_confidential"),
        FlagFilter.ESCALATED: t("queue.flag_escalated"),
    }
    return [(k.value, deadlines[k]) for k in DeadlineFilter], [(k.value, flags[k]) for k in FlagFilter]


def page_size(raw: str) -> tuple[int, bool]:
    """The page size ``raw`` asks for, within 10 .. 100, and whether ``raw`` was unusable (then 50).

    >>> page_size(""), page_size("25"), page_size("100000"), page_size("3"), page_size("lima")
    ((50, False), (25, False), (100, False), (10, False), (50, True))
    """
    text = raw.strip()
    if not text:
        return DEFAULT_PAGE_SIZE, False
    if not text.isascii() or not text.isdigit():
        return DEFAULT_PAGE_SIZE, True
    return min(max(int(text), MIN_PAGE_SIZE), MAX_PAGE_SIZE), False


def _known(values: Iterable[str], kind: type[enum.StrEnum]) -> tuple[tuple[str, ...], bool]:
    """The values that are members of ``kind``, in its order, without repeats; and whether any was not."""
    given = {value.strip() for value in values if value.strip()}
    known = tuple(member.value for member in kind if member.value in given)
    return known, len(known) < len(given)


@attrs.frozen
class QueueFilters:
    """The filters a staff queue was opened with (empty: none).

    Attributes:
        topic: A topic ID (its subtopics are not included), or empty.
        province: A province code, or empty.
        statuses: Status values; those outside the queue are left out by :meth:`statuses_within`.
        deadline: A :class:`DeadlineFilter` value, or empty.
        flags: :class:`FlagFilter` values, all required.
        search: Words all found in the title or text (inside words, any case or accent), or a tracking ID
            (which opens that complaint).
        size: Rows per page (10 .. 100).
        ignored: Some value in the address was not understood and was left out.
    """

    topic: str = ""
    province: str = ""
    statuses: tuple[str, ...] = ()
    deadline: str = ""
    flags: tuple[str, ...] = ()
    search: str = ""
    size: int = DEFAULT_PAGE_SIZE
    ignored: bool = attrs.field(default=False, eq=False)

    @property
    def any(self) -> bool:
        """Whether any filter narrows the queue (the page size is no filter)."""
        return bool(
            self.topic or self.province or self.statuses or self.deadline or self.flags or self.search
        )

    def statuses_within(self, queue: frozenset[lc.Status] | None) -> frozenset[lc.Status] | None:
        """The statuses to list: the chosen ones the queue holds, else all the queue's (None: any)."""
        chosen = {lc.Status(value) for value in self.statuses}
        if queue is not None:
            chosen &= queue
        return frozenset(chosen) if chosen else queue

    def library_filters(self, escalations: frozenset[lc.Escalation] | None = None) -> lc.Filters:
        """The :class:`lapor_core.Filters` these filters add beyond the queue's own shorthands.

        ``escalations`` is the queue's own escalation filter (the Ombudsman's inbox: open ones).
        """
        if FlagFilter.ESCALATED in self.flags:
            escalations = escalations or frozenset(lc.Escalation)
        confidential = True if FlagFilter.CONFIDENTIAL in self.flags else None
        return lc.Filters(escalations=escalations, confidential=confidential)

    def options(self) -> dict[str, Any]:
        """The :class:`lapor_core.ComplaintQuery` shorthand arguments these filters add.

        Topic, province and the search words (the library's keyword filter; it refuses junk such as
        punctuation alone with :class:`lapor_core.ValidationError`, field ``text``).
        """
        return {
            "category": self.topic or None,
            "region_prefix": self.province or None,
            "text": self.search or None,
        }

    def view_test(self, portal: Portal) -> ViewTest | None:
        """The test of each listed view for what the library's query does not hold; None: no such filter."""
        tests: list[ViewTest] = []
        if FlagFilter.ANONYMOUS in self.flags:
            tests.append(lambda view: view.anonymous)
        if self.deadline:
            tests.append(_deadline_test(portal, DeadlineFilter(self.deadline)))
        if self.search:
            tests.append(lambda view: view.title is not None and view.body is not None)
        if not tests:
            return None
        return lambda view: all(test(view) for test in tests)

    def params(self, *, with_size: bool = True) -> list[tuple[str, str]]:
        """The filters as query-string pairs, in a fixed order (the page size when not the default).

        >>> QueueFilters("waste", "31").params(), QueueFilters().params()
        ([('topic', 'waste'), ('province', '31')], [])
        >>> QueueFilters(statuses=("submitted", "on_hold"), flags=("anonymous",), size=25).params()
        [('status', 'submitted'), ('status', 'on_hold'), ('flag', 'anonymous'), ('size', '25')]
        """
        pairs = [("topic", self.topic), ("province", self.province)]
        pairs += [("status", value) for value in self.statuses]
        pairs += [("deadline", self.deadline)]
        pairs += [("flag", value) for value in self.flags]
        pairs += [("q", self.search)]
        if with_size and self.size != DEFAULT_PAGE_SIZE:
            pairs.append(("size", str(self.size)))
        return [(name, value) for name, value in pairs if value]

    def context(self, portal: Portal, t: Translator, statuses: Iterable[lc.Status] = ()) -> dict[str, Any]:
        """What the queue template needs to show the filter form; ``statuses``: the queue's choices."""
        deadlines, flags = choice_labels(t)
        return {
            "filters": self,
            "topic_groups": portal.topic_groups(),
            "provinces": portal.regions.provinces(),
            "status_choices": [status for status in lc.Status if status in set(statuses)],
            "deadline_choices": deadlines,
            "flag_choices": flags,
            "page_sizes": PAGE_SIZES,
        }


def _deadline_test(portal: Portal, wanted: DeadlineFilter) -> ViewTest:
    """Whether the view's current deadline stands as ``wanted`` says, counted as the queue's column counts."""
    now = portal.now()

    def test(view: lc.ComplaintView) -> bool:
        if not view.current_deadlines or view.status.is_terminal:
            return False
        deadline = view.current_deadlines[-1]
        calendar = portal.calendar_for(deadline.institution)
        stands = countdown(deadline, now=now, calendar=calendar, current=True)
        if stands is None:
            return False
        if wanted in _WITHIN:
            return stands.state == "today" or (
                stands.state == "left" and stands.working_days <= _WITHIN[wanted]
            )
        return stands.state == {DeadlineFilter.OVERDUE: "overdue", DeadlineFilter.TODAY: "today"}.get(
            wanted, "paused"
        )

    return test


def queue_filters(
    portal: Annotated[Portal, Depends(get_portal)],
    topic: Annotated[str, Query(max_length=64)] = "",
    province: Annotated[str, Query(max_length=2)] = "",
    status: Annotated[list[str] | None, Query(max_length=10)] = None,
    deadline: Annotated[str, Query(max_length=20)] = "",
    flag: Annotated[list[str] | None, Query(max_length=10)] = None,
    q: Annotated[str, Query(max_length=500)] = "",
    size: Annotated[str, Query(max_length=20)] = "",
) -> QueueFilters:
    """FastAPI dependency: the queue's filters, values the portal does not know dropped."""
    known_topic = topic if topic and portal.topics.find(topic) is not None else ""
    known_province = province if any(p.code == province for p in portal.regions.provinces()) else ""
    statuses, bad_status = _known(status or (), lc.Status)
    deadlines, bad_deadline = _known([deadline], DeadlineFilter)
    flags, bad_flag = _known(flag or (), FlagFilter)
    rows, bad_size = page_size(size)
    search = " ".join(q.split())[:MAX_SEARCH]
    dropped = (topic and not known_topic) or (province and not known_province)
    return QueueFilters(
        topic=known_topic,
        province=known_province,
        statuses=statuses,
        deadline=deadlines[0] if deadlines else "",
        flags=flags,
        search=search,
        size=rows,
        ignored=bool(dropped) or bad_status or bad_deadline or bad_flag or bad_size,
    )


QueueFiltersDep = Annotated[QueueFilters, Depends(queue_filters)]
