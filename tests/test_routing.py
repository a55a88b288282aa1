from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lapor_core as lc
from desk_support import make_desk, submission
from lapor_core._application import statistics
from lapor_core._domain.regions import normalize_code
from lapor_core._domain.routing import PROVINCE, REGENCY, RoutingRule, RoutingRules, Suggestion
from lapor_core._domain.topics import TopicTree

DIRECTORY = lc.InstitutionDirectory.default()
TOPICS = TopicTree.default()
DEFAULT = RoutingRules.default()


def codes(suggestions: tuple[Suggestion, ...]) -> list[str]:
    """The institution codes, in rank order."""
    return [s.institution for s in suggestions]


# --- the default rules -------------------------------------------------------------------------------------


def test_civil_registration_goes_first_to_the_regency_then_to_dukcapil() -> None:
    """A KTP problem in Kota Bandung: the city's Disdukcapil, then the ministry, then the province."""
    top = DEFAULT.suggest(topic="identity-card", region="32.73.01", directory=DIRECTORY)
    assert codes(top) == ["32.73", "kemendagri", "32"]
    assert top[0].name == "Pemerintah Kota Bandung"
    assert top[0].score == 0.85
    assert top[0].reasons == ("routing.why.civil_registration", "routing.why.regency_services")
    assert "Disdukcapil" in top[0].messages("en")[0]
    assert (
        top[0]
        .messages()[0]
        .startswith("administrasi kependudukan (Disdukcapil) adalah urusan kabupaten/kota")
    )


def test_national_health_insurance_goes_to_bpjs_first() -> None:
    """JKN complaints go to BPJS Kesehatan before any regional government."""
    assert codes(DEFAULT.suggest(topic="health-insurance", region="73.71", directory=DIRECTORY))[0] == (
        "bpjs-kesehatan"
    )


def test_without_a_region_only_central_institutions_are_suggested() -> None:
    """Regional rules need a location; village funds without one go to the ministry."""
    assert codes(DEFAULT.suggest(topic="village-fund-misuse", region=None, directory=DIRECTORY)) == [
        "kemendes"
    ]


def test_without_a_topic_the_local_governments_are_suggested() -> None:
    """An unlabelled report in Jayapura: the city, then Papua province."""
    assert codes(DEFAULT.suggest(topic=None, region="91.71", directory=DIRECTORY)) == ["91.71", "91"]


def test_an_unknown_topic_counts_as_no_topic() -> None:
    """A topic outside the tree matches only the rules for any topic."""
    unknown = DEFAULT.suggest(topic="no-such-topic", region="31.71", directory=DIRECTORY)
    assert codes(unknown) == codes(DEFAULT.suggest(topic=None, region="31.71", directory=DIRECTORY))


def test_a_province_level_location_cannot_name_a_regency() -> None:
    """Located only in DKI Jakarta: the province, never a guessed city."""
    found = codes(DEFAULT.suggest(topic="waste", region="31", directory=DIRECTORY))
    assert "31" in found
    assert all(len(code) != 5 for code in found)


def test_institutions_missing_from_the_directory_are_skipped() -> None:
    """A directory without BPJS Kesehatan never gets it suggested."""
    small = lc.InstitutionDirectory([i for i in DIRECTORY.institutions() if i.code != "bpjs-kesehatan"])
    assert "bpjs-kesehatan" not in codes(
        DEFAULT.suggest(topic="health-insurance", region=None, directory=small)
    )


def test_the_limit_cuts_the_list() -> None:
    """At most ``limit`` suggestions; zero or less gives none."""
    assert len(DEFAULT.suggest(topic="health", region="31.71", directory=DIRECTORY, limit=2)) == 2
    assert DEFAULT.suggest(topic="health", region="31.71", directory=DIRECTORY, limit=0) == ()


