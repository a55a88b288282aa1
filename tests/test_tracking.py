from __future__ import annotations

import copy
import pickle
import re

import pytest
from attrs.exceptions import FrozenInstanceError
from hypothesis import given
from hypothesis import strategies as st

from lapor_core._domain import tracking
from lapor_core._domain.tracking import DAMM_TABLE, DATA_BITS, SYMBOLS, TrackingId
from lapor_core.errors import DomainError, InvalidTrackingId, LaporError

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_SYMBOL = "[0-9A-HJKMNP-TV-Z]"
CANONICAL = re.compile(f"{_SYMBOL}{{4}}-{_SYMBOL}{{4}}-{_SYMBOL}{{3}}-{_SYMBOL}")

data_values = st.integers(min_value=0, max_value=2**DATA_BITS - 1)
tracking_ids = data_values.map(TrackingId.from_int)


def _symbols(tracking_id: TrackingId) -> str:
    return str(tracking_id).replace("-", "")


def _damm_fold(symbols: str) -> int:
    interim = 0
    for symbol in symbols:
        interim = DAMM_TABLE[32 * interim + CROCKFORD.index(symbol)]
    return interim


def _reason(text: object) -> str:
    with pytest.raises(InvalidTrackingId) as caught:
        TrackingId.parse(text)  # type: ignore[arg-type]
    return caught.value.reason


# --- generation ------------------------------------------------------------------------------------------


def test_new_ids_have_the_canonical_shape() -> None:
    """A new ID is four, four, three and one Crockford symbols joined by hyphens: 15 characters."""
    for _ in range(200):
        text = str(TrackingId.new())
        assert CANONICAL.fullmatch(text), text
        assert len(text) == 15


def test_new_ids_are_all_different() -> None:
    """Ten thousand new IDs are distinct (55 random bits make a repeat practically impossible)."""
    assert len({TrackingId.new() for _ in range(10_000)}) == 10_000


def test_new_draws_55_bits_from_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    """new() asks the secrets module for exactly 55 bits and uses them as the data value."""
    asked: list[int] = []

    def fake_randbits(bits: int) -> int:
        asked.append(bits)
        return 2**bits - 1

    monkeypatch.setattr(tracking, "_randbits", fake_randbits)
    assert TrackingId.new().value == 2**55 - 1
    assert asked == [55]


def test_new_ids_carry_a_valid_check_symbol() -> None:
    """The Damm fold over the twelve symbols of a new ID is zero."""
    for _ in range(200):
        assert _damm_fold(_symbols(TrackingId.new())) == 0


# --- the check symbol --------------------------------------------------------------------------------------


def test_damm_table_is_a_latin_square() -> None:
    """Every row and every column of the operation table is a permutation of the 32 symbols."""
    for x in range(32):
        assert sorted(DAMM_TABLE[32 * x + y] for y in range(32)) == list(range(32))
        assert sorted(DAMM_TABLE[32 * y + x] for y in range(32)) == list(range(32))


def test_damm_table_is_totally_anti_symmetric() -> None:
    """(c*x)*y == (c*y)*x holds only for x == y, checked on all 32**3 triples."""
    table = DAMM_TABLE
    for c in range(32):
        row = table[32 * c : 32 * c + 32]
        for x in range(32):
            cx = 32 * row[x]
            for y in range(32):
                if x != y:
                    assert table[cx + y] != table[32 * row[y] + x], (c, x, y)


@given(data_values)
def test_check_symbol_matches_the_plain_damm_algorithm(value: int) -> None:
    """The table-driven check equals the textbook fold: the check symbol brings the fold to zero."""
    tracking_id = TrackingId.from_int(value)
    symbols = _symbols(tracking_id)
    interim = _damm_fold(symbols[:-1])
    expected_check = next(c for c in range(32) if DAMM_TABLE[32 * interim + c] == 0)
    assert symbols[-1] == CROCKFORD[expected_check]


