"""The institution integration API (lapor_core.integrations): contract-style tests with the reference client.

Events are signed by ``examples/integration_client.py``, the script an institution runs, so these tests also
prove that script against the library.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lapor_core as lc
from desk_support import ADMIN, PEPPER, make_desk, submission
from integration_support import client
from lapor_core import AddressBook, Dispatcher
from lapor_core._domain.integrations import InboundEvent, derive_secret
from lapor_core._domain.standard_webhooks import secret_key
from lapor_core.errors import StorageError
from lapor_core.integrations import SYSTEM_OFFICER, Integrations
from lapor_core.notifiers.webhook import new_secret
from lapor_core.testing import FrozenClock
from lapor_core.testing.recording import build_notification
from webhook_receiver import WebhookReceiver

JAKARTA, MAKASSAR = "31.71", "73.71"


class Connected:
    """A desk, its integrations, one complaint forwarded to Jakarta Pusat and the clients' secrets."""

    def __init__(self, desk: lc.ComplaintDesk, clock: FrozenClock, integrations: Integrations) -> None:
        self.desk, self.clock, self.integrations = desk, clock, integrations
        self.secret = integrations.add(JAKARTA).secret
        self.other_secret = integrations.add(MAKASSAR).secret
        receipt = desk.submit(submission())
        self.tid, self.access_key = receipt.tracking_id, receipt.access_key
        desk.forward(ADMIN, self.tid, institution=JAKARTA)

    def now(self) -> float:
        return self.clock.now().timestamp()

    def send(
        self,
        kind: str,
        text: str | None = None,
        *,
        tid: str | None = None,
        institution: str = JAKARTA,
        secret: str | None = None,
        event_id: str | None = None,
        officer: str | None = "nip-198403",
        at: float | None = None,
    ) -> lc.integrations.EventAnswer:
        body = client.event_body(kind, tid or self.tid, text, officer)
        headers = client.signed_headers(
            secret or self.secret, body, event_id=event_id, now=self.now() if at is None else at
        )
        return self.integrations.receive(institution, headers, body)


@pytest.fixture(params=["memory", "sqlite"])
def connected(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Connected]:
    """On an in-memory desk and on a SQLite desk (the SQL integration store)."""
    if request.param == "memory":
        desk, clock = make_desk()
    else:
        clock = FrozenClock(make_desk()[1].now())
        desk = lc.ComplaintDesk.open(f"sqlite:///{tmp_path / 'lapor.db'}", clock=clock, pepper=PEPPER)
    with desk:
        yield Connected(desk, clock, Integrations(desk))


# --- the proofs the issue asks for --------------------------------------------------------------------------


def test_a_signed_follow_up_is_applied_and_answers_with_the_institutions_view(connected):
    """200 with the complaint as the institution sees it, now followed up."""
    answer = connected.send("follow_up", "Jalan sudah ditambal pada 18 Maret.")
    assert answer.status == 200, answer.body
    assert answer.body["type"] == "follow_up"
    assert answer.body["complaint"]["status"] == "followed_up"
    assert not answer.replayed


def test_the_signature_is_checked(connected):
    """Another institution's secret, a changed body, a missing signature: 401 and nothing done."""
    body = client.event_body("follow_up", connected.tid, "Sudah.")
    headers = client.signed_headers(connected.secret, body, now=connected.now())
    refused = [
        connected.integrations.receive(JAKARTA, headers, body.replace(b"Sudah", b"Belum")),
        connected.integrations.receive(
            JAKARTA, {k: v for k, v in headers.items() if "signature" not in k}, body
        ),
        connected.send("follow_up", "Sudah.", secret=connected.other_secret),
        connected.integrations.receive("99.99", headers, body),
    ]
    assert [a.status for a in refused] == [401, 401, 401, 401]
    assert [a.body["error"] for a in refused] == [
        "webhook.signature_mismatch",
        "webhook.headers_missing",
        "webhook.signature_mismatch",
        "webhook.signature_mismatch",
    ]
    assert connected.desk.view(ADMIN, connected.tid).status.value == "forwarded"


def test_a_replay_older_than_five_minutes_or_from_the_future_is_refused(connected):
    """A captured request sent again 5 minutes and 1 second later is refused, as is one dated ahead."""
    body = client.event_body("follow_up", connected.tid, "Sudah.")
    headers = client.signed_headers(connected.secret, body, now=connected.now() - 301)
    stale = connected.integrations.receive(JAKARTA, headers, body)
    ahead = connected.send("follow_up", "Sudah.", at=connected.now() + 301)
    assert (stale.status, stale.body["error"]) == (401, "webhook.timestamp_stale")
    assert (ahead.status, ahead.body["error"]) == (401, "webhook.timestamp_stale")
    assert connected.desk.view(ADMIN, connected.tid).status.value == "forwarded"


