"""Validation at the boundary: rules that check one field, and the collection of every failure at once.

A *rule* takes an untrusted value and returns it normalised, or raises :class:`Invalid` with a reason that
never echoes the value (reasons end up in logs). A rule may also raise
:class:`~lapor_core.errors.ValidationError` for a nested object; its field paths are then prefixed with the
field's name. :func:`apply_rules` runs every rule and collects every failure; :func:`read_mapping` checks the
shape of a dictionary (a mapping, only known keys, required keys present) before the rules see its values.

Field paths are dotted (``location.lat``); ``$`` names the input as a whole.

Internal: nothing here is part of the public API.
"""

from __future__ import annotations

import datetime as dt
import enum
import inspect
import math
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any, Final, TypeVar

import attrs

from lapor_core._domain import text as _text
from lapor_core._i18n import N_
from lapor_core.errors import FieldError, ValidationError

__all__ = [
    "ROOT",
    "Invalid",
    "Rule",
    "apply_rules",
    "calendar_date",
    "checked",
    "choice",
    "flag",
    "instant",
    "is_checked",
    "join_path",
    "nested",
    "number",
    "prefixed",
    "read_mapping",
    "required",
    "rule",
    "structure",
    "text",
    "trusted",
    "type_name",
    "unknown_fields",
    "whole_number",
    "with_rules",
]

E = TypeVar("E", bound=enum.Enum)
T = TypeVar("T")

#: The path of the input as a whole.
ROOT: Final = "$"
# Unknown keys are named one by one up to this many, then counted, so junk cannot make a huge error.
_MAX_NAMED_UNKNOWN: Final = 10
_KEY_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")


class Invalid(Exception):
    """A rule refused a value: ``code`` names the rule, ``params`` fill its message; never the value itself.

    Example:
        >>> Invalid("text.too_long", max=150, actual=151).params
        {'max': 150, 'actual': 151}
    """

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    def at(self, field: str) -> FieldError:
        """This refusal as the error of ``field``."""
        return FieldError(field, self.code, self.params)


Rule = Callable[[object], object]
"""Check one untrusted value; return it normalised or raise :class:`Invalid` (or a nested ValidationError)."""


def join_path(prefix: str, field: str) -> str:
    """Return the path of ``field`` inside ``prefix``.

    Example:
        >>> join_path("location", "lat"), join_path("location", "$"), join_path("$", "title")
        ('location.lat', 'location', 'title')
        >>> join_path("options", "[1]"), join_path("options", "[1].label")
        ('options[1]', 'options[1].label')
    """
    if field == ROOT:
        return prefix
    if prefix == ROOT:
        return field
    if field.startswith("["):  # an item of a list: options[1]
        return prefix + field
    return f"{prefix}.{field}"


def prefixed(prefix: str, errors: Iterable[FieldError]) -> list[FieldError]:
    """Return ``errors`` with their paths moved inside ``prefix``."""
    return [FieldError(join_path(prefix, error.field), error.code, error.params) for error in errors]


def apply_rules(
    rules: Sequence[tuple[str, Rule]], values: Mapping[str, object]
) -> tuple[dict[str, Any], list[FieldError]]:
    """Run each ``(name, rule)`` on ``values[name]``; return the normalised values and every failure."""
    cleaned: dict[str, Any] = {}
    errors: list[FieldError] = []
    for name, rule in rules:
        try:
            cleaned[name] = rule(values[name])
        except Invalid as invalid:
            errors.append(invalid.at(name))
        except ValidationError as nested_error:
            errors.extend(prefixed(name, nested_error.errors))
    return cleaned, errors


