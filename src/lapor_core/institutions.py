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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, final

import attrs

from lapor_core import _validation as v
from lapor_core._i18n import N_
from lapor_core.calendar import parse_workweek, timezone_rule, workweek_rule
from lapor_core.errors import FieldError, NotFound, ValidationError
from lapor_core.regions import RegionKind, RegionLevel, RegionTable, area_code_rule

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
# Longer text is no ISO date; refusing it first keeps fromisoformat away from junk.
_MAX_DATE_TEXT: Final = 32


class InstitutionKind(enum.Enum):
    """What sort of body an institution is (the K/L/D of KepmenPANRB 680/2020, and the rest)."""

    MINISTRY = "ministry"
    AGENCY = "agency"
    PROVINCE = "province"
    REGENCY = "regency"
    CITY = "city"
    STATE_COMPANY = "state_company"
    UNIVERSITY = "university"
    MISSION_ABROAD = "mission_abroad"


def _code_errors(value: object, field: str) -> list[FieldError]:
    if not isinstance(value, str) or len(value) > _MAX_CODE or not _CODE.fullmatch(value):
        return [FieldError(field, N_("institution.malformed_code"))]
    return []


_name_rule: Final = v.text(required=True, max_length=_MAX_NAME)


def _checked(rule: v.Rule, value: object, field: str) -> list[FieldError]:
    """The refusal of ``rule`` as the errors of ``field`` (none when it accepts ``value``)."""
    try:
        rule(value)
    except v.Invalid as invalid:
        return [invalid.at(field)]
    return []


def _name_errors(value: object, field: str) -> list[FieldError]:
    return _checked(_name_rule, value, field)


def _timezone_errors(value: object, field: str) -> list[FieldError]:
    return _checked(timezone_rule, value, field)


def _workweek_errors(value: object, field: str) -> list[FieldError]:
    return _checked(workweek_rule, value, field)


def _dotted_region(value: object) -> Any:
    """An area code dotted (so ``"3171"`` is stored as ``"31.71"``); anything else is left for the check."""
    try:
        return area_code_rule(value)
    except v.Invalid:
        return value


def _sorted_dates(values: Iterable[dt.date]) -> tuple[dt.date, ...]:
    return tuple(sorted(set(values)))


def _unit_tuple(values: Iterable[WorkUnit]) -> tuple[WorkUnit, ...]:
    return tuple(values)


def _unit_errors(units: Sequence[object]) -> list[FieldError]:
    errors: list[FieldError] = []
    seen: set[str] = set()
    for index, unit in enumerate(units):
        if not isinstance(unit, WorkUnit):
            errors.append(
                FieldError(f"units[{index}]", "institution.not_work_unit", {"type": v.type_name(unit)})
            )
        elif unit.code in seen:
            errors.append(FieldError(f"units[{index}].code", "institution.repeated_unit"))
        else:
            seen.add(unit.code)
    return errors


def _calendar_errors(
    workweek: str | None, holidays: Sequence[object], working_days: Sequence[object]
) -> list[FieldError]:
    errors: list[FieldError] = []
    if workweek is not None:
        errors += _workweek_errors(workweek, "workweek")
    for name, days in (("extra_holidays", holidays), ("extra_working_days", working_days)):
        if any(isinstance(day, dt.datetime) or not isinstance(day, dt.date) for day in days):
            errors.append(FieldError(name, "institution.not_dates"))
    if set(holidays) & set(working_days):
        errors.append(FieldError("extra_working_days", "institution.working_day_is_holiday"))
    return errors


@attrs.frozen
class WorkUnit:
    """A work unit (unit kerja) of an institution that complaints can be assigned to.

    Attributes:
        code: Short code, unique within its institution (``"dinas-pu"``).
        name: Its name (``"Dinas Pekerjaan Umum"``).

    Raises:
        ValidationError: The code or the name is malformed.
    """

    code: str
    name: str

    def __attrs_post_init__(self) -> None:
        errors = _code_errors(self.code, "code") + _name_errors(self.name, "name")
        if errors:
            raise ValidationError(errors)


