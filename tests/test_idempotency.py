"""Idempotent submissions and replies: the pure rules (keys, fingerprints, derived access keys) and the desk.

The store side (one complaint under races, pruning, nothing half-saved) is in the store contract, which every
store runs (tests/stores); the cross-process race on SQLite is in tests/stores/test_idempotency_processes.py.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import lapor_core as lc
from lapor_core._application import submissions
from lapor_core._domain.idempotency import (
    MAX_KEY_LENGTH,
    check_idempotency_key,
    command_fingerprint,
    key_hash,
    submission_fingerprint,
)
from lapor_core._domain.keys import derived_access_key, normalize_access_key
from lapor_core._domain.ports import Changeset, ComplaintQuery
from lapor_core.stores.memory import InMemoryComplaintStore
from lapor_core.testing import FrozenClock

PEPPER = b"test pepper, sixteen bytes or more"
START = datetime(2026, 12, 7, 9, tzinfo=UTC)
FORM: dict[str, Any] = {
    "kind": "pengaduan",
    "channel": "web",
    "title": "Jalan berlubang",
    "body": "Lubang besar di depan SDN 3 Menteng.",
    "location": {"region": "31.71.01", "lat": -6.2, "lon": 106.8},
    "reporter": {"name": "Siti Aminah", "phone": "+6281234567890"},
}

_texts = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), min_size=1, max_size=30
).filter(str.strip)
_forms = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["pengaduan", "aspirasi", "permintaan_informasi"]),
        "channel": st.sampled_from(["web", "sms", "mobile", "api"]),
        "title": _texts,
        "body": _texts,
        "anonymous": st.booleans(),
        "confidential": st.booleans(),
    },
    optional={
        "location": st.fixed_dictionaries(
            {"lat": st.floats(-11, 6) | st.just(-0.0), "lon": st.floats(95, 141)}
        ),
        "reporter": st.fixed_dictionaries({"name": _texts}),
    },
)


def _submission(form: dict[str, Any]) -> lc.Submission | None:
    try:
        return lc.Submission.from_dict(form)
    except lc.ValidationError:
        return None


@pytest.fixture
def clock() -> FrozenClock:
    """A clock standing at the start of the tests' day."""
    return FrozenClock(START)


@pytest.fixture
def desk(clock: FrozenClock) -> Iterator[lc.ComplaintDesk]:
    """A desk on a new in-memory store, with a frozen clock and a one-day idempotency window."""
    with lc.ComplaintDesk(clock=clock, pepper=PEPPER, idempotency_window=timedelta(days=1)) as made:
        yield made


# -- the pure rules ------------------------------------------------------------------------------------------


@given(form=_forms, account=st.none() | st.sampled_from(["warga-1", "warga-2"]))
def test_fingerprint_is_the_same_for_equal_submissions(form: dict[str, Any], account: str | None) -> None:
    """Two equal submissions (built separately, -0.0 for 0.0 too) by one account have one fingerprint."""
    first = _submission(form)
    if first is None:
        return
    location = form.get("location")
    copied = {**form, "location": {k: v + 0.0 for k, v in location.items()}} if location else dict(form)
    second = _submission(copied)
    assert second == first
    assert submission_fingerprint(PEPPER, first, account) == submission_fingerprint(PEPPER, second, account)


@given(
    one=_forms, other=_forms, accounts=st.tuples(*[st.none() | st.sampled_from(["warga-1", "warga-2"])] * 2)
)
def test_fingerprint_differs_when_the_content_or_the_account_differs(
    one: dict[str, Any], other: dict[str, Any], accounts: tuple[str | None, str | None]
) -> None:
    """Different submissions, or one submission by different accounts, have different fingerprints."""
    first, second = _submission(one), _submission(other)
    if first is None or second is None:
        return
    same = first == second and accounts[0] == accounts[1]
    fingerprints = (
        submission_fingerprint(PEPPER, first, accounts[0]),
        submission_fingerprint(PEPPER, second, accounts[1]),
    )
    assert (fingerprints[0] == fingerprints[1]) is same


