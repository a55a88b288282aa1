"""The tables shipped precomputed (holidays, regions) against their sources, and what opening a desk loads."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from datetime import date
from importlib import resources
from pathlib import Path

import attrs
import pytest

from lapor_core._domain import calendar, precomputed
from lapor_core._domain.calendar import DEFAULT_FIRST_YEAR, DEFAULT_LAST_YEAR, WorkingCalendar
from lapor_core._domain.institutions import Institution, InstitutionDirectory, InstitutionKind
from lapor_core._domain.regions import RegionLevel, RegionTable, default_areas

REGION_CSVS = resources.files("lapor_core") / "data" / "regions"
STALE = "regenerate with `python -m lapor_core._domain.precomputed --regenerate`"


# --- the holiday table ---------------------------------------------------------------------------------


def test_shipped_holiday_table_is_what_the_installed_holidays_package_computes() -> None:
    """The table holds the package's public holidays and cuti bersama of 2015-2040, and its version."""
    shipped = precomputed._shipped_holidays()
    live = precomputed.live_holiday_table()
    assert shipped["version"] == live["version"], STALE
    assert (shipped["first_year"], shipped["last_year"]) == (DEFAULT_FIRST_YEAR, DEFAULT_LAST_YEAR)
    assert shipped == live, STALE


@pytest.mark.parametrize("year", range(DEFAULT_FIRST_YEAR, DEFAULT_LAST_YEAR + 1))
def test_one_year_from_the_table_is_what_the_package_computes_for_that_year(year: int) -> None:
    """A calendar of one year reads the table's days of that year: the package gives the same for it alone."""
    years = range(year, year + 1)
    for category in ("public", "government"):
        from_table = calendar._package_holidays("ID", years, category, "id")
        assert from_table == calendar._live_holidays("ID", years, category, "id")
        assert all(day.year == year for day in from_table[0])


