from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lapor_core import _serialization as serialization
from lapor_core._domain.rules import Invalid
from lapor_core._domain.topics import Topic, TopicTree, topic_id_rule
from lapor_core.errors import NotFound, ValidationError

DEFAULT = TopicTree.default()


def _fields(error: ValidationError) -> list[str]:
    """The field paths of every error, in order."""
    return [e.field for e in error.errors]


def _pairs(error: ValidationError) -> list[tuple[str, str]]:
    """Every error as (field, code), in order."""
    return [(e.field, e.code) for e in error.errors]


def _small() -> TopicTree:
    return TopicTree(
        [
            Topic("roads-potholes", "roads", "Jalan berlubang", "Potholes"),
            Topic("infrastructure", None, "Infrastruktur", "Infrastructure"),
            Topic("roads", "infrastructure", "Jalan", "Roads"),
            Topic("bridges", "infrastructure", "Jembatan", "Bridges"),
            Topic("other", None, "Lainnya", "Other"),
        ]
    )


# --- the default tree ---------------------------------------------------------------------------------


def test_default_tree_covers_the_public_areas_of_lapor() -> None:
    """The brief's ten areas are roots, with 'other' as a catch-all."""
    roots = {topic.id for topic in DEFAULT.roots()}
    assert {
        "health",
        "education",
        "civil-registration",
        "social-aid",
        "infrastructure",
        "transport",
        "environment",
        "licensing",
        "labour",
        "village-funds",
        "other",
    } <= roots


def test_default_tree_gives_every_area_but_other_a_few_children_named_in_both_languages() -> None:
    """Each root except 'other' has sub-topics, and every topic has both labels."""
    for root in DEFAULT.roots():
        assert root.id == "other" or len(DEFAULT.children(root.id)) >= 3
    for topic in DEFAULT:
        assert topic.name_id.strip()
        assert topic.name_en.strip()


def test_default_tree_is_built_once() -> None:
    """The default tree is shared, not reread per call."""
    assert TopicTree.default() is DEFAULT


def test_default_labels_are_indonesian_and_english() -> None:
    """Civil registration is Kependudukan in Indonesian."""
    topic = DEFAULT.get("civil-registration")
    assert topic.name() == "Kependudukan dan Pencatatan Sipil"
    assert topic.name("en") == "Civil registration"
    assert topic.name("id-ID") == topic.name_id


# --- navigation ---------------------------------------------------------------------------------------


def test_iteration_is_depth_first_in_given_order() -> None:
    """Children follow their parent, roots and siblings keep their input order."""
    assert [topic.id for topic in _small()] == [
        "infrastructure",
        "roads",
        "roads-potholes",
        "bridges",
        "other",
    ]


def test_children_ancestors_path_and_descendants() -> None:
    """Navigation answers from both ends of the tree."""
    tree = _small()
    assert [t.id for t in tree.children("infrastructure")] == ["roads", "bridges"]
    assert tree.children("bridges") == ()
    assert [t.id for t in tree.ancestors("roads-potholes")] == ["roads", "infrastructure"]
    assert tree.ancestors("other") == ()
    assert [t.id for t in tree.path("roads-potholes")] == ["infrastructure", "roads", "roads-potholes"]
    assert [t.id for t in tree.descendants("infrastructure")] == ["roads", "roads-potholes", "bridges"]
    assert tree.subtree_ids("roads") == {"roads", "roads-potholes"}


def test_is_descendant_is_strict() -> None:
    """A topic lies below its ancestors, not below itself or its siblings."""
    tree = _small()
    assert tree.is_descendant("roads-potholes", "infrastructure")
    assert not tree.is_descendant("roads", "roads")
    assert not tree.is_descendant("bridges", "roads")
    assert not tree.is_descendant("infrastructure", "roads")


@pytest.mark.parametrize("method", ["get", "children", "ancestors", "path", "descendants", "subtree_ids"])
def test_every_lookup_refuses_an_unknown_id_with_not_found(method: str) -> None:
    """Unknown ids raise NotFound of kind topic."""
    with pytest.raises(NotFound) as caught:
        getattr(DEFAULT, method)("astrology")
    assert (caught.value.kind, caught.value.key) == ("topic", "astrology")


