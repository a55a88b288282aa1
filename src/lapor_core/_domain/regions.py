"""Indonesian administrative regions by Kemendagri code: provinces, regencies and cities, districts.

The package ships the Kemendagri region data (Kepmendagri No. 300.2.2-2138 Tahun 2025: 38 provinces,
514 regencies and cities, 7,285 districts) with each province's time zone and the polygon centroids of
provinces and regencies; ``lapor_core/data/regions/SOURCE.md`` and the ``NOTICE`` file give its provenance
and MIT licence.

Codes are dotted (``31``, ``31.71``, ``31.71.01``); every lookup also accepts the undotted form
(``3171``, ``317101``). Villages (``31.71.01.1001``) are not in the table, but the methods that answer
about a place (parent, province, time zone, centroid, :meth:`RegionTable.resolve`) take a village code
and answer from its district. Districts carry no centroid of their own (``lat``/``lon`` are ``None``);
:meth:`RegionTable.centroid_of` falls back to the regency's.

Example:
    >>> table = RegionTable.default()
    >>> table.get("3171").name
    'Kota Administrasi Jakarta Pusat'
    >>> table.timezone_of("73.71.01")
    'Asia/Makassar'
    >>> [r.code for r in table.search("bandung", limit=2)]
    ['32.04', '32.73']
"""

from __future__ import annotations

import collections
import csv
import enum
import functools
import io
import math
import operator
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Final, final

import attrs

from lapor_core._domain import precomputed
from lapor_core._domain import rules as v
from lapor_core._domain.calendar import timezone_rule
from lapor_core._domain.rules import Invalid, type_name
from lapor_core._i18n import N_
from lapor_core.errors import FieldError, NotFound, ValidationError

__all__ = [
    "Region",
    "RegionKind",
    "RegionLevel",
    "RegionTable",
    "area_code_rule",
    "fold_text",
    "normalize_code",
    "region_code_rule",
    "region_from_parts",
    "within",
]

CsvSource = str | os.PathLike[str] | Traversable
"""Where a CSV file can be read from: a path or an :mod:`importlib.resources` traversable."""

_DOTTED: Final = re.compile(r"[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{4})?)?)?")
_UNDOTTED: Final = re.compile(r"[0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{10}")
_VILLAGE_LENGTH: Final = 13
_PROVINCE_LENGTH: Final = 2
# A village code cut to this length is its district's code.
_DISTRICT_LENGTH: Final = 8
_PARENT_LENGTH: Final = {13: 8, 8: 5, 5: 2}
# Queries are cut to this many characters before folding so one search stays cheap whatever it is given.
_MAX_QUERY: Final = 200
NEAR_REGION_KM: Final = 300
"""How far a point may lie from the nearest regency centroid of its region's province (a plausibility rule:
the widest island regencies, such as Maluku Barat Daya, reach about 250 km from their centroid)."""
_EARTH_RADIUS_KM: Final = 6371.0
# Abbreviations people type for words of the official names, and words that name no region ("").
_ALIASES: Final = {
    "kab": "kabupaten",
    "adm": "administrasi",
    "dki": "daerah khusus ibukota",
    "diy": "daerah istimewa yogyakarta",
    "prov": "",
    "provinsi": "",
    "kec": "",
    "kecamatan": "",
}
_KIND_PREFIXES: Final = (
    ("kabupaten administrasi ", "kabupaten"),
    ("kota administrasi ", "kota"),
    ("kabupaten ", "kabupaten"),
    ("kota ", "kota"),
)
_NON_WORD: Final = re.compile(r"[\W_]+")
_APOSTROPHES: Final = str.maketrans("", "", "'`\u2018\u2019\u02bc")


class RegionLevel(enum.StrEnum):
    """The three levels of the Kemendagri hierarchy that lapor_core knows."""

    PROVINCE = "province"
    REGENCY = "regency"
    DISTRICT = "district"


class RegionKind(enum.StrEnum):
    """Whether a second-level region is a regency (kabupaten) or a city (kota)."""

    KABUPATEN = "kabupaten"
    KOTA = "kota"


_LEVEL_BY_LENGTH: Final = {2: RegionLevel.PROVINCE, 5: RegionLevel.REGENCY, 8: RegionLevel.DISTRICT}
_by_code_key: Final = operator.attrgetter("code")
_LEVEL_RANK: Final = {RegionLevel.PROVINCE: 0, RegionLevel.REGENCY: 1, RegionLevel.DISTRICT: 2}