@given(tracking_ids)
def test_every_single_substitution_is_detected(tracking_id: TrackingId) -> None:
    """Replacing any one of the 12 symbols (check symbol included) by any other symbol fails the check."""
    symbols = _symbols(tracking_id)
    for position in range(SYMBOLS):
        for symbol in CROCKFORD:
            if symbol != symbols[position]:
                typo = symbols[:position] + symbol + symbols[position + 1 :]
                assert not TrackingId.is_valid(typo), typo


@given(tracking_ids)
def test_every_adjacent_swap_is_detected(tracking_id: TrackingId) -> None:
    """Swapping two different neighbouring symbols, the check symbol included, fails the check."""
    symbols = _symbols(tracking_id)
    for position in range(SYMBOLS - 1):
        a, b = symbols[position], symbols[position + 1]
        if a != b:
            swapped = symbols[:position] + b + a + symbols[position + 2 :]
            assert _reason(swapped).startswith("check symbol does not match")


@given(tracking_ids)
def test_every_swap_of_two_symbols_is_detected(tracking_id: TrackingId) -> None:
    """Swapping any two different symbols, adjacent or not, fails the check (the documented bonus)."""
    symbols = list(_symbols(tracking_id))
    for i in range(SYMBOLS):
        for j in range(i + 1, SYMBOLS):
            if symbols[i] != symbols[j]:
                swapped = symbols.copy()
                swapped[i], swapped[j] = swapped[j], swapped[i]
                assert not TrackingId.is_valid("".join(swapped))


def test_issue_example_is_a_valid_id() -> None:
    """The example of the specification, typed loosely, parses to its canonical form."""
    assert str(TrackingId.parse("7k3m 9qxf 2hj q")) == "7K3M-9QXF-2HJ-Q"


# --- parsing -----------------------------------------------------------------------------------------------


@given(tracking_ids)
def test_parse_of_the_canonical_text_round_trips(tracking_id: TrackingId) -> None:
    """parse(str(id)) gives the same ID, and the same value."""
    parsed = TrackingId.parse(str(tracking_id))
    assert parsed == tracking_id
    assert parsed.value == tracking_id.value
    assert str(parsed) == str(tracking_id)


@given(data_values)
def test_from_int_and_value_are_inverse(value: int) -> None:
    """from_int(v).value == v for every 55-bit value."""
    assert TrackingId.from_int(value).value == value


_LOOKALIKES = {"0": "oO", "1": "iIlL"}


@st.composite
def sloppy_spellings(draw: st.DrawFn) -> tuple[TrackingId, str]:
    """An ID and a way a person might type it."""
    tracking_id = draw(tracking_ids)
    typed = []
    for symbol in _symbols(tracking_id):
        choices = [symbol, symbol.lower(), *_LOOKALIKES.get(symbol, "")]
        typed.append(draw(st.sampled_from(choices)))
        typed.append(draw(st.sampled_from(["", "", " ", "-", "  ", "\u2013", "\u00a0"])))
    prefix = draw(st.sampled_from(["", " ", "\t", "-"]))
    return tracking_id, prefix + "".join(typed)


@given(sloppy_spellings())
def test_parse_accepts_what_people_type(case: tuple[TrackingId, str]) -> None:
    """Any case, spaces, hyphens or dashes anywhere, O for 0 and I or L for 1 all parse to the same ID."""
    tracking_id, typed = case
    assert TrackingId.parse(typed) == tracking_id


@given(st.text(max_size=80))
def test_parse_of_arbitrary_text_raises_only_invalid_tracking_id(text: str) -> None:
    """Whatever text is given, parse returns an ID or raises InvalidTrackingId, nothing else."""
    try:
        parsed = TrackingId.parse(text)
    except InvalidTrackingId as error:
        reason = error.reason
    else:
        reason = "accepted" if TrackingId.parse(str(parsed)) == parsed else ""
    assert reason


@given(st.from_type(object))
def test_parse_of_arbitrary_objects_raises_only_invalid_tracking_id(value: object) -> None:
    """Non-text input of any type is refused with InvalidTrackingId."""
    if not isinstance(value, str):
        assert _reason(value).startswith("expected a string")


