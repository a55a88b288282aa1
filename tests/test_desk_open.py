"""ComplaintDesk.open(url, **options): each option to its owner (desk or store), nothing left half open.

Every option is checked before the store opens (an unknown name or a value of the wrong kind is a
ConfigurationError naming it); a store that opened is closed again when the desk cannot be made.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

import lapor_core as lc
from lapor_core.errors import ConfigurationError, PluginError
from lapor_core.stores import open_store
from lapor_core.stores._registry import _keywords, store_options
from lapor_core.stores.sql import STORE_OPTIONS, SqlComplaintStore
from lapor_core.stores.sql._options import _RULES, MAX_BUSY_TIMEOUT
from lapor_core.testing import FrozenClock

PEPPER = "desk open test pepper 0123456789"
WIB = timezone(timedelta(hours=7))
SUBMISSION = {"kind": "pengaduan", "channel": "web", "title": "Lampu jalan mati", "body": "Sejak Senin."}


@pytest.fixture
def url(tmp_path: Path) -> str:
    """A SQLite file that does not exist yet."""
    return f"sqlite:///{tmp_path / 'lapor.db'}"


def _database(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


@pytest.fixture
def closed(monkeypatch: pytest.MonkeyPatch) -> list[SqlComplaintStore]:
    """Every SQL store closed during the test, in order."""
    seen: list[SqlComplaintStore] = []
    original = SqlComplaintStore.close

    def close(self: SqlComplaintStore) -> None:
        seen.append(self)
        original(self)

    monkeypatch.setattr(SqlComplaintStore, "close", close)
    return seen


# -- options reach their owner ------------------------------------------------------------------------------


def test_store_options_reach_the_sql_store(url: str) -> None:
    """busy_timeout and cache_mib become the SQLite connections' settings."""
    with lc.ComplaintDesk.open(url, busy_timeout=3, cache_mib=8, pool_size=2, pepper=PEPPER) as desk:
        store = desk.store
        assert isinstance(store, SqlComplaintStore)
        with store.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 3_000
            assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == -8 * 1024


def test_engine_options_reach_sqlalchemy(url: str) -> None:
    """engine_options are create_engine's keyword arguments."""
    options = {"execution_options": {"lapor_test": "yes"}}
    with lc.ComplaintDesk.open(url, engine_options=options, pepper=PEPPER) as desk:
        store = desk.store
        assert isinstance(store, SqlComplaintStore)
        assert store.engine.get_execution_options()["lapor_test"] == "yes"


def test_desk_and_store_options_go_together(url: str) -> None:
    """A desk option (the clock) and store options in one call: each reaches its owner; the desk works."""
    clock = FrozenClock(datetime(2026, 3, 17, 10, tzinfo=WIB))
    with lc.ComplaintDesk.open(url, clock=clock, pepper=PEPPER, busy_timeout=1, schema="create") as desk:
        receipt = desk.submit(lc.Submission.from_dict(SUBMISSION))
        reporter = desk.authenticate(receipt.tracking_id, receipt.access_key)
        assert desk.view(reporter, receipt.tracking_id).submitted_at == clock.now()


def test_a_memory_desk_takes_desk_options_only() -> None:
    """memory:// has no store options: desk options work, a store option is an unknown option."""
    with lc.ComplaintDesk.open("memory://", pepper=PEPPER, max_key_failures=3) as desk:
        assert desk.store is not None
    with pytest.raises(ConfigurationError) as caught:
        lc.ComplaintDesk.open("memory://", pepper=PEPPER, busy_timeout=3)
    assert caught.value.detail == "desk.option_unknown"
    assert "busy_timeout" not in caught.value.params["valid"]  # type: ignore[operator]


# -- unknown options ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("option", ["busy_timeuot", "store", "timeout", "poolsize"])
def test_an_unknown_option_is_refused_before_the_store_opens(url: str, option: str) -> None:
    """The error names the bad option and lists every valid one (the desk's and the store's), in id and en."""
    with pytest.raises(ConfigurationError) as caught:
        lc.ComplaintDesk.open(url, pepper=PEPPER, **{option: 1})
    error = caught.value
    assert error.detail == "desk.option_unknown"
    assert error.params["options"] == [option]
    valid = set(error.params["valid"])  # type: ignore[call-overload]
    assert {"pepper", "clock", "poll_store"} <= valid
    assert valid >= STORE_OPTIONS
    assert "store" not in valid
    assert option in str(error)
    assert "busy_timeout" in str(error)
    assert option in error.describe("id")
    assert "opsi tidak dikenal" in error.describe("id")
    assert not _database(url).exists()


def test_every_unknown_option_is_named(url: str) -> None:
    """Two misspelt options are both named, sorted."""
    with pytest.raises(ConfigurationError) as caught:
        lc.ComplaintDesk.open(url, pepperr=PEPPER, cache_mb=8)
    assert caught.value.params["options"] == ["cache_mb", "pepperr"]


# -- store option values of the wrong kind ------------------------------------------------------------------