def region_code_rule(value: object) -> str | None:
    """The rule of a region code: the one place that decides what a code looks like.

    A Kemendagri code is a two-digit province, then optionally a two-digit regency, a two-digit district
    and a four-digit village (desa/kelurahan) part, written dotted (``31.71.01``) or undotted
    (``317101``); surrounding white space is ignored. Only the shape is checked: whether the region
    exists is :meth:`RegionTable.find`'s business (the table holds no villages).

    Returns:
        The dotted code; ``None`` for ``None`` or blank text (an optional field left empty).

    Raises:
        Invalid: ``value.not_string`` (param ``type``) for anything but text, ``region.malformed_code``
            for text not shaped like a code.

    Example:
        >>> region_code_rule("317101"), region_code_rule(" 31.71 "), region_code_rule("")
        ('31.71.01', '31.71', None)
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise Invalid("value.not_string", type=type_name(value))
    if not value.strip():
        return None
    code = _try_normalize(value)
    if code is None:
        raise Invalid("region.malformed_code")
    return code


def area_code_rule(value: object) -> str | None:
    """:func:`region_code_rule` for a code naming an area: a province, regency/city or district.

    Raises:
        Invalid: As :func:`region_code_rule`, and ``region.village_not_allowed`` for a village code.

    Example:
        >>> area_code_rule("7371")
        '73.71'
    """
    code = region_code_rule(value)
    if code is not None and len(code) == _VILLAGE_LENGTH:
        raise Invalid("region.village_not_allowed")
    return code


def normalize_code(text: str, *, field: str = "code") -> str:
    """Return the dotted form of a required region code given dotted or undotted.

    The shape is :func:`region_code_rule`'s; this is that rule for a code that must be there.

    Args:
        text: ``"31"``, ``"31.71"``, ``"3171"``, ``"317101"``, ``"3171011001"``...; surrounding white space
            is ignored.
        field: The field path to name in the error.

    Returns:
        The dotted code.

    Raises:
        ValidationError: ``text`` is missing (``value.required``), not text (``value.not_string``) or not
            shaped like a region code (``region.malformed_code``).

    Example:
        >>> normalize_code("317101"), normalize_code(" 31.71 "), normalize_code("3171011001")
        ('31.71.01', '31.71', '31.71.01.1001')
    """
    try:
        code = region_code_rule(text)
    except Invalid as invalid:
        raise ValidationError([invalid.at(field)]) from None
    if code is None:
        code_id = N_("value.required") if text is None else N_("region.malformed_code")
        raise ValidationError.single(field, code_id)
    return code


def within(code: str | None, prefix: str) -> bool:
    """Whether the region ``code`` is ``prefix`` itself or lies inside it; both dotted or undotted.

    This is the one test of "inside this region" (``31`` holds ``31.71.01``; ``31.7`` is no code at all).
    ``None`` (a location without a region) lies nowhere.

    Raises:
        ValidationError: ``code`` (field ``code``) or ``prefix`` (field ``prefix``) is not a region code.

    Example:
        >>> within("31.71.01", "31"), within("317101", "3171"), within("31.71", "31.71")
        (True, True, True)
        >>> within("32.04", "31"), within(None, "31")
        (False, False)
    """
    if code is None:
        return False
    inner = normalize_code(code, field="code")
    outer = normalize_code(prefix, field="prefix")
    return inner == outer or inner.startswith(outer + ".")


# The parts of a location picked one level at a time, and a code of each level's length.
_PART_LENGTHS: Final = (("province", 2, "31"), ("regency", 5, "31.71"), ("district", 8, "31.71.01"))


def region_from_parts(
    province: str | None = None, regency: str | None = None, district: str | None = None
) -> str | None:
    """The region a location names by its parts (as form pickers give them), or ``None`` if none is given.

    Each part must be a code of its level (dotted or undotted) lying inside the part above it, so a stale
    form with province 31 and regency 32.73 is refused rather than stored as 32.73. The most precise part
    given is returned, dotted.

    Raises:
        ValidationError: Every bad part, on the fields ``province``, ``regency`` and ``district``:
            ``region.malformed_code``, ``region.code_expected`` (a code of another level, param
            ``example``), ``region.not_within_province``, ``region.not_within_regency``.

    Example:
        >>> region_from_parts("31", "3171"), region_from_parts(regency="32.73", district="32.73.01")
        ('31.71', '32.73.01')
        >>> region_from_parts("31", "32.73")
        Traceback (most recent call last):
        ...
        lapor_core.errors.ValidationError: invalid input: regency: must lie within the chosen province
    """
    errors: list[FieldError] = []
    codes: dict[str, str] = {}
    for (name, length, example), value in zip(_PART_LENGTHS, (province, regency, district), strict=True):
        try:
            code = region_code_rule(value)
        except Invalid as invalid:
            errors.append(invalid.at(name))
            continue
        if code is None:
            continue
        if len(code) != length:
            errors.append(FieldError(name, N_("region.code_expected"), {"example": example}))
            continue
        codes[name] = code
    outer = codes.get("province")
    middle = codes.get("regency")
    if middle is not None and outer is not None and not middle.startswith(outer + "."):
        errors.append(FieldError("regency", N_("region.not_within_province")))
    inner = codes.get("district")
    if inner is not None:
        if middle is not None and not inner.startswith(middle + "."):
            errors.append(FieldError("district", N_("region.not_within_regency")))
        elif outer is not None and not inner.startswith(outer + "."):
            errors.append(FieldError("district", N_("region.not_within_province")))
    if errors:
        raise ValidationError(errors)
    return inner or middle or outer


def _distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The great-circle distance between two ``(lat, lon)`` points, in kilometres (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _try_normalize(text: object) -> str | None:
    if not isinstance(text, str):
        return None
    candidate = text.strip()
    if _DOTTED.fullmatch(candidate):
        return candidate
    if _UNDOTTED.fullmatch(candidate):
        parts = (candidate[:2], candidate[2:4], candidate[4:6], candidate[6:])
        return ".".join(part for part in parts if part)
    return None


_MAX_NAME: Final = 200
_REGENCY_CODE_LENGTH: Final = 5
# SOURCE.md of the region data: a regency is a kota exactly when its regency part is 71 or higher.
_FIRST_KOTA: Final = 71


def _code(value: object) -> str:
    """The area-code rule for a code that must be given (a province, regency/city or district)."""
    code = area_code_rule(value)
    if code is None:
        raise Invalid("value.required")
    return code


_name_rule: Final = v.text(required=True, max_length=_MAX_NAME)


def _name(value: object) -> str:
    return str(_name_rule(value))


_kind_rule: Final = v.choice(RegionKind)


def _kind(value: object) -> RegionKind | None:
    return None if value is None else _kind_rule(value)


def _level_of_code(region: Region, _attribute: attrs.Attribute[RegionLevel], level: RegionLevel) -> None:
    expected = _LEVEL_BY_LENGTH[len(region.code)]
    if level is not expected:
        raise ValidationError.single("level", "region.level_mismatch", level=expected.value)


def _parent_of_code(region: Region, _attribute: attrs.Attribute[str | None], parent: str | None) -> None:
    if parent != _parent_code(region.code):
        raise ValidationError.single("parent", "region.parent_mismatch")


def _kind_of_code(
    region: Region, _attribute: attrs.Attribute[RegionKind | None], kind: RegionKind | None
) -> None:
    if len(region.code) != _REGENCY_CODE_LENGTH:
        if kind is not None:
            raise ValidationError.single("kind", "region.kind_not_allowed")
        return
    expected = _regency_kind(region.code)
    if kind is not expected:
        raise ValidationError.single("kind", "region.kind_mismatch", kind=expected.value)


def _regency_kind(code: str) -> RegionKind:
    """Kabupaten or kota, as the regency part of a regency's dotted code says."""
    return RegionKind.KOTA if int(code[3:]) >= _FIRST_KOTA else RegionKind.KABUPATEN


