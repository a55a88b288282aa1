"""The institutions complaints are forwarded to: codes, names, time zones, calendars as data, superiors.

An :class:`InstitutionDirectory` maps institution codes to :class:`Institution` values. The default
directory knows every provincial, regency and city government by its Kemendagri region code (``31``,
``31.71``, ``73.71``, ``91.71``...) on its region's time zone, each regency and city with its province as
superior, plus a few central institutions with slug codes (``kemenpanrb``, ``kemenkes``, ``pln``...).
Deployments grow it from CSV or JSON (:meth:`InstitutionDirectory.from_csv`,
:meth:`InstitutionDirectory.from_json`) or in code (:meth:`InstitutionDirectory.with_institutions`).

Calendar overrides are plain data here (a work-week text, extra closures, extra working days); the working
calendar module turns them into a calendar.

Example:
    >>> directory = InstitutionDirectory.default()
    >>> jakpus = directory.get("31.71")
    >>> jakpus.name, jakpus.timezone, jakpus.superior
    ('Pemerintah Kota Administrasi Jakarta Pusat', 'Asia/Jakarta', '31')
    >>> directory.get("91.71").timezone
    'Asia/Jayapura'
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
import functools
import io
import json
import os
import re
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, final

import attrs

from lapor_core._domain import rules as v
from lapor_core._domain.calendar import parse_workweek, timezone_rule, workweek_rule
from lapor_core._domain.regions import (
    Region,
    RegionKind,
    RegionLevel,
    RegionTable,
    area_code_rule,
    default_areas,
    region_code_rule,
)
from lapor_core._i18n import N_
from lapor_core.errors import FieldError, NotFound, ValidationError

__all__ = [
    "Institution",
    "InstitutionDirectory",
    "InstitutionKind",
    "WorkUnit",
    "parse_workweek",
]

_CODE: Final = re.compile(r"[a-z0-9]+(?:[._-][a-z0-9]+)*")
_MAX_CODE: Final = 64
_MAX_NAME: Final = 200


class InstitutionKind(enum.StrEnum):
    """What sort of body an institution is (the K/L/D of KepmenPANRB 680/2020, and the rest)."""

    MINISTRY = "ministry"
    AGENCY = "agency"
    PROVINCE = "province"
    REGENCY = "regency"
    CITY = "city"
    STATE_COMPANY = "state_company"
    UNIVERSITY = "university"
    MISSION_ABROAD = "mission_abroad"


# --- the rules of an institution's fields --------------------------------------------------------------


def _optional_code(value: object) -> str | None:
    """The rule of a directory code that may be left out: a lowercase slug or a dotted region code.

    Surrounding white space is ignored; ``None`` and blank text are ``None`` (empty text counts as missing).
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise v.Invalid("value.not_string", type=v.type_name(value))
    code = value.strip()
    if not code:
        return None
    if len(code) > _MAX_CODE or not _CODE.fullmatch(code):
        raise v.Invalid("institution.malformed_code")
    return code


_code: Final = v.required(_optional_code)
"""The rule of a required directory code (see :func:`_optional_code`)."""


_name_rule: Final = v.text(required=True, max_length=_MAX_NAME)
_kind: Final = v.choice(InstitutionKind)


def _name(value: object) -> str:
    return str(_name_rule(value))


def _timezone(value: object) -> str:
    """The calendar's time-zone rule, for a zone that must be given (there is no region to take it from)."""
    if value is None:
        raise v.Invalid("institution.timezone_required")
    return timezone_rule(value)


def _workweek(value: object) -> str | None:
    """The calendar's work-week rule on text; the text is kept (``None`` for the national week)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise v.Invalid("value.not_string", type=v.type_name(value))
    text = value.strip()
    if not text:
        return None
    workweek_rule(text)
    return text


# What a list-valued field may be given as besides one text; anything else (a mapping, a number) is refused.
_LIST_TYPES: Final = (list, tuple, set, frozenset)


def _each(items: Iterable[object], rule: v.Rule) -> list[Any]:
    """``rule`` on every item; every refusal at its index (``[2]``), all at once."""
    cleaned: list[Any] = []
    errors: list[FieldError] = []
    for index, item in enumerate(items):
        try:
            cleaned.append(rule(item))
        except v.Invalid as invalid:
            errors.append(invalid.at(f"[{index}]"))
        except ValidationError as nested:
            errors += v.prefixed(f"[{index}]", nested.errors)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _dates(value: object) -> tuple[dt.date, ...]:
    """The rule of a list of days (or one text separated by ``;``), each read by the shared day rule.

    Kept sorted, without repeats; ``None`` and blank text are no days.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return ()
    items = value.split(";") if isinstance(value, str) else value
    if not isinstance(items, _LIST_TYPES):
        raise v.Invalid("institution.not_date_list", type=v.type_name(value))
    return tuple(sorted(set(_each(items, v.calendar_date))))


