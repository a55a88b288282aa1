"""Contract suites: the tests every implementation of a lapor_core port must pass.

:class:`StoreContract` pins down the :class:`~lapor_core.plugins.ComplaintStore` contract. The built-in stores
run it, and so should yours: subclass it in a test module with a ``Test`` name and override the one fixture
``store`` so that it yields a new, empty store (and closes it afterwards)::

    import pytest
    from lapor_core.testing import StoreContract

    from my_package import MyComplaintStore


    class TestMyComplaintStore(StoreContract):
        @pytest.fixture
        def store(self):
            store = MyComplaintStore(...)
            yield store
            store.close()

pytest collects only classes whose names start with ``Test``, so the contract itself never runs on its own.
It needs pytest and Hypothesis, which a test environment has; lapor_core does not depend on them.
"""

# A pytest suite speaks in asserts and literal expected values, and its Unicode samples are confusable on
# purpose: the rules against those do not apply to this module.
# ruff: noqa: RUF001

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from lapor_core._domain.complaint import Complaint, ReporterIdentity
from lapor_core._domain.filters import Filters
from lapor_core._domain.history import verify_chain
from lapor_core._domain.idempotency import IdempotencyRecord
from lapor_core._domain.lifecycle import Action, Escalation, Status
from lapor_core._domain.model import Kind, Location
from lapor_core._domain.ports import Changeset, ComplaintQuery, ComplaintStore, IdempotencyStore, Order
from lapor_core._domain.sla import KeptClock, SlaState, Stage
from lapor_core.errors import ConcurrencyConflict, NotFound, StorageError, ValidationError
from lapor_core.testing.builders import DEFAULT_TIME, new_complaint, next_changeset, outbox_message

__all__ = ["StoreContract"]

WIB = timezone(timedelta(hours=7), "WIB")
WITA = timezone(timedelta(hours=8), "WITA")
WIT = timezone(timedelta(hours=9), "WIT")

UNICODE_SAMPLES = (
    "Jalan rusak di Kecamatan Cilandak — 🚧🕳️ parah!",
    "ꦗꦭꦤ꧀ ꦫꦸꦱꦏ꧀",  # Javanese script
    "طريق مكسور",  # right to left
    "道路破损，请尽快修理",
    "e\u0301 ñ Å ß ﬁ",  # combining accent, ligature
    "👩\u200d👩\u200d👧 keluarga",  # zero-width joiners
    "𝕃𝔸ℙ𝕆ℝ 𝟙𝟟𝟘𝟠",  # outside the Basic Multilingual Plane
    "baris\u2028pemisah\ttab\r\nbaris baru",
)

THREADS = 8


def _save_new(store: ComplaintStore, **fields: Any) -> Changeset:
    changes = new_complaint(**fields)
    store.save(changes)
    return changes


def _advance(
    store: ComplaintStore, tracking_id: str, action: Action = Action.FORWARD, **fields: Any
) -> Changeset:
    changes = next_changeset(store.get(tracking_id), store.history(tracking_id), action, **fields)
    store.save(changes)
    return changes


def _ids(complaints: Sequence[Complaint]) -> list[str]:
    return [c.tracking_id for c in complaints]


def _all_pages(store: ComplaintStore, query: ComplaintQuery) -> list[Complaint]:
    found: list[Complaint] = []
    page = store.query(query)
    found.extend(page.items)
    for _ in range(10_000):
        if page.next_cursor is None:
            return found
        page = store.query(attrs.evolve(query, cursor=page.next_cursor))
        found.extend(page.items)
    raise AssertionError("pagination does not end")


def _reference(saved: Sequence[Complaint], q: ComplaintQuery) -> list[str]:
    """What a query must return, computed from the saved complaints (the specification of ``query``)."""
    # Filters.matches is the reference every store's answer must agree with (tested against a hand count).
    chosen = [c for c in saved if q.filters.matches(c)]
    if q.order is Order.DUE_ASC:
        far = datetime.max.replace(tzinfo=UTC)
        chosen.sort(key=lambda c: (c.next_due_at is None, c.next_due_at or far, c.tracking_id))
    else:
        chosen.sort(key=lambda c: (c.submitted_at, c.tracking_id), reverse=q.order is Order.SUBMITTED_DESC)
    return _ids(chosen)


_REGIONS = (None, "31", "31.71", "31.71.01", "31.71.01.1001", "31.72", "32", "32.71")
_PREFIXES = ("31", "3171", "31.71", "31.71.01", "317101", "32", "32.71")
_INSTITUTIONS = (None, "31.71", "32.71")
_UNITS = (None, "dinas-pu", "dinas-kesehatan")
_CATEGORIES = (None, "infrastruktur", "kesehatan")
_ZONES = (UTC, WIB, WITA, WIT)
_WINDOW = timedelta(days=3)

_complaint_specs = st.fixed_dictionaries(
    {
        "status": st.sampled_from(Status),
        "kind": st.sampled_from(Kind),
        "region": st.sampled_from(_REGIONS),
        "institution": st.sampled_from(_INSTITUTIONS),
        "unit": st.sampled_from(_UNITS),
        "category": st.sampled_from(_CATEGORIES),
        "minute": st.integers(0, 5),
        "microsecond": st.sampled_from((0, 1, 999_999)),
        "zone": st.sampled_from(_ZONES),
        "due_minute": st.none() | st.integers(0, 5),
    }
)
_query_specs = st.fixed_dictionaries(
    {
        "statuses": st.none() | st.frozensets(st.sampled_from(Status), max_size=3),
        "institution": st.none() | st.sampled_from(_INSTITUTIONS[1:]),
        "unit": st.none() | st.sampled_from(_UNITS[1:]),
        "region_prefix": st.none() | st.sampled_from(_PREFIXES),
        "category": st.none() | st.sampled_from(_CATEGORIES[1:]),
        "kind": st.none() | st.sampled_from(Kind),
        "from_minute": st.none() | st.integers(0, 6),
        "before_minute": st.none() | st.integers(0, 6),
        "order": st.sampled_from(Order),
        "limit": st.integers(1, 4),
    }
)

# Keyword search's random texts: letters that fold (case, accents, ligatures, full width, final sigma),
# LIKE's wildcards and escapes, quotes and separators, beside any printable character.
_SEARCH_CHARS = "aAbBkK\u212a\u00e9E\u0301\u00c9\u00df\ufb01\uff21\u03a3\u03c2\u0130i1 %_\\/'\".-"
_search_texts = st.text(
    alphabet=st.sampled_from(_SEARCH_CHARS)
    | st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cf", "Zl", "Zp")),
    max_size=24,
)


def _keyword_filters(query: str) -> Filters | None:
    """Filters of the keyword query, or None when it is refused (no word, too many)."""
    try:
        return Filters(text=query)
    except ValidationError:
        return None


_STEPS = (
    "forward",
    "request_info",
    "provide_info",
    "assign",
    "follow_up",
    "reply",
    "decline",
    "close",
    "sweep",
    "late_sweep",
)

_SUBMISSION: dict[str, Any] = {
    "kind": "pengaduan",
    "channel": "web",
    "title": "Jalan berlubang",
    "body": "Lubang besar di depan SDN 3 Menteng.",
    "location": {"region": "31.71.01"},
    "reporter": {"name": "Siti Aminah"},
}