def test_fingerprint_counts_every_field_of_the_reporter_and_the_location() -> None:
    """A phone number or a region alone changes the fingerprint; the pepper keys it."""
    base = lc.Submission.from_dict(FORM)
    changed = [
        lc.Submission.from_dict({**FORM, "reporter": {**FORM["reporter"], "phone": "+6281234567891"}}),
        lc.Submission.from_dict({**FORM, "location": {**FORM["location"], "region": "31.71.02"}}),
        lc.Submission.from_dict({**FORM, "channel": "sms"}),
    ]
    fingerprint = submission_fingerprint(PEPPER, base)
    assert all(submission_fingerprint(PEPPER, c) != fingerprint for c in changed)
    assert submission_fingerprint(b"another pepper of 16+ bytes", base) != fingerprint
    assert len(fingerprint) == 64
    assert int(fingerprint, 16) >= 0


@given(key=st.text(min_size=1, max_size=MAX_KEY_LENGTH).filter(lambda k: k.strip() and k.isprintable()))
def test_key_hash_and_derived_access_key_are_stable_and_keyed(key: str) -> None:
    """One key gives one hash and one access key; another pepper another hash; a hash is 64 hex digits."""
    assert check_idempotency_key(key) == key
    assert key_hash(PEPPER, key) == key_hash(PEPPER, key) != key_hash(b"another pepper of 16+ bytes", key)
    access = derived_access_key(PEPPER, "idempotency-access-key", key)
    assert access == derived_access_key(PEPPER, "idempotency-access-key", key)
    assert normalize_access_key(access) == access
    hashed = key_hash(PEPPER, key)
    assert len(hashed) == 64
    assert set(hashed) <= set("0123456789abcdef")


def test_different_keys_derive_different_access_keys() -> None:
    """Access keys derived from 2,000 different keys are all different (80 bits each)."""
    derived = {derived_access_key(PEPPER, "idempotency-access-key", f"form-{n}") for n in range(2_000)}
    assert len(derived) == 2_000


def test_derived_access_key_needs_a_pepper() -> None:
    """An empty pepper is a configuration error, as for stored keys."""
    with pytest.raises(lc.ConfigurationError):
        derived_access_key(b"", "idempotency-access-key", "form-1")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (17, "value.not_string"),
        (b"form-1", "value.not_string"),
        (["form-1"], "value.not_string"),
        ("", "text.empty"),
        (" \t ", "text.empty"),
        ("k" * (MAX_KEY_LENGTH + 1), "text.too_long"),
        ("form\n1", "idempotency.key_malformed"),
        ("form\x001", "idempotency.key_malformed"),
        ("form\ud8001", "idempotency.key_malformed"),
        ("form\u202e1", "idempotency.key_malformed"),
    ],
)
def test_a_bad_idempotency_key_is_refused_naming_the_field(value: object, code: str) -> None:
    """Wrong types, blank, too long or unprintable keys raise ValidationError on ``idempotency_key``."""
    with pytest.raises(lc.ValidationError) as raised:
        check_idempotency_key(value)
    (error,) = raised.value.errors
    assert (error.field, error.code) == ("idempotency_key", code)


def test_the_longest_key_is_accepted_as_given() -> None:
    """A key of 200 characters, spaces and non-ASCII included, is kept exactly."""
    key = " Ünïcode key " + "x" * (MAX_KEY_LENGTH - 13)
    assert check_idempotency_key(key) == key


# -- the desk ------------------------------------------------------------------------------------------------
class _Plain:
    """A store with only the ComplaintStore methods (no idempotency keys), by delegation."""

    def __init__(self) -> None:
        self.inner = InMemoryComplaintStore()

    def save(self, changes: Changeset) -> None:
        self.inner.save(changes)

    def __getattr__(self, name: str) -> Any:
        if name in {"find_idempotency_key", "prune_idempotency_keys", "save_many"}:
            raise AttributeError(name)
        return getattr(self.inner, name)


