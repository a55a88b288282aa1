"""The two-institution sweep: institution B, its unit B1 and the public against institution A's complaints.

Institution A (Kota Jakarta Pusat, 31.71) holds complaints in every state with every flag combination, some
assigned to its unit ``dinas-pu``. Institution B (Kota Makassar, 73.71), B's unit of the same code and the
public try every read and every command on each of them. Expected: no command succeeds or changes anything,
no read returns more than the public view, and for rahasia or unpublished complaints every outcome is
indistinguishable (type, message, fields) from the outcome of the same call on an unknown tracking ID.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import lapor_core as lc
from desk_support import ADMIN, drive_to, make_desk, reads_and_commands, submission
from lapor_core.plugins import Complaint
from lapor_core.plugins._cursor import decode_cursor

A, A1, B = "31.71", "dinas-pu", "73.71"
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
)
ATTACKERS = {
    "officer B": lc.Principal.institution_officer("off-b", institution=B),
    "unit B1": lc.Principal.unit_officer("u-b1", institution=B, unit=A1),
    "public": lc.Principal.public(),
}
WRONG_KEY = "0000-0000-0000-0000"
EXPECTED_ATTEMPTS = 36 * 3 * 19
EXPECTED_HIDDEN_COMPARED = 26 * 3 * 19 + 10 * 3  # every attempt on 26 hidden ones; authenticate on the rest


@pytest.fixture(scope="module")
def institution_a() -> tuple[lc.ComplaintDesk, list[tuple[str, str]]]:
    """36 complaints of institution A: every state x (anonim, rahasia); returns (tracking ID, state) pairs."""
    desk, _ = make_desk()
    made = []
    for state, anonymous, confidential in itertools.product(STATES, (False, True), (False, True)):
        receipt = desk.submit(submission(anonymous=anonymous, confidential=confidential))
        drive_to(desk, receipt.tracking_id, receipt.access_key, state, institution=A, unit=A1)
        made.append((receipt.tracking_id, state))
    return desk, made


def _attempts(desk: lc.ComplaintDesk, who: lc.Principal, tid: str) -> Iterator[tuple[str, Callable[[], Any]]]:
    yield from reads_and_commands(desk, who, tid, forward_to=B, unit=A1)
    yield "authenticate", lambda: desk.authenticate(tid, WRONG_KEY)


COMMANDS = frozenset(
    {
        "forward",
        "request_info",
        "provide_info",
        "archive",
        "assign",
        "decline",
        "follow_up",
        "reply",
        "close",
        "rate",
        "support",
        "reveal_identity",
        "erase_identity",
    }
)


def _outcome(call: Callable[[], Any], tid: str) -> tuple[str, str, str] | object:
    """An error as (type, message, fields) with the tracking ID replaced; a result as itself."""
    try:
        return call()
    except lc.LaporError as error:
        fields = {k: (v.replace(tid, "<ID>") if isinstance(v, str) else v) for k, v in error.fields.items()}
        return (type(error).__qualname__, str(error).replace(tid, "<ID>"), repr(fields))


def _unknown(desk: lc.ComplaintDesk) -> str:
    while True:
        tid = str(lc.TrackingId.new())
        try:
            desk.store.get(tid)
        except lc.NotFound:
            return tid


def _is_hidden(complaint: Complaint) -> bool:
    return complaint.confidential or complaint.status in (
        lc.Status.SUBMITTED,
        lc.Status.ON_HOLD,
        lc.Status.ARCHIVED,
    )


def test_institution_b_its_unit_and_the_public_get_nothing_of_institution_a(institution_a):
    """2,052 attempts: 0 commands succeed, no read beyond the public view, 1,512 same as an unknown ID."""
    desk, made = institution_a
    attempts = successes = 0
    hidden_compared = 0
    for tid, state in made:
        complaint = desk.store.get(tid)
        public_view = _outcome(lambda tid=tid: desk.view(lc.Principal.public(), tid), tid)
        for name, who in ATTACKERS.items():
            unknown = _unknown(desk)
            for (what, call), (_, on_unknown) in zip(
                _attempts(desk, who, tid), _attempts(desk, who, unknown), strict=True
            ):
                attempts += 1
                got = _outcome(call, tid)
                where = f"{name} {what} on {state} {complaint.anonymous=} {complaint.confidential=}"
                assert desk.store.get(tid) == complaint, f"{where} changed the complaint"
                if what in COMMANDS and not isinstance(got, tuple):
                    successes += 1
                if _is_hidden(complaint) or what == "authenticate":
                    hidden_compared += 1
                    assert got == _outcome(on_unknown, unknown), f"{where} differs from an unknown ID"
                elif what == "view":
                    assert got == public_view, f"{where} read more than the public view"
                else:
                    assert isinstance(got, tuple), f"{where} returned data"
    assert attempts == EXPECTED_ATTEMPTS
    assert successes == 0
    assert hidden_compared == EXPECTED_HIDDEN_COMPARED


def test_institution_b_lists_exactly_what_the_public_lists(institution_a):
    """Listing row by row: B and B1 see the public's items, and no cursor names a hidden complaint."""
    desk, made = institution_a
    hidden = {tid for tid, _ in made if _is_hidden(desk.store.get(tid))}
    listings = {}
    for name, who in ATTACKERS.items():
        items, cursors = [], []
        cursor = None
        while True:
            page = desk.complaints(who, lc.ComplaintQuery(limit=3, cursor=cursor))
            items.extend(page.items)
            if page.next_cursor is None:
                break
            cursors.append(decode_cursor(page.next_cursor)[1])
            cursor = page.next_cursor
        assert not hidden & set(cursors), f"a cursor given to {name} names a hidden complaint"
        assert not hidden & {item.tracking_id for item in items}
        listings[name] = items
    assert listings["officer B"] == listings["unit B1"] == listings["public"]
    assert len(listings["public"]) == len(made) - len(hidden)


def test_pages_end_on_visible_rows_and_are_full_until_the_last():
    """With hidden rows everywhere, every page but the last holds `limit` views and resumes after the last."""
    desk, _ = make_desk()
    tids = []
    for index in range(12):
        tid = desk.submit(submission(confidential=index % 3 != 0)).tracking_id
        desk.forward(ADMIN, tid, institution=A)
        tids.append(tid)
    public = lc.Principal.public()
    pages, cursor = [], None
    while True:
        page = desk.complaints(public, lc.ComplaintQuery(limit=2, cursor=cursor))
        pages.append([item.tracking_id for item in page.items])
        if page.next_cursor is None:
            break
        assert decode_cursor(page.next_cursor)[1] == page.items[-1].tracking_id
        cursor = page.next_cursor
    visible = [tid for tid in sorted(tids) if not desk.store.get(tid).confidential]
    assert [t for p in pages for t in p] == visible
    assert [len(p) for p in pages] == [2, 2]