def _unit(value: object) -> WorkUnit:
    if isinstance(value, WorkUnit):
        return value
    if isinstance(value, Mapping):
        return WorkUnit.from_dict(value)
    raise v.Invalid("institution.not_work_unit", type=v.type_name(value))


def _units(value: object) -> tuple[WorkUnit, ...]:
    """The rule of an institution's work units (codes unique: a rule across them).

    A list of :class:`WorkUnit` or ``{"code", "name"}`` objects, or one text ``code=Name;code=Name``;
    ``None`` and blank text are no units.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return ()
    items: object = value
    if isinstance(value, str):
        items = [
            {"code": code.strip(), "name": name.strip()}
            for code, _, name in (item.partition("=") for item in value.split(";"))
        ]
    if not isinstance(items, list | tuple):
        raise v.Invalid("institution.not_unit_list", type=v.type_name(value))
    return tuple(_each(items, _unit))


# --- the rules across fields (attrs validators) ------------------------------------------------------

# The region a regional government must govern: its level, its kind and the code of the refusal.
_KIND_REGION: Final = {
    InstitutionKind.PROVINCE: (RegionLevel.PROVINCE, None, N_("institution.region_not_province")),
    InstitutionKind.REGENCY: (
        RegionLevel.REGENCY,
        RegionKind.KABUPATEN,
        N_("institution.region_not_kabupaten"),
    ),
    InstitutionKind.CITY: (RegionLevel.REGENCY, RegionKind.KOTA, N_("institution.region_not_kota")),
}


def _region_for_kind(instance: Institution, _attribute: attrs.Attribute[Any], region: str | None) -> None:
    # A regional government governs a region; which kind of region is for the region table to say.
    if region is None and instance.kind in _KIND_REGION:
        raise ValidationError.single("region", "institution.region_required")


def _not_own_superior(instance: Institution, _attribute: attrs.Attribute[Any], superior: str | None) -> None:
    if superior is not None and superior == instance.code:
        raise ValidationError.single("superior", "institution.own_superior")


def _distinct_units(
    _instance: Institution, _attribute: attrs.Attribute[Any], units: Sequence[WorkUnit]
) -> None:
    seen: set[str] = set()
    for index, unit in enumerate(units):
        if unit.code in seen:
            raise ValidationError.single(f"units[{index}].code", "institution.repeated_unit")
        seen.add(unit.code)


def _open_days_not_closed(
    instance: Institution, _attribute: attrs.Attribute[Any], working_days: Sequence[dt.date]
) -> None:
    if set(instance.extra_holidays) & set(working_days):
        raise ValidationError.single("extra_working_days", "institution.working_day_is_holiday")


@v.checked
@attrs.frozen(field_transformer=v.with_rules)
class WorkUnit:
    """A work unit (unit kerja) of an institution that complaints can be assigned to.

    Attributes:
        code: Short code, unique within its institution (``"dinas-pu"``).
        name: Its name (``"Dinas Pekerjaan Umum"``).

    Raises:
        ValidationError: Listing every bad field: the code is malformed, the name empty or too long.
    """

    code: str = attrs.field(metadata=v.rule(_code))
    name: str = attrs.field(metadata=v.rule(_name))

    @classmethod
    def from_dict(cls, data: object) -> WorkUnit:
        """Build a work unit from untrusted data (keys ``code`` and ``name``).

        Raises:
            ValidationError: Listing every bad field and every unknown key.
        """
        return v.structure(cls, data)


@v.checked
@attrs.frozen(kw_only=True, field_transformer=v.with_rules)
class Institution:
    """One institution of the directory, with its calendar overrides as plain data.

    Attributes:
        code: Directory code: a region code for regional governments (``"31.71"``), a lowercase slug for
            the others (``"kemenkes"``).
        name: Official name.
        kind: What sort of body it is (a member or its value, ``"ministry"``).
        region: Kemendagri code of the region it governs or sits in (a province, regency/city or district;
            given undotted, it is dotted), ``None`` for national bodies; required for a province, regency
            or city government.
        timezone: IANA key of the time zone its deadlines run on.
        superior: Code of the institution a missed deadline escalates to, ``None`` at the top.
        units: Its work units, codes unique.
        workweek: Its work week when it is not the national Monday-Friday (``"Mon-Sat"``, ``"Sen-Sab"``,
            ``"Sun-Thu"``: anything :func:`lapor_core._domain.calendar.workweek_rule` reads), else ``None``.
        extra_holidays: Its own closures on top of the national holidays (dates or ``YYYY-MM-DD`` text, each
            as :func:`lapor_core._domain.rules.calendar_date` reads it; kept sorted, no repeats).
        extra_working_days: Days it works although the national calendar rests (likewise).

    Raises:
        ValidationError: Every malformed attribute at once (field paths are attribute names). Once every
            attribute is well formed, the rules across attributes: a regional government without a region,
            an institution that is its own superior, a repeated unit code (``units[i].code``), a date both
            an extra holiday and an extra working day.

    Example:
        >>> Institution(code="kemenkes", name="Kementerian Kesehatan", kind=InstitutionKind.MINISTRY,
        ...             timezone="Asia/Jakarta").superior is None
        True
        >>> Institution(code="x", name="X", kind="agency", timezone="UTC", region="3171").region
        '31.71'
    """

    code: str = attrs.field(metadata=v.rule(_code))
    name: str = attrs.field(metadata=v.rule(_name))
    kind: InstitutionKind = attrs.field(metadata=v.rule(_kind))
    region: str | None = attrs.field(
        default=None, metadata=v.rule(area_code_rule), validator=_region_for_kind
    )
    timezone: str = attrs.field(metadata=v.rule(_timezone))
    superior: str | None = attrs.field(
        default=None, metadata=v.rule(_optional_code), validator=_not_own_superior
    )
    units: tuple[WorkUnit, ...] = attrs.field(default=(), metadata=v.rule(_units), validator=_distinct_units)
    workweek: str | None = attrs.field(default=None, metadata=v.rule(_workweek))
    extra_holidays: tuple[dt.date, ...] = attrs.field(default=(), metadata=v.rule(_dates))
    extra_working_days: tuple[dt.date, ...] = attrs.field(
        default=(), metadata=v.rule(_dates), validator=_open_days_not_closed
    )

    @classmethod
    def from_dict(cls, data: object) -> Institution:
        """Build an institution from untrusted data with the attributes' names as keys.

        Unlike :meth:`InstitutionDirectory.from_dict`, nothing is looked up: ``timezone`` is required and
        ``region`` is only checked for its shape.

        Raises:
            ValidationError: Listing every bad field and every unknown key.
        """
        return v.structure(cls, data)

    @property
    def working_weekdays(self) -> frozenset[int] | None:
        """The weekdays of :attr:`workweek` (Monday 0), or ``None`` for the national default.

        Example:
            >>> InstitutionDirectory.default().get("31.71").working_weekdays is None
            True
        """
        return None if self.workweek is None else workweek_rule(self.workweek)

    def unit(self, code: str) -> WorkUnit:
        """The work unit with this code.

        Raises:
            NotFound: The institution has no such unit (``kind="work unit"``, ``key="<institution>/<unit>"``).
        """
        for unit in self.units:
            if unit.code == code:
                return unit
        raise NotFound(kind="work unit", key=f"{self.code}/{code}")


@final
class InstitutionDirectory:
    """An immutable directory of institutions by code.

    Iterating gives the codes in sorted order, like a mapping; :meth:`institutions` gives the values.
    The "changing" methods return a new directory.

    Args:
        institutions: The institutions, in any order.

    Raises:
        ValidationError: A code repeats, a superior is not in the directory, or superiors form a cycle;
            field paths are ``institutions[i].<attribute>`` by position in ``institutions``.

    Example:
        >>> ministry = Institution(code="kemenkes", name="Kementerian Kesehatan",
        ...                        kind=InstitutionKind.MINISTRY, timezone="Asia/Jakarta")
        >>> directory = InstitutionDirectory([ministry])
        >>> "kemenkes" in directory, len(directory)
        (True, 1)
    """

    __slots__ = ("_make", "_table")

    def __init__(self, institutions: Iterable[Institution]) -> None:
        items = list(institutions)
        errors = _link_errors({}, [(f"institutions[{i}]", item) for i, item in enumerate(items)])
        if errors:
            raise ValidationError(errors)
        self._table: dict[str, Institution] | None = _sorted_by_code(items)
        self._make: Callable[[], dict[str, Institution]] | None = None

    @classmethod
    def _trusted(cls, by_code: dict[str, Institution]) -> InstitutionDirectory:
        directory = cls.__new__(cls)
        directory._table, directory._make = _sorted_by_code(by_code.values()), None
        return directory

    @classmethod
    def _on_first_use(cls, make: Callable[[], dict[str, Institution]]) -> InstitutionDirectory:
        """A directory of trusted institutions that ``make`` builds when the directory is first read."""
        directory = cls.__new__(cls)
        directory._table, directory._make = None, make
        return directory

    @property
    def _by_code(self) -> dict[str, Institution]:
        table = self._table
        if table is None:
            assert self._make is not None  # noqa: S101 - every constructor sets one of the two
            table = self._table = _sorted_by_code(self._make().values())  # racing threads build equal tables
        return table

    @classmethod
    def default(cls) -> InstitutionDirectory:
        """Every provincial, regency and city government, plus a few central institutions.

        Regional governments have their Kemendagri region code as code and the region's time zone.
        A province's superior is Kemendagri and a regency's or city's its province (UU 23/2014 Pasal 373:
        the Minister of Home Affairs oversees provinces, the governor as the central government's
        representative oversees regencies and cities). Built on first call and shared afterwards.

        Example:
            >>> directory = InstitutionDirectory.default()
            >>> directory.get("73.71").name, directory.get("73.71").timezone
            ('Pemerintah Kota Makassar', 'Asia/Makassar')
            >>> directory.chain_of_superiors("73.71")
            ('73', 'kemendagri')
        """
        return _default_directory()

    @classmethod
    def from_dict(
        cls,
        data: object,
        *,
        base: InstitutionDirectory | None = None,
        regions: RegionTable | None = None,
    ) -> InstitutionDirectory:
        """Build a directory from ``{"institutions": [...]}``, a list of plain records (what JSON holds).

        Each record has ``code``, ``name`` and ``kind`` (an :class:`InstitutionKind` value), and optionally
        ``region`` (dotted or undotted), ``timezone`` (derived from the region when missing; required
        without a region), ``superior``, ``workweek``, ``extra_holidays`` and ``extra_working_days`` (ISO
        dates, as a list or one text separated by ``;``) and ``units`` (a list of ``{"code", "name"}`` or one
        text ``code=Name;code=Name``). Empty text counts as missing.

        Args:
            data: ``{"institutions": [record, ...]}``.
            base: A directory the records are added to; a record with a code already there replaces it.
            regions: The region table for checking ``region`` and deriving time zones
                (default: :meth:`RegionTable.default`, loaded only if a record names a region).

        Raises:
            ValidationError: Every bad field at once as ``institutions[i].<field>``: ``data`` that is not an
                object with exactly the key ``institutions`` (``$``, ``institutions``), records that are not a
                list (field ``institutions``), records that are not objects, unknown fields, missing or
                malformed values, unknown regions (with suggestions), a kind that contradicts its region
                (a ``city`` must govern a kota), unknown time zones, repeated codes, superiors that are
                neither in the records nor in ``base``, and cycles of superiors. Nothing else is raised,
                whatever ``data`` holds.

        Example:
            >>> directory = InstitutionDirectory.from_dict(
            ...     {"institutions": [{"code": "kanwil-sulsel", "name": "Kanwil", "kind": "agency",
            ...                        "region": "7371"}]})
            >>> directory.get("kanwil-sulsel").timezone
            'Asia/Makassar'
        """
        if not isinstance(data, Mapping):
            raise ValidationError.single(v.ROOT, "value.not_mapping", type=v.type_name(data))
        shape_errors = v.unknown_fields(v.ROOT, [key for key in data if key != "institutions"])
        if "institutions" not in data:
            shape_errors.append(FieldError("institutions", "value.required"))
        if shape_errors:
            raise ValidationError(shape_errors)
        return cls._from_records(data["institutions"], base=base, regions=regions, label="institutions")

    @classmethod
    def from_records(
        cls,
        records: Iterable[Mapping[str, object]],
        *,
        base: InstitutionDirectory | None = None,
        regions: RegionTable | None = None,
        label: str = "rows",
    ) -> InstitutionDirectory:
        """Deprecated (removed in 0.3): ``from_dict({"institutions": records})``, or :meth:`from_csv`."""
        warnings.warn(
            "InstitutionDirectory.from_records(records) is now "
            'InstitutionDirectory.from_dict({"institutions": records})',
            DeprecationWarning,
            stacklevel=2,
        )
        return cls._from_records(records, base=base, regions=regions, label=label)

    @classmethod
    def _from_records(
        cls,
        records: object,
        *,
        base: InstitutionDirectory | None,
        regions: RegionTable | None,
        label: str,
    ) -> InstitutionDirectory:
        """The directory of ``records`` (see :meth:`from_dict`); paths are ``<label>[i].<field>``."""
        if isinstance(records, str | bytes | Mapping) or not isinstance(records, Iterable):
            raise ValidationError.single(label, "value.not_list", type=v.type_name(records))
        lookup = _RegionLookup(regions)
        errors: list[FieldError] = []
        parsed: list[tuple[str, Institution]] = []
        untrusted: Iterable[object] = records
        for index, record in enumerate(untrusted):
            path = f"{label}[{index}]"
            try:
                parsed.append((path, _from_record(record, lookup)))
            except ValidationError as error:
                errors += v.prefixed(path, error.errors)
        known = {} if base is None else dict(base._by_code)
        errors += _link_errors(known, parsed)
        if errors:
            raise ValidationError(errors)
        known.update((institution.code, institution) for _, institution in parsed)
        return cls._trusted(known)

    @classmethod
    def from_csv(
        cls,
        path: str | os.PathLike[str],
        *,
        base: InstitutionDirectory | None = None,
        regions: RegionTable | None = None,
    ) -> InstitutionDirectory:
        r"""Load institutions from a UTF-8 CSV file with a header row; see :meth:`from_dict`.

        Columns: ``code,name,kind`` and any of ``region,timezone,superior,workweek,extra_holidays,
        extra_working_days,units``. Rows are ``rows[i]`` in errors, counted from 0 after the header.

        Raises:
            ValidationError: The header lacks a required column (field ``header``, code
                ``file.missing_columns``) or has an unknown one (``header.<column>``, ``field.unknown``),
                the file is not UTF-8 or not CSV (field ``file``), or any row is bad.
            OSError: The file cannot be read.

        Example:
            >>> import pathlib, tempfile
            >>> folder = pathlib.Path(tempfile.mkdtemp())
            >>> _ = (folder / "dinas.csv").write_text(
            ...     "code,name,kind,region,superior,units\n"
            ...     "31.71,Pemerintah Kota Administrasi Jakarta Pusat,city,31.71,31,"
            ...     "dinas-pu=Dinas Pekerjaan Umum;dinkes=Dinas Kesehatan\n")
            >>> directory = InstitutionDirectory.from_csv(
            ...     folder / "dinas.csv", base=InstitutionDirectory.default())
            >>> [unit.code for unit in directory.units_of("31.71")]
            ['dinas-pu', 'dinkes']
        """
        try:
            text = Path(path).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise ValidationError.single("file", "file.not_utf8") from None
        try:
            records = _csv_records(text)
        except csv.Error:  # a field over the csv module's size limit, a bad quote
            raise ValidationError.single("file", "file.not_csv") from None
        return cls._from_records(records, base=base, regions=regions, label="rows")

    @classmethod
    def from_json(
        cls,
        path: str | os.PathLike[str],
        *,
        base: InstitutionDirectory | None = None,
        regions: RegionTable | None = None,
    ) -> InstitutionDirectory:
        """Load institutions from a JSON file; see :meth:`from_dict`.

        The file holds a list of institution objects (paths ``rows[i]``) or an object whose
        ``"institutions"`` key holds that list (paths ``institutions[i]``).

        Raises:
            ValidationError: The file is not UTF-8 JSON of that shape (field ``file``), or a record is bad.
            OSError: The file cannot be read.
        """
        try:
            document = json.loads(Path(path).read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):  # RecursionError: nested too deep
            raise ValidationError.single("file", "file.not_json") from None
        label = "rows"
        if isinstance(document, dict) and set(document) == {"institutions"}:
            document, label = document["institutions"], "institutions"
        if not isinstance(document, list):
            raise ValidationError.single("file", "institution.file_shape")
        return cls._from_records(document, base=base, regions=regions, label=label)

    def __len__(self) -> int:
        return len(self._by_code)

    def __iter__(self) -> Iterator[str]:
        """The codes, sorted."""
        return iter(self._by_code)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code in self._by_code

    def __repr__(self) -> str:
        return f"<InstitutionDirectory: {len(self._by_code)} institutions>"

    def institutions(self) -> tuple[Institution, ...]:
        """Every institution, sorted by code."""
        return tuple(self._by_code.values())

    def find(self, code: str) -> Institution | None:
        """The institution with this code, or ``None``."""
        return self._by_code.get(code) if isinstance(code, str) else None

    def get(self, code: str) -> Institution:
        """The institution with this code.

        Raises:
            NotFound: No institution has this code (``kind="institution"``, ``key=code``).

        Example:
            >>> InstitutionDirectory.default().get("31.99")
            Traceback (most recent call last):
            ...
            lapor_core.errors.NotFound: institution not found: 31.99
        """
        institution = self.find(code)
        if institution is None:
            raise NotFound(kind="institution", key=str(code)[:_MAX_CODE])
        return institution

    def superior_of(self, code: str) -> str | None:
        """The code of the institution a missed deadline of ``code`` escalates to, ``None`` at the top.

        Raises:
            NotFound: ``code`` is unknown.

        Example:
            >>> InstitutionDirectory.default().superior_of("31.71")
            '31'
        """
        return self.get(code).superior

    def chain_of_superiors(self, code: str) -> tuple[str, ...]:
        """The codes of every superior of ``code``, nearest first (the escalation ladder).

        Raises:
            NotFound: ``code`` is unknown.
        """
        chain: list[str] = []
        superior = self.get(code).superior
        while superior is not None:
            chain.append(superior)
            superior = self._by_code[superior].superior
        return tuple(chain)

    def subordinates_of(self, code: str) -> tuple[Institution, ...]:
        """The institutions whose superior is ``code``, sorted by code.

        Raises:
            NotFound: ``code`` is unknown.
        """
        self.get(code)
        return tuple(item for item in self._by_code.values() if item.superior == code)

    def units_of(self, code: str) -> tuple[WorkUnit, ...]:
        """The work units of ``code``.

        Raises:
            NotFound: ``code`` is unknown.
        """
        return self.get(code).units

    def of_kind(self, kind: InstitutionKind) -> tuple[Institution, ...]:
        """The institutions of one kind, sorted by code.

        Example:
            >>> len(InstitutionDirectory.default().of_kind(InstitutionKind.CITY))
            98
        """
        return tuple(item for item in self._by_code.values() if item.kind is kind)

    def in_region(self, region: str) -> tuple[Institution, ...]:
        """The institutions whose ``region`` is exactly this dotted code, sorted by code."""
        return tuple(item for item in self._by_code.values() if item.region == region)

    def with_institutions(self, *institutions: Institution) -> InstitutionDirectory:
        """A new directory with these institutions added, replacing any with the same code.

        Raises:
            ValidationError: As for the constructor, paths ``institutions[i]`` by argument position.

        Example:
            >>> base = InstitutionDirectory.default()
            >>> bigger = base.with_institutions(Institution(
            ...     code="kbri-canberra", name="KBRI Canberra", kind=InstitutionKind.MISSION_ABROAD,
            ...     timezone="Australia/Sydney", superior="kemlu"))
            >>> len(bigger) - len(base), "kbri-canberra" in base
            (1, False)
        """
        errors = _link_errors(self._by_code, [(f"institutions[{i}]", x) for i, x in enumerate(institutions)])
        if errors:
            raise ValidationError(errors)
        return self._trusted({**self._by_code, **{item.code: item for item in institutions}})

    def with_units(self, code: str, units: Iterable[WorkUnit]) -> InstitutionDirectory:
        """A new directory in which ``code`` has exactly these work units.

        Raises:
            NotFound: ``code`` is unknown.
            ValidationError: A unit is malformed or repeats a code (paths ``units[i]``).

        Example:
            >>> directory = InstitutionDirectory.default().with_units(
            ...     "73.71", [WorkUnit("dinkes", "Dinas Kesehatan")])
            >>> directory.get("73.71").unit("dinkes").name
            'Dinas Kesehatan'
        """
        updated = attrs.evolve(self.get(code), units=tuple(units))
        return self._trusted({**self._by_code, code: updated})


def _sorted_by_code(items: Iterable[Institution]) -> dict[str, Institution]:
    return {item.code: item for item in sorted(items, key=lambda item: item.code)}


def _link_errors(known: Mapping[str, Institution], added: Sequence[tuple[str, object]]) -> list[FieldError]:
    """Errors of adding ``added`` (path, institution) to ``known``: types, repeats, superiors, cycles."""
    errors: list[FieldError] = []
    merged = dict(known)
    first: dict[str, str] = {}
    good: list[tuple[str, Institution]] = []
    for path, item in added:
        if not isinstance(item, Institution):
            errors.append(FieldError(path, "institution.not_institution", {"type": v.type_name(item)}))
        elif item.code in first:
            errors.append(
                FieldError(f"{path}.code", "institution.repeated_code", {"first": first[item.code]})
            )
        else:
            first[item.code] = path
            merged[item.code] = item
            good.append((path, item))
    for path, item in good:
        if item.superior is not None and item.superior not in merged:
            errors.append(FieldError(f"{path}.superior", "institution.unknown_superior"))
        elif _in_cycle(item.code, merged):
            errors.append(FieldError(f"{path}.superior", "institution.superior_cycle"))
    return errors


def _in_cycle(code: str, by_code: Mapping[str, Institution]) -> bool:
    seen = {code}
    current = by_code[code].superior
    while current is not None and current in by_code:
        if current in seen:
            return True
        seen.add(current)
        current = by_code[current].superior
    return False


# --- records -------------------------------------------------------------------------------------------

_REQUIRED: Final = tuple(
    str(field.alias) for field in attrs.fields(Institution) if field.default is attrs.NOTHING
)
_KNOWN: Final = frozenset(str(field.alias) for field in attrs.fields(Institution))


def _header_errors(header: Sequence[str]) -> list[FieldError]:
    errors: list[FieldError] = []
    # The time zone may be derived from the region, so a file need not have the column.
    missing = tuple(name for name in _REQUIRED if name not in header and name != "timezone")
    if missing:
        errors.append(FieldError("header", "file.missing_columns", {"columns": missing}))
    errors += v.unknown_fields("header", [name for name in header if name not in _KNOWN])
    return errors


def _csv_records(text: str) -> list[dict[str, str]]:
    """The rows of a CSV text as records keyed by its header.

    Raises:
        ValidationError: The header lacks a required column or names an unknown one.
        csv.Error: The text is not CSV the csv module reads.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [name.strip().lstrip("\ufeff") for name in next(reader, [])]
    header_errors = _header_errors(header)
    if header_errors:
        raise ValidationError(header_errors)
    return [dict(zip(header, (cell.strip() for cell in cells), strict=False)) for cells in reader if cells]