def test_is_descendant_refuses_unknown_ids_on_either_side() -> None:
    """Both arguments must be topics of the tree."""
    with pytest.raises(NotFound):
        DEFAULT.is_descendant("health", "astrology")
    with pytest.raises(NotFound):
        DEFAULT.is_descendant("astrology", "health")


@pytest.mark.parametrize("bad", [None, 3, ["health"], "x" * 10_000])
def test_find_and_contains_tolerate_wrong_types(bad: object) -> None:
    """Non-text ids are simply not there; huge ones are cut in the error key."""
    assert DEFAULT.find(bad) is None  # type: ignore[arg-type]
    assert bad not in DEFAULT
    with pytest.raises(NotFound) as caught:
        DEFAULT.get(bad)  # type: ignore[arg-type]
    assert len(caught.value.key) <= 64


def test_equal_trees_compare_and_hash_equal() -> None:
    """Trees with the same topics in the same order are equal."""
    assert _small() == _small()
    assert hash(_small()) == hash(_small())
    assert _small() != DEFAULT
    assert _small() != "a tree"
    assert repr(_small()) == "<TopicTree: 5 topics, 2 roots>"


# --- validation ---------------------------------------------------------------------------------------


def test_constructor_reports_every_problem_by_position() -> None:
    """Repeats, missing parents, cycles and items that are no topics are all listed."""
    topics: list[object] = [
        Topic("a", None, "A", "A"),
        Topic("a", None, "A", "A"),
        Topic("b", "nowhere", "B", "B"),
        Topic("c", "d", "C", "C"),
        Topic("d", "c", "D", "D"),
        "not a topic",
    ]
    with pytest.raises(ValidationError) as caught:
        TopicTree(topics)  # type: ignore[arg-type]
    assert _pairs(caught.value) == [
        ("topics[1].id", "topic.repeated_id"),
        ("topics[2].parent", "topic.unknown_parent"),
        ("topics[5]", "topic.not_topic"),
        ("topics[3].parent", "topic.parent_cycle"),
        ("topics[4].parent", "topic.parent_cycle"),
    ]


def test_a_topic_reports_every_bad_attribute_and_from_dict_agrees() -> None:
    """A topic checks its own id, parent and names when made; a mapping is read by the same rules."""
    with pytest.raises(ValidationError) as direct:
        Topic("Health!", 5, "", "x" * 201)  # type: ignore[arg-type]
    assert _pairs(direct.value) == [
        ("id", "topic.malformed_id"),
        ("parent", "value.not_string"),
        ("name_id", "text.empty"),
        ("name_en", "text.too_long"),
    ]
    with pytest.raises(ValidationError) as read:
        Topic.from_dict({"id": "Health!", "parent": 5, "name_id": "", "name_en": "x" * 201, "colour": "red"})
    assert _pairs(read.value) == [*_pairs(direct.value), ("colour", "field.unknown")]


def test_a_topic_normalises_its_id_parent_and_names() -> None:
    """Surrounding white space goes; a blank parent is a root."""
    topic = Topic(" roads ", " ", " Jalan ", "Roads")
    assert topic == Topic("roads", None, "Jalan", "Roads")


topic_junk = st.none() | st.booleans() | st.integers() | st.text(max_size=70)


@given(topic_junk, topic_junk, topic_junk, topic_junk)
def test_a_topic_on_junk_is_a_topic_or_a_validation_error_the_same_from_a_mapping(
    topic_id: object, parent: object, name_id: object, name_en: object
) -> None:
    """Only ValidationError escapes Topic(...); Topic.from_dict gives the same topic or the same errors."""
    values = {"id": topic_id, "parent": parent, "name_id": name_id, "name_en": name_en}
    try:
        direct: Topic | ValidationError = Topic(**values)  # type: ignore[arg-type]
    except ValidationError as error:
        direct = error
    try:
        read: Topic | ValidationError = Topic.from_dict(values)
    except ValidationError as error:
        read = error
    if isinstance(direct, Topic):
        assert read == direct
        assert topic_id_rule(direct.id) == direct.id
    else:
        assert isinstance(read, ValidationError)
        assert read.errors == direct.errors


def test_a_topic_that_is_its_own_parent_is_a_cycle() -> None:
    """The shortest cycle is refused too."""
    with pytest.raises(ValidationError) as caught:
        TopicTree([Topic("loop", "loop", "L", "L")])
    assert caught.value.fields_by_name == {"topics[0].parent": ("topic.parent_cycle",)}
    assert caught.value.errors[0].message() == "membentuk lingkaran induk"


