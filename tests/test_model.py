from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs
import pytest
from attrs.exceptions import FrozenInstanceError
from hypothesis import given
from hypothesis import strategies as st

from lapor_core._domain.model import Channel, Kind, Location, Reporter, Submission
from lapor_core.errors import ValidationError

MINIMAL: dict[str, Any] = {
    "kind": "pengaduan",
    "title": "Jalan rusak",
    "body": "Berlubang.",
    "channel": "web",
}
SUBMISSION_KEYS = (
    "kind",
    "title",
    "body",
    "channel",
    "category",
    "location",
    "anonymous",
    "confidential",
    "reporter",
)

# --- strategies (also used by test_serialization) --------------------------------------------------------

_line_chars = st.characters(blacklist_categories=("Cc", "Cs"))
_text_chars = st.one_of(_line_chars, st.sampled_from("\t\n\r"))


def _line(max_size: int) -> st.SearchStrategy[str]:
    return st.text(_line_chars, min_size=1, max_size=max_size).map(str.strip).filter(bool)


regions = st.one_of(
    st.from_regex(r"[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?", fullmatch=True),
    st.from_regex(r"[0-9]{2}([0-9]{2}([0-9]{2}([0-9]{4})?)?)?", fullmatch=True),
)
locations = st.fixed_dictionaries(
    {},
    optional={
        "region": regions,
        "address": _line(500),
    },
).flatmap(
    lambda base: st.one_of(
        st.just(base),
        st.fixed_dictionaries(
            {
                "lat": st.floats(min_value=-11.5, max_value=6.5) | st.integers(min_value=-11, max_value=6),
                "lon": st.floats(min_value=94.5, max_value=141.5) | st.integers(min_value=95, max_value=141),
            }
        ).map(lambda point: {**base, **point}),
    )
)
reporters = st.fixed_dictionaries(
    {},
    optional={
        "name": _line(150),
        "email": st.emails().filter(lambda e: len(e) <= 254),
        "phone": st.from_regex(r"(\+62|62|0)8[0-9]{7,11}", fullmatch=True),
        "nik": st.from_regex(r"[0-9]{16}", fullmatch=True),
    },
)
submission_dicts = st.fixed_dictionaries(
    {
        "kind": st.sampled_from([k.value for k in Kind]),
        "title": _line(150),
        "body": st.text(_text_chars, min_size=1, max_size=400).filter(str.strip),
        "channel": st.sampled_from([c.value for c in Channel]),
    },
    optional={
        "category": st.from_regex(r"[a-z0-9_.\-]{1,64}", fullmatch=True),
        "location": st.none() | locations,
        "anonymous": st.booleans(),
        "confidential": st.booleans(),
        "reporter": st.none() | reporters,
    },
)
submissions = submission_dicts.map(Submission.from_dict)

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10,
)
_location_junk = st.dictionaries(st.sampled_from(["region", "lat", "lon", "address", "x"]), _json, max_size=5)
_reporter_junk = st.dictionaries(st.sampled_from(["name", "email", "phone", "nik", "x"]), _json, max_size=5)
junk = st.one_of(
    _json,
    st.dictionaries(
        st.sampled_from([*SUBMISSION_KEYS, "extra"]) | st.text(max_size=5),
        _json | _location_junk | _reporter_junk,
        max_size=10,
    ),
    st.fixed_dictionaries(
        {key: st.just(value) for key, value in MINIMAL.items()},
        optional={"location": _location_junk, "reporter": _reporter_junk},
    ),
)


def _errors(data: object) -> dict[str, tuple[str, ...]]:
    with pytest.raises(ValidationError) as caught:
        Submission.from_dict(data)
    return dict(caught.value.fields_by_name)


def _with(**changes: object) -> dict[str, object]:
    return {**MINIMAL, **changes}


def _only_error(data: object) -> tuple[str, str]:
    with pytest.raises(ValidationError) as caught:
        Submission.from_dict(data)
    assert len(caught.value.errors) == 1, caught.value.errors
    return caught.value.errors[0].field, caught.value.errors[0].code


# --- kinds and channels ------------------------------------------------------------------------------------


def test_kind_values_are_exactly_the_lapor_report_kinds() -> None:
    """The kinds are pengaduan, aspirasi and permintaan_informasi, as plain strings."""
    assert [k.value for k in Kind] == ["pengaduan", "aspirasi", "permintaan_informasi"]
    assert Kind("aspirasi") is Kind.ASPIRASI
    assert str(Kind.PERMINTAAN_INFORMASI) == "permintaan_informasi"
    assert Kind.PENGADUAN == "pengaduan"


