"""Filters on the staff queues: a topic and a province, kept across pages.

Each queue (verification, inbox, oversight) reads them from the query string and hands them to
:class:`lapor_core.ComplaintQuery`; the library filters (and pages) on them, so a filter never shows what
the principal may not see. A value the portal does not know (an unknown topic, a province code that is no
province) is dropped rather than refused: a stale bookmark still opens the queue.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

import attrs
from fastapi import Depends, Query

from lapor_portal.context import Portal, get_portal

__all__ = ["QueueFilters", "QueueFiltersDep", "queue_filters"]


@attrs.frozen
class QueueFilters:
    """The filters a staff queue was opened with (empty: none)."""

    topic: str = ""
    province: str = ""

    def options(self) -> dict[str, Any]:
        """The :class:`lapor_core.ComplaintQuery` arguments these filters add."""
        return {"category": self.topic or None, "region_prefix": self.province or None}

    def query_string(self) -> str:
        """The filters as a query string for the next page's link (``topic=waste&``), empty without any.

        >>> QueueFilters("waste", "31").query_string(), QueueFilters().query_string()
        ('topic=waste&province=31&', '')
        """
        given = {name: value for name, value in attrs.asdict(self).items() if value}
        return urlencode(given) + "&" if given else ""

    def context(self, portal: Portal) -> dict[str, Any]:
        """What the queue template needs to show the filter form."""
        return {
            "filters": self,
            "topic_groups": portal.topic_groups(),
            "provinces": portal.regions.provinces(),
        }


def queue_filters(
    portal: Annotated[Portal, Depends(get_portal)],
    topic: Annotated[str, Query(max_length=64)] = "",
    province: Annotated[str, Query(max_length=2)] = "",
) -> QueueFilters:
    """FastAPI dependency: the queue's filters, values the portal does not know dropped."""
    known_topic = topic if topic and portal.topics.find(topic) is not None else ""
    known_province = province if any(p.code == province for p in portal.regions.provinces()) else ""
    return QueueFilters(known_topic, known_province)


QueueFiltersDep = Annotated[QueueFilters, Depends(queue_filters)]
