from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lapor_core.errors import NotFound, ValidationError
from lapor_core.institutions import (
    Institution,
    InstitutionDirectory,
    InstitutionKind,
    WorkUnit,
    parse_workweek,
)
from lapor_core.regions import RegionLevel, RegionTable

DEFAULT = InstitutionDirectory.default()
REGIONS = RegionTable.default()


def _fields(error: ValidationError) -> list[str]:
    return [e.field for e in error.errors]


def _ministry(code: str = "kemenkes", **changes: object) -> Institution:
    values: dict[str, object] = {
        "code": code,
        "name": "Kementerian Kesehatan",
        "kind": InstitutionKind.MINISTRY,
        "timezone": "Asia/Jakarta",
    }
    values.update(changes)
    return Institution(**values)  # type: ignore[arg-type]


# --- the default directory ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "name", "timezone"),
    [
        ("31.71", "Pemerintah Kota Administrasi Jakarta Pusat", "Asia/Jakarta"),
        ("73.71", "Pemerintah Kota Makassar", "Asia/Makassar"),
        ("91.71", "Pemerintah Kota Jayapura", "Asia/Jayapura"),
        ("61.71", "Pemerintah Kota Pontianak", "Asia/Pontianak"),
        ("32.04", "Pemerintah Kabupaten Bandung", "Asia/Jakarta"),
    ],
)
def test_default_directory_knows_regional_governments_on_their_time_zone(
    code: str, name: str, timezone: str
) -> None:
    """Regency and city governments carry the region code, a government name and the region's zone."""
    institution = DEFAULT.get(code)
    assert (institution.name, institution.timezone, institution.region) == (name, timezone, code)
    assert institution.superior == code[:2]


def test_default_directory_has_every_province_regency_and_city_government() -> None:
    """38 provinces, 416 regencies and 98 cities, each under the code of its region."""
    assert len(DEFAULT.of_kind(InstitutionKind.PROVINCE)) == 38
    assert len(DEFAULT.of_kind(InstitutionKind.REGENCY)) == 416
    assert len(DEFAULT.of_kind(InstitutionKind.CITY)) == 98
    for region in REGIONS:
        if region.level is not RegionLevel.DISTRICT:
            assert DEFAULT.get(region.code).timezone == region.timezone


def test_default_provinces_escalate_to_kemendagri() -> None:
    """UU 23/2014 Pasal 373: the Minister of Home Affairs oversees provincial governments."""
    assert DEFAULT.get("31").name == "Pemerintah Provinsi Daerah Khusus Ibukota Jakarta"
    assert DEFAULT.superior_of("31") == "kemendagri"
    assert DEFAULT.chain_of_superiors("91.71") == ("91", "kemendagri")
    assert DEFAULT.chain_of_superiors("kemendagri") == ()


def test_default_directory_has_central_institutions_of_every_other_kind() -> None:
    """Ministries, agencies, a state company, a university and a mission abroad are present."""
    assert DEFAULT.get("kemenpanrb").kind is InstitutionKind.MINISTRY
    assert DEFAULT.get("bpjs-kesehatan").kind is InstitutionKind.AGENCY
    assert DEFAULT.get("pln").kind is InstitutionKind.STATE_COMPANY
    university = DEFAULT.get("ui")
    assert (university.kind, university.region, university.timezone) == (
        InstitutionKind.UNIVERSITY,
        "32.76",
        "Asia/Jakarta",
    )
    mission = DEFAULT.get("kbri-tokyo")
    assert (mission.kind, mission.timezone, mission.superior) == (
        InstitutionKind.MISSION_ABROAD,
        "Asia/Tokyo",
        "kemlu",
    )
    assert [unit.code for unit in DEFAULT.units_of("kemendagri")] == ["dukcapil", "bina-keuda"]


def test_default_directory_is_built_once() -> None:
    """The default directory is shared, not rebuilt per call."""
    assert InstitutionDirectory.default() is DEFAULT


