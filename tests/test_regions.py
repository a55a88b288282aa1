from __future__ import annotations

import re
import tempfile
import zipfile
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import TypeVar

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import lapor_core as lc
from desk_support import make_desk
from lapor_core._domain.regions import (
    Region,
    RegionKind,
    RegionLevel,
    RegionTable,
    area_code_rule,
    fold_text,
    normalize_code,
    region_code_rule,
    region_from_parts,
    within,
)
from lapor_core._domain.rules import Invalid
from lapor_core.errors import NotFound, ValidationError

T = TypeVar("T")
TABLE = RegionTable.default()
DATA = resources.files("lapor_core") / "data" / "regions"

two_digits = st.integers(min_value=0, max_value=99).map(lambda n: f"{n:02d}")
four_digits = st.integers(min_value=0, max_value=9999).map(lambda n: f"{n:04d}")
dotted_codes = st.lists(two_digits, min_size=1, max_size=3).map(".".join) | st.tuples(
    two_digits, two_digits, two_digits, four_digits
).map(".".join)


def _fields(error: ValidationError) -> list[str]:
    """The field paths of every error, in order."""
    return [e.field for e in error.errors]


def _codes(error: ValidationError) -> list[str]:
    """The codes of every error, in order."""
    return [e.code for e in error.errors]


def _outcome(call: Callable[[], T]) -> T | ValidationError:
    """What ``call`` returns, or the ValidationError it raises; any other exception fails the test."""
    try:
        return call()
    except ValidationError as error:
        return error


def _write(folder: Path, name: str, text: str) -> Path:
    """Write ``text`` as UTF-8 into ``folder/name``."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


PROVINCES = "code,name,timezone,lat,lon\n31,DKI Jakarta,Asia/Jakarta,-6.2,106.8\n61,Kalbar,Asia/Pontianak,,\n"
REGENCIES = (
    "code,province_code,name,kind,lat,lon\n"
    "31.01,31,Kepulauan Seribu,kabupaten,-5.7,106.5\n"
    "3171,31,Jakarta Pusat,kota,,\n"
    "61.71,61,Pontianak,kota,,\n"
)
DISTRICTS = "code,regency_code,name\n31.71.01,31.71,Gambir\n617101,6171,Pontianak Selatan\n"


# --- the shipped data ---------------------------------------------------------------------------------


def test_default_table_has_the_kemendagri_counts() -> None:
    """The shipped edition has 38 provinces, 514 regencies and cities and 7,285 districts."""
    assert TABLE.count(RegionLevel.PROVINCE) == 38
    assert TABLE.count(RegionLevel.REGENCY) == 514
    assert TABLE.count(RegionLevel.DISTRICT) == 7_285
    assert len(TABLE) == 38 + 514 + 7_285
    assert len(list(TABLE)) == len(TABLE)


def test_default_table_splits_regencies_into_416_kabupaten_and_98_kota() -> None:
    """SOURCE.md counts 416 kabupaten and 98 kota."""
    kinds = [r.kind for r in TABLE if r.level is RegionLevel.REGENCY]
    assert kinds.count(RegionKind.KABUPATEN) == 416
    assert kinds.count(RegionKind.KOTA) == 98


def test_every_parent_exists_and_is_one_level_up() -> None:
    """Each regency's and district's parent is in the table, one level higher, and prefixes its code."""
    above = {RegionLevel.REGENCY: RegionLevel.PROVINCE, RegionLevel.DISTRICT: RegionLevel.REGENCY}
    for region in TABLE:
        if region.level is RegionLevel.PROVINCE:
            assert region.parent is None
            continue
        assert region.parent is not None
        parent = TABLE.get(region.parent)
        assert parent.level is above[region.level]
        assert region.code.startswith(parent.code + ".")


def test_every_region_has_its_provinces_time_zone() -> None:
    """Regencies and districts inherit the province's IANA zone."""
    for region in TABLE:
        assert region.timezone == TABLE.get(region.province_code).timezone


def test_kalimantan_barat_and_tengah_are_on_asia_pontianak() -> None:
    """Keppres 41/1987 puts 61 and 62 in WIB; the IANA zone for them is Asia/Pontianak."""
    assert TABLE.timezone_of("61") == "Asia/Pontianak"
    assert TABLE.timezone_of("62") == "Asia/Pontianak"
    assert TABLE.timezone_of("61.71") == "Asia/Pontianak"


def test_the_three_time_zones_of_the_brief_hold() -> None:
    """Jakarta Pusat is WIB, Makassar WITA and Jayapura WIT."""
    assert TABLE.timezone_of("31.71") == "Asia/Jakarta"
    assert TABLE.timezone_of("73.71") == "Asia/Makassar"
    assert TABLE.timezone_of("91.71") == "Asia/Jayapura"


def test_kota_exactly_when_the_regency_part_is_71_or_more() -> None:
    """SOURCE.md: kind is kota exactly when the regency part of the code is 71 or higher."""
    for region in TABLE:
        if region.level is RegionLevel.REGENCY:
            assert (region.kind is RegionKind.KOTA) == (int(region.code[3:]) >= 71)
        else:
            assert region.kind is None


def test_provinces_and_regencies_have_centroids_and_districts_have_none() -> None:
    """Centroids are shipped for the two upper levels only."""
    for region in TABLE:
        if region.level is RegionLevel.DISTRICT:
            assert region.centroid is None
        else:
            assert region.centroid is not None
            lat, lon = region.centroid
            assert -11 < lat < 6
            assert 94 < lon < 142


def test_loading_the_shipped_files_again_gives_the_same_regions() -> None:
    """from_csv on the packaged files equals the cached default table, region by region."""
    loaded = RegionTable.from_csv(DATA / "provinces.csv", DATA / "regencies.csv", DATA / "districts.csv")
    assert list(loaded) == list(TABLE)


def test_default_is_built_once() -> None:
    """The default table is shared, not rebuilt per call."""
    assert RegionTable.default() is RegionTable.default()


