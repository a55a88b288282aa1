"""The poll domain: drafts and their validation, transitions, counting, Wilson intervals, suppression."""

from __future__ import annotations

import decimal
import pickle
import statistics
import subprocess
import sys
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statemachine.exceptions import TransitionNotAllowed as TransitionNotAllowedByLibrary

import lapor_core as lc
import lapor_core.errors as errors_module
from lapor_core._domain import polls
from lapor_core._domain.history import Actor
from lapor_core._domain.polls import (
    NATIONAL,
    Ballot,
    BallotCast,
    Poll,
    PollAction,
    PollChange,
    PollDraft,
    PollState,
    RegionCount,
    ResultVisibility,
    RevotePolicy,
    Tally,
    _stored_draft,
    check_find_limit,
    check_poll_id,
    coarse_region,
    compute_results,
    count_ballots,
    suppressed_cells,
    wilson_interval,
)
from lapor_core.errors import PollConflict, PollNotAllowed, PollTransitionNotAllowed

WIB = timezone(timedelta(hours=7), "WIB")
OPENS = datetime(2026, 4, 1, 8, tzinfo=WIB)
CLOSES = datetime(2026, 4, 15, 8, tzinfo=WIB)
OFFICER = Actor("institution", "off-7", "31.71")


def draft_dict(**overrides: Any) -> dict[str, Any]:
    """A valid draft in dictionary form, with ``overrides`` applied."""
    data: dict[str, Any] = {
        "question": "Setujukah Anda jam masuk sekolah pukul 08.00?",
        "description": "Usulan Dinas Pendidikan.\nBerlaku mulai Juli.",
        "options": ["Setuju", "Tidak setuju", "Ragu-ragu"],
        "max_choices": 1,
        "audience": "national",
        "opens_at": OPENS.isoformat(),
        "closes_at": CLOSES.isoformat(),
        "results": "live",
    }
    data.update(overrides)
    return data


def fields_of(error: lc.ValidationError) -> list[str]:
    """The field paths of a validation error, in order."""
    return [e.field for e in error.errors]


def new_poll(**overrides: Any) -> Poll:
    """A draft poll built from ``draft_dict(**overrides)``."""
    draft = PollDraft.from_dict(draft_dict(**overrides))
    return Poll.create("p1", "31.71", draft, OFFICER, OPENS - timedelta(days=2))


# --- drafts ----------------------------------------------------------------------------------------------


def test_from_dict_reads_every_key_and_normalises():
    """Text is stripped, region codes dotted and sorted, times kept as the same instants."""
    draft = PollDraft.from_dict(
        draft_dict(
            question="  Perlu jalur sepeda?  ",
            options=[" Ya ", "Tidak"],
            audience=["3273", "31"],
            links=[" https://example.go.id/naskah.pdf "],
            max_choices=2,
            opens_at="2026-04-01T01:00:00+00:00",
            revote="refuse",
        )
    )
    assert draft.question == "Perlu jalur sepeda?"
    assert draft.options == ("Ya", "Tidak")
    assert draft.audience == ("31", "32.73")
    assert draft.links == ("https://example.go.id/naskah.pdf",)
    assert draft.opens_at == OPENS
    assert (draft.max_choices, draft.results, draft.revote) == (2, ResultVisibility.LIVE, RevotePolicy.REFUSE)


def test_optional_keys_take_their_defaults():
    """Only question, options and the two times are required; results default to after_close."""
    draft = PollDraft.from_dict(
        {"question": "Q?", "options": ["A", "B"], "opens_at": OPENS, "closes_at": CLOSES}
    )
    assert draft.audience is None
    assert (draft.description, draft.links, draft.max_choices) == (None, (), 1)
    assert (draft.results, draft.revote) == (ResultVisibility.AFTER_CLOSE, RevotePolicy.REPLACE)


def test_every_bad_field_is_listed_at_once():
    """One ValidationError names each bad field, nested ones with their index, and unknown keys."""
    with pytest.raises(lc.ValidationError) as caught:
        PollDraft.from_dict(
            {
                "question": "",
                "description": 5,
                "links": ["javascript:alert(1)"],
                "options": ["Ya", "", "ya"],
                "max_choices": 0,
                "audience": ["31", "99", "31.71.01.1001"],
                "opens_at": "2026-04-01T08:00:00",
                "closes_at": "kemarin",
                "results": "sometimes",
                "revote": True,
                "pilihan": 1,
            }
        )
    # In the order of PollDraft's fields (the positional ones first), then the unknown keys.
    assert [(e.field, e.code) for e in caught.value.errors] == [
        ("question", "text.empty"),
        ("options[1]", "text.empty"),
        ("options[2]", "poll.option_repeated"),
        ("opens_at", "instant.naive"),
        ("closes_at", "instant.malformed"),
        ("description", "value.not_string"),
        ("links[0]", "poll.link_invalid"),
        ("max_choices", "number.out_of_range"),
        ("audience[1]", "region.unknown_did_you_mean"),
        ("audience[2]", "poll.audience_village"),
        ("results", "value.not_choice"),
        ("revote", "value.not_choice"),
        ("pilihan", "field.unknown"),
    ]


def test_missing_required_fields_are_named():
    """An empty mapping names the four required fields."""
    with pytest.raises(lc.ValidationError) as caught:
        PollDraft.from_dict({})
    assert fields_of(caught.value) == ["question", "options", "opens_at", "closes_at"]


@pytest.mark.parametrize("data", [None, [], "question", 42, b"{}"])
def test_data_that_is_not_a_mapping_is_refused(data: object):
    """Anything but a mapping is one error on the input as a whole."""
    with pytest.raises(lc.ValidationError) as caught:
        PollDraft.from_dict(data)
    assert fields_of(caught.value) == ["$"]


def test_closing_before_opening_is_refused():
    """closes_at must be after opens_at (equal is refused too)."""
    for closes in (OPENS, OPENS - timedelta(seconds=1)):
        with pytest.raises(lc.ValidationError) as caught:
            PollDraft.from_dict(draft_dict(closes_at=closes.isoformat()))
        assert caught.value.fields_by_name == {"closes_at": ("poll.closes_before_opens",)}


def test_more_choices_than_options_is_refused():
    """max_choices may not exceed the number of options."""
    with pytest.raises(lc.ValidationError) as caught:
        PollDraft.from_dict(draft_dict(max_choices=4))
    (error,) = caught.value.errors
    assert (error.field, error.code, dict(error.params)) == (
        "max_choices",
        "poll.max_choices_over_options",
        {"options": 3},
    )


@pytest.mark.parametrize(
    ("options", "code", "params"),
    [
        (["Ya"], "poll.options_count", {"min": 2, "max": 20, "actual": 1}),
        ([f"O{i}" for i in range(21)], "poll.options_count", {"min": 2, "max": 20, "actual": 21}),
        ("Ya, Tidak", "poll.options_not_list", {"min": 2, "max": 20}),
        ({"Ya": 1, "Tidak": 2}, "poll.options_not_list", {"min": 2, "max": 20}),
        (None, "value.required", {}),
    ],
)
def test_option_lists_of_the_wrong_shape_are_refused(options: object, code: str, params: dict[str, int]):
    """Options must be a list of 2 to 20 labels."""
    with pytest.raises(lc.ValidationError) as caught:
        PollDraft.from_dict(draft_dict(options=options))
    assert [(e.field, e.code, dict(e.params)) for e in caught.value.errors] == [("options", code, params)]


def test_a_million_options_are_refused_without_listing_each():
    """A huge list gives one error, whatever it holds."""
    with pytest.raises(lc.ValidationError) as caught:
        PollDraft.from_dict(draft_dict(options=[None] * 1_000_000))
    assert fields_of(caught.value) == ["options"]


@pytest.mark.parametrize(
    "label", ["", "   ", 7, None, "x" * 201, "baris\nbaru", "nul\x00", "\ud800"], ids=repr
)
def test_bad_option_labels_are_refused_by_index(label: object):
    """Each label is one line of 1 to 200 characters without control characters."""
    with pytest.raises(lc.ValidationError) as caught:
        PollDraft.from_dict(draft_dict(options=["Ya", label]))
    assert fields_of(caught.value) == ["options[1]"]


