"""Notifications: who is told what, rendered at delivery under the privacy policy.

Commands queue an :class:`~lapor_core.complaint.OutboxMessage` naming a recipient by role and reference
(``institution`` ``31.71``) in the same transaction as the change. Only at delivery is the recipient
resolved to addresses (:class:`Address`, by the integrator's :class:`AddressBook` or their own resolver)
and the message rendered, from the complaint as it is *then*, by :class:`NotificationRenderer`:

- the recipient's relation to the complaint is worked out again (an institution the complaint has left is
  told nothing; an institution's staff are the institution only while it is there);
- every field goes through the access policy (:func:`lapor_core.access.decide`), so a complaint made
  anonymous or confidential after the message was queued never reveals what the flags now hide, and an
  anonymous reporter's identity reaches nobody but the reporter;
- a recipient who may not know the complaint exists gets nothing (:class:`Withheld`).

The result, a :class:`Notification`, is what a :class:`~lapor_core.ports.Notifier` sends.

>>> Address.parse("mailto:pengaduan@jakarta.go.id").channel
<DeliveryChannel.EMAIL: 'email'>
>>> Recipient.parse("institution", "31.71")
Recipient(role=<RecipientRole.INSTITUTION: 'institution'>, ref='31.71')
"""

from __future__ import annotations

import enum
import re
import urllib.parse
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import Any

import attrs

from lapor_core.access import Decision, Relation, Subject, decide
from lapor_core.catalogue import DEFAULT_LOCALE, Catalogue, RenderedMessage
from lapor_core.complaint import Complaint, OutboxMessage, ReporterIdentity
from lapor_core.errors import FieldError, PermanentNotificationError, ValidationError
from lapor_core.history import Event
from lapor_core.institutions import InstitutionDirectory
from lapor_core.lifecycle import Action

__all__ = [
    "TEMPLATE_KEYS",
    "Address",
    "AddressBook",
    "DeliveryChannel",
    "Notification",
    "NotificationRenderer",
    "Recipient",
    "RecipientRole",
    "Withheld",
    "recipient_relation",
]


class RecipientRole(enum.StrEnum):
    """Who a queued notification is for."""

    REPORTER = "reporter"
    ADMIN = "admin"
    INSTITUTION = "institution"
    UNIT = "unit"
    SUPERIOR = "superior"


class DeliveryChannel(enum.StrEnum):
    """How an address is reached."""

    EMAIL = "email"
    SMS = "sms"
    WEBHOOK = "webhook"


TEMPLATE_KEYS = frozenset(
    {
        "submit.reporter",
        "submit.admin",
        "forward.reporter",
        "forward.institution",
        "request_info.reporter",
        "provide_info.admin",
        "archive.reporter",
        "assign.unit",
        "decline.admin",
        "follow_up.reporter",
        "reply.institution",
        "reply.unit",
        "close.reporter",
        "close.institution",
        "breach.admin",
        "breach.superior",
        "remind.institution",
        "remind.admin",
    }
)
"""Every ``<event>.<recipient role>`` the commands and the sweep queue; the catalogue has each."""

_MAX_REF = 200
_MAX_TARGET = 2000
_EMAIL = re.compile(r"[^@\s<>()\[\],;:\"\\]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,253}[A-Za-z0-9])?")
_PHONE = re.compile(r"\+?[0-9]{6,15}")


