"""WebhookNotifier against a real HTTP server started by the tests on 127.0.0.1."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lapor_core as lc
from lapor_core._domain.notifications import Address
from lapor_core.errors import PermanentNotificationError, TemporaryNotificationError
from lapor_core.notifiers.webhook import (
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WebhookNotifier,
    payload,
    sign,
    verify_signature,
)
from lapor_core.testing.notifier_contracts import NotifierContract, NotifierHarness, Received
from lapor_core.testing.recording import build_notification
from webhook_receiver import HOST, WebhookReceiver

SECRET = "webhook secret shared with the receiver"


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    """A webhook receiver on a free port of 127.0.0.1."""
    with WebhookReceiver(SECRET, slow_seconds=1.0) as running:
        yield running


def _hook(receiver: WebhookReceiver, path: str = "/ok") -> Address:
    return Address.parse(receiver.url(path))


class TestWebhookNotifierContract(NotifierContract):
    """WebhookNotifier passes the notifier contract against the test receiver."""

    @pytest.fixture
    def harness(self, receiver: WebhookReceiver) -> NotifierHarness:
        """Deliveries to /ok; /status/503 fails for now, /status/400 for good."""

        def received() -> list[Received]:
            return [Received(h.key, h.json["text"]) for h in receiver.hits if h.path == "/ok" and h.verified]

        return NotifierHarness(
            notifier=WebhookNotifier(secret=SECRET, timeout=5),
            address=_hook(receiver),
            received=received,
            temporary_failure=_hook(receiver, "/status/503"),
            permanent_failure=_hook(receiver, "/status/400"),
            unsupported=Address.parse("mailto:someone@example.id"),
        )


def test_the_receiver_verifies_the_signature_and_reads_the_payload(receiver):
    """The body is the notification's payload as JSON, signed over timestamp and body."""
    notification = build_notification(_hook(receiver), key="hook-key-1")
    WebhookNotifier(secret=SECRET).send(notification)
    (hit,) = receiver.hits
    assert hit.verified
    assert hit.json == json.loads(json.dumps(payload(notification)))
    assert hit.headers[IDEMPOTENCY_HEADER] == "hook-key-1"
    assert hit.headers["Content-Type"] == "application/json; charset=utf-8"
    assert hit.json["recipient"] == {"role": "institution", "ref": "31.71"}


def test_a_receiver_with_another_secret_refuses_it(receiver):
    """A notifier keyed with the wrong secret gets 401, a permanent failure."""
    notifier = WebhookNotifier(secret="some other secret, 16+ bytes")
    with pytest.raises(PermanentNotificationError) as caught:
        notifier.send(build_notification(_hook(receiver)))
    assert "401" in str(caught.value)
    assert (caught.value.detail, dict(caught.value.params)) == ("webhook.refused", {"status": "401"})
    assert caught.value.describe("id") == "Notifikasi gagal dikirim: webhook menolak notifikasi (HTTP 401)"
    assert receiver.delivered == {}


@pytest.mark.parametrize("status", [200, 201, 202, 204])
def test_2xx_answers_are_success(receiver, status):
    """Every 2xx status delivers."""
    WebhookNotifier(secret=SECRET).send(build_notification(_hook(receiver, f"/status/{status}")))


@pytest.mark.parametrize("status", [408, 425, 429, 500, 502, 503, 504])
def test_5xx_timeouts_and_throttling_are_temporary(receiver, status):
    """Server errors, request timeouts and 429 are worth retrying."""
    with pytest.raises(TemporaryNotificationError) as caught:
        WebhookNotifier(secret=SECRET).send(build_notification(_hook(receiver, f"/status/{status}")))
    assert str(status) in str(caught.value)
    assert caught.value.detail == "webhook.failed"
    assert caught.value.params == {"status": str(status)}


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 410, 413, 422])
def test_other_4xx_answers_are_permanent(receiver, status):
    """Client errors are not retried."""
    with pytest.raises(PermanentNotificationError):
        WebhookNotifier(secret=SECRET).send(build_notification(_hook(receiver, f"/status/{status}")))


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirects_are_not_followed_and_are_permanent(receiver, status):
    """A signed request goes only to the URL it was signed for."""
    with pytest.raises(PermanentNotificationError) as caught:
        WebhookNotifier(secret=SECRET).send(build_notification(_hook(receiver, f"/status/{status}")))
    assert "redirects are not followed" in str(caught.value)
    assert [h.path for h in receiver.hits] == [f"/status/{status}"]


def test_a_slow_receiver_times_out_as_a_temporary_failure(receiver):
    """A receiver slower than the timeout is given up on for now."""
    with pytest.raises(TemporaryNotificationError) as caught:
        WebhookNotifier(secret=SECRET, timeout=0.2).send(build_notification(_hook(receiver, "/slow")))
    assert "could not be reached" in str(caught.value)


