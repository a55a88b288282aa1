from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lapor_core._domain import calendar
from lapor_core._domain.institutions import (
    Institution,
    InstitutionDirectory,
    InstitutionKind,
    WorkUnit,
    parse_workweek,
)
from lapor_core._domain.regions import RegionLevel, RegionTable
from lapor_core.errors import NotFound, ValidationError

T = TypeVar("T")
DEFAULT = InstitutionDirectory.default()
REGIONS = RegionTable.default()


def _fields(error: ValidationError) -> list[str]:
    """The field paths of every error, in order."""
    return [e.field for e in error.errors]


def _pairs(error: ValidationError) -> list[tuple[str, str]]:
    """Every error as (field, code), in order."""
    return [(e.field, e.code) for e in error.errors]


def _outcome(call: Callable[[], T]) -> T | ValidationError:
    """What ``call`` returns, or the ValidationError it raises; any other exception fails the test."""
    try:
        return call()
    except ValidationError as error:
        return error


def _ministry(code: str = "kemenkes", **changes: object) -> Institution:
    """A ministry on Jakarta time, with ``changes`` applied."""
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
    assert caught.value.fields_by_name == {"units[1].code": ("institution.repeated_unit",)}
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
    assert _pairs(caught.value) == [
        ("institutions[2].code", "institution.repeated_code"),
        ("institutions[4]", "institution.not_institution"),
        ("institutions[0].superior", "institution.unknown_superior"),
        ("institutions[3].superior", "institution.superior_cycle"),
    ]
    assert caught.value.errors[0].params == {"first": "institutions[1]"}
    assert caught.value.errors[3].message() == "membentuk lingkaran atasan"


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
    """A malformed value lists every bad field by attribute name, in attribute order, never echoing it."""
    with pytest.raises(ValidationError) as caught:
        Institution(
            code="Kemen Kes",
            name=" ",
            kind="galaxy",  # type: ignore[arg-type]
            timezone="Asia/Bandung",
            region="3171011001",
            superior="Kemen Kes",
            units=[WorkUnit("a", "A"), "b"],  # type: ignore[list-item]
            workweek="Mon-Funday",
            extra_holidays=[dt.datetime(2026, 1, 1, tzinfo=dt.UTC)],
            extra_working_days=5,  # type: ignore[arg-type]
        )
    assert _pairs(caught.value) == [
        ("code", "institution.malformed_code"),
        ("name", "text.empty"),
        ("kind", "value.not_choice"),
        ("region", "region.village_not_allowed"),
        ("timezone", "calendar.timezone_unknown"),
        ("superior", "institution.malformed_code"),
        ("units[1]", "institution.not_work_unit"),
        ("workweek", "calendar.workweek_unknown_day"),
        ("extra_holidays[0]", "date.malformed"),
        ("extra_working_days", "institution.not_date_list"),
    ]
    assert "Kemen" not in str(caught.value)
    assert "Kemen" not in " ".join(caught.value.messages())


def test_institution_from_dict_reports_the_same_errors_as_the_constructor_and_unknown_keys() -> None:
    """One mechanism: a mapping read by from_dict fails exactly like the keywords, plus its unknown keys."""
    bad: dict[str, object] = {
        "code": "",
        "name": "x" * 201,
        "kind": "city",
        "region": "31.7",
        "timezone": None,
        "workweek": 6,
        "extra_holidays": ["9999-12-31"],
    }
    with pytest.raises(ValidationError) as direct:
        Institution(**bad)  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as read:
        Institution.from_dict({**bad, "colour": "red"})
    assert _pairs(direct.value) == [
        ("code", "value.required"),
        ("name", "text.too_long"),
        ("region", "region.malformed_code"),
        ("timezone", "institution.timezone_required"),
        ("workweek", "value.not_string"),
        ("extra_holidays[0]", "date.out_of_range"),
    ]
    assert _pairs(read.value) == [*_pairs(direct.value), ("colour", "field.unknown")]