@attrs.frozen
class Recipient:
    """A role and, for institutions, units and superiors, the organisation's code.

    Attributes:
        role: Who the message is for.
        ref: The institution or superior code, ``<institution>/<unit>`` for a unit, None for the reporter
            and the admins.
    """

    role: RecipientRole
    ref: str | None = None

    @classmethod
    def parse(cls, role: object, ref: object = None) -> Recipient:
        """A recipient from the role text and reference an outbox row holds.

        Raises:
            ValidationError: Unknown role, or a reference missing where the role needs one.
        """
        errors: list[FieldError] = []
        try:
            parsed = RecipientRole(str(role))
        except ValueError:
            errors.append(FieldError("recipient_role", f"must be one of {', '.join(RecipientRole)}"))
            parsed = RecipientRole.ADMIN
        needs_ref = parsed in (RecipientRole.INSTITUTION, RecipientRole.UNIT, RecipientRole.SUPERIOR)
        if ref is not None and (not isinstance(ref, str) or not ref.strip() or len(ref) > _MAX_REF):
            errors.append(FieldError("recipient_ref", "must be a code of at most 200 characters"))
        elif needs_ref and ref is None:
            errors.append(FieldError("recipient_ref", "an institution, unit or superior needs its code"))
        if errors:
            raise ValidationError(errors)
        return cls(parsed, ref if isinstance(ref, str) else None)

    @classmethod
    def of(cls, message: OutboxMessage) -> Recipient:
        """The recipient of a queued message."""
        return cls.parse(message.recipient_role, message.recipient_ref)


def _target_errors(channel: DeliveryChannel, target: object) -> list[FieldError]:
    if not isinstance(target, str) or not target or len(target) > _MAX_TARGET:
        return [FieldError("target", "must be a non-empty string of at most 2000 characters")]
    if any(ord(c) < 0x20 or c == "\x7f" for c in target):  # noqa: PLR2004
        return [FieldError("target", "must not contain control characters")]
    if channel is DeliveryChannel.EMAIL and not _EMAIL.fullmatch(target):
        return [FieldError("target", "must be an e-mail address (local@domain)")]
    if channel is DeliveryChannel.SMS and not _PHONE.fullmatch(target):
        return [FieldError("target", "must be a phone number of 6 to 15 digits, optionally after +")]
    if channel is DeliveryChannel.WEBHOOK:
        url = urllib.parse.urlsplit(target)
        if url.scheme not in ("http", "https") or not url.hostname or " " in target:
            return [FieldError("target", "must be an http or https URL with a host")]
    return []


@attrs.frozen
class Address:
    """Where and how to reach a recipient. Built by a resolver at delivery, never stored in the outbox.

    Attributes:
        channel: E-mail, SMS or webhook.
        target: The e-mail address, the phone number (``+62...``) or the webhook URL. Left out of ``repr``:
            a reporter's address is personal data and reprs end up in logs.
        locale: The locale the recipient reads (``"en"``), or None for the catalogue's default.

    Raises:
        ValidationError: The target does not fit the channel.
    """

    channel: DeliveryChannel = attrs.field(converter=DeliveryChannel)
    target: str = attrs.field(repr=False)
    locale: str | None = None

    def __attrs_post_init__(self) -> None:
        errors = _target_errors(self.channel, self.target)
        if self.locale is not None and (not isinstance(self.locale, str) or len(self.locale) > 20):  # noqa: PLR2004
            errors.append(FieldError("locale", "must be a locale code such as 'id' or 'en'"))
        if errors:
            raise ValidationError(errors)

    @classmethod
    def parse(cls, text: str, *, locale: str | None = None) -> Address:
        """An address from ``mailto:...``, ``sms:+62...`` (or ``tel:``) or an ``http(s)://`` URL.

        >>> Address.parse("sms:+6281234567890").channel
        <DeliveryChannel.SMS: 'sms'>

        Raises:
            ValidationError: Not one of those forms, or an invalid target.
        """
        if not isinstance(text, str):
            raise ValidationError.single("address", "must be a string")
        scheme, _, rest = text.partition(":")
        scheme = scheme.lower()
        if scheme == "mailto":
            return cls(DeliveryChannel.EMAIL, rest, locale)
        if scheme in ("sms", "tel"):
            return cls(DeliveryChannel.SMS, rest, locale)
        if scheme in ("http", "https"):
            return cls(DeliveryChannel.WEBHOOK, text, locale)
        raise ValidationError.single("address", "must start with mailto:, sms:, tel:, http:// or https://")


