"""``lapor sweep URL``: the periodic sweep from the command line, on a SQLite file built through the desk."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import attrs
import pytest

import lapor_core as lc
from desk_support import ADMIN, PEPPER, WIB, officer, submission
from lapor_core._application import sweep as sweep_module
from lapor_core.cli import main
from lapor_core.stores.sql import SqlComplaintStore
from lapor_core.testing import FrozenClock

START = datetime(2026, 3, 17, 10, tzinfo=WIB)
LATE = "2026-06-01T08:00+07:00"  # past every deadline of the complaints below


@attrs.frozen
class Database:
    """A SQLite file with complaints due by ``LATE``: two forwarded, one followed up, one never forwarded."""

    url: str
    forwarded: tuple[str, str]
    followed_up: str
    submitted: str


def _desk(url: str) -> lc.ComplaintDesk:
    return lc.ComplaintDesk.open(url, clock=FrozenClock(START), pepper=PEPPER)


@pytest.fixture
def database(tmp_path: Path) -> Database:
    """Four open complaints, each past a deadline by ``LATE``; nothing was swept yet."""
    url = f"sqlite:///{tmp_path / 'lapor.db'}"
    desk = _desk(url)
    try:
        forwarded = []
        for _ in range(2):
            tid = desk.submit(submission()).tracking_id
            desk.forward(ADMIN, tid, institution="31.71")
            forwarded.append(tid)
        followed_up = desk.submit(submission()).tracking_id
        desk.forward(ADMIN, followed_up, institution="31.71")
        desk.follow_up(officer(), followed_up, "Sudah ditambal.")
        submitted = desk.submit(submission()).tracking_id
    finally:
        desk.close()
    return Database(url, (forwarded[0], forwarded[1]), followed_up, submitted)


def sweep(*argv: str, status: int = 0) -> tuple[str, str]:
    """Run ``lapor sweep`` expecting ``status``; return its standard output and standard error."""
    out, err = io.StringIO(), io.StringIO()
    assert main(["sweep", *argv], out=out, err=err) == status, err.getvalue()
    return out.getvalue(), err.getvalue()


def refused(*argv: str, status: int = 2) -> str:
    """Run ``lapor sweep`` expecting ``status``, nothing on the output and one line on stderr; return it."""
    out, err = sweep(*argv, status=status)
    assert out == ""
    [line] = err.splitlines()
    return line


def _actions(url: str, tracking_id: str) -> list[str]:
    desk = _desk(url)
    try:
        return [event.action.value for event in desk.store.history(tracking_id)]
    finally:
        desk.close()


def test_sweep_records_breaches_closes_and_prints_a_summary_in_indonesian(database: Database) -> None:
    """Every due complaint is handled: breaches on the late clocks, the quiet follow-up closed; exit 0."""
    out, err = sweep(database.url, "--now", LATE)
    assert out == "ditangani 4, ditutup 1, pelanggaran dicatat 3, pengingat 0, gagal 0\n"
    assert err == "lapor sweep: 4 laporan ditangani (ditutup 1, pelanggaran 3, pengingat 0, gagal 0)\n"
    for tid in (*database.forwarded, database.submitted):
        assert _actions(database.url, tid)[-1] == "breach"
    assert _actions(database.url, database.followed_up)[-1] == "close"


def test_a_second_sweep_finds_nothing_due(database: Database) -> None:
    """The sweep is idempotent: run again at the same instant, it changes nothing and says so."""
    sweep(database.url, "--now", LATE)
    histories = {tid: _actions(database.url, tid) for tid in database.forwarded}
    assert sweep(database.url, "--now", LATE) == ("tidak ada laporan yang jatuh tempo\n", "")
    assert {tid: _actions(database.url, tid) for tid in database.forwarded} == histories


def test_nothing_is_due_before_the_first_deadline(database: Database) -> None:
    """At the instant the complaints came in, no clock has reached its warning yet."""
    assert sweep(database.url, "--now", START.isoformat()) == ("tidak ada laporan yang jatuh tempo\n", "")
    assert _actions(database.url, database.submitted) == ["submit"]


def test_a_reminder_is_queued_before_the_follow_up_is_due(tmp_path: Path) -> None:
    """An hour before the follow-up deadline (1 April 00:00 WIB) the institution is reminded, not breached."""
    url = f"sqlite:///{tmp_path / 'lapor.db'}"
    desk = _desk(url)
    tid = desk.submit(submission()).tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    desk.close()
    out, _ = sweep(url, "--now", "2026-03-31T23:00+07:00", "--lang", "en")
    assert out == "handled 1, closed 0, breaches recorded 0, reminded 1, failed 0\n"
    assert _actions(url, tid)[-1] == "remind"


def test_a_progress_line_follows_each_batch(database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """With batches of 3, the four due complaints make two progress lines, each with the totals so far."""
    monkeypatch.setattr(sweep_module, "_BATCH", 3)
    out, err = sweep(database.url, "--now", LATE, "--lang", "en")
    lines = err.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("lapor sweep: 3 complaints handled (")
    assert lines[1] == "lapor sweep: 4 complaints handled (closed 1, breached 3, reminded 0, failed 0)"
    assert out == "handled 4, closed 1, breaches recorded 3, reminded 0, failed 0\n"


def test_english_output_with_lang_en(database: Database) -> None:
    """--lang en prints the summary and the progress in English."""
    out, err = sweep(database.url, "--now", LATE, "--lang", "en")
    assert out == "handled 4, closed 1, breaches recorded 3, reminded 0, failed 0\n"
    assert err == "lapor sweep: 4 complaints handled (closed 1, breached 3, reminded 0, failed 0)\n"


def test_a_complaint_that_cannot_be_saved_is_named_and_swept_by_the_next_run(database: Database) -> None:
    """The database refusing one complaint's breach fails that one only (exit 1); the next run gets it."""
    victim = database.forwarded[1]
    store = SqlComplaintStore(database.url, schema="check")
    with store.engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TRIGGER refuse_one BEFORE INSERT ON lapor_events "
            f"WHEN NEW.complaint_id = '{victim}' BEGIN SELECT RAISE(ABORT, 'refused'); END"
        )
    out, _ = sweep(database.url, "--now", LATE, status=1)
    assert out.splitlines() == [
        "ditangani 4, ditutup 1, pelanggaran dicatat 2, pengingat 0, gagal 1",
        f"gagal: {victim} (error.storage)",
        "laporan yang gagal ditinggalkan untuk sapuan berikutnya, yang akan mencobanya lagi",
    ]
    assert _actions(database.url, victim)[-1] == "forward"
    assert _actions(database.url, database.forwarded[0])[-1] == "breach"
    with store.engine.begin() as connection:
        connection.exec_driver_sql("DROP TRIGGER refuse_one")
    store.close()
    out, _ = sweep(database.url, "--now", LATE, "--lang", "en")
    assert out == "handled 1, closed 0, breaches recorded 1, reminded 0, failed 0\n"
    assert _actions(database.url, victim)[-1] == "breach"