def test_institution_normalises_what_its_rules_accept() -> None:
    """Kinds by value, codes and texts stripped, ISO text for days: the stored values are the normal forms."""
    institution = Institution(
        code=" dinas ",
        name=" Dinas ",
        kind="agency",  # type: ignore[arg-type]
        timezone="Asia/Jakarta",
        superior=" ",
        workweek=" Sen-Jum ",
        extra_holidays=["2026-05-14", dt.date(2026, 1, 2), "2026-05-14"],  # type: ignore[list-item]
    )
    assert (institution.code, institution.name, institution.kind) == (
        "dinas",
        "Dinas",
        InstitutionKind.AGENCY,
    )
    assert (institution.superior, institution.workweek) == (None, "Sen-Jum")
    assert institution.extra_holidays == (dt.date(2026, 1, 2), dt.date(2026, 5, 14))
    assert Institution.from_dict(attrs.asdict(institution, recurse=False)) == institution


def test_institution_reads_units_and_days_in_their_record_forms_with_indexed_errors() -> None:
    """Units as objects or ``code=Name`` text and days as ``;`` text go through the same rules as values."""
    institution = _ministry(units="a=Unit A; b=Unit B", extra_holidays="2026-12-01; 2026-05-14")
    assert institution.units == (WorkUnit("a", "Unit A"), WorkUnit("b", "Unit B"))
    assert institution.extra_holidays == (dt.date(2026, 5, 14), dt.date(2026, 12, 1))
    assert _ministry(units=[{"code": "a", "name": "Unit A"}]).units == (WorkUnit("a", "Unit A"),)
    with pytest.raises(ValidationError) as caught:
        _ministry(units=[WorkUnit("a", "A"), {"code": "B B"}, 7], extra_holidays=["2026-01-01", "2026-02-30"])
    assert _pairs(caught.value) == [
        ("units[1].code", "institution.malformed_code"),
        ("units[1].name", "value.required"),
        ("units[2]", "institution.not_work_unit"),
        ("extra_holidays[1]", "date.malformed"),
    ]


@pytest.mark.parametrize(
    ("changes", "pair"),
    [
        ({"superior": "kemenkes"}, ("superior", "institution.own_superior")),
        ({"units": [WorkUnit("a", "A"), WorkUnit("a", "B")]}, ("units[1].code", "institution.repeated_unit")),
        ({"kind": InstitutionKind.CITY}, ("region", "institution.region_required")),
        (
            {"extra_holidays": ["2026-08-18"], "extra_working_days": [dt.date(2026, 8, 18)]},
            ("extra_working_days", "institution.working_day_is_holiday"),
        ),
    ],
)
def test_institution_checks_rules_across_attributes_once_each_is_well_formed(
    changes: dict[str, object], pair: tuple[str, str]
) -> None:
    """Own superior, repeated unit codes, a regional government without region, a day both closed and open."""
    with pytest.raises(ValidationError) as caught:
        _ministry(**changes)
    assert _pairs(caught.value) == [pair]


def test_extra_days_use_the_shared_calendar_date_rule() -> None:
    """Days outside what every store can hold are refused as the shared rule refuses them, with its range."""
    with pytest.raises(ValidationError) as caught:
        _ministry(extra_holidays=[dt.date(9999, 12, 31)])
    (error,) = caught.value.errors
    assert (error.field, error.code) == ("extra_holidays[0]", "date.out_of_range")
    assert set(error.params) == {"min", "max"}


institution_junk = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)


