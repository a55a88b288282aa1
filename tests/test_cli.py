from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import lapor_core as lc
from desk_support import PEPPER, WIB, submission
from lapor_core.cli import _calendar as _cli_calendar
from lapor_core.cli import _text as _cli_text
from lapor_core.cli import build_parser, main
from lapor_core.stores.sql import SqlComplaintStore
from lapor_core.testing import FrozenClock


def run(*argv: str) -> str:
    """Run ``lapor`` with ``argv``, expecting success; return what it printed."""
    out, err = io.StringIO(), io.StringIO()
    assert main(list(argv), out=out, err=err) == 0, err.getvalue()
    assert err.getvalue() == ""
    return out.getvalue()


def refused(*argv: str, status: int = 2) -> str:
    """Run ``lapor`` expecting ``status``, nothing on the output and one line on stderr; return that line."""
    out, err = io.StringIO(), io.StringIO()
    assert main(list(argv), out=out, err=err) == status, err.getvalue()
    assert out.getvalue() == ""
    lines = err.getvalue().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


# -- lapor due -----------------------------------------------------------------------------------------


def test_due_prints_the_deadline_in_the_institution_time_zone() -> None:
    """10:00 WIB + 3 working days for a Makassar office ends 00:00 WITA on 28 March."""
    assert run("due", "2026-03-17T10:00+07:00", "3", "--tz", "Asia/Makassar") == "2026-03-28T00:00:00+08:00\n"


def test_due_defaults_to_jakarta_time() -> None:
    """Without --tz the calendar is WIB."""
    assert run("due", "2026-03-17T03:00Z", "10") == "2026-04-09T00:00:00+07:00\n"


def test_due_warns_in_indonesian_when_the_deadline_is_provisional() -> None:
    """Counting over Idul Fitri 2027 (estimated dates) adds a warning, its dates as people write them."""
    lines = run("due", "2027-03-08T10:00+07:00", "3").splitlines()
    assert lines[0] == "2027-03-19T00:00:00+07:00"
    assert lines[1].startswith("peringatan: sementara: hari kerja dari 8 Mar 2027 sampai 18 Mar 2027")
    english = run("due", "2027-03-08T10:00+07:00", "3", "--lang", "en").splitlines()
    assert english[1].startswith("warning: provisional: the working days from Mar 8, 2027 to Mar 18, 2027")


def test_due_options_change_the_calendar() -> None:
    """A six-day week and no collective leave shorten the count."""
    assert run("due", "2026-03-17T10:00+07:00", "3", "--workweek", "Mon-Sat") == "2026-03-28T00:00:00+07:00\n"
    assert run("due", "2026-03-17T10:00+07:00", "3", "--no-collective-leave") == "2026-03-24T00:00:00+07:00\n"
    assert run("due", "2026-03-17T10:00+07:00", "0") == "2026-03-18T00:00:00+07:00\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["due", "2026-03-17T10:00", "3"], "lapor due: START memerlukan selisih waktu UTC atau Z"),
        (["due", "tomorrow", "3"], "lapor due: START harus berupa tanggal dan waktu ISO"),
        (["due", "2026-03-17T10:00+07:00", "three"], "N harus berupa bilangan bulat dari 0 sampai 3.650"),
        (["due", "2026-03-17T10:00+07:00", "-1"], "N harus berupa bilangan bulat dari 0 sampai 3.650"),
        (["due", "2026-03-17T10:00+07:00", "99999"], "N harus berupa bilangan bulat dari 0 sampai 3.650"),
        (["due", "2026-03-17T10:00+07:00", "9" * 5000], "N harus berupa bilangan bulat"),
        (
            ["due", "2026-03-17T10:00+07:00", "3", "--tz", "Mars/Olympus"],
            "lapor due: Masukan tidak valid: tz",
        ),
        (["due", "2026-03-17T10:00+07:00", "3", "--workweek", "Mon-Funday"], "Masukan tidak valid: workweek"),
        (["due", "9998-12-31T10:00+07:00", "3"], "tahun 2 sampai 9997"),
        (["due", "0001-01-01T10:00+07:00", "3"], "tahun 2 sampai 9997"),
        (["due", "2026-03-17T10:00+07:00"], "penggunaan salah: the following arguments are required: N"),
    ],
)
def test_due_refuses_bad_input_in_one_indonesian_line_with_status_2(argv: list[str], message: str) -> None:
    """Bad input prints one line on stderr, in Indonesian, and exits with status 2."""
    assert message in refused(*argv)