def test_labels_differing_only_in_case_are_refused():
    """Labels must differ ignoring case, so a typed label names one option."""
    with pytest.raises(lc.ValidationError) as caught:
        PollDraft.from_dict(draft_dict(options=["Setuju", "SETUJU"]))
    (error,) = caught.value.errors
    assert (error.field, error.code, dict(error.params)) == (
        "options[1]",
        "poll.option_repeated",
        {"first": 0},
    )
    assert error.message() == "mengulang pilihan 0 (setiap pilihan harus berbeda)"
    assert error.message("en") == "repeats option 0 (labels must differ)"


@pytest.mark.parametrize(
    "link",
    ["ftp://example.id/a", "javascript:alert(1)", "https://exa mple.id", "https://", 5, "x" * 600],
    ids=repr,
)
def test_bad_links_are_refused(link: object):
    """Links are http(s) addresses without spaces, at most 500 characters."""
    with pytest.raises(lc.ValidationError) as caught:
        PollDraft.from_dict(draft_dict(links=[link]))
    assert fields_of(caught.value) == ["links[0]"]


def test_links_may_be_absent():
    """No links, an empty list or null all mean none."""
    for links in (None, []):
        assert PollDraft.from_dict(draft_dict(links=links)).links == ()


def test_too_many_links_are_refused():
    """At most ten links."""
    with pytest.raises(lc.ValidationError) as caught:
        PollDraft.from_dict(draft_dict(links=[f"https://e.id/{i}" for i in range(11)]))
    assert fields_of(caught.value) == ["links"]


@pytest.mark.parametrize("audience", [[], "31", "regional", 31, [31], ["31", None]], ids=repr)
def test_bad_audiences_are_refused(audience: object):
    """The audience is "national" or a non-empty list of region codes (text)."""
    with pytest.raises(lc.ValidationError) as caught:
        PollDraft.from_dict(draft_dict(audience=audience))
    assert caught.value.errors[0].field.startswith("audience")


def test_unknown_region_in_the_audience_suggests_what_was_meant():
    """An unknown region code is refused with suggestions, like elsewhere."""
    with pytest.raises(lc.ValidationError) as caught:
        PollDraft.from_dict(draft_dict(audience=["31.79"]))
    (error,) = caught.value.errors
    assert (error.field, error.code) == ("audience[0]", "region.unknown_did_you_mean")
    assert "31.75" in error.message("en")


def test_audience_codes_inside_another_are_dropped():
    """Listing a province and one of its regencies is the same audience as the province alone."""
    draft = PollDraft.from_dict(draft_dict(audience=["31.71.01", "31", "3171", "73.71"]))
    assert draft.audience == ("31", "73.71")


@pytest.mark.parametrize(
    "value",
    ["2026-04-01T08:00:00", "2026-04-01", "soon", "2026-13-01T00:00:00+07:00", 1_775_000_000, "9" * 100],
)
def test_times_without_an_offset_or_malformed_are_refused(value: object):
    """Times are aware datetimes or ISO 8601 text with a UTC offset."""
    with pytest.raises(lc.ValidationError) as caught:
        PollDraft.from_dict(draft_dict(opens_at=value))
    assert fields_of(caught.value) == ["opens_at"]


def test_naive_datetime_objects_are_refused():
    """A naive datetime is refused like naive text."""
    with pytest.raises(lc.ValidationError) as caught:
        PollDraft.from_dict(draft_dict(opens_at=datetime(2026, 4, 1, 8)))  # noqa: DTZ001 - the point
    assert caught.value.fields_by_name == {"opens_at": ("instant.naive",)}


@pytest.mark.parametrize("value", [True, 1.0, "1", None])
def test_max_choices_must_be_a_whole_number(value: object):
    """max_choices is an int, not a bool, float, text or null."""
    with pytest.raises(lc.ValidationError) as caught:
        PollDraft.from_dict(draft_dict(max_choices=value))
    assert fields_of(caught.value) == ["max_choices"]


def test_errors_never_echo_the_refused_values():
    """Reasons describe what is wrong without repeating what was typed."""
    secret = "3171234567890001"
    with pytest.raises(lc.ValidationError) as caught:
        PollDraft.from_dict(
            draft_dict(question=secret * 30, options=[secret, secret], audience=[secret], **{secret: 1})
        )
    assert secret not in str(caught.value)


def test_huge_question_is_refused_quickly():
    """A question of ten million characters is one error."""
    with pytest.raises(lc.ValidationError) as caught:
        PollDraft.from_dict(draft_dict(question="a" * 10_000_000))
    (error,) = caught.value.errors
    assert (error.field, error.code, dict(error.params)) == (
        "question",
        "text.too_long",
        {"max": 300, "actual": 10_000_000},
    )


def test_constructor_validates_like_from_dict():
    """Building a draft directly checks the same rules."""
    with pytest.raises(lc.ValidationError) as caught:
        PollDraft("", ["A"], OPENS, CLOSES, max_choices=3)
    assert fields_of(caught.value) == ["question", "options"]


def errors_of(error: lc.ValidationError | None) -> list[tuple[str, str, dict[str, object]]] | None:
    """(field, code, params) of each error, or None when nothing was refused."""
    return None if error is None else [(e.field, e.code, dict(e.params)) for e in error.errors]


def test_the_constructor_and_from_dict_list_every_bad_field_alike():
    """Direct construction and from_dict report the same bad fields, codes and params, all at once."""
    bad: dict[str, Any] = {
        "question": "a" * 301,
        "options": ["Ya", "YA", 5],
        "opens_at": "2026-04-01T08:00:00",
        "closes_at": "9999-12-31T23:00:00+07:00",
        "description": "baris\x00",
        "links": "https://e.id",
        "max_choices": 2.0,
        "audience": ["31", "31.79"],
        "results": "nanti",
        "revote": None,
    }
    direct = refusal(lambda: PollDraft(**bad))
    assert errors_of(direct) == errors_of(refusal(lambda: PollDraft.from_dict(bad)))
    assert errors_of(direct) == errors_of(refusal(lambda: lc.from_dict(PollDraft, bad)))
    assert direct is not None
    assert fields_of(direct) == [
        "question",
        "options[2]",  # each label's own rule first, then the repeats among the good ones
        "options[1]",
        "opens_at",
        "closes_at",
        "description",
        "links",
        "max_choices",
        "audience[1]",
        "results",
        "revote",
    ]


def test_both_rules_across_fields_are_listed_at_once():
    """A draft closing before it opens and allowing more choices than options is refused for both."""
    for build in (
        lambda: PollDraft("Q?", ["A", "B"], CLOSES, OPENS, max_choices=3),
        lambda: PollDraft.from_dict(
            draft_dict(opens_at=CLOSES, closes_at=OPENS, options=["A", "B"], max_choices=3)
        ),
    ):
        error = refusal(build)
        assert errors_of(error) == [
            ("closes_at", "poll.closes_before_opens", {}),
            ("max_choices", "poll.max_choices_over_options", {"options": 2}),
        ]


def test_rules_across_fields_are_reported_beside_a_bad_field():
    """A rule across fields whose fields passed is reported with the other bad fields, all at once."""
    with pytest.raises(lc.ValidationError) as caught:
        PollDraft("", ["A", "B"], CLOSES, OPENS)
    assert caught.value.fields_by_name == {
        "question": ("text.empty",),
        "closes_at": ("poll.closes_before_opens",),
    }


def test_a_rule_across_fields_is_skipped_when_one_of_its_fields_is_bad():
    """The order of the times is not checked when a time is itself bad: that field's error says it all."""
    with pytest.raises(lc.ValidationError) as caught:
        PollDraft("", ["A", "B"], "not a time", OPENS)
    assert caught.value.fields_by_name == {"question": ("text.empty",), "opens_at": ("instant.malformed",)}


def test_evolving_a_draft_checks_it_again():
    """attrs.evolve builds a new draft through the same rules."""
    draft = PollDraft.from_dict(draft_dict())
    assert attrs.evolve(draft, audience=["3273"]).audience == ("32.73",)
    with pytest.raises(lc.ValidationError) as caught:
        attrs.evolve(draft, closes_at=OPENS)
    assert caught.value.fields_by_name == {"closes_at": ("poll.closes_before_opens",)}


_labels = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=30
).filter(lambda t: t.strip() == t and t)