@given(
    st.fixed_dictionaries(
        {
            "code": st.sampled_from(["dinas", "Dinas"]) | institution_junk,
            "name": st.sampled_from(["Dinas"]) | institution_junk,
            "kind": st.sampled_from(["agency", "city", InstitutionKind.MINISTRY]) | institution_junk,
            "timezone": st.sampled_from(["Asia/Jakarta", "Asia"]) | institution_junk,
        },
        optional={
            "region": st.sampled_from(["3171", "31.71.01.1001"]) | institution_junk,
            "superior": st.sampled_from(["dinas", "kemenkes"]) | institution_junk,
            "units": st.lists(st.sampled_from([WorkUnit("a", "A")]) | institution_junk, max_size=3)
            | institution_junk,
            "workweek": st.sampled_from(["Sun-Thu", "Mon-"]) | institution_junk,
            "extra_holidays": st.lists(st.dates() | institution_junk, max_size=3) | institution_junk,
            "extra_working_days": st.lists(st.dates() | institution_junk, max_size=3) | institution_junk,
        },
    )
)
def test_institution_on_junk_gives_an_institution_or_a_validation_error(values: dict[str, object]) -> None:
    """Whatever the keywords hold, the constructor and from_dict agree: an equal value or the same errors."""
    direct = _outcome(lambda: Institution(**values))  # type: ignore[arg-type]
    read = _outcome(lambda: Institution.from_dict(values))
    if isinstance(direct, ValidationError):
        assert isinstance(read, ValidationError)
        assert _pairs(read) == _pairs(direct)
        assert direct.errors
    else:
        assert read == direct


@given(st.one_of(institution_junk, st.sampled_from(["Dinas PU", "", "a" * 65])), institution_junk)
def test_work_unit_on_junk_gives_a_unit_or_a_validation_error(code: object, name: object) -> None:
    """Only ValidationError escapes the work unit's constructor, whatever it is given."""
    outcome = _outcome(lambda: WorkUnit(code, name))  # type: ignore[arg-type]
    if isinstance(outcome, WorkUnit):
        assert outcome == WorkUnit.from_dict({"code": code, "name": name})
    else:
        assert set(outcome.fields_by_name) <= {"code", "name"}


def test_institution_dots_an_undotted_region() -> None:
    """The region is written once, dotted, whichever spelling it was given in."""
    assert _ministry(region="3171").region == "31.71"
    assert _ministry(region="317101").region == "31.71.01"
    assert _ministry(region="").region is None


def test_institution_refuses_a_day_that_is_both_holiday_and_working_day() -> None:
    """Overrides must not contradict each other."""
    day = dt.date(2026, 8, 18)
    with pytest.raises(ValidationError) as caught:
        _ministry(extra_holidays=[day], extra_working_days=[day])
    assert caught.value.fields_by_name == {"extra_working_days": ("institution.working_day_is_holiday",)}


@pytest.mark.parametrize("zone", ["", "Asia/Bandung", "asia/jakarta", "../etc/passwd", "Asia", "x" * 5000])
def test_institution_refuses_unknown_time_zones(zone: str) -> None:
    """Only real IANA keys are accepted."""
    with pytest.raises(ValidationError) as caught:
        _ministry(timezone=zone)
    assert _fields(caught.value) == ["timezone"]
    assert caught.value.errors[0].code in {"calendar.timezone_not_name", "calendar.timezone_unknown"}


def test_work_unit_validates_its_code_and_name() -> None:
    """Unit codes are slugs; names are non-empty."""
    with pytest.raises(ValidationError) as caught:
        WorkUnit("Dinas PU", "")
    assert _pairs(caught.value) == [("code", "institution.malformed_code"), ("name", "text.empty")]


def test_working_weekdays_parses_the_workweek() -> None:
    """The work week is data; its weekdays are derived on demand."""
    assert _ministry(workweek="Mon-Sat").working_weekdays == frozenset(range(6))
    assert _ministry().working_weekdays is None


