"""Outbound webhooks in the Standard Webhooks format, checked by the reference package standardwebhooks."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

import lapor_core as lc
from desk_support import ADMIN, make_desk, submission
from lapor_core import AddressBook, Dispatcher
from lapor_core._domain import standard_webhooks
from lapor_core._domain.notifications import Address
from lapor_core.notifiers import WebhookNotifier
from lapor_core.notifiers.webhook import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WEBHOOK_ID_HEADER,
    WEBHOOK_TIMESTAMP_HEADER,
    new_secret,
    verify_signature,
    verify_webhook,
)
from lapor_core.testing.recording import build_notification
from webhook_receiver import WebhookReceiver

SECRET = new_secret()
NOW = 1_773_716_400


def _signed(
    notifier: WebhookNotifier, key: str = "0190a1b2c3d4e5f60718293a4b5c6d7e"
) -> tuple[dict[str, str], bytes]:
    request = notifier.request(build_notification(Address.parse("https://hook.example.id/lapor"), key=key))
    assert isinstance(request.data, bytes)
    return {name.lower(): value for name, value in request.header_items()}, request.data


def test_the_reference_verifier_accepts_our_signature():
    """standardwebhooks.Webhook, given the whsec_ secret as is, verifies and parses the request."""
    headers, body = _signed(WebhookNotifier(secret=SECRET))
    assert Webhook(SECRET).verify(body, headers) == json.loads(body)
    assert headers[WEBHOOK_ID_HEADER] == "0190a1b2c3d4e5f60718293a4b5c6d7e"


def test_a_secret_from_before_0_2_is_verified_as_its_base64():
    """A plain-text secret is its own key: the reference verifier takes its base64."""
    plain = "webhook secret shared with the receiver"
    headers, body = _signed(WebhookNotifier(secret=plain))
    Webhook(base64.b64encode(plain.encode()).decode()).verify(body, headers)


def test_the_reference_verifier_refuses_another_secret_and_a_changed_body_or_id():
    """Another key, one changed byte of the body, or another message ID: refused."""
    headers, body = _signed(WebhookNotifier(secret=SECRET))
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(body.replace(b"{", b"{ ", 1), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(body, headers | {WEBHOOK_ID_HEADER: "another-id"})


def test_the_0_1_headers_are_sent_only_with_the_deprecated_option():
    """By default no X-Lapor-* header; legacy_signature=True warns and adds them, verifiable as before."""
    headers, _ = _signed(WebhookNotifier(secret=SECRET))
    assert TIMESTAMP_HEADER.lower() not in headers
    assert SIGNATURE_HEADER.lower() not in headers
    with pytest.warns(DeprecationWarning, match="legacy_signature"):
        legacy = WebhookNotifier(secret=SECRET, legacy_signature=True, clock=lambda: NOW)
    headers, body = _signed(legacy)
    assert verify_signature(
        SECRET,
        timestamp=headers[TIMESTAMP_HEADER.lower()],
        body=body,
        signature=headers[SIGNATURE_HEADER.lower()],
        now=NOW,
    )
    assert verify_webhook(SECRET, headers=headers, body=body, now=NOW)


def test_the_id_and_timestamp_are_the_notification_key_and_the_clock():
    """webhook-id is the idempotency key (stable across retries); webhook-timestamp the clock's seconds."""
    first, _ = _signed(WebhookNotifier(secret=SECRET, clock=lambda: NOW + 0.9))
    again, _ = _signed(WebhookNotifier(secret=SECRET, clock=lambda: NOW + 60))
    assert first[WEBHOOK_ID_HEADER] == again[WEBHOOK_ID_HEADER]
    assert (first[WEBHOOK_TIMESTAMP_HEADER], again[WEBHOOK_TIMESTAMP_HEADER]) == (str(NOW), str(NOW + 60))


@pytest.mark.parametrize(
    ("secret", "code"),
    [
        ("whsec_not*base64", "webhook.secret_malformed"),
        ("whsec_" + base64.b64encode(b"short").decode(), "webhook.secret_too_short"),
        ("too short", "webhook.secret_too_short"),
        (12345678901234567890, "webhook.secret_too_short"),
    ],
)
def test_a_malformed_or_short_secret_is_a_configuration_error(secret, code):
    """The secret is checked when the notifier is built, with a code."""
    with pytest.raises(lc.ConfigurationError) as caught:
        WebhookNotifier(secret=secret)
    assert caught.value.detail == code