def test_channel_values_are_exactly_the_intake_channels() -> None:
    """The channels are web, mobile, sms, social, api and email."""
    assert [c.value for c in Channel] == ["web", "mobile", "sms", "social", "api", "email"]
    assert str(Channel.SMS) == "sms"


def test_every_kind_and_channel_has_indonesian_and_english_labels() -> None:
    """Labels exist for every member, in both languages."""
    assert Kind.PERMINTAAN_INFORMASI.label() == "Permintaan Informasi"
    assert Kind.PENGADUAN.label("en") == "Complaint"
    assert Channel.SOCIAL.label() == "Media sosial"
    assert Channel.WEB.label("en") == "Website"
    for member in [*Kind, *Channel]:
        assert member.label() != member.label("en") or member is Channel.SMS
        assert "." not in member.label("en")


# --- building valid submissions ----------------------------------------------------------------------------


def test_minimal_dict_gives_the_defaults() -> None:
    """Only kind, title, body and channel are required; the rest defaults to absent or false."""
    sub = Submission.from_dict(MINIMAL)
    assert sub.kind is Kind.PENGADUAN
    assert sub.channel is Channel.WEB
    assert (sub.title, sub.body) == ("Jalan rusak", "Berlubang.")
    assert (sub.category, sub.location, sub.reporter) == (None, None, None)
    assert (sub.anonymous, sub.confidential) == (False, False)


def test_full_dict_is_normalised() -> None:
    """Every field is read and normalised: stripped title, dotted region, +62 phone, lower-case domain."""
    sub = Submission.from_dict(
        {
            "kind": "permintaan_informasi",
            "title": "  Anggaran jalan  ",
            "body": "  Berapa anggaran 2026?\n",
            "channel": "sms",
            "category": "infrastruktur.jalan",
            "anonymous": True,
            "confidential": True,
            "location": {"region": "3171011001", "lat": -6, "lon": 106.8, "address": " Jl. Merdeka 1 "},
            "reporter": {
                "name": " Budi ",
                "email": "Budi@Example.GO.ID",
                "phone": "+62 812-3456-7890",
                "nik": "3171012345678901",
            },
        }
    )
    assert sub.title == "Anggaran jalan"
    assert sub.body == "  Berapa anggaran 2026?\n"
    assert sub.location == Location(region="31.71.01.1001", lat=-6.0, lon=106.8, address="Jl. Merdeka 1")
    assert isinstance(sub.location.lat, float)
    assert sub.reporter == Reporter(
        name="Budi", email="Budi@example.go.id", phone="+6281234567890", nik="3171012345678901"
    )
    assert (sub.anonymous, sub.confidential, sub.category) == (True, True, "infrastruktur.jalan")


def test_direct_construction_validates_and_normalises_like_from_dict() -> None:
    """Submission(...) with strings and mappings equals from_dict of the same data."""
    direct = Submission(
        kind="aspirasi", title=" Taman ", body="Bangku.", channel="mobile", location={"region": "31"}
    )
    assert direct == Submission.from_dict(
        {
            "kind": "aspirasi",
            "title": "Taman",
            "body": "Bangku.",
            "channel": "mobile",
            "location": {"region": "31"},
        }
    )
    assert direct.kind is Kind.ASPIRASI
    assert direct.location == Location(region="31")


@given(submission_dicts)
def test_valid_dicts_always_build(data: dict[str, Any]) -> None:
    """Data within every rule builds a submission whose enums, flags and text match the input."""
    sub = Submission.from_dict(data)
    assert sub.kind.value == data["kind"]
    assert sub.channel.value == data["channel"]
    assert sub.title == data["title"].strip()
    assert sub.body == data["body"]
    assert sub.anonymous is data.get("anonymous", False)


@given(submissions)
def test_normalisation_is_idempotent(sub: Submission) -> None:
    """Rebuilding a submission from its own fields gives an equal submission."""
    assert attrs.evolve(sub) == sub
    assert Submission.from_dict(attrs.asdict(sub)) == sub


def test_submissions_are_frozen_and_hashable() -> None:
    """A submission cannot be changed in place and can be a dict key."""
    sub = Submission.from_dict(MINIMAL)
    with pytest.raises(FrozenInstanceError):
        sub.title = "other"  # type: ignore[misc]
    assert {sub: 1}[Submission.from_dict(MINIMAL)] == 1