def _parent_code(code: str) -> str | None:
    """The code of the level above (the code without its last group), ``None`` for a province."""
    return None if len(code) == _PROVINCE_LENGTH else code[: code.rindex(".")]


@v.checked
@attrs.frozen(field_transformer=v.with_rules)
class Region:
    """One province, regency/city or district.

    Attributes:
        code: Kemendagri code of a province, regency/city or district (given undotted, it is dotted:
            ``"3171"`` is ``"31.71"``).
        name: Official name (``"Kota Administrasi Jakarta Pusat"``), one line of 1 to 200 characters.
        level: Province, regency or district (a member or its value); must be the code's.
        parent: Code of the region above (the code without its last group), ``None`` for a province.
        timezone: IANA time zone key (the calendar's time-zone rule); regencies and districts have their
            province's (the table checks that).
        kind: Kabupaten or kota for a regency (kota exactly when the regency part is 71 or more), ``None``
            for the other levels.
        lat: Latitude of the polygon centroid (-90 .. 90), ``None`` when unknown (always for districts).
        lon: Longitude of the polygon centroid (-180 .. 180), ``None`` when unknown.

    Raises:
        ValidationError: Listing every bad attribute; once each is well formed, a level, parent or kind that
            contradicts the code (``region.level_mismatch``, ``region.parent_mismatch``,
            ``region.kind_mismatch``, ``region.kind_not_allowed``).

    Example:
        >>> region = RegionTable.default().get("31.71")
        >>> region.undotted, region.province_code, region.kind
        ('3171', '31', <RegionKind.KOTA: 'kota'>)
        >>> Region("3171", "Kota A", "regency", "31", "Asia/Jakarta", "kota").code
        '31.71'
    """

    code: str = attrs.field(metadata=v.rule(_code))
    name: str = attrs.field(metadata=v.rule(_name))
    level: RegionLevel = attrs.field(metadata=v.rule(v.choice(RegionLevel)), validator=_level_of_code)
    parent: str | None = attrs.field(metadata=v.rule(region_code_rule), validator=_parent_of_code)
    timezone: str = attrs.field(metadata=v.rule(timezone_rule))
    kind: RegionKind | None = attrs.field(default=None, metadata=v.rule(_kind), validator=_kind_of_code)
    lat: float | None = attrs.field(default=None, metadata=v.rule(v.number(low=-90, high=90)))
    lon: float | None = attrs.field(default=None, metadata=v.rule(v.number(low=-180, high=180)))

    @classmethod
    def from_dict(cls, data: object) -> Region:
        """Build a region from untrusted data with the attributes' names as keys.

        Raises:
            ValidationError: Listing every bad field and every unknown key.
        """
        return v.structure(cls, data)

    @property
    def undotted(self) -> str:
        """The code without dots (``"3171"``)."""
        return self.code.replace(".", "")

    @property
    def province_code(self) -> str:
        """The code of the province this region lies in (its own code for a province)."""
        return self.code[:2]

    @property
    def centroid(self) -> tuple[float, float] | None:
        """``(lat, lon)`` of the polygon centroid, or ``None`` when unknown."""
        if self.lat is None or self.lon is None:
            return None
        return (self.lat, self.lon)


def fold_text(text: str) -> str:
    """Fold text for matching: no accents, no case, no punctuation, single spaces.

    Apostrophes vanish (``Ma'u`` is ``mau``); every other run of non-alphanumeric characters becomes
    one space.

    Example:
        >>> fold_text("  Kota  BANDUNG ")
        'kota bandung'
        >>> fold_text("Sogaé'adu/Ma-u")
        'sogaeadu ma u'
    """
    text = text.casefold()
    if not text.isascii():
        # Twice, because case folding and decomposition can each undo the other's work once.
        text = _strip_marks(_strip_marks(text).casefold())
    return _NON_WORD.sub(" ", text.translate(_APOSTROPHES)).strip()


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _fold_query(text: str) -> str:
    words: list[str] = []
    for word in fold_text(text[:_MAX_QUERY]).split():
        expanded = _ALIASES.get(word, word)
        if expanded:
            words.append(expanded)
    return " ".join(words)