@attrs.frozen(kw_only=True)
class Institution:
    """One institution of the directory, with its calendar overrides as plain data.

    Attributes:
        code: Directory code: a region code for regional governments (``"31.71"``), a lowercase slug for
            the others (``"kemenkes"``).
        name: Official name.
        kind: What sort of body it is.
        region: Kemendagri code of the region it governs or sits in (a province, regency/city or district;
            given undotted, it is dotted), ``None`` for national bodies.
        timezone: IANA key of the time zone its deadlines run on.
        superior: Code of the institution a missed deadline escalates to, ``None`` at the top.
        units: Its work units, codes unique.
        workweek: Its work week when it is not the national Monday-Friday (``"Mon-Sat"``, ``"Sen-Sab"``,
            ``"Sun-Thu"``: anything :func:`lapor_core.calendar.workweek_rule` reads), else ``None``.
        extra_holidays: Its own closures on top of the national holidays (sorted, no repeats).
        extra_working_days: Days it works although the national calendar rests (sorted, no repeats).

    Raises:
        ValidationError: Every malformed attribute at once (field paths are attribute names, units as
            ``units[i].code``); a timezone that is not a known IANA key; an institution that is its own
            superior; a date both an extra holiday and an extra working day.

    Example:
        >>> Institution(code="kemenkes", name="Kementerian Kesehatan", kind=InstitutionKind.MINISTRY,
        ...             timezone="Asia/Jakarta").superior is None
        True
    """

    code: str
    name: str
    kind: InstitutionKind
    region: str | None = attrs.field(default=None, converter=_dotted_region)
    timezone: str
    superior: str | None = None
    units: tuple[WorkUnit, ...] = attrs.field(default=(), converter=_unit_tuple)
    workweek: str | None = None
    extra_holidays: tuple[dt.date, ...] = attrs.field(default=(), converter=_sorted_dates)
    extra_working_days: tuple[dt.date, ...] = attrs.field(default=(), converter=_sorted_dates)

    def __attrs_post_init__(self) -> None:
        errors = self._errors()
        if errors:
            raise ValidationError(errors)

    def _errors(self) -> list[FieldError]:
        errors = _code_errors(self.code, "code") + _name_errors(self.name, "name")
        kind: object = self.kind
        if not isinstance(kind, InstitutionKind):
            errors.append(FieldError("kind", "value.not_choice", {"choices": tuple(_KINDS)}))
        errors += _timezone_errors(self.timezone, "timezone")
        errors += _checked(area_code_rule, self.region, "region")
        if self.superior is not None:
            errors += _code_errors(self.superior, "superior")
            if self.superior == self.code:
                errors.append(FieldError("superior", "institution.own_superior"))
        errors += _unit_errors(self.units)
        errors += _calendar_errors(self.workweek, self.extra_holidays, self.extra_working_days)
        return errors

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

    __slots__ = ("_by_code",)

    def __init__(self, institutions: Iterable[Institution]) -> None:
        items = list(institutions)
        errors = _link_errors({}, [(f"institutions[{i}]", item) for i, item in enumerate(items)])
        if errors:
            raise ValidationError(errors)
        self._by_code = _sorted_by_code(items)

    @classmethod
    def _trusted(cls, by_code: dict[str, Institution]) -> InstitutionDirectory:
        directory = cls.__new__(cls)
        directory._by_code = _sorted_by_code(by_code.values())
        return directory

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
    def from_records(
        cls,
        records: Iterable[Mapping[str, object]],
        *,
        base: InstitutionDirectory | None = None,
        regions: RegionTable | None = None,
        label: str = "rows",
    ) -> InstitutionDirectory:
        """Build a directory from plain records (what CSV rows and JSON objects become).

        Each record has ``code``, ``name`` and ``kind`` (an :class:`InstitutionKind` value), and optionally
        ``region`` (dotted or undotted), ``timezone`` (derived from the region when missing; required
        without a region), ``superior``, ``workweek``, ``extra_holidays`` and ``extra_working_days`` (ISO
        dates, as a list or one text separated by ``;``) and ``units`` (a list of ``{"code", "name"}`` or one
        text ``code=Name;code=Name``). Empty text counts as missing.

        Args:
            records: The records.
            base: A directory the records are added to; a record with a code already there replaces it.
            regions: The region table for checking ``region`` and deriving time zones
                (default: :meth:`RegionTable.default`, loaded only if a record names a region).
            label: The name of the record list in field paths.

        Raises:
            ValidationError: Every bad field at once as ``<label>[i].<field>``: ``records`` that are not a
                list (field ``<label>``), records that are not objects, unknown fields, missing or
                malformed values, unknown regions (with suggestions), a kind that contradicts its region
                (a ``city`` must govern a kota), unknown time zones, repeated codes, superiors that are
                neither in the records nor in ``base``, and cycles of superiors. Nothing else is raised,
                whatever ``records`` holds.
        """
        if isinstance(records, str | bytes | Mapping) or not isinstance(records, Iterable):
            raise ValidationError.single(label, "value.not_list", type=v.type_name(records))
        lookup = _RegionLookup(regions)
        errors: list[FieldError] = []
        parsed: list[tuple[str, Institution]] = []
        first_row: dict[str, str] = {}
        untrusted: Iterable[object] = records
        for index, record in enumerate(untrusted):
            path = f"{label}[{index}]"
            if not isinstance(record, Mapping):
                errors.append(FieldError(path, "value.not_mapping", {"type": v.type_name(record)}))
                continue
            institution = _from_record(record, path, lookup, errors)
            if institution is None:
                continue
            if institution.code in first_row:
                errors.append(
                    FieldError(
                        f"{path}.code", "institution.repeated_code", {"first": first_row[institution.code]}
                    )
                )
                continue
            first_row[institution.code] = path
            parsed.append((path, institution))
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
        r"""Load institutions from a UTF-8 CSV file with a header row; see :meth:`from_records`.

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
        return cls.from_records(records, base=base, regions=regions)

    @classmethod
    def from_json(
        cls,
        path: str | os.PathLike[str],
        *,
        base: InstitutionDirectory | None = None,
        regions: RegionTable | None = None,
    ) -> InstitutionDirectory:
        """Load institutions from a JSON file; see :meth:`from_records`.

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
        return cls.from_records(document, base=base, regions=regions, label=label)

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