def test_a_closed_port_is_a_temporary_failure():
    """Connection refused: retry later."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port = probe.getsockname()[1]
    address = Address.parse(f"http://{HOST}:{port}/hook")
    with pytest.raises(TemporaryNotificationError):
        WebhookNotifier(secret=SECRET, timeout=2).send(build_notification(address))


def test_proxy_settings_of_the_environment_are_ignored(receiver, monkeypatch):
    """http_proxy in the environment does not divert the request; only the proxy option does."""
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9/")
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9/")
    WebhookNotifier(secret=SECRET).send(build_notification(_hook(receiver)))
    assert len(receiver.delivered) == 1


def test_an_explicit_proxy_receives_the_request(receiver):
    """With proxy= the request goes to the proxy, with the target URL in its request line."""
    target = Address.parse("http://lapor.invalid/hook")
    WebhookNotifier(secret=SECRET, proxy=receiver.url("")).send(build_notification(target))
    (hit,) = receiver.hits
    assert hit.path == "http://lapor.invalid/hook"


def test_extra_headers_and_the_user_agent_are_sent(receiver):
    """An Authorization header the receiver wants travels with every request."""
    notifier = WebhookNotifier(secret=SECRET, extra_headers={"Authorization": "Bearer t0ken"})
    notifier.send(build_notification(_hook(receiver)))
    (hit,) = receiver.hits
    assert hit.headers["Authorization"] == "Bearer t0ken"
    assert hit.headers["User-Agent"] == "lapor_core-webhook/1"


def test_an_email_address_is_refused_without_a_request(receiver):
    """The webhook notifier serves webhook addresses only."""
    with pytest.raises(PermanentNotificationError):
        WebhookNotifier(secret=SECRET).send(build_notification(Address.parse("mailto:a@example.id")))
    assert receiver.hits == []


@pytest.mark.parametrize(
    "options",
    [
        {"secret": "short"},
        {"secret": b"x" * 15},
        {"secret": None},
        {"secret": 12345678901234567890},
        {"secret": SECRET, "timeout": 0},
        {"secret": SECRET, "timeout": "10"},
        {"secret": SECRET, "timeout": float("inf")},
        {"secret": SECRET, "timeout": 86_401},
    ],
)
def test_weak_secrets_and_bad_timeouts_are_refused(options):
    """A secret under 16 bytes (or not text at all) or a bad timeout is a configuration error."""
    with pytest.raises(lc.ConfigurationError):
        WebhookNotifier(**options)


def test_a_weak_secret_is_named_with_the_minimum_from_the_catalogue():
    """The message is the catalogue's English text, with the minimum filled in."""
    with pytest.raises(lc.ConfigurationError) as caught:
        WebhookNotifier(secret="short")
    assert str(caught.value) == "the webhook secret must be at least 16 bytes"
    assert (caught.value.detail, dict(caught.value.params)) == ("webhook.secret_too_short", {"min": 16})
    assert caught.value.describe("id").startswith("Konfigurasi salah: ")


def test_a_configuration_error_lists_every_refused_option_in_its_cause():
    """The detail is the first bad option's code; the chained ValidationError names each bad option."""
    with pytest.raises(lc.ConfigurationError) as caught:
        WebhookNotifier(secret=b"short", timeout=0)
    assert caught.value.detail == "webhook.secret_too_short"
    assert isinstance(caught.value.__cause__, lc.ValidationError)
    assert caught.value.__cause__.fields_by_name == {
        "secret": ("webhook.secret_too_short",),
        "timeout": ("webhook.timeout_not_positive",),
    }
    assert "short" not in str(caught.value.__cause__)


@settings(max_examples=200)
@given(
    st.none()
    | st.integers()
    | st.text(max_size=24)
    | st.binary(max_size=24)
    | st.lists(st.integers(), max_size=2),
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=4),
)
def test_junk_options_raise_only_configuration_errors(secret, timeout):
    """Any secret and timeout: the notifier is built or a ConfigurationError with a code says why."""
    outcome: object
    try:
        outcome = WebhookNotifier(secret=secret, timeout=timeout)
    except lc.ConfigurationError as error:
        outcome = error
    if isinstance(outcome, lc.ConfigurationError):
        assert outcome.detail in {
            "webhook.secret_too_short",
            "webhook.timeout_not_positive",
            "notifier.timeout_too_long",
        }
    else:
        assert isinstance(outcome, WebhookNotifier)


# --- verify_signature, for receivers ---------------------------------------------------------------------


BODY = b'{"id":"abc","event":"forward"}'
NOW = 1_773_716_400


def _check(**changes: object) -> bool:
    arguments: dict[str, object] = {
        "timestamp": str(NOW),
        "body": BODY,
        "signature": sign(SECRET, str(NOW), BODY),
        "now": NOW + 10,
    } | changes
    return verify_signature(SECRET, **arguments)  # type: ignore[arg-type]


def test_a_fresh_correct_signature_verifies():
    """The signature of the exact body at a recent timestamp is accepted."""
    assert _check()


@pytest.mark.parametrize(
    "changes",
    [
        {"body": BODY + b" "},
        {"timestamp": str(NOW + 1)},
        {"signature": sign("another secret of enough length", str(NOW), BODY)},
        {"signature": "v2=" + sign(SECRET, str(NOW), BODY)[3:]},
        {"signature": None},
        {"timestamp": None},
        {"timestamp": "-1773716400"},
        {"timestamp": "1e9"},
        {"timestamp": "9" * 40},
        {"now": NOW + 301},
        {"now": NOW - 301},
        {"signature": ""},
    ],
)
def test_a_tampered_stale_or_malformed_request_fails_verification(changes):
    """Changed body or time, another secret, a missing or malformed header, an old request: refused."""
    assert not _check(**changes)


def test_one_matching_signature_among_several_verifies():
    """During a secret rotation the header may carry several signatures; one match suffices."""
    both = f"v1={'0' * 64}, {sign(SECRET, str(NOW), BODY)}"
    assert _check(signature=both)


def test_the_receiver_side_headers_are_named_as_documented():
    """The header names receivers read are stable API."""
    assert (IDEMPOTENCY_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER) == (
        "Idempotency-Key",
        "X-Lapor-Timestamp",
        "X-Lapor-Signature",
    )