# --- reading the directory ----------------------------------------------------------------------------


def test_get_unknown_code_raises_not_found() -> None:
    """Forwarding to an unknown code must fail clearly."""
    with pytest.raises(NotFound) as caught:
        DEFAULT.get("31.99")
    assert (caught.value.kind, caught.value.key) == ("institution", "31.99")


@pytest.mark.parametrize("bad", [None, 31, ["31"], "x" * 1000])
def test_get_and_find_with_wrong_types_or_huge_text_say_not_found(bad: object) -> None:
    """Non-text or absurd codes behave like unknown ones; the key in the error is cut short."""
    assert DEFAULT.find(bad) is None  # type: ignore[arg-type]
    assert bad not in DEFAULT
    with pytest.raises(NotFound) as caught:
        DEFAULT.get(bad)  # type: ignore[arg-type]
    assert len(caught.value.key) <= 64


def test_directory_iterates_codes_in_order_and_lists_institutions() -> None:
    """Iteration is over sorted codes, like a mapping; institutions() gives the values."""
    codes = list(DEFAULT)
    assert codes == sorted(codes)
    assert len(codes) == len(DEFAULT)
    assert [i.code for i in DEFAULT.institutions()] == codes
    assert repr(DEFAULT) == f"<InstitutionDirectory: {len(DEFAULT)} institutions>"


def test_subordinates_and_region_lookups() -> None:
    """DKI Jakarta's government oversees its six regencies and cities; 31.71 is governed by one body."""
    assert [i.code for i in DEFAULT.subordinates_of("31")] == [
        "31.01",
        "31.71",
        "31.72",
        "31.73",
        "31.74",
        "31.75",
    ]
    assert [i.code for i in DEFAULT.in_region("31.71")] == ["31.71"]
    with pytest.raises(NotFound):
        DEFAULT.subordinates_of("nowhere")


def test_unit_lookup_names_the_institution_and_unit_when_missing() -> None:
    """A missing work unit is a NotFound keyed institution/unit."""
    assert DEFAULT.get("kemendagri").unit("dukcapil").name.startswith("Direktorat Jenderal")
    with pytest.raises(NotFound) as caught:
        DEFAULT.get("kemendagri").unit("dinas-pu")
    assert (caught.value.kind, caught.value.key) == ("work unit", "kemendagri/dinas-pu")


# --- deriving new directories -------------------------------------------------------------------------


def test_with_units_returns_a_new_directory_and_leaves_the_old_one() -> None:
    """Directories are immutable: with_units builds another."""
    units = [WorkUnit("dinas-pu", "Dinas Pekerjaan Umum"), WorkUnit("dinkes", "Dinas Kesehatan")]
    updated = DEFAULT.with_units("73.71", units)
    assert updated.units_of("73.71") == tuple(units)
    assert DEFAULT.units_of("73.71") == ()
    assert updated.get("73.71").timezone == "Asia/Makassar"


def test_with_units_refuses_repeated_unit_codes_and_unknown_institutions() -> None:
    """Unit codes are unique within an institution; the institution must exist."""
    with pytest.raises(ValidationError) as caught:
        DEFAULT.with_units("73.71", [WorkUnit("dinkes", "A"), WorkUnit("dinkes", "B")])
    assert _fields(caught.value) == ["units[1].code"]
    with pytest.raises(NotFound):
        DEFAULT.with_units("nowhere", [])


def test_with_institutions_adds_and_replaces() -> None:
    """A new code is added; an existing one is replaced by the new value."""
    renamed = attrs.evolve(DEFAULT.get("pln"), name="PT PLN (Persero) Pusat")
    added = _ministry("kemenag", name="Kementerian Agama")
    updated = DEFAULT.with_institutions(renamed, added)
    assert updated.get("pln").name == "PT PLN (Persero) Pusat"
    assert "kemenag" in updated
    assert "kemenag" not in DEFAULT
    assert len(updated) == len(DEFAULT) + 1