def type_name(value: object) -> str:
    """The JSON name of ``value``'s type, or the Python type's name.

    That is what a message may say about a refused value without showing it: ``null``, ``boolean``,
    ``number``, ``string``, ``list``, ``object``.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "list"
    if isinstance(value, Mapping):
        return "object"
    return type(value).__name__


def read_mapping(
    data: object, fields: Collection[str], required: Collection[str]
) -> tuple[dict[str, Any], list[FieldError]]:
    """Split untrusted ``data`` into the values of known fields and the errors of its shape.

    Missing required fields are returned as ``None`` (so their rule reports them); missing optional ones
    are left out (so the default applies); every unknown key is an error.

    Raises:
        ValidationError: ``data`` is not a mapping at all.
    """
    if not isinstance(data, Mapping):
        raise ValidationError.single(ROOT, "value.not_mapping", type=type_name(data))
    values: dict[str, Any] = dict.fromkeys(required)
    unknown: list[object] = []
    for key, value in data.items():
        if isinstance(key, str) and key in fields:
            values[key] = value
        else:
            unknown.append(key)
    return values, unknown_fields(ROOT, unknown)


def unknown_fields(path: str, keys: Iterable[object]) -> list[FieldError]:
    """Return an error for each unknown key inside ``path``.

    Keys that look like field names are named, up to ten; the others are only counted, so that junk keys
    (long text, personal data typed in the wrong place) never end up in an error message.

    Example:
        >>> [str(error) for error in unknown_fields("location", ["street", "Jl. Sudirman 5"])]
        ['location.street: unknown field', 'location: 1 more unknown field(s)']
        >>> [error.message() for error in unknown_fields("location", ["street", "Jl. Sudirman 5"])]
        ['kolom tidak dikenal', '1 kolom lain tidak dikenal']
    """
    errors: list[FieldError] = []
    unnamed = 0
    for key in keys:
        if isinstance(key, str) and _KEY_NAME.fullmatch(key) and len(errors) < _MAX_NAMED_UNKNOWN:
            errors.append(FieldError(join_path(path, key), "field.unknown"))
        else:
            unnamed += 1
    if unnamed:
        errors.append(FieldError(path, "field.unknown_more", {"count": unnamed}))
    return errors


def text(
    *, required: bool, max_length: int, multiline: bool = False, strip: bool = True
) -> Callable[[object], str | None]:
    """A rule for free text: a string, not blank if required, at most ``max_length`` characters.

    Control characters, NUL, unpaired surrogates and bidirectional controls are refused (tab and line
    breaks are allowed when ``multiline``). Blank optional text becomes ``None``: an empty form field means
    "not given". With ``strip``, surrounding white space is removed; otherwise the text is kept as given.
    """
    forbidden = N_("text.control_characters") if multiline else N_("text.not_one_line")

    def rule(value: object) -> str | None:
        if value is None:
            if required:
                raise Invalid("value.required")
            return None
        if not isinstance(value, str):
            raise Invalid("value.not_string", type=type_name(value))
        stripped = value.strip()
        if not stripped:
            if required:
                raise Invalid("text.empty")
            return None
        result = stripped if strip else value
        if len(result) > max_length:
            raise Invalid("text.too_long", max=max_length, actual=len(result))
        if _text.has_forbidden_characters(result, multiline=multiline):
            raise Invalid(forbidden)
        if _text.has_bidi_controls(result):
            raise Invalid("text.bidi_control")
        return result

    return rule


def choice(enum_type: type[E]) -> Callable[[object], E]:
    """A required rule accepting a member of ``enum_type`` or one of its values."""
    by_value = {member.value: member for member in enum_type}
    choices = tuple(by_value)

    def rule(value: object) -> E:
        if value is None:
            raise Invalid("value.required")
        if isinstance(value, enum_type):
            return value
        if isinstance(value, str) and value in by_value:
            return by_value[value]
        raise Invalid("value.not_choice", choices=choices)

    return rule


def flag(value: object) -> bool:
    """A rule accepting exactly ``True`` or ``False`` (not 0, 1, ``"yes"`` or null)."""
    if value is True or value is False:
        return value
    raise Invalid("value.not_boolean", type=type_name(value))


def number(*, low: float, high: float, code: str = "number.out_of_range") -> Callable[[object], float | None]:
    """An optional rule for a finite number in ``low .. high`` (inclusive), returned as a float.

    ``code`` names the refusal of a number out of range (its params are ``min`` and ``max``).
    """

    def rule(value: object) -> float | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise Invalid("value.not_number", type=type_name(value))
        if isinstance(value, float) and not math.isfinite(value):
            raise Invalid("number.not_finite")
        # Compared before float(): an int too large for a float is simply out of range.
        if not low <= value <= high:
            raise Invalid(code, min=low, max=high)
        return float(value)

    return rule


def whole_number(low: int, high: int, *, code: str, required: bool = True) -> Callable[[object], int | None]:
    """The rule for a whole number (an ``int``, not a bool nor a float) in ``low .. high``, inclusive.

    ``code`` names the refusal (its params are ``min`` and ``max``), whatever the value was: a float, text,
    a bool, a number out of range, or None when ``required`` (when not, None stays None).

    Example:
        >>> whole_number(1, 10, code="rating.out_of_range")(7)
        7
        >>> whole_number(1, 10, code="rating.out_of_range")(7.0)
        Traceback (most recent call last):
        lapor_core._domain.rules.Invalid: rating.out_of_range
    """

    def rule(value: object) -> int | None:
        if value is None and not required:
            return None
        if type(value) is not int or not low <= value <= high:
            raise Invalid(code, min=low, max=high)
        return value

    return rule


def required(rule: Callable[[object], T | None]) -> Callable[[object], T]:
    """The rule ``rule`` for a value that must be given: where it answers ``None``, ``value.required``.

    Example:
        >>> required(text(required=False, max_length=5))(" ")
        Traceback (most recent call last):
        lapor_core._domain.rules.Invalid: value.required
    """

    def check(value: object) -> T:
        result = rule(value)
        if result is None:
            raise Invalid("value.required")
        return result

    return check


def nested(cls: type[T], from_dict: Callable[[object], T]) -> Callable[[object], T | None]:
    """An optional rule for a nested object: an instance of ``cls``, or a mapping read by ``from_dict``."""

    def rule(value: object) -> T | None:
        if value is None or isinstance(value, cls):
            return value
        if isinstance(value, Mapping):
            return from_dict(value)
        raise Invalid("value.not_mapping", type=type_name(value))

    return rule


# --- boundary classes: attrs fields whose converters are rules, built from data by one structure hook ---

A = TypeVar("A", bound=attrs.AttrsInstance)
_CHECKED: Final = "__lapor_checked__"
_RULE: Final = "lapor_core.rule"


def rule(check: Callable[[object], object]) -> Mapping[str, object]:
    """The metadata naming a field's rule: ``attrs.field(metadata=rule(text(...)))``.

    :func:`with_rules` makes it the field's attrs converter when the class is created.
    """
    return {_RULE: check}


def with_rules(_cls: type, fields: list[attrs.Attribute[Any]]) -> list[attrs.Attribute[Any]]:
    """The attrs ``field_transformer`` that makes each field's :func:`rule` its converter."""
    return [
        field.evolve(converter=field.metadata[_RULE]) if _RULE in field.metadata else field
        for field in fields
    ]


