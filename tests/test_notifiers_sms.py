"""SmsNotifier against a fake SMS gateway started by the tests on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import types
from collections.abc import Iterator

import attrs
import pytest

import lapor_core as lc
from fake_sms_gateway import FakeSmsGateway
from lapor_core._domain.notifications import Address
from lapor_core.errors import ConfigurationError, PermanentNotificationError, TemporaryNotificationError
from lapor_core.notifiers.sms import SmsNotifier, sms_payload
from lapor_core.notifiers.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_signature
from lapor_core.testing.notifier_contracts import NotifierContract, NotifierHarness, Received
from lapor_core.testing.recording import build_notification

SECRET = "sms gateway secret shared with us"
REPORTER = Address.parse("sms:+6281234567890")


@pytest.fixture
def gateway() -> Iterator[FakeSmsGateway]:
    """The fake gateway on a free port of 127.0.0.1."""
    with FakeSmsGateway(SECRET, token="gw-token") as running:
        yield running


def _notifier(gateway: FakeSmsGateway, **options: object) -> SmsNotifier:
    return SmsNotifier(gateway.url, secret=SECRET, token="gw-token", sender_id="1708", timeout=5, **options)  # type: ignore[arg-type]


def _to_reporter(address: Address = REPORTER, **kwargs: object) -> lc.plugins.Notification:
    return build_notification(address, template="follow_up.reporter", **kwargs)  # type: ignore[arg-type]


class TestSmsNotifierContract(NotifierContract):
    """SmsNotifier passes the notifier contract against the fake gateway."""

    @pytest.fixture
    def harness(self, gateway: FakeSmsGateway) -> NotifierHarness:
        """Numbers ending in 503 fail for now, in 400 for good; e-mail is not served."""

        def received() -> list[Received]:
            return [Received(m["id"], m["text"]) for m in gateway.received if m["to"] == REPORTER.target]

        return NotifierHarness(
            notifier=_notifier(gateway),
            address=REPORTER,
            received=received,
            temporary_failure=Address.parse("sms:+6281234567503"),
            permanent_failure=Address.parse("sms:+6281234567400"),
            unsupported=Address.parse("mailto:warga@contoh.id"),
            text_of="short",
        )


def test_the_gateway_gets_the_short_text_split_into_parts_with_the_complaints_reference(gateway):
    """The body names the number in E.164, the sender ID, the parts and ``lapor:<tracking ID>``."""
    notification = _to_reporter(key="sms-key-1")
    _notifier(gateway).send(notification)
    (message,) = gateway.messages
    assert message["to"] == "+6281234567890"
    assert message["from"] == "1708"
    assert message["text"] == notification.message.short
    assert "".join(message["parts"]) == message["text"]
    assert message["reference"] == "lapor:7K3M-9QXF-2HJ-Q"
    assert message["id"] == "sms-key-1"


def test_a_long_text_is_split_into_153_character_parts_and_a_non_gsm_one_into_67():
    """A short text over 160 GSM-7 characters goes as parts of 153; with an emoji, UCS-2 parts of 67."""
    notification = _to_reporter()
    long = attrs.evolve(notification, message=attrs.evolve(notification.message, short="x" * 400))
    assert [len(part) for part in sms_payload(long)["parts"]] == [153, 153, 94]
    emoji = attrs.evolve(
        notification, message=attrs.evolve(notification.message, short="Terima kasih 🙏 " * 6)
    )
    payload = sms_payload(emoji)
    assert payload["encoding"] == "ucs2"
    assert [len(part.encode("utf-16-le")) // 2 for part in payload["parts"]] == [67, 29]  # UTF-16 units


def test_a_repeated_delivery_is_dropped_by_the_gateway(gateway):
    """The idempotency key rides in the header: the second send of one notification sends no SMS."""
    notification = _to_reporter(key="sms-key-2")
    notifier = _notifier(gateway)
    notifier.send(notification)
    notifier.send(notification)
    assert len(gateway.messages) == 1
    assert gateway.duplicates == 1


def test_requests_are_signed_and_a_gateway_with_another_secret_refuses_them(gateway):
    """The signature verifies under the shared secret; under another it is a permanent 401."""
    request = _notifier(gateway).request(_to_reporter())
    headers = {k.title(): v for k, v in request.header_items()}
    assert verify_signature(
        SECRET,
        timestamp=headers[TIMESTAMP_HEADER.title()],
        body=request.data,
        signature=headers[SIGNATURE_HEADER.title()],
    )
    wrong = SmsNotifier(gateway.url, secret="another secret of 16+ bytes", token="gw-token")
    with pytest.raises(PermanentNotificationError) as raised:
        wrong.send(_to_reporter())
    assert "401" in str(raised.value)


def test_a_rate_limited_gateway_is_a_temporary_failure(gateway):
    """429 is retried later."""
    with pytest.raises(TemporaryNotificationError):
        _notifier(gateway).send(_to_reporter(Address.parse("sms:+6281234567429")))


def test_an_unreachable_gateway_is_a_temporary_failure_without_the_number():
    """Nothing listening: temporary, and the error names the error's type, not the reporter's number."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    notifier = SmsNotifier(f"http://127.0.0.1:{port}/v1/messages", secret=SECRET, timeout=2)
    with pytest.raises(TemporaryNotificationError) as raised:
        notifier.send(_to_reporter())
    assert "6281234567890" not in str(raised.value)