@settings(max_examples=150)
@given(
    topic=st.one_of(st.none(), st.sampled_from([t.id for t in TOPICS]), st.text(max_size=20)),
    region=st.one_of(st.none(), st.sampled_from([r.code for r in lc.RegionTable.default()][::7])),
)
def test_suggestions_are_known_unique_and_ranked(topic: str | None, region: str | None) -> None:
    """Every suggestion is in the directory, once, with reasons, best score first."""
    found = DEFAULT.suggest(topic=topic, region=region, directory=DIRECTORY)
    assert len({s.institution for s in found}) == len(found)
    assert all(s.institution in DIRECTORY and s.reasons and 0 < s.score <= 1 for s in found)
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)


# --- rules as data -----------------------------------------------------------------------------------------


def test_own_rules_with_regions_and_templates() -> None:
    """A rule limited to a province outranks the general one there, and only there."""
    rules = RoutingRules(
        [
            RoutingRule(REGENCY, 0.5, why="local"),
            RoutingRule("pln", 0.9, topic="infrastructure", region="91", why="electricity in Papua"),
            RoutingRule(PROVINCE, 0.5, topic="roads-bridges", why="provincial roads"),
        ]
    )
    papua = rules.suggest(topic="street-lighting", region="91.71.01", directory=DIRECTORY)
    assert codes(papua) == ["pln", "91.71"]
    java = rules.suggest(topic="street-lighting", region="32.73", directory=DIRECTORY)
    assert codes(java) == ["32.73"]
    roads = rules.suggest(topic="roads-bridges", region="32.73", directory=DIRECTORY)
    assert codes(roads) == ["32", "32.73"]  # equal weight: the more specific rule first
    assert repr(rules) == "<RoutingRules: 3 rules>"
    assert len(rules.rules) == 3


def test_rules_load_from_a_dict() -> None:
    """Records with the rule's attributes load; every problem is named with its position."""
    rules = RoutingRules.from_dict(
        {"rules": [{"institution": "pln", "weight": 0.7, "topic": "infrastructure"}]}
    )
    assert codes(rules.suggest(topic="street-lighting", region=None, directory=DIRECTORY)) == ["pln"]
    with pytest.raises(lc.ValidationError) as caught:
        RoutingRules.from_dict(
            {
                "rules": [
                    {"institution": "", "weight": 0},
                    "pln",
                    {"weight": 0.5},
                    {"institution": "pln", "weight": 0.5, "colour": "red"},
                    {"institution": "pln", "weight": True, "region": 31},
                ]
            }
        )
    assert caught.value.fields_by_name == {
        "rules[0].institution": ("routing.bad_institution",),
        "rules[0].weight": ("routing.weight_out_of_range",),
        "rules[1]": ("value.not_mapping",),
        "rules[2].institution": ("value.required",),
        "rules[3].colour": ("field.unknown",),
        "rules[4].weight": ("routing.weight_out_of_range",),
        "rules[4].region": ("value.not_string",),
    }


@pytest.mark.parametrize(
    ("fields", "bad", "code"),
    [
        ({"institution": "pln", "weight": 1.5}, "weight", "routing.weight_out_of_range"),
        ({"institution": "pln", "weight": float("nan")}, "weight", "routing.weight_out_of_range"),
        ({"institution": "x" * 201, "weight": 0.5}, "institution", "routing.bad_institution"),
        ({"institution": "pln", "weight": 0.5, "topic": "Kesehatan"}, "topic", "topic.malformed_id"),
        ({"institution": "pln", "weight": 0.5, "region": "31.7"}, "region", "region.malformed_code"),
        ({"institution": "pln", "weight": 0.5, "why": "x" * 201}, "why", "text.too_long"),
        ({"institution": "pln", "weight": 0.5, "why": "a\u202eb"}, "why", "text.bidi_control"),
    ],
)
def test_a_malformed_rule_is_refused(fields: dict[str, object], bad: str, code: str) -> None:
    """Weights outside (0, 1], malformed topics and regions, huge text: errors naming attribute and rule."""
    with pytest.raises(lc.ValidationError) as caught:
        RoutingRule(**fields)  # type: ignore[arg-type]
    assert caught.value.fields_by_name == {bad: (code,)}


