"""JSON-ready dictionaries from lapor_core values and back, through one configured cattrs converter.

:func:`make_converter` builds a new :class:`cattrs.Converter` each call (there is no global converter to
mutate); :func:`to_dict` and :func:`from_dict` use a private one built on first use. The dictionary form is
JSON-ready:

======================  =================================================================================
Python                  JSON
======================  =================================================================================
aware ``datetime``      ISO 8601 string with its UTC offset (``"2026-03-17T09:30:00+07:00"``); naive
                        datetimes are refused both ways
``date``                ISO 8601 string (``"2026-03-17"``)
enums (``Kind``...)     their value (``"pengaduan"``)
``TrackingId``          its canonical string (``"7K3M-9QXF-2HJ-Q"``)
``bytes``               standard base64
sets                    sorted lists
``str``/``int``/...     themselves; when reading, the type must match (no ``"5"`` for 5, no ``"yes"``
                        for true)
======================  =================================================================================

Reading a class of the one validation mechanism (:class:`~lapor_core._domain.model.Submission`,
:class:`~lapor_core._domain.model.Location`, :class:`~lapor_core.plugins.ComplaintQuery`, ...) goes through
its rules,
so it validates exactly as its constructor and ``from_dict`` do.
:func:`from_dict` raises only :class:`~lapor_core.errors.ValidationError` for bad data, with field paths
(``location.lat``, ``items[2]``); ``$`` names the input as a whole.

Example:
    >>> from lapor_core._domain.model import Submission
    >>> sub = from_dict(Submission, {"kind": "aspirasi", "channel": "api", "title": "Taman", "body": "Ok"})
    >>> to_dict(sub)["kind"], from_dict(Submission, to_dict(sub)) == sub
    ('aspirasi', True)
"""

from __future__ import annotations

import base64
import binascii
import collections.abc
import enum
import functools
import typing
from datetime import date, datetime
from typing import Any, Final, TypeVar

import cattrs
from cattrs.errors import (
    AttributeValidationNote,
    BaseValidationError,
    ForbiddenExtraKeysError,
    IterableValidationNote,
)

from lapor_core._domain.rules import (
    ROOT,
    is_checked,
    join_path,
    prefixed,
    structure,
    type_name,
    unknown_fields,
)
from lapor_core._domain.tracking import TrackingId
from lapor_core._i18n import N_
from lapor_core.errors import FieldError, InvalidTrackingId, ValidationError

__all__ = ["from_dict", "make_converter", "to_dict"]

T = TypeVar("T")

_SET_TYPES: Final = (set, frozenset, collections.abc.Set, collections.abc.MutableSet)
# Longer text is not a timestamp; refusing it first keeps fromisoformat away from junk.
_MAX_TIMESTAMP: Final = 64


def _wrong_type(code: str, value: object) -> ValidationError:
    return ValidationError.single(ROOT, code, type=type_name(value))


def _structure_str(value: object, cls: type) -> Any:
    if cls is not str and _is_enum(cls):  # an enum with a str mixin reaches the str hook first
        return _structure_enum(value, cls)
    if isinstance(value, str):
        return value
    raise _wrong_type(N_("value.not_string"), value)


def _structure_int(value: object, cls: type) -> Any:
    if cls is not int and _is_enum(cls):  # likewise for an int mixin (IntEnum)
        return _structure_enum(value, cls)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise _wrong_type(N_("value.not_integer"), value)


def _structure_float(value: object, _: type) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    raise _wrong_type(N_("value.not_number"), value)


def _structure_bool(value: object, _: type) -> bool:
    if isinstance(value, bool):
        return value
    raise _wrong_type(N_("value.not_boolean"), value)


def _is_aware(value: datetime) -> bool:
    return value.tzinfo is not None and value.utcoffset() is not None


def _unstructure_datetime(value: datetime) -> str:
    if not _is_aware(value):
        raise ValidationError.single(ROOT, "instant.naive")
    return value.isoformat()


def _structure_datetime(value: object, _: type) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and len(value) <= _MAX_TIMESTAMP:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise ValidationError.single(ROOT, "instant.malformed") from None
    else:
        raise ValidationError.single(ROOT, "instant.malformed")
    if not _is_aware(parsed):
        raise ValidationError.single(ROOT, "instant.naive")
    return parsed


def _structure_date(value: object, _: type) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and len(value) <= _MAX_TIMESTAMP:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValidationError.single(ROOT, "date.malformed")


def _is_enum(cls: type) -> bool:
    return issubclass(cls, enum.Enum)


def _unstructure_enum(member: enum.Enum) -> Any:
    return member.value


def _structure_enum(value: object, cls: type[enum.Enum]) -> Any:
    if isinstance(value, cls):
        return value
    for member in cls:
        if type(value) is type(member.value) and value == member.value:
            return member
    raise ValidationError.single(ROOT, "value.not_choice", choices=[str(member.value) for member in cls])


