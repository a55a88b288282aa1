from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path

import pytest

import lapor_core as lc
from desk_support import ADMIN, PEPPER, WIB, submission
from lapor_core import cli
from lapor_core.cli import main
from lapor_core.testing import FrozenClock


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite file with complaints in two provinces: published, confidential and unpublished ones."""
    url = f"sqlite:///{tmp_path_factory.mktemp('stats') / 'lapor.db'}"
    clock = FrozenClock(datetime(2026, 3, 17, 10, tzinfo=WIB))
    desk = lc.ComplaintDesk.open(url, clock=clock, pepper=PEPPER)
    for region, institution, count in (("31.71.01", "31.71", 3), ("73.71.02", "73.71", 2)):
        for i in range(count):
            tid = desk.submit(submission(location={"region": region}, category="roads-bridges")).tracking_id
            desk.forward(ADMIN, tid, institution=institution, confidential=True if i == 0 else None)
    desk.submit(submission(location={"region": "31.71.01"}))
    desk.dispose()
    return url


def run(*argv: str) -> str:
    """Run ``lapor`` and return what it printed."""
    out = io.StringIO()
    assert main(list(argv), out=out) == 0
    return out.getvalue()


def refused(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run ``lapor`` expecting an argparse-style refusal; return its standard error."""
    with pytest.raises(SystemExit) as caught:
        main(list(argv), out=io.StringIO())
    assert caught.value.code == 2
    return capsys.readouterr().err


def test_stats_prints_a_table_for_the_public_by_default(database: str) -> None:
    """Published complaints by province and status; the confidential ones only mark their cells."""
    assert run("stats", database, "--by", "province,status") == (
        "province  status     count\n"
        "--------  ---------  -----\n"
        "31        forwarded     2*\n"
        "73        forwarded     1*\n"
        "* some confidential complaints of this group are not counted: fewer than 10 to show\n"
    )


def test_stats_as_an_admin_counts_everything(database: str) -> None:
    """The admin's table has every complaint, unpublished ones included, and no mark."""
    assert run("stats", database, "--by", "status", "--as", "admin") == (
        "status     count\n---------  -----\nforwarded      5\nsubmitted      1\n"
    )


def test_stats_as_an_institution_counts_its_own_confidential_complaints(database: str) -> None:
    """Jakarta Pusat's officers see their confidential complaint; Makassar's stays a mark."""
    table = run("stats", database, "--by", "institution", "--as", "institution:31.71")
    assert table.splitlines()[2:4] == ["31.71           3", "73.71           1*"]


def test_stats_writes_csv_and_json(database: str) -> None:
    """CSV has a header and empty cells for missing values; JSON is the list of rows."""
    text = run("stats", database, "--by", "regency", "--format", "csv", "--as", "admin")
    assert list(csv.reader(io.StringIO(text))) == [
        ["regency", "count", "suppressed"],
        ["31.71", "4", "False"],
        ["73.71", "2", "False"],
    ]
    rows = json.loads(run("stats", database, "--by", "month", "--format", "json"))
    assert rows == [{"month": "2026-03", "count": 3, "suppressed": True}]


def test_stats_filters_narrow_the_count(database: str) -> None:
    """Region, status, institution and date filters reach the statistics."""
    text = run(
        "stats",
        database,
        "--as",
        "admin",
        "--by",
        "institution",
        "--region",
        "73",
        "--status",
        "forwarded",
        "--institution",
        "73.71",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
        "--format",
        "csv",
    )
    assert text == "institution,count,suppressed\n73.71,2,False\n"
    assert run("stats", database, "--as", "admin", "--from", "2026-04-01") == "(no complaints)\n"


def test_stats_with_service_levels_reports_progress_on_long_runs(
    database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """--sla adds the service-level columns; a run longer than the progress interval says so on stderr."""
    monkeypatch.setattr(cli, "_PROGRESS_SECONDS", 0.0)
    text = run("stats", database, "--as", "admin", "--sla", "--format", "json", "--region", "31")
    [row] = json.loads(text)
    assert (row["province"], row["count"], row["sla_count"]) == ("31", 4, 4)
    assert set(row) >= {
        "forwarded_on_time",
        "followed_up_on_time",
        "median_days_to_follow_up",
        "open_breaches",
    }
    err = capsys.readouterr().err
    assert "complaints read" in err
    assert err.endswith("lapor stats: done\n")


def test_stats_tables_format_missing_values_and_shares(database: str) -> None:
    """None shows as a dash and shares with two decimals."""
    out = io.StringIO()
    cli._stats_table(
        [{"regency": None, "count": 3, "suppressed": False, "forwarded_on_time": 0.6666, "open_breaches": 0}],
        out,
    )
    assert out.getvalue().splitlines()[2] == "-            3               0.67              0"
    empty = io.StringIO()
    cli._stats_csv([], empty)
    assert empty.getvalue() == ""


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--by", "colour"], "unknown key 'colour'"),
        (["--status", "flying"], "filters.status"),
        (["--region", "31.7"], "filters.region"),
        (["--from", "yesterday"], "--from and --to must be dates"),
        (["--from", "2026-04-01", "--to", "2026-03-01"], "filters.period"),
        (["--as", "mayor"], "--as must be public, admin, supervisor or institution:CODE"),
        (["--format", "xml"], "invalid choice"),
    ],
)
def test_bad_stats_arguments_are_refused(
    database: str, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    """Bad keys, filters, dates, principals and formats end with a usage error, exit status 2."""
    assert message in refused(capsys, "stats", database, *argv)


def test_stats_never_creates_a_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Counting a database without lapor_core's schema is refused, not set up."""
    err = refused(capsys, "stats", f"sqlite:///{tmp_path / 'missing.db'}")
    assert "no lapor_core schema" in err
    assert "nosuchdb" in refused(capsys, "stats", "nosuchdb://x")


def test_stats_as_a_supervisor_is_the_public_count(database: str) -> None:
    """Oversight sees no unpublished or confidential complaint individually either."""
    assert run("stats", database, "--as", "supervisor") == run("stats", database)


def test_the_other_subcommands_still_work() -> None:
    """Adding ``stats`` left ``due`` as it was."""
    assert run("due", "2026-03-17T10:00+07:00", "3") == "2026-03-28T00:00:00+07:00\n"