def test_a_rule_reports_every_bad_attribute_at_once_the_same_way_from_a_mapping() -> None:
    """Direct construction and from_dict list every bad attribute; from_dict adds unknown keys."""
    bad: dict[str, object] = {"institution": 5, "weight": None, "topic": "Health", "region": "31.7", "why": 3}
    with pytest.raises(lc.ValidationError) as direct:
        RoutingRule(**bad)  # type: ignore[arg-type]
    assert [(e.field, e.code) for e in direct.value.errors] == [
        ("institution", "routing.bad_institution"),
        ("weight", "value.required"),
        ("topic", "topic.malformed_id"),
        ("region", "region.malformed_code"),
        ("why", "value.not_string"),
    ]
    with pytest.raises(lc.ValidationError) as read:
        RoutingRule.from_dict({**bad, "colour": "red"})
    assert read.value.errors[:5] == direct.value.errors
    assert read.value.fields_by_name["colour"] == ("field.unknown",)


rule_junk = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)


@given(
    st.sampled_from(["pln", REGENCY]) | rule_junk,
    st.sampled_from([0.5, 1]) | rule_junk,
    st.fixed_dictionaries(
        {},
        optional={
            "topic": st.sampled_from(["health", " "]) | rule_junk,
            "region": st.sampled_from(["3273", "32.73.01"]) | rule_junk,
            "why": rule_junk,
        },
    ),
)
def test_a_rule_on_junk_is_a_rule_or_a_validation_error_and_from_dict_agrees(
    institution: object, weight: object, optional: dict[str, object]
) -> None:
    """Only ValidationError escapes the constructor; from_dict gives the same rule or the same errors."""
    values = {"institution": institution, "weight": weight, **optional}
    try:
        direct: RoutingRule | lc.ValidationError = RoutingRule(**values)  # type: ignore[arg-type]
    except lc.ValidationError as error:
        direct = error
    try:
        read: RoutingRule | lc.ValidationError = RoutingRule.from_dict(values)
    except lc.ValidationError as error:
        read = error
    if isinstance(direct, RoutingRule):
        assert read == direct
        assert isinstance(direct.weight, float)
        assert direct.region is None or direct.region == normalize_code(direct.region)
    else:
        assert isinstance(read, lc.ValidationError)
        assert read.errors == direct.errors


def test_a_rule_normalises_its_region_and_reads_a_blank_topic_as_any() -> None:
    """Regions are dotted once (the region-code rule); a blank topic means "any topic"."""
    rule = RoutingRule("pln", 0.5, topic=" ", region="3273")
    assert (rule.topic, rule.region) == (None, "32.73")
    assert rule.holds("waste", "32.73.01", TOPICS)
    assert rule.holds(None, "327301", TOPICS)
    assert not rule.holds(None, "32.04", TOPICS)


def test_suggest_accepts_undotted_regions_and_refuses_malformed_ones() -> None:
    """The report's region goes through the same rule: undotted works, junk is a ValidationError."""
    dotted = DEFAULT.suggest(topic="identity-card", region="32.73.01", directory=DIRECTORY)
    assert DEFAULT.suggest(topic="identity-card", region="327301", directory=DIRECTORY) == dotted
    with pytest.raises(lc.ValidationError) as caught:
        DEFAULT.suggest(topic="identity-card", region="Jl. Merdeka", directory=DIRECTORY)
    assert caught.value.fields_by_name == {"region": ("region.malformed_code",)}


def test_a_rule_set_holds_only_rules() -> None:
    """Anything else in the list is refused, by position."""
    with pytest.raises(lc.ValidationError) as caught:
        RoutingRules([RoutingRule("pln", 0.5), "pln"])  # type: ignore[list-item]
    assert caught.value.fields_by_name == {"rules[1]": ("routing.not_rule",)}


def test_every_default_reason_has_both_texts() -> None:
    """Each default rule's reason is a message ID with an Indonesian and an English text."""
    for rule in DEFAULT.rules:
        assert rule.why.startswith("routing.why.")
        indonesian, english = rule.reason(), rule.reason("en")
        assert indonesian != rule.why
        assert english != rule.why
        assert indonesian != english


