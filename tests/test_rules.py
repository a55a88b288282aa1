"""The rules issue 16 names: topics, half points, string flags, bidi controls, normalised queries."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import lapor_core as lc
from lapor_core._domain.ports import ComplaintQuery
from lapor_core._domain.topics import TopicTree

PEPPER = "rules-test pepper 0123456789"
ADMIN = lc.Principal.admin("adm-1")
MINIMAL = {"kind": "pengaduan", "channel": "web", "title": "Jalan rusak", "body": "Berlubang."}


def _desk(**options: object) -> lc.ComplaintDesk:
    return lc.ComplaintDesk.open("memory://", pepper=PEPPER, **options)  # type: ignore[arg-type]


def _codes(error: lc.ValidationError) -> list[tuple[str, str]]:
    return [(e.field, e.code) for e in error.errors]


def test_an_unknown_topic_is_refused_at_submission_and_nothing_is_stored() -> None:
    """category="nope" is a ValidationError naming the category; the store stays empty."""
    desk = _desk()
    with pytest.raises(lc.ValidationError) as caught:
        desk.submit(lc.Submission.from_dict({**MINIMAL, "category": "nope"}))
    assert _codes(caught.value) == [("category", "topic.unknown")]
    assert caught.value.messages("en") == ("category: is not a known topic",)
    assert desk.complaints(ADMIN).items == ()


def test_an_unknown_topic_is_refused_at_forwarding_and_the_complaint_is_unchanged() -> None:
    """forward(..., category="nope") refuses before anything is recorded."""
    desk = _desk()
    receipt = desk.submit(lc.Submission.from_dict(MINIMAL))
    with pytest.raises(lc.ValidationError) as caught:
        desk.forward(ADMIN, receipt.tracking_id, institution="31.71", category="nope")
    assert _codes(caught.value) == [("category", "topic.unknown")]
    assert desk.view(ADMIN, receipt.tracking_id).status is lc.Status.SUBMITTED
    assert len(desk.history(ADMIN, receipt.tracking_id)) == 1


def test_a_topic_of_the_shipped_tree_is_accepted() -> None:
    """A real topic ID of the default tree passes at submission and forwarding."""
    topic = next(iter(TopicTree.default())).id
    desk = _desk()
    receipt = desk.submit(lc.Submission.from_dict({**MINIMAL, "category": topic}))
    view = desk.forward(ADMIN, receipt.tracking_id, institution="31.71", category=topic)
    assert view.category == topic


def test_the_desk_takes_its_own_topic_tree() -> None:
    """topics= replaces the shipped tree: its topics pass, the shipped ones no longer do."""
    tree = TopicTree.from_dict({"topics": [{"id": "air", "name_id": "Air bersih", "name_en": "Water"}]})
    desk = _desk(topics=tree)
    assert desk.submit(lc.Submission.from_dict({**MINIMAL, "category": "air"})).tracking_id
    shipped = next(iter(TopicTree.default())).id
    with pytest.raises(lc.ValidationError):
        desk.submit(lc.Submission.from_dict({**MINIMAL, "category": shipped}))


@pytest.mark.parametrize("value", ["yes", "true", "1", 1, 0, None, [], "false"])
@pytest.mark.parametrize("flag", ["anonymous", "confidential"])
def test_flags_are_booleans_never_strings_read_as_false(flag: str, value: object) -> None:
    """A flag given as "yes", 1 or null is refused, never silently read as False."""
    with pytest.raises(lc.ValidationError) as caught:
        lc.Submission.from_dict({**MINIMAL, flag: value})
    assert _codes(caught.value) == [(flag, "value.not_boolean")]


@pytest.mark.parametrize(
    "control", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2069"]
)
@pytest.mark.parametrize("field", ["title", "body"])
def test_bidirectional_controls_are_refused_in_text(field: str, control: str) -> None:
    """U+202A-202E and U+2066-2069 would make a title read otherwise than it is stored."""
    with pytest.raises(lc.ValidationError) as caught:
        lc.Submission.from_dict({**MINIMAL, field: f"abc{control}fed"})
    assert _codes(caught.value) == [(field, "text.bidi_control")]


def test_other_right_to_left_text_is_kept() -> None:
    """Arabic script (Jawi) and the marks U+200E/U+200F are ordinary text, not controls."""
    submission = lc.Submission.from_dict({**MINIMAL, "title": "\u062c\u0627\u0644\u0646 \u200f"})
    assert submission.title.startswith("\u062c")


@given(lat=st.floats(min_value=-11.5, max_value=6.5), lon=st.floats(min_value=94.5, max_value=141.5))
def test_points_inside_indonesia_are_accepted_whole(lat: float, lon: float) -> None:
    """Any point in the box is accepted, and only as a pair."""
    location = lc.Location(lat=lat, lon=lon)
    assert (location.lat, location.lon) == (lat, lon)
    with pytest.raises(lc.ValidationError):
        lc.Location(lat=lat)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        (
            {"statuses": {"forwarded", lc.Status.CLOSED}},
            {"statuses": frozenset({lc.Status.FORWARDED, lc.Status.CLOSED})},
        ),
        ({"region_prefix": "3171"}, {"region_prefix": "31.71"}),
        ({"region_prefix": " 31.71.01 "}, {"region_prefix": "31.71.01"}),
        ({"kind": "aspirasi"}, {"kind": lc.Kind.ASPIRASI}),
        ({"order": "-submitted_at"}, {"order": "-submitted_at"}),
    ],
)
def test_queries_are_normalised_when_made(kwargs: dict[str, object], expected: dict[str, object]) -> None:
    """Strings become enums and undotted region codes dotted, once, so every store reads the same query."""
    query = ComplaintQuery(**kwargs)  # type: ignore[arg-type]
    for name, value in expected.items():
        assert getattr(query, name) == value


@pytest.mark.parametrize(
    ("kwargs", "field", "code"),
    [
        ({"statuses": "forwarded"}, "statuses", "filter.not_collection"),
        ({"statuses": {"lost"}}, "statuses", "value.not_choice"),
        ({"region_prefix": "31x"}, "region_prefix", None),
        ({"limit": 0}, "limit", "query.limit_out_of_range"),
        ({"limit": 1001}, "limit", "query.limit_out_of_range"),
        ({"limit": True}, "limit", "query.limit_out_of_range"),
        ({"submitted_from": "2026-01-01"}, "submitted_from", "value.not_datetime"),
        ({"cursor": "x" * 600}, "cursor", "query.cursor_malformed"),
        ({"cursor": ""}, "cursor", "query.cursor_malformed"),
    ],
)
def test_bad_query_filters_are_named(kwargs: dict[str, object], field: str, code: str | None) -> None:
    """Every bad filter is a ValidationError naming it, at construction, before any store sees it."""
    with pytest.raises(lc.ValidationError) as caught:
        ComplaintQuery(**kwargs)  # type: ignore[arg-type]
    assert [e.field for e in caught.value.errors] == [field]
    if code is not None:
        assert caught.value.errors[0].code == code


def test_a_naive_datetime_in_a_query_is_refused() -> None:
    """submitted_before without a time zone is refused (stores would read it differently)."""
    from datetime import datetime

    with pytest.raises(lc.ValidationError) as caught:
        ComplaintQuery(submitted_before=datetime(2026, 1, 1))  # noqa: DTZ001 - naive on purpose
    assert caught.value.errors[0].code == "instant.naive"


def test_undotted_region_prefix_matches_like_the_dotted_one() -> None:
    """ComplaintQuery(region_prefix="3171") finds what "31.71" finds (it used to match nothing)."""
    desk = _desk()
    desk.submit(lc.Submission.from_dict({**MINIMAL, "location": {"region": "31.71.01"}}))
    dotted = desk.complaints(ADMIN, ComplaintQuery(region_prefix="31.71")).items
    undotted = desk.complaints(ADMIN, ComplaintQuery(region_prefix="3171")).items
    assert len(dotted) == 1
    assert [v.tracking_id for v in undotted] == [v.tracking_id for v in dotted]


@pytest.mark.parametrize("principal", [None, "admin", 5, {"role": "admin"}])
def test_a_command_without_a_principal_is_refused_as_bad_input(principal: object) -> None:
    """A value that is not a Principal is a ValidationError naming the principal, never AttributeError."""
    desk = _desk()
    receipt = desk.submit(lc.Submission.from_dict(MINIMAL))
    with pytest.raises(lc.ValidationError) as caught:
        desk.view(principal, receipt.tracking_id)  # type: ignore[arg-type]
    assert caught.value.errors[0].code == "principal.wrong_type"
    with pytest.raises(lc.ValidationError):
        desk.complaints(principal)  # type: ignore[arg-type]
