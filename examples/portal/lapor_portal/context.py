"""The one object every route reaches the desk and the reference data through."""

from __future__ import annotations

from datetime import datetime
from typing import cast
from zoneinfo import ZoneInfo

import attrs
from starlette.requests import HTTPConnection

import lapor_core as lc
from lapor_core.plugins import Clock
from lapor_portal.notes import InMemoryNoteStore, NoteStore
from lapor_portal.security import ClientKeys
from lapor_portal.settings import PortalSettings

__all__ = ["Portal", "get_portal"]


@attrs.frozen
class Portal:
    """A running portal: its desk, settings and the reference data the pages offer as choices.

    Attributes:
        desk: The complaint desk (the portal's only way to complaints).
        settings: The deployment's settings.
        clock: The desk's clock, so pages count down from the same instant the desk stamps.
        regions: Provinces, regencies and districts for the pickers and names.
        topics: The topic tree (form choices, Open311 services).
        directory: Institutions and their work units.
        started_at: When the portal started (the Open311 discovery changeset).
        client_keys: Turns a request into the client key the desk's access-key lock-out counts by (a keyed
            hash of the address under a secret held in this process's memory only).
        notes: Staff's internal notes on complaints (:mod:`lapor_portal.notes`), kept beside the desk.
    """

    desk: lc.ComplaintDesk
    settings: PortalSettings
    clock: Clock
    regions: lc.RegionTable
    topics: lc.TopicTree
    directory: lc.InstitutionDirectory
    started_at: datetime
    client_keys: ClientKeys = attrs.field(factory=ClientKeys, eq=False, repr=False)
    notes: NoteStore = attrs.field(factory=InMemoryNoteStore, eq=False, repr=False)

    @property
    def zone(self) -> ZoneInfo:
        """The time zone pages show dates in."""
        return ZoneInfo(self.settings.timezone)

    def now(self) -> datetime:
        """The current instant on the desk's clock."""
        return self.clock.now()

    def region_name(self, code: str | None) -> str | None:
        """The name of a region code, or None when unknown."""
        if not code:
            return None
        try:
            return self.regions.get(code).name
        except (lc.NotFound, lc.ValidationError):
            return None

    def institution_name(self, code: str | None) -> str | None:
        """The name of an institution code, or None when unknown."""
        institution = self.directory.find(code) if code else None
        return institution.name if institution else None

    def topic_name(self, topic_id: str | None, lang: str) -> str | None:
        """The label of a topic in ``lang``, or None when unknown."""
        topic = self.topics.find(topic_id) if topic_id else None
        return topic.name(lang) if topic else None

    def topic_groups(self) -> list[tuple[lc.Topic, tuple[lc.Topic, ...]]]:
        """Each root topic with its children, for grouped choices."""
        return [(root, self.topics.children(root.id)) for root in self.topics.roots()]

    def calendar_for(self, institution: str | None) -> lc.WorkingCalendar:
        """The calendar a deadline runs on: the institution's, or the national admin's."""
        if institution is None or institution not in self.directory:
            return self.desk.calendar
        return self.desk.calendar_for(institution)


def get_portal(connection: HTTPConnection) -> Portal:
    """FastAPI dependency: the portal serving this request."""
    return cast("Portal", connection.app.state.portal)
