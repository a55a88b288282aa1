from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest

import lapor_core as lc
from desk_support import ADMIN, make_desk, submission
from lapor_core._application import delivery_preview
from lapor_core._application.delivery import Dispatcher
from lapor_core._application.delivery_preview import PreviewedMessage, preview
from lapor_core._domain import ports
from lapor_core._domain.notifications import Address, AddressBook, Recipient
from lapor_core.stores.memory import InMemoryComplaintStore
from lapor_core.testing.builders import next_changeset
from lapor_core.testing.recording import RecordingNotifier

BOOK = AddressBook.from_dict(
    {
        "admin": ["mailto:admin@lapor.go.id", "https://lapor.example/admin-hook"],
        "institutions": {"31.71": "https://pemkot.example/hook"},
    }
)


def _outcomes(previewed: Sequence[PreviewedMessage]) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(p.template, p.outcome, p.channels) for p in previewed]


def test_preview_tells_what_delivery_would_do_in_queue_order_and_changes_nothing() -> None:
    """Each pending message with its outcome and channels; the outbox and dead letters are untouched."""
    desk, _ = make_desk()
    tid = desk.submit(submission()).tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    desk.forward(ADMIN, desk.submit(submission()).tracking_id, institution="73.71")
    before = tuple(desk.store.pending_outbox())
    previewed = preview(desk.store, BOOK)
    assert _outcomes(previewed)[:4] == [
        ("submit.reporter", "send", ("email",)),
        ("submit.admin", "send", ("email", "webhook")),
        ("forward.reporter", "send", ("email",)),
        ("forward.institution", "send", ("webhook",)),
    ]
    orphan = previewed[-1]
    assert (orphan.template, orphan.recipient_ref, orphan.outcome) == (
        "forward.institution",
        "73.71",
        "dead-letter",
    )
    assert orphan.detail == "PermanentNotificationError: no address for institution 73.71"
    assert [p.message_id for p in previewed] == [m.id for m in before]
    assert tuple(desk.store.pending_outbox()) == before
    assert desk.dead_letters() == ()


def test_preview_shows_skips_and_temporary_failures() -> None:
    """A reporter without contact is skipped; a failing resolver is a retry, named by its class only."""
    desk, _ = make_desk()
    desk.submit(submission(reporter={"name": "Siti"}))

    class FlakyBook:
        def resolve(self, recipient: Recipient, identity: object) -> Sequence[Address]:
            if recipient.role.value == "admin":
                raise ConnectionError("directory down at 10.0.0.5")
            return BOOK.resolve(recipient, None)

    previewed = preview(desk.store, FlakyBook())
    assert _outcomes(previewed) == [("submit.reporter", "skip", ()), ("submit.admin", "retry", ())]
    assert previewed[1].detail == "TemporaryNotificationError: unexpected ConnectionError"


def test_preview_looks_at_the_first_limit_messages_only() -> None:
    """The limit bounds how many pending messages are rendered."""
    desk, _ = make_desk()
    for _ in range(3):
        desk.submit(submission())
    assert len(preview(desk.store, BOOK, limit=4)) == 4


@pytest.mark.parametrize("limit", [0, 1001, True, "5"])
def test_preview_refuses_a_bad_limit(limit: object) -> None:
    """The limit is an integer from 1 to 1,000."""
    with pytest.raises(lc.ValidationError) as caught:
        preview(InMemoryComplaintStore(), BOOK, limit=limit)  # type: ignore[arg-type]
    assert caught.value.fields_by_name == {"limit": ("delivery.integer_out_of_range",)}


def test_preview_needs_an_outbox_store() -> None:
    """A store without outbox delivery raises the dispatcher's own configuration error (one owner)."""

    class NoOutbox:
        def pending_outbox(self, *, limit: int = 1000) -> tuple[()]:
            return ()

    with pytest.raises(lc.ConfigurationError, match="OutboxStore") as caught:
        preview(NoOutbox(), BOOK)  # type: ignore[arg-type]
    with pytest.raises(lc.ConfigurationError) as dispatcher:
        Dispatcher(NoOutbox(), RecordingNotifier(), BOOK)  # type: ignore[arg-type]
    error, expected = caught.value, dispatcher.value
    assert (error.detail, dict(error.params), str(error)) == (
        expected.detail,
        dict(expected.params),
        str(expected),
    )
    assert "NoOutbox" in error.describe("id")


def test_what_preview_sends_reaches_no_notifier() -> None:
    """The preview's own notifier sends nothing: a real one given to the desk is never called."""
    notifier = RecordingNotifier()
    desk, _ = make_desk(notifier=notifier, recipients=BOOK)
    desk.submit(submission())
    preview(desk.store, BOOK)
    assert len(notifier) == 0
    assert desk.deliver().sent


def test_the_preview_view_reads_through_and_writes_nothing() -> None:
    """The read-only view passes reads to the store, refuses saves and has no dead letters to change."""
    desk, clock = make_desk()
    tid = desk.submit(submission()).tracking_id
    view = delivery_preview._ReadOnlyOutbox(desk.store, desk.store.pending_outbox())
    assert view.query(ports.ComplaintQuery()).items == desk.store.query(ports.ComplaintQuery()).items
    assert view.due(clock.now() + timedelta(days=30)) == desk.store.due(clock.now() + timedelta(days=30))
    assert view.pending_outbox(limit=1) == desk.store.pending_outbox(limit=1)
    with pytest.raises(lc.StorageError) as caught:
        view.save(next_changeset(desk.store.get(tid), desk.store.history(tid)))
    assert (caught.value.detail, str(caught.value)) == (
        "delivery.preview_read_only",
        "a delivery preview changes nothing",
    )
    assert view.dead_letters() == ()
    assert view.retry_dead_letter("any", now=clock.now()) is False
    view.close()
    assert desk.store.get(tid).version == 1