def test_with_institutions_refuses_unknown_superiors_repeats_and_cycles() -> None:
    """Every link problem is reported with the argument's position."""
    with pytest.raises(ValidationError) as caught:
        DEFAULT.with_institutions(
            _ministry("a", superior="nowhere"),
            _ministry("b"),
            _ministry("b"),
            attrs.evolve(DEFAULT.get("kemendagri"), superior="31"),
            "not an institution",  # type: ignore[arg-type]
        )
    assert _fields(caught.value) == [
        "institutions[2].code",
        "institutions[4]",
        "institutions[0].superior",
        "institutions[3].superior",
    ]
    assert caught.value.errors[3].reason == "makes a cycle of superiors"


def test_constructor_builds_a_directory_from_institutions() -> None:
    """A hand-made directory checks its links too."""
    directory = InstitutionDirectory([_ministry("kemenkes"), _ministry("rs-x", superior="kemenkes")])
    assert directory.superior_of("rs-x") == "kemenkes"
    with pytest.raises(ValidationError):
        InstitutionDirectory([_ministry("rs-x", superior="kemenkes")])


# --- the Institution value ----------------------------------------------------------------------------


def test_institution_sorts_and_deduplicates_its_dates() -> None:
    """Extra holidays come out sorted without repeats."""
    day = dt.date(2026, 6, 1)
    institution = _ministry(extra_holidays=[day, dt.date(2026, 1, 2), day])
    assert institution.extra_holidays == (dt.date(2026, 1, 2), day)


def test_institution_reports_every_bad_attribute() -> None:
    """A malformed value lists every bad field by attribute name, never echoing it."""
    with pytest.raises(ValidationError) as caught:
        Institution(
            code="Kemen Kes",
            name=" ",
            kind="ministry",  # type: ignore[arg-type]
            timezone="Asia/Bandung",
            region="3171",
            superior="Kemen Kes",
            units=[WorkUnit("a", "A"), "b"],  # type: ignore[list-item]
            workweek="Mon-Funday",
            extra_holidays=[dt.datetime(2026, 1, 1, tzinfo=dt.UTC)],
            extra_working_days=[],
        )
    assert _fields(caught.value) == [
        "code",
        "name",
        "kind",
        "timezone",
        "region",
        "superior",
        "superior",
        "units[1]",
        "workweek",
        "extra_holidays",
    ]
    assert "Kemen" not in str(caught.value)


def test_institution_refuses_a_day_that_is_both_holiday_and_working_day() -> None:
    """Overrides must not contradict each other."""
    day = dt.date(2026, 8, 18)
    with pytest.raises(ValidationError) as caught:
        _ministry(extra_holidays=[day], extra_working_days=[day])
    assert _fields(caught.value) == ["extra_working_days"]


@pytest.mark.parametrize("zone", ["", "Asia/Bandung", "asia/jakarta", "../etc/passwd", "Asia", "x" * 5000])
def test_institution_refuses_unknown_time_zones(zone: str) -> None:
    """Only real IANA keys are accepted."""
    with pytest.raises(ValidationError) as caught:
        _ministry(timezone=zone)
    assert _fields(caught.value) == ["timezone"]


def test_work_unit_validates_its_code_and_name() -> None:
    """Unit codes are slugs; names are non-empty."""
    with pytest.raises(ValidationError) as caught:
        WorkUnit("Dinas PU", "")
    assert _fields(caught.value) == ["code", "name"]


def test_working_weekdays_parses_the_workweek() -> None:
    """The work week is data; its weekdays are derived on demand."""
    assert _ministry(workweek="Mon-Sat").working_weekdays == frozenset(range(6))
    assert _ministry().working_weekdays is None