def test_evolve_validates_the_changed_fields() -> None:
    """attrs.evolve goes through the same validation as construction."""
    sub = Submission.from_dict(MINIMAL)
    assert attrs.evolve(sub, title=" Baru ").title == "Baru"
    with pytest.raises(ValidationError):
        attrs.evolve(sub, title="")


# --- one rule at a time -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"title": None}, "title", "value.required"),
        ({"title": ""}, "title", "text.empty"),
        ({"title": " \t "}, "title", "text.empty"),
        ({"title": 5}, "title", "value.not_string"),
        ({"title": "x" * 151}, "title", "text.too_long"),
        ({"title": "a\nb"}, "title", "text.not_one_line"),
        ({"title": "a\x00b"}, "title", "text.not_one_line"),
        (
            {"title": "a\ud800b"},
            "title",
            "text.not_one_line",
        ),
        ({"title": "a\x85b"}, "title", "text.not_one_line"),
        ({"body": ""}, "body", "text.empty"),
        ({"body": "\n\n"}, "body", "text.empty"),
        ({"body": ["x"]}, "body", "value.not_string"),
        ({"body": "x" * 4001}, "body", "text.too_long"),
        (
            {"body": "bell\x07"},
            "body",
            "text.control_characters",
        ),
        (
            {"body": "nul\x00"},
            "body",
            "text.control_characters",
        ),
        (
            {"body": "lone \udfff"},
            "body",
            "text.control_characters",
        ),
        ({"kind": "keluhan"}, "kind", "value.not_choice"),
        ({"kind": "Pengaduan"}, "kind", "value.not_choice"),
        ({"kind": "web"}, "kind", "value.not_choice"),
        ({"kind": 1}, "kind", "value.not_choice"),
        ({"kind": None}, "kind", "value.required"),
        ({"channel": "fax"}, "channel", "value.not_choice"),
        ({"channel": Kind.PENGADUAN}, "channel", "value.not_choice"),
        ({"category": "Jalan"}, "category", "topic.malformed_id"),
        ({"category": "a" * 65}, "category", "topic.malformed_id"),
        ({"category": "jalan/rusak"}, "category", "topic.malformed_id"),
        ({"category": 7}, "category", "value.not_string"),
        ({"anonymous": "yes"}, "anonymous", "value.not_boolean"),
        ({"anonymous": 1}, "anonymous", "value.not_boolean"),
        ({"anonymous": None}, "anonymous", "value.not_boolean"),
        ({"confidential": 0}, "confidential", "value.not_boolean"),
        ({"location": "Jakarta"}, "location", "value.not_mapping"),
        ({"location": [1, 2]}, "location", "value.not_mapping"),
        ({"reporter": "Budi"}, "reporter", "value.not_mapping"),
        ({"reporter": True}, "reporter", "value.not_mapping"),
    ],
)
def test_each_bad_field_is_reported_with_its_reason(
    changes: dict[str, object], field: str, reason: str
) -> None:
    """A single bad field gives exactly one error naming it and why."""
    assert _only_error(_with(**changes)) == (field, reason)


@pytest.mark.parametrize("missing", ["kind", "title", "body", "channel"])
def test_missing_required_field_is_reported(missing: str) -> None:
    """Leaving out a required key names it as required."""
    data = {key: value for key, value in MINIMAL.items() if key != missing}
    assert _only_error(data) == (missing, "value.required")


def test_limits_are_inclusive() -> None:
    """A 150-character title and a 4,000-character body are accepted; surrounding space does not count."""
    sub = Submission.from_dict(_with(title="  " + "t" * 150 + "  ", body="b" * 4000))
    assert len(sub.title) == 150
    assert len(sub.body) == 4000


def test_body_keeps_tabs_and_line_breaks() -> None:
    """Tab, line feed and carriage return are allowed in the body."""
    assert Submission.from_dict(_with(body="a\tb\r\nc")).body == "a\tb\r\nc"


def test_blank_optional_text_reads_as_absent() -> None:
    """An empty form field (category, address, name, e-mail...) means not given."""
    sub = Submission.from_dict(
        _with(
            category=" ",
            location={"address": "", "region": " "},
            reporter={"name": "", "email": "  ", "phone": ""},
        )
    )
    assert sub.category is None
    assert sub.location == Location()
    assert sub.reporter == Reporter()


