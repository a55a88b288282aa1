"""Reporter secrets: access keys, lock-out, an unforgeable reporter principal, identity reveal and erasure."""

from __future__ import annotations

import hashlib
import hmac
import threading
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lapor_core as lc
from desk_support import ADMIN, PEPPER, make_desk, officer, submission
from lapor_core._domain.keys import KEY_BITS, StoredKey, normalize_access_key
from lapor_core.plugins import ReporterIdentity

NAME, EMAIL, NIK = "Kanari Rahasia", "kanari.rahasia@canary.example", "3171999911112222"


def _named(**overrides: object) -> lc.Submission:
    return submission(reporter={"name": NAME, "email": EMAIL, "nik": NIK}, **overrides)


def _error(call) -> lc.LaporError:
    with pytest.raises(lc.LaporError) as caught:
        call()
    return caught.value


def _same_as_unknown(error: lc.LaporError, tid: str, other: lc.LaporError, unknown: str) -> bool:
    def shape(e: lc.LaporError, t: str) -> tuple[str, str, str]:
        return (type(e).__qualname__, str(e).replace(t, "<ID>"), repr(dict(e.fields)).replace(t, "<ID>"))

    return shape(error, tid) == shape(other, unknown)


def _unknown_id(desk: lc.ComplaintDesk) -> str:
    tid = str(lc.TrackingId.new())
    with pytest.raises(lc.NotFound):
        desk.store.get(tid)
    return tid


# --- access keys ------------------------------------------------------------------------------------------
def test_access_keys_carry_at_least_80_random_bits_and_never_repeat():
    """Each receipt has a fresh 16-symbol key (80 bits); 200 submissions give 200 different keys."""
    desk, _ = make_desk()
    keys = {desk.submit(submission()).access_key for _ in range(200)}
    assert KEY_BITS >= 80
    assert len(keys) == 200
    assert all(normalize_access_key(key) == key and len(key.replace("-", "")) == 16 for key in keys)


def test_the_receipt_shows_the_key_once_and_keeps_it_out_of_its_repr():
    """The key is on the receipt, not in its repr (logs)."""
    desk, _ = make_desk()
    receipt = desk.submit(submission())
    assert receipt.access_key not in repr(receipt)


def test_the_store_keeps_only_a_keyed_hash_of_the_access_key():
    """Nothing stored holds the key in clear; what is stored is HMAC-SHA256(pepper, salt + key)."""
    desk, _ = make_desk()
    receipt = desk.submit(_named())
    tid = receipt.tracking_id
    complaint = desk.store.get(tid)
    stored = [repr(complaint), repr(desk.store.history(tid)), repr(desk.store.pending_outbox())]
    stored.append(repr(desk.store.identity(complaint.identity_ref)))
    bare = receipt.access_key.replace("-", "")
    assert not any(receipt.access_key in text or bare in text for text in stored)
    key = complaint.access_key
    expected = hmac.digest(PEPPER.encode(), key.salt + receipt.access_key.encode(), hashlib.sha256)
    assert key.digest == expected


def test_a_key_opens_its_complaint_only_under_its_deployment_pepper():
    """A desk with another pepper on the same store cannot verify the key (the pepper lives outside)."""
    desk, clock = make_desk()
    receipt = desk.submit(submission())
    other = lc.ComplaintDesk(store=desk.store, clock=clock, pepper="another deployment's secret pepper")
    with pytest.raises(lc.NotFound):
        other.authenticate(receipt.tracking_id, receipt.access_key)
    assert desk.authenticate(receipt.tracking_id, receipt.access_key).role is lc.Role.REPORTER