def test_parse_workweek_is_the_calendars_one_rule() -> None:
    """There is one work-week parser: the name here is the calendar's, re-exported."""
    assert parse_workweek is calendar.parse_workweek


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("Mon-Fri", {0, 1, 2, 3, 4}),
        ("mon - thu , SAT", {0, 1, 2, 3, 5}),
        ("Sun", {6}),
        ("Mon,Mon", {0}),
        ("Sun-Thu", {6, 0, 1, 2, 3}),
        ("Sen-Jum", {0, 1, 2, 3, 4}),
        ("Fri-Mon", {4, 5, 6, 0}),
        ("Monday", {0}),
    ],
)
def test_parse_workweek_reads_days_and_ranges(text: str, days: set[int]) -> None:
    """English and Indonesian days and ranges (wrapping over the weekend), in any case and spacing."""
    assert parse_workweek(text) == days


@pytest.mark.parametrize("text", ["", " ", "Mon-", "Mon,,Tue", "Mon-Funday", 5])
def test_parse_workweek_refuses_other_text(text: object) -> None:
    """Anything else is a validation error on the field."""
    with pytest.raises(ValidationError) as caught:
        parse_workweek(text, field="rows[0].workweek")  # type: ignore[arg-type]
    assert _fields(caught.value) == ["rows[0].workweek"]
    assert caught.value.errors[0].code.startswith("calendar.workweek_")


@pytest.mark.parametrize(
    ("workweek", "days"), [("Sun-Thu", frozenset({6, 0, 1, 2, 3})), ("Sen-Jum", frozenset({0, 1, 2, 3, 4}))]
)
def test_directories_accept_every_work_week_the_calendar_accepts(workweek: str, days: frozenset[int]) -> None:
    """A Sunday-to-Thursday mission and an Indonesian-spelled week load from records and in code."""
    directory = InstitutionDirectory.from_dict(
        {
            "institutions": [
                {
                    "code": "kbri-riyadh",
                    "name": "KBRI Riyadh",
                    "kind": "mission_abroad",
                    "timezone": "Asia/Riyadh",
                    "workweek": workweek,
                }
            ]
        }
    )
    assert directory.get("kbri-riyadh").working_weekdays == days
    assert _ministry(workweek=workweek).working_weekdays == days
    assert calendar.WorkingCalendar.indonesia().with_workweek(workweek).workweek == days


@given(st.sets(st.integers(min_value=0, max_value=6), min_size=1))
def test_parse_workweek_round_trips_any_set_of_days(days: set[int]) -> None:
    """Writing any set of weekdays as a comma list parses back to the same set."""
    names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    assert parse_workweek(",".join(names[day] for day in sorted(days))) == days


# --- loading from records, CSV and JSON ---------------------------------------------------------------


def test_from_dict_derives_the_time_zone_from_the_region() -> None:
    """A regional office in Makassar runs on WITA without saying so."""
    directory = InstitutionDirectory.from_dict(
        {"institutions": [{"code": "kanwil-sulsel", "name": "Kanwil", "kind": "agency", "region": "7371"}]}
    )
    institution = directory.get("kanwil-sulsel")
    assert (institution.region, institution.timezone) == ("73.71", "Asia/Makassar")