@pytest.mark.parametrize(
    ("text", "days"),
    [("Mon-Fri", {0, 1, 2, 3, 4}), ("mon - thu , SAT", {0, 1, 2, 3, 5}), ("Sun", {6}), ("Mon,Mon", {0})],
)
def test_parse_workweek_reads_days_and_ranges(text: str, days: set[int]) -> None:
    """Abbreviations and forward ranges, in any case and spacing."""
    assert parse_workweek(text) == days


@pytest.mark.parametrize("text", ["", " ", "Fri-Mon", "Monday", "Mon-", "Mon,,Tue", 5])
def test_parse_workweek_refuses_other_text(text: object) -> None:
    """Anything else is a validation error on the field."""
    with pytest.raises(ValidationError) as caught:
        parse_workweek(text, field="rows[0].workweek")  # type: ignore[arg-type]
    assert _fields(caught.value) == ["rows[0].workweek"]


@given(st.sets(st.integers(min_value=0, max_value=6), min_size=1))
def test_parse_workweek_round_trips_any_set_of_days(days: set[int]) -> None:
    """Writing any set of weekdays as a comma list parses back to the same set."""
    names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    assert parse_workweek(",".join(names[day] for day in sorted(days))) == days


# --- loading from records, CSV and JSON ---------------------------------------------------------------


def test_from_records_derives_the_time_zone_from_the_region() -> None:
    """A regional office in Makassar runs on WITA without saying so."""
    directory = InstitutionDirectory.from_records(
        [{"code": "kanwil-sulsel", "name": "Kanwil", "kind": "agency", "region": "7371"}]
    )
    institution = directory.get("kanwil-sulsel")
    assert (institution.region, institution.timezone) == ("73.71", "Asia/Makassar")


def test_from_records_reads_text_forms_of_dates_and_units() -> None:
    """CSV-style text for dates and units is understood."""
    directory = InstitutionDirectory.from_records(
        [
            {
                "code": "dinas",
                "name": "Dinas",
                "kind": "agency",
                "timezone": "Asia/Jayapura",
                "workweek": "Mon-Sat",
                "extra_holidays": "2026-12-01; 2026-05-14",
                "extra_working_days": "2026-03-21",
                "units": "a=Unit A; b=Unit B",
            }
        ]
    )
    institution = directory.get("dinas")
    assert institution.extra_holidays == (dt.date(2026, 5, 14), dt.date(2026, 12, 1))
    assert institution.extra_working_days == (dt.date(2026, 3, 21),)
    assert institution.units == (WorkUnit("a", "Unit A"), WorkUnit("b", "Unit B"))
    assert institution.workweek == "Mon-Sat"


def test_from_records_reports_every_bad_field_with_its_row() -> None:
    """Paths name the row and the field; suggestions come with unknown regions."""
    records: list[dict[str, object]] = [
        {"code": "ok", "name": "Fine", "kind": "agency", "timezone": "Asia/Jakarta"},
        {"code": "x", "name": "X", "kind": "ministry", "timezone": "Mars/Olympus", "colour": "red"},
        {"name": 5, "kind": "galaxy", "region": "31.99"},
        {"code": "city", "name": "City", "kind": "city", "region": "32.04"},
        {"code": "prov", "name": "Province", "kind": "province"},
        {"code": "ok", "name": "Again", "kind": "agency", "timezone": "Asia/Jakarta"},
        {"code": "d", "name": "D", "kind": "agency", "timezone": "UTC", "extra_holidays": ["2026-02-30", 7]},
        {"code": "u", "name": "U", "kind": "agency", "timezone": "UTC", "units": [{"code": "A B"}, "x"]},
        {"code": "w", "name": "W", "kind": "agency", "timezone": "UTC", "units": 3, "extra_working_days": 4},
        {"code": "s", "name": "S", "kind": "agency", "timezone": "UTC", "superior": "nowhere"},
    ]
    with pytest.raises(ValidationError) as caught:
        InstitutionDirectory.from_records(records)
    assert _fields(caught.value) == [
        "rows[1].colour",
        "rows[1].timezone",
        "rows[2].code",
        "rows[2].name",
        "rows[2].kind",
        "rows[2].region",
        "rows[3].region",
        "rows[4].region",
        "rows[5].code",
        "rows[6].extra_holidays[0]",
        "rows[6].extra_holidays[1]",
        "rows[7].units[0].code",
        "rows[7].units[0].name",
        "rows[7].units[1].code",
        "rows[7].units[1].name",
        "rows[8].extra_working_days",
        "rows[8].units",
        "rows[9].superior",
    ]
    reasons = dict(zip(_fields(caught.value), (e.reason for e in caught.value.errors), strict=False))
    assert reasons["rows[2].region"].startswith("unknown region 31.99; did you mean")
    assert reasons["rows[3].region"] == "must be a kota for a city government"
    assert reasons["rows[5].code"] == "repeats rows[0]"