def test_a_duplicate_event_is_applied_once_and_answered_as_the_first_time(connected):
    """The same event ID again (a retry after a lost answer): the first answer, no second follow-up."""
    first = connected.send("follow_up", "Sudah ditambal.", event_id="evt-1")
    connected.clock.advance(minutes=1)
    again = connected.send("follow_up", "Sudah ditambal.", event_id="evt-1")
    assert again.replayed
    assert (again.status, dict(again.body)) == (first.status, json.loads(json.dumps(first.body)))
    actions = [e.action for e in connected.desk.history(ADMIN, connected.tid)]
    assert actions.count("follow_up") == 1


def test_the_same_event_id_from_another_institution_is_another_event(connected):
    """Event IDs are the sender's: two institutions may use the same one."""
    connected.send("follow_up", "Sudah.", event_id="evt-1")
    other = connected.send("status", institution=MAKASSAR, secret=connected.other_secret, event_id="evt-1")
    assert not other.replayed
    assert other.status == 404


def test_another_institutions_complaint_is_answered_exactly_as_an_unknown_one(connected):
    """Makassar asking about Jakarta's complaint gets what it gets for a tracking ID nobody has."""
    unknown = str(lc.TrackingId.new())
    for kind, text in [("status", None), ("follow_up", "x"), ("decline", "x"), ("assign", "dinas-pu")]:
        theirs = connected.send(kind, text, institution=MAKASSAR, secret=connected.other_secret, event_id="a")
        nobodys = connected.send(
            kind, text, tid=unknown, institution=MAKASSAR, secret=connected.other_secret, event_id="b"
        )
        assert theirs.status == nobodys.status == 404
        as_unknown = json.dumps(dict(theirs.body)).replace(connected.tid, unknown).replace('"a"', '"b"')
        assert as_unknown == json.dumps(dict(nobodys.body))
        connected.integrations.store.prune_events(connected.clock.now() + timedelta(seconds=1))


def test_a_follow_up_from_the_integration_reads_like_one_from_a_person(tmp_path):
    """The reporter's view and the history are the same as when the officer posts it in a portal."""

    def run(through_integration: bool) -> tuple[dict[str, Any], list[tuple[str, str, Any]]]:
        ids = iter([lc.TrackingId.parse("7K3M-9QXF-2HJ-Q")])
        desk, _ = make_desk(id_source=lambda: next(ids))
        connected = Connected(desk, desk._ctx.clock, Integrations(desk))  # type: ignore[arg-type]
        if through_integration:
            assert connected.send("follow_up", "Sudah ditambal.", officer="off-7").status == 200
        else:
            officer = lc.Principal.institution_officer("off-7", institution=JAKARTA)
            desk.follow_up(officer, connected.tid, "Sudah ditambal.")
        reporter = desk.authenticate(connected.tid, connected.access_key)
        history = [(e.action, e.actor, e.payload) for e in desk.history(ADMIN, connected.tid)]
        return lc.to_dict(desk.view(reporter, connected.tid)), history

    assert run(through_integration=True) == run(through_integration=False)
    view, history = run(through_integration=True)
    assert "Sudah ditambal." in json.dumps(view)
    assert history[-1][0] == "follow_up"


# --- each event type and its refusals -----------------------------------------------------------------------


def test_assign_and_status_and_decline_run_the_desk_commands(connected):
    """Assign to a unit, read the status, decline (bukan wewenang): afterwards the complaint is unknown."""
    assigned = connected.send("assign", "dinas-pu")
    assert (assigned.status, assigned.body["complaint"]["unit"]) == (200, "dinas-pu")
    status = connected.send("status")
    assert status.body["complaint"]["status"] == "assigned"
    declined = connected.send("decline", "Kewenangan provinsi.")
    assert (declined.status, declined.body["complaint"]) == (200, None)
    assert connected.send("status").status == 404
    assert connected.desk.view(ADMIN, connected.tid).status.value == "submitted"


def test_an_event_without_officer_is_recorded_as_the_integration(connected):
    """No officer named: the history's actor is the integration's own ID."""
    connected.send("follow_up", "Sudah.", officer=None)
    last = connected.desk.history(ADMIN, connected.tid)[-1]
    assert (last.actor.role, last.actor.user_id, last.actor.institution) == (
        "institution",
        SYSTEM_OFFICER,
        JAKARTA,
    )