def _read_only(values: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(values))


@attrs.frozen
class Notification:
    """One message to one address, rendered at delivery: what a notifier sends.

    Attributes:
        idempotency_key: The outbox message's ID; a receiver that saw it already must drop the message.
        tracking_id: The complaint concerned.
        event: What happened.
        recipient: Who it is for (role and reference).
        address: Where it goes.
        locale: The locale it is written in.
        template: The catalogue template (``<event>.<role>``).
        context: The values the template was filled with, already filtered by the access policy.
        message: The rendered subject, plain text, HTML and short text.
        queued_at: When the message was queued (the event's time).
    """

    idempotency_key: str
    tracking_id: str
    event: Action
    recipient: Recipient
    address: Address
    locale: str
    template: str
    context: Mapping[str, str] = attrs.field(converter=_read_only)
    message: RenderedMessage
    queued_at: datetime

    @property
    def channel(self) -> DeliveryChannel:
        """The address's channel."""
        return self.address.channel


@attrs.frozen
class Withheld:
    """A queued message that is not sent, and why (the reason never holds personal data)."""

    reason: str


# --- who the recipient is to the complaint, now ------------------------------------------------------------


def recipient_relation(recipient: Recipient, complaint: Complaint) -> Relation | None:
    """The recipient's relation to the complaint as it is now, or None when it no longer has one.

    An institution relates to a complaint only while the complaint is at it, a unit only while assigned to
    it; a superior is oversight (:attr:`Relation.SUPERVISOR`).
    """
    role = recipient.role
    if role is RecipientRole.REPORTER:
        return Relation.REPORTER
    if role is RecipientRole.ADMIN:
        return Relation.ADMIN
    if role is RecipientRole.SUPERIOR:
        return Relation.SUPERVISOR
    if complaint.institution is None:
        return None
    if role is RecipientRole.INSTITUTION:
        return Relation.INSTITUTION if recipient.ref == complaint.institution else None
    current_unit = f"{complaint.institution}/{complaint.unit}" if complaint.unit else None
    return Relation.UNIT if current_unit is not None and recipient.ref == current_unit else None


def _decider(relation: Relation, complaint: Complaint) -> Mapping[Subject, Decision]:
    return {
        subject: decide(
            relation,
            subject,
            anonymous=complaint.anonymous,
            confidential=complaint.confidential,
            status=complaint.status,
        )
        for subject in (
            Subject.METADATA,
            Subject.CONTENT,
            Subject.TIMELINE,
            Subject.REPORTER_NAME,
            Subject.INTERNAL,
        )
    }


def _trigger(events: Sequence[Event], message: OutboxMessage) -> Event | None:
    """The event a queued message was written with: same action and instant (else the last one before)."""
    earlier = None
    for event in reversed(events):
        if event.action is not message.event:
            continue
        if event.at == message.created_at:
            return event
        if earlier is None and event.at <= message.created_at:
            earlier = event
    return earlier


def _text(payload: Mapping[str, Any], key: str) -> str | None:
    value = payload.get(key)
    return value if isinstance(value, str) and value.strip() else None