@pytest.mark.parametrize(
    ("point", "missing"),
    [
        ({"lat": 6.5}, "location.lon"),
        ({"lon": 95}, "location.lat"),
        ({"lat": -11.5, "lon": None}, "location.lon"),
    ],
)
def test_half_a_point_is_refused(point: dict[str, float | None], missing: str) -> None:
    """A latitude without a longitude (or the reverse) is refused: it can be neither mapped nor sent on."""
    assert _only_error(_with(location=point)) == (missing, "location.incomplete")
    with pytest.raises(ValidationError):
        Location(**point)  # type: ignore[arg-type]


def test_a_bad_coordinate_is_reported_before_a_missing_one() -> None:
    """A latitude out of range alone is reported for its range, not as half a point."""
    assert _only_error(_with(location={"lat": 40})) == ("location.lat", "location.lat_outside_indonesia")


@pytest.mark.parametrize(
    ("lat", "lon"),
    [(-11.5, 94.5), (6.5, 141.5), (-11.5, 141.5), (6.5, 94.5), (0, 100), (-6.2, 106.8)],
)
def test_coordinate_bounds_are_inclusive(lat: float, lon: float) -> None:
    """The corners of Indonesia's box, -11.5..6.5 and 94.5..141.5, are accepted."""
    location = Submission.from_dict(_with(location={"lat": lat, "lon": lon})).location
    assert location == Location(lat=float(lat), lon=float(lon))


@pytest.mark.parametrize(
    ("point", "field", "reason"),
    [
        (
            {"lat": -11.500001, "lon": 100},
            "location.lat",
            "location.lat_outside_indonesia",
        ),
        (
            {"lat": 6.5000001, "lon": 100},
            "location.lat",
            "location.lat_outside_indonesia",
        ),
        (
            {"lat": 0, "lon": 94.49999},
            "location.lon",
            "location.lon_outside_indonesia",
        ),
        (
            {"lat": 0, "lon": 141.50001},
            "location.lon",
            "location.lon_outside_indonesia",
        ),
        (
            {"lat": 10**400, "lon": 100},
            "location.lat",
            "location.lat_outside_indonesia",
        ),
        ({"lat": math.nan, "lon": 100}, "location.lat", "number.not_finite"),
        ({"lat": 0, "lon": math.inf}, "location.lon", "number.not_finite"),
        ({"lat": "-6.2", "lon": 100}, "location.lat", "value.not_number"),
        ({"lat": True, "lon": 100}, "location.lat", "value.not_number"),
    ],
)
def test_bad_coordinates_are_reported(point: dict[str, object], field: str, reason: str) -> None:
    """Coordinates must be finite numbers inside Indonesia's box."""
    assert _only_error(_with(location=point)) == (field, reason)


@pytest.mark.parametrize(
    ("given_code", "dotted"),
    [
        ("31", "31"),
        ("31.71", "31.71"),
        ("31.71.01", "31.71.01"),
        ("31.71.01.1001", "31.71.01.1001"),
        ("3171", "31.71"),
        ("317101", "31.71.01"),
        ("3171011001", "31.71.01.1001"),
        (" 31.71 ", "31.71"),
    ],
)
def test_region_codes_are_dotted(given_code: str, dotted: str) -> None:
    """Kemendagri codes of every level are accepted dotted or undotted, and stored dotted."""
    assert Location(region=given_code).region == dotted


@pytest.mark.parametrize(
    "code",
    [
        "3",
        "317",
        "31.7",
        "31-71",
        "31.71.01.100",
        "31.71.",
        "\u0663\u0661",
        "31.71.01.10011",
        "3171x",
        "31 71",
    ],
)
def test_malformed_region_codes_are_refused(code: str) -> None:
    """Anything not shaped like a Kemendagri code is refused (existence is checked elsewhere)."""
    field, code_of_error = _only_error(_with(location={"region": code}))
    assert field == "location.region"
    assert code_of_error.startswith("region.")


def test_long_address_is_refused_and_multiline_address_kept() -> None:
    """An address may span lines but not exceed 500 characters."""
    assert Location(address="Jl. Merdeka 1\nGambir").address == "Jl. Merdeka 1\nGambir"
    assert _only_error(_with(location={"address": "a" * 501})) == (
        "location.address",
        "text.too_long",
    )