@settings(max_examples=60)
@given(
    labels=st.lists(_labels, min_size=2, max_size=20, unique_by=str.casefold),
    question=_labels,
    audience=st.none() | st.lists(st.sampled_from(["31", "32.73", "73.71.01", "94", "11.01"]), min_size=1),
    hours=st.integers(1, 24 * 400),
    offset=st.integers(-12, 14),
    results=st.sampled_from(ResultVisibility),
)
def test_to_dict_round_trips_through_from_dict(
    labels: list[str],
    question: str,
    audience: list[str] | None,
    hours: int,
    offset: int,
    results: ResultVisibility,
):
    """Any valid draft survives to_dict then from_dict unchanged."""
    zone = timezone(timedelta(hours=offset))
    draft = PollDraft(
        question,
        labels,
        OPENS.astimezone(zone),
        OPENS + timedelta(hours=hours),
        max_choices=len(labels),
        audience=audience,
        results=results,
    )
    assert PollDraft.from_dict(draft.to_dict()) == draft


@pytest.mark.parametrize(
    ("region", "admitted"),
    [
        ("31.71.01", True),
        ("3171010001", True),
        ("31", False),
        ("32.73", True),
        ("32.73.99", True),
        ("32.04", False),
        (None, False),
        ("Jakarta", False),
        ("3" * 500, False),
    ],
)
def test_regional_audience_admits_codes_inside_its_regions(region: str | None, admitted: bool):
    """A regional poll admits codes equal to or inside its codes, and nobody of unknown region."""
    draft = PollDraft.from_dict(draft_dict(audience=["31.71", "32.73"]))
    assert draft.admits(region) is admitted


def test_national_audience_admits_everyone():
    """A national poll admits any region, even an unknown one."""
    draft = PollDraft.from_dict(draft_dict())
    assert draft.admits(None)
    assert draft.admits("94.71")


@pytest.mark.parametrize(
    ("region", "expected"),
    [
        ("31.71.01.1001", ("31", "31.71")),
        ("32.04.99", ("32", "32.04")),
        ("31", ("31", None)),
        ("31.99", ("31", None)),
        ("99.01", (None, None)),
        ("Jakarta", (None, None)),
        (None, (None, None)),
    ],
)
def test_coarse_region_keeps_province_and_regency_only(region: str | None, expected: tuple[object, ...]):
    """Breakdowns see only the province and the regency of a voter, when known."""
    assert coarse_region(region) == expected


# --- times at the edges of what can be stored ---------------------------------------------------------------

LAST_INSTANT = datetime(9998, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)
FIRST_INSTANT = datetime(1000, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    "closes_at",
    [
        "9999-12-31T23:00:00+07:00",
        "9999-12-31T23:59:59.999999-05:00",  # in UTC a year 10000 that no datetime holds
        datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-12))),
        datetime.max.replace(tzinfo=timezone(timedelta(hours=-23, minutes=59))),
        LAST_INSTANT + timedelta(microseconds=1),
    ],
    ids=["text+07", "text-05", "datetime-12", "datetime.max-23:59", "just-after-the-last"],
)
def test_a_poll_closing_in_9999_is_refused_with_a_code(closes_at: object):
    """Closing times no store can hold are a ValidationError (instant.out_of_range), never OverflowError."""
    with pytest.raises(lc.ValidationError) as caught:
        PollDraft.from_dict(draft_dict(closes_at=closes_at))
    (error,) = caught.value.errors
    assert (error.field, error.code) == ("closes_at", "instant.out_of_range")
    assert error.message("en").startswith("must lie between")


@pytest.mark.parametrize(
    "opens_at",
    ["0999-12-31T23:59:59+00:00", datetime.min.replace(tzinfo=timezone(timedelta(hours=14)))],
    ids=["year-999", "datetime.min+14"],
)
def test_an_opening_time_before_year_1000_is_refused_with_a_code(opens_at: object):
    """Times before what MariaDB's DATETIME holds are refused too, even where UTC underflows."""
    with pytest.raises(lc.ValidationError) as caught:
        PollDraft(draft_dict()["question"], ["Ya", "Tidak"], opens_at, CLOSES)  # type: ignore[arg-type]
    assert caught.value.fields_by_name == {"opens_at": ("instant.out_of_range",)}


@pytest.mark.parametrize("hours", [-12, 0, 14])
def test_the_last_storable_instant_is_accepted_in_any_offset(hours: int):
    """The end of 9998 (UTC) is the latest closing time, whatever offset writes it."""
    last = LAST_INSTANT.astimezone(timezone(timedelta(hours=hours)))
    draft = PollDraft.from_dict(draft_dict(opens_at=FIRST_INSTANT.isoformat(), closes_at=last.isoformat()))
    assert (draft.opens_at, draft.closes_at) == (FIRST_INSTANT, LAST_INSTANT)
    assert PollDraft.from_dict(draft.to_dict()) == draft


def test_an_extension_into_9999_is_refused_with_a_code():
    """Extending an open poll past the last storable instant is refused like a draft closing there."""
    poll = new_poll().opened(OFFICER, OPENS)
    for closes_at in ("9999-12-31T23:59:59-05:00", LAST_INSTANT + timedelta(microseconds=1)):
        with pytest.raises(lc.ValidationError) as caught:
            poll.extended(closes_at, OFFICER, OPENS)  # type: ignore[arg-type]
        assert caught.value.fields_by_name == {"closes_at": ("instant.out_of_range",)}
    assert poll.extended(LAST_INSTANT, OFFICER, OPENS).draft.closes_at == LAST_INSTANT


# --- texts from the catalogue -------------------------------------------------------------------------------


@pytest.mark.parametrize("enum_type", [PollState, ResultVisibility, RevotePolicy, PollAction])
def test_every_poll_label_has_an_indonesian_and_an_english_text(enum_type: type[Any]):
    """Each state, result rule, revote policy and history action has two different catalogue texts."""
    for member in enum_type:
        indonesian, english = member.label(), member.label("en")
        assert indonesian == member.label("id")
        assert "poll." not in indonesian
        assert "poll." not in english
        assert indonesian != english or indonesian == "Draf"


def test_labels_read_like_the_portal_shows_them():
    """A few labels, spelled out."""
    assert (PollState.OPEN.label(), PollState.OPEN.label("en")) == ("Dibuka", "Open")
    assert ResultVisibility.AFTER_CLOSE.label() == "setelah ditutup"
    assert RevotePolicy.REFUSE.label("en") == "a second vote is refused"


def test_audience_label_names_the_nation_or_the_regions():
    """A national poll is for all of Indonesia; a regional one lists its regions by name."""
    assert PollDraft.from_dict(draft_dict()).audience_label() == "seluruh Indonesia"
    assert PollDraft.from_dict(draft_dict()).audience_label("en") == "all of Indonesia"
    regional = PollDraft.from_dict(draft_dict(audience=["3273", "31.71"]))
    assert regional.audience_label("en") == "Kota Administrasi Jakarta Pusat, Kota Bandung"


def test_poll_errors_describe_themselves_in_indonesian_and_english():
    """The poll's refusals render from the catalogue; the English message stays the log line."""
    refused = PollNotAllowed(poll_id="p1", action="vote", reason="poll.vote_outside_audience")
    assert refused.code == "poll.not_allowed"
    assert refused.describe() == (
        "Tidak diizinkan (vote) pada jajak pendapat p1: wilayah pemilih berada di luar peserta jajak pendapat"
    )
    assert str(refused) == "not allowed to vote in poll p1: the voter's region is outside the poll's audience"
    late = PollTransitionNotAllowed(poll_id="p1", action="vote", state="not yet open")
    assert late.describe() == "Jajak pendapat p1 tidak dapat diproses (vote) selagi berstatus Belum dibuka"
    assert late.describe("en") == "poll p1: cannot vote while Not yet open"
    assert str(late) == "poll p1: cannot vote while not yet open"
    conflict = PollConflict(poll_id="p1", expected_version=2, actual_version=3)
    assert conflict.describe().startswith("Jajak pendapat p1 telah diubah pihak lain")


# --- one dictionary form ------------------------------------------------------------------------------------


@pytest.mark.parametrize("audience", ["national", None, ["3171", "32.73"]])
def test_to_dict_is_what_the_converter_gives(audience: object):
    """draft.to_dict() and lc.to_dict(draft) agree (a national poll's audience is None in both)."""
    draft = PollDraft.from_dict(draft_dict(audience=audience, links=["https://e.id/a"]))
    assert draft.to_dict() == lc.to_dict(draft)
    assert draft.to_dict()["audience"] == (None if audience in ("national", None) else ["31.71", "32.73"])
    assert PollDraft.from_dict(lc.to_dict(draft)) == draft