def _split_kind(folded: str) -> tuple[str, str]:
    """Split ``"kota administrasi jakarta pusat"`` into ``("kota", "jakarta pusat")``."""
    for prefix, kind in _KIND_PREFIXES:
        if folded.startswith(prefix):
            return kind, folded[len(prefix) :]
    return "", folded


@attrs.frozen
class _SearchEntry:
    full: str
    kind: str
    bare: str
    words: tuple[str, ...]
    rank: tuple[int, str]
    region: Region


@attrs.frozen
class _Query:
    full: str
    kind: str
    bare: str
    words: tuple[str, ...]


def _match_tier(entry: _SearchEntry, query: _Query) -> int | None:
    same_kind = query.kind in ("", entry.kind)
    if query.full == entry.full or (same_kind and query.bare == entry.bare):
        return 0
    if entry.full.startswith(query.full) or (same_kind and entry.bare.startswith(query.bare)):
        return 1
    if all(any(word.startswith(part) for word in entry.words) for part in query.words):
        return 2
    if query.full in entry.full:
        return 3
    return None


@final
class RegionTable:
    """An immutable table of regions indexed by code, with parent/child links and name search.

    Build it with :meth:`default` (the shipped Kemendagri data, loaded once on first use),
    :meth:`from_csv` (files of the same shape) or the constructor (any regions, checked for consistency).
    The name-search index is built on the first :meth:`search`; the table is otherwise read-only, so one
    instance can be shared between threads.

    Args:
        regions: Every region of the table, in any order.

    Raises:
        ValidationError: A code is malformed or repeated, a parent is missing or is not the code's prefix,
            a regency or district has another time zone than its province, or ``kind`` is set on a level
            other than regency. Field paths are ``regions[i].<attribute>``.

    Example:
        >>> table = RegionTable([
        ...     Region("31", "DKI Jakarta", RegionLevel.PROVINCE, None, "Asia/Jakarta"),
        ...     Region("31.71", "Kota Jakarta Pusat", RegionLevel.REGENCY, "31", "Asia/Jakarta",
        ...            RegionKind.KOTA),
        ... ])
        >>> [r.code for r in table.children("31")]
        ['31.71']
    """

    __slots__ = ("_by_code", "_children", "_counts", "_search_index")

    def __init__(self, regions: Iterable[Region]) -> None:
        items = list(regions)
        errors = _inconsistencies(items)
        if errors:
            raise ValidationError(errors)
        self._init(items)

    def _init(self, items: list[Region]) -> None:
        items.sort(key=_by_code_key)
        self._by_code = {region.code: region for region in items}
        children: dict[str | None, list[Region]] = {}
        for region in items:
            children.setdefault(region.parent, []).append(region)
        self._children = {code: tuple(regions) for code, regions in children.items()}
        lengths = collections.Counter(len(code) for code in self._by_code)
        self._counts = {level: lengths[size] for size, level in _LEVEL_BY_LENGTH.items()}
        self._search_index: tuple[_SearchEntry, ...] | None = None

    @classmethod
    def _trusted(cls, items: list[Region]) -> RegionTable:
        table = cls.__new__(cls)
        table._init(items)
        return table

    @classmethod
    def default(cls) -> RegionTable:
        """The table of the shipped Kemendagri data, read on first call and shared afterwards.

        Example:
            >>> RegionTable.default() is RegionTable.default()
            True
        """
        return _default_table()

    @classmethod
    def from_csv(
        cls,
        provinces: CsvSource,
        regencies: CsvSource,
        districts: CsvSource | None = None,
    ) -> RegionTable:
        """Load a table from CSV files shaped like the shipped ones (UTF-8, with a header row).

        Columns (in any order, extra columns ignored): provinces ``code,name,timezone,lat,lon``;
        regencies ``code,province_code,name,kind,lat,lon``; districts ``code,regency_code,name``.
        ``lat``/``lon`` may be empty. Codes may be dotted or undotted.

        Args:
            provinces: The provinces file.
            regencies: The regencies and cities file.
            districts: The districts file, or ``None`` for a table without districts.

        Returns:
            The table.

        Raises:
            ValidationError: Every bad cell at once, named ``<file>[i].<column>`` where ``<file>`` is
                ``provinces``, ``regencies`` or ``districts`` and ``i`` counts data rows from 0 (neither
                the header nor blank lines count). An unknown time zone, a parent that does not exist,
                a ``kind`` that contradicts the code (kota exactly when the regency part is 71 or more)
                and a repeated code are all refused.
            OSError: A file cannot be read.
        """
        loader = _CsvLoader()
        loader.provinces(_read_rows(provinces, "provinces", _PROVINCE_COLUMNS, loader.errors))
        loader.regencies(_read_rows(regencies, "regencies", _REGENCY_COLUMNS, loader.errors))
        if districts is not None:
            loader.districts(_read_rows(districts, "districts", _DISTRICT_COLUMNS, loader.errors))
        if loader.errors:
            raise ValidationError(loader.errors)
        return cls._trusted(loader.regions)

    def __len__(self) -> int:
        return len(self._by_code)

    def __iter__(self) -> Iterator[Region]:
        """Every region in code order (each province followed by its regencies and their districts)."""
        return iter(self._by_code.values())

    def __contains__(self, code: object) -> bool:
        normalized = _try_normalize(code)
        return normalized is not None and normalized in self._by_code

    def __repr__(self) -> str:
        counts = self._counts
        return (
            f"<RegionTable: {counts[RegionLevel.PROVINCE]} provinces, "
            f"{counts[RegionLevel.REGENCY]} regencies, {counts[RegionLevel.DISTRICT]} districts>"
        )

    def count(self, level: RegionLevel) -> int:
        """How many regions of ``level`` the table holds.

        Example:
            >>> RegionTable.default().count(RegionLevel.REGENCY)
            514
        """
        return self._counts[level]

    def find(self, code: str) -> Region | None:
        """The region with this code (dotted or undotted), or ``None`` when unknown or malformed.

        Example:
            >>> RegionTable.default().find("3273").name
            'Kota Bandung'
            >>> RegionTable.default().find("31.99") is None
            True
        """
        normalized = _try_normalize(code)
        return None if normalized is None else self._by_code.get(normalized)

    def get(self, code: str) -> Region:
        """The region with this code (dotted or undotted).

        Raises:
            ValidationError: ``code`` is not shaped like a region code (field ``code``).
            NotFound: No region has this code (``kind="region"``, ``key`` the dotted code).

        Example:
            >>> RegionTable.default().get("31.71.01").name
            'Gambir'
            >>> RegionTable.default().get("31.99")
            Traceback (most recent call last):
            ...
            lapor_core.errors.NotFound: region not found: 31.99
        """
        normalized = normalize_code(code)
        try:
            return self._by_code[normalized]
        except KeyError:
            raise NotFound(kind="region", key=normalized) from None

    def parent(self, code: str) -> Region | None:
        """The region directly above ``code``, ``None`` for a province; a village's district.

        Raises:
            ValidationError: ``code`` is malformed.
            NotFound: ``code`` is unknown.
        """
        normalized = normalize_code(code)
        if len(normalized) == _VILLAGE_LENGTH:
            return self._place(normalized)
        region = self.get(normalized)
        return None if region.parent is None else self._by_code[region.parent]

    def children(self, code: str | None) -> tuple[Region, ...]:
        """The regions directly below ``code`` in code order; ``None`` gives the provinces.

        Raises:
            ValidationError: ``code`` is malformed.
            NotFound: ``code`` is unknown.

        Example:
            >>> [r.name for r in RegionTable.default().children("31")][:2]
            ['Kabupaten Administrasi Kepulauan Seribu', 'Kota Administrasi Jakarta Pusat']
        """
        key = None if code is None else self.get(code).code
        return self._children.get(key, ())

    def provinces(self) -> tuple[Region, ...]:
        """Every province in code order."""
        return self._children.get(None, ())

    def province_of(self, code: str) -> Region:
        """The province ``code`` (a region or a village) lies in; the province itself for a province code.

        Raises:
            ValidationError: ``code`` is malformed.
            NotFound: ``code`` is unknown.
        """
        return self._by_code[self._place(code).province_code]

    def timezone_of(self, code: str) -> str:
        """The IANA time zone of the region or village (its province's).

        Raises:
            ValidationError: ``code`` is malformed.
            NotFound: ``code`` is unknown.

        Example:
            >>> RegionTable.default().timezone_of("6171")
            'Asia/Pontianak'
        """
        return self._place(code).timezone

    def centroid_of(self, code: str) -> tuple[float, float] | None:
        """The nearest known centroid of a region or village: its own, else its regency's or province's.

        Districts have no centroid in the shipped data, so they get their regency's.

        Raises:
            ValidationError: ``code`` is malformed.
            NotFound: ``code`` is unknown.

        Example:
            >>> RegionTable.default().centroid_of("31.71.01")
            (-6.1812, 106.835125)
        """
        region: Region | None = self._place(code)
        while region is not None:
            if region.centroid is not None:
                return region.centroid
            region = None if region.parent is None else self._by_code[region.parent]
        return None

    def check_point(self, code: str, lat: float, lon: float, *, field: str = "location.region") -> None:
        """Refuse a point that cannot lie in the region ``code``: one far from every part of its province.

        Only centroids are known, so this is a plausibility rule, not a boundary test: the point must lie
        within :data:`NEAR_REGION_KM` of the centroid of the province or of one of its regencies. A point in
        the neighbouring province passes; Jakarta's code with a point in the Flores Sea does not. A
        province without any centroid passes every point.

        Raises:
            ValidationError: ``region.far_from_point`` on ``field`` (param ``km``); ``code`` malformed.
            NotFound: ``code`` is unknown.

        Example:
            >>> table = RegionTable.default()
            >>> table.check_point("31.71", -6.2, 106.8)  # Jakarta Pusat
            >>> table.check_point("31.71", -6.2, 120.0)
            Traceback (most recent call last):
            ...
            lapor_core.errors.ValidationError: invalid input: location.region: lies more than 300 km from \
the given point
        """
        province = self.province_of(code)
        centroids = [r.centroid for r in (province, *self.children(province.code)) if r.centroid is not None]
        if centroids and min(_distance_km((lat, lon), c) for c in centroids) > NEAR_REGION_KM:
            raise ValidationError.single(field, N_("region.far_from_point"), km=NEAR_REGION_KM)

    def search(self, text: str, limit: int = 10) -> tuple[Region, ...]:
        """Regions whose name matches ``text``, best first; ignores case, accents and punctuation.

        Ranking: an exact name (with or without its ``Kabupaten``/``Kota`` prefix) first, then names
        starting with the text, then names holding every word of the text as a word prefix, then names
        merely containing it; within a rank provinces before regencies before districts, then by code.
        Common abbreviations are understood (``kab``, ``dki``, ``diy``). Never raises on text; returns an
        empty tuple when nothing matches or the text has no letters or digits.

        Args:
            text: What the user typed.
            limit: At most this many results (``0`` or less gives none).

        Example:
            >>> table = RegionTable.default()
            >>> [r.name for r in table.search("kota bandung", limit=1)]
            ['Kota Bandung']
            >>> [r.code for r in table.search("Jakarta Selatan", limit=1)]
            ['31.74']
            >>> [r.code for r in table.search("DKI Jakarta", limit=1)]
            ['31']
        """
        if not isinstance(text, str) or limit <= 0:
            return ()
        folded = _fold_query(text)
        if not folded:
            return ()
        kind, bare = _split_kind(folded)
        query = _Query(folded, kind, bare, tuple(folded.split()))
        # Every match holds each query word somewhere in its name: a cheap test that skips most regions.
        needle = max(query.words, key=len)
        ranked: list[tuple[int, tuple[int, str], Region]] = []
        for entry in self._index():
            if needle not in entry.full:
                continue
            tier = _match_tier(entry, query)
            if tier is not None:
                ranked.append((tier, entry.rank, entry.region))
        ranked.sort(key=lambda item: (item[0], item[1]))
        return tuple(region for _, _, region in ranked[:limit])

    def suggest(self, code_or_name: str, limit: int = 3) -> tuple[Region, ...]:
        """The regions a user most likely meant by an unknown code or a misspelt name.

        For a well-formed code: the region itself if it exists, else the regions under its nearest
        existing ancestor (the provinces if there is none) with the numerically closest codes. For a name:
        :meth:`search`, falling back to :func:`difflib.get_close_matches` on names for typos.

        Example:
            >>> table = RegionTable.default()
            >>> [r.code for r in table.suggest("31.79")]
            ['31.75', '31.74', '31.73']
            >>> [r.name for r in table.suggest("Kota Bandnug", limit=1)]
            ['Kota Bandung']
        """
        if not isinstance(code_or_name, str) or limit <= 0:
            return ()
        code = _try_normalize(code_or_name)
        if code is not None:
            return self._suggest_code(code, limit)
        found = self.search(code_or_name, limit)
        if found:
            return found
        query = _fold_query(code_or_name)
        if not query:
            return ()
        by_name: dict[str, list[Region]] = {}
        for entry in self._index():
            by_name.setdefault(entry.full, []).append(entry.region)
            by_name.setdefault(entry.bare, []).append(entry.region)
        import difflib  # noqa: PLC0415 - only a search with a typo needs it

        close = difflib.get_close_matches(query, list(by_name), n=limit, cutoff=0.75)
        picked: dict[str, Region] = {}
        for name in close:
            for region in by_name[name]:
                picked.setdefault(region.code, region)
        return tuple(picked.values())[:limit]

    def resolve(self, text: str, *, field: str = "region") -> Region:
        """The region for a code a user gave, or a validation error that suggests what they meant.

        A village code resolves to its district when the district is known (the table holds no villages).

        Args:
            text: Dotted or undotted code.
            field: The field path to name in the error (``"location.region"``).

        Raises:
            ValidationError: The code is malformed (see :func:`normalize_code`) or unknown:
                ``region.unknown_did_you_mean`` with up to three suggestions as param ``hints``
                (``"<code> <name>"`` each), or ``region.unknown`` when there is none to offer.

        Example:
            >>> RegionTable.default().resolve("31.79", field="location.region")
            Traceback (most recent call last):
            ...
            lapor_core.errors.ValidationError: invalid input: location.region: unknown region; did you mean
            31.75 Kota Administrasi Jakarta Timur, 31.74 Kota Administrasi Jakarta Selatan, 31.73 Kota
            Administrasi Jakarta Barat?
        """
        code = normalize_code(text, field=field)
        region = self._by_code.get(code[:_DISTRICT_LENGTH])
        if region is not None:
            return region
        hints = tuple(f"{r.code} {r.name}" for r in self._suggest_code(code, 3))
        if hints:
            raise ValidationError.single(field, "region.unknown_did_you_mean", hints=hints)
        raise ValidationError.single(field, "region.unknown")

    def _place(self, code: str) -> Region:
        """The region of ``code``, or the district of a village code."""
        normalized = normalize_code(code)
        try:
            return self._by_code[normalized[:_DISTRICT_LENGTH]]
        except KeyError:
            raise NotFound(kind="region", key=normalized) from None

    def _suggest_code(self, code: str, limit: int) -> tuple[Region, ...]:
        code = code[:_DISTRICT_LENGTH]
        known = self._by_code.get(code)
        if known is not None:
            return (known,)
        ancestor: str | None = code
        while ancestor is not None and ancestor not in self._by_code:
            size = _PARENT_LENGTH.get(len(ancestor))
            ancestor = None if size is None else ancestor[:size]
        candidates = self._children.get(ancestor, ())
        target = int(code.replace(".", "").ljust(6, "0"))

        def distance(region: Region) -> tuple[int, str]:
            value = int(region.undotted.ljust(6, "0"))
            return (abs(value - target), region.code)

        return tuple(sorted(candidates, key=distance)[:limit])

    def _index(self) -> tuple[_SearchEntry, ...]:
        index = self._search_index
        if index is None:
            entries = []
            for region in self._by_code.values():
                full = fold_text(region.name)
                kind, bare = _split_kind(full)
                entries.append(
                    _SearchEntry(
                        full=full,
                        kind=kind,
                        bare=bare,
                        words=tuple(full.split()),
                        rank=(_LEVEL_RANK[region.level], region.code),
                        region=region,
                    )
                )
            index = tuple(entries)
            # A benign race: two threads may both build it; they build equal indexes.
            self._search_index = index
        return index