class _ContractClock:
    """A clock the property test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self.now_at = start

    def now(self) -> datetime:
        return self.now_at


def _run_step(desk: Any, step: str, tid: str, reporter: Any, now: datetime) -> None:
    import lapor_core as lc  # noqa: PLC0415 - see test_kept_state_always_equals_the_replayed_one

    admin = lc.Principal.admin("adm-1")
    officer = lc.Principal.institution_officer("off-7", institution="31.71")
    actions = {
        "forward": lambda: desk.forward(admin, tid, institution="31.71"),
        "request_info": lambda: desk.request_info(admin, tid, "Mohon lokasi tepat."),
        "provide_info": lambda: desk.provide_info(reporter, tid, "Depan SDN 3."),
        "assign": lambda: desk.assign(officer, tid, "31.71.dinas-pu"),
        "follow_up": lambda: desk.follow_up(officer, tid, "Sudah ditambal."),
        "reply": lambda: desk.reply(reporter, tid, "Belum rata."),
        "decline": lambda: desk.decline(officer, tid, "Bukan wewenang."),
        "close": lambda: desk.close_complaint(reporter, tid),
        "sweep": desk.sweep,
    }
    if step == "late_sweep":
        # A long sweep that started when the complaint fell due and reaches it only now, after later changes.
        due = desk.store.get(tid).next_due_at
        if due is not None and due <= now:
            desk.sweep(due)
        return
    actions[step]()


class StoreContract:
    """The :class:`~lapor_core.plugins.ComplaintStore` contract, as a pytest class to subclass.

    Override the ``store`` fixture to yield a new, empty store. Every test uses only the port's methods,
    so a store passes by behaving right, whatever it is built on.
    """

    @pytest.fixture
    def store(self) -> Iterator[ComplaintStore]:
        """Yield a new, empty store and close it afterwards; subclasses must override this."""
        pytest.fail(f"{type(self).__name__} must override the `store` fixture of StoreContract")

    # -- round trips --------------------------------------------------------------------------------------

    def test_store_satisfies_the_protocol(self, store: ComplaintStore) -> None:
        """The store has every method of the ComplaintStore protocol."""
        assert isinstance(store, ComplaintStore)

    def test_saved_complaint_reads_back_equal(self, store: ComplaintStore) -> None:
        """What get returns equals the complaint that was saved."""
        changes = _save_new(store)
        assert store.get(changes.complaint.tracking_id) == changes.complaint

    def test_every_field_round_trips(self, store: ComplaintStore) -> None:
        """A complaint with every optional field set reads back equal, field by field."""
        changes = _save_new(
            store,
            category="infrastruktur.jalan",
            location=Location(
                region="31.71.01.1001", lat=-6.175392, lon=106.827153, address="Jl. Medan Merdeka"
            ),
            anonymous=True,
            confidential=True,
            reporter_flags=frozenset({"anonymous", "confidential"}),
            owner_hash="a" * 64,
            institution="31.71",
            unit="dinas-pu",
            declined_by=("32.71", "31.72", "31.01"),
            status=Status.CLOSED,
            published_at=DEFAULT_TIME + timedelta(days=1),
            next_due_at=DEFAULT_TIME + timedelta(days=20),
            rating=5,
            supporters=frozenset({"b" * 64, "c" * 64}),
        )
        stored = store.get(changes.complaint.tracking_id)
        assert attrs.asdict(stored, recurse=False) == attrs.asdict(changes.complaint, recurse=False)

    @pytest.mark.parametrize("escalation", [None, *Escalation])
    def test_merges_and_escalations_round_trip(
        self, store: ComplaintStore, escalation: Escalation | None
    ) -> None:
        """A merged duplicate's original and every escalation state read back as saved (issue 22)."""
        original = _save_new(store).complaint.tracking_id
        changes = _save_new(store, status=Status.MERGED, merged_into=original, escalation=escalation)
        stored = store.get(changes.complaint.tracking_id)
        assert (stored.status, stored.merged_into, stored.escalation) == (Status.MERGED, original, escalation)
        assert stored == changes.complaint

    def test_empty_optional_fields_round_trip(self, store: ComplaintStore) -> None:
        """None, empty tuples and empty sets read back as they were saved."""
        changes = _save_new(store, identity=False, location=Location())
        stored = store.get(changes.complaint.tracking_id)
        assert stored == changes.complaint
        assert stored.identity_ref is None
        assert stored.declined_by == ()
        assert stored.supporters == frozenset()

    def test_history_reads_back_in_order_and_verifies(self, store: ComplaintStore) -> None:
        """The history holds every saved event in order, and the chain still verifies."""
        first = _save_new(store)
        tid = first.complaint.tracking_id
        second = _advance(store, tid, events=3, payload={"institution": "31.71"})
        history = store.history(tid)
        assert tuple(history) == first.events + second.events
        assert verify_chain(tid, history).ok

    def test_identity_reads_back(self, store: ComplaintStore) -> None:
        """The reporter identity saved with a complaint reads back equal."""
        changes = _save_new(store)
        assert changes.identity is not None
        assert store.identity(changes.identity.ref) == changes.identity

    def test_identity_is_replaced_by_its_erasure(self, store: ComplaintStore) -> None:
        """Saving an erased identity under the same reference replaces the personal data."""
        changes = _save_new(store)
        assert changes.identity is not None
        erased = changes.identity.erase()
        _advance(store, changes.complaint.tracking_id, Action.ERASE_IDENTITY, identity=erased)
        assert store.identity(changes.identity.ref) == ReporterIdentity(ref=changes.identity.ref, erased=True)

    def test_unknown_identity_is_none(self, store: ComplaintStore) -> None:
        """Looking up a reference nobody saved gives None."""
        assert store.identity("no-such-reference") is None

    @pytest.mark.parametrize("text", UNICODE_SAMPLES)
    def test_unicode_text_round_trips(self, store: ComplaintStore, text: str) -> None:
        """Text in any script, with emoji and line separators, reads back unchanged wherever it is stored."""
        identity = ReporterIdentity(ref=f"who-{abs(hash(text))}", name=text)
        changes = new_complaint(
            title=text, body=text * 3, payload={"message": text, text: [text]}, identity=identity
        )
        message = outbox_message(changes.complaint.tracking_id, context={"title": text})
        store.save(attrs.evolve(changes, outbox=(message,)))
        tid = changes.complaint.tracking_id
        assert store.get(tid) == changes.complaint
        assert store.history(tid)[0].payload_dict() == {"message": text, text: [text]}
        assert store.identity(identity.ref) == identity
        assert store.pending_outbox()[0].context == {"title": text}

    def test_large_body_round_trips(self, store: ComplaintStore) -> None:
        """A body of 200,000 characters (up to 800 kB of UTF-8) reads back unchanged."""
        body = ("Saluran air tersumbat 🚰 " * 8_000)[:200_000]
        changes = new_complaint(body=body, payload={"body": body})
        store.save(changes)
        assert store.get(changes.complaint.tracking_id).body == body
        assert store.history(changes.complaint.tracking_id)[0].payload["body"] == body

    @pytest.mark.parametrize("zone", [UTC, WIB, WITA, WIT], ids=["UTC", "WIB", "WITA", "WIT"])
    def test_aware_datetimes_round_trip_as_the_same_instants(
        self, store: ComplaintStore, zone: timezone
    ) -> None:
        """Datetimes in any offset read back as aware datetimes of the same instant, to the microsecond."""
        at = datetime(2026, 3, 17, 23, 59, 59, 123_456, tzinfo=zone)
        changes = new_complaint(
            submitted_at=at,
            published_at=at + timedelta(microseconds=1),
            next_due_at=datetime(2099, 12, 31, 23, 59, 59, 999_999, tzinfo=zone),
        )
        store.save(changes)
        stored = store.get(changes.complaint.tracking_id)
        for name in ("submitted_at", "updated_at", "published_at", "next_due_at"):
            value = getattr(stored, name)
            assert value.utcoffset() is not None, name
            assert value == getattr(changes.complaint, name), name
        event = store.history(changes.complaint.tracking_id)[0]
        assert event.at == at
        assert verify_chain(changes.complaint.tracking_id, [event]).ok
        assert store.pending_outbox()[0].created_at == at

    def test_json_payload_values_round_trip(self, store: ComplaintStore) -> None:
        """Event payloads and outbox contexts keep nested JSON values, numbers and booleans exactly."""
        payload = {
            "nested": {"list": [1, 2.5, -0.1, None, True, False, "x"], "empty": {}, "none": []},
            "big": 2**62,
            "float": 1e-7,
        }
        changes = new_complaint(payload=payload)
        message = outbox_message(changes.complaint.tracking_id, context=payload)
        store.save(attrs.evolve(changes, outbox=(message,)))
        assert store.history(changes.complaint.tracking_id)[0].payload_dict() == payload
        assert store.pending_outbox()[0].context == payload

    # -- not found ----------------------------------------------------------------------------------------

    def test_get_of_unknown_tracking_id_raises_not_found(self, store: ComplaintStore) -> None:
        """Getting an unknown tracking ID raises NotFound with kind "complaint"."""
        with pytest.raises(NotFound) as caught:
            store.get("ZZZZ-ZZZZ-ZZZ-Z")
        assert caught.value.kind == "complaint"
        assert caught.value.key == "ZZZZ-ZZZZ-ZZZ-Z"

    def test_history_of_unknown_tracking_id_raises_not_found(self, store: ComplaintStore) -> None:
        """Reading the history of an unknown tracking ID raises NotFound, even when others exist."""
        _save_new(store)
        with pytest.raises(NotFound) as caught:
            store.history("ZZZZ-ZZZZ-ZZZ-Z")
        assert caught.value.kind == "complaint"

    # -- optimistic concurrency ---------------------------------------------------------------------------

    def test_successive_saves_advance_the_version(self, store: ComplaintStore) -> None:
        """Each save with the current version stores the new state and appends its events."""
        tid = _save_new(store).complaint.tracking_id
        _advance(store, tid, institution="31.71", status=Status.FORWARDED)
        _advance(store, tid, Action.ASSIGN, events=2, unit="dinas-pu", status=Status.ASSIGNED)
        stored = store.get(tid)
        assert (stored.version, stored.status, stored.unit) == (4, Status.ASSIGNED, "dinas-pu")
        assert [e.seq for e in store.history(tid)] == [0, 1, 2, 3]

    def test_stale_version_raises_concurrency_conflict_and_changes_nothing(
        self, store: ComplaintStore
    ) -> None:
        """Saving with a version that is no longer current raises ConcurrencyConflict and stores nothing."""
        created = _save_new(store)
        tid = created.complaint.tracking_id
        stale_read = store.get(tid), store.history(tid)
        winner = _advance(store, tid, institution="31.71")
        outbox_before = tuple(store.pending_outbox())
        loser = next_changeset(
            *stale_read, Action.ARCHIVE, status=Status.ARCHIVED, identity=ReporterIdentity("x")
        )
        with pytest.raises(ConcurrencyConflict) as caught:
            store.save(loser)
        assert caught.value.fields == {"complaint_id": tid, "expected_version": 1, "actual_version": 2}
        assert store.get(tid) == winner.complaint
        assert tuple(store.history(tid)) == created.events + winner.events
        assert tuple(store.pending_outbox()) == outbox_before
        assert store.identity("x") is None

    def test_version_ahead_of_the_store_raises_concurrency_conflict(self, store: ComplaintStore) -> None:
        """Saving with an expected version the complaint never had raises ConcurrencyConflict."""
        created = _save_new(store)
        ahead = next_changeset(attrs.evolve(created.complaint, version=5), created.events)
        with pytest.raises(ConcurrencyConflict) as caught:
            store.save(attrs.evolve(ahead, expected_version=5))
        assert caught.value.actual_version == 1
        assert store.get(created.complaint.tracking_id) == created.complaint

    def test_update_of_unknown_complaint_raises_concurrency_conflict(self, store: ComplaintStore) -> None:
        """Saving with an expected version for a complaint that does not exist raises ConcurrencyConflict."""
        created = new_complaint()
        update = next_changeset(created.complaint, created.events)
        with pytest.raises(ConcurrencyConflict) as caught:
            store.save(update)
        assert caught.value.actual_version is None
        with pytest.raises(NotFound):
            store.get(created.complaint.tracking_id)

    def test_existing_tracking_id_saved_as_new_raises_concurrency_conflict(
        self, store: ComplaintStore
    ) -> None:
        """A new complaint whose tracking ID exists is refused (IDs are unique); the first one stays."""
        first = _save_new(store)
        tid = first.complaint.tracking_id
        outbox_before = tuple(store.pending_outbox())
        second = new_complaint(tid, title="Another complaint")
        with pytest.raises(ConcurrencyConflict) as caught:
            store.save(second)
        assert caught.value.fields == {"complaint_id": tid, "expected_version": 0, "actual_version": 1}
        assert store.get(tid) == first.complaint
        assert tuple(store.history(tid)) == first.events
        assert tuple(store.pending_outbox()) == outbox_before
        assert second.identity is not None
        assert store.identity(second.identity.ref) is None

    # -- atomicity ----------------------------------------------------------------------------------------

    def test_failed_new_save_stores_nothing(self, store: ComplaintStore) -> None:
        """A save that fails after its complaint and events (a reused outbox ID) leaves no trace at all."""
        first = _save_new(store)
        taken = first.outbox[0].id
        doomed = new_complaint()
        tid = doomed.complaint.tracking_id
        doomed = attrs.evolve(doomed, outbox=(outbox_message(tid), outbox_message(tid, id=taken)))
        with pytest.raises(StorageError):
            store.save(doomed)
        with pytest.raises(NotFound):
            store.get(tid)
        with pytest.raises(NotFound):
            store.history(tid)
        assert doomed.identity is not None
        assert store.identity(doomed.identity.ref) is None
        assert tuple(store.pending_outbox()) == first.outbox

    def test_failed_update_leaves_the_previous_state(self, store: ComplaintStore) -> None:
        """An update failing midway leaves the state, history, identity and outbox as they were."""
        created = _save_new(store)
        tid = created.complaint.tracking_id
        assert created.identity is not None
        update = next_changeset(
            created.complaint, created.events, institution="31.71", identity=created.identity.erase()
        )
        update = attrs.evolve(
            update, outbox=(outbox_message(tid), outbox_message(tid, id=created.outbox[0].id))
        )
        with pytest.raises(StorageError):
            store.save(update)
        assert store.get(tid) == created.complaint
        assert tuple(store.history(tid)) == created.events
        assert store.identity(created.identity.ref) == created.identity
        assert tuple(store.pending_outbox()) == created.outbox
        store.save(attrs.evolve(update, outbox=()))
        assert store.get(tid).version == 2

    def test_outbox_id_repeated_within_one_save_is_refused(self, store: ComplaintStore) -> None:
        """Two messages with the same ID in one changeset make the whole save fail."""
        changes = new_complaint()
        tid = changes.complaint.tracking_id
        twice = outbox_message(tid, id="same-id")
        with pytest.raises(StorageError):
            store.save(attrs.evolve(changes, outbox=(twice, twice)))
        with pytest.raises(NotFound):
            store.get(tid)
        assert tuple(store.pending_outbox()) == ()

    # -- queries ------------------------------------------------------------------------------------------

    def _three(self, store: ComplaintStore) -> tuple[Complaint, Complaint, Complaint]:
        a = _save_new(
            store,
            status=Status.FORWARDED,
            institution="31.71",
            category="infrastruktur",
            location=Location(region="31.71.01"),
            submitted_at=DEFAULT_TIME,
        )
        b = _save_new(
            store,
            status=Status.ASSIGNED,
            institution="31.71",
            unit="dinas-pu",
            kind=Kind.ASPIRASI,
            location=Location(region="31.71"),
            submitted_at=DEFAULT_TIME + timedelta(hours=1),
        )
        c = _save_new(
            store,
            status=Status.SUBMITTED,
            category="kesehatan",
            location=Location(region="31.72.01"),
            submitted_at=DEFAULT_TIME + timedelta(hours=2),
        )
        return a.complaint, b.complaint, c.complaint

    def test_query_without_filters_returns_everything_oldest_first(self, store: ComplaintStore) -> None:
        """The default query lists every complaint by submission time, oldest first."""
        a, b, c = self._three(store)
        page = store.query(ComplaintQuery())
        assert page.items == (a, b, c)
        assert page.next_cursor is None

    def test_query_filters_by_status(self, store: ComplaintStore) -> None:
        """A status filter keeps complaints in one of the given statuses; an empty set matches nothing."""
        a, _, c = self._three(store)
        assert _ids(
            store.query(ComplaintQuery(statuses=frozenset({Status.FORWARDED, Status.SUBMITTED}))).items
        ) == [
            a.tracking_id,
            c.tracking_id,
        ]
        assert store.query(ComplaintQuery(statuses=frozenset())).items == ()

    def test_query_filters_by_escalation(self, store: ComplaintStore) -> None:
        """An escalation filter keeps complaints whose escalation is in one of the given states (issue 22)."""
        plain = _save_new(store).complaint.tracking_id
        opened = _save_new(store, escalation=Escalation.OPEN).complaint.tracking_id
        concluded = _save_new(store, escalation=Escalation.CONCLUDED).complaint.tracking_id
        escalated = _ids(
            store.query(ComplaintQuery(filters=Filters(escalations=frozenset(Escalation)))).items
        )
        only_open = _ids(
            store.query(ComplaintQuery(filters=Filters(escalations=frozenset({Escalation.OPEN})))).items
        )
        assert {opened, concluded} <= set(escalated)
        assert plain not in escalated
        assert opened in only_open
        assert concluded not in only_open
        assert store.query(ComplaintQuery(filters=Filters(escalations=frozenset()))).items == ()

    def test_query_filters_by_institution_and_unit(self, store: ComplaintStore) -> None:
        """Institution and unit filters keep only complaints currently there."""
        a, b, _ = self._three(store)
        assert _ids(store.query(ComplaintQuery(institution="31.71")).items) == [a.tracking_id, b.tracking_id]
        assert _ids(store.query(ComplaintQuery(unit="dinas-pu")).items) == [b.tracking_id]
        assert store.query(ComplaintQuery(institution="99.99")).items == ()

    def test_query_filters_by_region_prefix(self, store: ComplaintStore) -> None:
        """region_prefix matches the region itself and every region inside it, never a sibling."""
        a, b, c = self._three(store)
        assert _ids(store.query(ComplaintQuery(region_prefix="31")).items) == _ids((a, b, c))
        assert _ids(store.query(ComplaintQuery(region_prefix="31.71")).items) == _ids((a, b))
        assert _ids(store.query(ComplaintQuery(region_prefix="31.71.01")).items) == _ids((a,))
        assert _ids(store.query(ComplaintQuery(region_prefix="317101")).items) == _ids((a,))
        assert _ids(store.query(ComplaintQuery(region_prefix="3171")).items) == _ids((a, b))

    @pytest.mark.parametrize("prefix", ["3", "31.7", "31.71.0", "x"])
    def test_a_malformed_region_prefix_is_refused_before_any_store(self, prefix: str) -> None:
        """A prefix that is no region code is a ValidationError when the query is made, before any store."""
        with pytest.raises(ValidationError):
            ComplaintQuery(region_prefix=prefix)

    @pytest.mark.parametrize("statuses", [{"forwarded"}, {Status.FORWARDED}, ["forwarded", "submitted"]])
    def test_statuses_given_as_text_answer_like_the_enums(
        self, store: ComplaintStore, statuses: object
    ) -> None:
        """ComplaintQuery(statuses={"forwarded"}) is the same query on every store as the enum's."""
        self._three(store)
        as_text = store.query(ComplaintQuery(statuses=statuses)).items  # type: ignore[arg-type]
        as_enums = {Status(s) for s in statuses}  # type: ignore[attr-defined]
        assert _ids(as_text) == _ids(store.query(ComplaintQuery(statuses=frozenset(as_enums))).items)

    def test_query_filters_by_category_and_kind(self, store: ComplaintStore) -> None:
        """Category and kind filters keep only the matching complaints."""
        a, b, c = self._three(store)
        assert _ids(store.query(ComplaintQuery(category="kesehatan")).items) == [c.tracking_id]
        assert _ids(store.query(ComplaintQuery(kind=Kind.ASPIRASI)).items) == [b.tracking_id]
        assert _ids(store.query(ComplaintQuery(kind=Kind.PENGADUAN, category="infrastruktur")).items) == [
            a.tracking_id
        ]

    def test_query_period_includes_its_start_and_excludes_its_end(self, store: ComplaintStore) -> None:
        """submitted_from is inclusive and submitted_before exclusive, whatever their offsets."""
        _, b, _ = self._three(store)
        start = b.submitted_at.astimezone(WIT)
        query = ComplaintQuery(submitted_from=start, submitted_before=start + timedelta(hours=1))
        assert _ids(store.query(query).items) == [b.tracking_id]
        assert store.query(ComplaintQuery(submitted_from=start, submitted_before=start)).items == ()

    def test_query_sees_the_current_state_after_an_update(self, store: ComplaintStore) -> None:
        """A complaint moves between query results as its state changes."""
        created = _save_new(store)
        tid = created.complaint.tracking_id
        _advance(store, tid, status=Status.FORWARDED, institution="32.71")
        assert store.query(ComplaintQuery(statuses=frozenset({Status.SUBMITTED}))).items == ()
        assert [
            (c.tracking_id, c.version) for c in store.query(ComplaintQuery(institution="32.71")).items
        ] == [(tid, 2)]

    def test_query_orders_newest_first_on_request(self, store: ComplaintStore) -> None:
        """SUBMITTED_DESC lists the newest first."""
        a, b, c = self._three(store)
        assert store.query(ComplaintQuery(order=Order.SUBMITTED_DESC)).items == (c, b, a)

    def test_query_by_due_date_puts_complaints_without_a_deadline_last(self, store: ComplaintStore) -> None:
        """DUE_ASC lists the earliest deadline first and complaints without one after all others."""
        late = _save_new(store, next_due_at=DEFAULT_TIME + timedelta(days=9)).complaint
        none = _save_new(store).complaint
        soon = _save_new(store, next_due_at=(DEFAULT_TIME + timedelta(days=1)).astimezone(WIT)).complaint
        assert store.query(ComplaintQuery(order=Order.DUE_ASC)).items == (soon, late, none)

    def test_equal_sort_keys_break_ties_on_the_tracking_id(self, store: ComplaintStore) -> None:
        """Complaints submitted at the same instant come in tracking-ID order (reversed when descending)."""
        same = [_save_new(store, submitted_at=DEFAULT_TIME.astimezone(zone)).complaint for zone in _ZONES]
        expected = sorted(_ids(same))
        assert _ids(store.query(ComplaintQuery()).items) == expected
        assert _ids(store.query(ComplaintQuery(order=Order.SUBMITTED_DESC)).items) == expected[::-1]

    @pytest.mark.parametrize("order", list(Order))
    def test_pagination_visits_every_match_exactly_once(self, store: ComplaintStore, order: Order) -> None:
        """Following next_cursor with small pages returns every match once, in order, then None."""
        saved = [
            _save_new(
                store,
                submitted_at=DEFAULT_TIME + timedelta(minutes=i // 3),
                next_due_at=None if i % 4 == 0 else DEFAULT_TIME + timedelta(hours=i % 5),
            ).complaint
            for i in range(11)
        ]
        query = ComplaintQuery(order=order, limit=2)
        assert _ids(_all_pages(store, query)) == _reference(saved, query)
        pages = store.query(attrs.evolve(query, limit=11))
        assert len(pages.items) == 11
        assert pages.next_cursor is None

    @pytest.mark.parametrize("limit", [0, -1, 1001])
    def test_page_size_outside_1_to_1000_raises_validation_error(
        self, store: ComplaintStore, limit: int
    ) -> None:
        """A page size outside 1..1000 is refused with ValidationError naming the limit."""
        with pytest.raises(ValidationError) as caught:
            store.query(ComplaintQuery(limit=limit))
        assert "limit" in caught.value.fields_by_name

    @pytest.mark.parametrize("cursor", ["", "not a cursor", "W10", "WzEsMl0", "eyJhIjoxfQ"])
    def test_malformed_cursor_raises_validation_error(self, store: ComplaintStore, cursor: str) -> None:
        """A cursor that no page produced is refused with ValidationError naming the cursor."""
        _save_new(store)
        with pytest.raises(ValidationError) as caught:
            store.query(ComplaintQuery(cursor=cursor))
        assert "cursor" in caught.value.fields_by_name

    @settings(
        max_examples=20,
        deadline=None,
        # Each example works in its own window of time, so the shared store does not leak between examples;
        # and every subclass runs this same property on its own store, so several executors are expected.
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.differing_executors,
        ],
    )
    @given(specs=st.lists(_complaint_specs, min_size=1, max_size=8), query_spec=_query_specs)
    def test_query_matches_the_reference_for_random_data(
        self, store: ComplaintStore, specs: list[dict[str, Any]], query_spec: dict[str, Any]
    ) -> None:
        """For random complaints and queries, every page sequence equals the reference filter and order."""
        # A window after everything earlier examples saved, and every query bounded to it.
        latest = store.query(ComplaintQuery(order=Order.SUBMITTED_DESC, limit=1)).items
        window = latest[0].submitted_at + timedelta(days=1) if latest else DEFAULT_TIME
        saved = []
        for spec in specs:
            at = (window + timedelta(minutes=spec["minute"], microseconds=spec["microsecond"])).astimezone(
                spec["zone"]
            )
            due = None if spec["due_minute"] is None else window + timedelta(minutes=spec["due_minute"])
            saved.append(
                _save_new(
                    store,
                    status=spec["status"],
                    kind=spec["kind"],
                    location=None if spec["region"] is None else Location(region=spec["region"]),
                    institution=spec["institution"],
                    unit=spec["unit"],
                    category=spec["category"],
                    submitted_at=at,
                    next_due_at=due,
                ).complaint
            )
        start, end = query_spec.pop("from_minute"), query_spec.pop("before_minute")
        query = ComplaintQuery(
            submitted_from=window + timedelta(minutes=start or 0),
            submitted_before=window + (timedelta(minutes=end) if end is not None else _WINDOW),
            **query_spec,
        )
        assert _ids(_all_pages(store, query)) == _reference(saved, query)

    # -- keyword search and owner (issue 21) ---------------------------------------------------------------

    def _found(self, store: ComplaintStore, **filters: Any) -> set[str]:
        return set(_ids(_all_pages(store, ComplaintQuery(filters=Filters(**filters), limit=2))))

    def test_query_finds_every_keyword_in_the_title_or_the_body(self, store: ComplaintStore) -> None:
        """Each word lies in the title or the body, inside a word; case, accents, punctuation do not count."""
        lamp = _save_new(store, title="Lampu jalan MATI", body="Di Jl.Melati, sejak Senin.").complaint
        cafe = _save_new(store, title="Parkir liar", body="Di depan Café Sederhana; trotoar penuh.").complaint
        waste = _save_new(store, title="Sampah menumpuk", body="TPS penuh").complaint
        assert self._found(store, text="lampu") == {lamp.tracking_id}
        assert self._found(store, text="LAMPU melati") == {lamp.tracking_id}
        assert self._found(store, text="jl. melati!!") == {lamp.tracking_id}
        assert self._found(store, text="cafe") == self._found(store, text="CAFÉ") == {cafe.tracking_id}
        assert self._found(store, text="penuh") == {cafe.tracking_id, waste.tracking_id}
        assert self._found(store, text="lamp") == {lamp.tracking_id}
        assert self._found(store, text="lampu sampah") == set()
        assert self._found(store, text="tidak ada") == set()

    def test_keyword_wildcards_escapes_and_quotes_are_no_patterns(self, store: ComplaintStore) -> None:
        """``%``, ``_``, ``/``, the backslash and quotes separate words: none is a wildcard or an escape."""
        odd = _save_new(
            store, title="Tarif 100% di loket_2", body='Kata O\'Brien: \\ "antre" zq/xv'
        ).complaint
        plain = _save_new(store, title="Tarif loket", body="biasa").complaint
        assert self._found(store, text="loket_2") == {odd.tracking_id}
        assert self._found(store, text="o'brien") == {odd.tracking_id}
        assert self._found(store, text='"antre"') == {odd.tracking_id}
        assert self._found(store, text="zq/xv") == {odd.tracking_id}
        assert self._found(store, text="100%") == {odd.tracking_id}
        assert self._found(store, text="tarif%loket") == {odd.tracking_id, plain.tracking_id}
        for junk in ("%", "_", "%_%", "\\", "'", "/"):
            with pytest.raises(ValidationError):
                Filters(text=junk)

    def test_keyword_search_keeps_to_the_other_filters_and_sees_updates(self, store: ComplaintStore) -> None:
        """Keywords narrow the other filters (AND), and a changed title is searched by its new words."""
        first = _save_new(store, title="Jalan rusak", body="Berlubang.", status=Status.FORWARDED).complaint
        _save_new(store, title="Jalan rusak parah", body="Berlubang.")
        assert self._found(store, text="rusak", statuses=[Status.FORWARDED]) == {first.tracking_id}
        _advance(store, first.tracking_id, title="Jembatan ambruk")
        assert self._found(store, text="jembatan") == {first.tracking_id}
        assert first.tracking_id not in self._found(store, text="jalan")

    def test_query_filters_by_owner(self, store: ComplaintStore) -> None:
        """An owner filter keeps the complaints with that keyed account hash; one without an owner never."""
        mine = _save_new(store, owner_hash="a" * 64).complaint
        _save_new(store, owner_hash="b" * 64)
        _save_new(store)
        assert self._found(store, owner_hash="a" * 64) == {mine.tracking_id}
        assert self._found(store, owner_hash="c" * 64) == set()

    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.differing_executors,
        ],
    )
    @given(
        texts=st.lists(st.tuples(_search_texts, _search_texts), min_size=1, max_size=6),
        query=st.lists(_search_texts, min_size=1, max_size=3).map(" ".join),
    )
    def test_keyword_query_matches_the_reference_for_random_texts(
        self, store: ComplaintStore, texts: list[tuple[str, str]], query: str
    ) -> None:
        """For random titles, bodies and queries (wildcards, quotes, accents too): as ``Filters.matches``."""
        filters = _keyword_filters(query)
        assume(filters is not None)
        assert filters is not None
        latest = store.query(ComplaintQuery(order=Order.SUBMITTED_DESC, limit=1)).items
        window = latest[0].submitted_at + timedelta(days=1) if latest else DEFAULT_TIME
        saved = [
            _save_new(store, title=title, body=body, submitted_at=window + timedelta(seconds=i)).complaint
            for i, (title, body) in enumerate(texts)
        ]
        query_ = ComplaintQuery(filters=attrs.evolve(filters, submitted_from=window), limit=3)
        assert _ids(_all_pages(store, query_)) == _reference(saved, query_)

    # -- due complaints -----------------------------------------------------------------------------------

    def test_due_returns_open_complaints_due_by_the_instant_earliest_first(
        self, store: ComplaintStore
    ) -> None:
        """Due lists open complaints whose deadline is at or before the instant, earliest first."""
        now = DEFAULT_TIME + timedelta(days=5)
        exactly = _save_new(store, next_due_at=now.astimezone(WITA)).complaint
        earlier = _save_new(store, next_due_at=now - timedelta(days=2)).complaint
        _save_new(store, next_due_at=now + timedelta(microseconds=1))
        _save_new(store, next_due_at=None)
        _save_new(store, next_due_at=now - timedelta(days=3), status=Status.CLOSED)
        _save_new(store, next_due_at=now - timedelta(days=3), status=Status.ARCHIVED)
        assert list(store.due(now)) == [earlier, exactly]

    def test_due_returns_at_most_limit_complaints(self, store: ComplaintStore) -> None:
        """Due stops at the limit, keeping the earliest deadlines."""
        saved = [_save_new(store, next_due_at=DEFAULT_TIME + timedelta(hours=h)).complaint for h in (3, 1, 2)]
        assert _ids(store.due(DEFAULT_TIME + timedelta(days=1), limit=2)) == _ids([saved[1], saved[2]])

    def test_due_reflects_updated_deadlines(self, store: ComplaintStore) -> None:
        """A complaint leaves the due list when a save moves its deadline or closes it."""
        tid = _save_new(store, next_due_at=DEFAULT_TIME).complaint.tracking_id
        _advance(store, tid, next_due_at=DEFAULT_TIME + timedelta(days=10))
        assert tuple(store.due(DEFAULT_TIME + timedelta(days=1))) == ()
        _advance(store, tid, Action.CLOSE, status=Status.CLOSED)
        assert tuple(store.due(DEFAULT_TIME + timedelta(days=11))) == ()

    # -- outbox -------------------------------------------------------------------------------------------

    def test_outbox_lists_messages_in_the_order_they_were_queued(self, store: ComplaintStore) -> None:
        """pending_outbox returns messages oldest first: by save, then by position in the changeset."""
        a = _save_new(store, outbox=2)
        b = _save_new(store, outbox=1)
        a2 = _advance(store, a.complaint.tracking_id, outbox=2)
        assert tuple(store.pending_outbox()) == a.outbox + b.outbox + a2.outbox

    def test_outbox_returns_at_most_limit_messages(self, store: ComplaintStore) -> None:
        """pending_outbox stops at limit, keeping the oldest."""
        changes = _save_new(store, outbox=5)
        assert tuple(store.pending_outbox(limit=3)) == changes.outbox[:3]

    def test_outbox_is_empty_for_a_new_store(self, store: ComplaintStore) -> None:
        """A new store has nothing queued."""
        assert tuple(store.pending_outbox()) == ()

    # -- threads ------------------------------------------------------------------------------------------

    def test_threads_writing_distinct_complaints_all_succeed(self, store: ComplaintStore) -> None:
        """Eight threads saving and updating their own complaints at once all succeed, and nothing is lost."""
        start = threading.Barrier(THREADS, timeout=30)

        def work(worker: int) -> list[str]:
            start.wait()
            mine = []
            for _ in range(4):
                tid = _save_new(store, unit=f"unit-{worker}").complaint.tracking_id
                _advance(store, tid, institution="31.71")
                mine.append(tid)
            return mine

        with ThreadPoolExecutor(THREADS) as pool:
            written = list(itertools.chain.from_iterable(pool.map(work, range(THREADS))))
        assert len(set(written)) == THREADS * 4
        for tid in written:
            assert store.get(tid).version == 2
            assert verify_chain(tid, store.history(tid)).ok
        assert len(store.pending_outbox()) == THREADS * 4 * 2

    def test_threads_racing_on_one_complaint_have_one_winner_per_version(self, store: ComplaintStore) -> None:
        """Of eight threads saving the same version at once exactly one wins, round after round."""
        tid = _save_new(store).complaint.tracking_id
        rounds = 4
        for round_number in range(rounds):
            current, history = store.get(tid), store.history(tid)
            attempts = [
                next_changeset(current, history, payload={"writer": writer, "round": round_number})
                for writer in range(THREADS)
            ]
            start = threading.Barrier(THREADS, timeout=30)

            def attempt(changes: Changeset, start: threading.Barrier = start) -> Changeset | None:
                start.wait()
                try:
                    store.save(changes)
                except ConcurrencyConflict:
                    return None
                return changes

            with ThreadPoolExecutor(THREADS) as pool:
                winners = [c for c in pool.map(attempt, attempts) if c is not None]
            assert len(winners) == 1
            assert store.get(tid) == winners[0].complaint
        history = store.history(tid)
        assert len(history) == rounds + 1
        assert verify_chain(tid, history).ok
        assert len(store.pending_outbox()) == rounds + 1

    # -- what a command continues from: the row's head hash and SLA state ------------------------------------

    def test_kept_state_round_trips(self, store: ComplaintStore) -> None:
        """The row's ``head_hash`` and ``sla_state`` read back equal.

        A store that drops them is still correct (the kernel replays the history), but every command's cost
        then grows with the history.
        """
        changes = new_complaint()
        held = KeptClock(
            Stage.VERIFICATION,
            0,
            DEFAULT_TIME.astimezone(WIB),
            3,
            None,
            held_since=DEFAULT_TIME,
            reminded=True,
        )
        running = KeptClock(
            Stage.FOLLOW_UP, 4, DEFAULT_TIME.astimezone(WIT), 60, "31.71", paused=2, breached=True
        )
        state = SlaState(
            clocks=(held, running), kind="pengaduan", institution="31.71", sla_class="field_exam"
        )
        complaint = attrs.evolve(changes.complaint, head_hash=changes.events[-1].hash, sla_state=state)
        store.save(attrs.evolve(changes, complaint=complaint))
        assert store.get(complaint.tracking_id) == complaint
        (listed,) = store.query(ComplaintQuery(limit=10)).items
        assert listed == complaint

    @settings(
        max_examples=15,
        deadline=None,
        # One contract, many store classes: each subclass runs it (every example uses a new complaint).
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.differing_executors,
        ],
    )
    @given(steps=st.lists(st.tuples(st.sampled_from(_STEPS), st.integers(1, 80)), max_size=14))
    def test_kept_state_always_equals_the_replayed_one(
        self, store: ComplaintStore, steps: list[tuple[str, int]]
    ) -> None:
        """After any commands and sweeps, the row's kept state is what a replay of its history gives.

        And no event's time runs before its predecessor's (a sweep here judges at an earlier instant).
        """
        import lapor_core as lc  # noqa: PLC0415 - the desk only for this check, not at the contract's import

        clock = _ContractClock(DEFAULT_TIME.astimezone(WIB))
        desk = lc.ComplaintDesk(store=store, clock=clock, pepper="contract pepper, 32 bytes long ...")
        receipt = desk.submit(lc.Submission.from_dict(_SUBMISSION))
        tid = receipt.tracking_id
        reporter = desk.authenticate(tid, receipt.access_key)
        for step, hours in steps:
            clock.now_at += timedelta(hours=hours)
            try:
                _run_step(desk, step, tid, reporter, clock.now_at)
            except (lc.TransitionNotAllowed, lc.NotAllowed, lc.NotFound):  # not allowed at this point
                continue
        complaint, history = store.get(tid), store.history(tid)
        assert complaint.version == len(history)
        assert complaint.head_hash == history[-1].hash
        ctx = desk._ctx
        assert complaint.sla_state == ctx.replay_state(history)
        # What the kept state says, judged independently of how it is kept: its clocks are the open ones of a
        # full replay, and its marks are the breach and reminder events recorded for them.
        kept = complaint.sla_state
        assert kept is not None
        continued, _ = ctx.continue_clocks(kept, (), start=complaint.version, now=clock.now_at)
        replayed = ctx.clocks(history, clock.now_at)
        assert continued.clocks == tuple(c for c in replayed if c.ended_at is None)
        for kept_clock in kept.clocks:
            marks = {
                e.action.value
                for e in history
                if e.payload.get("stage") == kept_clock.stage.value
                and e.payload.get("clock") == kept_clock.index
            }
            assert (kept_clock.breached, kept_clock.reminded) == ("breach" in marks, "remind" in marks)
        assert all(a.at <= b.at for a, b in itertools.pairwise(history))
        assert verify_chain(tid, history).ok

    def test_identities_reads_what_identity_reads(self, store: ComplaintStore) -> None:
        """``identities`` (optional: a listing page reads its identities with it) agrees with ``identity``."""
        read_many = getattr(store, "identities", None)
        if read_many is None:
            pytest.skip("the store has no identities: a listing reads each identity on its own")
        saved = [
            _save_new(store, identity=ReporterIdentity(ref=f"ref-{i}", name=f"Nama {i}")) for i in range(3)
        ]
        refs = [changes.identity.ref for changes in saved if changes.identity is not None]
        assert read_many([*refs, "unknown-ref", refs[0]]) == {ref: store.identity(ref) for ref in refs}
        assert read_many([]) == {}

    def test_save_many_is_all_or_nothing(self, store: ComplaintStore) -> None:
        """``save_many`` (optional: the sweep saves its batches with it) stores every changeset or none."""
        save_many = getattr(store, "save_many", None)
        if save_many is None:
            pytest.skip("the store has no save_many: the sweep saves one complaint at a time")
        first, second = _save_new(store), _save_new(store)
        good = next_changeset(first.complaint, first.events)
        stale = next_changeset(second.complaint, second.events)
        store.save(stale)  # the second complaint moves on: a batch naming its old version must fail whole
        with pytest.raises(ConcurrencyConflict):
            save_many([good, attrs.evolve(stale, outbox=())])
        assert store.get(first.complaint.tracking_id) == first.complaint
        save_many([good])
        assert store.get(first.complaint.tracking_id) == good.complaint

    # -- idempotent submission (the IdempotencyStore capability) ---------------------------------------------

    def _keeping_keys(self, store: ComplaintStore) -> IdempotencyStore:
        if not isinstance(store, IdempotencyStore):
            pytest.skip(
                "the store keeps no idempotency keys: a desk on it refuses submit(idempotency_key=...)"
            )
        return store

    def _desk(self, store: ComplaintStore) -> Any:
        import lapor_core as lc  # noqa: PLC0415 - the desk only for these checks, not at the contract's import

        self._keeping_keys(store)
        return lc.ComplaintDesk(store=store, pepper="contract pepper, 32 bytes long ...")

    def test_same_idempotency_key_twice_stores_one_complaint_and_repeats_the_receipt(
        self, store: ComplaintStore
    ) -> None:
        """A repeat with the same key and content returns the same tracking ID and a working access key."""
        import lapor_core as lc  # noqa: PLC0415

        desk = self._desk(store)
        submission = lc.Submission.from_dict(_SUBMISSION)
        first = desk.submit(submission, idempotency_key="form-3b1f9c0e6a2d4e58")
        again = desk.submit(lc.Submission.from_dict(_SUBMISSION), idempotency_key="form-3b1f9c0e6a2d4e58")
        assert (again.tracking_id, again.access_key) == (first.tracking_id, first.access_key)
        assert _ids(_all_pages(store, ComplaintQuery())) == [first.tracking_id]
        assert len(store.history(first.tracking_id)) == 1
        assert len(store.pending_outbox()) == 2  # the one submission's messages, not two submissions'
        reporter = desk.authenticate(again.tracking_id, again.access_key)
        assert desk.view(reporter, again.tracking_id).tracking_id == first.tracking_id

    def test_other_keys_store_other_complaints(self, store: ComplaintStore) -> None:
        """Different keys (or none) with the same content make different complaints with their own keys."""
        import lapor_core as lc  # noqa: PLC0415

        desk = self._desk(store)
        submission = lc.Submission.from_dict(_SUBMISSION)
        receipts = [
            desk.submit(submission, idempotency_key="key-a-7d1e0f"),
            desk.submit(submission, idempotency_key="key-b-7d1e0f"),
            desk.submit(submission),
        ]
        assert len({r.tracking_id for r in receipts}) == 3
        assert len({r.access_key for r in receipts}) == 3
        assert len(_all_pages(store, ComplaintQuery())) == 3

    def test_same_idempotency_key_with_other_content_raises_conflict_and_stores_nothing(
        self, store: ComplaintStore
    ) -> None:
        """Other content, or another citizen account, under a used key is refused; nothing more is stored."""
        import lapor_core as lc  # noqa: PLC0415

        desk = self._desk(store)
        first = desk.submit(lc.Submission.from_dict(_SUBMISSION), idempotency_key="gw-91c4e2")
        other = lc.Submission.from_dict({**_SUBMISSION, "body": "Lubang besar di depan SDN 4 Menteng."})
        with pytest.raises(lc.IdempotencyConflict) as raised:
            desk.submit(other, idempotency_key="gw-91c4e2")
        assert raised.value.field == "idempotency_key"
        assert raised.value.first_used_at == store.get(first.tracking_id).submitted_at
        with pytest.raises(lc.IdempotencyConflict):
            desk.submit(
                lc.Submission.from_dict(_SUBMISSION),
                lc.Principal.citizen("warga-9"),
                idempotency_key="gw-91c4e2",
            )
        assert _ids(_all_pages(store, ComplaintQuery())) == [first.tracking_id]
        assert len(store.pending_outbox()) == 2

    def test_threads_racing_with_one_idempotency_key_store_one_complaint(self, store: ComplaintStore) -> None:
        """Eight threads submitting with one key at once: one complaint, and every caller its receipt."""
        import lapor_core as lc  # noqa: PLC0415

        desk = self._desk(store)
        start = threading.Barrier(THREADS, timeout=30)

        def submit(_: int) -> Any:
            submission = lc.Submission.from_dict(_SUBMISSION)
            start.wait()
            return desk.submit(submission, idempotency_key="race-0f3a9d27c1b84e65")

        with ThreadPoolExecutor(THREADS) as pool:
            receipts = list(pool.map(submit, range(THREADS)))
        assert len({(r.tracking_id, r.access_key) for r in receipts}) == 1
        (complaint,) = _all_pages(store, ComplaintQuery())
        assert complaint.tracking_id == receipts[0].tracking_id
        assert len(store.history(complaint.tracking_id)) == 1
        assert len(store.pending_outbox()) == 2
        assert desk.authenticate(receipts[-1].tracking_id, receipts[-1].access_key).role is lc.Role.REPORTER

    def test_threads_racing_with_one_message_key_record_one_reply(self, store: ComplaintStore) -> None:
        """One reporter message sent by eight threads at once under its key: one event, each caller a view.

        Then the same message again after it ended the hold (now as a reply) still records nothing, and other
        text under the key is refused.
        """
        import lapor_core as lc  # noqa: PLC0415

        desk = self._desk(store)
        receipt = desk.submit(lc.Submission.from_dict(_SUBMISSION))
        tid = receipt.tracking_id
        desk.request_info(lc.Principal.admin("adm-1"), tid, "Mohon sebutkan lokasi tepat.")
        reporter = desk.authenticate(tid, receipt.access_key)
        start = threading.Barrier(THREADS, timeout=30)

        def answer(_: int) -> Any:
            start.wait()
            return desk.provide_info(reporter, tid, "Depan SDN 3, tiang 12.", idempotency_key="sms:gw-77e1c0")

        with ThreadPoolExecutor(THREADS) as pool:
            views = list(pool.map(answer, range(THREADS)))
        assert {v.tracking_id for v in views} == {tid}
        actions = [e.action for e in store.history(tid)]
        assert actions == [Action.SUBMIT, Action.REQUEST_INFO, Action.PROVIDE_INFO]
        again = desk.reply(reporter, tid, "Depan SDN 3, tiang 12.", idempotency_key="sms:gw-77e1c0")
        assert again.status is lc.Status.SUBMITTED
        with pytest.raises(lc.IdempotencyConflict):
            desk.reply(reporter, tid, "Sudah diperbaiki?", idempotency_key="sms:gw-77e1c0")
        assert len(store.history(tid)) == 3
        assert desk.verify_history(tid).ok

    def test_a_taken_key_refuses_a_whole_update(self, store: ComplaintStore) -> None:
        """An update of a stored complaint whose idempotency key is taken is refused, nothing of it saved."""
        keeper = self._keeping_keys(store)
        first = new_complaint()
        record = IdempotencyRecord("c" * 64, "f" * 64, first.complaint.tracking_id, DEFAULT_TIME)
        store.save(attrs.evolve(first, idempotency=record))
        other = _save_new(store)
        tid = other.complaint.tracking_id
        update = next_changeset(store.get(tid), store.history(tid), Action.FORWARD)
        with pytest.raises(ConcurrencyConflict):
            store.save(attrs.evolve(update, idempotency=attrs.evolve(record, tracking_id=tid)))
        assert store.get(tid) == other.complaint
        assert len(store.history(tid)) == len(other.events)
        assert len(store.pending_outbox()) == len(first.outbox) + len(other.outbox)
        found = keeper.find_idempotency_key(record.key_hash)
        assert found is not None
        assert found.tracking_id == first.complaint.tracking_id
        fresh = attrs.evolve(record, key_hash="d" * 64, tracking_id=tid)
        store.save(attrs.evolve(update, idempotency=fresh))
        assert keeper.find_idempotency_key(fresh.key_hash) == fresh
        assert store.get(tid) == update.complaint

    def test_idempotency_record_reads_back_and_a_taken_key_refuses_the_whole_save(
        self, store: ComplaintStore
    ) -> None:
        """A saved record reads back equal; a second complaint with its key hash is not stored at all."""
        keeper = self._keeping_keys(store)
        first = new_complaint()
        record = IdempotencyRecord(
            "a" * 64, "f" * 64, first.complaint.tracking_id, DEFAULT_TIME.astimezone(WIB)
        )
        assert keeper.find_idempotency_key(record.key_hash) is None
        store.save(attrs.evolve(first, idempotency=record))
        found = keeper.find_idempotency_key(record.key_hash)
        assert found == record
        assert found is not None
        assert found.created_at.utcoffset() is not None
        second = new_complaint()
        taken = attrs.evolve(record, tracking_id=second.complaint.tracking_id, fingerprint="0" * 64)
        with pytest.raises(ConcurrencyConflict):
            store.save(attrs.evolve(second, idempotency=taken))
        with pytest.raises(NotFound):
            store.get(second.complaint.tracking_id)
        assert keeper.find_idempotency_key(record.key_hash) == record
        assert len(store.pending_outbox()) == len(first.outbox)

    def test_failed_save_with_an_idempotency_key_stores_no_key(self, store: ComplaintStore) -> None:
        """A save refused for its tracking ID leaves no key behind: the retry under a new ID can take it."""
        keeper = self._keeping_keys(store)
        existing = _save_new(store)
        clash = new_complaint(tracking_id=existing.complaint.tracking_id)
        record = IdempotencyRecord("b" * 64, "f" * 64, existing.complaint.tracking_id, DEFAULT_TIME)
        with pytest.raises(ConcurrencyConflict):
            store.save(attrs.evolve(clash, idempotency=record))
        assert keeper.find_idempotency_key(record.key_hash) is None
        assert store.get(existing.complaint.tracking_id) == existing.complaint
        retry = new_complaint()
        store.save(
            attrs.evolve(retry, idempotency=attrs.evolve(record, tracking_id=retry.complaint.tracking_id))
        )
        found = keeper.find_idempotency_key(record.key_hash)
        assert found is not None
        assert found.tracking_id == retry.complaint.tracking_id

    def test_prune_removes_only_the_keys_created_before_the_instant(self, store: ComplaintStore) -> None:
        """Records created before ``before`` go (and are counted); one at ``before`` and later ones stay."""
        keeper = self._keeping_keys(store)
        records = []
        for index, hours in enumerate((0, 1, 2)):
            changes = new_complaint()
            record = IdempotencyRecord(
                f"{index}" * 64,
                "f" * 64,
                changes.complaint.tracking_id,
                DEFAULT_TIME + timedelta(hours=hours),
            )
            store.save(attrs.evolve(changes, idempotency=record))
            records.append(record)
        assert keeper.prune_idempotency_keys((DEFAULT_TIME + timedelta(hours=1)).astimezone(WIT)) == 1
        assert keeper.find_idempotency_key(records[0].key_hash) is None
        assert [keeper.find_idempotency_key(r.key_hash) for r in records[1:]] == records[1:]
        assert keeper.prune_idempotency_keys(DEFAULT_TIME) == 0
        assert len(_all_pages(store, ComplaintQuery())) == 3  # complaints are never pruned
        assert keeper.prune_idempotency_keys(DEFAULT_TIME + timedelta(days=1)) == 2
        assert all(keeper.find_idempotency_key(r.key_hash) is None for r in records)