@pytest.mark.parametrize("overrides", [{"audience": "national"}, {"options": "AB"}], ids=["national", "text"])
def test_the_converter_reads_a_draft_as_from_dict_does(overrides: dict[str, object]):
    """lc.from_dict(PollDraft, data) validates exactly like PollDraft.from_dict (no text read as a list)."""
    data = draft_dict(**overrides)
    expected = refusal(lambda: PollDraft.from_dict(data))
    got = refusal(lambda: lc.from_dict(PollDraft, data))
    assert (None if got is None else got.fields_by_name) == (
        None if expected is None else expected.fields_by_name
    )


def test_the_old_national_spelling_is_still_read():
    """Definitions stored before the change say "national"; they read back as a national poll."""
    stored = {**PollDraft.from_dict(draft_dict()).to_dict(), "audience": "national"}
    assert PollDraft.from_dict(stored).audience is None


def test_edit_history_records_the_converters_form():
    """A change of audience is recorded as the converter writes it (None for national)."""
    poll = new_poll(audience=["31"])
    edited = poll.edited(PollDraft.from_dict(draft_dict(audience="national")), OFFICER, OPENS)
    assert edited.history[-1].payload_dict() == {"audience": {"from": ["31"], "to": None}}


# --- junk at the constructors -------------------------------------------------------------------------------

_junk = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=80)
    | st.binary(max_size=10)
    | st.datetimes(timezones=st.none() | st.timezones())
    | st.sampled_from(["national", "31", "3171", "2026-04-01T08:00:00+07:00", "9999-12-31T23:59:59-12:00"]),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=12,
)
_draft_keys = st.sampled_from(
    [
        "question",
        "options",
        "opens_at",
        "closes_at",
        "description",
        "links",
        "max_choices",
        "audience",
        "results",
        "revote",
    ]
)


def refusal(build: Callable[[], object]) -> lc.ValidationError | None:
    """The ValidationError ``build()`` raises, or None when it succeeds; any other exception propagates."""
    try:
        build()
    except lc.ValidationError as error:
        return error
    return None


@settings(max_examples=400)
@given(data=st.dictionaries(_draft_keys | st.text(max_size=8), _junk, max_size=12) | _junk)
def test_from_dict_raises_only_validation_error_on_junk(data: object):
    """Whatever the input, from_dict builds a draft or raises ValidationError with codes in the catalogue."""
    error = refusal(lambda: PollDraft.from_dict(data))
    for field_error in error.errors if error is not None else ():
        assert field_error.message("en") != field_error.code
        assert field_error.message("id") != field_error.code


@settings(max_examples=300)
@given(overrides=st.dictionaries(_draft_keys, _junk, max_size=4))
def test_from_dict_on_a_nearly_valid_draft_raises_only_validation_error(overrides: dict[str, object]):
    """Junk in a few fields of a valid draft gives ValidationError, never another exception."""
    try:
        draft = PollDraft.from_dict(draft_dict(**overrides))
    except lc.ValidationError:
        return
    assert PollDraft.from_dict(draft.to_dict()) == draft


@settings(max_examples=300)
@given(
    args=st.tuples(_junk, _junk, _junk, _junk),
    keywords=st.dictionaries(
        st.sampled_from(["description", "links", "max_choices", "audience", "results", "revote"]),
        _junk,
        max_size=3,
    ),
)
def test_the_constructor_raises_only_validation_error_on_junk(
    args: tuple[object, ...], keywords: dict[str, object]
):
    """PollDraft(...) with junk positional and keyword values raises ValidationError only."""
    if refusal(lambda: PollDraft(*args, **keywords)) is None:  # type: ignore[arg-type]
        draft = PollDraft(*args, **keywords)  # type: ignore[arg-type]
        assert PollDraft.from_dict(draft.to_dict()) == draft


@settings(max_examples=300)
@given(overrides=st.dictionaries(_draft_keys, _junk, max_size=4))
def test_the_constructor_from_dict_and_the_converter_agree_on_junk(overrides: dict[str, object]):
    """PollDraft(**values), PollDraft.from_dict(values) and lc.from_dict agree: same draft or same errors."""
    values = draft_dict(**overrides)
    outcomes = []
    for build in (
        lambda: PollDraft(**values),
        lambda: PollDraft.from_dict(values),
        lambda: lc.from_dict(PollDraft, values),
    ):
        try:
            outcomes.append(build())
        except lc.ValidationError as error:
            outcomes.append(errors_of(error))
    assert outcomes[0] == outcomes[1] == outcomes[2]


@settings(max_examples=300)
@given(choices=_junk, province=_junk, regency=_junk)
def test_ballot_raises_only_validation_error_on_junk(choices: object, province: object, regency: object):
    """Ballot(...) with junk builds a well-formed ballot or raises ValidationError."""
    error = refusal(lambda: Ballot(choices, province, regency))  # type: ignore[arg-type]
    if error is not None:
        assert {e.field for e in error.errors} <= {"choices", "province", "regency"}
        return
    ballot = Ballot(choices, province, regency)  # type: ignore[arg-type]
    assert ballot.choices
    assert list(ballot.choices) == sorted(set(ballot.choices))


@settings(max_examples=300)
@given(
    poll_id=_junk | st.just("p1"),
    version=_junk | st.integers(0, 5),
    voter=_junk | st.just("a" * 64),
    seal=_junk | st.integers(0, 2**63 - 1),
    ballot=_junk | st.just(Ballot((0,))),
    revote=_junk | st.sampled_from(RevotePolicy),
)
def test_ballot_cast_raises_only_validation_error_on_junk(
    poll_id: object, version: object, voter: object, seal: object, ballot: object, revote: object
):
    """BallotCast(...) with junk raises ValidationError, and its error never shows the voter or seal."""
    error = refusal(lambda: BallotCast(poll_id, version, voter, seal, ballot, revote))  # type: ignore[arg-type]
    if error is None:
        cast = BallotCast(poll_id, version, voter, seal, ballot, revote)  # type: ignore[arg-type]
        assert isinstance(cast.ballot, Ballot)
        assert isinstance(cast.revote, RevotePolicy)
        assert type(cast.poll_version) is int
        assert type(cast.seal) is int
        assert 0 <= cast.seal < 2**63
    elif isinstance(voter, str) and len(voter) > 3:
        assert voter not in str(error)


@pytest.mark.parametrize(
    ("arguments", "field", "code"),
    [
        (((),), "choices", "poll.ballot_choices_invalid"),
        (((1, 0),), "choices", "poll.ballot_choices_invalid"),
        (((0, 0),), "choices", "poll.ballot_choices_invalid"),
        (((-1,),), "choices", "poll.ballot_choices_invalid"),
        (((20,),), "choices", "poll.ballot_choices_invalid"),
        (((True,),), "choices", "poll.ballot_choices_invalid"),
        (("0",), "choices", "poll.ballot_choices_invalid"),
        (((0,), "3171"), "province", "poll.ballot_province_invalid"),
        (((0,), "31", "3171"), "regency", "poll.ballot_regency_invalid"),
        (((0,), "31", "32.73"), "regency", "poll.ballot_regency_outside_province"),
        (((0,), None, "31.71"), "regency", "poll.ballot_regency_outside_province"),
    ],
)
def test_malformed_ballots_are_refused_with_a_code(arguments: tuple[Any, ...], field: str, code: str):
    """A ballot's choices are ascending distinct indexes; its regions coarse codes, the regency inside."""
    with pytest.raises(lc.ValidationError) as caught:
        Ballot(*arguments)
    assert caught.value.fields_by_name == {field: (code,)}