class _RegionLookup:
    """Loads the default region table only when a record needs it."""

    def __init__(self, regions: RegionTable | None) -> None:
        self._regions = regions

    @property
    def table(self) -> RegionTable:
        if self._regions is None:
            self._regions = RegionTable.default()
        return self._regions


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _kind_of(values: Mapping[Any, Any]) -> InstitutionKind | None:
    """The record's kind if it is one (its rule reports it otherwise)."""
    try:
        return _kind(values.get("kind"))
    except v.Invalid:
        return None


def _record_region(values: dict[Any, Any], lookup: _RegionLookup, errors: list[FieldError]) -> str | None:
    """Resolve a record's region in the table and check it fits the kind; return its time zone if known.

    A region not shaped like a code is left to the field's rule; a village code resolves to its district.
    """
    try:
        code = region_code_rule(values.get("region"))
    except v.Invalid:
        return None
    if code is None:
        values["region"] = None
        return None
    try:
        region = lookup.table.resolve(code, field="region")
    except ValidationError as error:
        errors += error.errors
        return None
    values["region"] = region.code
    kind = _kind_of(values)
    expected = _KIND_REGION.get(kind) if kind is not None else None
    if expected is not None and (region.level, region.kind) != expected[:2]:
        errors.append(FieldError("region", expected[2]))
    return lookup.table.timezone_of(region.code)


