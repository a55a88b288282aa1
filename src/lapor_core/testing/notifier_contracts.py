"""The contract of :class:`~lapor_core.plugins.Notifier`: what every notifier must do, as a pytest suite.

Subclass :class:`NotifierContract` in a test module with a ``Test`` name and override the fixture
``harness`` so that it yields a :class:`NotifierHarness`: the notifier under test, an address it delivers
to, and a way to read what arrived there (from a test server the fixture starts, for example)::

    import pytest
    from lapor_core.testing.notifier_contracts import NotifierContract, NotifierHarness, Received


    class TestMySmsNotifier(NotifierContract):
        @pytest.fixture
        def harness(self, my_fake_gateway):
            yield NotifierHarness(
                notifier=MySmsNotifier(my_fake_gateway.url, token="..."),
                address=Address.parse("sms:+6281200000001"),
                received=lambda: [Received(m["reference"], m["text"]) for m in my_fake_gateway.messages],
                temporary_failure=Address.parse("sms:+6281200000503"),  # the fake answers 503
                permanent_failure=Address.parse("sms:+6281200000400"),  # the fake answers 400
                unsupported=Address.parse("mailto:someone@example.id"),
            )

The failure addresses are optional: leave one None and its test is skipped. The notifications sent are
built by :func:`~lapor_core.testing.recording.build_notification`.
"""

# A pytest suite speaks in asserts.

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import attrs
import pytest

from lapor_core._domain.notifications import Address
from lapor_core._domain.ports import Notifier
from lapor_core.errors import NotificationError, PermanentNotificationError, TemporaryNotificationError
from lapor_core.testing.recording import build_notification

__all__ = ["NotifierContract", "NotifierHarness", "Received"]

THREADS = 8
UNICODE_TITLE = "Jalan rusak — ꦗꦭꦤ꧀ ꦫꦸꦱꦏ꧀ 🚧 «Cilandak» ñ"


@attrs.frozen
class Received:
    """One message as the receiving end got it.

    Attributes:
        idempotency_key: The key it carried (a Message-ID's local part, a header, a field...).
        text: Its decoded text as received (a body, a JSON field, an SMS text...).
    """

    idempotency_key: str
    text: str


@attrs.frozen
class NotifierHarness:
    """A notifier under test and the receiving end it delivers to.

    Attributes:
        notifier: The notifier under test.
        address: An address it delivers to successfully.
        received: Everything received so far, in arrival order (repeats included).
        temporary_failure: An address whose delivery fails for now (a 503 endpoint...), or None.
        permanent_failure: An address whose delivery can never succeed (a 400, a refused mailbox...), or None.
        unsupported: An address on a channel the notifier does not serve, or None if it serves every one.
        text_of: Which part of the message the receiver sees (default: the plain text); an SMS notifier
            sends ``short``.
    """

    notifier: Notifier
    address: Address
    received: Callable[[], Sequence[Received]]
    temporary_failure: Address | None = None
    permanent_failure: Address | None = None
    unsupported: Address | None = None
    text_of: str = "text"


def _keys(harness: NotifierHarness) -> list[str]:
    return [r.idempotency_key for r in harness.received()]


def _names_no_address(error: NotificationError, address: Address) -> None:
    """Neither the message nor the text a person reads in any locale holds the address."""
    for text in (str(error), error.describe("id"), error.describe("en")):
        assert address.target not in text