def test_well_formed_ballots_are_built():
    """Lists become tuples; unknown regions are None."""
    assert Ballot([0, 2, 19], "31", "31.71") == Ballot((0, 2, 19), "31", "31.71")
    assert Ballot((1,), "31").regency is None
    assert Ballot((1,)).province is None


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("poll_id", "a b", "poll.id_invalid"),
        ("poll_version", -1, "poll.version_invalid"),
        ("poll_version", True, "poll.version_invalid"),
        ("voter", "", "poll.voter_invalid"),
        ("voter", "a" * 65, "poll.voter_invalid"),
        ("seal", 2**63, "poll.seal_invalid"),
        ("seal", -1, "poll.seal_invalid"),
        ("ballot", (0,), "poll.ballot_invalid"),
        ("revote", "replace", "value.not_choice"),
    ],
)
def test_malformed_casts_are_refused_with_a_code(field: str, value: object, code: str):
    """Each field of a cast is checked when it is built."""
    good: dict[str, object] = {
        "poll_id": "p1",
        "poll_version": 2,
        "voter": "f" * 64,
        "seal": 2**63 - 1,
        "ballot": Ballot((0,)),
        "revote": RevotePolicy.REFUSE,
    }
    BallotCast(**good)  # type: ignore[arg-type]
    with pytest.raises(lc.ValidationError) as caught:
        BallotCast(**{**good, field: value})  # type: ignore[arg-type]
    assert caught.value.fields_by_name == {field: (code,)}


def test_a_ballot_lists_every_bad_field_at_once():
    """Bad choices, province and regency are all reported by one error."""
    with pytest.raises(lc.ValidationError) as caught:
        Ballot((1, 1), "Jakarta", "3171")  # type: ignore[arg-type]
    assert caught.value.fields_by_name == {
        "choices": ("poll.ballot_choices_invalid",),
        "province": ("poll.ballot_province_invalid",),
        "regency": ("poll.ballot_regency_invalid",),
    }


def test_a_cast_lists_every_bad_field_at_once_without_the_voter():
    """Every bad field of a cast is reported by one error that shows neither the voter's hash nor the seal."""
    voter = "rahasia" * 10
    with pytest.raises(lc.ValidationError) as caught:
        BallotCast("a b", -1, voter, 2**63, (0,), "replace")  # type: ignore[arg-type]
    assert list(caught.value.fields_by_name) == [
        "poll_id",
        "poll_version",
        "voter",
        "seal",
        "ballot",
        "revote",
    ]
    assert voter not in str(caught.value)
    assert str(2**63) not in str(caught.value)


def test_the_converter_reads_a_ballot_through_its_rules():
    """lc.from_dict(Ballot, ...) normalises a list of choices and refuses what the constructor refuses."""
    assert lc.from_dict(Ballot, {"choices": [0, 2], "province": "31"}) == Ballot((0, 2), "31")
    with pytest.raises(lc.ValidationError) as caught:
        lc.from_dict(Ballot, {"choices": [2, 0], "regency": "31.71", "x": 1})
    assert caught.value.fields_by_name == {
        "choices": ("poll.ballot_choices_invalid",),
        "regency": ("poll.ballot_regency_outside_province",),
        "x": ("field.unknown",),
    }


@pytest.mark.parametrize(
    ("limit", "code"),
    [
        ("5", "value.not_integer"),
        (True, "value.not_integer"),
        (None, "value.not_integer"),
        (0, "number.out_of_range"),
        (1001, "number.out_of_range"),
    ],
)
def test_find_limits_are_checked_in_one_place(limit: object, code: str):
    """check_find_limit refuses what every store's find refuses, with the same code."""
    with pytest.raises(lc.ValidationError) as caught:
        check_find_limit(limit)
    assert caught.value.fields_by_name == {"limit": (code,)}
    assert check_find_limit(1000) == 1000


# --- history entries and stored polls -------------------------------------------------------------------


def test_a_change_reads_its_values_and_keeps_its_payload_read_only():
    """A change takes an action's value, an actor's mapping and ISO text; its payload cannot be changed."""
    change = PollChange(
        0, "open", {"role": "admin", "user_id": "a-1"}, "2026-04-01T08:00:00+07:00", {"x": [1]}
    )
    assert change == PollChange(0, PollAction.OPEN, Actor("admin", "a-1"), OPENS, {"x": [1]})
    assert change.payload_dict() == {"x": [1]}
    with pytest.raises(TypeError):
        change.payload["x"] = 2  # type: ignore[index]


def test_a_change_lists_every_bad_field_at_once():
    """Each field of a history entry has its rule; one error lists every bad one."""
    with pytest.raises(lc.ValidationError) as caught:
        PollChange(-1, "vote", {"role": 5}, "9999-12-31T23:59:59-05:00", [1])  # type: ignore[arg-type]
    assert [(e.field, e.code) for e in caught.value.errors] == [
        ("seq", "poll.version_invalid"),
        ("action", "value.not_choice"),
        ("actor.role", "value.not_string"),
        ("at", "instant.out_of_range"),
        ("payload", "value.not_mapping"),
    ]


@settings(max_examples=300)
@given(seq=_junk, action=_junk, actor=_junk, at=_junk, payload=_junk)
def test_a_change_raises_only_validation_error_on_junk(
    seq: object, action: object, actor: object, at: object, payload: object
):
    """PollChange(...) with junk builds a well-formed change or raises ValidationError."""
    error = refusal(lambda: PollChange(seq, action, actor, at, payload))  # type: ignore[arg-type]
    if error is None:
        change = PollChange(seq, action, actor, at, payload)  # type: ignore[arg-type]
        assert isinstance(change.action, PollAction)
        assert isinstance(change.actor, Actor)
        assert isinstance(change.at, datetime)


def test_a_poll_round_trips_through_the_converter():
    """lc.from_dict(Poll, lc.to_dict(poll)) reads the draft and every change through their rules."""
    poll = (
        new_poll(audience=["31"]).opened(OFFICER, OPENS).extended(CLOSES + timedelta(days=1), OFFICER, OPENS)
    )
    assert lc.from_dict(Poll, lc.to_dict(poll)) == poll
    data = lc.to_dict(poll)
    data["history"][1]["at"] = "kemarin"
    data["draft"]["options"] = "AB"
    with pytest.raises(lc.ValidationError) as caught:
        lc.from_dict(Poll, data)
    assert caught.value.fields_by_name == {
        "draft.options": ("poll.options_not_list",),
        "history[1].at": ("instant.malformed",),
    }


def test_a_stored_draft_is_rebuilt_without_its_rules():
    """A store's draft reads back equal; an old "national" is None; rules that changed since do not apply."""
    draft = PollDraft.from_dict(draft_dict(audience=["3171"], links=["https://e.id/a"], max_choices=2))
    assert _stored_draft(draft.to_dict()) == draft
    assert _stored_draft({**draft.to_dict(), "audience": "national"}).audience is None
    # A region the table no longer knows, and a question the current rules refuse: read as stored.
    stored = _stored_draft({**draft.to_dict(), "audience": ["31.79"], "question": "a\u202eb"})
    assert (stored.audience, stored.question) == (("31.79",), "a\u202eb")


# --- transitions -----------------------------------------------------------------------------------------


def test_draft_is_edited_with_each_change_recorded():
    """Editing records the changed fields with their old and new values."""
    poll = new_poll()
    edited = poll.edited(PollDraft.from_dict(draft_dict(options=["Ya", "Tidak"])), OFFICER, OPENS)
    assert edited.version == 2
    assert edited.history[-1].action is PollAction.EDIT
    assert edited.history[-1].payload_dict() == {
        "options": {"from": ["Setuju", "Tidak setuju", "Ragu-ragu"], "to": ["Ya", "Tidak"]}
    }


def test_editing_without_a_change_records_nothing():
    """The same definition again is not a change."""
    poll = new_poll()
    assert poll.edited(poll.draft, OFFICER, OPENS) is poll


def test_open_poll_cannot_be_edited_or_opened_again():
    """Only a draft is edited or opened."""
    poll = new_poll().opened(OFFICER, OPENS)
    with pytest.raises(PollTransitionNotAllowed) as caught:
        poll.edited(new_poll(question="Lain?").draft, OFFICER, OPENS)
    assert caught.value.fields == {"poll_id": "p1", "action": "edit", "state": "open"}
    with pytest.raises(lc.TransitionNotAllowed):
        poll.opened(OFFICER, OPENS)


def test_draft_whose_closing_time_passed_cannot_open():
    """Opening needs a closing time in the future."""
    with pytest.raises(lc.ValidationError) as caught:
        new_poll().opened(OFFICER, CLOSES)
    assert fields_of(caught.value) == ["closes_at"]