def test_repr_counts_the_levels() -> None:
    """The repr says how many regions of each level there are."""
    assert repr(TABLE) == "<RegionTable: 38 provinces, 514 regencies, 7285 districts>"


# --- lookups ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given_code", "expected"),
    [("31.71", "31.71"), ("3171", "31.71"), ("317101", "31.71.01"), (" 31 ", "31")],
)
def test_get_accepts_dotted_and_undotted_codes(given_code: str, expected: str) -> None:
    """Both spellings of a code find the same region."""
    assert TABLE.get(given_code).code == expected


def test_get_unknown_code_raises_not_found_with_the_dotted_key() -> None:
    """An unknown but well-formed code is a NotFound of kind region."""
    with pytest.raises(NotFound) as caught:
        TABLE.get("3199")
    assert (caught.value.kind, caught.value.key) == ("region", "31.99")


@pytest.mark.parametrize("bad", ["", "3", "31.7", "31-71", "31.71.01.10", "31710110", "abc", "٣١"])
def test_get_malformed_code_raises_validation_error(bad: str) -> None:
    """Text not shaped like a code is bad input, not a missing region."""
    with pytest.raises(ValidationError) as caught:
        TABLE.get(bad)
    assert caught.value.fields_by_name == {"code": ("region.malformed_code",)}


@pytest.mark.parametrize("bad", ["31.99", "nonsense", "", None, 3171, "31.71.01.1001"])
def test_find_and_contains_say_no_for_unknown_malformed_or_wrong_type(bad: object) -> None:
    """The lenient lookups (find, ``in``) say no rather than raising."""
    assert TABLE.find(bad) is None  # type: ignore[arg-type]
    assert bad not in TABLE


def test_find_and_contains_accept_undotted_codes() -> None:
    """The lenient lookups normalize like get."""
    region = TABLE.find("7371")
    assert region is not None
    assert region.name == "Kota Makassar"
    assert "7371" in TABLE


def test_parent_children_and_province_walk_the_hierarchy() -> None:
    """Parent goes one level up, children one level down, province_of to the top."""
    assert TABLE.parent("31") is None
    parent = TABLE.parent("31.71.01")
    assert parent is not None
    assert parent.code == "31.71"
    assert [r.code for r in TABLE.children("31")] == ["31.01", "31.71", "31.72", "31.73", "31.74", "31.75"]
    assert TABLE.children("31.71.01") == ()
    assert TABLE.province_of("317101").code == "31"
    assert TABLE.province_of("31").code == "31"
    assert TABLE.children(None) == TABLE.provinces()
    assert len(TABLE.provinces()) == 38


def test_hierarchy_lookups_on_unknown_codes_raise_not_found() -> None:
    """Every code-taking method refuses an unknown code the same way."""
    for method in (TABLE.parent, TABLE.children, TABLE.province_of, TABLE.timezone_of, TABLE.centroid_of):
        with pytest.raises(NotFound):
            method("99.99")


def test_a_village_code_is_not_in_the_table_but_answers_through_its_district() -> None:
    """Villages are not shipped: get refuses them, place questions answer from the district."""
    with pytest.raises(NotFound) as caught:
        TABLE.get("3171011001")
    assert caught.value.key == "31.71.01.1001"
    assert TABLE.find("31.71.01.1001") is None
    assert "31.71.01.1001" not in TABLE
    parent = TABLE.parent("31.71.01.1001")
    assert parent is not None
    assert parent.name == "Gambir"
    assert TABLE.timezone_of("7371011001") == "Asia/Makassar"
    assert TABLE.province_of("31.71.01.1001").code == "31"
    assert TABLE.centroid_of("31.71.01.1001") == TABLE.get("31.71").centroid
    assert TABLE.resolve("31.71.01.1001").code == "31.71.01"


def test_a_village_of_an_unknown_district_is_not_found() -> None:
    """The district must exist for a village code to be answered."""
    with pytest.raises(NotFound) as caught:
        TABLE.timezone_of("31.71.99.1001")
    assert caught.value.key == "31.71.99.1001"
    with pytest.raises(NotFound):
        TABLE.parent("31.71.99.1001")
    with pytest.raises(ValidationError) as refused:
        TABLE.resolve("31.71.99.1001")
    (error,) = refused.value.errors
    assert error.code == "region.unknown_did_you_mean"
    assert error.params["hints"][0].startswith("31.71.08 ")  # type: ignore[index]


def test_centroid_of_a_district_is_its_regencys() -> None:
    """Districts have no centroid of their own, so the regency's stands in."""
    assert TABLE.centroid_of("31.71.01") == TABLE.get("31.71").centroid
    assert TABLE.centroid_of("31") == TABLE.get("31").centroid


def test_centroid_of_is_none_when_no_level_knows_one() -> None:
    """A table without any coordinates has no centroid to offer."""
    table = RegionTable(
        [
            Region("31", "DKI", RegionLevel.PROVINCE, None, "Asia/Jakarta"),
            Region("31.71", "Kota A", RegionLevel.REGENCY, "31", "Asia/Jakarta", RegionKind.KOTA),
        ]
    )
    assert table.centroid_of("31.71") is None


def test_region_properties_derive_from_the_code() -> None:
    """The undotted form and the province code are read off the code."""
    region = TABLE.get("31.71.01")
    assert region.undotted == "317101"
    assert region.province_code == "31"


# --- search and suggestions ---------------------------------------------------------------------------


def test_search_kota_bandung_puts_the_city_first() -> None:
    """'kota bandung' means 32.73, not the regency."""
    assert TABLE.search("kota bandung")[0].code == "32.73"


