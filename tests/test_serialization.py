from __future__ import annotations

import enum
import json
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import cattrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lapor_core._domain.keys import StoredKey, new_access_key
from lapor_core._domain.model import Channel, Kind, Location, Reporter, Submission
from lapor_core._domain.tracking import TrackingId
from lapor_core._serialization import from_dict, make_converter, to_dict
from lapor_core.errors import ValidationError
from test_model import MINIMAL, junk, submissions

WIB = timezone(timedelta(hours=7))
aware_datetimes = st.builds(
    lambda moment, minutes: moment.replace(tzinfo=timezone(timedelta(minutes=minutes))),
    st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2200, 1, 1)),  # noqa: DTZ001 - made aware
    st.integers(min_value=-12 * 60, max_value=14 * 60),
)


@attrs.frozen
class Record:
    """A record shaped like the ones the library keeps: nested values, lists, datetimes."""

    submission: Submission
    ids: list[TrackingId]
    at: datetime
    on: date | None = None
    tags: frozenset[str] = frozenset()
    count: int = 0


def _errors(cls: type[Any], data: object) -> dict[str, tuple[str, ...]]:
    with pytest.raises(ValidationError) as caught:
        from_dict(cls, data)
    return dict(caught.value.fields_by_name)


# --- the converter ------------------------------------------------------------------------------------------


def test_make_converter_builds_a_new_converter_each_time() -> None:
    """Hooks registered on one converter do not leak into another or into to_dict."""
    first, second = make_converter(), make_converter()
    assert first is not second
    assert isinstance(first, cattrs.Converter)
    first.register_unstructure_hook(Kind, lambda kind: kind.label())
    assert first.unstructure(Kind.ASPIRASI) == "Aspirasi"
    assert second.unstructure(Kind.ASPIRASI) == "aspirasi"
    assert to_dict(Kind.ASPIRASI) == "aspirasi"


def test_cattrs_structuring_validates_like_from_dict() -> None:
    """converter.structure(data, Submission) raises the very errors of Submission.from_dict."""
    bad = {**MINIMAL, "title": "", "location": {"lat": 99, "lon": 0}, "x": 1}
    with pytest.raises(ValidationError) as via_cattrs:
        make_converter().structure(bad, Submission)
    with pytest.raises(ValidationError) as via_model:
        Submission.from_dict(bad)
    assert via_cattrs.value.errors == via_model.value.errors


# --- submissions --------------------------------------------------------------------------------------------


def test_submission_dict_form_has_every_key() -> None:
    """to_dict gives the documented keys with enums by value and None kept for absent parts."""
    sub = Submission.from_dict(
        {
            **MINIMAL,
            "location": {"region": "3171", "lat": -6.2, "lon": 106.8},
            "reporter": {"phone": "0812345678"},
        }
    )
    assert to_dict(sub) == {
        "kind": "pengaduan",
        "title": "Jalan rusak",
        "body": "Berlubang.",
        "channel": "web",
        "category": None,
        "location": {"region": "31.71", "lat": -6.2, "lon": 106.8, "address": None},
        "anonymous": False,
        "confidential": False,
        "reporter": {"name": None, "email": None, "phone": "+62812345678", "nik": None},
    }
    assert type(to_dict(sub)["kind"]) is str


@given(submissions)
def test_submissions_round_trip_through_json(sub: Submission) -> None:
    """from_dict(Submission, json(to_dict(sub))) == sub for every valid submission."""
    data = json.loads(json.dumps(to_dict(sub)))
    assert from_dict(Submission, data) == sub
    assert to_dict(from_dict(Submission, data)) == data


@given(junk)
def test_from_dict_of_junk_raises_only_validation_error(data: object) -> None:
    """lc.from_dict(Submission, junk) never raises anything but ValidationError."""
    try:
        result: object = from_dict(Submission, data)
    except ValidationError as error:
        result = error
    assert isinstance(result, (Submission, ValidationError))


@pytest.mark.parametrize(
    ("cls", "data"),
    [(Location, {"region": "31"}), (Reporter, {"email": "a@b.id"}), (Kind, "aspirasi"), (Channel, "api")],
)
def test_model_parts_round_trip(cls: type[Any], data: object) -> None:
    """Locations, reporters and the enums read back what to_dict wrote."""
    value = from_dict(cls, data)
    assert from_dict(cls, to_dict(value)) == value


def test_enums_are_written_by_value_as_plain_strings() -> None:
    """Kind and Channel become their plain string values."""
    assert to_dict([Kind.PERMINTAAN_INFORMASI, Channel.SOCIAL]) == ["permintaan_informasi", "social"]
    assert all(type(value) is str for value in to_dict([Kind.ASPIRASI, Channel.WEB]))


