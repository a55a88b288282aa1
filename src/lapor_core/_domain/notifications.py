"""Notifications: who is told what, rendered at delivery under the privacy policy.

Commands queue an :class:`~lapor_core._domain.complaint.OutboxMessage` naming a recipient by role and
reference
(``institution`` ``31.71``) in the same transaction as the change. Only at delivery is the recipient
resolved to addresses (:class:`Address`, by the integrator's :class:`AddressBook` or their own resolver)
and the message rendered, from the complaint as it is *then*, by :class:`NotificationRenderer`:

- the recipient's relation to the complaint is worked out again (an institution the complaint has left is
  told nothing; an institution's staff are the institution only while it is there);
- every field goes through the access policy (:func:`lapor_core._domain.access.decide`), so a complaint made
  anonymous or confidential after the message was queued never reveals what the flags now hide, and an
  anonymous reporter's identity reaches nobody but the reporter;
- a recipient who may not know the complaint exists gets nothing (:class:`Withheld`).

The result, a :class:`Notification`, is what a :class:`~lapor_core.plugins.Notifier` sends.

>>> Address.parse("mailto:pengaduan@jakarta.go.id").channel
<DeliveryChannel.EMAIL: 'email'>
>>> Recipient("institution", "31.71")
Recipient(role=<RecipientRole.INSTITUTION: 'institution'>, ref='31.71')
"""

from __future__ import annotations

import enum
import re
import urllib.parse
import warnings
import zoneinfo
from collections.abc import Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import Any, Final

import attrs

from lapor_core import _i18n
from lapor_core._domain import rules as v
from lapor_core._domain.access import Decision, Relation, Subject, decide, is_visible
from lapor_core._domain.calendar import deadline_day, timezone_rule
from lapor_core._domain.catalogue import DEFAULT_LOCALE, Catalogue, RenderedMessage, locale_rule
from lapor_core._domain.complaint import Complaint, OutboxMessage, ReporterIdentity
from lapor_core._domain.history import Event
from lapor_core._domain.institutions import InstitutionDirectory
from lapor_core._domain.lifecycle import Action
from lapor_core._domain.model import email_rule, phone_rule
from lapor_core._domain.sla import Stage
from lapor_core._i18n import N_
from lapor_core.errors import FieldError, PermanentNotificationError, ValidationError

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
    "chat_account_rule",
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
    CHAT = "chat"


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
        "merge.reporter",
        "escalate.admin",
        "escalate.institution",
        "record_findings.reporter",
        "conclude_escalation.reporter",
        "conclude_escalation.admin",
        "conclude_escalation.institution",
    }
)
"""Every ``<event>.<recipient role>`` the commands and the sweep queue; the catalogue has each."""

_MAX_REF: Final = 200
_MAX_TARGET: Final = 2000
_REPORTER_CHANNELS: Final = ("email", "sms", "chat")
# A chat account: the platform's name and the user's ID on it (``telegram:5501``).
_CHAT_ACCOUNT: Final = re.compile(r"[a-z][a-z0-9_-]{0,31}:[A-Za-z0-9_-]{1,64}")
_NEEDS_REF: Final = frozenset({RecipientRole.INSTITUTION, RecipientRole.UNIT, RecipientRole.SUPERIOR})
# Recipient.of reads an outbox row: its errors name the row's columns.
_ROW_COLUMNS: Final = {"role": "recipient_role", "ref": "recipient_ref"}
_ref_text = v.text(required=True, max_length=_MAX_REF)
_target_text = v.text(required=True, max_length=_MAX_TARGET, strip=False)


def _ref_code(value: object) -> str:
    """The rule for an organisation's code in a recipient or an address book: one line of 1 to 200 characters.

    Refused as ``notification.ref_malformed`` (with ``max``), whatever is wrong: a code is not free text.
    """
    try:
        return str(_ref_text(value))
    except v.Invalid:
        raise v.Invalid("notification.ref_malformed", max=_MAX_REF) from None


def _optional_ref(value: object) -> str | None:
    return None if value is None else _ref_code(value)


def _optional_locale(value: object) -> str | None:
    return None if value is None else locale_rule(value)