_REQUIRED: Final = ("code", "name", "kind")
_OPTIONAL: Final = (
    "region",
    "timezone",
    "superior",
    "workweek",
    "extra_holidays",
    "extra_working_days",
    "units",
)
_KINDS: Final = {kind.value: kind for kind in InstitutionKind}
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


def _header_errors(header: Sequence[str]) -> list[FieldError]:
    errors: list[FieldError] = []
    missing = tuple(name for name in _REQUIRED if name not in header)
    if missing:
        errors.append(FieldError("header", "file.missing_columns", {"columns": missing}))
    known = {*_REQUIRED, *_OPTIONAL}
    errors += v.unknown_fields("header", [name for name in header if name not in known])
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


def _text(record: Mapping[str, object], key: str, path: str, errors: list[FieldError]) -> str | None:
    """The stripped text of ``key``, ``None`` when missing or empty."""
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        errors.append(FieldError(f"{path}.{key}", "value.not_string", {"type": v.type_name(value)}))
        return None
    return value.strip() or None


def _dates(
    record: Mapping[str, object], key: str, path: str, errors: list[FieldError]
) -> tuple[dt.date, ...]:
    value = record.get(key)
    if value is None or value == "":
        return ()
    items = value.split(";") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        errors.append(FieldError(f"{path}.{key}", "institution.not_date_list", {"type": v.type_name(value)}))
        return ()
    days: list[dt.date] = []
    for index, item in enumerate(items):
        day = _iso_date(item)
        if day is None:
            errors.append(FieldError(f"{path}.{key}[{index}]", "date.malformed"))
        else:
            days.append(day)
    return tuple(days)


def _iso_date(item: object) -> dt.date | None:
    if isinstance(item, dt.date) and not isinstance(item, dt.datetime):
        return item
    if not isinstance(item, str) or len(item) > _MAX_DATE_TEXT:
        return None
    try:
        return dt.date.fromisoformat(item.strip())
    except ValueError:
        return None


def _units(record: Mapping[str, object], path: str, errors: list[FieldError]) -> tuple[WorkUnit, ...]:
    value = record.get("units")
    if value is None or value == "":
        return ()
    pairs: list[tuple[object, object]] = []
    if isinstance(value, str):
        for item in value.split(";"):
            unit_code, _, unit_name = item.partition("=")
            pairs.append((unit_code.strip(), unit_name.strip()))
    elif isinstance(value, list | tuple):
        pairs.extend(
            (item.get("code"), item.get("name")) if isinstance(item, Mapping) else (None, None)
            for item in value
        )
    else:
        errors.append(FieldError(f"{path}.units", "institution.not_unit_list", {"type": v.type_name(value)}))
        return ()
    units: list[WorkUnit] = []
    for index, (code, name) in enumerate(pairs):
        problems = _code_errors(code, f"{path}.units[{index}].code")
        problems += _name_errors(name, f"{path}.units[{index}].name")
        if problems:
            errors += problems
        else:
            units.append(WorkUnit(str(code), str(name)))
    return tuple(units)