@pytest.mark.parametrize(("cls", "value"), [(Kind, "keluhan"), (Kind, 1), (Channel, None), (Channel, "WEB")])
def test_unknown_enum_values_are_refused(cls: type[enum.Enum], value: object) -> None:
    """A value that is not one of the enum's is a ValidationError listing the allowed ones."""
    assert list(_errors(cls, value)) == ["$"]


def test_other_enums_work_by_value_too() -> None:
    """Plain, int and str-mixin enums are written by value and read back strictly."""

    class Colour(enum.Enum):
        RED = "red"

    class Level(enum.IntEnum):
        HIGH = 3

    class Mixed(str, enum.Enum):  # noqa: UP042 - the old str-mixin style must work too
        A = "a"

    class Numbered(int, enum.Enum):
        ONE = 1

    assert to_dict([Colour.RED, Level.HIGH]) == ["red", 3]
    assert from_dict(Colour, "red") is Colour.RED
    assert from_dict(Level, 3) is Level.HIGH
    assert from_dict(Mixed, "a") is Mixed.A
    assert from_dict(Numbered, 1) is Numbered.ONE
    assert from_dict(Kind, Kind.ASPIRASI) is Kind.ASPIRASI
    assert _errors(Level, True) == {"$": ("value.not_choice",)}
    assert _errors(Mixed, "b") == {"$": ("value.not_choice",)}


# --- datetimes and dates ------------------------------------------------------------------------------------


def test_aware_datetimes_are_iso_8601_with_offset() -> None:
    """An aware datetime is written with its UTC offset and read back equal."""
    moment = datetime(2026, 3, 17, 9, 30, tzinfo=ZoneInfo("Asia/Jakarta"))
    assert to_dict(moment) == "2026-03-17T09:30:00+07:00"
    assert from_dict(datetime, "2026-03-17T09:30:00+07:00") == moment
    assert from_dict(datetime, "2026-03-17T02:30:00Z") == moment
    assert from_dict(datetime, moment) is moment


@given(aware_datetimes)
def test_aware_datetimes_round_trip(moment: datetime) -> None:
    """Every aware datetime survives to_dict and from_dict, offset included."""
    back = from_dict(datetime, to_dict(moment))
    assert back == moment
    assert back.utcoffset() == moment.utcoffset()


def test_naive_datetimes_are_refused_both_ways() -> None:
    """A datetime without a UTC offset is a ValidationError when written or read."""
    with pytest.raises(ValidationError, match="naive"):
        to_dict(datetime(2026, 3, 17, 9, 30))  # noqa: DTZ001 - the naive datetime is the point
    assert _errors(datetime, "2026-03-17T09:30:00") == {"$": ("instant.naive",)}
    assert list(_errors(datetime, datetime(2026, 3, 17))) == ["$"]  # noqa: DTZ001


@pytest.mark.parametrize(
    "value", ["yesterday", "2026-13-01T00:00+07:00", "", 1_700_000_000, None, "2026" * 100]
)
def test_bad_timestamps_are_refused(value: object) -> None:
    """Text that is not ISO 8601, numbers and null are refused."""
    assert _errors(datetime, value) == {"$": ("instant.malformed",)}


def test_dates_are_iso_8601() -> None:
    """A date is written as YYYY-MM-DD and read back; datetimes and junk are not dates."""
    assert to_dict(date(2026, 3, 17)) == "2026-03-17"
    assert from_dict(date, "2026-03-17") == date(2026, 3, 17)
    assert from_dict(date, date(2026, 3, 17)) == date(2026, 3, 17)
    for bad in ("2026-03-17T00:00:00", "17/03/2026", 20260317, datetime(2026, 3, 17, tzinfo=WIB), "9" * 500):
        assert list(_errors(date, bad)) == ["$"]


# --- tracking IDs, bytes, sets, primitives ------------------------------------------------------------------


def test_tracking_ids_are_their_canonical_string() -> None:
    """A tracking ID is written canonical and read with the forgiving parser."""
    tracking_id = TrackingId.parse("7K3M-9QXF-2HJ-Q")
    assert to_dict(tracking_id) == "7K3M-9QXF-2HJ-Q"
    assert from_dict(TrackingId, "7k3m 9qxf 2hj q") == tracking_id
    assert from_dict(TrackingId, tracking_id) is tracking_id


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("7K3M-9QXF-2HJ-R", "tracking.check_mismatch"),
        (42, "tracking.not_string"),
    ],
)
def test_bad_tracking_ids_are_validation_errors(value: object, reason: str) -> None:
    """A bad tracking ID becomes a ValidationError carrying the parser's reason."""
    assert _errors(TrackingId, value) == {"$": (reason,)}


def test_stored_keys_round_trip_as_base64() -> None:
    """Salt and digest are written as base64 text and read back to the same StoredKey."""
    stored = StoredKey.create(new_access_key(), pepper=b"pepper for the test suite")
    data = to_dict(stored)
    assert set(data) == {"salt", "digest"}
    assert all(isinstance(value, str) for value in data.values())
    assert from_dict(StoredKey, json.loads(json.dumps(data))) == stored