def test_a_command_the_state_does_not_allow_is_409_and_a_malformed_event_422(connected):
    """An assignment after the follow-up (the state refuses it), junk JSON, an unknown type: coded answers."""
    connected.send("follow_up", "Sudah.")
    refused = connected.send("assign", "dinas-pu")
    assert refused.status == 409
    body = b'{"type": "merge", "officer": 5}'
    headers = client.signed_headers(connected.secret, body, now=connected.now())
    malformed = connected.integrations.receive(JAKARTA, headers, body)
    assert malformed.status == 422
    assert {f["field"]: f["code"] for f in malformed.body["fields"]} == {
        "type": "integration.type_unknown",
        "tracking_id": "integration.field_missing",
        "officer": "integration.officer_malformed",
    }
    assert malformed.body["fields"][0]["message"]


def test_a_storage_failure_releases_the_event_so_a_retry_applies_it(connected, monkeypatch):
    """503 while the database fails; the same event ID sent again then runs (not a stored 503)."""
    real = connected.desk.follow_up

    def failing(*args: Any, **kwargs: Any) -> Any:
        monkeypatch.setattr(connected.desk, "follow_up", real)
        raise StorageError(detail="storage.operation_failed", params={"operation": "saving", "cause": "X"})

    monkeypatch.setattr(connected.desk, "follow_up", failing)
    first = connected.send("follow_up", "Sudah.", event_id="evt-9")
    again = connected.send("follow_up", "Sudah.", event_id="evt-9")
    assert (first.status, first.body["error"]) == (503, "integration.try_later")
    assert (again.status, again.replayed) == (200, False)


def test_eight_threads_sending_one_event_apply_it_once(connected):
    """Concurrent deliveries of one event ID: one runs, the others get 409 (in progress) or its answer."""
    barrier = threading.Barrier(8)
    answers: list[int] = []

    def deliver() -> None:
        barrier.wait()
        answers.append(connected.send("follow_up", "Sudah.", event_id="evt-race").status)

    threads = [threading.Thread(target=deliver) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(set(answers)) <= [200, 409]
    assert answers.count(200) >= 1
    actions = [e.action for e in connected.desk.history(ADMIN, connected.tid)]
    assert actions.count("follow_up") == 1


# --- credentials --------------------------------------------------------------------------------------------


def test_rotation_accepts_both_secrets_until_it_is_finished(connected):
    """After rotate both secrets sign; after rotate(finish=True) only the new one."""
    old = connected.secret
    new = connected.integrations.rotate(JAKARTA)
    assert new is not None
    assert new.secret != old
    assert connected.send("status", secret=old).status == 200
    assert connected.send("status", secret=new.secret).status == 200
    assert [i.rotating for i in connected.integrations.list()] == [True, False]
    assert connected.integrations.rotate(JAKARTA, finish=True) is None
    assert connected.send("status", secret=old).status == 401
    assert connected.send("status", secret=new.secret).status == 200


def test_a_removed_institution_is_refused(connected):
    """remove: its secret stops working at once; removing again is NotFound."""
    connected.integrations.remove(JAKARTA)
    assert connected.send("status").status == 401
    with pytest.raises(lc.NotFound):
        connected.integrations.remove(JAKARTA)
    with pytest.raises(lc.NotFound):
        connected.integrations.rotate(JAKARTA)


@pytest.mark.parametrize(
    ("institution", "endpoint", "code"),
    [
        ("31.71", None, "integration.exists"),
        ("99.99", None, "integration.institution_unknown"),
        (None, None, "integration.institution_unknown"),
        ("32.73", "ftp://sipp.example/", "address.unknown_scheme"),
        ("32.73", "mailto:a@example.id", "integration.endpoint_not_http"),
    ],
)
def test_adding_refuses_unknown_or_registered_institutions_and_bad_endpoints(
    connected, institution, endpoint, code
):
    """Each refusal is a ValidationError with its code."""
    with pytest.raises(lc.ValidationError) as caught:
        connected.integrations.add(institution, endpoint=endpoint)
    assert [e.code for e in caught.value.errors] == [code]


def test_the_secret_is_derived_not_stored_and_never_in_a_repr(connected, tmp_path):
    """The store keeps salts only; a desk with another pepper derives other secrets (all refused)."""
    records = connected.integrations.store.integrations()
    assert connected.secret not in repr(records)
    credentials = connected.integrations.rotate(JAKARTA)
    assert credentials is not None
    assert credentials.secret not in repr(credentials)
    other_desk = lc.ComplaintDesk.open(
        "memory://", clock=connected.clock, pepper="another pepper, 32 bytes long!!"
    )
    other = Integrations(other_desk, store=connected.integrations.store)
    body = client.event_body("status", connected.tid)
    headers = client.signed_headers(credentials.secret, body, now=connected.now())
    assert other.receive(JAKARTA, headers, body).status == 401


# --- outbound: the institution's endpoint, its own secret ---------------------------------------------------


def test_notifications_reach_the_registered_endpoint_signed_with_the_institutions_secret():
    """forward.institution goes to the endpoint; the client's verify() accepts it with that secret only."""
    desk, clock = make_desk()
    integrations = Integrations(desk)
    with WebhookReceiver("unused secret 0123456789") as receiver:
        secret = receiver.secret = integrations.add(JAKARTA, endpoint=receiver.url()).secret
        receipt = desk.submit(submission(anonymous=True))
        desk.forward(ADMIN, receipt.tracking_id, institution=JAKARTA)
        book = AddressBook.from_dict({"admin": "mailto:admin@lapor.go.id"})
        from lapor_core.testing.recording import RecordingNotifier

        mail = RecordingNotifier()
        notifier = integrations.notifier(mail)
        report = Dispatcher(desk.store, notifier, integrations.recipients(book), clock=clock).deliver()
        assert len(report.sent) == 4, report
        (hit,) = receiver.hits
        assert client.verify([secret], hit.headers, hit.body)
        assert not client.verify([new_secret()], hit.headers, hit.body)
        assert hit.json["template"] == "forward.institution"
        assert b"Siti" not in hit.body
        assert [n.template for n in mail.sent] == ["submit.reporter", "submit.admin", "forward.reporter"]


# --- junk ---------------------------------------------------------------------------------------------------


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.binary(max_size=400)
    | st.builds(lambda d: json.dumps(d).encode(), st.dictionaries(st.text(), st.text())),
    headers=st.dictionaries(
        st.sampled_from(["webhook-id", "webhook-timestamp", "webhook-signature", "x"]), st.text(max_size=80)
    ),
)
def test_junk_requests_get_an_answer_never_an_exception(body, headers):
    """Any bytes and headers: a 4xx answer, nothing raised, nothing changed."""
    desk, _ = make_desk()
    integrations = Integrations(desk)
    integrations.add(JAKARTA)
    answer = integrations.receive(JAKARTA, headers, body)
    assert answer.status == 401


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    event=st.dictionaries(
        st.sampled_from(["type", "tracking_id", "message", "unit", "reason", "officer"]),
        st.none() | st.integers() | st.text(max_size=50),
    )
)
def test_signed_junk_events_get_a_coded_answer(event):
    """Any signed JSON object: 200, 404, 409 or 422, never an exception."""
    desk, clock = make_desk()
    integrations = Integrations(desk)
    secret = integrations.add(JAKARTA).secret
    body = json.dumps(event).encode()
    headers = client.signed_headers(secret, body, now=clock.now().timestamp())
    assert integrations.receive(JAKARTA, headers, body).status in {200, 404, 409, 422}


