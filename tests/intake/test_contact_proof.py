"""The reporter proved by the contact stored with the complaint (``authenticate_contact``), kept private."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lapor_core as lc
from lapor_core.intake import Answer, InboundMessage, handle
from lapor_core.intake.sms import SmsIntake
from lapor_core.testing import FrozenClock
from lapor_core.testing.recording import RecordingNotifier

AT = datetime(2026, 3, 17, 9, tzinfo=UTC)
PHONE = "+6281234567890"
ADMIN = lc.Principal.admin("adm-1")
OFFICER = lc.Principal.institution_officer("off-1", institution="31.71")


def _desk(**options: object) -> lc.ComplaintDesk:
    return lc.ComplaintDesk(clock=FrozenClock(AT), pepper="contact proof pepper 0123456789", **options)  # type: ignore[arg-type]


def _submit(desk: lc.ComplaintDesk, **reporter: str) -> str:
    submission = lc.Submission(
        kind="pengaduan",
        title="Jalan rusak",
        body="Berlubang.",
        channel="sms",
        anonymous=True,
        reporter=reporter or None,
    )
    return desk.submit(submission).tracking_id


def test_the_stored_phone_proves_the_reporter_and_the_principal_may_act():
    """The principal works like the access key's: the reporter's view, and a reply after a follow-up."""
    desk = _desk()
    tid = _submit(desk, phone="0812-3456-7890")
    reporter = desk.authenticate_contact(tid, kind="phone", address=PHONE)
    assert desk.view(reporter, tid).tracking_id == tid
    desk.forward(ADMIN, tid, institution="31.71")
    desk.follow_up(OFFICER, tid, "Sudah.")
    assert desk.reply(reporter, tid, "Belum.").status is lc.Status.FORWARDED


@pytest.mark.parametrize(
    ("reporter", "kind", "address"),
    [
        ({"phone": "0812-3456-7890"}, "phone", "+6281234567891"),  # another number
        ({"phone": "0812-3456-7890"}, "phone", "081234567890"),  # not the stored form
        ({"phone": "0812-3456-7890"}, "email", PHONE),  # the wrong field
        ({"email": "warga@contoh.id"}, "phone", PHONE),  # no phone stored
        ({}, "phone", PHONE),  # no identity at all
        ({"phone": "0812-3456-7890"}, "phone", None),
        ({"phone": "0812-3456-7890"}, "phone", ""),
    ],
)
def test_any_other_contact_is_not_found_as_an_unknown_id_is(reporter, kind, address):
    """A mismatch, a missing contact or identity: NotFound, the same as for an unknown tracking ID."""
    desk = _desk()
    tid = _submit(desk, **reporter)
    with pytest.raises(lc.NotFound):
        desk.authenticate_contact(tid, kind=kind, address=address)
    with pytest.raises(lc.NotFound):
        desk.authenticate_contact("7K3M-9QXF-2HJ-Q", kind="phone", address=PHONE)
    with pytest.raises(lc.NotFound):
        desk.authenticate_contact("not an id", kind="phone", address=PHONE)


def test_an_erased_identity_proves_nothing_any_more():
    """After erasure the number no longer opens the complaint."""
    desk = _desk()
    tid = _submit(desk, phone="0812-3456-7890")
    desk.erase_identity(ADMIN, tid, "permintaan subjek data")
    with pytest.raises(lc.NotFound):
        desk.authenticate_contact(tid, kind="phone", address=PHONE)


def test_an_unknown_kind_is_a_validation_error_and_mismatches_count_per_client():
    """``kind`` is checked; with a ``client``, mismatches count toward the desk's limit."""
    desk = _desk(max_key_failures=2)
    tid = _submit(desk, phone="0812-3456-7890")
    with pytest.raises(lc.ValidationError):
        desk.authenticate_contact(tid, kind="nik", address=PHONE)
    for _ in range(2):
        with pytest.raises(lc.NotFound):
            desk.authenticate_contact(tid, kind="phone", address="+6289999999999", client="c-1")
    with pytest.raises(lc.TooManyAttempts):
        desk.authenticate_contact(tid, kind="phone", address="+6289999999999", client="c-1")
    assert desk.authenticate_contact(tid, kind="phone", address=PHONE, client="c-1").role is lc.Role.REPORTER


def test_an_anonymous_sms_reporters_number_reaches_neither_the_institution_nor_the_public():
    """Views, listings and the institution's notifications leave the number out; the reporter's SMS has it."""
    notifier = RecordingNotifier()
    book = lc.AddressBook.from_dict(
        {"admin": "mailto:admin@lapor.go.id", "institutions": {"31.71": "https://pemkot.example/hook"}}
    )
    desk = _desk(notifier=notifier, recipients=book)
    message = InboundMessage("sms", "gw-1", "0812-3456-7890", "LAPOR ANONIM kepala dinas minta uang", AT)
    tid = handle(desk, SmsIntake(), message).answer.tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    desk.deliver()
    for principal in (OFFICER, lc.Principal.public()):
        shown = json.dumps(lc.to_dict(desk.view(principal, tid)), default=str)
        listed = json.dumps([lc.to_dict(v) for v in desk.complaints(principal).items], default=str)
        assert "81234567890" not in shown + listed
    to_institution = [n for n in notifier.sent if n.recipient.role.value == "institution"]
    assert to_institution
    for notification in to_institution:
        rendered = json.dumps(
            [notification.message.text, notification.message.short, dict(notification.context)]
        )
        assert "81234567890" not in rendered
    assert any(n.address.target == PHONE for n in notifier.sent)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.text(max_size=300),
    sender=st.sampled_from(["0812-3456-7890", "+14155550100", "junk", "0813 1111 2222"]),
)
def test_handle_answers_any_text_and_raises_nothing(text, sender):
    """Whatever arrives, ``handle`` returns an answer in the catalogue and the rendered SMS."""
    desk = _desk()
    handled = handle(desk, SmsIntake(), InboundMessage("sms", "gw-junk", sender, text, AT))
    assert isinstance(handled.answer, Answer)
    assert handled.rendered.text == handled.answer.text()
    assert handled.answer.text() != handled.answer.code