# --- the rule across a table's regions ------------------------------------------------------------------


def _inconsistencies(items: Sequence[object]) -> list[FieldError]:
    """What the regions of one table contradict: each is a Region, codes unique, parents there, one zone."""
    errors: list[FieldError] = []
    regions = [item for item in items if isinstance(item, Region)]
    codes = {region.code for region in regions}
    zones = {region.code: region.timezone for region in regions if region.level is RegionLevel.PROVINCE}
    seen: set[str] = set()
    for index, region in enumerate(items):
        path = f"regions[{index}]"
        if not isinstance(region, Region):
            errors.append(FieldError(path, "region.not_region", {"type": type_name(region)}))
            continue
        if region.code in seen:
            errors.append(FieldError(f"{path}.code", "region.repeated_code"))
        seen.add(region.code)
        if region.parent is not None and region.parent not in codes:
            errors.append(FieldError(f"{path}.parent", "region.parent_unknown"))
        if zones.get(region.province_code, region.timezone) != region.timezone:
            errors.append(FieldError(f"{path}.timezone", "region.timezone_not_province"))
    return errors


# --- CSV loading ---------------------------------------------------------------------------------------

_PROVINCE_COLUMNS: Final = ("code", "name", "timezone", "lat", "lon")
_REGENCY_COLUMNS: Final = ("code", "province_code", "name", "kind", "lat", "lon")
_DISTRICT_COLUMNS: Final = ("code", "regency_code", "name")
_OPTIONAL_COLUMNS: Final = frozenset({"lat", "lon"})
_EXAMPLE_CODES: Final = {2: "31", 5: "31.71", 8: "31.71.01"}