def test_a_malformed_tracking_id_is_422(connected):
    """Not a tracking ID at all: refused input, not an unknown complaint."""
    answer = connected.send("status", tid="not-a-tracking-id")
    assert (answer.status, answer.body["error"]) == (422, "error.invalid_tracking_id")


def test_a_deployment_error_is_raised_and_leaves_the_event_unclaimed(connected, monkeypatch):
    """A ConfigurationError is the operator's: raised, not stored, so the sender's retry runs the event."""
    real = connected.desk.view

    def broken(*args: Any, **kwargs: Any) -> Any:
        monkeypatch.setattr(connected.desk, "view", real)
        raise lc.ConfigurationError("the directory is broken")

    monkeypatch.setattr(connected.desk, "view", broken)
    with pytest.raises(lc.ConfigurationError):
        connected.send("status", event_id="evt-cfg")
    assert connected.send("status", event_id="evt-cfg").status == 200


@pytest.mark.parametrize(
    ("institution", "headers", "body"),
    [
        (None, {}, b"{}"),
        ("x" * 101, {}, b"{}"),
        (JAKARTA, {"webhook-id": 5, "webhook-timestamp": None, "webhook-signature": b"v1,"}, b"{}"),
        (JAKARTA, {7: "x"}, b"{}"),
        (JAKARTA, [("webhook-id", "x")], b"{}"),
        (JAKARTA, {}, "{}"),
    ],
)
def test_requests_of_the_wrong_types_are_refused_not_raised(institution, headers, body):
    """Junk types from a careless caller: 401, nothing raised."""
    desk, _ = make_desk()
    integrations = Integrations(desk)
    integrations.add(JAKARTA)
    assert integrations.receive(institution, headers, body).status == 401