@pytest.mark.parametrize("wrong", ["0000-0000-0000-0000", "", None, 12345, "x" * 10_000, "\x00", b"bytes"])
def test_a_wrong_key_is_answered_exactly_as_an_unknown_tracking_id(wrong):
    """Wrong or junk keys on a real ID give the same NotFound (type, message, fields) as an unknown ID."""
    desk, _ = make_desk()
    tid = desk.submit(submission()).tracking_id
    unknown = _unknown_id(desk)
    on_real = _error(lambda: desk.authenticate(tid, wrong))
    on_unknown = _error(lambda: desk.authenticate(unknown, wrong))
    assert isinstance(on_real, lc.NotFound)
    assert _same_as_unknown(on_real, tid, on_unknown, unknown)


def test_the_key_is_read_as_loosely_as_it_is_typed():
    """Lower case, spaces instead of hyphens and O for 0 still open the complaint."""
    desk, _ = make_desk()
    receipt = desk.submit(submission())
    typed = receipt.access_key.lower().replace("-", " ").replace("0", "o")
    assert desk.authenticate(receipt.tracking_id, typed) == desk.authenticate(
        receipt.tracking_id, receipt.access_key
    )


@settings(max_examples=60)
@given(key=st.one_of(st.text(max_size=80), st.binary(max_size=40), st.integers(), st.none()))
def test_authenticate_answers_any_junk_with_not_found(key):
    """Whatever is typed as a key, the answer is NotFound; nothing else escapes."""
    desk, _ = make_desk(max_key_failures=1_000)
    tid = desk.submit(submission()).tracking_id
    with pytest.raises(lc.NotFound):
        desk.authenticate(tid, key)


# --- lock-out: per client, never per tracking ID ------------------------------------------------------------
WRONG = "0000-0000-0000-0000"


def test_five_wrong_keys_from_a_stranger_no_longer_lock_the_owner_out():
    """A stranger's wrong keys on a public tracking ID refuse the stranger only; the owner opens at once."""
    desk, _ = make_desk()
    receipt = desk.submit(submission())
    tid = receipt.tracking_id
    for _ in range(5):
        assert isinstance(_error(lambda: desk.authenticate(tid, WRONG, client="stranger")), lc.NotFound)
    assert isinstance(_error(lambda: desk.authenticate(tid, WRONG, client="stranger")), lc.TooManyAttempts)
    assert desk.authenticate(tid, receipt.access_key, client="owner").tracking_id == tid
    assert desk.authenticate(tid, receipt.access_key).tracking_id == tid
    assert isinstance(_error(lambda: desk.authenticate(tid, WRONG, client="owner")), lc.NotFound)


def test_a_correct_key_opens_even_for_a_client_over_its_limit():
    """The limit refuses wrong keys only: a client past it (a shared address) still opens with the key."""
    desk, _ = make_desk(max_key_failures=2)
    receipt = desk.submit(submission())
    tid = receipt.tracking_id
    for _ in range(2):
        _error(lambda: desk.authenticate(tid, WRONG, client="shared-nat"))
    assert isinstance(_error(lambda: desk.authenticate(tid, WRONG, client="shared-nat")), lc.TooManyAttempts)
    reporter = desk.authenticate(tid, receipt.access_key, client="shared-nat")
    assert desk.view(reporter, tid).reporter.nik == "3171234567890001"


def test_failures_are_counted_per_client_across_every_tracking_id():
    """Wrong keys on three different IDs (one unknown, one malformed) use up one client's limit of three."""
    desk, _ = make_desk(max_key_failures=3)
    first, second = (desk.submit(submission()).tracking_id for _ in range(2))
    targets = (first, _unknown_id(desk), "not an id")
    for target in targets:
        assert isinstance(_error(lambda t=target: desk.authenticate(t, WRONG, client="c1")), lc.NotFound)
    refused = _error(lambda: desk.authenticate(second, WRONG, client="c1"))
    assert isinstance(refused, lc.TooManyAttempts)
    assert isinstance(_error(lambda: desk.authenticate(second, WRONG, client="c2")), lc.NotFound)