def _ref_where_needed(recipient: Recipient, _attribute: attrs.Attribute[str | None], ref: str | None) -> None:
    if ref is None and recipient.role in _NEEDS_REF:
        raise ValidationError.single("ref", "notification.ref_required")


@v.checked
@attrs.frozen(field_transformer=v.with_rules)
class Recipient:
    """A role and, for institutions, units and superiors, the organisation's code.

    Attributes:
        role: Who the message is for (a :class:`RecipientRole` or its value).
        ref: The institution or superior code, ``<institution>/<unit>`` for a unit, None for the reporter
            and the admins; one line of 1 to 200 characters.

    Raises:
        ValidationError: An unknown role (``value.not_choice``), a malformed reference
            (``notification.ref_malformed``), or no reference where the role needs one
            (``notification.ref_required``).
    """

    role: RecipientRole = attrs.field(metadata=v.rule(v.choice(RecipientRole)))
    ref: str | None = attrs.field(default=None, metadata=v.rule(_optional_ref), validator=_ref_where_needed)

    @classmethod
    def of(cls, message: OutboxMessage) -> Recipient:
        """The recipient of a queued message, from its ``recipient_role`` and ``recipient_ref``.

        Raises:
            ValidationError: As the constructor, with the message's attributes as fields
                (``recipient_role``, ``recipient_ref``): a row a store gives back is checked again.
        """
        return cls._from_columns(message.recipient_role, message.recipient_ref)

    @classmethod
    def parse(cls, role: object, ref: object = None) -> Recipient:
        """Deprecated (removed in 0.3): ``Recipient(role, ref)``, or :meth:`of` for a queued message."""
        warnings.warn(
            "Recipient.parse(role, ref) is now Recipient(role, ref), or Recipient.of(message)",
            DeprecationWarning,
            stacklevel=2,
        )
        return cls._from_columns(role, ref)

    @classmethod
    def _from_columns(cls, role: object, ref: object) -> Recipient:
        try:
            return cls(role, ref)  # type: ignore[arg-type]
        except ValidationError as error:
            raise ValidationError(
                FieldError(_ROW_COLUMNS.get(e.field, e.field), e.code, e.params) for e in error.errors
            ) from None


def _webhook_rule(target: object) -> str:
    """The rule for a webhook target: an ``http(s)`` URL with a host and no space."""
    if not isinstance(target, str):
        raise v.Invalid("value.not_string", type=v.type_name(target))
    try:
        url = urllib.parse.urlsplit(target)
        well_formed = url.scheme in ("http", "https") and bool(url.hostname) and url.port != 0
    except ValueError:  # a malformed IPv6 literal, a port that is not a number from 0 to 65535
        well_formed = False
    if not well_formed or " " in target:
        raise v.Invalid("address.webhook_malformed")
    return target


def chat_account_rule(target: object) -> str:
    """The rule for a chat account (the one owner of it): ``<platform>:<user ID>``, as ``telegram:5501``.

    A reporter who wrote from a chat platform that authenticates its users has it as the identity's
    ``account_id``; a chat address targets it.

    >>> chat_account_rule("telegram:5501")
    'telegram:5501'
    """
    if not isinstance(target, str):
        raise v.Invalid("value.not_string", type=v.type_name(target))
    if not _CHAT_ACCOUNT.fullmatch(target):
        raise v.Invalid("address.chat_malformed")
    return target


def _target_line(value: object) -> str:
    return str(_target_text(value))


# Each channel's rule for its targets; e-mail and phone are the rules of lapor_core._domain.model.
_CHANNEL_RULES: Final[Mapping[DeliveryChannel, v.Rule]] = {
    DeliveryChannel.EMAIL: email_rule,
    DeliveryChannel.SMS: phone_rule,
    DeliveryChannel.WEBHOOK: _webhook_rule,
    DeliveryChannel.CHAT: chat_account_rule,
}


def _fits_channel(address: Address, _attribute: attrs.Attribute[str], target: str) -> None:
    try:
        normalised = _CHANNEL_RULES[address.channel](target)
    except v.Invalid as invalid:
        raise ValidationError([invalid.at("target")]) from None
    # The channel's normal form (+628..., a lower-cased domain) replaces the given target while attrs
    # builds the frozen instance, before anyone sees it.
    object.__setattr__(address, "target", normalised)


