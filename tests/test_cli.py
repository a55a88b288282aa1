from __future__ import annotations

import io

import pytest

from lapor_core.cli import build_parser, main


def run(*argv: str) -> str:
    """Run ``lapor`` with ``argv`` and return what it printed."""
    out = io.StringIO()
    assert main(list(argv), out=out) == 0
    return out.getvalue()


def refused(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run ``lapor`` expecting an argparse-style refusal; return its standard error."""
    with pytest.raises(SystemExit) as caught:
        main(list(argv), out=io.StringIO())
    assert caught.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    return captured.err


# -- lapor due -----------------------------------------------------------------------------------------


def test_due_prints_the_deadline_in_the_institution_time_zone() -> None:
    """10:00 WIB + 3 working days for a Makassar office ends 00:00 WITA on 28 March."""
    assert run("due", "2026-03-17T10:00+07:00", "3", "--tz", "Asia/Makassar") == "2026-03-28T00:00:00+08:00\n"


def test_due_defaults_to_jakarta_time() -> None:
    """Without --tz the calendar is WIB."""
    assert run("due", "2026-03-17T03:00Z", "10") == "2026-04-09T00:00:00+07:00\n"


def test_due_warns_when_the_deadline_is_provisional() -> None:
    """Counting over Idul Fitri 2027 (estimated dates) adds a warning line."""
    lines = run("due", "2027-03-08T10:00+07:00", "3").splitlines()
    assert lines[0] == "2027-03-19T00:00:00+07:00"
    assert lines[1].startswith("warning: provisional")
    assert "2027-03-08" in lines[1]


def test_due_options_change_the_calendar() -> None:
    """A six-day week and no collective leave shorten the count."""
    assert run("due", "2026-03-17T10:00+07:00", "3", "--workweek", "Mon-Sat") == "2026-03-28T00:00:00+07:00\n"
    assert run("due", "2026-03-17T10:00+07:00", "3", "--no-collective-leave") == "2026-03-24T00:00:00+07:00\n"
    assert run("due", "2026-03-17T10:00+07:00", "0") == "2026-03-18T00:00:00+07:00\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["due", "2026-03-17T10:00", "3"], "UTC offset"),
        (["due", "tomorrow", "3"], "ISO date-time"),
        (["due", "2026-03-17T10:00+07:00", "three"], "invalid int value"),
        (["due", "2026-03-17T10:00+07:00", "-1"], "from 0 to 3650"),
        (["due", "2026-03-17T10:00+07:00", "99999"], "from 0 to 3650"),
        (["due", "2026-03-17T10:00+07:00", "3", "--tz", "Mars/Olympus"], "unknown time zone"),
        (["due", "2026-03-17T10:00+07:00", "3", "--workweek", "Mon-Funday"], "unknown day"),
        (["due", "9998-12-31T10:00+07:00", "3"], "years 2 to 9997"),
        (["due", "0001-01-01T10:00+07:00", "3"], "years 2 to 9997"),
        (["due", "2026-03-17T10:00+07:00"], "required"),
    ],
)
def test_due_refuses_bad_input_with_status_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    """Bad input prints usage and a clear message on stderr and exits with status 2."""
    err = refused(capsys, *argv)
    assert "usage: lapor due" in err
    assert message in err


def test_due_refuses_a_deadline_beyond_the_supported_years(capsys: pytest.CaptureFixture[str]) -> None:
    """A start near the end of the supported years cannot hold N working days after it."""
    err = refused(capsys, "due", "9997-12-31T10:00+07:00", "3000")
    assert "9997" in err


# -- lapor calendar ------------------------------------------------------------------------------------


def test_calendar_lists_2026_holidays_on_working_days_with_indonesian_names() -> None:
    """2026: 13 weekday holidays and 8 cuti bersama, 240 working days."""
    lines = run("calendar", "2026").splitlines()
    assert lines[0].startswith("Hari libur nasional dan cuti bersama 2026")
    listed = lines[1:-1]
    assert len(listed) == 21
    assert sum(line.endswith("cuti bersama") for line in listed) == 8
    assert any(line.startswith("2026-03-18  Rab  Cuti Bersama Hari Suci Nyepi") for line in listed)
    assert lines[-1] == "Hari kerja 2026: 240"


def test_calendar_speaks_english_on_request() -> None:
    """--lang en translates names, weekdays, kinds and headings."""
    output = run("calendar", "2025", "--lang", "en")
    assert output.startswith("Public holidays and collective leave 2025 (Indonesia, Asia/Jakarta, Mon-Fri)")
    assert "2025-08-18  Mon  Independence Day Joint Holiday" in output
    assert "collective leave" in output
    assert output.endswith("Working days in 2025: 237\n")


def test_calendar_options_change_the_count() -> None:
    """Without cuti bersama 2026 has 248 working days; a Mon-Sat week lists Saturday holidays too."""
    assert run("calendar", "2026", "--no-collective-leave").endswith("Hari kerja 2026: 248\n")
    six_days = run("calendar", "2026", "--workweek", "Mon-Sat", "--tz", "Asia/Jayapura")
    assert "2026-03-21  Sab" in six_days
    assert "Asia/Jayapura, Mon-Sat" in six_days


def test_calendar_marks_years_without_a_decree_as_provisional() -> None:
    """2029 has no SKB in the data: estimated names and a closing note."""
    output = run("calendar", "2029")
    assert "(perkiraan)" in output
    assert output.splitlines()[-1].startswith("catatan: SKB libur nasional dan cuti bersama 2029 belum ada")
    assert "provisional" in run("calendar", "2029", "--lang", "en")


def test_calendar_says_so_when_no_holiday_falls_on_a_working_day() -> None:
    """Before 1946 the holidays package has no Indonesian data: only the count is shown."""
    assert run("calendar", "1900").splitlines()[1:] == [
        "(tidak ada hari libur pada hari kerja)",
        "Hari kerja 1900: 261",
    ]
    assert "(no holiday on a working weekday)" in run("calendar", "1900", "--lang", "en")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["calendar", "0"], "YEAR must be from 1 to 9998"),
        (["calendar", "twenty"], "invalid int value"),
        (["calendar", "2026", "--lang", "fr"], "invalid choice"),
        (["calendar", "2026", "--tz", ""], "time zone"),
    ],
)
def test_calendar_refuses_bad_input_with_status_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    """Bad input prints usage and a clear message on stderr and exits with status 2."""
    err = refused(capsys, *argv)
    assert "usage: lapor calendar" in err
    assert message in err


# -- the command itself --------------------------------------------------------------------------------


def test_main_writes_to_stdout_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    """Without an output stream main prints to standard output."""
    assert main(["due", "2026-03-17T10:00+07:00", "5"]) == 0
    assert capsys.readouterr().out == "2026-04-01T00:00:00+07:00\n"


def test_demo_stays_a_working_subcommand() -> None:
    """`lapor demo` is still there next to due and calendar, and runs."""
    args = build_parser().parse_args(["demo", "--seed", "7"])
    assert (args.command, args.seed, args.url) == ("demo", 7, "sqlite:///build/demo/lapor-demo.db")
    assert "Follow-up service level per institution" in run("demo", "--seed", "7", "--url", "memory://")


def test_a_subcommand_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    """Plain `lapor` explains its usage and exits with status 2."""
    err = refused(capsys)
    assert "COMMAND" in err