def test_clients_are_isolated_from_each_other():
    """Each client has its own count: one client over its limit leaves every other client's answers alone."""
    desk, _ = make_desk(max_key_failures=1)
    tid = desk.submit(submission()).tracking_id
    for client in ("a", "b"):
        assert isinstance(_error(lambda c=client: desk.authenticate(tid, WRONG, client=c)), lc.NotFound)
    for client in ("a", "b"):
        locked = _error(lambda c=client: desk.authenticate(tid, WRONG, client=c))
        assert isinstance(locked, lc.TooManyAttempts)
    assert isinstance(_error(lambda: desk.authenticate(tid, WRONG, client="c")), lc.NotFound)


def test_callers_without_a_client_are_not_counted():
    """With no client the desk cannot tell callers apart, so it refuses none of them, and counts nothing."""
    desk, _ = make_desk(max_key_failures=1)
    tid = desk.submit(submission()).tracking_id
    for _ in range(20):
        assert isinstance(_error(lambda: desk.authenticate(tid, WRONG)), lc.NotFound)
        assert isinstance(_error(lambda: desk.authenticate("not an id", WRONG)), lc.NotFound)
    assert isinstance(_error(lambda: desk.authenticate(tid, WRONG, client="a")), lc.NotFound)
    assert isinstance(_error(lambda: desk.authenticate(tid, WRONG, client="a")), lc.TooManyAttempts)


def test_the_lock_out_does_not_tell_whether_the_id_exists():
    """Over the limit, a known and an unknown ID get the same TooManyAttempts (type, message, fields)."""
    desk, clock = make_desk(max_key_failures=3)
    tid, unknown = desk.submit(submission()).tracking_id, _unknown_id(desk)
    for target in (tid, unknown, tid):
        _error(lambda t=target: desk.authenticate(t, WRONG, client="probe"))
    locked = _error(lambda: desk.authenticate(tid, WRONG, client="probe"))
    locked_unknown = _error(lambda: desk.authenticate(unknown, WRONG, client="probe"))
    assert isinstance(locked, lc.TooManyAttempts)
    assert isinstance(locked, PermissionError)
    assert _same_as_unknown(locked, tid, locked_unknown, unknown)
    assert tid not in str(locked)
    assert locked.retry_after_seconds == 900
    clock.advance(minutes=10)
    assert _error(lambda: desk.authenticate(unknown, WRONG, client="probe")).retry_after_seconds == 300


def test_the_limit_lifts_after_the_window_and_a_success_forgives_nothing():
    """A success does not reset the count (one valid key must not buy more guesses); 15 minutes do."""
    desk, clock = make_desk(max_key_failures=2)
    receipt = desk.submit(submission())
    tid = receipt.tracking_id
    for _ in range(2):
        _error(lambda: desk.authenticate(tid, WRONG, client="c"))
    assert desk.authenticate(tid, receipt.access_key, client="c").tracking_id == tid
    assert isinstance(_error(lambda: desk.authenticate(tid, WRONG, client="c")), lc.TooManyAttempts)
    clock.advance(seconds=899)
    assert _error(lambda: desk.authenticate(tid, WRONG, client="c")).retry_after_seconds == 1
    clock.advance(seconds=1)
    assert isinstance(_error(lambda: desk.authenticate(tid, WRONG, client="c")), lc.NotFound)


def test_refused_attempts_do_not_prolong_the_lock_out():
    """Hammering while refused is not counted: the limit still lifts 15 minutes after the counted failures."""
    desk, clock = make_desk(max_key_failures=1)
    tid = desk.submit(submission()).tracking_id
    _error(lambda: desk.authenticate(tid, WRONG, client="c"))
    for _ in range(14):
        clock.advance(minutes=1)
        assert isinstance(_error(lambda: desk.authenticate(tid, WRONG, client="c")), lc.TooManyAttempts)
    clock.advance(minutes=1)
    assert isinstance(_error(lambda: desk.authenticate(tid, WRONG, client="c")), lc.NotFound)