def _from_record(record: object, lookup: _RegionLookup) -> Institution:
    """Build an institution from one record, paths relative to it (see ``InstitutionDirectory.from_dict``).

    What needs the region table is done here (the region resolved, its kind checked, the time zone derived
    from it); every field is then checked by :class:`Institution`'s rules through :func:`v.structure`.
    """
    if not isinstance(record, Mapping):
        raise ValidationError.single(v.ROOT, "value.not_mapping", type=v.type_name(record))
    values: dict[Any, Any] = dict(record)
    errors: list[FieldError] = []
    zone = _record_region(values, lookup, errors)
    # What is told here is not told again by the rules: a refused region, and a zone to come from a region
    # (or not needed before the region a regional government must have).
    told = {"region"} if errors else set()
    if _blank(values.get("timezone")):
        values["timezone"] = zone
        if values.get("region") is not None or _kind_of(values) in _KIND_REGION:
            told.add("timezone")
    try:
        built = v.structure(Institution, values)
    except ValidationError as error:
        raise ValidationError(errors + [e for e in error.errors if e.field not in told]) from None
    if errors:
        raise ValidationError(errors)
    return built


# --- the default directory -----------------------------------------------------------------------------

_JAKARTA: Final = "Asia/Jakarta"
# Central institutions of the default directory, as records of the same shape deployments load.
_CENTRAL: Final[tuple[dict[str, object], ...]] = (
    {
        "code": "kemenpanrb",
        "name": "Kementerian Pendayagunaan Aparatur Negara dan Reformasi Birokrasi",
        "kind": "ministry",
        "timezone": _JAKARTA,
        "units": [{"code": "deputi-yanlik", "name": "Deputi Bidang Pelayanan Publik"}],
    },
    {
        "code": "kemendagri",
        "name": "Kementerian Dalam Negeri",
        "kind": "ministry",
        "timezone": _JAKARTA,
        "units": [
            {"code": "dukcapil", "name": "Direktorat Jenderal Kependudukan dan Pencatatan Sipil"},
            {"code": "bina-keuda", "name": "Direktorat Jenderal Bina Keuangan Daerah"},
        ],
    },
    {"code": "kemenkes", "name": "Kementerian Kesehatan", "kind": "ministry", "timezone": _JAKARTA},
    {
        "code": "kemendikdasmen",
        "name": "Kementerian Pendidikan Dasar dan Menengah",
        "kind": "ministry",
        "timezone": _JAKARTA,
    },
    {
        "code": "kemdiktisaintek",
        "name": "Kementerian Pendidikan Tinggi, Sains, dan Teknologi",
        "kind": "ministry",
        "timezone": _JAKARTA,
    },
    {"code": "kemensos", "name": "Kementerian Sosial", "kind": "ministry", "timezone": _JAKARTA},
    {"code": "kemnaker", "name": "Kementerian Ketenagakerjaan", "kind": "ministry", "timezone": _JAKARTA},
    {
        "code": "kemendes",
        "name": "Kementerian Desa dan Pembangunan Daerah Tertinggal",
        "kind": "ministry",
        "timezone": _JAKARTA,
    },
    {"code": "kemenpu", "name": "Kementerian Pekerjaan Umum", "kind": "ministry", "timezone": _JAKARTA},
    {"code": "kemenhub", "name": "Kementerian Perhubungan", "kind": "ministry", "timezone": _JAKARTA},
    {
        "code": "klh",
        "name": "Kementerian Lingkungan Hidup/Badan Pengendalian Lingkungan Hidup",
        "kind": "ministry",
        "timezone": _JAKARTA,
    },
    {"code": "kemlu", "name": "Kementerian Luar Negeri", "kind": "ministry", "timezone": _JAKARTA},
    {"code": "ombudsman", "name": "Ombudsman Republik Indonesia", "kind": "agency", "timezone": _JAKARTA},
    {"code": "bpjs-kesehatan", "name": "BPJS Kesehatan", "kind": "agency", "timezone": _JAKARTA},
    {"code": "pln", "name": "PT PLN (Persero)", "kind": "state_company", "timezone": _JAKARTA},
    {
        "code": "ui",
        "name": "Universitas Indonesia",
        "kind": "university",
        "region": "32.76",
        "superior": "kemdiktisaintek",
    },
    {
        "code": "kbri-tokyo",
        "name": "Kedutaan Besar Republik Indonesia Tokyo",
        "kind": "mission_abroad",
        "timezone": "Asia/Tokyo",
        "superior": "kemlu",
    },
)


