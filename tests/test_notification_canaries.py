"""The notification canary sweep: an anonymous reporter's identity reaches nobody but the reporter.

Every complaint's reporter has unique canary strings (name, e-mail, phone, NIK, portal account). The
complaints go through every state with every flag combination, the flags set by the reporter at submission
or by the admin at verification (so messages queued while a complaint was still named are delivered after
it became anonymous); the sweep adds reminders, breaches and escalations to superiors. Then:

- the whole outbox is delivered through the dispatcher, and every notification to anyone but the reporter
  is searched for the canaries (for anonymous complaints: all of them; for every complaint: the contact
  details, which no message carries);
- every queued message is also rendered for every relation with the identity record handed to the
  renderer anyway (the worst case: a resolver or dispatcher that loaded it by mistake), the public included;
- the reporter's own messages reach the reporter's own address and carry no other complaint's canary.
"""

from __future__ import annotations

import itertools
import json
from datetime import datetime
from typing import Any

import attrs
import pytest

import lapor_core as lc
from desk_support import WIB, Canaries, canary_population, drive_to, make_desk, submission
from lapor_core._application.delivery import make_dispatcher
from lapor_core._domain.access import Relation
from lapor_core._domain.notifications import (
    Address,
    AddressBook,
    Notification,
    NotificationRenderer,
    Recipient,
    RecipientRole,
)
from lapor_core.plugins import OutboxMessage
from lapor_core.testing.recording import RecordingNotifier

A, A1, B = "31.71", "dinas-pu", "73.71"
STATES = ("submitted", "on_hold", "archived", "forwarded", "assigned", "followed_up", "reopened", "closed",
          "declined", "rerouted")  # fmt: skip
BOOK = AddressBook.from_dict(
    {
        "admin": "mailto:admin@lapor.go.id",
        "institutions": {A: "https://pemkot-jakpus.example/hook", B: "mailto:pengaduan@makassar.go.id"},
        "units": {f"{A}/{A1}": "mailto:pu@jakarta.go.id"},
        "superiors": {"31": "mailto:itwil@jakarta.go.id", "73": "mailto:itwil@sulsel.go.id"},
    }
)


@attrs.frozen
class Case:
    """One complaint of the population."""

    tid: str
    canaries: Canaries
    anonymous: bool


def _build() -> tuple[lc.ComplaintDesk, list[Case]]:
    desk, clock = make_desk(max_key_failures=10_000)
    cases = []
    for made in canary_population(desk, STATES, series="5511"):
        receipt = made.receipt
        drive_to(
            desk,
            receipt.tracking_id,
            receipt.access_key,
            made.state,
            institution=A,
            unit=A1,
            flags=made.forward_flags,
            reroute_to=B,
            answer_before_archive=True,
            follow_up_by_unit=True,
        )
        cases.append(Case(receipt.tracking_id, made.canaries, made.anonymous))
    clock.set(datetime(2026, 3, 19, 16, tzinfo=WIB))
    desk.sweep()  # reminders
    clock.set(datetime(2026, 4, 2, 10, tzinfo=WIB))
    desk.sweep()  # breaches and escalations to superiors
    return desk, cases


@pytest.fixture(scope="module")
def population() -> tuple[lc.ComplaintDesk, list[Case], list[OutboxMessage]]:
    """Every state x (anonim, rahasia) x who set them, with its queued messages (before delivery)."""
    desk, cases = _build()
    return desk, cases, list(desk.store.pending_outbox(limit=100_000))


@pytest.fixture(scope="module")
def delivered(population: Any) -> tuple[RecordingNotifier, Any]:
    """The population's whole outbox, delivered once through the dispatcher."""
    desk, _, _ = population
    notifier = RecordingNotifier()
    report = make_dispatcher(desk._ctx, notifier, BOOK).deliver()
    return notifier, report


def _text(notification: Notification) -> str:
    m = notification.message
    parts = [repr(notification), m.subject, m.text, m.html, m.short, json.dumps(dict(notification.context))]
    return "\n".join(parts)