def test_bad_base64_and_wrong_sizes_are_refused() -> None:
    """Text that is not base64, or bytes of the wrong size, give a ValidationError with the field."""
    digest = to_dict(StoredKey.create(new_access_key(), pepper=b"pepper")).get("digest")
    assert _errors(StoredKey, {"salt": "not base64!", "digest": digest}) == {"salt": ("value.not_base64",)}
    assert _errors(StoredKey, {"salt": 5, "digest": digest}) == {"salt": ("value.not_base64",)}
    assert _errors(StoredKey, {"salt": "AAAA", "digest": digest}) == {"salt": ("key.wrong_byte_length",)}
    assert from_dict(bytes, b"raw") == b"raw"


def test_sets_become_sorted_lists() -> None:
    """Sets are not JSON: they are written as sorted lists (or in set order when unorderable)."""
    assert to_dict(frozenset({"b", "a", "c"})) == ["a", "b", "c"]
    assert to_dict({3, 1, 2}) == [1, 2, 3]
    assert sorted(to_dict({1, "a"}), key=str) == [1, "a"]


@pytest.mark.parametrize(
    ("cls", "value", "reason"),
    [
        (int, "5", "value.not_integer"),
        (int, True, "value.not_integer"),
        (int, 5.0, "value.not_integer"),
        (float, "5.0", "value.not_number"),
        (float, False, "value.not_number"),
        (bool, "yes", "value.not_boolean"),
        (bool, 1, "value.not_boolean"),
        (str, 5, "value.not_string"),
        (str, None, "value.not_string"),
    ],
)
def test_primitives_are_read_strictly(cls: type[Any], value: object, reason: str) -> None:
    """No coercion at the boundary: "5" is not 5 and "yes" is not true."""
    assert _errors(cls, value) == {"$": (reason,)}


def test_primitives_of_the_right_type_pass() -> None:
    """Right-typed values pass; an int is a valid float."""
    assert from_dict(int, 5) == 5
    assert from_dict(float, 5) == 5.0
    assert isinstance(from_dict(float, 5), float)
    assert from_dict(bool, False) is False
    assert from_dict(str, "x") == "x"


# --- error paths in nested structures -----------------------------------------------------------------------


def test_nested_errors_carry_their_paths() -> None:
    """Errors inside attributes, lists and nested submissions are reported with dotted and indexed paths."""
    errors = _errors(
        Record,
        {
            "submission": {**MINIMAL, "title": "", "location": {"lat": 99, "lon": 100}},
            "ids": ["7K3M-9QXF-2HJ-Q", "nope"],
            "at": "2026-03-17T09:30:00",
            "count": "3",
            "extra": 1,
            "not a name!": 2,
        },
    )
    assert errors == {
        "submission.title": ("text.empty",),
        "submission.location.lat": ("location.lat_outside_indonesia",),
        "ids[1]": ("tracking.wrong_length",),
        "at": ("instant.naive",),
        "count": ("value.not_integer",),
        "extra": ("field.unknown",),
        "$": ("field.unknown_more",),
    }


def test_missing_attributes_are_required() -> None:
    """A record without its required attributes names each of them."""
    assert _errors(Record, {}) == {
        "submission": ("value.required",),
        "ids": ("value.required",),
        "at": ("value.required",),
    }


@pytest.mark.parametrize("data", [None, "record", [1, 2], 5])
def test_a_record_that_is_not_a_mapping_is_refused(data: object) -> None:
    """Structuring a class from a non-mapping is a ValidationError on the whole input."""
    assert list(_errors(Record, data)) == ["$"]


def test_a_valid_record_round_trips() -> None:
    """A record with every kind of value goes through JSON and back unchanged."""
    record = Record(
        submission=Submission.from_dict(MINIMAL),
        ids=[TrackingId.new(), TrackingId.new()],
        at=datetime(2026, 3, 17, 9, 30, tzinfo=WIB),
        on=date(2026, 3, 18),
        tags=frozenset({"banjir", "jalan"}),
        count=2,
    )
    data = json.loads(json.dumps(to_dict(record)))
    assert data["tags"] == ["banjir", "jalan"]
    assert from_dict(Record, data) == record


@pytest.mark.parametrize(
    ("cls", "data", "field"),
    [
        (list[int], [1, "x"], "$[1]"),
        (list[int], None, "$"),
        (dict[str, int], [1], "$"),
        (tuple[int, int], [1], "$"),
    ],
)
def test_collections_report_the_bad_item(cls: Any, data: object, field: str) -> None:
    """Bad items in lists are named by index; a collection of the wrong shape names the whole input."""
    assert list(_errors(cls, data)) == [field]
