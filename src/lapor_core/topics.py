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

from lapor_core.errors import FieldError, NotFound, ValidationError

__all__ = ["Topic", "TopicTree"]

_ID: Final = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_MAX_ID: Final = 64
_MAX_NAME: Final = 200
_FIELDS: Final = frozenset({"id", "parent", "name_id", "name_en", "children"})


@attrs.frozen
class Topic:
    """One topic of the tree.

    Attributes:
        id: Stable identifier: lowercase words joined by hyphens (``"health-insurance"``).
        parent: The parent topic's id, ``None`` for a root.
        name_id: Indonesian label (``"Jaminan Kesehatan Nasional (JKN)"``).
        name_en: English label.
    """

    id: str
    parent: str | None
    name_id: str
    name_en: str

    def name(self, language: str = "id") -> str:
        """The label in ``language``: English for tags starting with ``en``, Indonesian otherwise.

        Example:
            >>> topic = Topic("waste", "environment", "Sampah", "Waste collection")
            >>> topic.name(), topic.name("en-GB")
            ('Sampah', 'Waste collection')
        """
        return self.name_en if language.casefold().startswith("en") else self.name_id


@final
class TopicTree:
    """An immutable tree of topics.

    Roots and each topic's children keep the order they were given in; iterating walks the tree depth
    first in that order.

    Args:
        topics: Every topic, parents before or after their children.

    Raises:
        ValidationError: Every problem at once, as ``topics[i].<attribute>`` by position: a malformed id
            or empty name, a repeated id, a parent that is not in the tree, parents that form a cycle.

    Example:
        >>> tree = TopicTree([
        ...     Topic("health", None, "Kesehatan", "Health"),
        ...     Topic("health-insurance", "health", "JKN", "National health insurance"),
        ... ])
        >>> tree.is_descendant("health-insurance", "health")
        True
    """

    __slots__ = ("_by_id", "_children")

    def __init__(self, topics: Iterable[Topic]) -> None:
        items = list(topics)
        errors = _tree_errors(items)
        if errors:
            raise ValidationError(errors)
        self._by_id = {topic.id: topic for topic in items}
        children: dict[str | None, list[str]] = {}
        for topic in items:
            children.setdefault(topic.parent, []).append(topic.id)
        self._children = {key: tuple(ids) for key, ids in children.items()}

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

        Raises:
            ValidationError: Every problem at once, with paths such as ``topics[2].children[0].name_en``:
                missing or non-text fields, unknown fields, a ``parent`` that contradicts the enclosing
                topic, and everything the constructor refuses.

        Example:
            >>> tree = TopicTree.from_dict({"topics": [
            ...     {"id": "roads", "name_id": "Jalan", "name_en": "Roads", "children": [
            ...         {"id": "potholes", "name_id": "Jalan berlubang", "name_en": "Potholes"}]}]})
            >>> tree.get("potholes").parent
            'roads'
        """
        if not isinstance(data, Mapping) or set(data) != {"topics"}:
            raise ValidationError.single("topics", 'must be an object with exactly one key, "topics"')
        flat = _Flattened()
        flat.add(data["topics"], "topics", None)
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
            ValidationError: The file is not UTF-8 JSON (field ``file``) or its content is refused.
            OSError: The file cannot be read.
        """
        source = Path(path) if isinstance(path, str | os.PathLike) else path
        try:
            data = json.loads(source.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise ValidationError.single("file", "must be UTF-8 JSON") from None
        return cls.from_dict(data)

    def to_dict(self) -> dict[str, list[dict[str, str | None]]]:
        """The tree as ``{"topics": [...]}`` with one flat object per topic, depth first.

        Example:
            >>> TopicTree([Topic("other", None, "Lainnya", "Other")]).to_dict()
            {'topics': [{'id': 'other', 'parent': None, 'name_id': 'Lainnya', 'name_en': 'Other'}]}
        """
        return {"topics": [attrs.asdict(topic) for topic in self]}

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

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TopicTree):
            return NotImplemented
        return list(self) == list(other)

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"<TopicTree: {len(self._by_id)} topics, {len(self.roots())} roots>"

    def find(self, topic_id: str) -> Topic | None:
        """The topic with this id, or ``None``."""
        return self._by_id.get(topic_id) if isinstance(topic_id, str) else None

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


