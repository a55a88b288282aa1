from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lapor_core.errors import NotFound, ValidationError
from lapor_core.topics import Topic, TopicTree

DEFAULT = TopicTree.default()


def _fields(error: ValidationError) -> list[str]:
    return [e.field for e in error.errors]


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
    """Bad ids, empty names, repeats, missing parents and cycles are all listed."""
    topics: list[object] = [
        Topic("Health!", None, "Kesehatan", "Health"),
        Topic("a", None, "", "A"),
        Topic("a", None, "A", "A"),
        Topic("b", "nowhere", "B", "B"),
        Topic("c", "d", "C", "C"),
        Topic("d", "c", "D", "D"),
        "not a topic",
    ]
    with pytest.raises(ValidationError) as caught:
        TopicTree(topics)  # type: ignore[arg-type]
    assert _fields(caught.value) == [
        "topics[0].id",
        "topics[1].name_id",
        "topics[2].id",
        "topics[3].parent",
        "topics[6]",
        "topics[4].parent",
        "topics[5].parent",
    ]


def test_a_topic_that_is_its_own_parent_is_a_cycle() -> None:
    """The shortest cycle is refused too."""
    with pytest.raises(ValidationError) as caught:
        TopicTree([Topic("loop", "loop", "L", "L")])
    assert caught.value.errors[0].reason == "makes a cycle of parents"


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
    assert _fields(caught.value) == [
        "topics[0].colour",
        "topics[0].children[0].name_en",
        "topics[0].children[1].parent",
        "topics[0].children[2]",
        "topics[1].parent",
        "topics[2].children",
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
    assert _fields(caught.value) == ["topics[0].children[0].id"]


@pytest.mark.parametrize("data", [{}, {"topics": [], "extra": 1}, [], "topics", None])
def test_from_dict_refuses_anything_but_a_topics_object(data: object) -> None:
    """The document is an object with exactly one key."""
    with pytest.raises(ValidationError) as caught:
        TopicTree.from_dict(data)  # type: ignore[arg-type]
    assert _fields(caught.value) == ["topics"]


def test_from_dict_refuses_a_topics_value_that_is_not_a_list() -> None:
    """The topics key holds a list."""
    with pytest.raises(ValidationError) as caught:
        TopicTree.from_dict({"topics": {"id": "x"}})
    assert _fields(caught.value) == ["topics"]


def test_to_dict_and_from_dict_round_trip_the_default_tree() -> None:
    """The flat form of a tree rebuilds an equal tree."""
    assert TopicTree.from_dict(DEFAULT.to_dict()) == DEFAULT


def test_from_json_reads_a_file(tmp_path: Path) -> None:
    """A JSON file configures the tree."""
    path = tmp_path / "topics.json"
    path.write_text(json.dumps(_small().to_dict()), encoding="utf-8")
    assert TopicTree.from_json(path) == _small()
    assert TopicTree.from_json(str(path)) == _small()


@pytest.mark.parametrize("content", [b"{not json", "{}".encode("utf-16")])
def test_from_json_refuses_bad_files(tmp_path: Path, content: bytes) -> None:
    """Broken JSON or another encoding is reported on the file."""
    path = tmp_path / "topics.json"
    path.write_bytes(content)
    with pytest.raises(ValidationError) as caught:
        TopicTree.from_json(path)
    assert _fields(caught.value) == ["file"]


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
    roots = set(tree.roots())
    for topic in tree:
        path = tree.path(topic.id)
        assert path[0] in roots
        assert path[-1] == topic
        assert all(tree.is_descendant(topic.id, above.id) for above in path[:-1])
        assert topic.id in tree.subtree_ids(path[0].id)
