"""What a citizen submits: :class:`Submission`, with its :class:`Location` and :class:`Reporter`.

These are frozen attrs classes validated whenever they are built, whether directly
(``Submission(kind=..., ...)``) or from untrusted data (:meth:`Submission.from_dict`, or structuring with
the converter of :mod:`lapor_core._serialization`). Either way one
:class:`~lapor_core.errors.ValidationError` lists every bad field with its path (``title``,
``location.lat``, ``reporter.email``) and a reason that never repeats the value; nothing is created.
Values are normalised on the way in: surrounding white space stripped, blank optional text read as absent,
region codes dotted, phone numbers in ``+628...`` form.

The dictionary form (what ``from_dict`` takes and :func:`lapor_core.to_dict` gives)::

    {"kind": "pengaduan", "title": "...", "body": "...", "channel": "web",
     "category": "roads-bridges", "anonymous": false, "confidential": false,
     "location": {"region": "31.71", "lat": -6.18, "lon": 106.83, "address": "..."},
     "reporter": {"name": "...", "email": "...", "phone": "+62812...", "nik": "3171..."}}

Only ``kind``, ``title``, ``body`` and ``channel`` are required; unknown keys are refused.

Example:
    >>> sub = Submission.from_dict({"kind": "pengaduan", "channel": "sms", "title": " Jalan rusak ",
    ...                             "body": "Berlubang.", "location": {"region": "3171"}})
    >>> sub.title, sub.kind, sub.location.region
    ('Jalan rusak', <Kind.PENGADUAN: 'pengaduan'>, '31.71')
    >>> Submission.from_dict({"kind": "gosip", "channel": "web", "title": "", "body": "x",
    ...                       "location": {"lat": 40.0, "lon": 106.8}})
    Traceback (most recent call last):
    lapor_core.errors.ValidationError: invalid input: kind: must be one of ...; title: must not be empty; ...
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from typing import Final, TypeVar

import attrs

from lapor_core import _i18n
from lapor_core._domain import rules as v
from lapor_core._domain.regions import region_code_rule
from lapor_core._domain.topics import topic_id_rule
from lapor_core._i18n import N_
from lapor_core.errors import ValidationError

__all__ = [
    "Channel",
    "Kind",
    "Location",
    "Reporter",
    "Submission",
    "email_rule",
    "nik_rule",
    "phone_rule",
]

# Field limits from issue #2 (the LAPOR! web form).
TITLE_MAX: Final = 150
BODY_MAX: Final = 4000
NAME_MAX: Final = 150
ADDRESS_MAX: Final = 500
EMAIL_MAX: Final = 254  # RFC 5321 path limit
# Indonesia's extent with a margin (Rote island ~11.0 S, Weh island ~6.1 N, Sabang ~95 E, Merauke ~141 E).
LAT_RANGE: Final = (-11.5, 6.5)
LON_RANGE: Final = (94.5, 141.5)


class Kind(enum.StrEnum):
    """The kind of report (jenis laporan)."""

    PENGADUAN = "pengaduan"
    ASPIRASI = "aspirasi"
    PERMINTAAN_INFORMASI = "permintaan_informasi"

    def label(self, locale: str = "id") -> str:
        """The label in ``locale`` (``"Permintaan Informasi"``; ``"Information request"`` in ``en``)."""
        return _i18n.translate(_KIND_LABELS[self], locale)


class Channel(enum.StrEnum):
    """How the report arrived (kanal)."""

    WEB = "web"
    MOBILE = "mobile"
    SMS = "sms"
    SOCIAL = "social"
    API = "api"
    EMAIL = "email"

    def label(self, locale: str = "id") -> str:
        """The label in ``locale`` (``"Media sosial"``; ``"Social media"`` in ``en``)."""
        return _i18n.translate(_CHANNEL_LABELS[self], locale)


_KIND_LABELS: Final = {
    Kind.PENGADUAN: N_("label.kind.pengaduan"),
    Kind.ASPIRASI: N_("label.kind.aspirasi"),
    Kind.PERMINTAAN_INFORMASI: N_("label.kind.permintaan_informasi"),
}
_CHANNEL_LABELS: Final = {
    Channel.WEB: N_("label.channel.web"),
    Channel.MOBILE: N_("label.channel.mobile"),
    Channel.SMS: N_("label.channel.sms"),
    Channel.SOCIAL: N_("label.channel.social"),
    Channel.API: N_("label.channel.api"),
    Channel.EMAIL: N_("label.channel.email"),
}

_EMAIL: Final = re.compile(
    r"(?!\.)(?!.*\.@)(?!.*\.\.)[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}"
    r"@(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_](?:[\w-]{0,61}[^\W_])"
)
_PHONE_SEPARATORS: Final = str.maketrans("", "", " -.()")
# Indonesian mobile numbers: 08 + 7 to 11 digits, or the same after +62 / 62 instead of the leading 0.
_PHONE: Final = re.compile(r"(?:\+62|62|0)(8[0-9]{7,11})")
_NIK: Final = re.compile(r"[0-9]{16}")  # Nomor Induk Kependudukan (UU 24/2013)

A = TypeVar("A", bound=attrs.AttrsInstance)

_optional_line = v.text(required=False, max_length=64)


_email_text = v.text(required=False, max_length=EMAIL_MAX)


def email_rule(value: object) -> str | None:
    """The e-mail rule (the one owner of it): a pragmatic address check, domain lower-cased.

    Blank is ``None``. Raises :class:`~lapor_core._domain.rules.Invalid` (``email.malformed`` and the text
    codes).

    >>> email_rule(" Warga@Contoh.GO.ID ")
    'Warga@contoh.go.id'
    """
    email = _email_text(value)
    if email is None:
        return None
    if not _EMAIL.fullmatch(email):
        raise v.Invalid("email.malformed")
    local, domain = email.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def phone_rule(value: object) -> str | None:
    """The Indonesian mobile-number rule (the one owner of it): returns ``+628...``; blank is ``None``.

    >>> phone_rule("0812-3456-7890")
    '+6281234567890'
    """
    phone = _optional_line(value)
    if phone is None:
        return None
    match = _PHONE.fullmatch(phone.translate(_PHONE_SEPARATORS))
    if match is None:
        raise v.Invalid("phone.malformed")
    return "+62" + match[1]


def nik_rule(value: object) -> str | None:
    """The NIK rule (Nomor Induk Kependudukan, UU 24/2013): 16 digits; blank is ``None``."""
    nik = _optional_line(value)
    if nik is None or _NIK.fullmatch(nik):
        return nik
    raise v.Invalid("nik.malformed")


def _redacted(value: str | None) -> str:
    return "None" if value is None else "'***'"


def _complete_point(instance: Location, _attribute: attrs.Attribute[float | None], lon: float | None) -> None:
    # A point is both coordinates or none: half a point can be neither shown on a map nor sent on (Open311).
    if (instance.lat is None) != (lon is None):
        raise ValidationError.single("lon" if lon is None else "lat", "location.incomplete")


@v.checked
@attrs.frozen(field_transformer=v.with_rules)
class Location:
    """Where the reported matter is: a region, a point, an address; each optional.

    Attributes:
        region: Kemendagri region code, dotted: province ``31``, regency/city ``31.71``, district ``31.71.01``
            or village ``31.71.01.1001`` (given undotted, it is dotted; see
            :func:`lapor_core._domain.regions.normalize_code`). Only the shape is checked here; whether the
            region
            exists is for the region table (:class:`lapor_core._domain.regions.RegionTable`) the deployment
            uses.
        lat: Latitude in -11.5 .. 6.5 (inclusive), as a float; given with ``lon`` or not at all.
        lon: Longitude in 94.5 .. 141.5 (inclusive), as a float; given with ``lat`` or not at all.
        address: Free-text address, at most 500 characters.

    Raises:
        ValidationError: Listing every bad field.

    Example:
        >>> Location(region="317101", lat=-6, lon=106.8)
        Location(region='31.71.01', lat=-6.0, lon=106.8, address=None)
    """

    region: str | None = attrs.field(default=None, metadata=v.rule(region_code_rule))
    lat: float | None = attrs.field(
        default=None,
        metadata=v.rule(
            v.number(low=LAT_RANGE[0], high=LAT_RANGE[1], code=N_("location.lat_outside_indonesia"))
        ),
    )
    lon: float | None = attrs.field(
        default=None,
        metadata=v.rule(
            v.number(low=LON_RANGE[0], high=LON_RANGE[1], code=N_("location.lon_outside_indonesia"))
        ),
        validator=_complete_point,
    )
    address: str | None = attrs.field(
        default=None, metadata=v.rule(v.text(required=False, max_length=ADDRESS_MAX, multiline=True))
    )

    @classmethod
    def from_dict(cls, data: object) -> Location:
        """Build a location from untrusted data (keys ``region``, ``lat``, ``lon``, ``address``).

        Raises:
            ValidationError: Listing every bad field and every unknown key.
        """
        return v.structure(cls, data)


@v.checked
@attrs.frozen(field_transformer=v.with_rules)
class Reporter:
    """Who reports and how to reach them; every field is optional personal data (UU 27/2022).

    The ``repr`` shows which fields are given, never their values.

    Attributes:
        name: Name, at most 150 characters.
        email: E-mail address (a pragmatic check: one ``@``, a dotted domain, at most 254 characters);
            the domain is lower-cased.
        phone: Indonesian mobile number given as ``08...``, ``628...`` or ``+628...`` (spaces, hyphens,
            dots and parentheses allowed), stored as ``+628...`` with 7 to 11 digits after the ``8``.
        nik: National identity number (NIK), 16 digits.

    Raises:
        ValidationError: Listing every bad field.

    Example:
        >>> Reporter(phone="0812-3456-7890")
        Reporter(name=None, email=None, phone='***', nik=None)
        >>> Reporter(phone="0812-3456-7890").phone
        '+6281234567890'
    """

    name: str | None = attrs.field(
        default=None, repr=_redacted, metadata=v.rule(v.text(required=False, max_length=NAME_MAX))
    )
    email: str | None = attrs.field(default=None, repr=_redacted, metadata=v.rule(email_rule))
    phone: str | None = attrs.field(default=None, repr=_redacted, metadata=v.rule(phone_rule))
    nik: str | None = attrs.field(default=None, repr=_redacted, metadata=v.rule(nik_rule))

    @classmethod
    def from_dict(cls, data: object) -> Reporter:
        """Build a reporter from untrusted data (keys ``name``, ``email``, ``phone``, ``nik``).

        Raises:
            ValidationError: Listing every bad field and every unknown key.
        """
        return v.structure(cls, data)


def _required_text(
    max_length: int, *, multiline: bool = False, strip: bool = True
) -> Callable[[object], str]:
    rule = v.text(required=True, max_length=max_length, multiline=multiline, strip=strip)
    return lambda value: str(rule(value))


@v.checked
@attrs.frozen(field_transformer=v.with_rules)
class Submission:
    """A report as a citizen submits it, before it becomes a complaint.

    Attributes:
        kind: Pengaduan (complaint), aspirasi (aspiration) or permintaan informasi (information request).
        title: One line, 1 to 150 characters, surrounding white space removed.
        body: The report's text, 1 to 4,000 characters; tab and line breaks allowed, kept as given.
        channel: How it arrived: web, mobile, sms, social, api or email.
        category: Topic id (``a-z 0-9 _ . -``, at most 64), or None; whether the topic exists is checked by
            the desk against its topic tree.
        location: Where, or None; a mapping is read with :meth:`Location.from_dict`.
        anonymous: Hide the reporter's identity from the institution and the public (exactly true or false).
        confidential: Hide the content from the public (exactly true or false).
        reporter: Who reports, or None; a mapping is read with :meth:`Reporter.from_dict`.

    Raises:
        ValidationError: Listing every bad field, nested ones with their path (``location.lat``).

    Example:
        >>> Submission(kind="aspirasi", title="Taman kota", body="Tambah bangku.", channel=Channel.WEB)
        Submission(kind=<Kind.ASPIRASI: 'aspirasi'>, title='Taman kota', ...)
    """

    kind: Kind = attrs.field(metadata=v.rule(v.choice(Kind)))
    title: str = attrs.field(metadata=v.rule(_required_text(TITLE_MAX)))
    body: str = attrs.field(metadata=v.rule(_required_text(BODY_MAX, multiline=True, strip=False)))
    channel: Channel = attrs.field(metadata=v.rule(v.choice(Channel)))
    category: str | None = attrs.field(default=None, metadata=v.rule(topic_id_rule), kw_only=True)
    location: Location | None = attrs.field(
        default=None, metadata=v.rule(v.nested(Location, Location.from_dict)), kw_only=True
    )
    anonymous: bool = attrs.field(default=False, metadata=v.rule(v.flag), kw_only=True)
    confidential: bool = attrs.field(default=False, metadata=v.rule(v.flag), kw_only=True)
    reporter: Reporter | None = attrs.field(
        default=None, metadata=v.rule(v.nested(Reporter, Reporter.from_dict)), kw_only=True
    )

    @classmethod
    def from_dict(cls, data: object) -> Submission:
        """Build a submission from untrusted data, such as a decoded JSON request body.

        Args:
            data: A mapping with the keys of the dictionary form (see the module docstring).

        Raises:
            ValidationError: Listing every bad field (nested ones as ``location.lat``), every missing
                required field and every unknown key; also when ``data`` is not a mapping at all. No other
                exception escapes, whatever ``data`` is.
        """
        return v.structure(cls, data)