def test_due_refuses_a_deadline_beyond_the_supported_years() -> None:
    """A start near the end of the supported years cannot hold N working days after it."""
    assert refused("due", "9997-12-31T10:00+07:00", "3000", "--lang", "en").endswith(
        "START and its deadline must fall in the years 2 to 9997"
    )


# -- lapor calendar ------------------------------------------------------------------------------------


def test_calendar_lists_2026_holidays_on_working_days_in_indonesian() -> None:
    """2026: 13 weekday holidays and 8 cuti bersama, 240 working days; dates and weekdays in Indonesian."""
    lines = run("calendar", "2026").splitlines()
    assert lines[0] == "Hari libur nasional dan cuti bersama 2026 (Indonesia, Asia/Jakarta, Mon-Fri)"
    listed = lines[1:-1]
    assert len(listed) == 21
    assert sum(line.endswith("cuti bersama") for line in listed) == 8
    assert any(line.startswith("18 Mar 2026  Rab  Cuti Bersama Hari Suci Nyepi") for line in listed)
    assert " 1 Jan 2026  Kam  " in lines[1]
    assert lines[-1] == "Hari kerja 2026: 240"


def test_calendar_speaks_english_on_request() -> None:
    """--lang en translates names, dates, weekdays, kinds and headings."""
    output = run("calendar", "2025", "--lang", "en")
    assert output.startswith("Public holidays and collective leave 2025 (Indonesia, Asia/Jakarta, Mon-Fri)")
    assert "Aug 18, 2025  Mon  Independence Day Joint Holiday" in output
    assert "collective leave" in output
    assert output.endswith("Working days in 2025: 237\n")


def test_calendar_options_change_the_count() -> None:
    """Without cuti bersama 2026 has 248 working days; a Mon-Sat week lists Saturday holidays too."""
    assert run("calendar", "2026", "--no-collective-leave").endswith("Hari kerja 2026: 248\n")
    six_days = run("calendar", "2026", "--workweek", "Mon-Sat", "--tz", "Asia/Jayapura")
    assert "21 Mar 2026  Sab" in six_days
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
        (["calendar", "0"], "YEAR harus berupa bilangan bulat dari 1 sampai 9.998"),
        (["calendar", "twenty"], "YEAR harus berupa bilangan bulat"),
        (["calendar", "2026", "--lang", "fr"], "argument --lang: invalid choice: 'fr'"),
        (["calendar", "2026", "--tz", ""], "Masukan tidak valid: tz"),
    ],
)
def test_calendar_refuses_bad_input_with_status_2(argv: list[str], message: str) -> None:
    """Bad input prints one line on stderr and exits with status 2."""
    line = refused(*argv)
    assert line.startswith("lapor calendar: ")
    assert message in line


# -- the command itself --------------------------------------------------------------------------------


def test_main_writes_to_stdout_and_stderr_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    """Without streams main prints results to standard output and errors to standard error."""
    assert main(["due", "2026-03-17T10:00+07:00", "5"]) == 0
    assert capsys.readouterr().out == "2026-04-01T00:00:00+07:00\n"
    assert main(["due", "2026-03-17T10:00+07:00", "five"]) == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err.count("\n")) == ("", 1)


def test_demo_runs_on_a_memory_store() -> None:
    """`lapor demo` is still there next to due and calendar, and runs."""
    args = build_parser().parse_args(["demo", "--seed", "7"])
    assert (args.command, args.seed, args.url) == ("demo", "7", "sqlite:///build/demo/lapor-demo.db")
    assert "Follow-up service level per institution" in run("demo", "--seed", "7", "--url", "memory://")


def test_tour_runs_and_checks_its_seed() -> None:
    """`lapor tour` runs with a seed and refuses a negative one in one line."""
    assert "tour (seed 3)" in run("tour", "--seed", "3")
    assert (
        refused("tour", "--seed", "-3")
        == "lapor tour: --seed harus berupa bilangan bulat dari 0 sampai 4.294.967.295"
    )


