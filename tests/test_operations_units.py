"""The systemd units of the operations guide (docs/operations/systemd/) are valid and run real commands.

Each file is parsed here (sections, keys, a oneshot service, a timer naming an existing service); every
``lapor`` command line is handed to the ``lapor`` parser, which exits on an unknown subcommand or option;
where ``systemd-analyze`` is installed, ``systemd-analyze verify`` checks the units as systemd reads them.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lapor_core.cli import build_parser

UNITS = Path(__file__).parent.parent / "docs" / "operations" / "systemd"
INSTALLED_BIN = "/opt/lapor/.venv/bin/"
SERVICES = sorted(UNITS.glob("*.service"))
TIMERS = sorted(UNITS.glob("*.timer"))


def parse_unit(text: str) -> dict[str, dict[str, list[str]]]:
    """A unit file as {section: {key: [values]}}; keys may repeat, as systemd allows."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
        elif "=" in line and current is not None:
            key, _, value = line.partition("=")
            current.setdefault(key.strip(), []).append(value.strip())
        else:
            raise ValueError(f"line {number} is neither a section nor key=value: {raw!r}")
    return sections


def test_parse_unit_refuses_a_line_outside_any_section() -> None:
    """The parser itself fails on what systemd would not read, so the tests below can fail."""
    with pytest.raises(ValueError, match="line 1"):
        parse_unit("ExecStart=/bin/true\n")
    with pytest.raises(ValueError, match="line 2"):
        parse_unit("[Service]\nExecStart /bin/true\n")


def test_the_guide_ships_the_sweep_delivery_and_backup_units() -> None:
    """Every unit the guide includes is there, each service with its timer."""
    assert [p.name for p in SERVICES] == [
        "lapor-backup.service",
        "lapor-deliver.service",
        "lapor-sweep.service",
    ]
    assert [p.stem for p in TIMERS] == [p.stem for p in SERVICES]


@pytest.mark.parametrize("path", SERVICES, ids=lambda p: p.name)
def test_service_is_a_oneshot_with_absolute_commands(path: Path) -> None:
    """A oneshot (a timer never starts a second run while one is going), described, every command absolute."""
    unit = parse_unit(path.read_text(encoding="utf-8"))
    assert unit["Unit"]["Description"][0]
    assert unit["Service"]["Type"] == ["oneshot"]
    commands = unit["Service"]["ExecStart"] + unit["Service"].get("ExecStartPost", [])
    assert all(command.startswith("/") for command in commands)
    assert unit["Service"]["NoNewPrivileges"] == ["yes"]


@pytest.mark.parametrize(
    "path", [p for p in SERVICES if INSTALLED_BIN + "lapor " in p.read_text()], ids=lambda p: p.name
)
def test_lapor_command_line_is_one_the_lapor_parser_accepts(path: Path) -> None:
    """The subcommand and options of ``ExecStart`` exist (argparse exits on anything it does not know)."""
    (command,) = parse_unit(path.read_text(encoding="utf-8"))["Service"]["ExecStart"]
    argv = shlex.split(command.replace("${LAPOR_DATABASE_URL}", "sqlite:///var/lib/lapor/lapor.db"))
    assert argv[0] == INSTALLED_BIN + "lapor"
    args = build_parser().parse_args(argv[1:])
    assert args.url == "sqlite:///var/lib/lapor/lapor.db"


@pytest.mark.parametrize("path", TIMERS, ids=lambda p: p.name)
def test_timer_names_its_service_a_schedule_and_timers_target(path: Path) -> None:
    """Each timer starts the service beside it, on a calendar schedule, catching up after downtime."""
    unit = parse_unit(path.read_text(encoding="utf-8"))
    assert unit["Timer"]["Unit"] == [path.with_suffix(".service").name]
    assert (UNITS / unit["Timer"]["Unit"][0]).exists()
    assert unit["Timer"]["OnCalendar"]
    assert unit["Timer"]["Persistent"] == ["true"]
    assert unit["Install"]["WantedBy"] == ["timers.target"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_analyze_verify_accepts_every_unit(tmp_path: Path) -> None:
    """Systemd's own check, with lapor at this interpreter's path instead of /opt/lapor (it must exist)."""
    here = str(Path(sys.executable).parent) + "/"
    for path in [*SERVICES, *TIMERS]:
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8").replace(INSTALLED_BIN, here))
    files = sorted(str(p) for p in tmp_path.iterdir())
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *files],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, "")