def test_a_plain_reason_is_shown_as_given() -> None:
    """A deployment's own reason text is not a message ID and comes back unchanged."""
    rules = RoutingRules([RoutingRule("pln", 0.9, topic="street-lighting", why="lamps on PLN poles")])
    (found,) = rules.suggest(topic="street-lighting", region=None, directory=DIRECTORY)
    assert found.reasons == ("lamps on PLN poles",)
    assert found.messages() == found.messages("en") == ("lamps on PLN poles",)


@pytest.mark.parametrize("records", [None, 3, "rules", {"institution": "pln", "weight": 1}])
def test_from_dict_refuses_rules_that_are_not_a_list(records: object) -> None:
    """``{"rules": None}`` and other non-lists are a ValidationError, not a TypeError."""
    with pytest.raises(lc.ValidationError) as caught:
        RoutingRules.from_dict({"rules": records})
    assert caught.value.fields_by_name == {"rules": ("value.not_list",)}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ([{"institution": "pln", "weight": 1}], {"$": ("value.not_mapping",)}),
        ({}, {"rules": ("value.required",)}),
        ({"rules": [], "colour": "red"}, {"colour": ("field.unknown",)}),
    ],
)
def test_from_dict_wants_an_object_with_exactly_the_key_rules(data: object, expected: object) -> None:
    """A list, a missing ``rules`` key or another key is refused with its path."""
    with pytest.raises(lc.ValidationError) as caught:
        RoutingRules.from_dict(data)
    assert caught.value.fields_by_name == expected


json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
rule_fields = {
    "institution": st.sampled_from(["pln", REGENCY, PROVINCE, ""]) | json_like,
    "weight": st.sampled_from([0.5, 1, 0, 2]) | json_like,
    "topic": st.sampled_from(["health", "Health", ""]) | json_like,
    "region": st.sampled_from(["32", "3273", "31.7"]) | json_like,
    "why": st.sampled_from(["x", "a\u202eb"]) | json_like,
}


@given(st.lists(st.fixed_dictionaries({}, optional=rule_fields) | json_like, max_size=4) | json_like)
def test_from_dict_on_junk_gives_rules_or_a_validation_error(records: object) -> None:
    """Any JSON-like junk gives rules or a ValidationError on a path of the rules, never another exception."""
    try:
        outcome: RoutingRules | lc.ValidationError = RoutingRules.from_dict({"rules": records})
    except lc.ValidationError as error:
        outcome = error
    if isinstance(outcome, lc.ValidationError):
        assert all(e.field == "rules" or e.field.startswith("rules[") for e in outcome.errors)
    else:
        found = outcome.suggest(topic="waste", region="32.73.01", directory=DIRECTORY)
        assert all(suggestion.institution in DIRECTORY for suggestion in found)


# --- through the desk --------------------------------------------------------------------------------------


def test_the_desk_suggests_from_a_submission() -> None:
    """The submission's category and region drive the suggestions, from the desk's own directory."""
    desk, _ = make_desk()
    found = statistics.suggest_institutions(desk._ctx, submission(category="identity-card"))
    assert codes(found)[:2] == ["31.71", "kemendagri"]
    no_place = statistics.suggest_institutions(desk._ctx, submission(location=None, category="waste"))
    assert codes(no_place) == ["klh"]
    custom = RoutingRules([RoutingRule("ombudsman", 1.0, why="every case")])
    assert codes(statistics.suggest_institutions(desk._ctx, submission(), rules=custom, limit=1)) == [
        "ombudsman"
    ]


def test_the_desk_refuses_what_is_not_a_submission() -> None:
    """A plain dict must go through ``Submission.from_dict`` first."""
    desk, _ = make_desk()
    with pytest.raises(lc.ValidationError) as caught:
        statistics.suggest_institutions(desk._ctx, {"title": "x"})  # type: ignore[arg-type]
    assert "submission" in caught.value.fields_by_name