def test_an_unknown_id_costs_the_same_keyed_hash_as_a_wrong_key(monkeypatch):
    """Both paths run exactly one key verification, so timing does not tell whether the ID exists."""
    desk, _ = make_desk()
    tid = desk.submit(submission()).tracking_id
    calls: list[bytes] = []
    real = StoredKey.verify

    def counting(self: StoredKey, key: object, *, pepper: bytes) -> bool:
        calls.append(self.salt)
        return real(self, key, pepper=pepper)

    monkeypatch.setattr(StoredKey, "verify", counting)
    for target in (tid, _unknown_id(desk)):
        _error(lambda t=target: desk.authenticate(t, WRONG, client="timing"))
    assert len(calls) == 2


def test_a_malformed_tracking_id_is_simply_not_found():
    """Text that cannot be a tracking ID is NotFound too (its shape says nothing about existence)."""
    desk, _ = make_desk()
    error = _error(lambda: desk.authenticate("not an id", WRONG))
    assert isinstance(error, lc.NotFound)
    assert isinstance(_error(lambda: desk.authenticate(None, "k")), lc.NotFound)


@pytest.mark.parametrize(
    ("client", "code"),
    [
        (123, "value.not_string"),
        (b"10.0.0.1", "value.not_string"),
        (["a"], "value.not_string"),
        (True, "value.not_string"),
        ("", "text.empty"),
        ("   ", "text.empty"),
        ("x" * 257, "text.too_long"),
        ("a\x00b", "text.not_one_line"),
    ],
)
def test_a_client_key_that_is_not_short_one_line_text_is_refused(client, code):
    """The embedder's client key is checked first: ValidationError on ``client``, whatever the access key."""
    desk, _ = make_desk()
    receipt = desk.submit(submission())
    error = _error(lambda: desk.authenticate(receipt.tracking_id, receipt.access_key, client=client))
    assert isinstance(error, lc.ValidationError)
    assert error.fields_by_name == {"client": (code,)}
    assert repr(client) not in str(error)


def test_a_client_key_of_256_characters_is_taken_as_given():
    """The longest client key is accepted, and keys differing only by surrounding spaces are two clients."""
    desk, _ = make_desk(max_key_failures=1)
    tid = desk.submit(submission()).tracking_id
    _error(lambda: desk.authenticate(tid, WRONG, client="k" * 256))
    assert isinstance(_error(lambda: desk.authenticate(tid, WRONG, client="k" * 256)), lc.TooManyAttempts)
    assert isinstance(_error(lambda: desk.authenticate(tid, WRONG, client=" a")), lc.NotFound)
    assert isinstance(_error(lambda: desk.authenticate(tid, WRONG, client="a")), lc.NotFound)


@pytest.mark.parametrize("bad", [0, -1, True, "5", 2.5, None])
def test_a_lock_out_limit_that_is_not_a_positive_whole_number_is_a_configuration_error(bad):
    """``max_key_failures`` must be a whole number of at least 1; anything else fails making the desk."""
    from lapor_core._application.authentication import AttemptLimiter

    with pytest.raises(lc.ConfigurationError, match="max_failures"):
        make_desk(max_key_failures=bad)
    for name in ("max_failures", "window_seconds", "max_clients"):
        with pytest.raises(lc.ConfigurationError, match=name):
            AttemptLimiter(**{name: bad})


_ATTEMPT = st.tuples(st.sampled_from(["a", "b", "c", None]), st.sampled_from(["right", "wrong", "unknown"]))