def test_a_bad_key_stores_nothing(desk: lc.ComplaintDesk) -> None:
    """A refused key is refused before anything is stored."""
    with pytest.raises(lc.ValidationError):
        desk.submit(lc.Submission.from_dict(FORM), idempotency_key="")
    with pytest.raises(lc.ValidationError):
        desk.submit(lc.Submission.from_dict(FORM), idempotency_key=42)  # type: ignore[arg-type]
    assert desk.store.query(ComplaintQuery()).items == ()


def test_a_bad_submission_under_a_key_is_refused_before_the_key_is_looked_at(desk: lc.ComplaintDesk) -> None:
    """The submission and principal are checked first; the key is then free for the corrected one."""
    with pytest.raises(lc.ValidationError):
        desk.submit("not a submission", idempotency_key="form-1")  # type: ignore[arg-type]
    with pytest.raises(lc.ValidationError):
        desk.submit(lc.Submission.from_dict(FORM), lc.Principal.admin("adm-1"), idempotency_key="form-1")
    receipt = desk.submit(lc.Submission.from_dict(FORM), idempotency_key="form-1")
    assert desk.store.get(receipt.tracking_id).title == FORM["title"]


def test_a_repeat_by_the_same_citizen_returns_the_receipt(desk: lc.ComplaintDesk) -> None:
    """A logged-in citizen's repeat is the same submission; the complaint is theirs."""
    citizen = lc.Principal.citizen("warga-7")
    first = desk.submit(lc.Submission.from_dict(FORM), citizen, idempotency_key="form-2")
    assert desk.submit(lc.Submission.from_dict(FORM), citizen, idempotency_key="form-2") == first
    assert len(desk.store.query(ComplaintQuery()).items) == 1


def test_the_conflict_names_neither_the_key_nor_the_complaint(desk: lc.ComplaintDesk) -> None:
    """The error says when the key was used, in both languages, and survives pickling; no key, no ID."""
    first = desk.submit(lc.Submission.from_dict(FORM), idempotency_key="secret-form-key-3")
    with pytest.raises(lc.IdempotencyConflict) as raised:
        desk.submit(lc.Submission.from_dict({**FORM, "title": "Lain"}), idempotency_key="secret-form-key-3")
    error = raised.value
    assert isinstance(error, ValueError)
    assert error.fields == {"field": "idempotency_key", "first_used_at": START}
    for text in (str(error), error.describe(), error.describe("en")):
        assert "secret-form-key-3" not in text
        assert first.tracking_id not in text
    assert "sudah dipakai" in error.describe()
    assert "already used" in error.describe("en")
    assert pickle.loads(pickle.dumps(error)).fields == error.fields  # noqa: S301 - our own object


def test_a_store_without_idempotency_keys_refuses_a_key_loudly() -> None:
    """A store without the capability: ConfigurationError, nothing stored; without a key it works."""
    plain = _Plain()
    desk = lc.ComplaintDesk(store=plain, pepper=PEPPER)
    with pytest.raises(lc.ConfigurationError, match="idempotency"):
        desk.submit(lc.Submission.from_dict(FORM), idempotency_key="form-4")
    assert plain.inner.query(ComplaintQuery()).items == ()
    desk.submit(lc.Submission.from_dict(FORM))
    assert submissions.prune_idempotency_keys(desk._ctx) == 0


@pytest.mark.parametrize(
    "window", [timedelta(0), timedelta(seconds=59), timedelta(days=-7), 7, "7d", None, True]
)
def test_an_idempotency_window_under_a_minute_or_not_a_timedelta_is_refused(window: object) -> None:
    """The window is a timedelta of at least one minute."""
    with pytest.raises(lc.ConfigurationError, match="idempotency_window"):
        lc.ComplaintDesk(pepper=PEPPER, idempotency_window=window)  # type: ignore[arg-type]