def checked(cls: type[A]) -> type[A]:
    """Make an attrs class whose fields have rules report every bad field at once.

    The one validation mechanism of lapor_core, on attrs and cattrs: each field of a class that crosses the
    boundary names its rule (``attrs.field(metadata=rule(text(...)))``), the class is created with
    ``@attrs.frozen(field_transformer=with_rules)`` so attrs runs the rules as converters in ``__init__``,
    a rule across fields is an attrs ``validator`` raising :class:`~lapor_core.errors.ValidationError` for
    its field, and ``@checked`` goes on top. On the first failure it runs every rule on the given arguments
    and raises one ValidationError listing each bad field, nested ones with their path. Untrusted mappings
    are read by :func:`structure`, the library's cattrs converter's structure hook for every checked class,
    so ``Cls(**values)``, ``Cls.from_dict(data)`` and ``converter.structure(data, Cls)`` agree.

    Example:
        >>> @checked
        ... @attrs.frozen(field_transformer=with_rules)
        ... class Point:
        ...     name: str = attrs.field(metadata=rule(text(required=True, max_length=5)))
        ...     x: float | None = attrs.field(default=None, metadata=rule(number(low=0, high=1)))
        >>> Point(" a ", x=1)
        Point(name='a', x=1.0)
        >>> Point("", x=2)
        Traceback (most recent call last):
        lapor_core.errors.ValidationError: invalid input: name: must not be empty; x: must be between 0 and 1
    """
    init = cls.__init__
    fields = [field for field in attrs.fields(cls) if field.init]

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:  # noqa: N807 - replaces the class's __init__
        try:
            init(self, *args, **kwargs)
        except (Invalid, ValidationError) as first:
            raise ValidationError(_every_failure(cls, fields, args, kwargs, first)) from None

    __init__.__doc__ = init.__doc__
    __init__.__signature__ = inspect.signature(init)  # type: ignore[attr-defined]
    setattr(cls, "__init__", __init__)  # noqa: B010 - mypy keeps the attrs signature this way
    setattr(cls, _CHECKED, True)
    return cls