@settings(max_examples=60, deadline=None)
@given(attempts=st.lists(_ATTEMPT, max_size=30), limit=st.integers(1, 4))
def test_a_correct_key_always_opens_and_each_client_gets_its_limit_of_answers(attempts, limit):
    """Against a model: the right key always opens; a client's first failures are NotFound, then refused.

    Each client gets ``limit`` NotFound answers for wrong keys, then TooManyAttempts, whatever the others do;
    callers without a client always get NotFound.
    """
    desk, _ = make_desk(max_key_failures=limit)
    receipt = desk.submit(submission())
    unknown = _unknown_id(desk)
    failures: dict[str | None, int] = {}
    for client, attempt in attempts:
        if attempt == "right":
            assert desk.authenticate(receipt.tracking_id, receipt.access_key, client=client).proof
            continue
        tid = receipt.tracking_id if attempt == "wrong" else unknown
        error = _error(lambda t=tid, c=client: desk.authenticate(t, WRONG, client=c))
        refused = client is not None and failures.get(client, 0) >= limit
        expected = lc.TooManyAttempts if refused else lc.NotFound
        assert type(error) is expected
        failures[client] = min(failures.get(client, 0) + 1, limit)


# --- the reporter principal ---------------------------------------------------------------------------------
def test_a_reporter_principal_cannot_be_made_from_the_public_tracking_id():
    """Principal.reporter(tid) without the key is the public: unpublished is NotFound, nothing can be done."""
    desk, _ = make_desk()
    receipt = desk.submit(_named())
    tid = receipt.tracking_id
    desk.request_info(ADMIN, tid, "Mohon foto.")
    for forged in (lc.Principal.reporter(tid), lc.Principal.reporter(tid, proof="0" * 64)):
        assert isinstance(_error(lambda f=forged: desk.view(f, tid)), lc.NotFound)
        assert isinstance(_error(lambda f=forged: desk.provide_info(f, tid, "Foto.")), lc.NotFound)
    assert desk.view(lc.Principal.admin("a"), tid).status is lc.Status.ON_HOLD


def test_a_reporters_proof_opens_only_the_complaint_it_was_issued_for():
    """Copying the proof of one complaint onto another tracking ID gives the public's answer."""
    desk, _ = make_desk()
    mine = desk.submit(_named())
    theirs = desk.submit(_named()).tracking_id
    proof = desk.authenticate(mine.tracking_id, mine.access_key).proof
    transplanted = lc.Principal.reporter(theirs, proof=proof)
    assert isinstance(_error(lambda: desk.view(transplanted, theirs)), lc.NotFound)


def test_a_reporters_principal_from_another_deployment_opens_nothing_here():
    """The proof is keyed by the pepper: shown to a desk with another pepper, the principal is the public."""
    desk, clock = make_desk()
    receipt = desk.submit(_named())
    tid = receipt.tracking_id
    home = desk.authenticate(tid, receipt.access_key)
    elsewhere = lc.ComplaintDesk(store=desk.store, clock=clock, pepper="another deployment's secret pepper")
    assert isinstance(_error(lambda: elsewhere.view(home, tid)), lc.NotFound)
    assert desk.view(home, tid).reporter.nik == NIK


def test_the_citizen_account_that_submitted_is_the_reporter():
    """A complaint submitted while signed in is the account's own; other accounts are citizens."""
    desk, _ = make_desk()
    owner = lc.Principal.citizen("akun-pelapor")
    tid = desk.submit(_named(), owner).tracking_id
    assert desk.view(owner, tid).reporter.account_id == "akun-pelapor"
    assert isinstance(_error(lambda: desk.view(lc.Principal.citizen("akun-lain"), tid)), lc.NotFound)


# --- identity in its own record, reveal and erasure (UU PDP 27/2022) ---------------------------------------
def test_the_identity_lives_in_its_own_record_referenced_from_the_complaint():
    """The complaint holds only a random reference; name, contact and NIK are only in the identity record."""
    desk, _ = make_desk()
    tid = desk.submit(_named(), lc.Principal.citizen("akun-pelapor")).tracking_id
    complaint = desk.store.get(tid)
    outside = repr(complaint) + repr(desk.store.history(tid)) + repr(desk.store.pending_outbox())
    assert not any(secret in outside for secret in (NAME, EMAIL, NIK, "akun-pelapor"))
    identity = desk.store.identity(complaint.identity_ref)
    assert (identity.name, identity.email, identity.nik, identity.account_id) == (
        NAME,
        EMAIL,
        NIK,
        "akun-pelapor",
    )


