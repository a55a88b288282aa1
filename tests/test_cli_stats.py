from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path

import pytest

import lapor_core as lc
from desk_support import ADMIN, PEPPER, WIB, submission
from lapor_core.cli import _stats as cli_stats
from lapor_core.cli import main
from lapor_core.cli._text import Console
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
    desk.close()
    return url


def run(*argv: str) -> str:
    """Run ``lapor`` and return what it printed."""
    out, err = io.StringIO(), io.StringIO()
    assert main(list(argv), out=out, err=err) == 0, err.getvalue()
    return out.getvalue()


def refused(*argv: str, status: int = 2) -> str:
    """Run ``lapor`` expecting ``status`` and one line on stderr; return that line."""
    out, err = io.StringIO(), io.StringIO()
    assert main(list(argv), out=out, err=err) == status
    assert out.getvalue() == ""
    [line] = err.getvalue().splitlines()
    return line


def test_stats_prints_an_indonesian_table_for_the_public_by_default(database: str) -> None:
    """Published complaints by province and status; the confidential ones only mark their cells."""
    assert run("stats", database, "--by", "province,status") == (
        "provinsi  status     jumlah\n"
        "--------  ---------  ------\n"
        "31        forwarded      2*\n"
        "73        forwarded      1*\n"
        "* sebagian laporan rahasia pada kelompok ini tidak dihitung: kurang dari 10 untuk ditampilkan\n"
    )


def test_stats_speaks_english_on_request(database: str) -> None:
    """--lang en: the headings are the keys, the note English."""
    assert run("stats", database, "--by", "province,status", "--lang", "en") == (
        "province  status     count\n"
        "--------  ---------  -----\n"
        "31        forwarded     2*\n"
        "73        forwarded     1*\n"
        "* some confidential complaints of this group are not counted: fewer than 10 to show\n"
    )


def test_stats_as_an_admin_counts_everything(database: str) -> None:
    """The admin's table has every complaint, unpublished ones included, and no mark."""
    assert run("stats", database, "--by", "status", "--as", "admin", "--lang", "en") == (
        "status     count\n---------  -----\nforwarded      5\nsubmitted      1\n"
    )


def test_stats_as_an_institution_counts_its_own_confidential_complaints(database: str) -> None:
    """Jakarta Pusat's officers see their confidential complaint; Makassar's stays a mark."""
    table = run("stats", database, "--by", "institution", "--as", "institution:31.71")
    assert table.splitlines()[2:4] == ["31.71         3", "73.71         1*"]


def test_stats_writes_csv_and_json_with_the_keys_whatever_the_language(database: str) -> None:
    """CSV has a header of keys and empty cells for missing values; JSON is the list of rows."""
    text = run("stats", database, "--by", "regency", "--format", "csv", "--as", "admin")
    assert list(csv.reader(io.StringIO(text))) == [
        ["regency", "count", "merged", "suppressed"],
        ["31.71", "4", "0", "False"],
        ["73.71", "2", "0", "False"],
    ]
    rows = json.loads(run("stats", database, "--by", "month", "--format", "json"))
    assert rows == [{"month": "2026-03", "count": 3, "merged": 0, "suppressed": True}]


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
    assert text == "institution,count,merged,suppressed\n73.71,2,0,False\n"
    assert run("stats", database, "--as", "admin", "--from", "2026-04-01") == "(tidak ada laporan)\n"
    assert (
        run("stats", database, "--as", "admin", "--from", "2026-04-01", "--lang", "en") == "(no complaints)\n"
    )