@pytest.mark.parametrize("now", ["tomorrow", "2026-13-01T00:00+07:00", ""])
def test_now_must_be_an_iso_instant(database: Database, now: str) -> None:
    """--now that is not an ISO date-time is refused before the store is touched (bad usage, 2)."""
    assert refused(database.url, "--now", now) == (
        "lapor sweep: --now harus berupa tanggal dan waktu ISO, misalnya 2026-06-01T08:00+07:00"
    )


@pytest.mark.parametrize("now", ["2026-06-01T08:00", "2026-06-01"])
def test_now_must_carry_a_utc_offset(database: Database, now: str) -> None:
    """A naive --now would be a guess at the time zone: refused (bad usage, 2), nothing swept."""
    assert refused(database.url, "--now", now, "--lang", "en") == (
        "lapor sweep: --now needs a UTC offset or Z, like 2026-06-01T08:00+07:00"
    )
    assert _actions(database.url, database.submitted) == ["submit"]


def test_an_unknown_url_scheme_is_a_configuration_error(tmp_path: Path) -> None:
    """A URL no store handles ends with one line and status 3."""
    line = refused("nosuch://somewhere", status=3)
    assert line.startswith("lapor sweep: ")
    assert "nosuch" in line


def test_a_database_without_the_schema_is_not_created(tmp_path: Path) -> None:
    """The command never creates or migrates a database: it says what to run instead (configuration, 3)."""
    assert "lapor db upgrade" in refused(f"sqlite:///{tmp_path / 'empty.db'}", status=3)


def test_the_memory_store_has_nothing_due() -> None:
    """memory:// opens an empty store: nothing to do, exit 0."""
    assert sweep("memory://") == ("tidak ada laporan yang jatuh tempo\n", "")