def _structure_tracking_id(value: object, _: type) -> TrackingId:
    if isinstance(value, TrackingId):
        return value
    try:
        return TrackingId.parse(value)  # type: ignore[arg-type]  # parse refuses non-strings itself
    except InvalidTrackingId as error:
        raise ValidationError([FieldError(ROOT, error.problem, error.params)]) from None


def _unstructure_bytes(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def _structure_bytes(value: object, _: type) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            pass
    raise ValidationError.single(ROOT, "value.not_base64")


def _is_set_type(cls: Any) -> bool:
    return cls in _SET_TYPES or typing.get_origin(cls) in _SET_TYPES


def _unstructure_set(value: set[Any] | frozenset[Any]) -> list[Any]:
    try:
        return sorted(value)
    except TypeError:  # members without an order keep the set's
        return list(value)


def _structure_checked(value: object, cls: type[Any]) -> Any:
    return structure(cls, value)


def make_converter() -> cattrs.Converter:
    """Return a new converter configured for lapor_core values (see the module docstring for the mapping).

    Each call builds a fresh converter, so an application can register its own hooks without affecting
    anyone else.

    Example:
        >>> from datetime import datetime, timezone
        >>> make_converter().unstructure(datetime(2026, 3, 17, 2, 30, tzinfo=timezone.utc))
        '2026-03-17T02:30:00+00:00'
    """
    converter = cattrs.Converter(forbid_extra_keys=True)
    converter.register_structure_hook(str, _structure_str)
    converter.register_structure_hook(int, _structure_int)
    converter.register_structure_hook(float, _structure_float)
    converter.register_structure_hook(bool, _structure_bool)
    converter.register_unstructure_hook(datetime, _unstructure_datetime)
    converter.register_structure_hook(datetime, _structure_datetime)
    converter.register_unstructure_hook(date, date.isoformat)
    converter.register_structure_hook(date, _structure_date)
    # Registered by class: cattrs looks a type up along its MRO first, where StrEnum and IntEnum come
    # before their str and int bases.
    for enum_base in (enum.Enum, enum.StrEnum, enum.IntEnum):
        converter.register_unstructure_hook(enum_base, _unstructure_enum)
        converter.register_structure_hook(enum_base, _structure_enum)
    converter.register_unstructure_hook(TrackingId, str)
    converter.register_structure_hook(TrackingId, _structure_tracking_id)
    converter.register_unstructure_hook(bytes, _unstructure_bytes)
    converter.register_structure_hook(bytes, _structure_bytes)
    converter.register_unstructure_hook_func(_is_set_type, _unstructure_set)
    # Every class of the one validation mechanism (lapor_core._domain.rules.checked) is read by its rules.
    converter.register_structure_hook_func(is_checked, _structure_checked)
    return converter


@functools.cache
def _default_converter() -> cattrs.Converter:
    return make_converter()


def to_dict(obj: object) -> Any:
    """Return ``obj`` as JSON-ready data (dictionaries, lists, strings, numbers, booleans, None).

    Raises:
        ValidationError: ``obj`` holds a naive datetime.

    Example:
        >>> to_dict(TrackingId.parse("7k3m 9qxf 2hj q"))
        '7K3M-9QXF-2HJ-Q'
    """
    return _default_converter().unstructure(obj)


def from_dict(cls: type[T], data: object) -> T:
    """Build a ``cls`` from JSON-ready ``data``, validating it.

    Raises:
        ValidationError: ``data`` does not describe a valid ``cls``; ``errors`` lists every bad field with
            its path. No other exception escapes for bad data.

    Example:
        >>> from lapor_core._domain.model import Location
        >>> from_dict(Location, {"region": "3171", "lat": "-6.2", "lon": 106.8})
        Traceback (most recent call last):
        lapor_core.errors.ValidationError: invalid input: lat: must be a number, got a string
    """
    try:
        result: T = _default_converter().structure(data, cls)
    except ValidationError:
        raise
    except BaseValidationError as group:
        raise ValidationError(_field_errors(group, ROOT)) from None
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ValidationError(_field_errors(error, ROOT)) from None
    return result


def _field_errors(error: BaseException, path: str) -> list[FieldError]:
    if isinstance(error, ValidationError):
        return prefixed(path, error.errors)
    if isinstance(error, ForbiddenExtraKeysError):
        return unknown_fields(path, sorted(error.extra_fields))
    if isinstance(error, BaseValidationError):
        found: list[FieldError] = []
        for sub in error.exceptions:
            found.extend(_field_errors(sub, _sub_path(sub, path)))
        return found
    if isinstance(error, KeyError):
        return [FieldError(path, "value.required")]
    return [FieldError(path, "value.wrong_type")]


def _sub_path(error: BaseException, path: str) -> str:
    for note in getattr(error, "__notes__", ()):
        if isinstance(note, AttributeValidationNote):
            return join_path(path, note.name)
        if isinstance(note, IterableValidationNote):
            return f"{path}[{note.index}]"
    return path