def _checked_text(
    record: Mapping[str, object],
    key: str,
    path: str,
    errors: list[FieldError],
    check: Callable[[str, str], list[FieldError]],
) -> str | None:
    """The text of ``key`` if present and ``check`` finds nothing wrong with it, else ``None``."""
    value = _text(record, key, path, errors)
    if value is None:
        return None
    problems = check(value, f"{path}.{key}")
    errors += problems
    return None if problems else value


def _required_checked(
    record: Mapping[str, object],
    key: str,
    path: str,
    errors: list[FieldError],
    check: Callable[[str, str], list[FieldError]],
) -> str | None:
    before = len(errors)
    value = _checked_text(record, key, path, errors, check)
    if value is None and len(errors) == before:
        errors.append(FieldError(f"{path}.{key}", "value.required"))
    return value


def _kind_value_errors(value: object, field: str) -> list[FieldError]:
    return [] if value in _KINDS else [FieldError(field, "value.not_choice", {"choices": tuple(_KINDS)})]


def _from_record(
    record: Mapping[str, object], path: str, lookup: _RegionLookup, errors: list[FieldError]
) -> Institution | None:
    before = len(errors)
    errors += v.unknown_fields(path, [key for key in record if key not in _REQUIRED and key not in _OPTIONAL])
    code = _required_checked(record, "code", path, errors, _code_errors)
    name = _required_checked(record, "name", path, errors, _name_errors)
    kind_text = _required_checked(record, "kind", path, errors, _kind_value_errors)
    kind = None if kind_text is None else _KINDS[kind_text]
    region_before = len(errors)
    region = _region(record, kind, path, lookup, errors)
    zone_before = len(errors)
    timezone = _checked_text(record, "timezone", path, errors, _timezone_errors)
    if timezone is None and len(errors) == zone_before:
        if region is not None:
            timezone = lookup.table.timezone_of(region)
        elif len(errors) == region_before:
            errors.append(FieldError(f"{path}.timezone", "institution.timezone_required"))
    superior = _checked_text(record, "superior", path, errors, _code_errors)
    workweek = _checked_text(record, "workweek", path, errors, _workweek_errors)
    holidays = _dates(record, "extra_holidays", path, errors)
    working_days = _dates(record, "extra_working_days", path, errors)
    units = _units(record, path, errors)
    if len(errors) > before or code is None or name is None or kind is None or timezone is None:
        return None
    try:
        return Institution(
            code=code,
            name=name,
            kind=kind,
            timezone=timezone,
            region=region,
            superior=superior,
            units=units,
            workweek=workweek,
            extra_holidays=holidays,
            extra_working_days=working_days,
        )
    except ValidationError as error:
        errors += v.prefixed(path, error.errors)
        return None


def _region(
    record: Mapping[str, object],
    kind: InstitutionKind | None,
    path: str,
    lookup: _RegionLookup,
    errors: list[FieldError],
) -> str | None:
    field = f"{path}.region"
    before = len(errors)
    text = _text(record, "region", path, errors)
    expected = _KIND_REGION.get(kind) if kind is not None else None
    if text is None:
        if expected is not None and len(errors) == before:
            errors.append(FieldError(field, "institution.region_required"))
        return None
    try:
        region = lookup.table.resolve(text, field=field)
    except ValidationError as error:
        errors += error.errors
        return None
    if expected is not None and (region.level, region.kind) != expected[:2]:
        errors.append(FieldError(field, expected[2]))
    return region.code


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
    regions = RegionTable.default()
    items: list[Institution] = []
    for province in regions.provinces():
        items.append(
            Institution(
                code=province.code,
                name=f"Pemerintah Provinsi {province.name}",
                kind=InstitutionKind.PROVINCE,
                timezone=province.timezone,
                region=province.code,
                superior="kemendagri",
            )
        )
        for regency in regions.children(province.code):
            kind = InstitutionKind.CITY if regency.kind is RegionKind.KOTA else InstitutionKind.REGENCY
            items.append(
                Institution(
                    code=regency.code,
                    name=f"Pemerintah {regency.name}",
                    kind=kind,
                    timezone=regency.timezone,
                    region=regency.code,
                    superior=province.code,
                )
            )
    central = InstitutionDirectory.from_records(_CENTRAL, regions=regions, label="central")
    return InstitutionDirectory([*central.institutions(), *items])