class NotificationRenderer:
    """Builds notifications from queued messages and the complaint as it is at delivery.

    Args:
        catalogue: The texts (default: :meth:`Catalogue.default`).
        directory: Institutions, for their names and time zones (default: codes, and ``timezone``).
        timezone: The zone times are shown in for the reporter and the admins (default Asia/Jakarta, WIB).
        default_locale: The locale of addresses that name none (default ``id``).
    """

    __slots__ = ("_catalogue", "_default_locale", "_directory", "_timezone")

    def __init__(
        self,
        *,
        catalogue: Catalogue | None = None,
        directory: InstitutionDirectory | None = None,
        timezone: str = "Asia/Jakarta",
        default_locale: str = DEFAULT_LOCALE,
    ) -> None:
        self._catalogue = catalogue or Catalogue.default()
        self._directory = directory
        try:
            zoneinfo.ZoneInfo(timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValidationError.single("timezone", "must be an IANA time zone name") from None
        self._timezone = timezone
        self._default_locale = default_locale

    @property
    def catalogue(self) -> Catalogue:
        """The texts."""
        return self._catalogue

    def relation(self, recipient: Recipient, complaint: Complaint) -> Relation | Withheld:
        """The recipient's relation, or why nothing may be sent to it about this complaint now."""
        relation = recipient_relation(recipient, complaint)
        if relation is None:
            return Withheld(f"the complaint is no longer with this {recipient.role.value}")
        if _decider(relation, complaint)[Subject.METADATA] is not Decision.ALLOW:
            return Withheld(f"the {recipient.role.value} may not know of the complaint now")
        return relation

    def wants_identity(self, recipient: Recipient, complaint: Complaint) -> bool:
        """Whether rendering for ``recipient`` may use the reporter's identity record at all.

        Only the reporter (for their own address and name) and recipients the policy shows the reporter's
        name to; for an anonymous complaint that is the reporter alone, so the record is not even read.
        """
        if recipient.role is RecipientRole.REPORTER:
            return True
        relation = recipient_relation(recipient, complaint)
        return relation is not None and _decider(relation, complaint)[Subject.REPORTER_NAME] is Decision.ALLOW

    def render(
        self,
        message: OutboxMessage,
        complaint: Complaint,
        events: Sequence[Event],
        identity: ReporterIdentity | None,
        address: Address,
    ) -> Notification | Withheld:
        """The notification of ``message`` to ``address``, or :class:`Withheld`.

        Raises:
            ValidationError: The message's recipient is malformed.
            PermanentNotificationError: The catalogue has no template for this event and recipient.
        """
        recipient = Recipient.of(message)
        relation = self.relation(recipient, complaint)
        if isinstance(relation, Withheld):
            return relation
        template = f"{message.event.value}.{recipient.role.value}"
        if template not in self._catalogue.templates:
            raise PermanentNotificationError(f"the catalogue has no template {template}")
        locale = self._catalogue.locale_for(address.locale or self._default_locale)
        context = self.context(message, complaint, events, identity, recipient, relation, locale)
        return Notification(
            idempotency_key=message.id,
            tracking_id=complaint.tracking_id,
            event=message.event,
            recipient=recipient,
            address=address,
            locale=locale,
            template=template,
            context=context,
            message=self._catalogue.render(template, locale, context),
            queued_at=message.created_at,
        )

    def context(
        self,
        message: OutboxMessage,
        complaint: Complaint,
        events: Sequence[Event],
        identity: ReporterIdentity | None,
        recipient: Recipient,
        relation: Relation,
        locale: str,
    ) -> dict[str, str]:
        """The template values for ``recipient``, each one passed through the access policy."""
        d = _decider(relation, complaint)
        label = self._catalogue.label
        withheld, none = label("withheld", locale), label("none", locale)
        trigger = _trigger(events, message)
        payload: Mapping[str, Any] = trigger.payload if trigger is not None else {}
        zone = self._zone_of(recipient)
        english = locale.split("_", maxsplit=1)[0] == "en"
        timeline = d[Subject.TIMELINE] is Decision.ALLOW
        internal = d[Subject.INTERNAL] is Decision.ALLOW
        stage = _text(payload, "stage")
        due = _text(payload, "due_at")
        declined = _text(payload, "institution") if message.event is Action.DECLINE else None
        return {
            "tracking_id": complaint.tracking_id,
            "kind": complaint.kind.label_en if english else complaint.kind.label,
            "title": complaint.title if d[Subject.CONTENT] is Decision.ALLOW else withheld,
            "status": complaint.status.label("en" if english else "id"),
            "summary": complaint.status.summary.label("en" if english else "id"),
            "institution": self._institution_name(complaint.institution) or none,
            "unit": self._unit_name(complaint.institution, complaint.unit) or none,
            "reporter_name": self._reporter_name(complaint, identity, d[Subject.REPORTER_NAME], locale),
            "message": (_text(payload, "message") or none) if timeline else withheld,
            "reason": (_text(payload, "reason") or none) if internal else withheld,
            "declined_by": self._institution_name(declined) or none,
            "stage": label(f"stage.{stage}", locale) if stage else none,
            "due_at": _format_instant(due, zone) or none,
            "queued_at": _format_instant(message.created_at, zone) or none,
        }

    def _reporter_name(
        self, complaint: Complaint, identity: ReporterIdentity | None, decision: Decision, locale: str
    ) -> str:
        if decision is Decision.ALLOW and identity is not None and identity.name and not identity.erased:
            return identity.name
        if complaint.anonymous or decision is Decision.REDACT:
            return self._catalogue.label("anonymous", locale)
        return self._catalogue.label("no_name", locale)

    def _institution_name(self, code: str | None) -> str | None:
        if code is None:
            return None
        found = self._directory.find(code) if self._directory is not None else None
        return found.name if found is not None else code

    def _unit_name(self, institution: str | None, unit: str | None) -> str | None:
        if unit is None:
            return None
        found = self._directory.find(institution) if self._directory and institution else None
        names = {u.code: u.name for u in found.units} if found is not None else {}
        return names.get(unit, unit)

    def _zone_of(self, recipient: Recipient) -> zoneinfo.ZoneInfo:
        code = (recipient.ref or "").split("/")[0]
        found = self._directory.find(code) if self._directory is not None and code else None
        return zoneinfo.ZoneInfo(found.timezone if found is not None else self._timezone)


def _format_instant(value: datetime | str | None, zone: zoneinfo.ZoneInfo) -> str | None:
    """``2026-03-27 00:00 WIB``: an instant in the recipient's zone, with the zone's abbreviation."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if value is None or value.tzinfo is None:
        return None
    local = value.astimezone(zone)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


# --- resolving recipients to addresses ---------------------------------------------------------------------


def _addresses(value: object, path: str, errors: list[FieldError]) -> tuple[Address, ...]:
    items = [value] if isinstance(value, (str, Mapping)) else value
    if not isinstance(items, Iterable):
        errors.append(FieldError(path, "must be an address, a list of addresses or a mapping"))
        return ()
    found: list[Address] = []
    for index, item in enumerate(items):
        where = f"{path}[{index}]"
        try:
            if isinstance(item, Address):
                found.append(item)
            elif isinstance(item, str):
                found.append(Address.parse(item))
            elif isinstance(item, Mapping):
                found.append(Address.parse(item.get("address"), locale=item.get("locale")))  # type: ignore[arg-type]
            else:
                errors.append(FieldError(where, "must be an address string or {address, locale}"))
        except ValidationError as e:
            errors.extend(FieldError(where, err.reason) for err in e.errors)
    return tuple(found)


@attrs.frozen
class AddressBook:
    """A :class:`~lapor_core.ports.RecipientResolver` from a table the integrator writes.

    The admins, each institution, unit and superior get fixed addresses; the reporter is reached at the
    e-mail or phone of their identity record, on the first of ``reporter_channels`` they gave. A superior
    without its own entry is reached at its institution entry (a superior is an institution).

    Attributes:
        admin: The LAPOR! admins' addresses.
        institutions: Addresses by institution code.
        units: Addresses by ``<institution>/<unit>``.
        superiors: Addresses by superior code, where they differ from the institution's.
        reporter_channels: The reporter's channels in order of preference (e-mail, then SMS).
        reporter_locale: The locale of messages to reporters, or None for the catalogue's default.

    >>> book = AddressBook.from_mapping({"admin": "mailto:admin@lapor.go.id",
    ...                                  "institutions": {"31.71": "https://pemkot.example/lapor-hook"}})
    >>> [a.channel.value for a in book.resolve(Recipient(RecipientRole.INSTITUTION, "31.71"), None)]
    ['webhook']
    """

    admin: tuple[Address, ...] = ()
    institutions: Mapping[str, tuple[Address, ...]] = attrs.field(factory=dict)
    units: Mapping[str, tuple[Address, ...]] = attrs.field(factory=dict)
    superiors: Mapping[str, tuple[Address, ...]] = attrs.field(factory=dict)
    reporter_channels: tuple[DeliveryChannel, ...] = (DeliveryChannel.EMAIL, DeliveryChannel.SMS)
    reporter_locale: str | None = None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> AddressBook:
        """An address book from JSON-like data.

        ``{"admin": [...], "institutions": {code: [...]}, "units": {"31.71/dinas-pu": [...]},
        "superiors": {code: [...]}, "reporter_channels": ["email", "sms"], "reporter_locale": "id"}``, where
        each address is ``"mailto:..."``, ``"sms:+62..."``, ``"https://..."`` or
        ``{"address": ..., "locale": "en"}``, alone or in a list.

        Raises:
            ValidationError: Every bad entry, by path.
        """
        if not isinstance(data, Mapping):
            raise ValidationError.single("address_book", "must be a mapping")
        errors: list[FieldError] = []
        known = {"admin", "institutions", "units", "superiors", "reporter_channels", "reporter_locale"}
        errors.extend(FieldError(str(key)[:40], "unknown key") for key in data if key not in known)
        tables: dict[str, dict[str, tuple[Address, ...]]] = {}
        for table in ("institutions", "units", "superiors"):
            entries = data.get(table, {})
            if not isinstance(entries, Mapping):
                errors.append(FieldError(table, "must map codes to addresses"))
                entries = {}
            tables[table] = {
                str(code): _addresses(value, f"{table}.{code}", errors) for code, value in entries.items()
            }
        channels: list[DeliveryChannel] = []
        for index, name in enumerate(data.get("reporter_channels", ("email", "sms"))):
            try:
                channels.append(DeliveryChannel(name))
            except ValueError:
                errors.append(FieldError(f"reporter_channels[{index}]", "must be email or sms"))
        locale = data.get("reporter_locale")
        if locale is not None and not isinstance(locale, str):
            errors.append(FieldError("reporter_locale", "must be a locale code"))
        admin = _addresses(data.get("admin", ()), "admin", errors)
        if errors:
            raise ValidationError(errors)
        return cls(
            admin=admin,
            institutions=tables["institutions"],
            units=tables["units"],
            superiors=tables["superiors"],
            reporter_channels=tuple(channels),
            reporter_locale=locale,
        )

    def resolve(self, recipient: Recipient, identity: ReporterIdentity | None) -> tuple[Address, ...]:
        """The addresses of ``recipient``; ``identity`` is given for the reporter only."""
        role, ref = recipient.role, recipient.ref or ""
        if role is RecipientRole.REPORTER:
            return self._reporter(identity)
        if role is RecipientRole.ADMIN:
            return self.admin
        if role is RecipientRole.INSTITUTION:
            return self.institutions.get(ref, ())
        if role is RecipientRole.UNIT:
            return self.units.get(ref, ())
        return self.superiors.get(ref) or self.institutions.get(ref, ())

    def _reporter(self, identity: ReporterIdentity | None) -> tuple[Address, ...]:
        if identity is None or identity.erased:
            return ()
        contacts = {DeliveryChannel.EMAIL: identity.email, DeliveryChannel.SMS: identity.phone}
        for channel in self.reporter_channels:
            target = contacts.get(channel)
            if not target:
                continue
            try:
                return (Address(channel, target, self.reporter_locale),)
            except ValidationError:
                continue  # a contact stored before validation tightened: try the next channel
        return ()
