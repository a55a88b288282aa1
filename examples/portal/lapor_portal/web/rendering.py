"""Rendering pages: the Jinja2 environment (autoescaping everything) and what every template can use."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, cast

import attrs
import jinja2
from fastapi.templating import Jinja2Templates
from starlette.requests import Request
from starlette.responses import HTMLResponse

import lapor_core as lc
from lapor_core import PollState, ResultVisibility
from lapor_portal.context import Portal, get_portal
from lapor_portal.formatting import (
    Countdown,
    countdown,
    format_date,
    format_datetime,
    format_day,
    format_number,
    format_percent,
    last_day,
    without_bidi_controls,
)
from lapor_portal.i18n import Lang, Translator, language_of
from lapor_portal.security import CSRF_FIELD, csrf_token
from lapor_portal.web.identity import current_account

__all__ = ["PageHelpers", "flash", "make_templates", "render"]

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
_FLASH = "flash"


def make_templates() -> Jinja2Templates:
    """The page templates. Autoescaping is on for every template, whatever its file name."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=without_bidi_controls,  # a title with U+202E shows in its stored order (issue 21)
    )
    return Jinja2Templates(env=environment)


@attrs.frozen
class PageHelpers:
    """Labels and formats in the visitor's language, available to templates as ``ui``."""

    lang: Lang
    portal: Portal

    def status(self, status: lc.Status | str) -> str:
        """The status name (``Diteruskan``) of a status or its value."""
        return lc.Status(status).label(self.lang)

    def summary(self, summary: lc.Summary) -> str:
        """The reporter-facing word (``Proses``)."""
        return summary.label(self.lang)

    def kind(self, kind: lc.Kind) -> str:
        """The report kind's label."""
        return kind.label(self.lang)

    def channel(self, channel: lc.Channel) -> str:
        """The channel's label."""
        return channel.label(self.lang)

    def poll_state(self, state: str) -> str:
        """A poll state's name (``Dibuka``) from its value."""
        return PollState(state).label(self.lang)

    @property
    def result_rules(self) -> tuple[ResultVisibility, ...]:
        """The rules for publishing a poll's results, for a picker (each has ``label(lang)``)."""
        return tuple(ResultVisibility)

    def topic(self, topic_id: str | None) -> str:
        """The topic's label, the ID itself when unknown, a dash when none."""
        return self.portal.topic_name(topic_id, self.lang) or topic_id or "-"

    def region(self, code: str | None) -> str:
        """The region's name, the code itself when unknown, a dash when none."""
        return self.portal.region_name(code) or code or "-"

    def institution(self, code: str | None) -> str:
        """The institution's name, the code itself when unknown, a dash when none."""
        return self.portal.institution_name(code) or code or "-"

    def unit(self, institution: str | None, unit: str | None) -> str:
        """The work unit's name, its code when unknown, a dash when none."""
        if not unit:
            return "-"
        directory = self.portal.directory
        known = directory.units_of(institution) if institution and institution in directory else ()
        return next((u.name for u in known if u.code == unit), unit)

    def when(self, instant: datetime | None) -> str:
        """Local date and time, or a dash."""
        return format_datetime(instant, self.lang, self.portal.zone) if instant else "-"

    @staticmethod
    def deadline_rows(deadlines: Sequence[lc.DeadlineView]) -> list[tuple[lc.DeadlineView, int | None]]:
        """Each deadline with its round when its stage comes more than once (a reply restarts follow-up).

        >>> from datetime import datetime, timezone
        >>> start = datetime(2026, 3, 17, tzinfo=timezone.utc)
        >>> def clock(stage: str) -> lc.DeadlineView:
        ...     return lc.DeadlineView(stage, start, None, "met", provisional=False, institution=None)
        >>> stages = ("verification", "follow_up", "follow_up")
        >>> [r for _, r in PageHelpers.deadline_rows([clock(s) for s in stages])]
        [None, 1, 2]
        """
        totals = Counter(d.stage for d in deadlines)
        seen: Counter[str] = Counter()
        rows: list[tuple[lc.DeadlineView, int | None]] = []
        for deadline in deadlines:
            seen[deadline.stage] += 1
            rows.append((deadline, seen[deadline.stage] if totals[deadline.stage] > 1 else None))
        return rows

    def due(self, deadline: lc.DeadlineView | None) -> str:
        """When a deadline falls, as people say it: ``paling lambat Kamis, 10 Des 2026``; a dash without one.

        A deadline is due at 00:00 after its last allowed working day, so the day named is the one before
        that instant, read in the zone of the calendar the deadline runs on (the institution's: Makassar's
        deadlines in WITA), never the portal's.
        """
        if deadline is None or deadline.due_at is None:
            return "-"
        calendar = self.portal.calendar_for(deadline.institution)
        try:
            day = format_day(last_day(deadline.due_at, calendar), self.lang)
        except lc.LaporError:  # a date the calendar cannot place: the instant as it is
            return self.when(deadline.due_at)
        t = Translator(self.lang)
        return t("deadlines.by", date=day)

    def date(self, instant: datetime | None) -> str:
        """Local date, or a dash."""
        return format_date(instant, self.lang, self.portal.zone) if instant else "-"

    def number(self, value: float | None, digits: int | None = None) -> str:
        """A count or measure written for the page's language (``1.500``, ``2,5``), or a dash."""
        return "-" if value is None else format_number(value, self.lang, digits)

    def percent(self, share: float | None, digits: int = 0) -> str:
        """A share (0..1) as a percentage for the page's language (``12,3%``), or a dash."""
        return "-" if share is None else format_percent(share, self.lang, digits)

    def countdown(self, view: lc.ComplaintView, deadline: lc.DeadlineView) -> Countdown | None:
        """Working days left (or late) on one of the complaint's deadlines, on the calendar it runs on."""
        calendar = self.portal.calendar_for(deadline.institution)
        current = deadline == self.current_deadline(view)
        return countdown(deadline, now=self.portal.now(), calendar=calendar, current=current)

    def current_deadline(self, view: lc.ComplaintView) -> lc.DeadlineView | None:
        """The clock of the complaint's present stage (the one its queue sorts by); None once it is over.

        Read from the view's ``current_deadlines`` (the complaint's row), so a queue of fifty complaints reads
        no history.
        """
        if not view.current_deadlines or view.status.is_terminal:
            return None
        return view.current_deadlines[-1]


def flash(request: Request, key: str, **values: str | int) -> None:
    """Queue a message for the visitor's next page (a catalogue key, written literally for extraction)."""
    queued = request.session.get(_FLASH)
    request.session[_FLASH] = [*(queued if isinstance(queued, list) else []), [key, values]]


def _pop_flashes(request: Request, translate: Translator) -> list[str]:
    queued = request.session.pop(_FLASH, None)
    if not isinstance(queued, list):
        return []
    return [translate(str(key), **dict(values)) for key, values in queued]


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    """Render a page with the common context: ``t`` (translate), ``ui``, ``account``, the CSRF field..."""
    portal = get_portal(request)
    lang = language_of(request)
    t = Translator(lang)
    common = {
        "t": t,
        "ui": PageHelpers(lang, portal),
        "lang": lang,
        "settings": portal.settings,
        "account": current_account(request, portal),
        "csrf_field": CSRF_FIELD,
        "csrf_token": csrf_token(request),
        "flashes": _pop_flashes(request, t),
        "path": request.url.path,
        "query": request.url.query,
    }
    templates = cast("Jinja2Templates", request.app.state.templates)
    return cast(
        "HTMLResponse",
        templates.TemplateResponse(request, template, {**common, **(context or {})}, status_code=status_code),
    )