def test_from_dict_reads_text_forms_of_dates_and_units() -> None:
    """CSV-style text for dates and units is understood."""
    directory = InstitutionDirectory.from_dict(
        {
            "institutions": [
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
        }
    )
    institution = directory.get("dinas")
    assert institution.extra_holidays == (dt.date(2026, 5, 14), dt.date(2026, 12, 1))
    assert institution.extra_working_days == (dt.date(2026, 3, 21),)
    assert institution.units == (WorkUnit("a", "Unit A"), WorkUnit("b", "Unit B"))
    assert institution.workweek == "Mon-Sat"


def test_from_dict_reports_every_bad_field_with_its_row() -> None:
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
        InstitutionDirectory.from_dict({"institutions": records})
    # Per row: the region as the table knows it, then the institution's rules in attribute order, then
    # unknown keys; links between rows come last.
    assert _fields(caught.value) == [
        "institutions[1].timezone",
        "institutions[1].colour",
        "institutions[2].region",
        "institutions[2].code",
        "institutions[2].name",
        "institutions[2].kind",
        "institutions[3].region",
        "institutions[4].region",
        "institutions[6].extra_holidays[0]",
        "institutions[6].extra_holidays[1]",
        "institutions[7].units[0].code",
        "institutions[7].units[0].name",
        "institutions[7].units[1]",
        "institutions[8].units",
        "institutions[8].extra_working_days",
        "institutions[5].code",
        "institutions[9].superior",
    ]
    codes = {error.field: error.code for error in caught.value.errors}
    assert codes["institutions[1].colour"] == "field.unknown"
    assert codes["institutions[2].code"] == "value.required"
    assert codes["institutions[2].name"] == "value.not_string"
    assert codes["institutions[2].region"] == "region.unknown_did_you_mean"
    assert codes["institutions[3].region"] == "institution.region_not_kota"
    assert codes["institutions[4].region"] == "institution.region_required"
    assert codes["institutions[5].code"] == "institution.repeated_code"
    assert codes["institutions[6].extra_holidays[0]"] == "date.malformed"
    assert codes["institutions[7].units[1]"] == "institution.not_work_unit"
    assert codes["institutions[8].extra_working_days"] == "institution.not_date_list"
    assert codes["institutions[8].units"] == "institution.not_unit_list"
    assert codes["institutions[9].superior"] == "institution.unknown_superior"
    by_field = {error.field: error for error in caught.value.errors}
    assert by_field["institutions[5].code"].params == {"first": "institutions[0]"}
    assert by_field["institutions[3].region"].message("en") == "must be a kota for a city government"
    assert by_field["institutions[3].region"].message() == "harus berupa kota untuk pemerintah kota"


def test_from_dict_reports_bad_work_weeks_and_contradictions_between_fields() -> None:
    """A bad work week, a self-superior and a date both closed and open are row errors."""
    base = {"name": "N", "kind": "agency", "timezone": "Asia/Jakarta"}
    with pytest.raises(ValidationError) as caught:
        InstitutionDirectory.from_dict(
            {
                "institutions": [
                    {**base, "code": "a", "workweek": "Mon-Funday"},
                    {**base, "code": "b", "superior": "b"},
                    {
                        **base,
                        "code": "c",
                        "extra_holidays": ["2026-08-18"],
                        "extra_working_days": "2026-08-18",
                    },
                    {**base, "code": "d", "workweek": 6},
                ]
            }
        )
    assert _pairs(caught.value) == [
        ("institutions[0].workweek", "calendar.workweek_unknown_day"),
        ("institutions[1].superior", "institution.own_superior"),
        ("institutions[2].extra_working_days", "institution.working_day_is_holiday"),
        ("institutions[3].workweek", "value.not_string"),
    ]


def test_from_dict_reads_days_with_the_shared_date_rule_and_villages_as_their_district() -> None:
    """Each day of a record is the shared day rule's (out of range too); a village code means its district."""
    base = {"name": "N", "kind": "agency", "timezone": "Asia/Jakarta"}
    with pytest.raises(ValidationError) as caught:
        InstitutionDirectory.from_dict(
            {
                "institutions": [
                    {
                        **base,
                        "code": "a",
                        "extra_holidays": "2026-01-01; 9999-12-31",
                        "extra_working_days": [" "],
                    }
                ]
            }
        )
    assert _pairs(caught.value) == [
        ("institutions[0].extra_holidays[1]", "date.out_of_range"),
        ("institutions[0].extra_working_days[0]", "date.malformed"),
    ]
    directory = InstitutionDirectory.from_dict(
        {"institutions": [{"code": "kelurahan", "name": "K", "kind": "agency", "region": "3171011001"}]}
    )
    assert (directory.get("kelurahan").region, directory.get("kelurahan").timezone) == (
        "31.71.01",
        "Asia/Jakarta",
    )


def test_from_dict_requires_a_time_zone_without_a_region() -> None:
    """A national body must state its zone."""
    with pytest.raises(ValidationError) as caught:
        InstitutionDirectory.from_dict({"institutions": [{"code": "x", "name": "X", "kind": "agency"}]})
    assert caught.value.fields_by_name == {"institutions[0].timezone": ("institution.timezone_required",)}


def test_from_dict_on_a_base_may_point_to_its_institutions_and_replace_them() -> None:
    """Rows join the base directory: superiors may be there, codes there are replaced."""
    directory = InstitutionDirectory.from_dict(
        {
            "institutions": [
                {
                    "code": "dinkes-makassar",
                    "name": "Dinas Kesehatan",
                    "kind": "agency",
                    "region": "73.71",
                    "superior": "73.71",
                },
                {
                    "code": "73.71",
                    "name": "Pemkot Makassar",
                    "kind": "city",
                    "region": "73.71",
                    "superior": "73",
                },
            ]
        },
        base=DEFAULT,
    )
    assert directory.chain_of_superiors("dinkes-makassar") == ("73.71", "73", "kemendagri")
    assert directory.get("73.71").name == "Pemkot Makassar"
    assert len(directory) == len(DEFAULT) + 1


def test_from_dict_uses_the_given_region_table(tmp_path: Path) -> None:
    """A deployment's own region table is used instead of the default."""
    provinces = tmp_path / "provinces.csv"
    provinces.write_text("code,name,timezone\n99,Percobaan,Asia/Jayapura\n", encoding="utf-8")
    regencies = tmp_path / "regencies.csv"
    regencies.write_text("code,province_code,name,kind\n", encoding="utf-8")
    small = RegionTable.from_csv(provinces, regencies)
    directory = InstitutionDirectory.from_dict(
        {
            "institutions": [
                {"code": "99", "name": "Pemerintah Provinsi Percobaan", "kind": "province", "region": "99"}
            ]
        },
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
    assert _pairs(caught.value) == [("header", "file.missing_columns"), ("header.nama", "field.unknown")]
    assert caught.value.errors[0].params == {"columns": ("name",)}


def test_from_csv_refuses_non_utf8(tmp_path: Path) -> None:
    """Latin-1 bytes are a bad file, not a crash."""
    path = tmp_path / "institutions.csv"
    path.write_bytes("code,name,kind\nx,Dáerah,agency\n".encode("latin-1"))
    with pytest.raises(ValidationError) as caught:
        InstitutionDirectory.from_csv(path)
    assert caught.value.fields_by_name == {"file": ("file.not_utf8",)}


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
    ("content", "pairs"),
    [
        ("{not json", [("file", "file.not_json")]),
        ("[" * 100_000, [("file", "file.not_json")]),
        ('{"rows": []}', [("file", "institution.file_shape")]),
        ('"text"', [("file", "institution.file_shape")]),
        (
            '[{"code": "x", "name": "X", "kind": "agency", "timezone": "UTC"}, 3]',
            [("rows[1]", "value.not_mapping")],
        ),
    ],
)
def test_from_json_refuses_malformed_documents(
    tmp_path: Path, content: str, pairs: list[tuple[str, str]]
) -> None:
    """Bad JSON, JSON nested too deep or the wrong shape is a validation error naming the file or the row."""
    path = tmp_path / "institutions.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        InstitutionDirectory.from_json(path)
    assert _pairs(caught.value) == pairs


@pytest.mark.parametrize("records", [None, 5, "rows", {"code": "x"}, b"x"])
def test_from_dict_refuses_institutions_that_are_not_a_list_of_records(records: object) -> None:
    """Records that are not a list are a ValidationError on ``institutions``, not a TypeError."""
    with pytest.raises(ValidationError) as caught:
        InstitutionDirectory.from_dict({"institutions": records})
    assert caught.value.fields_by_name == {"institutions": ("value.not_list",)}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ([{"code": "x"}], {"$": ("value.not_mapping",)}),
        ({}, {"institutions": ("value.required",)}),
        ({"institutions": [], "rows": []}, {"rows": ("field.unknown",)}),
    ],
)
def test_from_dict_wants_an_object_with_exactly_the_key_institutions(data: object, expected: object) -> None:
    """A bare list, a missing ``institutions`` key or another key is refused with its path."""
    with pytest.raises(ValidationError) as caught:
        InstitutionDirectory.from_dict(data)
    assert caught.value.fields_by_name == expected