def _headers(
    body: bytes, *, at: int = NOW, message_id: str = "msg_1", key: bytes | None = None
) -> dict[str, str]:
    signing_key = key or standard_webhooks.secret_key(SECRET)
    return {
        "Webhook-Id": message_id,
        "Webhook-Timestamp": str(at),
        "Webhook-Signature": standard_webhooks.sign(signing_key, message_id, at, body),
    }


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"now": NOW + 301}, "webhook.timestamp_stale"),
        ({"now": NOW - 301}, "webhook.timestamp_stale"),
        ({"headers": {"webhook-id": "msg_1", "webhook-timestamp": str(NOW)}}, "webhook.headers_missing"),
        (
            {"headers": {"webhook-id": "m", "webhook-timestamp": "1e9", "webhook-signature": "v1,x"}},
            "webhook.headers_missing",
        ),
        (
            {"headers": {"webhook-id": "m", "webhook-timestamp": "٣٤", "webhook-signature": "v1,x"}},
            "webhook.headers_missing",
        ),
        ({"body": b"{} "}, "webhook.signature_mismatch"),
        ({"keys": [b"another key of sixteen bytes"]}, "webhook.signature_mismatch"),
    ],
)
def test_signature_problems_are_named_by_code(changes, code):
    """A stale or future timestamp, missing or malformed headers, another body or key: each has its code."""
    body = b'{"type":"status"}'
    arguments = {
        "keys": [standard_webhooks.secret_key(SECRET)],
        "headers": _headers(body),
        "body": body,
        "now": NOW + 10,
    } | changes
    assert standard_webhooks.signature_problem(**arguments) == code  # type: ignore[arg-type]


def test_one_of_two_secrets_and_one_of_several_signatures_suffices():
    """During a rotation the receiver holds two keys and the sender may send two signatures."""
    body = b"{}"
    old, new = standard_webhooks.secret_key(new_secret()), standard_webhooks.secret_key(SECRET)
    headers = _headers(body, key=new)
    headers["Webhook-Signature"] = "v1,AAAA " + headers["Webhook-Signature"]
    assert standard_webhooks.signature_problem([old, new], headers, body, now=NOW) is None


@settings(max_examples=200)
@given(
    message_id=st.text(min_size=1, max_size=60).filter(lambda t: "\n" not in t),
    at=st.integers(min_value=0, max_value=10**11),
    body=st.binary(max_size=300),
)
def test_the_reference_verifier_accepts_any_signed_message(message_id, at, body):
    """Property: whatever the ID, time and bytes, our signature is the reference's."""
    key = standard_webhooks.secret_key(SECRET)
    expected = Webhook(SECRET).sign(message_id, datetime.fromtimestamp(at, UTC), body)
    assert standard_webhooks.sign(key, message_id, at, body) == expected


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    """A receiver checking signatures with the test's whsec_ secret."""
    with WebhookReceiver(SECRET) as running:
        yield running


def test_a_payload_is_rendered_at_delivery_under_the_current_flags(receiver):
    """Queued while named, delivered after verification made it anonymous: the webhook reads Anonim."""
    desk, clock = make_desk()
    receipt = desk.submit(submission())
    desk.forward(ADMIN, receipt.tracking_id, institution="31.71", anonymous=True)
    book = AddressBook.from_dict({"admin": receiver.url(), "institutions": {"31.71": receiver.url()}})
    notifier = WebhookNotifier(secret=SECRET)
    Dispatcher(desk.store, notifier, book, clock=clock).deliver()
    delivered = {hit.json["template"]: hit for hit in receiver.delivered.values()}
    assert set(delivered) == {"submit.admin", "forward.institution"}
    for hit in delivered.values():
        assert hit.verified
        assert hit.json["context"]["reporter_name"] == "Anonim"
        assert b"Siti" not in hit.body
