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
import urllib.parse
import zoneinfo
from collections.abc import Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import Any, Final

import attrs

from lapor_core import _i18n
from lapor_core import _validation as v
from lapor_core._i18n import N_
from lapor_core.access import Decision, Relation, Subject, decide
from lapor_core.calendar import timezone_rule
from lapor_core.catalogue import DEFAULT_LOCALE, Catalogue, RenderedMessage, _locale_code
from lapor_core.complaint import Complaint, OutboxMessage, ReporterIdentity
from lapor_core.errors import FieldError, PermanentNotificationError, ValidationError
from lapor_core.history import Event
from lapor_core.institutions import InstitutionDirectory
from lapor_core.lifecycle import Action
from lapor_core.model import email_rule, phone_rule

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

_MAX_REF: Final = 200
_MAX_TARGET: Final = 2000
_REPORTER_CHANNELS: Final = ("email", "sms")
_BOOK_TABLES: Final = ("institutions", "units", "superiors")
_BOOK_FIELDS: Final = frozenset({"admin", *_BOOK_TABLES, "reporter_channels", "reporter_locale"})
_ref_text = v.text(required=False, max_length=_MAX_REF)
_target_text = v.text(required=True, max_length=_MAX_TARGET, strip=False)


def _ref_rule(value: object) -> str | None:
    """An organisation's code in a recipient or an address book: one line of at most 200 characters."""
    try:
        return _ref_text(value)
    except v.Invalid:
        raise v.Invalid("notification.ref_malformed", max=_MAX_REF) from None


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
        parsed = RecipientRole.ADMIN
        try:
            parsed = _role_rule(role)
        except v.Invalid as invalid:
            errors.append(invalid.at("recipient_role"))
        needs_ref = parsed in (RecipientRole.INSTITUTION, RecipientRole.UNIT, RecipientRole.SUPERIOR)
        code = None
        if ref is not None:
            try:
                code = _ref_rule(ref)
            except v.Invalid as invalid:
                errors.append(invalid.at("recipient_ref"))
            else:
                if code is None:  # blank
                    errors.append(
                        FieldError("recipient_ref", "notification.ref_malformed", {"max": _MAX_REF})
                    )
        elif needs_ref:
            errors.append(FieldError("recipient_ref", "notification.ref_required"))
        if errors:
            raise ValidationError(errors)
        return cls(parsed, code)

    @classmethod
    def of(cls, message: OutboxMessage) -> Recipient:
        """The recipient of a queued message."""
        return cls.parse(message.recipient_role, message.recipient_ref)


_role_rule = v.choice(RecipientRole)
_channel_rule = v.choice(DeliveryChannel)


def _channel(value: object) -> DeliveryChannel:
    try:
        return _channel_rule(value)
    except v.Invalid as invalid:
        raise ValidationError([invalid.at("channel")]) from None


def _webhook_rule(target: str) -> str:
    try:
        url = urllib.parse.urlsplit(target)
        well_formed = url.scheme in ("http", "https") and bool(url.hostname) and url.port != 0
    except ValueError:  # a malformed IPv6 literal, a port that is not a number from 0 to 65535
        well_formed = False
    if not well_formed or " " in target:
        raise v.Invalid("address.webhook_malformed")
    return target


def _target_rule(channel: DeliveryChannel, target: object) -> str:
    """The target normalised for its channel (e-mail and phone by the rules of :mod:`lapor_core.model`)."""
    text = str(_target_text(target))
    if channel is DeliveryChannel.EMAIL:
        return str(email_rule(text))
    if channel is DeliveryChannel.SMS:
        return str(phone_rule(text))
    return _webhook_rule(text)


@attrs.frozen
class Address:
    """Where and how to reach a recipient. Built by a resolver at delivery, never stored in the outbox.

    Attributes:
        channel: E-mail, SMS or webhook.
        target: The e-mail address (its domain lower-cased), the Indonesian mobile number (always
            ``+628...``) or the webhook URL. Left out of ``repr``: a reporter's address is personal data and
            reprs end up in logs.
        locale: The locale the recipient reads (``"en"``), or None for the catalogue's default.

    Raises:
        ValidationError: An unknown channel, a target that does not fit the channel (the e-mail and phone
            rules are :func:`lapor_core.model.email_rule` and :func:`~lapor_core.model.phone_rule`), or a
            malformed locale.
    """

    channel: DeliveryChannel = attrs.field(converter=_channel)
    target: str = attrs.field(repr=False)
    locale: str | None = None

    def __attrs_post_init__(self) -> None:
        errors: list[FieldError] = []
        try:
            # Frozen: the normalised target replaces the given one before anyone sees the instance.
            object.__setattr__(self, "target", _target_rule(self.channel, self.target))
        except v.Invalid as invalid:
            errors.append(invalid.at("target"))
        if self.locale is not None:
            try:
                _locale_code(self.locale)
            except v.Invalid as invalid:
                errors.append(invalid.at("locale"))
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
            raise ValidationError.single("address", "value.not_string", type=v.type_name(text))
        scheme, _, rest = text.partition(":")
        scheme = scheme.lower()
        if scheme == "mailto":
            return cls(DeliveryChannel.EMAIL, rest, locale)
        if scheme in ("sms", "tel"):
            return cls(DeliveryChannel.SMS, rest, locale)
        if scheme in ("http", "https"):
            return cls(DeliveryChannel.WEBHOOK, text, locale)
        raise ValidationError.single("address", "address.unknown_scheme")


def _read_only(values: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(values))