@pytest.mark.parametrize(
    ("email", "stored"),
    [
        ("budi@example.go.id", "budi@example.go.id"),
        ("Budi.Santoso+lapor@Mail.Example.CO.ID", "Budi.Santoso+lapor@mail.example.co.id"),
        ("x@a-b.id", "x@a-b.id"),
        (" siti@desa.id ", "siti@desa.id"),
        ("user@xn--p1ai.xn--p1ai", "user@xn--p1ai.xn--p1ai"),
    ],
)
def test_good_emails_are_accepted(email: str, stored: str) -> None:
    """A single @, a dotted domain; the domain is lower-cased."""
    assert Reporter(email=email).email == stored


@pytest.mark.parametrize(
    "email",
    [
        "budi",
        "budi@",
        "@example.id",
        "budi@localhost",
        "budi@@example.id",
        "bu di@example.id",
        "budi@example..id",
        ".budi@example.id",
        "budi.@example.id",
        "bu..di@example.id",
        "budi@-example.id",
        "budi@example.id.",
        "budi@example.1",
        "a" * 65 + "@example.id",
        "a@" + "b" * 250 + ".id",
        "budi@exa\x00mple.id",
    ],
)
def test_bad_emails_are_refused(email: str) -> None:
    """Malformed e-mail addresses are refused."""
    with pytest.raises(ValidationError) as caught:
        Reporter(email=email)
    assert [e.field for e in caught.value.errors] == ["email"]