@pytest.mark.parametrize(
    ("text", "count"),
    [("", 0), ("7K3M-9QXF-2HJ", 11), ("7K3M-9QXF-2HJ-QQ", 13), ("- - -", 0), ("7K3M 9QXF 2HJ Q 7", 13)],
)
def test_wrong_length_names_the_expected_and_actual_count(text: str, count: int) -> None:
    """A wrong number of symbols says how many are expected and how many were given."""
    assert _reason(text) == f"wrong length: expected 12 symbols, got {count}"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("7K3M-9QXF-2HJ-U", "bad character 'U' at position 15 (U is not used in tracking IDs)"),
        ("u7K3M-9QXF-2HJ", "bad character 'u' at position 1 (U is not used in tracking IDs)"),
        ("7K3M_9QXF-2HJ-Q", "bad character '_' at position 5"),
        ("7K3M-9QXF-2HJ-Q!", "bad character '!' at position 16"),
        ("7K3M-9QXF-2HJ-\x00", "bad character '\\x00' at position 15"),
        ("7K3M-9QXF-2HJ-\u0663", "bad character '\u0663' at position 15"),
        ("+7K3M9QXF2HJQ", "bad character '+' at position 1"),
        ("7K3M-9QXF-2HJ-\u00e9", "bad character '\u00e9' at position 15"),
    ],
)
def test_bad_character_is_named_with_its_position(text: str, reason: str) -> None:
    """A character that is neither a symbol nor a separator is named, with its 1-based position."""
    assert _reason(text) == reason


def test_failed_check_is_reported_as_such() -> None:
    """A well-formed ID with the wrong check symbol is refused for the check, not for its shape."""
    assert _reason("7K3M-9QXF-2HJ-R") == "check symbol does not match (a mistyped symbol?)"


@pytest.mark.parametrize("value", [None, 5, 5.0, b"7K3M9QXF2HJQ", ["7K3M9QXF2HJQ"]])
def test_non_text_input_is_refused(value: object) -> None:
    """Input that is not a string is an InvalidTrackingId saying so, not a TypeError."""
    with pytest.raises(InvalidTrackingId) as caught:
        TrackingId.parse(value)  # type: ignore[arg-type]
    assert (caught.value.problem, dict(caught.value.params)) == (
        "tracking.not_string",
        {"type": type(value).__name__},
    )
    assert caught.value.reason.startswith("expected a string, got ")


def test_huge_input_is_refused_by_its_length() -> None:
    """A megabyte of text is refused as too long before any other work."""
    with pytest.raises(InvalidTrackingId) as caught:
        TrackingId.parse("7" * 1_000_000)
    assert (caught.value.problem, dict(caught.value.params)) == ("tracking.too_long", {"actual": 1_000_000})
    assert caught.value.reason == "too long: 1,000,000 characters for 12 symbols"
    assert (
        caught.value.describe()
        == "Nomor pelacakan tidak valid: terlalu panjang: 1.000.000 karakter untuk 12 simbol"
    )


def test_invalid_tracking_id_is_a_value_error_and_a_lapor_error() -> None:
    """Callers can catch the error as ValueError, DomainError or LaporError; it keeps the text."""
    with pytest.raises(InvalidTrackingId) as caught:
        TrackingId.parse("nope")
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, DomainError)
    assert isinstance(caught.value, LaporError)
    assert caught.value.text == "nope"


def test_constructor_parses_text() -> None:
    """TrackingId(text) is the same as TrackingId.parse(text), errors included."""
    assert TrackingId("7k3m9qxf2hjq") == TrackingId.parse("7K3M-9QXF-2HJ-Q")
    with pytest.raises(InvalidTrackingId):
        TrackingId("7K3M-9QXF-2HJ-R")


def test_is_valid_answers_without_raising() -> None:
    """is_valid is True for a good ID and False for junk of any kind."""
    assert TrackingId.is_valid("7K3M-9QXF-2HJ-Q")
    assert not TrackingId.is_valid("7K3M-9QXF-2HJ-R")
    assert not TrackingId.is_valid(None)
    assert not TrackingId.is_valid("x" * 100)