def test_search_bandung_gives_both_kabupaten_and_kota_first() -> None:
    """A bare name finds the regency and the city of that name before districts."""
    assert [r.code for r in TABLE.search("bandung", limit=2)] == ["32.04", "32.73"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Jakarta Selatan", "31.74"),
        ("JAKARTA  selatan!", "31.74"),
        ("kota jakarta selatan", "31.74"),
        ("Kab. Bandung", "32.04"),
        ("DKI Jakarta", "31"),
        ("diy", "34"),
        ("Kecamatan Gambir", "31.71.01"),
        ("Makassar", "73.71"),
        ("Ácéh", "11"),
    ],
)
def test_search_ignores_case_accents_punctuation_and_common_abbreviations(query: str, expected: str) -> None:
    """The best match is the expected region whatever the spelling."""
    assert TABLE.search(query)[0].code == expected


def test_search_matches_apostrophe_names_without_the_apostrophe() -> None:
    """Ma'u in Nias is found by 'mau' and by the accented apostrophe form."""
    assert TABLE.search("mau")[0].name == "Ma'u"
    assert TABLE.search("Ma\u2019u")[0].name == "Ma'u"


def test_search_finds_word_prefixes_in_any_order() -> None:
    """'selatan jak' still finds Jakarta Selatan through word prefixes."""
    assert "31.74" in [r.code for r in TABLE.search("selatan jak")]


def test_search_respects_the_limit() -> None:
    """No more results than asked, none for a non-positive limit."""
    assert len(TABLE.search("a", limit=5)) == 5
    assert TABLE.search("bandung", limit=0) == ()


@pytest.mark.parametrize("query", ["", "   ", "!!!", "zzzzqqqxx", None, 42])
def test_search_returns_nothing_for_empty_unmatched_or_non_text_queries(query: object) -> None:
    """Nothing to match gives an empty tuple, not an error."""
    assert TABLE.search(query) == ()  # type: ignore[arg-type]


def test_search_handles_huge_text() -> None:
    """Megabytes of text are cut before matching instead of being folded whole."""
    assert TABLE.search("x" * 2_000_000) == ()
    assert TABLE.search("bandung " * 200_000)[0].code == "32.04"


ABBREVIATIONS = {"kab", "adm", "dki", "diy", "prov", "provinsi", "kec", "kecamatan"}


@given(st.text(max_size=60) | st.sampled_from(["bandung barat", "kota ma", "selatan jak", "aceh"]))
def test_search_never_raises_and_results_contain_the_query_words(text: str) -> None:
    """Any text gives at most ``limit`` regions, each holding every query word in its folded name."""
    found = TABLE.search(text, limit=5)
    assert len(found) <= 5
    words = set(fold_text(text).split()) - ABBREVIATIONS
    for region in found:
        assert all(word in fold_text(region.name) for word in words)


def test_suggest_an_unknown_code_gives_the_closest_siblings() -> None:
    """31.79 is unknown; the closest codes under DKI Jakarta are suggested."""
    assert [r.code for r in TABLE.suggest("31.79")] == ["31.75", "31.74", "31.73"]


def test_suggest_an_unknown_district_looks_under_its_regency() -> None:
    """A bad district code is answered with districts of the same regency."""
    suggested = TABLE.suggest("317199")
    assert suggested
    assert all(r.parent == "31.71" for r in suggested)


def test_suggest_an_unknown_province_gives_the_nearest_provinces() -> None:
    """99 has no ancestor, so the numerically nearest provinces are offered."""
    assert [r.code for r in TABLE.suggest("99", limit=2)] == ["96", "95"]


def test_suggest_a_known_code_gives_that_region() -> None:
    """Nothing to correct: the region itself."""
    assert [r.code for r in TABLE.suggest("73.71")] == ["73.71"]


def test_suggest_a_name_that_search_finds_gives_the_search_results() -> None:
    """A correct name needs no fuzzy matching."""
    assert [r.code for r in TABLE.suggest("bandung", limit=2)] == ["32.04", "32.73"]


def test_suggest_a_misspelt_name_uses_close_matches() -> None:
    """Typos that search cannot match still find the intended region."""
    assert TABLE.suggest("Kota Bandnug")[0].code == "32.73"
    assert TABLE.suggest("Surabya")[0].code == "35.78"


@pytest.mark.parametrize("query", ["", "!!!", "zzzzqqqxx", None])
def test_suggest_gives_nothing_for_hopeless_input(query: object) -> None:
    """No letters, nothing close, or not text: no suggestion."""
    assert TABLE.suggest(query) == ()  # type: ignore[arg-type]


def test_suggest_with_a_zero_limit_gives_nothing() -> None:
    """A non-positive limit asks for no suggestion."""
    assert TABLE.suggest("31.79", limit=0) == ()


def test_resolve_returns_the_region_for_a_known_code() -> None:
    """A valid code resolves to its region."""
    assert TABLE.resolve("9171").name == "Kota Jayapura"


def test_resolve_unknown_code_names_the_field_and_suggests_regions() -> None:
    """The validation error says the code is unknown and what was probably meant."""
    with pytest.raises(ValidationError) as caught:
        TABLE.resolve("31.99", field="location.region")
    (error,) = caught.value.errors
    assert (error.field, error.code) == ("location.region", "region.unknown_did_you_mean")
    assert error.params["hints"] == (
        "31.75 Kota Administrasi Jakarta Timur",
        "31.74 Kota Administrasi Jakarta Selatan",
        "31.73 Kota Administrasi Jakarta Barat",
    )
    assert error.message("en").startswith(
        "unknown region; did you mean 31.75 Kota Administrasi Jakarta Timur"
    )
    assert error.message().startswith("wilayah tidak dikenal; mungkin maksud Anda 31.75")


def test_resolve_without_any_candidate_just_says_unknown() -> None:
    """A table with no region under any ancestor offers no suggestion."""
    empty = RegionTable([])
    with pytest.raises(ValidationError) as caught:
        empty.resolve("31")
    assert caught.value.fields_by_name == {"region": ("region.unknown",)}
    assert caught.value.errors[0].message() == "wilayah tidak dikenal"