@functools.cache
def _default_directory() -> InstitutionDirectory:
    # Built when first read, not when a desk opens: most commands never look an institution up.
    return InstitutionDirectory._on_first_use(_default_institutions)


def _default_institutions() -> dict[str, Institution]:
    regions = default_areas()  # the regional governments' regions: no district table to load
    governments: dict[str, Institution] = {}
    for province in regions.provinces():
        name = f"Pemerintah Provinsi {province.name}"
        governments[province.code] = _government(province, name, InstitutionKind.PROVINCE, "kemendagri")
        for regency in regions.children(province.code):
            kind = InstitutionKind.CITY if regency.kind is RegionKind.KOTA else InstitutionKind.REGENCY
            governments[regency.code] = _government(
                regency, f"Pemerintah {regency.name}", kind, province.code
            )
    central = InstitutionDirectory._from_records(_CENTRAL, base=None, regions=regions, label="central")
    return {**central._by_code, **governments}


def _government(region: Region, name: str, kind: InstitutionKind, superior: str) -> Institution:
    """The government of a shipped region, built without running the rules again on the region's values.

    tests/test_precomputed.py rebuilds every institution of the default directory through its rules, and the
    directory through its links (superiors known, no cycles), so this shortcut cannot hide a bad value.
    """
    values = {"code": region.code, "name": name, "kind": kind, "region": region.code, "superior": superior}
    return v.trusted(Institution, {**values, "timezone": region.timezone})