@v.checked
@attrs.frozen(field_transformer=v.with_rules)
class Address:
    """Where and how to reach a recipient. Built by a resolver at delivery, never stored in the outbox.

    Attributes:
        channel: E-mail, SMS or webhook (a :class:`DeliveryChannel` or its value).
        target: The e-mail address (its domain lower-cased), the Indonesian mobile number (always
            ``+628...``) or the webhook URL: one line of at most 2,000 characters that fits the channel.
            Left out of ``repr``: a reporter's address is personal data and reprs end up in logs.
        locale: The locale the recipient reads (``"en"``), or None for the catalogue's default.

    Raises:
        ValidationError: Listing every bad field: an unknown channel, a target that is not one line of
            text or does not fit the channel (the e-mail and phone rules are
            :func:`lapor_core._domain.model.email_rule` and :func:`~lapor_core._domain.model.phone_rule`), a
            malformed
            locale (:func:`lapor_core._domain.catalogue.locale_rule`).
    """

    channel: DeliveryChannel = attrs.field(metadata=v.rule(v.choice(DeliveryChannel)))
    target: str = attrs.field(repr=False, metadata=v.rule(_target_line), validator=_fits_channel)
    locale: str | None = attrs.field(default=None, metadata=v.rule(_optional_locale))

    @classmethod
    def parse(cls, text: str, *, locale: str | None = None) -> Address:
        """An address from ``mailto:...``, ``sms:+62...`` (or ``tel:``), an ``http(s)://`` URL, ``chat:...``.

        >>> Address.parse("sms:+6281234567890").channel
        <DeliveryChannel.SMS: 'sms'>

        Raises:
            ValidationError: Not one of those forms (field ``address``), or see the constructor.
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
        if scheme == "chat":
            return cls(DeliveryChannel.CHAT, rest, locale)
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


def _catalogue_or_default(value: object) -> Catalogue:
    if value is None:
        return Catalogue.default()
    if isinstance(value, Catalogue):
        return value
    raise v.Invalid("notification.not_a_catalogue", type=v.type_name(value))


def _optional_directory(value: object) -> InstitutionDirectory | None:
    if value is None or isinstance(value, InstitutionDirectory):
        return value
    raise v.Invalid("notification.not_a_directory", type=v.type_name(value))


@v.checked
@attrs.frozen(eq=False, field_transformer=v.with_rules)
class NotificationRenderer:
    """Builds notifications from queued messages and the complaint as it is at delivery.

    Args:
        catalogue: The texts (default, or None: :meth:`Catalogue.default`).
        directory: Institutions, for their names and time zones (default: codes, and ``timezone``).
        timezone: The zone times are shown in for the reporter and the admins, and the zone of the admins'
            verification deadline (default Asia/Jakarta, WIB): an IANA name
            (:func:`lapor_core._domain.calendar.timezone_rule`). A follow-up or closing deadline is told as
            its last day on the institution's zone, whoever reads it (``due_day``).
        default_locale: The locale of addresses that name none (default ``id``).

    Raises:
        ValidationError: Listing every bad option.
    """

    _catalogue: Catalogue = attrs.field(
        factory=Catalogue.default, kw_only=True, metadata=v.rule(_catalogue_or_default)
    )
    _directory: InstitutionDirectory | None = attrs.field(
        default=None, kw_only=True, metadata=v.rule(_optional_directory)
    )
    _timezone: str = attrs.field(default="Asia/Jakarta", kw_only=True, metadata=v.rule(timezone_rule))
    _default_locale: str = attrs.field(default=DEFAULT_LOCALE, kw_only=True, metadata=v.rule(locale_rule))

    @property
    def catalogue(self) -> Catalogue:
        """The texts."""
        return self._catalogue

    def relation(self, recipient: Recipient, complaint: Complaint) -> Relation | Withheld:
        """The recipient's relation, or why nothing may be sent to it about this complaint now."""
        relation = recipient_relation(recipient, complaint)
        if relation is None:
            return Withheld(N_("notification.recipient_left"), {"role": recipient.role.value})
        if not is_visible(relation, complaint):
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
                detail=N_("notification.no_template"), params={"template": template}
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
        runs_on = None if stage == Stage.VERIFICATION else _forwarded_to(events, trigger)
        deadline_zone = self._zone_for(runs_on)
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
            "due_day": _format_due_day(due, deadline_zone, locale) or none,
            "queued_at": _format_instant(message.created_at, zone) or none,
            "merged_into": complaint.merged_into or none,
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
        return self._zone_for((recipient.ref or "").split("/")[0] or None)

    def _zone_for(self, institution: str | None) -> zoneinfo.ZoneInfo:
        """An institution's zone; the renderer's own (the admins') for none or one the directory lacks."""
        found = self._directory.find(institution) if self._directory is not None and institution else None
        return zoneinfo.ZoneInfo(found.timezone if found is not None else self._timezone)