def test_resolve_malformed_code_explains_the_format() -> None:
    """Free text is refused with the expected format, without echoing it."""
    with pytest.raises(ValidationError) as caught:
        TABLE.resolve("Jl. Merdeka 5, Budi", field="location.region")
    (error,) = caught.value.errors
    assert (error.field, error.code, dict(error.params)) == ("location.region", "region.malformed_code", {})
    assert "Budi" not in error.message() + error.message("en")


# --- normalize_code and fold_text ---------------------------------------------------------------------


def test_normalize_code_refuses_non_text() -> None:
    """A number is not a code, even if its digits would be."""
    with pytest.raises(ValidationError) as caught:
        normalize_code(3171, field="region")  # type: ignore[arg-type]
    assert caught.value.fields_by_name == {"region": ("value.not_string",)}
    assert caught.value.errors[0].params == {"type": "number"}


@pytest.mark.parametrize(("text", "code"), [(None, "value.required"), ("  ", "region.malformed_code")])
def test_normalize_code_refuses_a_missing_code(text: object, code: str) -> None:
    """A required code that is absent or blank is refused, each with its own code."""
    with pytest.raises(ValidationError) as caught:
        normalize_code(text, field="region")  # type: ignore[arg-type]
    assert caught.value.fields_by_name == {"region": (code,)}


@given(dotted_codes)
def test_normalize_code_round_trips_dotted_and_undotted(code: str) -> None:
    """A dotted code normalizes to itself, and so does its undotted form."""
    assert normalize_code(code) == code
    assert normalize_code(code.replace(".", "")) == code


@given(st.text(max_size=20))
def test_normalize_code_gives_a_dotted_code_or_a_validation_error(text: str) -> None:
    """Any text either normalizes to a well-formed dotted code or is refused with ValidationError."""
    outcome: str | ValidationError
    try:
        outcome = normalize_code(text)
    except ValidationError as error:
        outcome = error
    if isinstance(outcome, ValidationError):
        assert _codes(outcome) == ["region.malformed_code"]
        assert _fields(outcome) == ["code"]
    else:
        assert normalize_code(outcome) == outcome
        assert outcome.replace(".", "") == text.strip().replace(".", "")


@pytest.mark.parametrize(
    ("text", "folded"),
    [("  Kota  BANDUNG ", "kota bandung"), ("Sogae'adu", "sogaeadu"), ("Bénoa—Kuta", "benoa kuta"), ("", "")],
)
def test_fold_text_drops_case_accents_and_punctuation(text: str, folded: str) -> None:
    """Folding makes spellings comparable."""
    assert fold_text(text) == folded


@given(st.text(max_size=40))
def test_fold_text_is_idempotent(text: str) -> None:
    """Folding folded text changes nothing."""
    assert fold_text(fold_text(text)) == fold_text(text)


# --- building tables ----------------------------------------------------------------------------------


def test_constructor_accepts_consistent_regions_in_any_order() -> None:
    """Regions are sorted by code whatever order they come in."""
    table = RegionTable(
        [
            Region("31.71", "Kota A", RegionLevel.REGENCY, "31", "Asia/Jakarta", RegionKind.KOTA),
            Region("31", "DKI", RegionLevel.PROVINCE, None, "Asia/Jakarta"),
        ]
    )
    assert [r.code for r in table] == ["31", "31.71"]


def test_constructor_reports_every_inconsistency_at_once() -> None:
    """Each contradiction between regions is named by its position in the input."""
    regions: list[object] = [
        Region("31", "DKI", RegionLevel.PROVINCE, None, "Asia/Jakarta"),
        Region("31", "DKI again", RegionLevel.PROVINCE, None, "Asia/Jakarta"),
        Region("32.71", "Kota B", RegionLevel.REGENCY, "32", "Asia/Jakarta", RegionKind.KOTA),
        Region("31.73", "Kota D", RegionLevel.REGENCY, "31", "Asia/Makassar", RegionKind.KOTA),
        Region("31.71.01", "Gambir", RegionLevel.DISTRICT, "31.71", "Asia/Jakarta"),
        "not a region",
    ]
    with pytest.raises(ValidationError) as caught:
        RegionTable(regions)  # type: ignore[arg-type]
    assert list(zip(_fields(caught.value), _codes(caught.value), strict=True)) == [
        ("regions[1].code", "region.repeated_code"),
        ("regions[2].parent", "region.parent_unknown"),
        ("regions[3].timezone", "region.timezone_not_province"),
        ("regions[4].parent", "region.parent_unknown"),
        ("regions[5]", "region.not_region"),
    ]
    assert caught.value.errors[-1].params == {"type": "string"}


def test_a_region_reports_every_bad_attribute_and_from_dict_agrees() -> None:
    """A region checks each attribute when made; a mapping is read by the same rules."""
    values: dict[str, object] = {
        "code": "31.7",
        "name": "",
        "level": "kelurahan",
        "parent": 31,
        "timezone": "Mars/Olympus",
        "kind": "desa",
        "lat": 91,
        "lon": "106.8",
    }
    with pytest.raises(ValidationError) as direct:
        Region(**values)  # type: ignore[arg-type]
    assert list(zip(_fields(direct.value), _codes(direct.value), strict=True)) == [
        ("code", "region.malformed_code"),
        ("name", "text.empty"),
        ("level", "value.not_choice"),
        ("parent", "value.not_string"),
        ("timezone", "calendar.timezone_unknown"),
        ("kind", "value.not_choice"),
        ("lat", "number.out_of_range"),
        ("lon", "value.not_number"),
    ]
    with pytest.raises(ValidationError) as read:
        Region.from_dict({**values, "colour": "red"})
    assert read.value.errors[:-1] == direct.value.errors
    assert read.value.fields_by_name["colour"] == ("field.unknown",)