def test_a_subcommand_is_required() -> None:
    """Plain `lapor` explains what is missing in one line and exits with status 2."""
    assert refused() == (
        "lapor: penggunaan salah: the following arguments are required: COMMAND (lihat lapor --help)"
    )
    assert refused("--lang", "en") == (
        "lapor: usage error: the following arguments are required: COMMAND (see lapor --help)"
    )


def test_an_unknown_subcommand_or_option_is_one_usage_line() -> None:
    """The refusals of argparse are one line naming the (sub)command, with a pointer to --help."""
    assert refused("nosuch").startswith("lapor: penggunaan salah: argument COMMAND: invalid choice: 'nosuch'")
    line = refused("due", "2026-03-17T10:00+07:00", "3", "--colour", "red")
    assert line == "lapor due: argumen tidak dikenal: --colour red (lihat lapor due --help)"


@pytest.mark.parametrize(
    "argv",
    [
        ["--lang", "en", "due", "2026-03-17T10:00+07:00", "x"],
        ["due", "2026-03-17T10:00+07:00", "x", "--lang", "en"],
        ["due", "2026-03-17T10:00+07:00", "x", "--lang=en"],
    ],
)
def test_lang_may_come_before_or_after_the_subcommand(argv: list[str]) -> None:
    """`lapor --lang en due ...` and `lapor due ... --lang en` both speak English."""
    assert refused(*argv) == "lapor due: N must be a whole number from 0 to 3,650"


def test_lang_applies_to_refusals_argparse_finds_too() -> None:
    """Even when parsing fails, the line is in the language asked for anywhere on the command line."""
    assert "usage error: " in refused("due", "--lang", "en")
    assert "penggunaan salah: " in refused("due", "--lang", "jv")


def test_help_exits_0_with_the_exit_statuses_documented(capsys: pytest.CaptureFixture[str]) -> None:
    """--help prints the usage (English) on standard output and exits 0; it names the exit statuses."""
    assert main(["--help"]) == 0
    text = capsys.readouterr().out
    assert "usage: lapor" in text
    assert "2 bad usage or input, 3 configuration or storage" in " ".join(text.split())
    assert main(["stats", "--help"]) == 0
    assert "--lang {id,en}" in capsys.readouterr().out