def _forwarded_to(events: Sequence[Event], trigger: Event | None) -> str | None:
    """The institution of the latest forward up to ``trigger``: whose calendar its deadlines run on."""
    institution = None
    for event in events:
        if event.action is Action.FORWARD:
            institution = _text(event.payload, "institution")
        if event is trigger:
            break
    return institution


def _format_due_day(value: str | None, zone: zoneinfo.ZoneInfo, locale: str) -> str | None:
    """``Kamis, 10 Des 2026``: the last day a deadline allows, in the zone of the calendar it runs on.

    A deadline is due at 00:00 after that day, so 00:00 WITA on 11 December names Thursday the 10th.
    """
    if value is None:
        return None
    try:
        due = datetime.fromisoformat(value)
    except ValueError:
        return None
    if due.tzinfo is None:
        return None
    return _i18n.format_day(deadline_day(due, zone), locale)


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


def _addresses(value: object) -> tuple[Address, ...]:
    """The rule for one entry of an address book: one address, or a list of them.

    Each bad address is an error at its position (``[1]``); an address is one item to the book's author,
    so the errors of its parts are reported at the item.
    """
    if isinstance(value, (str, Mapping, Address)):
        items: Sequence[object] = [value]
    elif isinstance(value, (list, tuple)):
        items = value
    else:
        raise v.Invalid("address.entry_malformed", type=v.type_name(value))
    found: list[Address] = []
    errors: list[FieldError] = []
    for index, item in enumerate(items):
        try:
            found.append(_address_item(item))
        except ValidationError as error:
            errors.extend(FieldError(f"[{index}]", e.code, e.params) for e in error.errors)
    if errors:
        raise ValidationError(errors)
    return tuple(found)


def _address_table(value: object) -> dict[str, tuple[Address, ...]]:
    """The rule for one table of an address book (``institutions``...): addresses by organisation code.

    Keys that are not codes are counted, not named: a junk key may hold anything.
    """
    if not isinstance(value, Mapping):
        raise v.Invalid("value.not_mapping", type=v.type_name(value))
    found: dict[str, tuple[Address, ...]] = {}
    errors: list[FieldError] = []
    bad_codes = 0
    for key, entry in value.items():
        try:
            code = _ref_code(key)
        except v.Invalid:
            bad_codes += 1
            continue
        try:
            found[code] = _addresses(entry)
        except v.Invalid as invalid:
            errors.append(invalid.at(code))
        except ValidationError as error:
            errors.extend(v.prefixed(code, error.errors))
    if bad_codes:
        errors.append(FieldError(v.ROOT, "address.codes_malformed", {"count": bad_codes, "max": _MAX_REF}))
    if errors:
        raise ValidationError(errors)
    return found


def _reporter_channels(value: object) -> tuple[DeliveryChannel, ...]:
    """The rule for the reporter's channels: ``email``, ``sms`` and ``chat``, in order of preference."""
    if not isinstance(value, (list, tuple)):
        raise v.Invalid("address.channels_not_list", type=v.type_name(value))
    channels: list[DeliveryChannel] = []
    errors: list[FieldError] = []
    for index, name in enumerate(value):
        if isinstance(name, str) and name in _REPORTER_CHANNELS:
            channels.append(DeliveryChannel(name))
        else:
            errors.append(FieldError(f"[{index}]", "value.not_choice", {"choices": _REPORTER_CHANNELS}))
    if errors:
        raise ValidationError(errors)
    return tuple(channels)