def test_from_csv_refuses_a_cell_too_large_for_the_csv_reader(tmp_path: Path) -> None:
    """A field over the csv module's limit is a bad file, not a csv.Error."""
    path = tmp_path / "institutions.csv"
    path.write_text('code,name,kind\nx,"' + "x" * 200_000 + '",agency\n', encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        InstitutionDirectory.from_csv(path)
    assert caught.value.fields_by_name == {"file": ("file.not_csv",)}


# --- junk at the loaders -------------------------------------------------------------------------------

json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=16)
json_like = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
# Records that look like institutions, with any field replaced by junk, so the junk reaches every rule.
field_values = {
    "code": st.sampled_from(["dinas", "31.71", "Dinas PU", ""]) | json_like,
    "name": st.sampled_from(["Dinas", " ", "a\u202eb"]) | json_like,
    "kind": st.sampled_from(["agency", "city", "province", "galaxy"]) | json_like,
    "region": st.sampled_from(["3171", "31.99", "32.04", "3171011001", "31"]) | json_like,
    "timezone": st.sampled_from(["Asia/Jakarta", "Asia", "x" * 300, "../etc"]) | json_like,
    "superior": st.sampled_from(["kemendagri", "31", "nowhere"]) | json_like,
    "workweek": st.sampled_from(["Sun-Thu", "Sen-Jum", "Mon-", "x" * 500]) | json_like,
    "extra_holidays": st.sampled_from(["2026-01-01;2026-13-01", ["2026-05-01"]]) | json_like,
    "extra_working_days": st.sampled_from(["2026-01-01", ["9999-12-31"]]) | json_like,
    "units": st.sampled_from(["a=A;b=B", "=", [{"code": "a", "name": "A"}, {}]]) | json_like,
}
records = st.fixed_dictionaries({}, optional=field_values) | json_like