def test_an_empty_tree_is_allowed() -> None:
    """A deployment may start without topics."""
    tree = TopicTree([])
    assert len(tree) == 0
    assert tree.roots() == ()


# --- configuration ------------------------------------------------------------------------------------


def test_from_dict_mixes_nested_children_and_parent_links() -> None:
    """Nested children get their parent implied; flat entries name it."""
    tree = TopicTree.from_dict(
        {
            "topics": [
                {
                    "id": "roads",
                    "name_id": "Jalan",
                    "name_en": "Roads",
                    "children": [
                        {"id": "potholes", "name_id": "Lubang", "name_en": "Potholes", "parent": "roads"},
                    ],
                },
                {"id": "lighting", "parent": "roads", "name_id": "Lampu", "name_en": "Lights"},
            ]
        }
    )
    assert [t.id for t in tree.children("roads")] == ["potholes", "lighting"]


def test_from_dict_reports_nested_paths() -> None:
    """Errors point into the nested input, including the constructor's."""
    with pytest.raises(ValidationError) as caught:
        TopicTree.from_dict(
            {
                "topics": [
                    {
                        "id": "roads",
                        "name_id": "Jalan",
                        "name_en": "Roads",
                        "colour": "red",
                        "children": [
                            {"id": "potholes", "name_id": "Lubang"},
                            {"id": "x", "name_id": "X", "name_en": "X", "parent": "other"},
                            "text",
                        ],
                    },
                    {"id": "y", "name_id": "Y", "name_en": "Y", "parent": 5},
                    {"id": "z", "name_id": "Z", "name_en": "Z", "children": {"id": "not-a-list"}},
                ]
            }
        )
    assert _pairs(caught.value) == [
        ("topics[0].colour", "field.unknown"),
        ("topics[0].children[0].name_en", "value.required"),
        ("topics[0].children[1].parent", "topic.parent_contradicts_enclosing"),
        ("topics[0].children[2]", "value.not_mapping"),
        ("topics[1].parent", "value.not_string"),
        ("topics[2].children", "value.not_list"),
    ]


def test_from_dict_maps_constructor_errors_back_to_nested_paths() -> None:
    """A repeated id deep in the input is reported where it is."""
    with pytest.raises(ValidationError) as caught:
        TopicTree.from_dict(
            {
                "topics": [
                    {
                        "id": "roads",
                        "name_id": "Jalan",
                        "name_en": "Roads",
                        "children": [
                            {"id": "roads", "name_id": "Jalan", "name_en": "Roads"},
                        ],
                    },
                ]
            }
        )
    assert caught.value.fields_by_name == {"topics[0].children[0].id": ("topic.repeated_id",)}


@pytest.mark.parametrize(
    ("data", "pairs"),
    [
        ({}, [("topics", "value.required")]),
        ({"topics": [], "extra": 1}, [("extra", "field.unknown")]),
        ([], [("$", "value.not_mapping")]),
        ("topics", [("$", "value.not_mapping")]),
        (None, [("$", "value.not_mapping")]),
    ],
)
def test_from_dict_refuses_anything_but_a_topics_object(data: object, pairs: list[tuple[str, str]]) -> None:
    """The document is an object with exactly one key, "topics"."""
    with pytest.raises(ValidationError) as caught:
        TopicTree.from_dict(data)  # type: ignore[arg-type]
    assert _pairs(caught.value) == pairs


def test_from_dict_refuses_a_topics_value_that_is_not_a_list() -> None:
    """The topics key holds a list."""
    with pytest.raises(ValidationError) as caught:
        TopicTree.from_dict({"topics": {"id": "x"}})
    assert caught.value.fields_by_name == {"topics": ("value.not_list",)}


def test_from_dict_refuses_children_nested_too_deep() -> None:
    """Nesting deeper than 32 levels is refused where it starts, not a RecursionError."""
    node: dict[str, object] = {"id": "leaf", "name_id": "L", "name_en": "L"}
    for depth in range(2000):
        node = {"id": f"t{depth}", "name_id": "T", "name_en": "T", "children": [node]}
    with pytest.raises(ValidationError) as caught:
        TopicTree.from_dict({"topics": [node]})
    (error,) = caught.value.errors
    assert (error.code, dict(error.params)) == ("topic.too_deep", {"max": 32})
    assert error.field.count("children") == 33