@pytest.mark.parametrize(
    ("args", "field", "code", "params"),
    [
        (
            ("31.01", "Kab", RegionLevel.DISTRICT, "31", "Asia/Jakarta", RegionKind.KABUPATEN),
            "level",
            "region.level_mismatch",
            {"level": "regency"},
        ),
        (
            ("31.72", "Kota C", RegionLevel.REGENCY, "33", "Asia/Jakarta", RegionKind.KOTA),
            "parent",
            "region.parent_mismatch",
            {},
        ),
        (
            ("31.01", "Kab", RegionLevel.REGENCY, "31", "Asia/Jakarta", RegionKind.KOTA),
            "kind",
            "region.kind_mismatch",
            {"kind": "kabupaten"},
        ),
        (
            ("31.71.01", "Gambir", RegionLevel.DISTRICT, "31.71", "Asia/Jakarta", RegionKind.KOTA),
            "kind",
            "region.kind_not_allowed",
            {},
        ),
        (
            ("31.71.01.1001", "Desa", RegionLevel.DISTRICT, "31.71.01", "Asia/Jakarta"),
            "code",
            "region.village_not_allowed",
            {},
        ),
    ],
)
def test_a_region_refuses_a_level_parent_or_kind_that_contradicts_its_code(
    args: tuple[object, ...], field: str, code: str, params: dict[str, object]
) -> None:
    """The code decides the level, the parent and (for a regency) kabupaten or kota."""
    with pytest.raises(ValidationError) as caught:
        Region(*args)  # type: ignore[arg-type]
    (error,) = caught.value.errors
    assert (error.field, error.code, dict(error.params)) == (field, code, params)


def test_a_region_reports_every_contradiction_with_its_code_at_once() -> None:
    """Level, parent and kind are each checked against the code, all in one error."""
    with pytest.raises(ValidationError) as caught:
        Region("31.01", "Kab", RegionLevel.DISTRICT, "32", "Asia/Jakarta")
    assert list(zip(_fields(caught.value), _codes(caught.value), strict=True)) == [
        ("level", "region.level_mismatch"),
        ("parent", "region.parent_mismatch"),
        ("kind", "region.kind_mismatch"),
    ]


def test_a_region_dots_its_codes_and_reads_values_of_its_enums() -> None:
    """Codes given undotted are dotted once; level and kind may be given as their values."""
    region = Region("3171", " Kota A ", "regency", "31", "Asia/Jakarta", "kota", -6, 106)  # type: ignore[arg-type]
    assert region == Region(
        "31.71", "Kota A", RegionLevel.REGENCY, "31", "Asia/Jakarta", RegionKind.KOTA, -6.0, 106.0
    )


def test_from_csv_reads_small_files_with_undotted_codes(tmp_path: Path) -> None:
    """Codes may be undotted, coordinates empty; zones are inherited."""
    table = RegionTable.from_csv(
        _write(tmp_path, "p.csv", PROVINCES),
        str(_write(tmp_path, "r.csv", REGENCIES)),
        _write(tmp_path, "d.csv", DISTRICTS),
    )
    assert [r.code for r in table] == ["31", "31.01", "31.71", "31.71.01", "61", "61.71", "61.71.01"]
    assert table.get("61.71.01").timezone == "Asia/Pontianak"
    assert table.get("61").centroid is None
    assert table.get("31.01").centroid == (-5.7, 106.5)


def test_from_csv_without_districts_builds_two_levels(tmp_path: Path) -> None:
    """The districts file is optional."""
    table = RegionTable.from_csv(_write(tmp_path, "p.csv", PROVINCES), _write(tmp_path, "r.csv", REGENCIES))
    assert table.count(RegionLevel.DISTRICT) == 0
    assert len(table) == 5


def test_from_csv_accepts_reordered_extra_and_missing_optional_columns(tmp_path: Path) -> None:
    """Columns are found by header name; lat/lon may be absent; a BOM and padding are ignored."""
    provinces = _write(tmp_path, "p.csv", "\ufeffname, code ,timezone,extra\nDKI,31,Asia/Jakarta,x\n")
    regencies = _write(tmp_path, "r.csv", "kind,name,code,province_code\nkota, Kota A ,31.71,31\n")
    districts = _write(tmp_path, "d.csv", "regency_code,code,name\n31.71, 31.71.01 ,Gambir\n\n")
    table = RegionTable.from_csv(provinces, regencies, districts)
    assert [(r.code, r.name) for r in table] == [("31", "DKI"), ("31.71", "Kota A"), ("31.71.01", "Gambir")]


def test_from_csv_short_rows_are_padded_with_empty_cells(tmp_path: Path) -> None:
    """A row missing its trailing empty coordinates still loads."""
    provinces = _write(tmp_path, "p.csv", "code,name,timezone,lat,lon\n31,DKI,Asia/Jakarta\n")
    regencies = _write(tmp_path, "r.csv", "code,province_code,name,kind,lat,lon\n")
    assert len(RegionTable.from_csv(provinces, regencies)) == 1