def test_calendars_built_from_the_table_equal_calendars_built_from_the_package(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Same days, names, kinds, estimates and decreed year, with or without collective leave, any range."""
    cases = [
        {},
        {"collective_leave": False},
        {"first_year": 2026, "last_year": 2026},
        {"first_year": 2020, "last_year": 2030, "workweek": "Mon-Sat"},
        {"first_year": 2015, "last_year": 2015},
        {"first_year": 2040, "last_year": 2040, "tz": "Asia/Jayapura"},
    ]
    from_table = [WorkingCalendar.indonesia(**case) for case in cases]  # type: ignore[arg-type]
    monkeypatch.setattr(precomputed, "holiday_table", lambda _years: None)
    from_package = [WorkingCalendar.indonesia(**case) for case in cases]  # type: ignore[arg-type]
    for table_made, package_made in zip(from_table, from_package, strict=True):
        assert table_made == package_made
        assert table_made.decreed_through == package_made.decreed_through
        for year in range(table_made.first.year, table_made.last.year + 1):
            assert table_made.holidays_in(year) == package_made.holidays_in(year)
            assert table_made.holidays_in(year, lang="en") == package_made.holidays_in(year, lang="en")


def test_the_default_calendar_does_not_load_the_holidays_package() -> None:
    """Building ``WorkingCalendar.indonesia()`` in a fresh interpreter reads the table only."""
    code = """
        import sys
        from lapor_core._domain.calendar import WorkingCalendar
        WorkingCalendar.indonesia()
        WorkingCalendar.indonesia(first_year=2026, last_year=2027)
        assert "holidays" not in sys.modules, "the holidays package was imported"
    """
    subprocess.run([sys.executable, "-c", textwrap.dedent(code)], check=True)


@pytest.mark.parametrize(
    ("first", "last"),
    [(2014, 2016), (2039, 2041), (2000, 2100), (DEFAULT_FIRST_YEAR - 1, DEFAULT_FIRST_YEAR - 1)],
)
def test_years_outside_the_table_are_asked_of_the_package(first: int, last: int) -> None:
    """A range reaching outside 2015-2040 gets no table, and its calendar still knows every holiday."""
    assert precomputed.holiday_table(range(first, last + 1)) is None
    built = WorkingCalendar.indonesia(first_year=first, last_year=last)
    assert built.holiday_name(date(first, 1, 1)) == "Tahun Baru Masehi"
    assert built.holiday_name(date(last, 8, 17)) == "Hari Kemerdekaan Republik Indonesia"


def test_years_inside_the_table_get_it() -> None:
    """Every range within 2015-2040 (and an empty one never) gets the table while the package matches."""
    assert precomputed.holiday_table(range(DEFAULT_FIRST_YEAR, DEFAULT_LAST_YEAR + 1)) is not None
    assert precomputed.holiday_table(range(2026, 2027)) is not None
    assert precomputed.holiday_table(range(2026, 2026)) is None


def test_another_holidays_version_is_asked_of_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    """A deployment that upgrades holidays (for a new decree) gets the package's days, not the table's."""
    monkeypatch.setattr(precomputed, "_installed_version", lambda _name: "999.0")
    assert precomputed.holiday_table(range(2026, 2027)) is None
    monkeypatch.setattr(calendar, "_live_holidays", lambda *_args: ({date(2026, 3, 2): "Hari baru"}, ""))
    built = WorkingCalendar.indonesia(first_year=2026, last_year=2026)
    assert built.holiday_name(date(2026, 3, 2)) == "Hari baru"
    assert built.holiday_name(date(2026, 1, 1)) is None


def test_a_missing_holidays_distribution_has_no_version() -> None:
    """The version check answers None for a distribution that is not installed (so the table is not used)."""
    assert precomputed._installed_version("lapor-core-no-such-distribution") is None
    assert precomputed._installed_version("holidays") == precomputed._shipped_holidays()["version"]


def test_metadata_without_a_version_has_no_version(monkeypatch: pytest.MonkeyPatch) -> None:
    """Metadata whose headers name no version (or a distribution without METADATA) matches no table."""

    class Headless:
        def __init__(self, text: str | None) -> None:
            self.text = text

        def read_text(self, _name: str) -> str | None:
            return self.text

    from importlib import metadata

    for text in ("Metadata-Version: 2.1\nName: holidays\n\nVersion: 0.109 (in the description)\n", None):
        monkeypatch.setattr(metadata, "distribution", lambda _name, text=text: Headless(text))
        precomputed._installed_version.cache_clear()
        assert precomputed._installed_version("holidays") is None
    monkeypatch.undo()
    precomputed._installed_version.cache_clear()
    assert precomputed._installed_version("holidays") == precomputed._shipped_holidays()["version"]


def test_english_names_still_come_from_the_package() -> None:
    """Only Indonesian names are shipped; English ones are the package's, as before."""
    built = WorkingCalendar.indonesia(first_year=2026, last_year=2026)
    assert built.holiday_name(date(2026, 3, 19), lang="en") == "Day of Silence"


# --- the region table ------------------------------------------------------------------------------------


def test_default_region_table_is_the_table_of_the_csv_files() -> None:
    """Every region read from the shipped rows equals the one the CSV files give through every rule."""
    from_csv = RegionTable.from_csv(
        REGION_CSVS / "provinces.csv", REGION_CSVS / "regencies.csv", REGION_CSVS / "districts.csv"
    )
    shipped = RegionTable.default()
    assert list(shipped) == list(from_csv), STALE
    assert [attrs.astuple(r) for r in shipped] == [attrs.astuple(r) for r in from_csv]
    assert repr(shipped) == repr(from_csv)
    assert [r.code for r in shipped.provinces()] == [r.code for r in from_csv.provinces()]
    assert shipped.children("32") == from_csv.children("32")


def test_every_shipped_region_passes_its_rules() -> None:
    """Rebuilt through :class:`Region`'s rules and the table's, each shipped region comes out unchanged."""
    shipped = list(RegionTable.default())
    rebuilt = [type(region).from_dict(attrs.asdict(region)) for region in shipped]
    assert rebuilt == shipped
    assert list(RegionTable(rebuilt)) == shipped


def test_default_areas_are_the_provinces_and_regencies_of_the_default_table() -> None:
    """The table the default directory uses holds the same regions as the full one, districts left out."""
    full = [r for r in RegionTable.default() if r.level is not RegionLevel.DISTRICT]
    assert list(default_areas()) == full
    assert default_areas().count(RegionLevel.DISTRICT) == 0


def test_shipped_tables_are_the_text_regeneration_writes() -> None:
    """The files in the wheel are byte for byte what ``--regenerate`` would write today."""
    assert precomputed.stale_tables() == [], STALE


def test_region_files_are_one_list_per_column() -> None:
    """A list per column, every column of a level as long as the others; districts in their own file."""
    folder = precomputed._folder()
    areas = json.loads((folder / "regions.json").read_text(encoding="utf-8"))
    districts = json.loads((folder / "districts.json").read_text(encoding="utf-8"))
    assert set(areas) == {"about", "provinces", "regencies"}
    assert set(districts) == {"about", "districts"}
    for columns in (areas["provinces"], areas["regencies"], districts["districts"]):
        assert len({len(column) for column in columns.values()}) == 1


# --- the default directory -------------------------------------------------------------------------------


def test_every_default_institution_passes_its_rules() -> None:
    """The regional governments are built without their rules; rebuilt through them, nothing changes."""
    directory = InstitutionDirectory.default()
    institutions = directory.institutions()
    assert [Institution.from_dict(attrs.asdict(item, recurse=False)) for item in institutions] == list(
        institutions
    )
    linked = InstitutionDirectory(institutions)  # superiors known, no cycles
    assert linked.institutions() == institutions


def test_default_directory_governs_each_region_of_the_csv_files() -> None:
    """One government per province, regency and city of the CSV files, named, zoned and placed as before."""
    regions = RegionTable.from_csv(REGION_CSVS / "provinces.csv", REGION_CSVS / "regencies.csv")
    directory = InstitutionDirectory.default()
    for region in regions:
        government = directory.get(region.code)
        assert (government.region, government.timezone) == (region.code, region.timezone)
        if region.level is RegionLevel.PROVINCE:
            assert government.name == f"Pemerintah Provinsi {region.name}"
            assert (government.kind, government.superior) == (InstitutionKind.PROVINCE, "kemendagri")
        else:
            assert government.name == f"Pemerintah {region.name}"
            assert government.superior == region.parent
            assert government.kind is (
                InstitutionKind.CITY if region.name.startswith("Kota") else InstitutionKind.REGENCY
            )


# --- regeneration ------------------------------------------------------------------------------------------


def test_regenerate_writes_tables_that_check_as_current(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--regenerate`` writes the files; ``--check`` passes on them and names those changed or missing."""
    assert precomputed.main(["--regenerate", "--folder", str(tmp_path)]) == 0
    written = sorted(path.name for path in tmp_path.iterdir())
    assert written == ["districts.json", "holidays_id.json", "regions.json"]
    for name in written:
        assert (tmp_path / name).read_bytes() == (precomputed._folder() / name).read_bytes()
    assert precomputed.main(["--check", "--folder", str(tmp_path)]) == 0
    holidays_file = tmp_path / "holidays_id.json"
    holidays_file.write_text(
        holidays_file.read_text(encoding="utf-8").replace("Nyepi", "Nyepi!"), encoding="utf-8"
    )
    (tmp_path / "regions.json").unlink()
    capsys.readouterr()
    assert precomputed.main(["--check", "--folder", str(tmp_path)]) == 1
    assert "holidays_id.json" in capsys.readouterr().err
    assert precomputed.stale_tables(tmp_path) == ["holidays_id.json", "regions.json"]
    (tmp_path / "districts.json").write_text("{}", encoding="utf-8")
    assert precomputed.stale_tables(tmp_path) == ["holidays_id.json", "regions.json", "districts.json"]


def test_regenerate_and_check_are_required_and_exclusive() -> None:
    """The tool refuses to run without an action or with both."""
    for argv in ([], ["--regenerate", "--check"]):
        with pytest.raises(SystemExit) as exit_info:
            precomputed.main(argv)
        assert exit_info.value.code == 2


# --- opening a desk ---------------------------------------------------------------------------------------


_OPEN_AND_REPORT = """
import json, sys
import lapor_core
from lapor_core._domain import regions
lapor_core.ComplaintDesk.open(sys.argv[1], pepper="a test pepper of 16+ bytes").close()
loaded = [name for name in ("holidays", "alembic", "sqlalchemy") if name in sys.modules]
print(json.dumps({"loaded": loaded, "districts": regions._default_table.cache_info().currsize}))
"""


def _open_in_a_fresh_interpreter(url: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _OPEN_AND_REPORT, url], check=True, capture_output=True, text=True
    )
    report: dict[str, object] = json.loads(done.stdout)
    return report


def test_opening_a_sqlite_desk_loads_neither_holidays_nor_districts_nor_alembic(tmp_path: Path) -> None:
    """A desk opened on a current database reads the shipped tables and the schema revision, nothing more.

    The first open creates the schema, so it runs the migrations (and loads Alembic); the second must not.
    """
    pytest.importorskip("sqlalchemy")
    url = f"sqlite:///{tmp_path / 'lapor.db'}"
    created = _open_in_a_fresh_interpreter(url)
    assert created == {"loaded": ["alembic", "sqlalchemy"], "districts": 0}
    assert _open_in_a_fresh_interpreter(url) == {"loaded": ["sqlalchemy"], "districts": 0}


def test_opening_a_memory_desk_loads_no_sql_and_no_holidays() -> None:
    """The in-memory desk needs neither SQLAlchemy nor the holidays package nor the district table."""
    assert _open_in_a_fresh_interpreter("memory://") == {"loaded": [], "districts": 0}


_ON_FIRST_USE = (
    "lapor_core._application.authentication",
    "lapor_core._application.complaints",
    "lapor_core._application.kernel",
    "lapor_core._application.reading",
    "lapor_core._application.submissions",
    "lapor_core._application.sweep",
    "lapor_core._domain.access",
    "lapor_core._domain.attachments",
    "lapor_core._domain.views",
    "PIL",
    "pypdf",
)

_OPEN_THEN_USE = f"""
import json, sys
import lapor_core
desk = lapor_core.ComplaintDesk.open(sys.argv[1], pepper="a test pepper of 16+ bytes")
at_open = [name for name in {_ON_FIRST_USE!r} if name in sys.modules]
receipt = desk.submit(lapor_core.Submission.from_dict(
    {{"kind": "pengaduan", "channel": "web", "title": "Lampu mati", "body": "Sejak kemarin."}}))
desk.view(desk.authenticate(receipt.tracking_id, receipt.access_key), receipt.tracking_id)
desk.close()
after_use = [name for name in {_ON_FIRST_USE!r} if name in sys.modules]
print(json.dumps({{"at_open": at_open, "after_use": after_use}}))
"""


@pytest.mark.parametrize("scheme", ["memory", "sqlite"])
def test_opening_a_desk_loads_the_commands_and_views_on_first_use(scheme: str, tmp_path: Path) -> None:
    """The commands' modules, the views and the policy table load with the first command, not at open."""
    if scheme == "sqlite":
        pytest.importorskip("sqlalchemy")
    url = "memory://" if scheme == "memory" else f"sqlite:///{tmp_path / 'lapor.db'}"
    done = subprocess.run(
        [sys.executable, "-c", _OPEN_THEN_USE, url], check=True, capture_output=True, text=True
    )
    report = json.loads(done.stdout)
    # The in-memory store answers counts itself, so it loads the statistics rules and the policy table.
    expected = [] if scheme == "sqlite" else ["lapor_core._domain.access"]
    assert report["at_open"] == expected
    assert {"lapor_core._application.submissions", "lapor_core._domain.views"} <= set(report["after_use"])