BAD_VALUES = [
    ("busy_timeout", "3", "store.busy_timeout_bad"),
    ("busy_timeout", True, "store.busy_timeout_bad"),
    ("busy_timeout", -1, "store.busy_timeout_bad"),
    ("busy_timeout", math.nan, "store.busy_timeout_bad"),
    ("busy_timeout", MAX_BUSY_TIMEOUT + 1, "store.busy_timeout_bad"),
    ("busy_timeout", None, "store.busy_timeout_bad"),
    ("cache_mib", 0, "store.cache_mib_bad"),
    ("cache_mib", 1.5, "store.cache_mib_bad"),
    ("cache_mib", "8", "store.cache_mib_bad"),
    ("pool_size", 0, "store.pool_size_bad"),
    ("pool_size", "5", "store.pool_size_bad"),
    ("pool_size", True, "store.pool_size_bad"),
    ("synchronous", 2, "store.synchronous_unknown"),
    ("synchronous", "FAST", "store.synchronous_unknown"),
    ("journal_mode", None, "store.journal_mode_unknown"),
    ("journal_mode", "WAL; DROP TABLE x", "store.journal_mode_unknown"),
    ("schema", "maybe", "store.schema_unknown"),
    ("schema", 1, "store.schema_unknown"),
    ("engine_options", [("echo", True)], "store.engine_options_bad"),
    ("engine_options", {1: True}, "store.engine_options_bad"),
    ("engine_options", "echo=True", "store.engine_options_bad"),
]


@pytest.mark.parametrize(("option", "value", "code"), BAD_VALUES)
def test_a_store_option_of_the_wrong_kind_is_refused_before_the_store_opens(
    url: str, option: str, value: object, code: str
) -> None:
    """A ConfigurationError with the option's own code (its text names the option); no database is made."""
    with pytest.raises(ConfigurationError) as caught:
        lc.ComplaintDesk.open(url, pepper=PEPPER, **{option: value})
    assert caught.value.detail == code
    assert option in str(caught.value)
    assert option in caught.value.describe("id")
    assert not _database(url).exists()


def test_every_refused_store_option_is_listed_in_the_cause(url: str) -> None:
    """The first refusal is the error's code; the chained ValidationError lists each refused option."""
    with pytest.raises(ConfigurationError) as caught:
        open_store(url, busy_timeout="3", pool_size=0)
    cause = caught.value.__cause__
    assert isinstance(cause, lc.ValidationError)
    assert [error.field for error in cause.errors] == ["busy_timeout", "pool_size"]


@pytest.mark.parametrize(
    "options",
    [
        {"busy_timeout": 0},
        {"busy_timeout": 2.5},
        {"cache_mib": None},
        {"synchronous": "normal"},
        {"journal_mode": "delete"},
        {"engine_options": None},
        {"engine_options": {"echo": False}},
    ],
)
def test_good_store_option_values_open_the_store(url: str, options: dict[str, Any]) -> None:
    """Edges of the accepted values: zero seconds, fractions, lower-case pragma values, no engine options."""
    with lc.ComplaintDesk.open(url, pepper=PEPPER, **options) as desk:
        desk.submit(lc.Submission.from_dict(SUBMISSION))


def test_open_store_checks_the_sql_store_options_too(url: str) -> None:
    """open_store refuses what SqlComplaintStore would have raised TypeError for, naming the valid ones."""
    with pytest.raises(ConfigurationError) as caught:
        open_store(url, busy_timeuot=3)
    assert caught.value.detail == "store.option_unknown"
    assert caught.value.params["valid"] == sorted(STORE_OPTIONS)
    assert not _database(url).exists()


def test_every_store_option_has_its_rule() -> None:
    """An option added to SqlComplaintStore without a rule here would pass unchecked."""
    assert set(_RULES) == STORE_OPTIONS
    assert {"busy_timeout", "cache_mib", "engine_options", "pool_size"} <= STORE_OPTIONS


# -- nothing left half open ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [
        {"pepper": "short"},
        {"pepper": 12345},
        {"poll_threshold": 0},
        {"max_key_failures": "5"},
    ],
)
def test_a_desk_option_refused_after_the_store_opened_closes_the_store(
    url: str, closed: list[SqlComplaintStore], options: dict[str, Any]
) -> None:
    """The constructor refuses an option after the store opened: the store is closed, the error raised."""
    with pytest.raises(ConfigurationError):
        lc.ComplaintDesk.open(url, busy_timeout=1, **{"pepper": PEPPER, **options})
    assert len(closed) == 1


def test_a_failure_of_any_kind_while_making_the_desk_closes_the_store(
    url: str, closed: list[SqlComplaintStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not only ConfigurationError: whatever the desk's constructor raises, the store opened is closed."""

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the desk could not be made")

    monkeypatch.setattr(lc.ComplaintDesk, "__init__", broken)
    with pytest.raises(RuntimeError, match="could not be made"):
        lc.ComplaintDesk.open(url)
    assert len(closed) == 1


def test_a_desk_that_opens_keeps_its_store_open(url: str, closed: list[SqlComplaintStore]) -> None:
    """The happy path closes nothing until the desk is closed."""
    desk = lc.ComplaintDesk.open(url, pepper=PEPPER, busy_timeout=2)
    assert closed == []
    desk.close()
    assert len(closed) == 1


# -- which options a store takes ----------------------------------------------------------------------------


def test_the_options_of_each_kind_of_store() -> None:
    """memory:// takes none, a SQL URL the SQL store's; an unknown scheme is a PluginError."""
    assert store_options("memory://") == frozenset()
    assert store_options("postgresql+psycopg://u@127.0.0.1/db") == STORE_OPTIONS
    with pytest.raises(PluginError):
        store_options("nosuchdb://x")


def _named(url: str, *, timeout: float = 1.0, prefix: str = "lapor") -> object:
    return (url, timeout, prefix)


def _anything(url: str, **options: object) -> object:
    return (url, options)


@pytest.mark.parametrize(
    ("factory", "expected"),
    [
        (_named, frozenset({"timeout", "prefix"})),
        (_anything, None),
        (max, None),  # a callable whose signature Python cannot read: the plugin decides
    ],
)
def test_a_plugin_factory_takes_its_keyword_parameters(
    factory: Callable[..., object], expected: frozenset[str] | None
) -> None:
    """The names after the URL; None (any option passes to the factory) when it takes ``**options``."""
    assert _keywords(factory) == expected