def test_to_dict_and_from_dict_round_trip_the_default_tree() -> None:
    """The flat form of a tree rebuilds an equal tree."""
    assert TopicTree.from_dict(DEFAULT.to_dict()) == DEFAULT


def test_to_dict_is_the_converters_dictionary_form_and_reads_back() -> None:
    """tree.to_dict() and lapor_core._serialization.to_dict(tree) agree; the converter reads it back."""
    assert serialization.to_dict(DEFAULT) == DEFAULT.to_dict()
    assert serialization.to_dict(_small()) == _small().to_dict()
    assert [topic["id"] for topic in _small().to_dict()["topics"]] == [topic.id for topic in _small()]
    assert serialization.from_dict(TopicTree, DEFAULT.to_dict()) == DEFAULT


def test_the_converter_reads_a_tree_through_the_topic_rules() -> None:
    """A bad flat tree read by the converter names every bad topic field and every link problem."""
    with pytest.raises(ValidationError) as caught:
        serialization.from_dict(TopicTree, {"topics": [{"id": "Roads", "parent": None, "name_id": "J"}]})
    assert set(caught.value.fields_by_name) == {"topics[0].id", "topics[0].name_en"}
    with pytest.raises(ValidationError) as links:
        serialization.from_dict(
            TopicTree, {"topics": [{"id": "a", "parent": "b", "name_id": "A", "name_en": "A"}]}
        )
    assert links.value.fields_by_name == {"topics[0].parent": ("topic.unknown_parent",)}


def test_trees_given_in_another_order_are_equal_when_they_walk_the_same() -> None:
    """A tree keeps its topics depth first, so equality and the dictionary form ignore the input order."""
    parent_last = TopicTree(
        [Topic("roads", "infrastructure", "Jalan", "Roads"), Topic("infrastructure", None, "I", "I")]
    )
    parent_first = TopicTree(
        [Topic("infrastructure", None, "I", "I"), Topic("roads", "infrastructure", "Jalan", "Roads")]
    )
    assert parent_last == parent_first
    assert hash(parent_last) == hash(parent_first)
    assert parent_last.topics == parent_first.topics
    assert parent_last.to_dict() == parent_first.to_dict()


def test_from_json_reads_a_file(tmp_path: Path) -> None:
    """A JSON file configures the tree."""
    path = tmp_path / "topics.json"
    path.write_text(json.dumps(_small().to_dict()), encoding="utf-8")
    assert TopicTree.from_json(path) == _small()
    assert TopicTree.from_json(str(path)) == _small()


@pytest.mark.parametrize("content", [b"{not json", "{}".encode("utf-16"), b"[" * 100_000])
def test_from_json_refuses_bad_files(tmp_path: Path, content: bytes) -> None:
    """Broken JSON, another encoding or JSON nested too deep for the parser is reported on the file."""
    path = tmp_path / "topics.json"
    path.write_bytes(content)
    with pytest.raises(ValidationError) as caught:
        TopicTree.from_json(path)
    assert caught.value.fields_by_name == {"file": ("file.not_json",)}


# --- the topic-id rule and require ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("health-insurance", "health-insurance"),
        (" waste ", "waste"),
        ("bpjs.kesehatan_2", "bpjs.kesehatan_2"),
        ("x" * 64, "x" * 64),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_topic_id_rule_accepts_the_category_shape(value: object, expected: str | None) -> None:
    """1 to 64 of a-z, 0-9, '_', '.', '-' after stripping; blank means "not given"."""
    assert topic_id_rule(value) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("Kesehatan", "topic.malformed_id"),
        ("x" * 65, "topic.malformed_id"),
        ("jalan rusak", "topic.malformed_id"),
        ("kesehatan\u202e", "topic.malformed_id"),
        (7, "value.not_string"),
        (["health"], "value.not_string"),
    ],
)
def test_topic_id_rule_refuses_other_values(value: object, code: str) -> None:
    """Upper case, spaces, controls, overlong text and non-text are refused by code."""
    with pytest.raises(Invalid) as caught:
        topic_id_rule(value)
    assert caught.value.code == code