def test_an_unexpected_exception_is_one_line_with_status_4(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug shows as one line naming the exception type only (its text may hold data), exit status 4."""
    monkeypatch.delenv("LAPOR_DEBUG", raising=False)

    def broken(*_: object, **__: object) -> object:
        raise RuntimeError("secret detail of reporter Siti")

    monkeypatch.setattr(_cli_calendar, "_working_calendar", broken)
    line = refused("calendar", "2026", status=4)
    assert line.startswith("lapor calendar: kesalahan internal (RuntimeError); ini bug pada lapor_core")
    assert "LAPOR_DEBUG=1" in line
    assert "Siti" not in line


def test_lapor_debug_lets_the_traceback_through(monkeypatch: pytest.MonkeyPatch) -> None:
    """With LAPOR_DEBUG=1 an unexpected exception is raised, for its traceback; LAPOR_DEBUG=0 is one line."""

    def broken(*_: object, **__: object) -> object:
        raise RuntimeError("boom")

    monkeypatch.setattr(_cli_calendar, "_working_calendar", broken)
    monkeypatch.setenv("LAPOR_DEBUG", "1")
    with pytest.raises(RuntimeError, match="boom"):
        main(["calendar", "2026"], out=io.StringIO(), err=io.StringIO())
    monkeypatch.setenv("LAPOR_DEBUG", "0")
    assert "RuntimeError" in refused("calendar", "2026", status=4)


def test_ctrl_c_is_one_line_with_status_130(monkeypatch: pytest.MonkeyPatch) -> None:
    """KeyboardInterrupt ends the command with `dibatalkan` and the shell's status for SIGINT."""

    def interrupted(*_: object, **__: object) -> object:
        raise KeyboardInterrupt

    monkeypatch.setattr(_cli_calendar, "_working_calendar", interrupted)
    assert refused("calendar", "2026", status=130) == "lapor calendar: dibatalkan"
    assert refused("calendar", "2026", "--lang", "en", status=130) == "lapor calendar: interrupted"


def test_a_reader_that_goes_away_ends_the_command_quietly_with_status_141() -> None:
    """`lapor calendar 2026 | head -1`: the closed pipe is no error line and no internal error."""

    class ClosedPipe(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError

    err = io.StringIO()
    assert main(["calendar", "2026"], out=ClosedPipe(), err=err) == 141
    assert err.getvalue() == ""


def test_a_closed_standard_output_ends_the_process_quietly(tmp_path: Path) -> None:
    """A reader gone before the first line (`| head -0`): status 141, nothing on stderr, even at exit."""
    process = subprocess.Popen(
        [sys.executable, "-m", "lapor_core", "calendar", "2026"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert process.stdout is not None
    process.stdout.close()  # long before the child has imported lapor_core and printed
    _, err = process.communicate(timeout=60)
    assert (process.returncode, err) == (141, b"")


def test_error_parameters_are_shown_in_the_line_s_language() -> None:
    """A library error or a catalogue text given as a parameter is rendered in the locale of the line."""
    error = _cli_text.CliError(
        "cli.deliver.book_unreadable",
        3,
        path="book.json",
        reason=_cli_text.Translated("cli.os.not_found"),
    )
    assert error.describe() == "buku alamat book.json tidak dapat dibaca: berkas tidak ada"
    assert error.describe("en") == "cannot read the address book book.json: no such file"
    nested = _cli_text.CliError(
        "cli.usage_error", 2, detail=lc.errors.NotFound(kind="complaint", key="K"), prog="p"
    )
    assert nested.describe("en") == "usage error: Not found: K (see p --help)"


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (lc.ValidationError.single("title", "text.empty"), 2),
        (lc.errors.DateOutOfRange(value="x", first="a", last="b"), 2),
        (lc.errors.NotFound(kind="complaint", key="k"), 2),
        (lc.errors.ConfigurationError("bad"), 3),
        (lc.errors.PluginError(scheme="x", known=["memory"]), 3),
        (lc.errors.StorageError("down"), 3),
        (lc.errors.TemporaryNotificationError("later"), 3),
        (lc.errors.LaporError("other"), 3),
    ],
)
def test_library_errors_map_to_documented_exit_statuses(error: lc.errors.LaporError, status: int) -> None:
    """Refused input is 2; configuration, storage and the rest of the library's errors are 3."""
    assert _cli_text.exit_status_of(error) == status


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0", 0), ("10", 10), (" 7 ", 7), ("-0", 0), ("3650", 3650)],
)
def test_whole_number_reads_plain_decimal_integers(text: str, expected: int) -> None:
    """Digits (optionally signed and padded) within the range are read as the integer."""
    assert _cli_text.whole_number(text, "N", 0, 3650) == expected


@pytest.mark.parametrize("text", ["", "-", "+5", "3651", "-1", "1.0", "1e3", "٣", "nan", "9" * 5000])
def test_whole_number_refuses_anything_else_with_the_range(text: str) -> None:
    """Words, decimals, other scripts' digits, huge numbers and values out of range are refused."""
    with pytest.raises(_cli_text.CliError) as caught:
        _cli_text.whole_number(text, "N", 0, 3650)
    assert caught.value.code == "cli.not_whole_number"
    assert caught.value.params == {"name": "N", "min": 0, "max": 3650}


def test_python_dash_m_runs_the_command_and_exits_with_its_status(tmp_path: Path) -> None:
    """`python -m lapor_core` exits with main's status and prints one line, no traceback, on stderr."""
    result = subprocess.run(
        [sys.executable, "-m", "lapor_core", "stats", "memory://", "--to", "9999-12-31"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert result.returncode == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("lapor stats: Masukan tidak valid: filters.period: ")


# -- junk on every subcommand --------------------------------------------------------------------------

_START = ("2026-03-17T10:00+07:00", "2026-03-17T10:00", "9998-12-31T23:00+07:00", "0001-01-01T00:00Z")
_DATES = ("2026-03-01", "2026-04-01", "9999-12-31", "0001-01-01", "20260301", "yesterday")
_SWITCHES = frozenset({"--sql", "--no-collective-leave", "--sla", "--webhook", "--dry-run", "--dead-letters"})
_VALUES: dict[str, tuple[str, ...]] = {
    "--seed": ("0", "7", "-3", "4294967296"),
    "--revision": ("head", "0001", "0005", "5", ""),
    "--tz": ("Asia/Jakarta", "Asia/Makassar", "UTC", "Mars/Olympus", ""),
    "--workweek": ("Mon-Fri", "Mon-Sat", "Sen-Jum", "Sun-Thu", "Mon,Wed", "Mon-Funday", ""),
    "--lang": ("id", "en", "fr"),
    "--by": ("province", "regency,topic", "status,month", "kind,channel,institution", "colour", ""),
    "--format": ("table", "csv", "json", "xml"),
    "--as": ("public", "admin", "supervisor", "institution:31.71", "institution:", "mayor"),
    "--status": ("forwarded", "submitted", "flying"),
    "--institution": ("31.71", "73.71", "x"),
    "--category": ("roads-bridges", "nope"),
    "--kind": ("complaint", "aspiration", "x"),
    "--channel": ("web", "sms", "x"),
    "--region": ("31", "31.71", "3171", "31.7", ""),
    "--from": _DATES,
    "--to": _DATES,
    "--smtp": ("127.0.0.1:1", "[::1]:x", ":25", "mail.example:99999", "127.0.0.1"),
    "--smtp-security": ("starttls", "ssl", "none", "tls"),
    "--smtp-user": ("lapor",),
    "--sender": ("LAPOR! <noreply@lapor.example>", "x"),
    "--timeout": ("20", "0", "-1", "nan", "inf", "3601", "0.5"),
    "--limit": ("1", "2", "0", "1001", "x"),
    "--retry-dead-letters": ("no-such-id",),
    "--now": ("2026-06-01T08:00+07:00", "2026-03-17T10:00Z", "2026-06-01", "soon", ""),
}


def _flags_by_command() -> dict[str, tuple[str, ...]]:
    """Every long option of every subcommand, read from the parser itself so that none is missed."""
    [subcommands] = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return {
        name: tuple(
            flag for action in parser._actions for flag in action.option_strings if flag.startswith("--")
        )
        for name, parser in subcommands.choices.items()
    }


_FLAGS = _flags_by_command()
_EVERY_FLAG = (*sorted({flag for flags in _FLAGS.values() for flag in flags}), "-h", "--", "-")
_JUNK = st.text(st.characters(blacklist_categories=["Cs"]), max_size=12) | st.sampled_from(
    ("", "-", "--", "=", "\x00", "\r\n", "\u202e", "x" * 300, "1e309", "٣")
)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=3),
    max_leaves=8,
)


@pytest.fixture(scope="module")
def junk_world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, ...]]:
    """A database with complaints and an empty outbox, address books good and bad, and a folder to work in.

    The outbox is emptied so that no command line, however drawn, makes `deliver` send anything anywhere;
    the demo gets URLs of its own, so it never fills a store `deliver` reads.
    """
    root = tmp_path_factory.mktemp("junk")
    url = f"sqlite:///{root / 'lapor.db'}"
    # The sweep gets a database of its own: the messages it queues never reach a store `deliver` reads.
    swept = f"sqlite:///{root / 'sweep.db'}"
    for target in (url, swept):
        desk = lc.ComplaintDesk.open(
            target, clock=FrozenClock(datetime(2026, 3, 17, 10, tzinfo=WIB)), pepper=PEPPER
        )
        for _ in range(3):
            desk.submit(submission(location={"region": "31.71.01"}, category="roads-bridges"))
        desk.close()
    store = SqlComplaintStore(url, schema="check")
    with store.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM lapor_outbox")
    store.close()
    books = {
        "good": {"admin": "mailto:admin@lapor.example", "institutions": {"31.71": "http://127.0.0.1:1/x"}},
        "shapeless": {"reporter_channels": None},
        "wrong": {"institutions": []},
    }
    for name, content in books.items():
        (root / f"{name}.json").write_text(json.dumps(content))
    (root / "broken.json").write_bytes(b'{"admin": ')
    return {
        "root": (str(root),),
        "urls": (
            url,
            "memory://",
            "sqlite://",
            "nosuchdb://x",
            f"sqlite:///{root / 'fresh.db'}",
            "not a url",
        ),
        "demo_urls": ("memory://", f"sqlite:///{root / 'demo.db'}"),
        "sweep_urls": (swept, "memory://", "sqlite://", "nosuchdb://x", "not a url"),
        "books": tuple(str(root / f"{name}.json") for name in (*books, "broken", "missing", "junk")),
    }