def _every_failure(
    cls: type,
    fields: Sequence[attrs.Attribute[Any]],
    args: Sequence[object],
    kwargs: Mapping[str, object],
    first: Exception,
) -> list[FieldError]:
    names = [str(field.alias) for field in fields]
    values = dict(zip(names, args, strict=False)) | dict(kwargs)
    errors: list[FieldError] = []
    passed: dict[str, object] = {}
    for field, name in zip(fields, names, strict=True):
        check = field.metadata.get(_RULE)
        value = values.get(name, field.default)
        if check is None or name not in values:
            passed[field.name] = value
            continue
        try:
            passed[field.name] = check(value)
        except Invalid as invalid:
            errors.append(invalid.at(name))
        except ValidationError as nested_error:
            errors.extend(prefixed(name, nested_error.errors))
    errors += _across_fields(cls, fields, passed)
    if errors:
        return errors
    if isinstance(first, ValidationError):  # a validator that failed only on the instance attrs built
        return list(first.errors)
    assert isinstance(first, Invalid)  # noqa: S101 - the only other exception __init__ translates
    return [first.at(ROOT)]


def _across_fields(
    cls: type, fields: Sequence[attrs.Attribute[Any]], passed: Mapping[str, object]
) -> list[FieldError]:
    """The failures of the rules across fields whose fields all passed their own rules.

    They run on an instance holding only the fields that passed; a rule that needs a bad field stops at the
    missing attribute and is skipped (its field's own error is already reported).
    """
    partial: object = object.__new__(cls)
    for name, value in passed.items():
        object.__setattr__(partial, name, value)
    errors: list[FieldError] = []
    for field in fields:
        if field.validator is None or field.name not in passed:
            continue
        try:
            field.validator(partial, field, passed[field.name])
        except AttributeError:
            continue
        except Invalid as invalid:
            errors.append(invalid.at(str(field.alias)))
        except ValidationError as error:
            errors.extend(error.errors)
    return errors


def trusted(cls: type[A], values: Mapping[str, object]) -> A:
    """Rebuild a checked class from values its rules accepted before (a stored row), without running them.

    Only for what lapor_core itself validated and stored: reading a row back must not cost validating it
    again.
    """
    built: A = object.__new__(cls)
    for field in attrs.fields(cls):
        object.__setattr__(built, field.name, values.get(field.name, field.default))
    return built


def is_checked(cls: object) -> bool:
    """Tell whether ``cls`` is a class decorated with :func:`checked` (the converter's hook predicate)."""
    return isinstance(cls, type) and getattr(cls, _CHECKED, False) is True