@given(st.lists(records, max_size=4) | json_like)
def test_from_dict_on_junk_gives_a_directory_or_a_validation_error(data: object) -> None:
    """Any JSON-like junk gives a directory or a ValidationError on a path of the records, never more."""
    outcome = _outcome(lambda: InstitutionDirectory.from_dict({"institutions": data}, base=DEFAULT))
    if isinstance(outcome, ValidationError):
        assert outcome.errors
        assert all(e.field == "institutions" or e.field.startswith("institutions[") for e in outcome.errors)
    else:
        assert len(outcome) >= len(DEFAULT)


@given(json_like)
def test_from_json_on_junk_gives_a_directory_or_a_validation_error(document: object) -> None:
    """Any JSON document gives a directory or a ValidationError, never another exception."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "institutions.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        outcome = _outcome(lambda: InstitutionDirectory.from_json(path))
    assert isinstance(outcome, ValidationError | InstitutionDirectory)


csv_cells = st.sampled_from(["agency", "Asia/Jakarta", "3171", "Sen-Jum", '"', ""]) | st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="\r"), max_size=10
)
csv_rows = st.lists(st.lists(csv_cells, max_size=6).map(",".join), max_size=5).map("\n".join)


@given(st.sampled_from(["code,name,kind,region,timezone,workweek\n", "code,name\n", ""]), csv_rows)
def test_from_csv_on_junk_gives_a_directory_or_a_validation_error(header: str, rows: str) -> None:
    """Any UTF-8 CSV gives a directory or a ValidationError, never a csv.Error or a TypeError."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "institutions.csv"
        path.write_text(header + rows, encoding="utf-8")
        outcome = _outcome(lambda: InstitutionDirectory.from_csv(path))
    assert isinstance(outcome, ValidationError | InstitutionDirectory)
