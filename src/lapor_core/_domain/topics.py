"""The topic tree reports are labelled with (kategori), in Indonesian and English.

The default tree (:meth:`TopicTree.default`, shipped as ``lapor_core/data/topics.json``) is modelled on
the public areas LAPOR! lists: health, education, civil registration, social aid, infrastructure,
transport, environment, licensing, labour, village funds, public-service conduct and "other", each with a
few sub-topics. Deployments replace it with their own tree from a mapping or a JSON file.

Example:
    >>> tree = TopicTree.default()
    >>> [topic.id for topic in tree.path("health-insurance")]
    ['health', 'health-insurance']
    >>> tree.get("village-funds").name("en")
    'Village funds'

This module owns the rule of what a topic ID (a complaint's ``category``) looks like
(:func:`topic_id_rule`) and whether a topic exists (:meth:`TopicTree.require`); the model and the desk
import both.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Final, final

import attrs

from lapor_core._domain import rules as v
from lapor_core.errors import FieldError, NotFound, ValidationError

__all__ = ["Topic", "TopicTree", "topic_id_rule"]

_MAX_ID: Final = 64
_ID: Final = re.compile(r"[a-z0-9_.-]{1,64}")
_MAX_NAME: Final = 200
_FIELDS: Final = ("id", "parent", "name_id", "name_en", "children")
# Nested children deeper than this are refused: no real tree is that deep, and junk must not recurse.
_MAX_DEPTH: Final = 32


def topic_id_rule(value: object) -> str | None:
    """The rule of a topic ID (a complaint's ``category``): 1 to 64 of ``a-z``, ``0-9``, ``_``, ``.``, ``-``.

    Surrounding white space is ignored. Only the shape is checked; :meth:`TopicTree.require` checks that
    the topic exists.

    Returns:
        The ID; ``None`` for ``None`` or blank text (an optional field left empty).

    Raises:
        Invalid: ``value.not_string`` (param ``type``) or ``topic.malformed_id``.

    Example:
        >>> topic_id_rule(" health-insurance "), topic_id_rule(""), topic_id_rule("bpjs.kesehatan")
        ('health-insurance', None, 'bpjs.kesehatan')
        >>> topic_id_rule("Kesehatan")
        Traceback (most recent call last):
        lapor_core._domain.rules.Invalid: topic.malformed_id
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise v.Invalid("value.not_string", type=v.type_name(value))
    topic_id = value.strip()
    if not topic_id:
        return None
    if not _ID.fullmatch(topic_id):
        raise v.Invalid("topic.malformed_id")
    return topic_id


_topic_id: Final = v.required(topic_id_rule)
"""The topic-id rule for an ID that must be given."""


_name_rule: Final = v.text(required=True, max_length=_MAX_NAME)


def _name(value: object) -> str:
    return str(_name_rule(value))


@v.checked
@attrs.frozen(field_transformer=v.with_rules)
class Topic:
    """One topic of the tree.

    Attributes:
        id: Stable identifier, as :func:`topic_id_rule` has it (``"health-insurance"``).
        parent: The parent topic's id (the same rule), ``None`` (or blank) for a root.
        name_id: Indonesian label (``"Jaminan Kesehatan Nasional (JKN)"``), one line of 1 to 200 characters.
        name_en: English label, likewise.

    Raises:
        ValidationError: Listing every bad attribute: the topic-id rule's codes (``value.required``,
            ``value.not_string``, ``topic.malformed_id``) and the text rule's for the names.
    """

    id: str = attrs.field(metadata=v.rule(_topic_id))
    parent: str | None = attrs.field(metadata=v.rule(topic_id_rule))
    name_id: str = attrs.field(metadata=v.rule(_name))
    name_en: str = attrs.field(metadata=v.rule(_name))

    @classmethod
    def from_dict(cls, data: object) -> Topic:
        """Build a topic from untrusted data (keys ``id``, ``parent``, ``name_id``, ``name_en``).

        Raises:
            ValidationError: Listing every bad field and every unknown key.
        """
        return v.structure(cls, data)

    def name(self, language: str = "id") -> str:
        """The label in ``language``: English for tags starting with ``en``, Indonesian otherwise.

        Example:
            >>> topic = Topic("waste", "environment", "Sampah", "Waste collection")
            >>> topic.name(), topic.name("en-GB")
            ('Sampah', 'Waste collection')
        """
        return self.name_en if language.casefold().startswith("en") else self.name_id


def _as_tuple(topics: Iterable[Topic]) -> tuple[Topic, ...]:
    return tuple(topics)


def _consistent(_tree: TopicTree, _attribute: attrs.Attribute[Any], items: Sequence[object]) -> None:
    """The rule across a tree's topics: topics only, ids unique, parents in the tree, no cycles."""
    errors: list[FieldError] = []
    ids = {item.id for item in items if isinstance(item, Topic)}
    by_id: dict[str, Topic] = {}
    for index, item in enumerate(items):
        path = f"topics[{index}]"
        if not isinstance(item, Topic):
            errors.append(FieldError(path, "topic.not_topic", {"type": v.type_name(item)}))
            continue
        if item.id in by_id:
            errors.append(FieldError(f"{path}.id", "topic.repeated_id"))
        else:
            by_id[item.id] = item
        if item.parent is not None and item.parent not in ids:
            errors.append(FieldError(f"{path}.parent", "topic.unknown_parent"))
    for index, item in enumerate(items):
        if isinstance(item, Topic) and by_id.get(item.id) is item and _in_cycle(item, by_id):
            errors.append(FieldError(f"topics[{index}].parent", "topic.parent_cycle"))
    if errors:
        raise ValidationError(errors)


@final
@attrs.frozen(repr=False)
class TopicTree:
    """An immutable tree of topics.

    Roots and each topic's children keep the order they were given in; iterating walks the tree depth
    first in that order, and :attr:`topics` holds them in that order too. Its dictionary form (the
    library's converter, :func:`lapor_core._serialization.to_dict`, and :meth:`to_dict`) is
    ``{"topics": [...]}`` with one flat object per topic; :func:`lapor_core._serialization.from_dict` reads
    it back through :class:`Topic`'s rules.

    Args:
        topics: Every topic (each already checked by :class:`Topic`'s rules), parents before or after their
            children.

    Raises:
        ValidationError: Every problem across topics at once, as ``topics[i].<attribute>`` by position:
            an item that is not a Topic (``topic.not_topic``), a repeated id (``topic.repeated_id``), a
            parent that is not in the tree (``topic.unknown_parent``), parents that form a cycle
            (``topic.parent_cycle``).
        TypeError: ``topics`` is not iterable.

    Example:
        >>> tree = TopicTree([
        ...     Topic("health", None, "Kesehatan", "Health"),
        ...     Topic("health-insurance", "health", "JKN", "National health insurance"),
        ... ])
        >>> tree.is_descendant("health-insurance", "health")
        True
    """

    topics: tuple[Topic, ...] = attrs.field(converter=_as_tuple, validator=_consistent)
    _by_id: Mapping[str, Topic] = attrs.field(init=False, eq=False)
    _children: Mapping[str | None, tuple[str, ...]] = attrs.field(init=False, eq=False)

    def __attrs_post_init__(self) -> None:
        # The indexes, and the topics in depth-first order: equal trees have equal topics.
        by_id = {topic.id: topic for topic in self.topics}
        children: dict[str | None, list[str]] = {}
        for topic in self.topics:
            children.setdefault(topic.parent, []).append(topic.id)
        object.__setattr__(self, "_by_id", by_id)
        object.__setattr__(self, "_children", {key: tuple(ids) for key, ids in children.items()})
        object.__setattr__(self, "topics", tuple(self))

    @classmethod
    def default(cls) -> TopicTree:
        """The shipped tree modelled on LAPOR!'s public areas, read on first call and shared afterwards.

        Example:
            >>> [topic.id for topic in TopicTree.default().roots()][:3]
            ['health', 'education', 'civil-registration']
        """
        return _default_tree()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TopicTree:
        """Build a tree from ``{"topics": [...]}``.

        Each topic is an object with ``id``, ``name_id`` and ``name_en``, and either a ``parent`` id or
        nested ``children`` (a list of topic objects); both forms may be mixed. This is also what
        :meth:`to_dict` gives.

        Untrusted input is welcome: whatever ``data`` holds, the result is a tree or a ValidationError.

        Raises:
            ValidationError: Every problem at once, with paths such as ``topics[2].children[0].name_en``:
                ``data`` not an object (``$``), missing (``value.required``) or non-text fields, unknown
                fields (``field.unknown``), a ``parent`` that contradicts the enclosing topic, children
                nested more than 32 deep (``topic.too_deep``), and everything the constructor refuses.

        Example:
            >>> tree = TopicTree.from_dict({"topics": [
            ...     {"id": "roads", "name_id": "Jalan", "name_en": "Roads", "children": [
            ...         {"id": "potholes", "name_id": "Jalan berlubang", "name_en": "Potholes"}]}]})
            >>> tree.get("potholes").parent
            'roads'
        """
        if not isinstance(data, Mapping):
            raise ValidationError.single(v.ROOT, "value.not_mapping", type=v.type_name(data))
        shape_errors = v.unknown_fields(v.ROOT, [key for key in data if key != "topics"])
        if "topics" not in data:
            shape_errors.append(FieldError("topics", "value.required"))
        if shape_errors:
            raise ValidationError(shape_errors)
        flat = _Flattened()
        flat.add(data["topics"], "topics", None, 0)
        if flat.errors:
            raise ValidationError(flat.errors)
        try:
            return cls(flat.topics)
        except ValidationError as error:
            raise ValidationError(_repath(error.errors, flat.paths)) from None

    @classmethod
    def from_json(cls, path: str | os.PathLike[str] | Traversable) -> TopicTree:
        """Load a tree from a UTF-8 JSON file holding what :meth:`from_dict` takes.

        Raises:
            ValidationError: The file is not UTF-8 JSON (field ``file``, ``file.not_json``) or its content is
                refused.
            OSError: The file cannot be read.
        """
        source = Path(path) if isinstance(path, str | os.PathLike) else path
        try:
            data = json.loads(source.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):  # RecursionError: nested too deep
            raise ValidationError.single("file", "file.not_json") from None
        return cls.from_dict(data)

    def to_dict(self) -> dict[str, list[dict[str, str | None]]]:
        """The tree as ``{"topics": [...]}`` with one flat object per topic, depth first.

        This is :func:`lapor_core._serialization.to_dict` of the tree: the library's one converter.

        Example:
            >>> TopicTree([Topic("other", None, "Lainnya", "Other")]).to_dict()
            {'topics': [{'id': 'other', 'parent': None, 'name_id': 'Lainnya', 'name_en': 'Other'}]}
        """
        from lapor_core import _serialization  # noqa: PLC0415 - cattrs loads when a tree is written, not at open

        converted: dict[str, list[dict[str, str | None]]] = _serialization.to_dict(self)
        return converted

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[Topic]:
        """Every topic, depth first, roots and children in their given order."""
        stack = list(reversed(self._children.get(None, ())))
        while stack:
            topic = self._by_id[stack.pop()]
            yield topic
            stack.extend(reversed(self._children.get(topic.id, ())))

    def __contains__(self, topic_id: object) -> bool:
        return isinstance(topic_id, str) and topic_id in self._by_id

    def __repr__(self) -> str:
        return f"<TopicTree: {len(self._by_id)} topics, {len(self.roots())} roots>"

    def find(self, topic_id: str) -> Topic | None:
        """The topic with this id, or ``None``."""
        return self._by_id.get(topic_id) if isinstance(topic_id, str) else None

    def require(self, topic_id: object, *, field: str = "category") -> Topic:
        """The topic with this id, or a validation error on ``field``: what input naming a topic calls.

        Raises:
            ValidationError: ``topic_id`` is missing (``value.required``), not shaped like a topic id
                (``value.not_string``, ``topic.malformed_id``) or not in this tree (``topic.unknown``).

        Example:
            >>> TopicTree.default().require("health-insurance").parent
            'health'
            >>> TopicTree.default().require("nope", field="category")
            Traceback (most recent call last):
            ...
            lapor_core.errors.ValidationError: invalid input: category: is not a known topic
        """
        try:
            checked = topic_id_rule(topic_id)
        except v.Invalid as invalid:
            raise ValidationError([invalid.at(field)]) from None
        if checked is None:
            raise ValidationError.single(field, "value.required")
        topic = self._by_id.get(checked)
        if topic is None:
            raise ValidationError.single(field, "topic.unknown")
        return topic

    def get(self, topic_id: str) -> Topic:
        """The topic with this id.

        Raises:
            NotFound: No topic has this id (``kind="topic"``, ``key=topic_id``).
        """
        topic = self.find(topic_id)
        if topic is None:
            raise NotFound(kind="topic", key=str(topic_id)[:_MAX_ID])
        return topic

    def roots(self) -> tuple[Topic, ...]:
        """The topics without a parent, in their given order."""
        return tuple(self._by_id[i] for i in self._children.get(None, ()))

    def children(self, topic_id: str) -> tuple[Topic, ...]:
        """The topics directly below ``topic_id``, in their given order.

        Raises:
            NotFound: ``topic_id`` is unknown.
        """
        return tuple(self._by_id[i] for i in self._children.get(self.get(topic_id).id, ()))

    def ancestors(self, topic_id: str) -> tuple[Topic, ...]:
        """The topics above ``topic_id``, nearest first (empty for a root).

        Raises:
            NotFound: ``topic_id`` is unknown.
        """
        found: list[Topic] = []
        parent = self.get(topic_id).parent
        while parent is not None:
            topic = self._by_id[parent]
            found.append(topic)
            parent = topic.parent
        return tuple(found)

    def path(self, topic_id: str) -> tuple[Topic, ...]:
        """The topics from the root down to ``topic_id`` itself.

        Raises:
            NotFound: ``topic_id`` is unknown.
        """
        return (*reversed(self.ancestors(topic_id)), self._by_id[topic_id])

    def descendants(self, topic_id: str) -> tuple[Topic, ...]:
        """Every topic below ``topic_id``, depth first (not ``topic_id`` itself).

        Raises:
            NotFound: ``topic_id`` is unknown.
        """
        found: list[Topic] = []
        stack = list(reversed(self._children.get(self.get(topic_id).id, ())))
        while stack:
            topic = self._by_id[stack.pop()]
            found.append(topic)
            stack.extend(reversed(self._children.get(topic.id, ())))
        return tuple(found)

    def subtree_ids(self, topic_id: str) -> frozenset[str]:
        """``topic_id`` and the ids of every topic below it: what a filter "in this topic" matches.

        Raises:
            NotFound: ``topic_id`` is unknown.

        Example:
            >>> sorted(TopicTree.default().subtree_ids("civil-registration"))
            ['civil-registration', 'family-card', 'identity-card', 'vital-records']
        """
        return frozenset({topic_id, *(topic.id for topic in self.descendants(topic_id))})

    def is_descendant(self, topic_id: str, ancestor_id: str) -> bool:
        """Whether ``topic_id`` lies strictly below ``ancestor_id``.

        Raises:
            NotFound: Either id is unknown.

        Example:
            >>> tree = TopicTree.default()
            >>> tree.is_descendant("wages", "labour"), tree.is_descendant("labour", "labour")
            (True, False)
        """
        self.get(ancestor_id)
        return any(topic.id == ancestor_id for topic in self.ancestors(topic_id))


def _in_cycle(topic: Topic, by_id: Mapping[str, Topic]) -> bool:
    seen = {topic.id}
    parent = topic.parent
    while parent is not None and parent in by_id:
        if parent in seen:
            return True
        seen.add(parent)
        parent = by_id[parent].parent
    return False


@attrs.define
class _Flattened:
    """Topics flattened from nested objects, with each one's input path for error messages."""

    topics: list[Topic] = attrs.Factory(list)
    paths: list[str] = attrs.Factory(list)
    errors: list[FieldError] = attrs.Factory(list)

    def add(self, value: object, path: str, enclosing: str | None, depth: int) -> None:
        if depth > _MAX_DEPTH:
            self.errors.append(FieldError(path, "topic.too_deep", {"max": _MAX_DEPTH}))
            return
        if not isinstance(value, list | tuple):
            self.errors.append(FieldError(path, "value.not_list", {"type": v.type_name(value)}))
            return
        for index, item in enumerate(value):
            here = f"{path}[{index}]"
            if isinstance(item, Mapping):
                self._add_one(item, here, enclosing, depth)
            else:
                self.errors.append(FieldError(here, "value.not_mapping", {"type": v.type_name(item)}))

    def _add_one(self, item: Mapping[Any, Any], here: str, enclosing: str | None, depth: int) -> None:
        # A nested topic's parent is the enclosing one; it may say so, but not name another.
        values = {key: value for key, value in item.items() if key != "children"}
        errors: list[FieldError] = []
        if enclosing is not None:
            if "parent" in values and values["parent"] != enclosing:
                errors.append(FieldError(f"{here}.parent", "topic.parent_contradicts_enclosing"))
            values["parent"] = enclosing
        else:
            values.setdefault("parent", None)
        try:
            topic = Topic.from_dict(values)
        except ValidationError as error:
            errors += v.prefixed(here, error.errors)
        if errors:
            self.errors += errors
        else:
            self.topics.append(topic)
            self.paths.append(here)
        if "children" in item:
            own = item.get("id")
            self.add(item["children"], f"{here}.children", own if isinstance(own, str) else None, depth + 1)


def _repath(errors: Iterable[FieldError], paths: Sequence[str]) -> list[FieldError]:
    """Turn the constructor's ``topics[i].x`` paths into the paths of the nested input."""
    result: list[FieldError] = []
    for error in errors:
        index_text, _, rest = error.field.removeprefix("topics[").partition("]")
        result.append(FieldError(paths[int(index_text)] + rest, error.code, error.params))
    return result


@functools.cache
def _default_tree() -> TopicTree:
    return TopicTree.from_json(resources.files("lapor_core") / "data" / "topics.json")