def test_after_a_rotation_notifications_are_signed_with_the_new_secret():
    """The notifier signs with the current secret: the new one verifies a delivery, the old one does not."""
    desk, clock = make_desk()
    integrations = Integrations(desk)
    with WebhookReceiver("unset secret of 16 bytes") as receiver:
        old = integrations.add(JAKARTA, endpoint=receiver.url()).secret
        rotated = integrations.rotate(JAKARTA)
        assert rotated is not None
        receiver.secret = rotated.secret
        receipt = desk.submit(submission(reporter={"name": "Siti"}))
        desk.forward(ADMIN, receipt.tracking_id, institution=JAKARTA)
        book = integrations.recipients(AddressBook())
        Dispatcher(desk.store, integrations.notifier(), book, clock=clock).deliver()
        (hit,) = receiver.hits
        assert hit.verified
        assert not client.verify([old], hit.headers, hit.body)


def test_without_a_fallback_other_notifications_are_refused_for_good():
    """integrations.notifier() alone sends only to registered endpoints; e-mail is a permanent failure."""
    desk, _ = make_desk()
    integrations = Integrations(desk)
    with pytest.raises(lc.errors.PermanentNotificationError) as caught:
        integrations.notifier().send(build_notification(lc.Address.parse("mailto:admin@lapor.go.id")))
    assert caught.value.detail == "notification.no_route"


def test_a_units_notifications_also_reach_its_institutions_endpoint():
    """A unit's recipient resolves to its institution's endpoint first, then the book's own addresses."""
    desk, _ = make_desk()
    integrations = Integrations(desk)
    integrations.add(JAKARTA, endpoint="https://sipp.jakarta.example/lapor")
    book = integrations.recipients(
        AddressBook.from_dict({"units": {"31.71/dinas-pu": "mailto:pu@jakarta.example"}})
    )
    unit = lc.plugins.Recipient("unit", "31.71/dinas-pu")
    assert [a.target for a in book.resolve(unit, None)] == [
        "https://sipp.jakarta.example/lapor",
        "pu@jakarta.example",
    ]
    assert book.resolve(lc.plugins.Recipient("admin"), None) == ()


def test_an_answer_is_json_bytes_of_its_body():
    """EventAnswer.json() is the UTF-8 JSON the portal sends."""
    answer = lc.integrations.EventAnswer(404, {"error": "error.not_found", "message": "Tidak ditemukan: Ä"})
    assert json.loads(answer.json()) == dict(answer.body)


@settings(max_examples=100)
@given(
    institution=st.from_regex(r"[0-9]{2}(\.[0-9]{2})?", fullmatch=True),
    salts=st.lists(st.binary(min_size=32, max_size=32), min_size=2, max_size=2, unique=True),
)
def test_derived_secrets_are_whsec_keys_of_32_bytes_distinct_per_salt(institution, salts):
    """Property: every derived secret is a Standard Webhooks secret; another salt gives another secret."""
    from lapor_core._domain.integrations import derive_secret

    first, second = (derive_secret(PEPPER.encode(), institution, salt.hex()) for salt in salts)
    assert first != second
    assert len(secret_key(first)) == 32
    assert derive_secret(PEPPER.encode(), institution, salts[0].hex()) == first


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        (b"x" * 70_000, {"body": "integration.body_too_large"}),
        (b"{not json", {"body": "integration.body_not_json"}),
        (b'["follow_up"]', {"body": "integration.body_not_json"}),
        (b"[" * 100_000, {"body": "integration.body_too_large"}),
        (
            json.dumps({"type": "follow_up", "tracking_id": "7K3M", "message": "x" * 10_001}).encode(),
            {"message": "integration.field_too_long"},
        ),
        (
            json.dumps({"type": "decline", "tracking_id": "7K3M-9QXF-2HJ-Q", "reason": "  "}).encode(),
            {"reason": "integration.field_missing"},
        ),
        (
            json.dumps({"type": "status", "tracking_id": "7K3M", "officer": "a\nb"}).encode(),
            {"officer": "integration.officer_malformed"},
        ),
    ],
)
def test_malformed_event_bodies_name_each_bad_field(body, fields):
    """Too large, not JSON, not an object, an oversized or blank text, a multi-line officer: coded fields."""
    with pytest.raises(lc.ValidationError) as caught:
        InboundEvent.from_json(body)
    assert {e.field: e.code for e in caught.value.errors} == fields


def test_a_salt_that_is_not_64_hex_digits_is_refused():
    """derive_secret takes only the salts new_salt makes."""
    with pytest.raises(ValueError, match="64 hexadecimal"):
        derive_secret(PEPPER.encode(), JAKARTA, "zz" * 32)