def test_from_csv_reports_every_bad_cell_with_its_row(tmp_path: Path) -> None:
    """Bad zones, codes, names, kinds, coordinates and parents are listed together."""
    provinces = _write(
        tmp_path,
        "p.csv",
        "code,name,timezone,lat,lon\n31,DKI,Asia/Jakarta,,\n3,X,Nowhere/Land,91,0\n32,,Asia/Jakarta,0,abc\n"
        "33,Y,,,\n",
    )
    regencies = _write(
        tmp_path,
        "r.csv",
        "code,province_code,name,kind,lat,lon\n"
        "31.71,31,Kota A,kabupaten,,\n"
        "33.01,33,Kab B,kabupaten,,\n"
        "31.02,32,Kab C,kabupaten,,\n"
        "31.03,31,Kab D,desa,,\n"
        "31.71,31,Kota A again,kota,,\n"
        "31.7,31,Malformed,kabupaten,,\n",
    )
    districts = _write(
        tmp_path,
        "d.csv",
        "code,regency_code,name\n31.71.01,31.71,\n31.99.01,31.99,Nowhere\n31.71.0x,31.71,Bad\n",
    )
    with pytest.raises(ValidationError) as caught:
        RegionTable.from_csv(provinces, regencies, districts)
    assert list(zip(_fields(caught.value), _codes(caught.value), strict=True)) == [
        ("provinces[1].code", "region.code_expected"),
        ("provinces[1].timezone", "calendar.timezone_unknown"),
        ("provinces[1].lat", "number.out_of_range"),
        ("provinces[2].name", "text.empty"),
        ("provinces[2].lon", "value.not_number"),
        ("provinces[3].timezone", "calendar.timezone_not_name"),
        ("regencies[0].kind", "region.kind_mismatch"),
        ("regencies[1].province_code", "region.parent_not_loaded"),
        ("regencies[2].province_code", "region.parent_mismatch"),
        ("regencies[3].kind", "value.not_choice"),
        ("regencies[5].code", "region.code_expected"),
        ("districts[0].name", "text.empty"),
        ("districts[1].regency_code", "region.parent_not_loaded"),
        ("districts[2].code", "region.code_expected"),
    ]
    by_field = {error.field: dict(error.params) for error in caught.value.errors}
    assert by_field["provinces[1].lat"] == {"min": -90, "max": 90}
    assert by_field["regencies[0].kind"] == {"kind": "kota"}
    assert by_field["districts[2].code"] == {"example": "31.71.01"}


def test_every_loaded_region_is_what_its_rules_build() -> None:
    """Districts are assembled without rerunning every rule: each still equals the checked constructor's."""
    for region in TABLE:
        assert Region(**attrs.asdict(region, recurse=False)) == region


@pytest.mark.parametrize(
    ("name", "code"), [("Gam\u202ebir", "text.bidi_control"), ("Gam\x00bir", "text.not_one_line")]
)
def test_from_csv_checks_district_names_with_the_text_rule(tmp_path: Path, name: str, code: str) -> None:
    """A district's name goes through the same text rule as every other name."""
    provinces = _write(tmp_path, "p.csv", "code,name,timezone\n31,DKI,Asia/Jakarta\n")
    regencies = _write(tmp_path, "r.csv", "code,province_code,name,kind\n31.71,31,Kota A,kota\n")
    districts = _write(tmp_path, "d.csv", f"code,regency_code,name\n31.71.01,31.71,{name}\n")
    with pytest.raises(ValidationError) as caught:
        RegionTable.from_csv(provinces, regencies, districts)
    assert caught.value.fields_by_name == {"districts[0].name": (code,)}


def test_from_csv_reports_a_repeated_code(tmp_path: Path) -> None:
    """The second occurrence of a code is refused."""
    provinces = _write(tmp_path, "p.csv", "code,name,timezone\n31,DKI,Asia/Jakarta\n31,DKI,Asia/Jakarta\n")
    regencies = _write(tmp_path, "r.csv", "code,province_code,name,kind\n")
    districts = _write(tmp_path, "d.csv", "code,regency_code,name\n")
    with pytest.raises(ValidationError) as caught:
        RegionTable.from_csv(provinces, regencies, districts)
    assert caught.value.fields_by_name == {"provinces[1].code": ("region.repeated_code",)}


def test_from_csv_reports_a_repeated_district_code(tmp_path: Path) -> None:
    """Duplicates are caught on the fast path of clean district rows too."""
    provinces = _write(tmp_path, "p.csv", "code,name,timezone\n31,DKI,Asia/Jakarta\n")
    regencies = _write(tmp_path, "r.csv", "code,province_code,name,kind\n31.71,31,Kota A,kota\n")
    districts = _write(tmp_path, "d.csv", "code,regency_code,name\n31.71.01,31.71,A\n31.71.01,31.71,B\n")
    with pytest.raises(ValidationError) as caught:
        RegionTable.from_csv(provinces, regencies, districts)
    assert caught.value.fields_by_name == {"districts[1].code": ("region.repeated_code",)}


def test_from_csv_refuses_a_file_without_the_needed_columns(tmp_path: Path) -> None:
    """A missing required column is reported once for the file."""
    provinces = _write(tmp_path, "p.csv", "code,name\n31,DKI\n")
    regencies = _write(tmp_path, "r.csv", "")
    with pytest.raises(ValidationError) as caught:
        RegionTable.from_csv(provinces, regencies)
    assert _fields(caught.value) == ["provinces", "regencies"]
    assert _codes(caught.value) == ["file.missing_columns", "file.missing_columns"]
    assert caught.value.errors[0].params == {"columns": ("timezone",)}
    assert caught.value.errors[1].params == {"columns": ("code", "province_code", "name", "kind")}


def test_from_csv_refuses_non_utf8_files(tmp_path: Path) -> None:
    """Latin-1 bytes are reported as a bad file, not a UnicodeDecodeError."""
    provinces = tmp_path / "p.csv"
    provinces.write_bytes("code,name,timezone\n31,Dáerah,Asia/Jakarta\n".encode("latin-1"))
    regencies = _write(tmp_path, "r.csv", "code,province_code,name,kind\n")
    with pytest.raises(ValidationError) as caught:
        RegionTable.from_csv(provinces, regencies)
    assert caught.value.fields_by_name == {"provinces": ("file.not_utf8",)}


def test_from_csv_refuses_a_field_the_csv_reader_cannot_take(tmp_path: Path) -> None:
    """A cell over the csv module's size limit is a bad file, not a csv.Error."""
    provinces = _write(tmp_path, "p.csv", 'code,name,timezone\n31,"' + "x" * 200_000 + '",Asia/Jakarta\n')
    regencies = _write(tmp_path, "r.csv", "code,province_code,name,kind\n")
    with pytest.raises(ValidationError) as caught:
        RegionTable.from_csv(provinces, regencies)
    assert caught.value.fields_by_name == {"provinces": ("file.not_csv",)}


