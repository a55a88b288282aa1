"""Junk at every public constructor, loader and desk command: only lapor_core's own errors come back.

Issue 16: "Every public entry point raises only LaporError subclasses for bad data ... on memory, SQLite and
PostgreSQL". Each property draws JSON-like junk (and a few Python objects) for each argument of a desk
command, runs it on a desk whose store is the backend under test, and fails on any exception that is not a
:class:`~lapor_core.LaporError`. The count of examples each property ran is printed (``-s`` shows it).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lapor_core as lc
from lapor_core._domain.ports import ComplaintQuery
from lapor_core.testing import FrozenClock

PEPPER = "junk-test pepper 0123456789"
ADMIN = lc.Principal.admin("adm-1")
OFFICER = lc.Principal.institution_officer("off-1", institution="31.71")
PUBLIC = lc.Principal.public()

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.text(alphabet="\u202e\u2066\x00\n 0123456789.-:TZ+", max_size=30),
    st.sampled_from(["", "31.71", "3171", "7K3M-9QXF-2HJ-Q", "9999-12-31", "0001-01-01", "yes", "nope"]),
    st.sampled_from([date(9999, 12, 31), date(1, 1, 1), datetime(9999, 12, 31, tzinfo=UTC)]),
    st.sampled_from([datetime(2026, 3, 17), math.inf, b"bytes", object()]),  # noqa: DTZ001 - naive on purpose
)
junk = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
_keys = st.sampled_from(
    [
        "kind",
        "channel",
        "title",
        "body",
        "category",
        "location",
        "anonymous",
        "confidential",
        "reporter",
        "lat",
        "lon",
        "region",
        "address",
        "email",
        "phone",
        "nik",
        "period",
        "statuses",
        "region_prefix",
    ]
)
junk_mapping = st.dictionaries(_keys | st.text(max_size=8), junk, max_size=8)
principals = st.sampled_from([ADMIN, OFFICER, PUBLIC, None, "admin", 5])

EXAMPLES: dict[str, int] = {}

BACKENDS = ["memory", "sqlite", "postgresql"]


@pytest.fixture(scope="module", params=BACKENDS)
def desk(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[lc.ComplaintDesk]:
    """A desk with one forwarded complaint, on each backend."""
    backend: str = request.param
    if backend == "memory":
        url = "memory://"
    elif backend == "sqlite":
        url = f"sqlite:///{Path(tmp_path_factory.mktemp('junk')) / 'junk.db'}"
    else:
        url = request.getfixturevalue("postgres_server").create_database()
    clock = FrozenClock(datetime(2026, 3, 17, 3, tzinfo=UTC))
    desk = lc.ComplaintDesk.open(url, pepper=PEPPER, clock=clock)
    receipt = desk.submit(
        lc.Submission.from_dict({"kind": "pengaduan", "channel": "web", "title": "Jalan", "body": "Rusak."})
    )
    desk.forward(ADMIN, receipt.tracking_id, institution="31.71")
    desk.tracking_id = receipt.tracking_id  # type: ignore[attr-defined]
    yield desk
    desk.close()


def _only_lapor_errors(name: str, call: Callable[[], object]) -> None:
    EXAMPLES[name] = EXAMPLES.get(name, 0) + 1
    with contextlib.suppress(lc.LaporError):
        call()


_settings = settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])


@_settings
@given(data=junk_mapping | junk)
def test_submission_from_junk_raises_only_validation_errors(data: object) -> None:
    """Submission.from_dict takes anything and answers a Submission or a ValidationError."""
    with contextlib.suppress(lc.ValidationError):
        lc.Submission.from_dict(data)


@_settings
@given(
    kwargs=st.dictionaries(
        st.sampled_from(
            [
                "statuses",
                "institution",
                "unit",
                "region_prefix",
                "category",
                "kind",
                "submitted_from",
                "submitted_before",
                "order",
                "limit",
                "cursor",
            ]
        ),
        junk,
        max_size=5,
    )
)
def test_queries_from_junk_raise_only_validation_errors(kwargs: dict[str, Any]) -> None:
    """ComplaintQuery validates every filter when it is made."""
    with contextlib.suppress(lc.ValidationError):
        ComplaintQuery(**kwargs)


COMMANDS = [
    "forward", "request_info", "provide_info", "archive", "assign", "decline", "follow_up", "reply",
    "close_complaint", "rate", "support", "view", "history", "reveal_identity", "erase_identity",
    "attach", "attachments", "read_attachment",
]  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS)
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(principal=principals, tracking_id=junk | st.just("__real__"), argument=junk)
def test_desk_commands_take_junk(
    desk: lc.ComplaintDesk, command: str, principal: object, tracking_id: object, argument: object
) -> None:
    """Every lifecycle command and read answers junk with a LaporError on every backend."""
    tid = desk.tracking_id if tracking_id == "__real__" else tracking_id  # type: ignore[attr-defined]
    method = getattr(desk, command)
    if command == "forward":
        _only_lapor_errors(command, lambda: method(principal, tid, institution=argument, category=argument))
    elif command == "attach":
        _only_lapor_errors(command, lambda: method(principal, tid, filename=argument, data=argument))
    elif command in ("close_complaint", "support", "view", "history", "attachments"):
        _only_lapor_errors(command, lambda: method(principal, tid))
    else:
        _only_lapor_errors(command, lambda: method(principal, tid, argument))


@_settings
@given(submission=junk, principal=principals)
def test_submit_takes_junk(desk: lc.ComplaintDesk, submission: object, principal: object) -> None:
    """desk.submit refuses anything that is not a Submission with a ValidationError."""
    _only_lapor_errors("submit", lambda: desk.submit(submission, principal))  # type: ignore[arg-type]


@_settings
@given(tracking_id=junk, access_key=junk, client=junk)
def test_authenticate_takes_junk(
    desk: lc.ComplaintDesk, tracking_id: object, access_key: object, client: object
) -> None:
    """desk.authenticate answers junk with NotFound, TooManyAttempts or ValidationError."""
    _only_lapor_errors("authenticate", lambda: desk.authenticate(tracking_id, access_key))


@_settings
@given(principal=principals, filters=junk_mapping | junk, by=junk)
def test_statistics_take_junk(desk: lc.ComplaintDesk, principal: object, filters: object, by: object) -> None:
    """desk.stats refuses junk filters and groupings (dates out of range included) with LaporErrors."""
    _only_lapor_errors("stats", lambda: desk.stats(principal, group_by=by, filters=filters))  # type: ignore[arg-type]


@_settings
@given(principal=principals, query=junk)
def test_listing_takes_junk(desk: lc.ComplaintDesk, principal: object, query: object) -> None:
    """desk.complaints refuses junk queries with LaporErrors."""
    _only_lapor_errors("complaints", lambda: desk.complaints(principal, query))  # type: ignore[arg-type]


@_settings
@given(now=junk | st.datetimes(timezones=st.just(UTC)), offset=st.integers(min_value=-5000, max_value=5000))
def test_the_sweep_takes_junk(desk: lc.ComplaintDesk, now: object, offset: int) -> None:
    """desk.sweep refuses junk instants and sweeps any aware instant, near the ends of time included."""
    if isinstance(now, datetime) and now.tzinfo is not None:
        try:
            now = now + timedelta(days=offset)
        except OverflowError:
            return
    _only_lapor_errors("sweep", lambda: desk.sweep(now))  # type: ignore[arg-type]


def test_report_how_many_examples_ran() -> None:
    """Print how many junk examples each entry point ran (the count the issue asks to report)."""
    print(dict(sorted(EXAMPLES.items())))
