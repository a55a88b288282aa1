"""The notifier contract on the built-in notifiers without servers, and on the how-to's SMS notifier."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lapor_core as lc
from lapor_core._domain.notifications import Address, DeliveryChannel, Notification, RecipientRole
from lapor_core.errors import NotificationError, PermanentNotificationError, TemporaryNotificationError
from lapor_core.notifiers import CompositeNotifier, LoggingNotifier, Route
from lapor_core.testing.notifier_contracts import NotifierContract, NotifierHarness, Received
from lapor_core.testing.recording import RecordingNotifier, build_notification
from sms_gateway_example import FakeSmsGateway, SmsGatewayNotifier

EMAIL = Address.parse("mailto:warga@example.id")
LATER = Address.parse("mailto:later@example.id")
BOUNCE = Address.parse("mailto:bounce@example.id")


def _mailbox_rules(notification: Notification) -> NotificationError | None:
    """A receiving end where 'later' mailboxes are deferred and 'bounce' ones unknown."""
    target = notification.address.target
    if target.startswith("later"):
        return TemporaryNotificationError("deferred")
    if target.startswith("bounce"):
        return PermanentNotificationError("unknown mailbox")
    return None


def _received(notifier: RecordingNotifier) -> list[Received]:
    return [Received(n.idempotency_key, n.message.text) for n in notifier.sent]


class TestRecordingNotifier(NotifierContract):
    """The recording notifier (the testing kit's) keeps the contract it helps test."""

    @pytest.fixture
    def harness(self) -> NotifierHarness:
        """A recorder whose 'later' and 'bounce' mailboxes fail."""
        notifier = RecordingNotifier(_mailbox_rules)
        return NotifierHarness(
            notifier, EMAIL, lambda: _received(notifier), temporary_failure=LATER, permanent_failure=BOUNCE
        )


class TestCompositeNotifier(NotifierContract):
    """The router passes its notifiers' errors through and refuses what no route takes."""

    @pytest.fixture
    def harness(self) -> NotifierHarness:
        """E-mail goes to a recorder; SMS has no route."""
        mail = RecordingNotifier(_mailbox_rules)
        notifier = CompositeNotifier([Route(mail, channels=["email"])])
        return NotifierHarness(
            notifier,
            EMAIL,
            lambda: _received(mail),
            temporary_failure=LATER,
            permanent_failure=BOUNCE,
            unsupported=Address.parse("sms:+6281234567890"),
        )


class _ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class TestLoggingNotifier(NotifierContract):
    """The logging notifier logs every notification (and never fails)."""

    @pytest.fixture
    def harness(self) -> Iterator[NotifierHarness]:
        """A notifier logging subject and short text to a private logger."""
        logger = logging.getLogger(f"test.notifications.{id(self)}")
        logger.propagate = False
        logger.setLevel(logging.INFO)
        handler = _ListHandler()
        logger.addHandler(handler)
        notifier = LoggingNotifier(logger, include_text=True)
        yield NotifierHarness(
            notifier,
            EMAIL,
            lambda: [Received(r.idempotency_key, r.short) for r in handler.records],  # type: ignore[attr-defined]
            text_of="short",
        )
        logger.removeHandler(handler)


class TestSmsGatewayNotifier(NotifierContract):
    """The how-to's SMS notifier passes the contract against the fake gateway."""

    @pytest.fixture
    def harness(self) -> Iterator[NotifierHarness]:
        """The fake gateway on 127.0.0.1; numbers ending in 503 and 400 fail."""
        with FakeSmsGateway(token="uji-token") as gateway:
            yield NotifierHarness(
                notifier=SmsGatewayNotifier(gateway.url, token="uji-token", timeout=5),
                address=Address.parse("sms:+6281200000001"),
                received=lambda: [Received(m["reference"], m["text"]) for m in gateway.messages],
                temporary_failure=Address.parse("sms:+6281200000503"),
                permanent_failure=Address.parse("sms:+6281200000400"),
                unsupported=Address.parse("mailto:warga@example.id"),
                text_of="short",
            )


# --- beyond the contract ---------------------------------------------------------------------------------


def test_the_logging_notifier_leaves_addresses_and_text_out_by_default(caplog):
    """Without include_text only IDs, template, role and channel are logged."""
    notification = build_notification(Address.parse("mailto:rahasia@example.id"), context={"title": "Judul"})
    with caplog.at_level(logging.INFO, logger="lapor_core._domain.notifications"):
        LoggingNotifier().send(notification)
    (record,) = caplog.records
    assert record.getMessage() == (
        f"notification {notification.idempotency_key} forward.institution to institution 31.71 by email"
    )
    assert "rahasia" not in record.getMessage()
    assert "Judul" not in record.getMessage()


def test_the_composite_notifier_takes_the_first_matching_route():
    """Routes by role come before routes by channel when listed first."""
    admins, mail = RecordingNotifier(), RecordingNotifier()
    notifier = CompositeNotifier([Route(admins, roles=["admin"]), Route(mail, channels=["email"])])
    notifier.send(build_notification(EMAIL, template="submit.admin"))
    notifier.send(build_notification(EMAIL, template="forward.institution"))
    assert [n.template for n in admins.sent] == ["submit.admin"]
    assert [n.template for n in mail.sent] == ["forward.institution"]


def test_a_composite_by_channel_routes_each_channel():
    """by_channel builds one route per channel."""
    mail, hooks = RecordingNotifier(), RecordingNotifier()
    notifier = CompositeNotifier.by_channel({"email": mail, "webhook": hooks})
    notifier.send(build_notification(Address.parse("https://h.example/x")))
    assert (len(mail), len(hooks)) == (0, 1)


def test_a_composite_refuses_what_is_not_a_route_and_unknown_channels():
    """Routes are validated when the router is built; every refusal is a ValidationError with a code."""
    cases = [
        (lambda: CompositeNotifier([RecordingNotifier()]), {"routes[0]": "notification.not_a_route"}),
        (lambda: CompositeNotifier(None), {"routes": "notification.route_not_list"}),
        (lambda: CompositeNotifier.by_channel(["email"]), {"notifiers": "value.not_mapping"}),
        (lambda: Route(RecordingNotifier(), channels=["pigeon"]), {"channels[0]": "value.not_choice"}),
        (lambda: Route(RecordingNotifier(), channels="email"), {"channels": "notification.route_not_list"}),
        (
            lambda: Route(RecordingNotifier(), roles=[None, "admin", 5]),
            {"roles[0]": "value.required", "roles[2]": "value.not_choice"},
        ),
    ]
    for build, codes in cases:
        with pytest.raises(lc.ValidationError) as caught:
            build()
        assert {e.field: e.code for e in caught.value.errors} == codes


def test_a_route_reports_every_bad_field_at_once():
    """A notifier without send, a bad channel and roles that are not a list are listed together."""
    with pytest.raises(lc.ValidationError) as caught:
        Route(object(), channels=["email", "pigeon"], roles="admin")  # type: ignore[arg-type]
    assert caught.value.fields_by_name == {
        "notifier": ("notification.not_a_notifier",),
        "channels[1]": ("value.not_choice",),
        "roles": ("notification.route_not_list",),
    }


def test_a_route_reads_channel_and_role_values_into_members():
    """Values become the enums' members; None means every channel or role."""
    route = Route(RecordingNotifier(), channels=["email", "sms"], roles=("admin",))  # type: ignore[arg-type]
    assert route.channels == frozenset({DeliveryChannel.EMAIL, DeliveryChannel.SMS})
    assert route.roles == frozenset({RecipientRole.ADMIN})
    assert Route(RecordingNotifier()).channels is None


def test_a_composite_lists_every_item_that_is_not_a_route():
    """Each bad item is named by its position; a generator of routes is read once."""
    good = Route(RecordingNotifier())
    with pytest.raises(lc.ValidationError) as caught:
        CompositeNotifier([good, 1, good, "x"])  # type: ignore[list-item]
    assert caught.value.fields_by_name == {
        "routes[1]": ("notification.not_a_route",),
        "routes[3]": ("notification.not_a_route",),
    }
    assert CompositeNotifier(r for r in [good, good]).routes == (good, good)


_JUNK = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=2),
    max_leaves=6,
)