class NotifierContract:
    """Tests every :class:`~lapor_core.plugins.Notifier` must pass (override the ``harness`` fixture)."""

    @pytest.fixture
    def harness(self) -> Any:  # pragma: no cover - every subclass overrides it
        """The notifier under test and its receiving end."""
        raise NotImplementedError

    def test_the_notifier_implements_the_protocol(self, harness: NotifierHarness) -> None:
        """The notifier is a lapor_core Notifier."""
        assert isinstance(harness.notifier, Notifier)

    def test_a_sent_notification_arrives_with_its_idempotency_key(self, harness: NotifierHarness) -> None:
        """Sending returns None once the receiver has the message, under the notification's key."""
        notification = build_notification(harness.address, key="contract-key-0001")
        assert harness.notifier.send(notification) is None  # type: ignore[func-returns-value]
        assert _keys(harness) == ["contract-key-0001"]

    def test_the_message_text_arrives(self, harness: NotifierHarness) -> None:
        """The receiver reads the rendered text, tracking ID included."""
        notification = build_notification(harness.address, tracking_id="7K3M-9QXF-2HJ-Q")
        harness.notifier.send(notification)
        (received,) = harness.received()
        expected = getattr(notification.message, harness.text_of)
        assert "7K3M-9QXF-2HJ-Q" in received.text
        assert received.text.strip() == expected.strip()

    def test_unicode_text_arrives_intact(self, harness: NotifierHarness) -> None:
        """Javanese script, emoji and accents survive the trip."""
        notification = build_notification(
            harness.address, context={"title": UNICODE_TITLE, "institution": UNICODE_TITLE}
        )
        harness.notifier.send(notification)
        (received,) = harness.received()
        assert received.text.strip() == getattr(notification.message, harness.text_of).strip()

    def test_a_long_message_arrives_whole(self, harness: NotifierHarness) -> None:
        """A 4,000-character follow-up arrives in full."""
        body = " ".join(f"kalimat-{i:04d}" for i in range(300))[:4000]
        notification = build_notification(
            harness.address, template="follow_up.reporter", context={"message": body}
        )
        harness.notifier.send(notification)
        (received,) = harness.received()
        assert received.text.strip() == getattr(notification.message, harness.text_of).strip()

    def test_sending_again_repeats_the_idempotency_key(self, harness: NotifierHarness) -> None:
        """A notification sent twice (at-least-once delivery) carries the same key both times."""
        notification = build_notification(harness.address)
        harness.notifier.send(notification)
        harness.notifier.send(notification)
        assert _keys(harness) == [notification.idempotency_key] * 2

    def test_distinct_notifications_carry_distinct_keys(self, harness: NotifierHarness) -> None:
        """Each notification arrives under its own key, in the order sent."""
        notifications = [build_notification(harness.address) for _ in range(3)]
        for notification in notifications:
            harness.notifier.send(notification)
        assert _keys(harness) == [n.idempotency_key for n in notifications]

    def test_sends_from_several_threads_all_arrive(self, harness: NotifierHarness) -> None:
        """Eight threads sending at once: every notification arrives exactly once."""
        start = threading.Barrier(THREADS, timeout=30)

        def work(_: int) -> list[str]:
            start.wait()
            sent = []
            for _ in range(3):
                notification = build_notification(harness.address)
                harness.notifier.send(notification)
                sent.append(notification.idempotency_key)
            return sent

        with ThreadPoolExecutor(THREADS) as pool:
            sent = list(itertools.chain.from_iterable(pool.map(work, range(THREADS))))
        assert sorted(_keys(harness)) == sorted(sent)

    def test_a_temporary_failure_raises_temporary_notification_error(self, harness: NotifierHarness) -> None:
        """A failure that may pass is a TemporaryNotificationError, and says nothing of the address."""
        if harness.temporary_failure is None:
            pytest.skip("the harness has no address that fails temporarily")
        with pytest.raises(TemporaryNotificationError) as caught:
            harness.notifier.send(build_notification(harness.temporary_failure))
        assert caught.value.permanent is False
        _names_no_address(caught.value, harness.temporary_failure)

    def test_a_permanent_failure_raises_permanent_notification_error(self, harness: NotifierHarness) -> None:
        """A failure that never passes is a PermanentNotificationError, and says nothing of the address."""
        if harness.permanent_failure is None:
            pytest.skip("the harness has no address that fails permanently")
        with pytest.raises(PermanentNotificationError) as caught:
            harness.notifier.send(build_notification(harness.permanent_failure))
        assert caught.value.permanent is True
        _names_no_address(caught.value, harness.permanent_failure)

    def test_an_unsupported_channel_is_a_permanent_failure(self, harness: NotifierHarness) -> None:
        """An address on a channel the notifier does not serve is refused for good, and nothing is sent."""
        if harness.unsupported is None:
            pytest.skip("the notifier serves every channel")
        with pytest.raises(PermanentNotificationError):
            harness.notifier.send(build_notification(harness.unsupported))
        assert _keys(harness) == []

    def test_failures_raise_only_notification_errors(self, harness: NotifierHarness) -> None:
        """Whatever fails, the caller sees a NotificationError subclass and nothing else."""
        addresses = [harness.temporary_failure, harness.permanent_failure, harness.unsupported]
        for address in filter(None, addresses):
            with pytest.raises(NotificationError):
                harness.notifier.send(build_notification(address))