def test_window_includes_opening_and_excludes_closing_instant():
    """Votes are accepted from opens_at inclusive to closes_at exclusive."""
    poll = new_poll().opened(OFFICER, OPENS - timedelta(days=1))
    tick = timedelta(microseconds=1)
    assert not poll.accepts_votes(OPENS - tick)
    assert poll.accepts_votes(OPENS)
    assert poll.accepts_votes(CLOSES - tick)
    assert not poll.accepts_votes(CLOSES)
    assert poll.state_at(CLOSES - tick) is PollState.OPEN
    assert poll.state_at(CLOSES) is PollState.CLOSED
    assert not new_poll().accepts_votes(OPENS)


def test_extension_moves_the_closing_time_and_is_recorded():
    """An open poll can be extended to a later closing time."""
    poll = new_poll().opened(OFFICER, OPENS)
    later = CLOSES + timedelta(days=3)
    extended = poll.extended(later.isoformat(), OFFICER, OPENS + timedelta(days=1))
    assert extended.draft.closes_at == later
    assert extended.history[-1].payload_dict() == {
        "closes_at": {"from": CLOSES.isoformat(), "to": later.isoformat()}
    }
    assert extended.accepts_votes(CLOSES)


@pytest.mark.parametrize("closes_at", [CLOSES, CLOSES - timedelta(days=1), "2026-05-01T00:00:00", None, 5])
def test_extension_must_be_later_and_aware(closes_at: object):
    """An extension that does not move the closing time later, or is not an aware time, is refused."""
    poll = new_poll().opened(OFFICER, OPENS)
    with pytest.raises(lc.ValidationError) as caught:
        poll.extended(closes_at, OFFICER, OPENS)  # type: ignore[arg-type]
    assert fields_of(caught.value) == ["closes_at"]


def test_draft_and_closed_polls_cannot_be_extended():
    """Extending is for open polls only (a draft is edited instead)."""
    with pytest.raises(PollTransitionNotAllowed):
        new_poll().extended(CLOSES + timedelta(days=1), OFFICER, OPENS)
    ended = new_poll().opened(OFFICER, OPENS)
    with pytest.raises(PollTransitionNotAllowed) as caught:
        ended.extended(CLOSES + timedelta(days=1), OFFICER, CLOSES)
    assert caught.value.state == "closed"


def test_closing_early_records_when_and_stops_voting():
    """Closing early sets closed_at to now; the poll is closed from then on."""
    poll = new_poll().opened(OFFICER, OPENS)
    now = OPENS + timedelta(days=2)
    closed = poll.closed(OFFICER, now)
    assert (closed.state, closed.closed_at, closed.ends_at) == (PollState.CLOSED, now, now)
    assert not closed.accepts_votes(now)
    assert closed.history[-1].payload_dict() == {"early": True, "closed_at": now.isoformat()}
    with pytest.raises(PollTransitionNotAllowed):
        closed.closed(OFFICER, now)


def test_closing_after_the_closing_time_records_the_closing_time():
    """A poll closed by hand after its time ended at its closing time."""
    closed = new_poll().opened(OFFICER, OPENS).closed(OFFICER, CLOSES + timedelta(days=1))
    assert closed.closed_at == CLOSES


def test_draft_cannot_be_closed():
    """Closing is for open polls."""
    with pytest.raises(PollTransitionNotAllowed):
        new_poll().closed(OFFICER, OPENS)


# --- the lifecycle machine ----------------------------------------------------------------------------------

# The flow as documented (docs/topics/polls.md): (state, action, closing time ahead) -> next state.
DOCUMENTED_MOVES = {
    (PollState.DRAFT, PollAction.EDIT, True): PollState.DRAFT,
    (PollState.DRAFT, PollAction.EDIT, False): PollState.DRAFT,
    (PollState.DRAFT, PollAction.OPEN, True): PollState.OPEN,
    (PollState.DRAFT, PollAction.OPEN, False): PollState.OPEN,
    (PollState.OPEN, PollAction.EXTEND, True): PollState.OPEN,
    (PollState.OPEN, PollAction.CLOSE, True): PollState.CLOSED,
    (PollState.OPEN, PollAction.CLOSE, False): PollState.CLOSED,
}


def test_the_transition_table_is_the_documented_flow():
    """Running the machine gives the documented moves, no more (a closed poll never moves) and no fewer."""
    assert dict(polls.TRANSITIONS) == DOCUMENTED_MOVES


def test_the_machine_lists_the_poll_states_once_with_poll_actions_as_events():
    """The machine's states are PollState's, draft first, closed final; its events are PollAction values."""
    machine = polls.PollLifecycle
    assert [state.value for state in machine.states] == [state.value for state in PollState]
    assert [state.value for state in machine.states if state.initial] == [PollState.DRAFT]
    assert [state.value for state in machine.final_states] == [PollState.CLOSED]
    assert {PollAction(event.id) for event in machine.events} == set(PollAction) - {PollAction.CREATE}


def test_extending_is_guarded_by_a_condition_of_the_machine():
    """The machine itself refuses to extend an open poll whose closing time has passed."""

    @attrs.define
    class Model:
        closing_ahead: bool
        state: PollState | None = None

    machine = polls.PollLifecycle(Model(closing_ahead=False), start_value=PollState.OPEN)
    assert "extend" not in {event.id for event in machine.enabled_events()}
    with pytest.raises(TransitionNotAllowedByLibrary):
        machine.send("extend")
    ahead = polls.PollLifecycle(Model(closing_ahead=True), start_value=PollState.OPEN)
    ahead.send("extend")
    assert ahead.current_state_value == PollState.OPEN


@given(
    recorded=st.sampled_from(PollState),
    action=st.sampled_from([PollAction.EDIT, PollAction.OPEN, PollAction.EXTEND, PollAction.CLOSE]),
    offset_hours=st.integers(min_value=-48, max_value=48),
)
def test_every_poll_transition_moves_as_the_flow_says_or_is_refused(
    recorded: PollState, action: PollAction, offset_hours: int
):
    """Each transition method lands in the documented state, or refuses naming the state at that instant."""
    poll = attrs.evolve(new_poll(), state=recorded)
    at = CLOSES + timedelta(hours=offset_hours)
    expected = DOCUMENTED_MOVES.get((recorded, action, at < CLOSES))
    later = CLOSES + timedelta(days=60)
    run = {
        PollAction.EDIT: lambda: poll.edited(new_poll(question="Lain?").draft, OFFICER, at),
        PollAction.OPEN: lambda: poll.opened(OFFICER, at),
        PollAction.EXTEND: lambda: poll.extended(later, OFFICER, at),
        PollAction.CLOSE: lambda: poll.closed(OFFICER, at),
    }[action]
    if expected is None:
        with pytest.raises(PollTransitionNotAllowed) as caught:
            run()
        assert caught.value.fields == {
            "poll_id": "p1",
            "action": action.value,
            "state": poll.state_at(at).value,
        }
    elif action is PollAction.OPEN and at >= CLOSES:
        with pytest.raises(lc.ValidationError):  # the move exists; opening needs a closing time ahead
            run()
    else:
        moved = run()
        assert (moved.state, moved.history[-1].action) == (expected, action)