def test_a_number_that_is_not_indonesian_is_refused_for_good():
    """An address that slipped past the address rules (a landline) is a permanent failure, nothing is sent."""
    landline = attrs.evolve(
        _to_reporter(), address=types.SimpleNamespace(target="+62215551234", channel=REPORTER.channel)
    )
    with pytest.raises(PermanentNotificationError) as raised:
        sms_payload(landline)
    assert raised.value.detail == "sms.target_malformed"


def test_a_notification_for_another_channel_is_refused_for_good(gateway):
    """E-mail is not an SMS gateway's job."""
    with pytest.raises(PermanentNotificationError) as raised:
        _notifier(gateway).send(build_notification(Address.parse("mailto:warga@contoh.id")))
    assert raised.value.detail == "sms.wrong_channel"


@pytest.mark.parametrize(
    ("options", "code"),
    [
        ({"url": "gateway.example/v1"}, "sms.url_malformed"),
        ({"url": "https://gate way.example"}, "sms.url_malformed"),
        ({"secret": "short"}, "sms.secret_too_short"),
        ({"secret": 1234}, "sms.secret_too_short"),
        ({"timeout": 0}, "sms.timeout_not_positive"),
        ({"timeout": True}, "sms.timeout_not_positive"),
        ({"sender_id": "LAPOR 1708!"}, "sms.sender_id_malformed"),
        ({"sender_id": "TWELVECHARSX"}, "text.too_long"),
    ],
)
def test_bad_options_are_configuration_errors_naming_the_option(options, code):
    """Each refused option is a ConfigurationError whose detail is its code."""
    values = {"url": "https://gateway.example/v1/messages", "secret": SECRET} | options
    url = values.pop("url")
    with pytest.raises(ConfigurationError) as raised:
        SmsNotifier(url, **values)  # type: ignore[arg-type]
    assert raised.value.detail == code


def test_the_repr_shows_the_url_and_never_the_secret():
    """Secrets stay out of logs."""
    notifier = SmsNotifier("https://gateway.example/v1/messages", secret=SECRET, token="tok-123")
    assert SECRET not in repr(notifier)
    assert "tok-123" not in repr(notifier)
    assert json.dumps(repr(notifier))


def test_a_redirect_is_not_followed_and_fails_for_good(gateway):
    """A signed request goes where it was signed: 3xx is a permanent failure."""
    with pytest.raises(PermanentNotificationError) as raised:
        _notifier(gateway).send(_to_reporter(Address.parse("sms:+6281234567302")))
    assert raised.value.detail == "sms.not_followed"