def test_from_csv_reads_files_inside_a_zip_archive(tmp_path: Path) -> None:
    """Any importlib.resources traversable works, as for a package installed as a zip."""
    archive = tmp_path / "regions.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("p.csv", PROVINCES)
        bundle.writestr("r.csv", REGENCIES)
        bundle.writestr("d.csv", DISTRICTS)
    root = zipfile.Path(archive)
    table = RegionTable.from_csv(root / "p.csv", root / "r.csv", root / "d.csv")
    assert len(table) == 7


def test_from_csv_lets_a_missing_file_raise_os_error(tmp_path: Path) -> None:
    """A path that does not exist is the caller's I/O problem."""
    with pytest.raises(FileNotFoundError):
        RegionTable.from_csv(tmp_path / "none.csv", tmp_path / "none.csv")


# --- the region-code rule, within and region_from_parts -------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3171", "31.71"),
        (" 31.71.01 ", "31.71.01"),
        ("3171011001", "31.71.01.1001"),
        ("", None),
        (None, None),
    ],
)
def test_region_code_rule_dots_codes_and_reads_blank_as_absent(value: object, expected: str | None) -> None:
    """The rule is the optional form of normalize_code: blank and None mean "not given"."""
    assert region_code_rule(value) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [("31.7", "region.malformed_code"), ("Jl. Budi", "region.malformed_code"), (31, "value.not_string")],
)
def test_region_code_rule_refuses_with_a_code_never_the_value(value: object, code: str) -> None:
    """A refusal names the rule; its params never hold the refused text."""
    with pytest.raises(Invalid) as caught:
        region_code_rule(value)
    assert caught.value.code == code
    assert "Budi" not in repr(caught.value.params)


def test_area_code_rule_refuses_villages_only() -> None:
    """Provinces, regencies and districts pass (dotted); a village code is refused."""
    assert [area_code_rule(code) for code in ("31", "3171", "317101", None)] == [
        "31",
        "31.71",
        "31.71.01",
        None,
    ]
    with pytest.raises(Invalid) as caught:
        area_code_rule("3171011001")
    assert caught.value.code == "region.village_not_allowed"


@pytest.mark.parametrize(
    ("code", "prefix", "inside"),
    [
        ("31.71.01", "31", True),
        ("317101", "31.71", True),
        ("31.71", "3171", True),
        ("31.71.01.1001", "31.71.01", True),
        ("31.71", "31.71.01", False),
        ("32.04", "31", False),
        ("31.71", "31.7", None),
        ("31.7", "31", None),
        (None, "31", False),
    ],
)
def test_within_normalises_both_codes_before_comparing(
    code: str | None, prefix: str, inside: bool | None
) -> None:
    """Dotted or undotted, a code is inside its own prefix and its ancestors; malformed codes are refused."""
    if inside is None:
        with pytest.raises(ValidationError) as caught:
            within(code, prefix)
        assert set(caught.value.fields_by_name) <= {"code", "prefix"}
        assert _codes(caught.value) == ["region.malformed_code"]
    else:
        assert within(code, prefix) is inside


@given(dotted_codes, dotted_codes)
def test_within_agrees_with_the_dotted_prefix_test_in_any_spelling(code: str, prefix: str) -> None:
    """``within`` is "equal, or starts with prefix plus a dot", whichever spelling each side comes in."""
    expected = code == prefix or code.startswith(prefix + ".")
    assert within(code, prefix) is expected
    assert within(code.replace(".", ""), prefix.replace(".", "")) is expected


def test_region_from_parts_returns_the_most_precise_consistent_part() -> None:
    """Each part lies in the one above; the most precise given is returned dotted."""
    assert region_from_parts("31", "3171", "317101") == "31.71.01"
    assert region_from_parts("31", "31.71") == "31.71"
    assert region_from_parts(province="32") == "32"
    assert region_from_parts(regency="32.73", district="32.73.01") == "32.73.01"
    assert region_from_parts("31", None, "31.71.01") == "31.71.01"
    assert region_from_parts() is None
    assert region_from_parts("", " ", "") is None


def test_region_from_parts_refuses_a_regency_of_another_province() -> None:
    """Province 31 with regency 32.73 (a stale form) is refused, not stored as 32.73."""
    with pytest.raises(ValidationError) as caught:
        region_from_parts("31", "32.73")
    assert caught.value.fields_by_name == {"regency": ("region.not_within_province",)}
    assert caught.value.messages() == ("regency: harus terletak di dalam provinsi yang dipilih",)


def test_region_from_parts_refuses_a_district_outside_its_regency_or_province() -> None:
    """A district must lie in the chosen regency, or in the province when no regency is given."""
    with pytest.raises(ValidationError) as caught:
        region_from_parts("31", "31.71", "31.72.01")
    assert caught.value.fields_by_name == {"district": ("region.not_within_regency",)}
    with pytest.raises(ValidationError) as caught:
        region_from_parts("31", None, "32.73.01")
    assert caught.value.fields_by_name == {"district": ("region.not_within_province",)}


def test_region_from_parts_refuses_parts_of_the_wrong_level_or_shape() -> None:
    """A regency code as province, a malformed regency and a non-text district are each reported."""
    with pytest.raises(ValidationError) as caught:
        region_from_parts("31.71", "31.7", 317101)  # type: ignore[arg-type]
    assert caught.value.fields_by_name == {
        "province": ("region.code_expected",),
        "regency": ("region.malformed_code",),
        "district": ("value.not_string",),
    }
    assert caught.value.errors[0].params == {"example": "31"}


# --- junk at the loaders -------------------------------------------------------------------------------

csv_cells = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\r"), max_size=12)
csv_text = st.lists(st.lists(csv_cells, max_size=7).map(",".join), max_size=6).map("\n".join)