def test_pruning_forgets_keys_older_than_the_window(desk: lc.ComplaintDesk, clock: FrozenClock) -> None:
    """Within the window a repeat returns the receipt; after pruning the key makes a new complaint."""
    first = desk.submit(lc.Submission.from_dict(FORM), idempotency_key="form-5")
    clock.advance(hours=23)
    later = desk.submit(lc.Submission.from_dict({**FORM, "title": "Kedua"}), idempotency_key="form-6")
    assert submissions.prune_idempotency_keys(desk._ctx) == 0
    assert desk.submit(lc.Submission.from_dict(FORM), idempotency_key="form-5") == first
    clock.advance(hours=2)  # form-5 is 25 hours old, form-6 two
    assert submissions.prune_idempotency_keys(desk._ctx) == 1
    again = desk.submit(lc.Submission.from_dict(FORM), idempotency_key="form-5")
    assert again.tracking_id != first.tracking_id
    assert desk.submit(lc.Submission.from_dict({**FORM, "title": "Kedua"}), idempotency_key="form-6") == later
    assert submissions.prune_idempotency_keys(desk._ctx, START + timedelta(days=3)) == 2
    assert len(desk.store.query(ComplaintQuery()).items) == 3


def test_pruning_refuses_a_naive_instant() -> None:
    """``prune_idempotency_keys(before)`` needs an aware instant on every built-in store."""
    with pytest.raises(lc.ValidationError):
        InMemoryComplaintStore().prune_idempotency_keys(datetime(2026, 12, 7))  # noqa: DTZ001


def test_a_store_that_keeps_refusing_the_save_ends_in_a_storage_error(desk: lc.ComplaintDesk) -> None:
    """A store refusing every save without a record to answer from: StorageError after a few tries."""
    store = desk.store
    assert isinstance(store, InMemoryComplaintStore)

    def refuse(changes: Changeset) -> None:
        raise lc.ConcurrencyConflict(
            complaint_id=changes.complaint.tracking_id, expected_version=0, actual_version=None
        )

    store.save = refuse  # type: ignore[method-assign]
    with pytest.raises(lc.StorageError, match="idempotency key"):
        desk.submit(lc.Submission.from_dict(FORM), idempotency_key="form-7")


def test_the_record_is_saved_with_the_complaint_it_names(desk: lc.ComplaintDesk) -> None:
    """The stored record holds the key's hash (never the key), the fingerprint and the tracking ID."""
    receipt = desk.submit(lc.Submission.from_dict(FORM), idempotency_key="form-8")
    store = desk.store
    assert isinstance(store, InMemoryComplaintStore)
    record = store.find_idempotency_key(key_hash(PEPPER, "form-8"))
    assert record is not None
    assert attrs.asdict(record) == {
        "key_hash": key_hash(PEPPER, "form-8"),
        "fingerprint": submission_fingerprint(PEPPER, lc.Submission.from_dict(FORM)),
        "tracking_id": receipt.tracking_id,
        "created_at": START,
    }
    assert "form-8" not in repr(record)


def test_fingerprint_counts_attachments_by_name_and_digest() -> None:
    """No attachments: the submission's own fingerprint; each file's name and digest, in order, count."""
    base = lc.Submission.from_dict(FORM)
    alone = submission_fingerprint(PEPPER, base)
    assert submission_fingerprint(PEPPER, base, None, ()) == alone
    one = submission_fingerprint(PEPPER, base, None, [("a.jpg", "0" * 64)])
    assert one == submission_fingerprint(PEPPER, base, None, [("a.jpg", "0" * 64)])
    others = {
        submission_fingerprint(PEPPER, base, None, files)
        for files in (
            [("b.jpg", "0" * 64)],
            [("a.jpg", "1" * 64)],
            [("a.jpg", "0" * 64), ("b.jpg", "1" * 64)],
            [("b.jpg", "1" * 64), ("a.jpg", "0" * 64)],
        )
    }
    assert len(others | {alone, one}) == 6


def test_a_repeat_with_other_attachments_is_a_conflict(desk: lc.ComplaintDesk) -> None:
    """Files are content: the same text with another file under a used key is refused, nothing stored."""
    attachment_files = pytest.importorskip("attachment_files")
    first = desk.submit(
        lc.Submission.from_dict(FORM),
        idempotency_key="form-9",
        attachments=[("a.png", attachment_files.png_with_text())],
    )
    again = desk.submit(
        lc.Submission.from_dict(FORM),
        idempotency_key="form-9",
        attachments=[("a.png", attachment_files.png_with_text())],
    )
    assert again == first
    with pytest.raises(lc.IdempotencyConflict):
        desk.submit(lc.Submission.from_dict(FORM), idempotency_key="form-9")
    with pytest.raises(lc.IdempotencyConflict):
        desk.submit(
            lc.Submission.from_dict(FORM),
            idempotency_key="form-9",
            attachments=[("a.jpg", attachment_files.jpeg())],
        )
    assert len(desk.store.query(ComplaintQuery()).items) == 1