def test_importing_and_drafting_polls_does_not_load_the_state_machine_library():
    """python-statemachine (and asyncio) load on a poll's first transition, not with lapor_core."""
    code = (
        "import sys\n"
        "from datetime import datetime, timedelta, timezone\n"
        "import lapor_core\n"
        "from lapor_core._domain.history import Actor\n"
        "from lapor_core._domain.polls import Poll, PollDraft\n"
        "wib = timezone(timedelta(hours=7))\n"
        "draft = PollDraft('Perlu?', ['Ya', 'Tidak'], datetime(2026, 4, 1, tzinfo=wib),\n"
        "                  datetime(2026, 4, 30, tzinfo=wib))\n"
        "actor = Actor('institution', 'off-7', '31.71')\n"
        "poll = Poll.create('p1', '31.71', draft, actor, draft.opens_at)\n"
        "print('statemachine' in sys.modules)\n"
        "poll.opened(actor, draft.opens_at)\n"
        "print('statemachine' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "True"]


def test_poll_errors_live_in_lapor_core_errors():
    """Each poll error is defined in lapor_core.errors, drawn in its tree, and is the one polls raise."""
    for error in (PollTransitionNotAllowed, PollNotAllowed, PollConflict):
        assert error.__module__ == "lapor_core.errors"
        assert error.__name__ in errors_module.__all__
        assert error.__name__ not in polls.__all__  # one home: the errors module, not a re-export
        assert error.__name__ in (errors_module.__doc__ or "")


def test_a_state_the_catalogue_does_not_name_is_shown_as_written():
    """A refusal's state without a poll.status label is described as is, not as a missing message code."""
    error = PollTransitionNotAllowed(poll_id="p1", action="vote", state="paused")
    assert error.describe("en") == "poll p1: cannot vote while paused"
    assert PollTransitionNotAllowed(poll_id="p1", action="vote", state="open").describe("en") == (
        "poll p1: cannot vote while Open"
    )


@pytest.mark.parametrize(
    ("results", "state", "at", "published"),
    [
        ("live", "draft", OPENS, False),
        ("live", "open", OPENS - timedelta(days=1), True),
        ("live", "open", OPENS, True),
        ("after_close", "open", CLOSES - timedelta(seconds=1), False),
        ("after_close", "open", CLOSES, True),
        ("after_close", "closed", OPENS + timedelta(days=1), True),
    ],
)
def test_results_are_published_per_the_polls_rule(results: str, state: str, at: datetime, published: bool):
    """Live results from opening; after_close results only once voting has ended."""
    poll = new_poll(results=results)
    if state != "draft":
        poll = poll.opened(OFFICER, OPENS - timedelta(days=1))
    if state == "closed":
        poll = poll.closed(OFFICER, OPENS)
    assert poll.results_published(at) is published


def test_poll_errors_are_the_general_errors_and_survive_pickling():
    """Poll errors subclass the errors callers catch, and keep their fields across processes."""
    errors = [
        PollTransitionNotAllowed(poll_id="p1", action="vote", state="closed"),
        PollNotAllowed(poll_id="p1", action="vote", reason="poll.vote_not_verified"),
        PollConflict(poll_id="p1", expected_version=2, actual_version=3),
    ]
    assert isinstance(errors[0], lc.TransitionNotAllowed)
    assert isinstance(errors[1], lc.NotAllowed)
    assert isinstance(errors[1], PermissionError)
    assert isinstance(errors[2], lc.ConcurrencyConflict)
    for error in errors:
        copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own object
        assert (type(copy), copy.fields, str(copy)) == (type(error), error.fields, str(error))
        assert "p1" in str(error)


@pytest.mark.parametrize("text", ["", "a b", "x" * 65, "ä", "../etc"])
def test_malformed_poll_ids_are_not_found(text: str):
    """A string no poll can have is NotFound, like an unknown one."""
    with pytest.raises(lc.NotFound):
        check_poll_id(text)


def test_poll_id_of_the_wrong_type_is_a_validation_error():
    """A poll ID must be a string."""
    with pytest.raises(lc.ValidationError):
        check_poll_id(42)


# --- counting --------------------------------------------------------------------------------------------


def test_count_ballots_counts_options_and_both_region_levels():
    """A ballot counts in the national, province and regency counts; unknown parts count nowhere."""
    tally = count_ballots(
        3,
        [Ballot((0, 2), "31", "31.71"), Ballot((1,), "31", None), Ballot((2,), None, None)],
    )
    assert (tally.ballots, tally.votes) == (3, (1, 1, 2))
    assert tally.region("31") == RegionCount(2, (1, 1, 1))
    assert tally.region("31.71") == RegionCount(1, (1, 0, 1))
    assert tally.region("32") is None


def test_tally_drops_regions_without_ballots_and_sorts_them():
    """Regions are kept in code order and only with ballots."""
    tally = Tally(1, (1, 0), [("32", RegionCount(1, (1, 0))), ("31", RegionCount(0, (0, 0)))])
    assert tally.regions == (("32", RegionCount(1, (1, 0))),)
    assert Tally.empty(2) == Tally(0, (0, 0))


# --- Wilson intervals ------------------------------------------------------------------------------------

Z = statistics.NormalDist().inv_cdf(0.975)


def reference_wilson(k: int, n: int) -> tuple[float, float]:
    """The Wilson interval as the two roots of (n + z^2) p^2 - (2k + z^2) p + k^2 / n = 0, to 60 digits.

    Squaring |k/n - p| = z * sqrt(p (1 - p) / n) gives this quadratic; it is solved here in decimal
    arithmetic, independently of the library's centre-and-half-width form in floating point.
    """
    with decimal.localcontext() as context:
        context.prec = 60
        z2 = Decimal(Z) * Decimal(Z)
        a = n + z2
        b = -(2 * k + z2)
        c = Decimal(k * k) / n
        root = (b * b - 4 * a * c).sqrt()
        return (float((-b - root) / (2 * a)), float((-b + root) / (2 * a)))


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        # Newcombe, "Two-sided confidence intervals for the single proportion", Stat. Med. 1998, Table I.
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_interval_matches_published_values(k: int, n: int, low: float, high: float):
    """The textbook examples, to the four decimals they are published with."""
    got = wilson_interval(k, n)
    assert (round(got[0], 4), round(got[1], 4)) == (low, high)


@given(n=st.integers(1, 10**9), data=st.data())
def test_wilson_interval_matches_the_reference_computation(n: int, data: st.DataObject):
    """For any k of n the interval equals the roots of the Wilson quadratic."""
    k = data.draw(st.integers(0, n))
    low, high = wilson_interval(k, n)
    ref_low, ref_high = reference_wilson(k, n)
    assert low == pytest.approx(max(ref_low, 0.0), rel=1e-9, abs=1e-15)
    assert high == pytest.approx(min(ref_high, 1.0), rel=1e-9, abs=1e-15)


@given(n=st.integers(1, 10**7), data=st.data())
def test_wilson_interval_holds_the_share_and_stays_in_the_unit_interval(n: int, data: st.DataObject):
    """0 <= low <= k/n <= high <= 1, exactly 0 and 1 at the ends, and symmetric under k -> n - k."""
    k = data.draw(st.integers(0, n))
    low, high = wilson_interval(k, n)
    assert 0.0 <= low <= k / n <= high <= 1.0
    assert (low == 0.0) == (k == 0)
    assert (high == 1.0) == (k == n)
    mirror = wilson_interval(n - k, n)
    assert mirror[0] == pytest.approx(1 - high, abs=1e-12)
    assert mirror[1] == pytest.approx(1 - low, abs=1e-12)


def test_wilson_interval_of_nothing_is_everything():
    """With no trials nothing is known: [0, 1]."""
    assert wilson_interval(0, 0) == (0.0, 1.0)
    assert wilson_interval(0, 1) == (0.0, pytest.approx(reference_wilson(0, 1)[1]))


@pytest.mark.parametrize(("k", "n"), [(-1, 5), (6, 5), (0, -1), ("1", 5), (1, 5.0), (True, 5), (None, None)])
def test_wilson_interval_refuses_impossible_counts(k: object, n: object):
    """Successes and trials are whole numbers with 0 <= successes <= trials; a ValidationError says so."""
    with pytest.raises(lc.ValidationError) as caught:
        wilson_interval(k, n)  # type: ignore[arg-type]
    assert caught.value.fields_by_name == {"successes": ("poll.wilson_counts_invalid",)}
    assert isinstance(caught.value, ValueError)


# --- results and suppression -----------------------------------------------------------------------------

_PLACES = [
    ("31", "31.71"),
    ("31", "31.72"),
    ("31", "31.73"),
    ("32", "32.73"),
    ("32", "32.04"),
    ("73", "73.71"),
]


@st.composite
def tallies(draw: st.DrawFn, *, partial_regions: bool = True) -> tuple[int, int, Tally]:
    """(options, max_choices, tally) of random ballots over a few regions, with random counts per group."""
    options = draw(st.integers(2, 5))
    most = draw(st.integers(1, options))
    places = list(_PLACES) + ([("31", None), (None, None)] if partial_regions else [])
    groups = draw(
        st.lists(
            st.tuples(
                st.sampled_from(places),
                st.sets(st.integers(0, options - 1), min_size=1, max_size=most),
                st.integers(1, 40),
            ),
            max_size=12,
        )
    )
    ballots: list[Ballot] = []
    for (province, regency), choices, count in groups:
        ballots += [Ballot(tuple(sorted(choices)), province, regency)] * count
    return options, most, count_ballots(options, ballots)


def published_cells(results: Any) -> Iterable[tuple[str, int, int | None]]:
    """Every breakdown cell of the results as (region, column, value); column -1 is the ballots."""
    for row in (*results.by_province, *results.by_regency):
        yield row.region, -1, row.total
        for index, votes in enumerate(row.votes):
            yield row.region, index, votes


def results_of(options: int, most: int, tally: Tally, threshold: int = 10) -> Any:
    """Results of a poll with these options over ``tally``."""
    draft = PollDraft(
        "Q?", [f"O{i}" for i in range(options)], OPENS, CLOSES, max_choices=most, results="live"
    )
    poll = Poll.create("p1", "31.71", draft, OFFICER, OPENS).opened(OFFICER, OPENS)
    return compute_results(poll, tally, as_of=CLOSES, threshold=threshold)


@settings(max_examples=200)
@given(case=tallies(), threshold=st.integers(1, 30))
def test_no_breakdown_cell_under_the_threshold_is_ever_returned(case: tuple[int, int, Tally], threshold: int):
    """Every published breakdown cell is None or at least the threshold."""
    results = results_of(*case, threshold=threshold)
    for _, _, value in published_cells(results):
        assert value is None or value >= threshold


@settings(max_examples=200)
@given(case=tallies())
def test_published_cells_are_the_true_counts(case: tuple[int, int, Tally]):
    """What is shown equals the tally, the national figures included."""
    options, most, tally = case
    results = results_of(options, most, tally)
    assert results.total == tally.ballots
    assert tuple(o.votes for o in results.options) == tally.votes
    for region, column, value in published_cells(results):
        count = tally.region(region)
        assert count is not None
        if value is not None:
            assert value == (count.ballots if column == -1 else count.votes[column])


def solve(
    relations: list[tuple[tuple[str, int], list[tuple[str, int]]]], known: dict[Any, int]
) -> dict[Any, int]:
    """What a reader works out by subtraction: each relation is total = sum(parts) over known cells."""
    known = dict(known)
    changed = True
    while changed:
        changed = False
        for total, parts in relations:
            cells = [total, *parts]
            unknown = [c for c in cells if c not in known]
            if len(unknown) != 1:
                continue
            missing = unknown[0]
            if missing == total:
                known[missing] = sum(known[p] for p in parts)
            else:
                known[missing] = known[total] - sum(known[p] for p in parts if p != missing)
            changed = True
    return known


def relations_of(tally: Tally, single_choice: bool) -> list[tuple[tuple[str, int], list[tuple[str, int]]]]:
    """The additions linking the cells of a tally whose every ballot has a province and a regency."""
    columns = range(-1, len(tally.votes))
    codes = [code for code, _ in tally.regions]
    relations = []
    for column in columns:
        relations.append(((NATIONAL, column), [(c, column) for c in codes if len(c) == 2]))
        for province in (c for c in codes if len(c) == 2):
            parts = [(c, column) for c in codes if len(c) == 5 and c.startswith(province)]
            if parts:
                relations.append(((province, column), parts))
    if single_choice:
        relations.extend(((code, -1), [(code, i) for i in columns if i >= 0]) for code in codes)
    return relations


@settings(max_examples=300)
@given(case=tallies(partial_regions=False), threshold=st.integers(2, 30))
def test_suppressed_cells_cannot_be_worked_out_by_subtraction(case: tuple[int, int, Tally], threshold: int):
    """A reader who subtracts published counts learns no hidden cell the national figures did not give."""
    options, most, tally = case
    results = results_of(options, most, tally, threshold)
    national = {(NATIONAL, -1): tally.ballots} | {(NATIONAL, i): v for i, v in enumerate(tally.votes)}
    shown = {(r, c): v for r, c, v in published_cells(results) if v is not None}
    relations = relations_of(tally, single_choice=most == 1)
    from_national_alone = solve(relations, national)
    learned = solve(relations, national | shown)
    newly_learned = set(learned) - set(shown) - set(from_national_alone)
    assert not newly_learned
    for cell, value in learned.items():
        count = tally.region(cell[0]) if cell[0] else None
        if count is not None:
            assert value == (count.ballots if cell[1] == -1 else count.votes[cell[1]])


@settings(max_examples=200)
@given(case=tallies(), threshold=st.integers(1, 30))
def test_suppression_leaves_no_line_with_a_single_hidden_cell(case: tuple[int, int, Tally], threshold: int):
    """Every row and column has no hidden cell or at least two (counting cells the national gives)."""
    options, most, tally = case
    hidden = suppressed_cells(tally, threshold=threshold, single_choice=most == 1)
    national = {(NATIONAL, -1): 0} | {(NATIONAL, i): 0 for i in range(options)}
    derivable = set(solve(relations_of(tally, most == 1), national))
    for total, parts in relations_of(tally, most == 1):
        secret = [c for c in (total, *parts) if c in hidden and c not in derivable]
        assert len(secret) != 1


def test_small_cells_and_their_complements_are_suppressed():
    """Under 10 is hidden, and so is the next-smallest cell of the same row and column."""
    ballots = (
        [Ballot((0,), "31", "31.71")] * 40
        + [Ballot((1,), "31", "31.71")] * 4
        + [Ballot((0,), "32", "32.73")] * 30
        + [Ballot((1,), "32", "32.73")] * 25
        + [Ballot((0,), "73", "73.71")] * 50
        + [Ballot((1,), "73", "73.71")] * 60
    )
    results = results_of(2, 1, count_ballots(2, ballots))
    rows = {row.region: (row.total, row.votes) for row in results.by_province}
    assert rows == {"31": (44, (None, None)), "32": (55, (None, None)), "73": (110, (50, 60))}


def test_regions_whose_every_cell_is_suppressed_are_left_out():
    """A region with fewer ballots than the threshold does not appear at all."""
    ballots = [Ballot((0,), "31", "31.71")] * 30 + [Ballot((1,), "31", "31.71")] * 30
    ballots += [Ballot((0,), "32", "32.73")] * 3 + [Ballot((0,), "33", "33.74")] * 4
    results = results_of(2, 1, count_ballots(2, ballots))
    assert "32" not in [row.region for row in results.by_province]
    assert "33" not in [row.region for row in results.by_province]


def test_results_give_shares_and_wilson_intervals_per_option():
    """Each option has votes, share of ballots and the Wilson 95% interval; names come from the table."""
    ballots = [Ballot((0,), "31", "31.71")] * 81 + [Ballot((1,), "31", "31.71")] * 182
    results = results_of(2, 1, count_ballots(2, ballots))
    first = results.options[0]
    assert (results.total, first.label, first.votes) == (263, "O0", 81)
    assert first.share == pytest.approx(81 / 263)
    assert (round(first.ci_low, 4), round(first.ci_high, 4)) == (0.2553, 0.3662)
    assert results.by_province[0].name == "Daerah Khusus Ibukota Jakarta"
    assert results.closed


def test_results_of_a_poll_without_ballots_are_zero_with_the_whole_interval():
    """No ballot: zero votes, share 0 and the interval [0, 1]; no breakdown rows."""
    results = results_of(3, 1, Tally.empty(3))
    assert results.total == 0
    assert [(o.votes, o.share, o.ci_low, o.ci_high) for o in results.options] == [(0, 0.0, 0.0, 1.0)] * 3
    assert results.by_province == results.by_regency == ()


@pytest.mark.parametrize("threshold", [0, -3, 2.5, True, "10", None])
def test_results_refuse_a_threshold_under_one(threshold: object):
    """Zero would publish everything; it and anything not a whole number is refused with a code."""
    with pytest.raises(lc.ValidationError) as caught:
        results_of(2, 1, Tally.empty(2), threshold=threshold)  # type: ignore[arg-type]
    assert caught.value.fields_by_name == {"threshold": ("poll.threshold_invalid",)}
    assert results_of(2, 1, Tally.empty(2), threshold=1).threshold == 1


def test_results_serialise_to_json_ready_data():
    """lc.to_dict gives plain data, with None for suppressed cells."""
    ballots = [Ballot((0,), "31", "31.71")] * 12 + [Ballot((1,), "32", "32.73")] * 12
    data = lc.to_dict(results_of(2, 1, count_ballots(2, ballots)))
    assert data["total"] == 24
    assert data["options"][0] == {
        "index": 0,
        "label": "O0",
        "votes": 12,
        "share": 0.5,
        "ci_low": pytest.approx(reference_wilson(12, 24)[0]),
        "ci_high": pytest.approx(reference_wilson(12, 24)[1]),
    }
    assert [(row["region"], row["total"], row["votes"]) for row in data["by_province"]] == [
        ("31", 12, [None, None]),
        ("32", 12, [None, None]),
    ]