@given(csv_text, csv_text, csv_text)
def test_from_csv_on_junk_gives_a_table_or_a_validation_error(
    provinces: str, regencies: str, districts: str
) -> None:
    """Whatever three UTF-8 files hold, loading them gives a table or a ValidationError, nothing else."""
    with tempfile.TemporaryDirectory() as folder:
        paths = [
            _write(Path(folder), name, text)
            for name, text in (("p.csv", provinces), ("r.csv", regencies), ("d.csv", districts))
        ]
        outcome = _outcome(lambda: RegionTable.from_csv(*paths))
    if isinstance(outcome, ValidationError):
        assert outcome.errors
        assert all(e.message() and e.message("en") for e in outcome.errors)
    else:
        assert all(region.code in outcome for region in outcome)


@given(
    csv_text.map(lambda rows: "code,name,timezone,lat,lon\n" + rows),
    csv_text.map(lambda rows: "code,province_code,name,kind,lat,lon\n" + rows),
    csv_text.map(lambda rows: "code,regency_code,name\n" + rows),
)
def test_from_csv_on_junk_rows_under_good_headers_reports_rows(
    provinces: str, regencies: str, districts: str
) -> None:
    """Rows of junk under correct headers are refused cell by cell (``<file>[i].<column>``), or load."""
    with tempfile.TemporaryDirectory() as folder:
        paths = [
            _write(Path(folder), name, text)
            for name, text in (("p.csv", provinces), ("r.csv", regencies), ("d.csv", districts))
        ]
        outcome = _outcome(lambda: RegionTable.from_csv(*paths))
    if isinstance(outcome, ValidationError):
        assert all(
            re.fullmatch(r"(provinces|regencies|districts)\[\d+\]\.\w+", e.field) for e in outcome.errors
        )
    else:
        assert len(outcome) <= provinces.count("\n") + regencies.count("\n") + districts.count("\n")


json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@given(
    st.fixed_dictionaries(
        {
            "code": st.sampled_from(["31", "3171", "31.71.01", "31.7"]) | json_like,
            "name": st.sampled_from(["Gambir", ""]) | json_like,
            "level": st.sampled_from(list(RegionLevel)) | json_like,
            "parent": st.sampled_from([None, "31", "3171"]) | json_like,
            "timezone": st.sampled_from(["Asia/Jakarta", "Asia"]) | json_like,
        },
        optional={"kind": st.sampled_from(list(RegionKind)) | json_like, "lat": json_like, "lon": json_like},
    )
)
def test_a_region_on_junk_is_a_region_or_a_validation_error_the_same_from_a_mapping(
    values: dict[str, object],
) -> None:
    """Only ValidationError escapes Region(...); Region.from_dict gives the same region or the same errors."""
    direct = _outcome(lambda: Region(**values))  # type: ignore[arg-type]
    read = _outcome(lambda: Region.from_dict(values))
    if isinstance(direct, Region):
        assert read == direct
        assert normalize_code(direct.code) == direct.code
    else:
        assert isinstance(read, ValidationError)
        assert read.errors == direct.errors


@given(st.lists(json_like, max_size=4))
def test_the_constructor_on_junk_refuses_every_item_that_is_not_a_region(items: list[object]) -> None:
    """Anything that is not a Region is a ValidationError naming its position."""
    with pytest.raises(ValidationError) as caught:
        RegionTable([*items, "junk"])  # type: ignore[list-item]
    assert f"regions[{len(items)}]" in caught.value.fields_by_name


@given(json_like, json_like, json_like)
def test_region_from_parts_on_junk_gives_a_code_or_a_validation_error(
    a: object, b: object, c: object
) -> None:
    """Form junk in any part is a ValidationError on the parts, never another exception."""
    outcome = _outcome(lambda: region_from_parts(a, b, c))  # type: ignore[arg-type]
    if isinstance(outcome, ValidationError):
        assert set(outcome.fields_by_name) <= {"province", "regency", "district"}
    else:
        assert outcome is None or normalize_code(outcome) == outcome


# --- a point and its region (issue 21: Jakarta's code with a point in the Flores Sea was stored) ------------
regencies_with_centroids = st.sampled_from(
    [r for p in TABLE.provinces() for r in TABLE.children(p.code) if r.centroid is not None]
)


@given(regencies_with_centroids, st.floats(-0.5, 0.5), st.floats(-0.5, 0.5))
def test_a_point_near_a_regencys_centroid_fits_its_codes(region: Region, dlat: float, dlon: float) -> None:
    """Within about 50 km of a regency's centroid, the regency, its districts and its province all pass."""
    assert region.centroid is not None
    lat, lon = region.centroid[0] + dlat, region.centroid[1] + dlon
    for code in (region.code, region.province_code, *(d.code for d in TABLE.children(region.code)[:2])):
        TABLE.check_point(code, lat, lon)


def test_a_point_far_from_every_part_of_the_province_is_refused() -> None:
    """Jakarta Pusat with a point in the Flores Sea, or Aceh with Jayapura: ``region.far_from_point``."""
    for code, lat, lon in (("31.71", -6.2, 120.0), ("11", -2.53, 140.7), ("31.71.01", -7.25, 112.75)):
        with pytest.raises(ValidationError) as refused:
            TABLE.check_point(code, lat, lon, field="address_id")
        assert refused.value.fields_by_name == {"address_id": ("region.far_from_point",)}
        assert refused.value.errors[0].params == {"km": 300}


def test_a_submission_whose_point_is_far_from_its_region_is_refused() -> None:
    """The desk refuses it before storing anything; the same point with its own region is accepted."""
    desk, _ = make_desk()
    data = {"kind": "pengaduan", "channel": "web", "title": "Lampu", "body": "Mati."}
    far = lc.Submission.from_dict({**data, "location": {"region": "31.71", "lat": -6.2, "lon": 120.0}})
    with pytest.raises(ValidationError) as refused:
        desk.submit(far)
    assert refused.value.fields_by_name == {"location.region": ("region.far_from_point",)}
    assert desk.complaints(lc.Principal.admin("a")).items == ()
    near = lc.Submission.from_dict({**data, "location": {"region": "31.71", "lat": -6.18, "lon": 106.83}})
    assert desk.submit(near).tracking_id