def test_stats_with_service_levels_reports_progress_on_long_runs(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--sla adds the service-level columns; a run longer than the progress interval says so on stderr."""
    monkeypatch.setattr(cli_stats, "_PROGRESS_SECONDS", 0.0)
    out, err = io.StringIO(), io.StringIO()
    argv = ["stats", database, "--as", "admin", "--sla", "--format", "json", "--region", "31"]
    assert main(argv, out=out, err=err) == 0
    [row] = json.loads(out.getvalue())
    assert (row["province"], row["count"], row["sla_count"]) == ("31", 4, 4)
    assert set(row) >= {
        "forwarded_on_time",
        "followed_up_on_time",
        "median_days_to_follow_up",
        "open_breaches",
    }
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("lapor stats: ")
    assert "laporan telah dibaca (0 detik)" in lines[0]
    assert lines[-1] == "lapor stats: selesai"


def test_stats_tables_format_numbers_for_the_locale(database: str) -> None:
    """None is a dash; numbers as people write them (shares to two decimals, 1.500); unknown keys as is."""
    row: dict[str, object] = {
        "regency": None,
        "count": 1500,
        "suppressed": False,
        "forwarded_on_time": 0.6666,
        "open_breaches": 0,
        "late": True,
    }
    indonesian = Console(io.StringIO(), io.StringIO(), "id")
    cli_stats._table([row], indonesian)
    assert indonesian.out.getvalue().splitlines() == [
        "kabupaten/kota  jumlah  diteruskan tepat waktu  terlambat dan masih terbuka  late",
        "--------------  ------  ----------------------  ---------------------------  ----",
        "-                1.500                    0,67                            0  True",
    ]
    english = Console(io.StringIO(), io.StringIO(), "en")
    cli_stats._table([row], english)
    assert english.out.getvalue().splitlines()[2] == "-        1,500               0.67              0  True"
    empty = Console(io.StringIO(), io.StringIO())
    cli_stats._csv([], empty)
    assert empty.out.getvalue() == ""


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--by", "colour"], "Masukan tidak valid: group_by"),
        (["--status", "flying"], "Masukan tidak valid: filters.status"),
        (["--region", "31.7"], "Masukan tidak valid: filters.region"),
        (["--from", "yesterday"], "--from dan --to harus berupa tanggal seperti 2026-03-01"),
        (["--from", "2026-04-01", "--to", "2026-03-01"], "Masukan tidak valid: filters.period"),
        (["--to", "9999-12-31"], "Masukan tidak valid: filters.period"),
        (["--from", "0001-01-01"], "Masukan tidak valid: filters.period"),
        (["--as", "mayor"], "--as harus public, admin, supervisor atau institution:KODE"),
        (["--format", "xml"], "penggunaan salah: argument --format: invalid choice: 'xml'"),
    ],
)
def test_bad_stats_arguments_are_one_line_with_status_2(database: str, argv: list[str], message: str) -> None:
    """Bad keys, filters, dates (issue 16: `--to 9999-12-31`), principals and formats: one line, exit 2."""
    line = refused("stats", database, *argv)
    assert line.startswith("lapor stats: ")
    assert message in line


def test_a_date_at_the_end_of_time_is_refused_on_memory_too() -> None:
    """`lapor stats memory:// --to 9999-12-31` is refused like on SQLite, in English on request."""
    line = refused("stats", "memory://", "--to", "9999-12-31", "--lang", "en")
    assert line.startswith("lapor stats: Invalid input: filters.period: ")


def test_stats_never_creates_a_database(tmp_path: Path) -> None:
    """Counting a database without lapor_core's schema is refused (status 3), not set up."""
    line = refused("stats", f"sqlite:///{tmp_path / 'missing.db'}", status=3)
    assert "no lapor_core schema" in line
    assert "nosuchdb" in refused("stats", "nosuchdb://x", status=3)


def test_stats_as_a_supervisor_is_the_public_count(database: str) -> None:
    """Oversight sees no unpublished or confidential complaint individually either."""
    assert run("stats", database, "--as", "supervisor") == run("stats", database)


def test_the_other_subcommands_still_work() -> None:
    """Adding ``stats`` left ``due`` as it was."""
    assert run("due", "2026-03-17T10:00+07:00", "3") == "2026-03-28T00:00:00+07:00\n"