@st.composite
def _command_lines(draw: st.DrawFn, world: dict[str, tuple[str, ...]]) -> list[str]:
    """A subcommand with positionals and options: mostly its own flags with sensible values, and junk."""
    command = draw(st.sampled_from(sorted(_FLAGS)))
    values = {**_VALUES, "--addresses": world["books"], "--url": world["demo_urls"]}

    def value(choices: tuple[str, ...]) -> str:
        return draw(st.sampled_from(choices) if choices and draw(st.integers(0, 7)) else _JUNK)

    database, good_book = world["urls"][0], world["books"][0]
    working = {
        "demo": [["demo", "--seed", "3"]],
        "db": [["db", "current", database], ["db", "upgrade", world["urls"][4], "--sql"]],
        "tour": [["tour"]],
        "due": [["due", "2026-03-17T10:00+07:00", "3"]],
        "calendar": [["calendar", "2026"]],
        "stats": [["stats", database, "--by", "status", "--as", "admin"]],
        "deliver": [
            ["deliver", database, "--dead-letters"],
            ["deliver", database, "--addresses", good_book, "--dry-run"],
            ["deliver", database, "--addresses", good_book, "--webhook"],
        ],
        "sweep": [["sweep", world["sweep_urls"][0], "--now", "2026-06-01T08:00+07:00"]],
        "integrations": [
            ["integrations", "list", database],
            ["integrations", "add", database, "31.71", "--endpoint", "https://sipp.example/lapor"],
            ["integrations", "rotate", database, "31.71"],
        ],
    }
    positionals = {
        "db": [("upgrade", "current", "drop"), world["urls"]],
        "due": [_START, ("0", "3", "3650", "3651", "three")],
        "calendar": [("1900", "2026", "2029", "9998", "0", "10000")],
        "stats": [world["urls"]],
        "deliver": [world["urls"]],
        "sweep": [world["sweep_urls"]],
        "integrations": [("add", "rotate", "list", "remove", "drop"), world["urls"], ("31.71", "99.99", "")],
    }.get(command, [])
    if draw(st.booleans()):  # a working command line, changed below
        argv = list(draw(st.sampled_from(working[command])))
    else:
        argv = [command, *(value(choices) for choices in positionals)]
    for _ in range(draw(st.integers(0, 3))):
        flag = draw(st.sampled_from(_FLAGS[command] if draw(st.integers(0, 9)) else _EVERY_FLAG))
        argv.append(flag)
        if flag not in _SWITCHES and draw(st.integers(0, 19)):
            argv.append(value(values.get(flag, ())))
    if draw(st.integers(0, 14)) == 0:
        argv.insert(draw(st.integers(0, len(argv))), draw(_JUNK))
    if command == "demo":
        # The last --url wins: the demo only ever writes to memory or its own file, never the default path.
        argv += ["--url", draw(st.sampled_from(world["demo_urls"]))]
    return argv