@pytest.mark.parametrize(
    ("phone", "stored"),
    [
        ("081234567", "+6281234567"),
        ("0812345678901", "+62812345678901"),
        ("0812-3456-7890", "+6281234567890"),
        ("+6281234567890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),
        ("+62 (812) 3456.7890", "+6281234567890"),
    ],
)
def test_indonesian_mobile_numbers_are_normalised(phone: str, stored: str) -> None:
    """08..., 628... and +628... forms, with separators, are stored as +628..."""
    assert Reporter(phone=phone).phone == stored


@pytest.mark.parametrize(
    "phone",
    [
        "08123456",
        "08123456789012",
        "0212345678",
        "+6202123456789",
        "+620812345678",
        "0812abc5678",
        "12345",
        "+1 650 555 0100",
    ],
)
def test_other_phone_numbers_are_refused(phone: str) -> None:
    """Too short, too long, landline, foreign or lettered numbers are refused."""
    with pytest.raises(ValidationError) as caught:
        Reporter(phone=phone)
    assert [e.field for e in caught.value.errors] == ["phone"]


@pytest.mark.parametrize("nik", ["317101234567890", "31710123456789012", "317101234567890x", "\u0663" * 16])
def test_nik_must_be_sixteen_digits(nik: str) -> None:
    """A NIK is exactly 16 ASCII digits."""
    with pytest.raises(ValidationError) as caught:
        Reporter(nik=nik)
    assert caught.value.errors[0].code == "nik.malformed"


def test_reporter_repr_hides_personal_data() -> None:
    """The repr says which fields are given, never their values."""
    reporter = Reporter(name="Budi", email="budi@example.id", phone="081234567890", nik="3171012345678901")
    text = repr(reporter)
    assert text == "Reporter(name='***', email='***', phone='***', nik='***')"
    assert "Budi" not in repr(Submission.from_dict(_with(reporter={"name": "Budi"})))


# --- every error at once ------------------------------------------------------------------------------------


def test_every_bad_field_is_listed_in_one_error() -> None:
    """Bad fields at every level come back together, with dotted paths, in the order of the fields."""
    errors = _errors(
        {
            "kind": "x",
            "title": "",
            "body": 3,
            "channel": None,
            "category": "BAD",
            "anonymous": "no",
            "confidential": [],
            "location": {"region": "1", "lat": 99, "lon": 0, "street": "x"},
            "reporter": {"email": "e", "phone": "p", "nik": "n", "name": 5},
            "priority": "high",
        }
    )
    assert list(errors) == [
        "kind",
        "title",
        "body",
        "channel",
        "category",
        "location.region",
        "location.lat",
        "location.lon",
        "location.street",
        "anonymous",
        "confidential",
        "reporter.name",
        "reporter.email",
        "reporter.phone",
        "reporter.nik",
        "priority",
    ]


def test_errors_never_echo_the_values() -> None:
    """Messages name fields and rules, never the personal data that was refused."""
    with pytest.raises(ValidationError) as caught:
        Submission.from_dict(
            _with(
                title="Rahasia Budi\x00",
                reporter={
                    "name": "Budi Santoso\n",
                    "email": "budi.santoso@",
                    "phone": "0812 BUDI",
                    "nik": "31710BUDI",
                },
            )
        )
    message = str(caught.value)
    assert "udi" not in message
    assert "Rahasia" not in message


def test_unknown_keys_are_named_or_counted() -> None:
    """Unknown keys that look like names are named; junk keys are only counted, never shown."""
    errors = _errors(_with(**{"priority": 1, "Nama Lengkap Budi": 2, "x" * 100: 3}, **{"7": 4}))
    assert errors["priority"] == ("field.unknown",)
    assert errors["$"] == ("field.unknown_more",)
    assert not any("Budi" in name for name in errors)


def test_many_unknown_keys_make_a_bounded_error() -> None:
    """Thousands of unknown keys give ten named errors and one count."""
    with pytest.raises(ValidationError) as caught:
        Submission.from_dict(_with(**{f"k{i}": i for i in range(5000)}))
    assert len(caught.value.errors) == 11
    assert caught.value.errors[-1].code == "field.unknown_more"
    assert caught.value.errors[-1].params == {"count": 4990}


def test_non_string_keys_are_unknown_fields() -> None:
    """A mapping with non-string keys is refused, not crashed on."""
    assert _errors({**MINIMAL, 1: "x", None: "y"}) == {"$": ("field.unknown_more",)}


@pytest.mark.parametrize(
    ("data", "got"), [(None, "null"), ([], "list"), ("{}", "string"), (5, "number"), (b"{}", "bytes")]
)
def test_data_that_is_not_a_mapping_is_refused(data: object, got: str) -> None:
    """from_dict of a non-mapping names the whole input ($) and the type it got."""
    assert _only_error(data) == ("$", "value.not_mapping")
    with pytest.raises(ValidationError) as caught:
        Submission.from_dict(data)
    assert caught.value.errors[0].params == {"type": got}


def test_direct_construction_lists_every_bad_field() -> None:
    """Building with bad arguments raises one ValidationError for all of them, nested paths included."""
    with pytest.raises(ValidationError) as caught:
        Submission(kind="x", title="", body="", channel="y", location={"lat": 100, "lon": 0})
    assert [e.field for e in caught.value.errors] == [
        "kind",
        "title",
        "body",
        "channel",
        "location.lat",
        "location.lon",
    ]


def test_nested_classes_validate_on_their_own() -> None:
    """Location and Reporter refuse bad values with paths relative to themselves."""
    with pytest.raises(ValidationError) as caught:
        Location(region="x", lat=100, lon=0)
    assert [e.field for e in caught.value.errors] == ["region", "lat", "lon"]
    with pytest.raises(ValidationError) as caught:
        Reporter.from_dict({"email": "x", "age": 3})
    assert [e.field for e in caught.value.errors] == ["email", "age"]
    with pytest.raises(ValidationError) as caught:
        Location.from_dict("Jakarta")
    assert [e.field for e in caught.value.errors] == ["$"]


def test_validation_error_is_a_value_error() -> None:
    """Callers can catch refused input as ValueError."""
    with pytest.raises(ValueError, match="invalid input: title"):
        Submission.from_dict(_with(title=""))


def _outcome(data: object) -> Submission | ValidationError:
    try:
        return Submission.from_dict(data)
    except ValidationError as error:
        return error


@given(junk)
def test_junk_raises_only_validation_error(data: object) -> None:
    """Whatever arrives, from_dict returns a Submission or raises ValidationError, nothing else."""
    outcome = _outcome(data)
    if isinstance(outcome, ValidationError):
        assert outcome.errors
        assert all(e.field and e.reason for e in outcome.errors)
    else:
        assert isinstance(outcome, Submission)


_ODD_VALUES = [
    object(),
    b"bytes",
    bytearray(b"x"),
    1j,
    Decimal("-6.2"),
    Fraction(1, 3),
    frozenset({"a"}),
    range(3),
    print,
    Kind,
    Ellipsis,
    NotImplemented,
    type("Str", (str,), {})("pengaduan"),
    type("Map", (dict,), {})(kind="x"),
]


@pytest.mark.parametrize("value", _ODD_VALUES, ids=lambda value: type(value).__name__)
def test_objects_of_any_type_raise_only_validation_error(value: object) -> None:
    """Values of unusual Python types, at the top or inside a field, are refused cleanly or accepted."""
    for data in (
        value,
        _with(title=value),
        _with(location={"lat": value, "lon": value}),
        _with(reporter=value),
    ):
        assert isinstance(_outcome(data), (Submission, ValidationError))