# -- replies and answers to a hold under a key (a channel's message delivered again) ------------------------

ADMIN = lc.Principal.admin("adm-1")
OFFICER = lc.Principal.institution_officer("off-1", institution="31.71")


@given(
    text=_texts,
    other=_texts,
    tid=st.sampled_from(["7K3M-9QXF-2HJ-Q", "2B4D-6F8H-1JK-M"]),
    role=st.sampled_from(["reporter", "admin"]),
)
def test_command_fingerprint_is_equal_exactly_for_equal_messages(
    text: str, other: str, tid: str, role: str
) -> None:
    """Same complaint, actor and content: one fingerprint; another text, complaint or actor: another."""
    first = command_fingerprint(PEPPER, tid, {"role": role}, {"message": text})
    assert first == command_fingerprint(PEPPER, tid, {"role": role}, {"message": text})
    assert (first == command_fingerprint(PEPPER, tid, {"role": role}, {"message": other})) is (text == other)
    assert first != command_fingerprint(PEPPER, tid + "X", {"role": role}, {"message": text})
    assert first != command_fingerprint(PEPPER, tid, {"role": role + "x"}, {"message": text})
    assert first != command_fingerprint(
        b"another pepper, sixteen bytes+", tid, {"role": role}, {"message": text}
    )


def _followed_up(desk: lc.ComplaintDesk) -> tuple[str, lc.Principal]:
    receipt = desk.submit(lc.Submission.from_dict(FORM))
    desk.forward(ADMIN, receipt.tracking_id, institution="31.71")
    desk.follow_up(OFFICER, receipt.tracking_id, "Sudah ditambal.")
    return receipt.tracking_id, desk.authenticate(receipt.tracking_id, receipt.access_key)


def _replies(desk: lc.ComplaintDesk, tid: str) -> int:
    return [e.action for e in desk.history(ADMIN, tid)].count(lc.Action.REPLY)


def test_a_reply_repeated_under_its_key_is_recorded_once_and_answered_with_the_complaint(
    desk: lc.ComplaintDesk,
) -> None:
    """The repeat records nothing and returns the complaint as it stands, even after it moved on."""
    tid, reporter = _followed_up(desk)
    first = desk.reply(reporter, tid, "Belum rata.", idempotency_key="mail:<a1@warga.id>")
    desk.follow_up(OFFICER, tid, "Sudah diaspal ulang.")
    again = desk.reply(reporter, tid, "Belum rata.", idempotency_key="mail:<a1@warga.id>")
    assert first.status is lc.Status.FORWARDED
    assert again.status is lc.Status.FOLLOWED_UP
    assert _replies(desk, tid) == 1
    assert desk.verify_history(tid).ok


def test_a_key_reused_for_other_text_another_complaint_or_another_actor_is_a_conflict(
    desk: lc.ComplaintDesk,
) -> None:
    """IdempotencyConflict on ``idempotency_key``, and nothing recorded."""
    tid, reporter = _followed_up(desk)
    desk.reply(reporter, tid, "Belum rata.", idempotency_key="sms:gw-5")
    desk.follow_up(OFFICER, tid, "Sudah.")
    with pytest.raises(lc.IdempotencyConflict) as raised:
        desk.reply(reporter, tid, "Sekarang sudah rata.", idempotency_key="sms:gw-5")
    assert raised.value.field == "idempotency_key"
    with pytest.raises(lc.IdempotencyConflict):
        desk.reply(ADMIN, tid, "Belum rata.", idempotency_key="sms:gw-5")
    other, other_reporter = _followed_up(desk)
    with pytest.raises(lc.IdempotencyConflict):
        desk.reply(other_reporter, other, "Belum rata.", idempotency_key="sms:gw-5")
    assert (_replies(desk, tid), _replies(desk, other)) == (1, 0)