@settings(
    max_examples=200,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_junk_on_every_subcommand_ends_with_a_documented_status_and_no_traceback(
    junk_world: dict[str, tuple[str, ...]], data: st.DataObject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Real flags with junk values, junk tokens anywhere: exit status 0 to 3, failures as one stderr line."""
    monkeypatch.setenv("LAPOR_WEBHOOK_SECRET", "a webhook secret of enough bytes")
    monkeypatch.setenv("LAPOR_PEPPER", PEPPER)  # lapor integrations derives secrets under it
    monkeypatch.delenv("LAPOR_DEBUG", raising=False)
    monkeypatch.chdir(junk_world["root"][0])  # whatever a command might create lands in the test's folder
    argv = data.draw(_command_lines(junk_world))
    Path("junk.json").write_text(json.dumps(data.draw(_JSON)))
    out, err = io.StringIO(), io.StringIO()
    stray_out, stray_err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stray_out), contextlib.redirect_stderr(stray_err):
        status = main(argv, out=out, err=err)
    errors = err.getvalue() + stray_err.getvalue()
    event(f"{argv[0] if argv[0] in _FLAGS else '(junk)'} exits {status}")
    assert status in {0, 1, 2, 3}, errors
    assert "Traceback" not in errors
    if status >= 2:
        assert len(errors.splitlines()) == 1, errors
        assert errors.startswith("lapor")