@v.checked
@attrs.frozen(field_transformer=v.with_rules)
class AddressBook:
    """A :class:`~lapor_core.plugins.RecipientResolver` from a table the integrator writes.

    The admins, each institution, unit and superior get fixed addresses; the reporter is reached at the
    e-mail, phone or chat account of their identity record, on the first of ``reporter_channels`` they
    gave. A superior without its own entry is reached at its institution entry (a superior is an
    institution).

    Every field takes what :meth:`from_dict` reads and is checked by the same rules, so building a book
    directly and reading it from data agree.

    Attributes:
        admin: The LAPOR! admins' addresses.
        institutions: Addresses by institution code.
        units: Addresses by ``<institution>/<unit>``.
        superiors: Addresses by superior code, where they differ from the institution's.
        reporter_channels: The reporter's channels in order of preference (default e-mail, then SMS; add
            ``chat`` to reach reporters who wrote from a chat platform, whose identity's ``account_id`` is
            a chat account such as ``telegram:5501``).
        reporter_locale: The locale of messages to reporters, or None for the catalogue's default.

    Raises:
        ValidationError: Listing every bad entry, by path (``institutions.31.71[1]``).

    >>> book = AddressBook.from_dict({"admin": "mailto:admin@lapor.go.id",
    ...                               "institutions": {"31.71": "https://pemkot.example/lapor-hook"}})
    >>> [a.channel.value for a in book.resolve(Recipient(RecipientRole.INSTITUTION, "31.71"), None)]
    ['webhook']
    """

    admin: tuple[Address, ...] = attrs.field(default=(), metadata=v.rule(_addresses))
    institutions: Mapping[str, tuple[Address, ...]] = attrs.field(
        factory=dict, metadata=v.rule(_address_table)
    )
    units: Mapping[str, tuple[Address, ...]] = attrs.field(factory=dict, metadata=v.rule(_address_table))
    superiors: Mapping[str, tuple[Address, ...]] = attrs.field(factory=dict, metadata=v.rule(_address_table))
    reporter_channels: tuple[DeliveryChannel, ...] = attrs.field(
        default=(DeliveryChannel.EMAIL, DeliveryChannel.SMS), metadata=v.rule(_reporter_channels)
    )
    reporter_locale: str | None = attrs.field(default=None, metadata=v.rule(_optional_locale))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AddressBook:
        """An address book from JSON-like data.

        ``{"admin": [...], "institutions": {code: [...]}, "units": {"31.71/dinas-pu": [...]},
        "superiors": {code: [...]}, "reporter_channels": ["email", "sms"], "reporter_locale": "id"}``, where
        each address is ``"mailto:..."``, ``"sms:+62..."``, ``"https://..."`` or
        ``{"address": ..., "locale": "en"}``, alone or in a list.

        Raises:
            ValidationError: Every bad entry, by path (``institutions.31.71[1]``), and every unknown key;
                ``data`` that is not a mapping, whatever else it is. No other exception escapes.
        """
        return v.structure(cls, data)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> AddressBook:
        """Deprecated name of :meth:`from_dict` (removed in 0.3)."""
        warnings.warn(
            "AddressBook.from_mapping is now AddressBook.from_dict", DeprecationWarning, stacklevel=2
        )
        return cls.from_dict(data)

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
        account = identity.account_id
        chat = account if account is not None and _CHAT_ACCOUNT.fullmatch(account) else None
        contacts = {
            DeliveryChannel.EMAIL: identity.email,
            DeliveryChannel.SMS: identity.phone,
            DeliveryChannel.CHAT: chat,
        }
        for channel in self.reporter_channels:
            target = contacts.get(channel)
            if not target:
                continue
            try:
                return (Address(channel, target, self.reporter_locale),)
            except ValidationError:
                continue  # a contact stored before validation tightened: try the next channel
        return ()