def test_from_records_reports_bad_work_weeks_and_contradictions_between_fields() -> None:
    """A bad work week, a self-superior and a date both closed and open are row errors."""
    base = {"name": "N", "kind": "agency", "timezone": "Asia/Jakarta"}
    with pytest.raises(ValidationError) as caught:
        InstitutionDirectory.from_records(
            [
                {**base, "code": "a", "workweek": "Fri-Mon"},
                {**base, "code": "b", "superior": "b"},
                {**base, "code": "c", "extra_holidays": ["2026-08-18"], "extra_working_days": "2026-08-18"},
                {**base, "code": "d", "workweek": 6},
            ]
        )
    assert _fields(caught.value) == [
        "rows[0].workweek",
        "rows[1].superior",
        "rows[2].extra_working_days",
        "rows[3].workweek",
    ]


def test_from_records_requires_a_time_zone_without_a_region() -> None:
    """A national body must state its zone."""
    with pytest.raises(ValidationError) as caught:
        InstitutionDirectory.from_records([{"code": "x", "name": "X", "kind": "agency"}])
    assert _fields(caught.value) == ["rows[0].timezone"]


def test_from_records_on_a_base_may_point_to_its_institutions_and_replace_them() -> None:
    """Rows join the base directory: superiors may be there, codes there are replaced."""
    directory = InstitutionDirectory.from_records(
        [
            {
                "code": "dinkes-makassar",
                "name": "Dinas Kesehatan",
                "kind": "agency",
                "region": "73.71",
                "superior": "73.71",
            },
            {"code": "73.71", "name": "Pemkot Makassar", "kind": "city", "region": "73.71", "superior": "73"},
        ],
        base=DEFAULT,
    )
    assert directory.chain_of_superiors("dinkes-makassar") == ("73.71", "73", "kemendagri")
    assert directory.get("73.71").name == "Pemkot Makassar"
    assert len(directory) == len(DEFAULT) + 1


def test_from_records_uses_the_given_region_table(tmp_path: Path) -> None:
    """A deployment's own region table is used instead of the default."""
    provinces = tmp_path / "provinces.csv"
    provinces.write_text("code,name,timezone\n99,Percobaan,Asia/Jayapura\n", encoding="utf-8")
    regencies = tmp_path / "regencies.csv"
    regencies.write_text("code,province_code,name,kind\n", encoding="utf-8")
    small = RegionTable.from_csv(provinces, regencies)
    directory = InstitutionDirectory.from_records(
        [{"code": "99", "name": "Pemerintah Provinsi Percobaan", "kind": "province", "region": "99"}],
        regions=small,
    )
    assert directory.get("99").timezone == "Asia/Jayapura"