def _read_rows(
    source: CsvSource, label: str, columns: tuple[str, ...], errors: list[FieldError]
) -> tuple[str, list[list[str]]]:
    """Read a CSV file into rows holding exactly ``columns``, in that order."""
    try:
        if isinstance(source, str | os.PathLike):
            text = Path(source).read_text(encoding="utf-8")
        else:
            text = source.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        errors.append(FieldError(label, N_("file.not_utf8")))
        return label, []
    try:
        return label, _rows(text, label, columns, errors)
    except csv.Error:  # a field over the csv module's size limit, a bad quote
        errors.append(FieldError(label, N_("file.not_csv")))
        return label, []


def _rows(text: str, label: str, columns: tuple[str, ...], errors: list[FieldError]) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = tuple(name.strip().lstrip("\ufeff") for name in next(reader, []))
    missing = [name for name in columns if name not in header and name not in _OPTIONAL_COLUMNS]
    if missing:
        errors.append(FieldError(label, N_("file.missing_columns"), {"columns": tuple(missing)}))
        return []
    width = len(columns)
    if header == columns:
        return [cells if len(cells) == width else (cells + [""] * width)[:width] for cells in reader if cells]
    positions = [header.index(name) if name in header else None for name in columns]
    return [
        [cells[i] if i is not None and i < len(cells) else "" for i in positions] for cells in reader if cells
    ]