def test_a_submissions_key_is_not_a_replys(desk: lc.ComplaintDesk) -> None:
    """A key that filed a complaint cannot also record a reply (another content): a conflict."""
    receipt = desk.submit(lc.Submission.from_dict(FORM), idempotency_key="sms:gw-9")
    desk.forward(ADMIN, receipt.tracking_id, institution="31.71")
    desk.follow_up(OFFICER, receipt.tracking_id, "Sudah.")
    reporter = desk.authenticate(receipt.tracking_id, receipt.access_key)
    with pytest.raises(lc.IdempotencyConflict):
        desk.reply(reporter, receipt.tracking_id, "Belum.", idempotency_key="sms:gw-9")
    assert _replies(desk, receipt.tracking_id) == 0


@pytest.mark.parametrize("key", ["", " ", 42, b"gw", "gw\n1", "k" * (MAX_KEY_LENGTH + 1)])
def test_a_bad_reply_key_is_refused_naming_the_field_and_records_nothing(
    desk: lc.ComplaintDesk, key: object
) -> None:
    """Wrong type, blank, too long or unprintable: ValidationError on ``idempotency_key``."""
    tid, reporter = _followed_up(desk)
    for act in (desk.reply, desk.provide_info):
        with pytest.raises(lc.ValidationError) as raised:
            act(reporter, tid, "Belum.", idempotency_key=key)  # type: ignore[arg-type]
        assert [e.field for e in raised.value.errors] == ["idempotency_key"]
    assert _replies(desk, tid) == 0


def test_a_keyed_reply_checks_the_principal_and_the_lifecycle_as_any_reply(desk: lc.ComplaintDesk) -> None:
    """Another citizen NotAllowed (the complaint is public), an unknown ID NotFound, too early a reply."""
    tid, reporter = _followed_up(desk)
    stranger = lc.Principal.citizen("warga-lain")
    with pytest.raises(lc.NotAllowed):
        desk.reply(stranger, tid, "Belum.", idempotency_key="sms:gw-s")
    with pytest.raises(lc.NotFound):
        desk.reply(ADMIN, "0000-0XDW-T5H-7", "Belum.", idempotency_key="sms:gw-u")
    fresh = desk.submit(lc.Submission.from_dict(FORM))
    owner = desk.authenticate(fresh.tracking_id, fresh.access_key)
    with pytest.raises(lc.TransitionNotAllowed):
        desk.reply(owner, fresh.tracking_id, "Kapan?", idempotency_key="sms:gw-t")
    # Nothing was kept of the refused attempts: the keys are still free.
    assert desk.reply(reporter, tid, "Belum.", idempotency_key="sms:gw-s").status is lc.Status.FORWARDED


def test_a_store_without_idempotency_keys_refuses_a_keyed_reply_loudly() -> None:
    """ConfigurationError naming idempotency keys; the same reply without a key works."""
    desk = lc.ComplaintDesk(store=_Plain(), pepper=PEPPER)
    tid, reporter = _followed_up(desk)
    with pytest.raises(lc.ConfigurationError, match=r"idempotency keys.*reply without idempotency_key"):
        desk.reply(reporter, tid, "Belum.", idempotency_key="sms:gw-1")
    assert desk.reply(reporter, tid, "Belum.").status is lc.Status.FORWARDED


@pytest.mark.parametrize("key", [None, "sms:gw-n"])
def test_a_reply_by_no_principal_is_a_validation_error(desk: lc.ComplaintDesk, key: str | None) -> None:
    """``None`` or a dict for the principal: ValidationError naming it, keyed or not, nothing recorded."""
    tid, _reporter = _followed_up(desk)
    for principal in (None, {"role": "admin"}):
        with pytest.raises(lc.ValidationError):
            desk.reply(principal, tid, "Belum.", idempotency_key=key)  # type: ignore[arg-type]
    assert _replies(desk, tid) == 0
