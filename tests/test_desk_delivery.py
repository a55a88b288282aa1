from __future__ import annotations

import pytest

import lapor_core as lc
from desk_support import ADMIN, make_desk, submission
from lapor_core.testing.recording import RecordingNotifier


def test_a_desk_without_a_notifier_refuses_to_deliver_but_keeps_the_outbox():
    """deliver() needs a notifier; the queued messages stay in the outbox meanwhile."""
    desk, _ = make_desk()
    desk.submit(submission())
    with pytest.raises(lc.ConfigurationError, match="notifier"):
        desk.deliver()
    assert len(desk.store.pending_outbox()) == 2


def test_the_desk_delivers_its_outbox_through_its_notifier_once():
    """Messages queued by commands reach the notifier; a second drain sends nothing again."""
    notifier = RecordingNotifier()
    book = lc.AddressBook(
        admin=(lc.Address("email", "admin@lapor.example"),),
        institutions={"31.71": (lc.Address("email", "pengaduan@jakarta.example"),)},
    )
    desk, _ = make_desk(notifier=notifier, recipients=book)
    tid = desk.submit(submission()).tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    first = desk.deliver()
    assert len(first.sent) >= 3  # admin on submit, reporter and institution on forward
    keys = [n.idempotency_key for n in notifier.sent]
    assert len(keys) == len(set(keys))
    assert desk.deliver().handled == 0
    assert desk.dead_letters() == ()