@pytest.mark.parametrize("value", [-1, 2**55, True, 1.0, "5"])
def test_from_int_refuses_values_outside_55_bits(value: object) -> None:
    """from_int takes only ints in 0 .. 2**55 - 1 (not bools, floats or text)."""
    with pytest.raises(InvalidTrackingId, match="data must be an int"):
        TrackingId.from_int(value)  # type: ignore[arg-type]


# --- the value object --------------------------------------------------------------------------------------


def test_equality_and_hash_follow_the_value() -> None:
    """Two parses of the same ID are equal and hash alike; different IDs differ."""
    a = TrackingId.parse("7K3M-9QXF-2HJ-Q")
    b = TrackingId.parse("7k3m 9qxf 2hj q")
    other = TrackingId.from_int(0)
    assert a == b
    assert not a != b  # noqa: SIM202 - __ne__ is implemented separately
    assert hash(a) == hash(b)
    assert len({a, b, other}) == 2
    assert a != other


@pytest.mark.parametrize("other", ["7K3M-9QXF-2HJ-Q", "7K3M9QXF2HJQ", None, 0, object()])
def test_an_id_never_equals_something_that_is_not_an_id(other: object) -> None:
    """An ID is not equal to its own text, nor to anything else that is not a TrackingId."""
    tracking_id = TrackingId.parse("7K3M-9QXF-2HJ-Q")
    assert tracking_id != other
    assert other != tracking_id
    assert not tracking_id == other  # noqa: SIM201 - __eq__ is what is tested


@given(st.lists(tracking_ids, min_size=2, max_size=20))
def test_ordering_follows_the_canonical_text(ids: list[TrackingId]) -> None:
    """Sorting IDs sorts them as their canonical strings sort, and the four comparisons agree."""
    assert [str(i) for i in sorted(ids)] == sorted(str(i) for i in ids)
    a, b = ids[0], ids[1]
    assert (a < b) == (str(a) < str(b))
    assert (a <= b) == (str(a) <= str(b))
    assert (a > b) == (str(a) > str(b))
    assert (a >= b) == (str(a) >= str(b))


@pytest.mark.parametrize("operator", ["__lt__", "__le__", "__gt__", "__ge__"])
def test_ordering_against_text_is_a_type_error(operator: str) -> None:
    """Comparing an ID with text for order raises TypeError, as for unrelated types."""
    tracking_id = TrackingId.from_int(1)
    assert getattr(tracking_id, operator)("0000-0000-000-0") is NotImplemented
    with pytest.raises(TypeError):
        _ = tracking_id < "0000-0000-000-0"  # type: ignore[operator]


def test_ids_are_immutable() -> None:
    """Setting or deleting an attribute raises FrozenInstanceError, like a frozen attrs class."""
    tracking_id = TrackingId.from_int(7)
    with pytest.raises(FrozenInstanceError):
        tracking_id._n = 0  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        del tracking_id._n
    with pytest.raises(AttributeError):
        tracking_id.extra = 1  # type: ignore[attr-defined]
    assert tracking_id.value == 7


def test_repr_is_readable_and_evaluable() -> None:
    """The repr shows the canonical text in a form that rebuilds the ID."""
    tracking_id = TrackingId.parse("7k3m-9qxf-2hj-q")
    assert repr(tracking_id) == "TrackingId('7K3M-9QXF-2HJ-Q')"
    assert eval(repr(tracking_id), {"TrackingId": TrackingId}) == tracking_id  # noqa: S307 - own repr


def test_ids_survive_pickle_and_copy() -> None:
    """Pickling, copying and deep-copying keep the ID equal."""
    tracking_id = TrackingId.new()
    assert pickle.loads(pickle.dumps(tracking_id)) == tracking_id  # noqa: S301 - own data
    assert copy.copy(tracking_id) == tracking_id
    assert copy.deepcopy(tracking_id) == tracking_id


def test_the_smallest_and_largest_ids() -> None:
    """The all-zero and all-ones data values render and parse like any other."""
    low, high = TrackingId.from_int(0), TrackingId.from_int(2**55 - 1)
    assert str(low) == "0000-0000-000-0"
    assert str(high).startswith("ZZZZ-ZZZZ-ZZZ-")
    assert TrackingId.parse(str(high)) == high
    assert low < high