def _text_errors(value: object, field: str, limit: int) -> list[FieldError]:
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        return [FieldError(field, f"must be non-empty text of at most {limit} characters")]
    return []


def _tree_errors(items: Sequence[object]) -> list[FieldError]:
    errors: list[FieldError] = []
    topics = [item for item in items if isinstance(item, Topic)]
    ids = {topic.id for topic in topics}
    by_id: dict[str, Topic] = {}
    for index, item in enumerate(items):
        path = f"topics[{index}]"
        if not isinstance(item, Topic):
            errors.append(FieldError(path, "must be a Topic"))
            continue
        if not isinstance(item.id, str) or len(item.id) > _MAX_ID or not _ID.fullmatch(item.id):
            errors.append(FieldError(f"{path}.id", "must be lowercase letters and digits joined by '-'"))
        elif item.id in by_id:
            errors.append(FieldError(f"{path}.id", "repeats an earlier topic"))
        else:
            by_id[item.id] = item
        errors += _text_errors(item.name_id, f"{path}.name_id", _MAX_NAME)
        errors += _text_errors(item.name_en, f"{path}.name_en", _MAX_NAME)
        if item.parent is not None and item.parent not in ids:
            errors.append(FieldError(f"{path}.parent", "is not a topic of the tree"))
    for index, item in enumerate(items):
        if isinstance(item, Topic) and by_id.get(item.id) is item and _in_cycle(item, by_id):
            errors.append(FieldError(f"topics[{index}].parent", "makes a cycle of parents"))
    return errors


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

    def add(self, value: object, path: str, enclosing: str | None) -> None:
        if not isinstance(value, list):
            self.errors.append(FieldError(path, "must be a list of topics"))
            return
        for index, item in enumerate(value):
            here = f"{path}[{index}]"
            if isinstance(item, Mapping):
                self._add_one(item, here, enclosing)
            else:
                self.errors.append(FieldError(here, "must be an object"))

    def _add_one(self, item: Mapping[str, Any], here: str, enclosing: str | None) -> None:
        errors = [
            FieldError(f"{here}.{key}", "is not a field of a topic") for key in item if key not in _FIELDS
        ]
        errors += [
            FieldError(f"{here}.{key}", "is required text")
            for key in ("id", "name_id", "name_en")
            if not isinstance(item.get(key), str)
        ]
        parent = item.get("parent", enclosing)
        if "parent" in item and enclosing is not None and parent != enclosing:
            errors.append(FieldError(f"{here}.parent", "contradicts the enclosing topic"))
        elif parent is not None and not isinstance(parent, str):
            errors.append(FieldError(f"{here}.parent", "must be text or null"))
        if errors:
            self.errors += errors
        else:
            self.topics.append(Topic(item["id"], parent, item["name_id"], item["name_en"]))
            self.paths.append(here)
        if "children" in item:
            own_id = item.get("id")
            self.add(item["children"], f"{here}.children", own_id if isinstance(own_id, str) else None)


def _repath(errors: Iterable[FieldError], paths: Sequence[str]) -> list[FieldError]:
    """Turn the constructor's ``topics[i].x`` paths into the paths of the nested input."""
    result: list[FieldError] = []
    for error in errors:
        index_text, _, rest = error.field.removeprefix("topics[").partition("]")
        result.append(FieldError(paths[int(index_text)] + rest, error.reason))
    return result


@functools.cache
def _default_tree() -> TopicTree:
    return TopicTree.from_json(resources.files("lapor_core") / "data" / "topics.json")