def structure(cls: type[A], data: object) -> A:
    """Build the checked class ``cls`` from untrusted ``data``: its shape, then every field's rule.

    ``data`` must be a mapping whose keys are the fields' names; fields without a default are required;
    unknown keys are refused (named up to ten, then counted). Every failure is listed in one
    :class:`~lapor_core.errors.ValidationError`; no other exception escapes, whatever ``data`` is.
    """
    fields = [field for field in attrs.fields(cls) if field.init]
    required = [str(field.alias) for field in fields if field.default is attrs.NOTHING]
    values, shape_errors = read_mapping(data, [str(field.alias) for field in fields], required)
    try:
        built = cls(**values)
    except ValidationError as error:
        raise ValidationError([*error.errors, *shape_errors]) from None
    if shape_errors:
        raise ValidationError(shape_errors)
    return built


# Instants and dates every backend can hold and shift by a day or a time-zone offset without overflow: the
# narrowest supported column is MariaDB's DATETIME (1000-01-01 .. 9999-12-31); a year's margin at the top
# leaves room for deadlines and month arithmetic.
_EARLIEST_INSTANT: Final = dt.datetime(1000, 1, 1, tzinfo=dt.UTC)
_LATEST_INSTANT: Final = dt.datetime(9998, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC)
_EARLIEST_DAY: Final = _EARLIEST_INSTANT.date() + dt.timedelta(days=1)
_LATEST_DAY: Final = _LATEST_INSTANT.date() - dt.timedelta(days=1)
_MAX_TIMESTAMP_TEXT: Final = 64
_DATE_TEXT: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def instant(value: object) -> dt.datetime:
    """The rule for a timestamp: an aware datetime, or ISO 8601 text with a UTC offset (``Z`` too).

    Naive datetimes are refused (``instant.naive``: they name no instant), so is anything else and text
    longer than 64 characters (``instant.malformed``), and instants outside the years 1000 to 9998 in UTC
    (``instant.out_of_range``, with ``min`` and ``max``), which no store could hold or shift safely.

    Example:
        >>> instant("2026-03-17T10:00+07:00").isoformat()
        '2026-03-17T10:00:00+07:00'
        >>> instant("2026-03-17T10:00")
        Traceback (most recent call last):
        lapor_core._domain.rules.Invalid: instant.naive
    """
    if value is None:
        raise Invalid("value.required")
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, str) and len(value) <= _MAX_TIMESTAMP_TEXT:
        try:
            parsed = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise Invalid("instant.malformed") from None
    else:
        raise Invalid("instant.malformed")
    try:
        offset = parsed.utcoffset()
    except (ValueError, TypeError):  # a tzinfo whose utcoffset() is broken names no instant either
        raise Invalid("instant.naive") from None
    if offset is None:
        raise Invalid("instant.naive")
    try:
        utc = parsed.astimezone(dt.UTC)
    except OverflowError:
        utc = None
    if utc is None or not _EARLIEST_INSTANT <= utc <= _LATEST_INSTANT:
        raise Invalid("instant.out_of_range", min=_EARLIEST_INSTANT, max=_LATEST_INSTANT)
    return parsed


def calendar_date(value: object) -> dt.date:
    """The rule for a calendar day: a :class:`~datetime.date` (not a datetime) or ``YYYY-MM-DD`` text.

    Refuses anything else (``date.malformed``) and days outside 1000-01-02 .. 9998-12-30
    (``date.out_of_range``, with ``min`` and ``max``): every instant of such a day, in any time zone,
    lies in the range of :func:`instant`.

    Example:
        >>> calendar_date("2026-03-17")
        datetime.date(2026, 3, 17)
        >>> calendar_date("9999-12-31")
        Traceback (most recent call last):
        lapor_core._domain.rules.Invalid: date.out_of_range
    """
    if value is None:
        raise Invalid("value.required")
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        day = value
    elif isinstance(value, str) and _DATE_TEXT.fullmatch(value.strip()):
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise Invalid("date.malformed") from None
    else:
        raise Invalid("date.malformed")
    first, last = _EARLIEST_DAY, _LATEST_DAY
    if not first <= day <= last:
        raise Invalid("date.out_of_range", min=first, max=last)
    return day