def _frozen_params(values: Mapping[str, object]) -> Mapping[str, object]:
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
    """A queued message that is not sent, and why (never with personal data).

    Attributes:
        code: Why, as a catalogue code (``notification.recipient_left``).
        params: What the text needs besides the code (the recipient's role).

    >>> Withheld("notification.no_reporter_contact").message("en")
    'the reporter left no contact to notify'
    """

    code: str
    params: Mapping[str, object] = attrs.field(factory=dict, converter=_frozen_params, hash=False)

    def message(self, locale: str = DEFAULT_LOCALE) -> str:
        """Why, in ``locale`` (Indonesian unless asked otherwise)."""
        return _i18n.translate(self.code, locale, self.params)

    @property
    def reason(self) -> str:
        """Why, in English (for logs)."""
        return self.message("en")


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
        errors: list[FieldError] = []
        for name, rule, value in (
            ("timezone", timezone_rule, timezone),
            ("default_locale", _locale_code, default_locale),
        ):
            try:
                rule(value)
            except v.Invalid as invalid:
                errors.append(invalid.at(name))
        if errors:
            raise ValidationError(errors)
        self._catalogue = catalogue or Catalogue.default()
        self._directory = directory
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
            return Withheld(N_("notification.recipient_left"), {"role": recipient.role.value})
        if _decider(relation, complaint)[Subject.METADATA] is not Decision.ALLOW:
            return Withheld(N_("notification.recipient_may_not_know"), {"role": recipient.role.value})
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
            raise PermanentNotificationError(
                _i18n.translate(N_("notification.no_template"), "en", {"template": template})
            )
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
        timeline = d[Subject.TIMELINE] is Decision.ALLOW
        internal = d[Subject.INTERNAL] is Decision.ALLOW
        stage = _text(payload, "stage")
        due = _text(payload, "due_at")
        declined = _text(payload, "institution") if message.event is Action.DECLINE else None
        return {
            "tracking_id": complaint.tracking_id,
            "kind": complaint.kind.label(locale),
            "title": complaint.title if d[Subject.CONTENT] is Decision.ALLOW else withheld,
            "status": complaint.status.label(locale),
            "summary": complaint.status.summary.label(locale),
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


def _address_item(item: object) -> Address:
    """One address of an address book: an :class:`Address`, its URI text, or ``{address, locale}``."""
    if isinstance(item, Address):
        return item
    if isinstance(item, str):
        return Address.parse(item)
    if isinstance(item, Mapping):
        values, errors = v.read_mapping(item, ("address", "locale"), ("address",))
        if errors:
            raise ValidationError(errors)
        if values["address"] is None:
            raise ValidationError.single("address", "value.required")
        return Address.parse(values["address"], locale=values.get("locale"))
    raise ValidationError.single(v.ROOT, "address.item_malformed", type=v.type_name(item))


def _addresses(value: object, path: str, errors: list[FieldError]) -> tuple[Address, ...]:
    """The addresses of one entry: one address, or a list of them; each bad one is an error by position."""
    if isinstance(value, (str, Mapping, Address)):
        items: Sequence[object] = [value]
    elif isinstance(value, (list, tuple)):
        items = value
    else:
        errors.append(FieldError(path, "address.entry_malformed", {"type": v.type_name(value)}))
        return ()
    found: list[Address] = []
    for index, item in enumerate(items):
        try:
            found.append(_address_item(item))
        except ValidationError as e:
            errors.extend(FieldError(f"{path}[{index}]", err.code, err.params) for err in e.errors)
    return tuple(found)


def _address_table(
    data: Mapping[str, Any], table: str, errors: list[FieldError]
) -> dict[str, tuple[Address, ...]]:
    """One table of an address book (``institutions``...): addresses by organisation code."""
    entries = data.get(table, {})
    if not isinstance(entries, Mapping):
        errors.append(FieldError(table, "value.not_mapping", {"type": v.type_name(entries)}))
        return {}
    found: dict[str, tuple[Address, ...]] = {}
    bad_codes = 0
    for key, value in entries.items():
        try:
            code = _ref_rule(key)
        except v.Invalid:
            code = None
        if code is None:
            bad_codes += 1  # counted, not named: a junk key may hold anything
            continue
        found[code] = _addresses(value, f"{table}.{code}", errors)
    if bad_codes:
        errors.append(FieldError(table, "address.codes_malformed", {"count": bad_codes, "max": _MAX_REF}))
    return found


def _reporter_channels(value: object, errors: list[FieldError]) -> tuple[DeliveryChannel, ...]:
    """The reporter's channels in order: a list of ``email`` and ``sms``."""
    if not isinstance(value, (list, tuple)):
        errors.append(
            FieldError("reporter_channels", "address.channels_not_list", {"type": v.type_name(value)})
        )
        return ()
    channels: list[DeliveryChannel] = []
    for index, name in enumerate(value):
        if isinstance(name, str) and name in _REPORTER_CHANNELS:
            channels.append(DeliveryChannel(name))
        else:
            where = f"reporter_channels[{index}]"
            errors.append(FieldError(where, "value.not_choice", {"choices": _REPORTER_CHANNELS}))
    return tuple(channels)


def _optional_locale(value: object) -> str | None:
    return None if value is None else _locale_code(value)


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
            ValidationError: Every bad entry, by path (``institutions.31.71[1]``); ``data`` that is not a
                mapping, whatever else it is.
        """
        values, errors = v.read_mapping(data, _BOOK_FIELDS, ())
        tables = {table: _address_table(values, table, errors) for table in _BOOK_TABLES}
        admin = _addresses(values.get("admin", ()), "admin", errors)
        channels = _reporter_channels(values.get("reporter_channels", _REPORTER_CHANNELS), errors)
        locale = None
        try:
            locale = _optional_locale(values.get("reporter_locale"))
        except v.Invalid as invalid:
            errors.append(invalid.at("reporter_locale"))
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