def test_the_population_covers_every_recipient_role_and_flag(population):
    """68 complaints in every state and flag combination queue messages to all five recipient roles."""
    desk, cases, queued = population
    assert len(cases) == 68
    flags = {(desk.store.get(c.tid).anonymous, desk.store.get(c.tid).confidential) for c in cases}
    assert flags == set(itertools.product((False, True), (False, True)))
    assert {m.recipient_role for m in queued} == {r.value for r in RecipientRole}


def test_delivered_messages_never_carry_an_anonymous_reporters_identity(population, delivered):
    """Through the dispatcher: 0 canary hits in any message to admins, institutions, units or superiors."""
    _, cases, queued = population
    notifier, report = delivered
    assert report.handled == len(queued)
    assert report.retrying == report.dead_lettered == ()
    by_tid = {c.tid: c for c in cases}
    hits, checked = [], 0
    for notification in notifier.sent:
        if notification.recipient.role is RecipientRole.REPORTER:
            continue
        case = by_tid[notification.tracking_id]
        secret = case.canaries.everything if case.anonymous else case.canaries.contact
        text = _text(notification)
        checked += 1
        hits += [(notification.template, s) for s in secret if s in text]
    assert checked > 200
    assert hits == []
    named = [n for n in notifier.sent if n.recipient.role is RecipientRole.INSTITUTION]
    assert any(by_tid[n.tracking_id].canaries.name in _text(n) for n in named)  # the search can find names


def test_the_reporters_own_messages_reach_the_reporters_address(population, delivered):
    """Each reporter's messages go to their own e-mail and carry no other complaint's canary."""
    _, cases, _ = population
    notifier, _ = delivered
    by_tid = {c.tid: c for c in cases}
    everyone = {s for c in cases for s in c.canaries.everything}
    to_reporters = notifier.to("reporter")
    assert len({n.tracking_id for n in to_reporters}) == len(cases)
    for notification in to_reporters:
        case = by_tid[notification.tracking_id]
        assert notification.address.target == case.canaries.email
        others = everyone - set(case.canaries.everything)
        assert not [s for s in others if s in _text(notification)]
    anonymous_named = [
        n
        for n in to_reporters
        if by_tid[n.tracking_id].anonymous and by_tid[n.tracking_id].canaries.name in n.message.text
    ]
    assert anonymous_named  # an anonymous reporter is still greeted by name in their own messages


RELATIONS: dict[str, Any] = {
    "public": Relation.PUBLIC,
    "citizen": Relation.CITIZEN,
    "supervisor": Relation.SUPERVISOR,
    "admin": Relation.ADMIN,
    "institution": Relation.INSTITUTION,
    "unit": Relation.UNIT,
}


def test_rendering_for_anyone_but_the_reporter_hides_the_identity_even_when_handed_it(population):
    """Every queued message x every relation, identity passed in anyway: 0 canary hits for anonim."""
    desk, cases, queued = population
    renderer = NotificationRenderer(directory=lc.InstitutionDirectory.default())
    by_tid = {c.tid: c for c in cases}
    hits, rendered = [], 0
    for message in queued:
        case = by_tid[message.tracking_id]
        complaint = desk.store.get(message.tracking_id)
        identity = desk.store.identity(complaint.identity_ref) if complaint.identity_ref else None
        events = desk.store.history(message.tracking_id)
        recipient = Recipient.of(message)
        for label, relation in RELATIONS.items():
            context = renderer.context(message, complaint, events, identity, recipient, relation, "id")
            rendered += 1
            text = json.dumps(context, ensure_ascii=False)
            secret = case.canaries.everything if case.anonymous else case.canaries.contact
            hits += [(label, message.event.value, s) for s in secret if s in text]
    assert rendered == len(queued) * len(RELATIONS)
    assert hits == []


def test_the_sweep_would_notice_a_leak():
    """A message that does carry a canary is found: the search can fail."""
    desk, _ = make_desk()
    canaries = Canaries(999, series="5511")
    desk.submit(submission(reporter={"name": canaries.name, "email": canaries.email}))
    notifier = RecordingNotifier()
    make_dispatcher(desk._ctx, notifier, BOOK).deliver()
    (to_admin,) = notifier.to("admin")
    assert canaries.name in _text(to_admin)
    (to_reporter,) = notifier.to("reporter")
    assert to_reporter.address == Address.parse(f"mailto:{canaries.email}")