@settings(max_examples=200)
@given(
    _JUNK | st.just(RecordingNotifier()),
    _JUNK | st.lists(st.sampled_from(["email", "sms", "webhook"])),
    _JUNK,
)
def test_junk_at_a_route_raises_only_validation_errors(notifier, channels, roles):
    """Route(...) takes anything and builds a route or raises a ValidationError naming its fields."""
    outcome: object
    try:
        outcome = Route(notifier, channels=channels, roles=roles)
    except lc.ValidationError as error:
        outcome = error
    if isinstance(outcome, lc.ValidationError):
        assert outcome.errors
        assert {path.split("[")[0] for path in outcome.fields_by_name} <= {"notifier", "channels", "roles"}
    else:
        assert isinstance(outcome, Route)


def test_a_notification_no_route_takes_carries_its_code_for_every_language():
    """The failure's detail is a catalogue code: English for logs, Indonesian for people."""
    notifier = CompositeNotifier([Route(RecordingNotifier(), channels=["sms"])])
    with pytest.raises(PermanentNotificationError) as caught:
        notifier.send(build_notification(Address.parse("https://h.example/x")))
    error = caught.value
    assert (error.detail, dict(error.params)) == (
        "notification.no_route",
        {"channel": "webhook", "role": "institution"},
    )
    assert (
        error.describe("id")
        == "Notifikasi gagal dikirim: tidak ada rute untuk pesan webhook kepada institution"
    )


def test_a_notification_no_route_takes_is_a_permanent_failure_in_english_for_logs():
    """The message names the channel and role, from the catalogue's English text."""
    notifier = CompositeNotifier([Route(RecordingNotifier(), channels=["sms"])])
    with pytest.raises(PermanentNotificationError) as caught:
        notifier.send(build_notification(Address.parse("https://h.example/x")))
    assert str(caught.value) == "no route for webhook messages to institution"


def test_a_recording_notifier_filters_by_recipient_and_clears():
    """to() selects by role and reference; clear() forgets."""
    notifier = RecordingNotifier()
    notifier.send(build_notification(EMAIL, template="assign.unit"))
    notifier.send(build_notification(EMAIL, template="submit.admin"))
    assert [n.template for n in notifier.to("unit", "31.71/dinas-pu")] == ["assign.unit"]
    assert notifier.to("unit", "31.74/x") == ()
    notifier.clear()
    assert len(notifier) == 0