def _number_cell(text: str) -> object:
    """A coordinate cell: ``None`` when empty, a float if it reads as one, else the text (for its rule)."""
    text = text.strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return text


class _CsvLoader:
    """Builds regions from CSV rows through :class:`Region`'s rules, collecting every error.

    What only the files can say is checked here: each file holds codes of its level, a parent is in the
    file above, a code is loaded once; regencies and districts take their parent's time zone.
    """

    def __init__(self) -> None:
        self.errors: list[FieldError] = []
        self.regions: list[Region] = []
        self.seen: set[str] = set()
        self.zones: dict[str, str] = {}

    def provinces(self, table: tuple[str, list[list[str]]]) -> None:
        label, rows = table
        for index, (raw_code, name, zone, lat, lon) in enumerate(rows):
            values = {
                "code": self._code(raw_code, 2, label, index, "code"),
                "name": name,
                "level": RegionLevel.PROVINCE,
                "parent": None,
                "timezone": zone.strip(),
                "lat": _number_cell(lat),
                "lon": _number_cell(lon),
            }
            self._build(values, label, index, "province_code")

    def regencies(self, table: tuple[str, list[list[str]]]) -> None:
        label, rows = table
        for index, (raw_code, raw_parent, name, kind, lat, lon) in enumerate(rows):
            values = self._below(raw_code, 5, raw_parent, label, index, "province_code")
            values.update(name=name, level=RegionLevel.REGENCY, kind=kind.strip())
            values.update(lat=_number_cell(lat), lon=_number_cell(lon))
            self._build(values, label, index, "province_code")

    def districts(self, table: tuple[str, list[list[str]]]) -> None:
        label, rows = table
        level = RegionLevel.DISTRICT
        for index, (raw_code, raw_parent, name) in enumerate(rows):
            values = self._below(raw_code, 8, raw_parent, label, index, "regency_code")
            if values["timezone"] is None:
                values.update(name=name, level=level)
                self._build(values, label, index, "regency_code")
                continue
            # Most rows are districts and loading must stay fast: their code and parent are this loader's
            # checked codes (the parent's prefix), the zone their regency's; only the name is left to a rule.
            try:
                values.update(name=_name(name), level=level)
            except Invalid as invalid:
                self.errors.append(invalid.at(f"{label}[{index}].name"))
                continue
            self._add(v.trusted(Region, values), label, index)

    def _below(
        self, raw_code: str, length: int, raw_parent: str, label: str, index: int, parent_column: str
    ) -> dict[str, object]:
        """The code, parent and time zone of a row of a level below the provinces (``None`` when refused)."""
        code = self._code(raw_code, length, label, index, "code")
        parent = self._code(raw_parent, _PARENT_LENGTH[length], label, index, parent_column)
        zone = None
        if code is not None and parent is not None:
            if not code.startswith(parent + "."):
                self.errors.append(FieldError(f"{label}[{index}].{parent_column}", "region.parent_mismatch"))
            else:
                zone = self.zones.get(parent)
                if zone is None:
                    self.errors.append(
                        FieldError(f"{label}[{index}].{parent_column}", "region.parent_not_loaded")
                    )
        return {"code": code, "parent": parent if zone is not None else None, "timezone": zone}

    def _build(self, values: dict[str, object], label: str, index: int, parent_column: str) -> None:
        """Make the region of one row; the errors of its rules are named by the row's columns.

        A code or parent this loader refused is ``None`` here: the other cells are still checked by the
        rules, and what the loader told already (the code; the parent and the zone taken from it) is not
        told twice.
        """
        try:
            region = Region(**values)  # type: ignore[arg-type]
        except ValidationError as error:
            told = {"code"} if values["code"] is None else set()
            if values["timezone"] is None:
                told |= {"parent", "timezone"}
            columns = {"parent": parent_column}
            self.errors += [
                FieldError(f"{label}[{index}].{columns.get(e.field, e.field)}", e.code, e.params)
                for e in error.errors
                if e.field not in told
            ]
            return
        self._add(region, label, index)

    def _add(self, region: Region, label: str, index: int) -> None:
        if region.code in self.seen:
            self.errors.append(FieldError(f"{label}[{index}].code", "region.repeated_code"))
            return
        self.seen.add(region.code)
        if region.level is not RegionLevel.DISTRICT:
            self.zones[region.code] = region.timezone
        self.regions.append(region)

    def _code(self, text: str, length: int, label: str, index: int, column: str) -> str | None:
        code = _try_normalize(text)
        if code is None or len(code) != length:
            example = _EXAMPLE_CODES[length]
            self.errors.append(
                FieldError(f"{label}[{index}].{column}", "region.code_expected", {"example": example})
            )
            return None
        return code