def test_from_csv_loads_rows_onto_a_base(tmp_path: Path) -> None:
    """A CSV of work units for a city government extends the default directory."""
    path = tmp_path / "institutions.csv"
    path.write_text(
        "\ufeffcode,name,kind,region,superior,workweek,units\n"
        "31.71,Pemerintah Kota Administrasi Jakarta Pusat,city,3171,31,Mon-Sat,"
        "dinas-pu=Dinas PU;dinkes=Dinas Kesehatan\n"
        "\n"
        "rsud-tarakan,RSUD Tarakan,agency,31.71,31.71,,\n",
        encoding="utf-8",
    )
    directory = InstitutionDirectory.from_csv(path, base=DEFAULT)
    assert [unit.code for unit in directory.units_of("31.71")] == ["dinas-pu", "dinkes"]
    assert directory.get("31.71").working_weekdays == frozenset(range(6))
    assert directory.get("rsud-tarakan").timezone == "Asia/Jakarta"


def test_from_csv_reports_bad_rows_by_index(tmp_path: Path) -> None:
    """CSV rows are counted from 0 after the header."""
    path = tmp_path / "institutions.csv"
    path.write_text(
        "code,name,kind,timezone\nok,OK,agency,Asia/Jakarta\nbad,Bad,agency,Asia/Atlantis\n", encoding="utf-8"
    )
    with pytest.raises(ValidationError) as caught:
        InstitutionDirectory.from_csv(path)
    assert _fields(caught.value) == ["rows[1].timezone"]


def test_from_csv_refuses_headers_missing_or_unknown_columns(tmp_path: Path) -> None:
    """Both a missing required column and a stray column are reported on the header."""
    path = tmp_path / "institutions.csv"
    path.write_text("code,nama,kind\nx,X,agency\n", encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        InstitutionDirectory.from_csv(path)
    assert _fields(caught.value) == ["header", "header"]
    assert "name" in caught.value.errors[0].reason
    assert "nama" in caught.value.errors[1].reason


def test_from_csv_refuses_non_utf8(tmp_path: Path) -> None:
    """Latin-1 bytes are a bad file, not a crash."""
    path = tmp_path / "institutions.csv"
    path.write_bytes("code,name,kind\nx,Dáerah,agency\n".encode("latin-1"))
    with pytest.raises(ValidationError) as caught:
        InstitutionDirectory.from_csv(path)
    assert _fields(caught.value) == ["file"]


def test_from_json_accepts_a_list_or_an_institutions_object(tmp_path: Path) -> None:
    """Both JSON shapes load; the object form names rows institutions[i]."""
    record = {
        "code": "kbri-canberra",
        "name": "KBRI Canberra",
        "kind": "mission_abroad",
        "timezone": "Australia/Sydney",
        "superior": "kemlu",
        "units": [{"code": "konsuler", "name": "Fungsi Konsuler"}],
        "extra_holidays": ["2026-01-26"],
    }
    as_list = tmp_path / "list.json"
    as_list.write_text(json.dumps([record]), encoding="utf-8")
    as_object = tmp_path / "object.json"
    as_object.write_text(
        json.dumps({"institutions": [record, {**record, "timezone": "Nowhere"}]}), encoding="utf-8"
    )
    loaded = InstitutionDirectory.from_json(as_list, base=DEFAULT)
    assert loaded.get("kbri-canberra").extra_holidays == (dt.date(2026, 1, 26),)
    with pytest.raises(ValidationError) as caught:
        InstitutionDirectory.from_json(as_object, base=DEFAULT)
    assert _fields(caught.value) == ["institutions[1].timezone"]


@pytest.mark.parametrize(
    ("content", "fields"),
    [
        ("{not json", ["file"]),
        ('{"rows": []}', ["file"]),
        ('"text"', ["file"]),
        ('[{"code": "x", "name": "X", "kind": "agency", "timezone": "UTC"}, 3]', ["rows[1]"]),
    ],
)
def test_from_json_refuses_malformed_documents(tmp_path: Path, content: str, fields: list[str]) -> None:
    """Bad JSON or the wrong shape is a validation error naming the file or the row."""
    path = tmp_path / "institutions.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        InstitutionDirectory.from_json(path)
    assert _fields(caught.value) == fields
