"""A staff queue as a CSV file: the rows the officer sees with the current filters, as the library shows them.

Every row is a :class:`lapor_core.ComplaintView` the desk returned for the officer's principal, so the file
holds exactly what their queue page would: no complaint they may not see, no field the policy withholds
from them (a confidential complaint's content, a reporter's identity). On top of that the reporter column
of an anonymous complaint is always the anonymous label, whatever the view holds, and the portal's internal
notes are never exported.

The file is streamed page by page, at most :data:`MAX_ROWS` rows (the last line says when it was cut), as
UTF-8 with a byte-order mark so that Excel reads it as UTF-8. A cell that a spreadsheet would run as a
formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is prefixed with ``'``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from typing import Final

import attrs

import lapor_core as lc
from lapor_portal.context import Portal
from lapor_portal.i18n import Translator
from lapor_portal.web.queue_pages import read_page
from lapor_portal.web.rendering import PageHelpers

__all__ = ["BOM", "MAX_ROWS", "export_rows", "safe_cell", "stream_csv"]

MAX_ROWS: Final = 5000
"""The most complaints one file holds."""
BOM: Final = "\ufeff"
_PAGE: Final = 100
_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def _header(t: Translator) -> list[str]:
    return [
        t("field.tracking_id"),
        t("field.title"),
        t("field.status"),
        t("field.kind"),
        t("field.channel"),
        t("field.topic"),
        t("field.region"),
        t("field.institution"),
        t("field.unit"),
        t("field.anonymous"),
        t("field.confidential"),
        t("field.submitted_at"),
        t("field.updated_at"),
        t("deadlines.due"),
        t("deadlines.state"),
        t("export.reporter"),
    ]


def safe_cell(text: str) -> str:
    """``text`` as a spreadsheet shows it and never runs: a leading ``= + - @``, tab or CR gets a ``'``.

    >>> safe_cell("=HYPERLINK(1)"), safe_cell("-5"), safe_cell("Jalan rusak"), safe_cell("")
    ("'=HYPERLINK(1)", "'-5", 'Jalan rusak', '')
    """
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _state(t: Translator, ui: PageHelpers, view: lc.ComplaintView) -> tuple[str, str]:
    """The current deadline's day and where it stands, as the queue's columns say them."""
    deadline = ui.current_deadline(view)
    if deadline is None:
        return "-", "-"
    stands = ui.countdown(view, deadline)
    if stands is None:
        text = "-"
    elif stands.state == "paused":
        text = t("clock.paused")
    elif stands.state == "overdue":
        text = t("clock.overdue", days=stands.working_days)
    elif stands.state == "today":
        text = t("clock.today")
    elif stands.state == "left":
        text = t("clock.left", days=stands.working_days)
    else:
        text = t.value("clock.state", stands.state)
    return ui.due(deadline), text


def _row(t: Translator, ui: PageHelpers, view: lc.ComplaintView) -> list[str]:
    yes, no = t("export.yes"), t("export.no")
    due, state = _state(t, ui, view)
    reporter = ""
    if view.anonymous:
        reporter = t("flag.anonymous")
    elif view.reporter is not None and view.reporter.name:
        reporter = view.reporter.name
    return [
        view.tracking_id,
        view.title if view.title is not None else t("view.content_withheld"),
        ui.status(view.status),
        ui.kind(view.kind),
        ui.channel(view.channel),
        ui.topic(view.category),
        ui.region(view.region),
        ui.institution(view.institution),
        ui.unit(view.institution, view.unit),
        yes if view.anonymous else no,
        yes if view.confidential else no,
        ui.when(view.submitted_at),
        ui.when(view.updated_at),
        due,
        state,
        reporter,
    ]


def export_rows(
    desk: lc.ComplaintDesk,
    principal: lc.Principal,
    query: lc.ComplaintQuery,
    keep: Callable[[lc.ComplaintView], bool] | None,
    *,
    max_rows: int = MAX_ROWS,
) -> Iterator[lc.ComplaintView | None]:
    """The views of ``query`` from its start for ``principal``, at most ``max_rows``; then None if cut."""
    cursor: str | None = None
    given = 0
    while True:
        limit = min(_PAGE, max_rows - given + 1)  # one more than allowed tells whether the file was cut
        page = read_page(desk, principal, attrs.evolve(query, cursor=cursor, limit=limit), keep)
        for view in page.items:
            if given == max_rows:
                yield None
                return
            given += 1
            yield view
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def _line(cells: Sequence[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow([safe_cell(cell) for cell in cells])
    return out.getvalue()


def stream_csv(
    portal: Portal,
    t: Translator,
    principal: lc.Principal,
    query: lc.ComplaintQuery,
    keep: Callable[[lc.ComplaintView], bool] | None,
    *,
    max_rows: int = MAX_ROWS,
) -> Iterator[str]:
    """The CSV file's text, line by line: the byte-order mark and the header, then one line per complaint."""
    ui = PageHelpers(t.lang, portal)
    yield BOM + _line(_header(t))
    for view in export_rows(portal.desk, principal, query, keep, max_rows=max_rows):
        if view is None:
            yield _line([t("export.cut", rows=max_rows)])
            return
        yield _line(_row(t, ui, view))