def test_erasure_removes_the_identity_while_history_and_statistics_stay_intact():
    """After erasure the chain verifies, the counted fields are unchanged and no reader gets the identity."""
    desk, _ = make_desk()
    owner = lc.Principal.citizen("akun-pelapor")
    receipt = desk.submit(_named(), owner)
    tid = receipt.tracking_id
    desk.forward(ADMIN, tid, institution="31.71", category="infrastructure")
    desk.follow_up(officer(), tid, "Sudah ditambal.")
    before = desk.store.get(tid)
    events_before = desk.store.history(tid)
    desk.erase_identity(ADMIN, tid, "Permintaan subjek data.")
    after = desk.store.get(tid)
    assert desk.verify_history(tid).ok
    assert tuple(desk.store.history(tid))[: len(events_before)] == tuple(events_before)
    counted = (
        "status",
        "kind",
        "channel",
        "category",
        "location",
        "institution",
        "submitted_at",
        "anonymous",
    )
    assert all(getattr(after, f) == getattr(before, f) for f in counted)
    assert desk.store.identity(after.identity_ref) == ReporterIdentity(ref=after.identity_ref, erased=True)
    last = desk.history(ADMIN, tid)[-1]
    assert (last.action, last.payload) == (lc.Action.ERASE_IDENTITY, {"reason": "Permintaan subjek data."})
    for reader in (ADMIN, officer(), desk.authenticate(tid, receipt.access_key)):
        shown = repr(desk.view(reader, tid))
        assert NAME not in shown
        assert EMAIL not in shown
    assert desk.reveal_identity(ADMIN, tid, "Audit.").name is None
    assert desk.view(owner, tid) == desk.view(lc.Principal.public(), tid)


def test_after_erasure_the_account_no_longer_links_to_the_complaint():
    """The account's keyed hash goes with the identity: the account is now an ordinary citizen."""
    desk, _ = make_desk()
    owner = lc.Principal.citizen("akun-pelapor")
    receipt = desk.submit(_named(), owner)
    tid = receipt.tracking_id
    desk.erase_identity(ADMIN, tid, "Permintaan subjek data.")
    assert desk.store.get(tid).owner_hash is None
    assert isinstance(_error(lambda: desk.view(owner, tid)), lc.NotFound)
    reporter = desk.authenticate(tid, receipt.access_key)
    assert desk.view(reporter, tid).status is lc.Status.SUBMITTED


def test_only_admins_reveal_or_erase_an_identity():
    """The reporter and the handling institution may not; the public does not even know the complaint."""
    desk, _ = make_desk()
    receipt = desk.submit(_named(anonymous=True))
    tid = receipt.tracking_id
    reporter = desk.authenticate(tid, receipt.access_key)
    for attempt in (
        lambda: desk.reveal_identity(reporter, tid, "Saya sendiri."),
        lambda: desk.erase_identity(reporter, tid, "Hapus."),
    ):
        assert isinstance(_error(attempt), lc.NotAllowed)
    desk.forward(ADMIN, tid, institution="31.71")
    assert isinstance(_error(lambda: desk.reveal_identity(officer(), tid, "Perlu kontak.")), lc.NotAllowed)
    assert isinstance(_error(lambda: desk.erase_identity(officer(), tid, "Hapus.")), lc.NotAllowed)
    assert isinstance(_error(lambda: desk.reveal_identity(lc.Principal.public(), tid, "x")), lc.NotAllowed)
    assert [e.action for e in desk.history(ADMIN, tid)] == [lc.Action.SUBMIT, lc.Action.FORWARD]


