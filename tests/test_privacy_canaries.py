"""The canary sweep: reporter identities made of unique canary strings must never reach who may not see them.

Every complaint gets its own canary name, e-mail, phone, NIK and portal account. The complaints go through
every state with every flag combination (flags set by the reporter at submission or by the admin at
verification), then every principal reads everything the library offers them: views and ``lc.to_dict`` of
views, listings page by page (cursors decoded), history exports, the views or errors every command returns.
Every output is searched for the canaries that principal is not entitled to, written here from the rules:

- contact details, NIK and account: only the reporter, and the admins and handlers of a named complaint;
- the display name: also the public and oversight, when the complaint is published, named and not rahasia;
- the admins' normal view of an anonymous complaint reads "Anonim" (the reveal is a separate, recorded read);
- the Ombudsman, on a complaint its reporter escalated (issue 22): the display name unless anonim, even when
  rahasia, never contact details.

Outbox rows and the stored histories may hold no canary at all. Notification rendering (issue 7) and
statistics (issue 9) do not exist yet; they must join this sweep when they do.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import attrs
import pytest

import lapor_core as lc
from desk_support import (
    ADMIN,
    READ_ONLY,
    WIB,
    Canaries,
    canary_population,
    drive_to,
    make_desk,
    reads_and_commands,
    submission,
)
from lapor_core.plugins import Complaint
from lapor_core.plugins._cursor import decode_cursor

A, A1, A2, B, B1 = "31.71", "dinas-pu", "dinas-kesehatan", "73.71", "dinas-pu"
STATES = (
    "submitted",
    "on_hold",
    "archived",
    "forwarded",
    "assigned",
    "followed_up",
    "reopened",
    "closed",
    "declined",
    "rerouted",
    "merged",
    "escalated",
)
UNPUBLISHED_STATES = ("submitted", "on_hold", "archived", "declined")
EXPECTED_COMPLAINTS = 84
EXPECTED_OUTPUTS = 11_905


@attrs.frozen
class Case:
    """One complaint of the population."""

    tid: str
    receipt: lc.Receipt
    canaries: Canaries
    state: str
    erased: bool


def _build() -> tuple[lc.ComplaintDesk, list[Case]]:
    desk, clock = make_desk(max_key_failures=10_000)
    cases = []
    for made in canary_population(desk, STATES, series="7733"):
        receipt, anonymous = made.receipt, made.anonymous
        case = Case(receipt.tracking_id, receipt, made.canaries, made.state, erased=made.index % 7 == 3)
        drive_to(
            desk,
            case.tid,
            case.receipt.access_key,
            case.state,
            institution=A,
            unit=A1,
            flags=made.forward_flags,
            reroute_to=B,
            answer_before_archive=True,
            follow_up_by_unit=True,
            rate=4,
        )
        if anonymous:
            desk.reveal_identity(ADMIN, case.tid, "Permintaan penegak hukum.")
        if case.erased:
            desk.erase_identity(ADMIN, case.tid, "Permintaan subjek data (UU PDP).")
        cases.append(case)
    # Breaches and reminders: the sweep writes its own events and superior notifications.
    clock.set(datetime(2026, 4, 2, 10, tzinfo=WIB))
    desk.sweep()
    return desk, cases


@pytest.fixture(scope="module")
def population() -> tuple[lc.ComplaintDesk, list[Case]]:
    """Every state x flags x who set them, half submitted from a citizen account."""
    return _build()


# --- entitlement, from the rules --------------------------------------------------------------------------
PRINCIPALS: dict[str, lc.Principal] = {
    "public": lc.Principal.public(),
    "citizen": lc.Principal.citizen("warga-lain", verified=True, region="31.71"),
    "supervisor": lc.Principal.supervisor("ombudsman-1"),
    "admin": ADMIN,
    "officer A": lc.Principal.institution_officer("off-a", institution=A),
    "unit A1": lc.Principal.unit_officer("u-a1", institution=A, unit=A1),
    "unit A2": lc.Principal.unit_officer("u-a2", institution=A, unit=A2),
    "officer B": lc.Principal.institution_officer("off-b", institution=B),
    "unit B1": lc.Principal.unit_officer("u-b1", institution=B, unit=B1),
}


def _handles(principal: lc.Principal, complaint: Complaint) -> bool:
    """Staff handle a complaint while it is at their institution (units: while assigned to them)."""
    if principal.role is lc.Role.INSTITUTION:
        return complaint.institution == principal.institution
    if principal.role is lc.Role.UNIT:
        return complaint.institution == principal.institution and complaint.unit == principal.unit
    return False


def forbidden(principal: lc.Principal, case: Case, complaint: Complaint) -> set[str]:
    """The canaries of ``case`` that ``principal`` may not read anywhere (it is not its reporter)."""
    c = case.canaries
    if principal.role is lc.Role.SUPERVISOR and complaint.escalation is not None:
        return set(c.contact) | ({c.name} if complaint.anonymous else set())
    published = complaint.status in (
        lc.Status.FORWARDED,
        lc.Status.ASSIGNED,
        lc.Status.FOLLOWED_UP,
        lc.Status.CLOSED,
    )
    insider = principal.role is lc.Role.ADMIN or (published and _handles(principal, complaint))
    if insider and not complaint.anonymous:
        return set()
    name_public = published and not complaint.anonymous and not complaint.confidential
    return set(c.contact) | (set() if name_public else {c.name})


# --- the sweep ----------------------------------------------------------------------------------------------
@attrs.define
class Scanner:
    """Searches outputs for canaries and counts what it searched."""

    outputs: int = 0
    hits: list[tuple[str, str, str]] = attrs.field(factory=list)

    def scan(self, label: str, output: object, canaries: set[str]) -> None:
        self.outputs += 1
        text = _render(output)
        self.hits.extend((label, canary, text[:200]) for canary in canaries if canary in text)


def _render(output: object) -> str:
    parts = [repr(output)]
    if isinstance(output, lc.LaporError):
        parts += [str(output), repr(dict(output.fields))]
    else:
        try:
            parts.append(json.dumps(lc.to_dict(output), ensure_ascii=False))
        except Exception as error:  # noqa: BLE001 - some outputs (events) have no dict form: repr suffices
            parts.append(type(error).__name__)
    return "\n".join(parts)


def _outcome(call: Callable[[], Any]) -> object:
    try:
        return call()
    except lc.LaporError as error:
        return error


def test_the_population_covers_every_state_and_flag_combination(population):
    """84 complaints: every state x (anonim, rahasia) x who set the flags, each with its own canaries."""
    desk, cases = population
    seen = set()
    for case in cases:
        complaint = desk.store.get(case.tid)
        seen.add((case.state, complaint.anonymous, complaint.confidential))
    assert len(cases) == EXPECTED_COMPLAINTS
    assert seen == set(itertools.product(STATES, (False, True), (False, True)))
    statuses = {desk.store.get(c.tid).status for c in cases}
    assert statuses == set(lc.Status)


def test_no_canary_reaches_a_principal_not_entitled_to_it(population):
    """Views, to_dict, listings, history exports, command results and errors: 0 canary hits."""
    desk, cases = population
    scanner = Scanner()
    complaints = {case.tid: desk.store.get(case.tid) for case in cases}
    for case in cases:
        complaint = complaints[case.tid]
        others = lc.Principal.reporter(case.tid)  # a reporter principal made without the access key
        visitors = {**PRINCIPALS, "key-less reporter": others}
        for label, principal in visitors.items():
            secret = forbidden(principal, case, complaint)
            if not secret:
                continue
            # Insiders only read; outsiders also try every command, which must fail without leaking.
            outsider = not (
                principal.role is lc.Role.ADMIN
                or _handles(principal, complaint)
                or (principal.role is lc.Role.SUPERVISOR and complaint.escalation is not None)
            )
            for what, call in reads_and_commands(desk, principal, case.tid, forward_to=B, unit=A2):
                if what in READ_ONLY or outsider:
                    scanner.scan(f"{label} {what} {case.state}", _outcome(call), secret)
    for label, principal in PRINCIPALS.items():
        secret = set().union(*(forbidden(principal, case, complaints[case.tid]) for case in cases))
        for page in _pages(desk, principal):
            scanner.scan(f"{label} list", page, secret)
            if page.next_cursor is not None:
                scanner.scan(f"{label} cursor", decode_cursor(page.next_cursor), secret)
    assert scanner.outputs == EXPECTED_OUTPUTS
    assert scanner.hits == []


def test_a_reporter_reads_only_their_own_identity(population):
    """Each reporter's view, listing and results show their own canaries and never another complaint's."""
    desk, cases = population
    scanner = Scanner()
    everyone = {canary for case in cases for canary in (case.canaries.name, *case.canaries.contact)}
    own_seen = 0
    for case in cases[::5]:
        reporter = desk.authenticate(case.tid, case.receipt.access_key)
        mine = {case.canaries.name, *case.canaries.contact}
        view = desk.view(reporter, case.tid)
        scanner.scan("own view", view, everyone - mine)
        own_seen += view.reporter is not None and view.reporter.name == case.canaries.name
        for page in _pages(desk, reporter):
            scanner.scan("own list", page, everyone - mine - _public_names(desk, cases))
    assert scanner.hits == []
    assert own_seen > 0


def test_outbox_rows_and_stored_histories_hold_no_identity_at_all():
    """Every queued notification (596) and every stored event (430) of a fresh population: 0 canary hits."""
    desk, cases = _build()
    scanner = Scanner()
    everyone = {canary for case in cases for canary in (case.canaries.name, *case.canaries.contact)}
    outbox = desk.store.pending_outbox(limit=100_000)
    for message in outbox:
        scanner.scan("outbox", message, everyone)
    for case in cases:
        for event in desk.store.history(case.tid):
            scanner.scan("history", event, everyone)
    assert {m.recipient_role for m in outbox} >= {"reporter", "admin", "institution", "unit", "superior"}
    assert (len(outbox), scanner.outputs) == (596, 596 + 430)
    assert scanner.hits == []


def test_an_erased_identity_leaves_no_canary_even_for_the_admin(population):
    """After erasure (UU PDP) the admin's view, the reveal and the identity record hold no canary."""
    desk, cases = population
    erased = [case for case in cases if case.erased]
    scanner = Scanner()
    for case in erased:
        mine = {case.canaries.name, *case.canaries.contact}
        scanner.scan("admin view", desk.view(ADMIN, case.tid), mine)
        scanner.scan("reveal", desk.reveal_identity(ADMIN, case.tid, "Audit."), mine)
        ref = desk.store.get(case.tid).identity_ref
        assert ref is not None
        scanner.scan("identity record", desk.store.identity(ref), mine)
        assert desk.verify_history(case.tid).ok
    assert len(erased) == 12
    assert scanner.hits == []


def test_the_sweep_would_notice_a_leak():
    """Scanning a view that does carry a canary reports a hit: the search itself can fail."""
    desk, _ = make_desk()
    canaries = Canaries(999, series="7733")
    tid = desk.submit(submission(reporter={"name": canaries.name, "phone": canaries.phone})).tracking_id
    scanner = Scanner()
    scanner.scan("admin view", desk.view(ADMIN, tid), {canaries.name, *canaries.contact})
    assert {canary for _, canary, _ in scanner.hits} == {canaries.name, "81909997733"}


def _pages(desk: lc.ComplaintDesk, principal: lc.Principal) -> Iterator[lc.ListedPage]:
    cursor = None
    while True:
        page = desk.complaints(principal, lc.ComplaintQuery(limit=7, cursor=cursor))
        yield page
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def _public_names(desk: lc.ComplaintDesk, cases: list[Case]) -> set[str]:
    public = lc.Principal.public()
    return {
        c.canaries.name for c in cases if not forbidden(public, c, desk.store.get(c.tid)) >= {c.canaries.name}
    }