@given(st.from_regex(r"[a-z0-9_.-]{1,64}", fullmatch=True))
def test_topic_id_rule_keeps_every_well_shaped_id(topic_id: str) -> None:
    """Every id of the shape comes back as itself; the tree accepts it too (one rule for both)."""
    assert topic_id_rule(topic_id) == topic_id
    assert TopicTree([Topic(topic_id, None, "Topik", "Topic")]).get(topic_id).id == topic_id


@given(st.text(max_size=80))
def test_topic_id_rule_gives_an_id_none_or_a_refusal(text: str) -> None:
    """Any text is an id of the shape, None when blank, or a topic.malformed_id refusal."""
    try:
        outcome: str | Invalid | None = topic_id_rule(text)
    except Invalid as invalid:
        outcome = invalid
    if isinstance(outcome, Invalid):
        assert outcome.code == "topic.malformed_id"
    elif outcome is None:
        assert not text.strip()
    else:
        assert outcome == text.strip()
        assert 1 <= len(outcome) <= 64


def test_require_returns_a_known_topic() -> None:
    """A known id (white space ignored) gives its topic."""
    assert DEFAULT.require(" identity-card ").parent == "civil-registration"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("nope", "topic.unknown"),
        ("Nope!", "topic.malformed_id"),
        (None, "value.required"),
        ("", "value.required"),
        (5, "value.not_string"),
    ],
)
def test_require_refuses_unknown_malformed_and_missing_topics(value: object, code: str) -> None:
    """What is not a topic of the tree is a ValidationError on the named field."""
    with pytest.raises(ValidationError) as caught:
        DEFAULT.require(value, field="submission.category")
    assert caught.value.fields_by_name == {"submission.category": (code,)}


json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=15,
)
topic_fields = {
    "id": st.sampled_from(["roads", "Roads", "a", ""]) | json_like,
    "parent": st.sampled_from(["roads", "a", None]) | json_like,
    "name_id": st.sampled_from(["Jalan", " ", "a\u202eb"]) | json_like,
    "name_en": st.sampled_from(["Roads", "x" * 201]) | json_like,
}
topic_objects = st.recursive(
    st.fixed_dictionaries({}, optional=topic_fields),
    lambda inner: st.fixed_dictionaries(
        {}, optional={**topic_fields, "children": st.lists(inner, max_size=3)}
    ),
    max_leaves=8,
)


@given(st.fixed_dictionaries({"topics": st.lists(topic_objects | json_like, max_size=4)}) | json_like)
def test_from_dict_on_junk_gives_a_tree_or_a_validation_error(data: object) -> None:
    """Any JSON-like junk gives a tree or a ValidationError, never another exception."""
    try:
        outcome: TopicTree | ValidationError = TopicTree.from_dict(data)  # type: ignore[arg-type]
    except ValidationError as error:
        outcome = error
    if isinstance(outcome, ValidationError):
        assert outcome.errors
        assert all(e.message() and e.message("en") for e in outcome.errors)
    else:
        assert TopicTree.from_dict(outcome.to_dict()) == outcome


slugs = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,2}", fullmatch=True)


@st.composite
def trees(draw: st.DrawFn) -> TopicTree:
    """Random valid trees: each topic's parent is drawn among the topics before it."""
    ids = draw(st.lists(slugs, unique=True, max_size=15))
    topics = []
    for index, topic_id in enumerate(ids):
        parent = draw(st.none() | st.sampled_from(ids[:index])) if index else None
        topics.append(Topic(topic_id, parent, f"Topik {index}", f"Topic {index}"))
    return TopicTree(draw(st.permutations(topics)))


@given(trees())
def test_random_trees_round_trip_and_keep_paths_consistent(tree: TopicTree) -> None:
    """to_dict/from_dict is lossless; every path starts at a root and ends at its topic."""
    assert TopicTree.from_dict(tree.to_dict()) == tree
    assert serialization.to_dict(tree) == tree.to_dict()
    assert serialization.from_dict(TopicTree, tree.to_dict()) == tree
    roots = set(tree.roots())
    for topic in tree:
        path = tree.path(topic.id)
        assert path[0] in roots
        assert path[-1] == topic
        assert all(tree.is_descendant(topic.id, above.id) for above in path[:-1])
        assert topic.id in tree.subtree_ids(path[0].id)