def test_a_reveal_needs_a_reason_and_is_recorded_with_who_and_why():
    """No reason, no reveal (nothing recorded); with one, the event names the admin and the reason."""
    desk, _ = make_desk()
    tid = desk.submit(_named(anonymous=True)).tracking_id
    for bad in ("", "   ", None, "x" * 1001):
        assert isinstance(_error(lambda b=bad: desk.reveal_identity(ADMIN, tid, b)), lc.ValidationError)
    assert len(desk.history(ADMIN, tid)) == 1
    shown = desk.reveal_identity(lc.Principal.admin("adm-9"), tid, "Permintaan Ombudsman.")
    assert (shown.name, shown.email, shown.nik) == (NAME, EMAIL, NIK)
    event = desk.history(ADMIN, tid)[-1]
    assert (event.action, event.actor.user_id, event.payload["reason"]) == (
        lc.Action.REVEAL_IDENTITY,
        "adm-9",
        "Permintaan Ombudsman.",
    )
    assert desk.verify_history(tid).ok


def test_erasing_a_complaint_without_identity_is_not_found():
    """Nothing identifies the reporter: there is no identity record to erase."""
    desk, _ = make_desk()
    tid = desk.submit(submission(reporter=None)).tracking_id
    error = _error(lambda: desk.erase_identity(ADMIN, tid, "Hapus."))
    assert isinstance(error, lc.NotFound)
    assert error.kind == "reporter identity"


def test_the_attempt_limiter_forgets_expired_failures_of_clients_never_seen_again():
    """Failures of thousands of clients are dropped once their window has passed, bounding memory."""
    from lapor_core._application.authentication import AttemptLimiter

    limiter = AttemptLimiter(max_failures=5, window_seconds=60)
    start = datetime(2026, 3, 17, tzinfo=UTC)
    for i in range(1500):
        limiter.failed(f"client-{i}", start)
    assert limiter.tracked() == 1500
    later = start + timedelta(seconds=61)
    for i in range(10):
        limiter.failed(f"new-{i}", later)
    assert limiter.tracked() == 10


def test_the_attempt_limiter_keeps_at_most_max_clients_and_forgets_the_stalest_first():
    """Past ``max_clients`` the client whose last failure is oldest is forgotten; recent ones stay limited."""
    from lapor_core._application.authentication import AttemptLimiter

    limiter = AttemptLimiter(max_failures=1, window_seconds=900, max_clients=100)
    start = datetime(2026, 3, 17, tzinfo=UTC)
    for i in range(1000):
        limiter.failed(f"client-{i}", start + timedelta(milliseconds=i))
    now = start + timedelta(seconds=2)
    assert limiter.tracked() == 100
    with pytest.raises(lc.TooManyAttempts):
        limiter.failed("client-999", now)
    limiter.failed("client-0", now)
    assert limiter.tracked() == 100


def test_the_attempt_limiter_counts_exactly_under_concurrent_failures():
    """Eight threads failing for one client at once: exactly ``max_failures`` counted, the rest refused."""
    from lapor_core._application.authentication import AttemptLimiter

    limiter = AttemptLimiter(max_failures=1000, window_seconds=900)
    now = datetime(2026, 3, 17, tzinfo=UTC)
    refused: list[int] = []

    def hammer() -> None:
        for _ in range(200):
            try:
                limiter.failed("shared", now)
            except lc.TooManyAttempts:
                refused.append(1)

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(refused) == 8 * 200 - 1000
    assert limiter.tracked() == 1


def test_the_attempt_limiter_survives_a_clock_that_goes_backwards():
    """A clock set back keeps failures counted and never promises a wait longer than the window."""
    from lapor_core._application.authentication import AttemptLimiter

    limiter = AttemptLimiter(max_failures=1, window_seconds=60)
    now = datetime(2026, 3, 17, tzinfo=UTC)
    limiter.failed("c", now)
    with pytest.raises(lc.TooManyAttempts) as caught:
        limiter.failed("c", now - timedelta(hours=1))
    assert caught.value.retry_after_seconds == 60