# --- the shipped table ----------------------------------------------------------------------------------
# Read from its precomputed rows (lapor_core._domain.precomputed): the CSV files' rows, already checked by
# every rule, so each region is rebuilt without them. Its slots are set directly, in field order: the 7,800
# regions then take a third of the time rules.trusted needs (a dict and a field lookup each) and a sixth of
# what their rules take.
_SLOT_SETTERS: Final = tuple(getattr(Region, field.name).__set__ for field in attrs.fields(Region))


def _rebuilt(*values: object) -> Region:
    """A region from values its rules accepted, in field order (code, name, level, parent, timezone...)."""
    region: Region = object.__new__(Region)
    for put, value in zip(_SLOT_SETTERS, values, strict=True):
        put(region, value)
    return region


@functools.cache
def _shipped_areas() -> tuple[Region, ...]:
    rows = precomputed.area_rows()
    zones: dict[str, str] = {}
    regions: list[Region] = []
    p, r = rows["provinces"], rows["regencies"]
    level = RegionLevel.PROVINCE
    for code, name, zone, lat, lon in zip(
        p["code"], p["name"], p["timezone"], p["lat"], p["lon"], strict=True
    ):
        zones[code] = zone
        regions.append(_rebuilt(code, name, level, None, zone, None, lat, lon))
    level = RegionLevel.REGENCY
    for code, name, lat, lon in zip(r["code"], r["name"], r["lat"], r["lon"], strict=True):
        parent = code[:_PROVINCE_LENGTH]
        regions.append(_rebuilt(code, name, level, parent, zones[parent], _regency_kind(code), lat, lon))
    return tuple(regions)


def default_areas() -> RegionTable:
    """The shipped provinces, regencies and cities without their districts (what the default directory needs).

    Example:
        >>> default_areas().count(RegionLevel.DISTRICT), default_areas().get("73.71").name
        (0, 'Kota Makassar')
    """
    return _default_areas()


@functools.cache
def _default_areas() -> RegionTable:
    return RegionTable._trusted(list(_shipped_areas()))


@functools.cache
def _default_table() -> RegionTable:
    regions = list(_shipped_areas())
    zones = {region.code: region.timezone for region in regions}
    level = RegionLevel.DISTRICT
    d = precomputed.district_rows()
    for code, name in zip(d["code"], d["name"], strict=True):
        parent = code[:_REGENCY_CODE_LENGTH]
        regions.append(_rebuilt(code, name, level, parent, zones[parent], None, None, None))
    return RegionTable._trusted(regions)
