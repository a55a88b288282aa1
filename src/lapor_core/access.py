"""Who may see and do what: principals, their relation to a complaint, and the policy table.

The policy is one table of data, :data:`POLICY_RULES`: rows of (relations, subject, anonymous, confidential,
statuses) -> decision, read top to bottom, first match wins; anything no row allows is denied. The table is
expanded once into every combination (:func:`policy_matrix`), which is what lookups use and what the
generated docs page shows, so the documentation cannot drift from the code.

Subjects are field groups (what a view shows) and actions (what a command does). A principal that may not
see a complaint's metadata may not know it exists: every read and command then raises
:class:`~lapor_core.NotFound`, identical to an unknown tracking ID.

>>> admin = Principal.admin("adm-1")
>>> decide(Relation.PUBLIC, Subject.CONTENT, anonymous=False, confidential=True, status=Status.FORWARDED)
<Decision.DENY: 'deny'>
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

import attrs

from lapor_core.errors import ValidationError
from lapor_core.lifecycle import Action, Status

if TYPE_CHECKING:
    from lapor_core.complaint import Complaint

__all__ = [
    "POLICY_RULES",
    "Decision",
    "Principal",
    "Relation",
    "Role",
    "Rule",
    "Subject",
    "decide",
    "policy_matrix",
    "relation_of",
]


class Role(enum.StrEnum):
    """What kind of principal someone is."""

    PUBLIC = "public"
    CITIZEN = "citizen"
    REPORTER = "reporter"
    ADMIN = "admin"
    INSTITUTION = "institution"
    UNIT = "unit"
    SUPERVISOR = "supervisor"


MAX_ID_LENGTH = 200


def _non_empty(field: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_ID_LENGTH:
        raise ValidationError.single(field, "must be a non-empty string of at most 200 characters")
    return value


@attrs.frozen
class Principal:
    """Someone acting on complaints. Build one with the class methods, never directly.

    Attributes:
        role: The kind of principal.
        user_id: Staff user ID or citizen account ID; None for the public and for key-holding reporters.
        institution_code: Institution code for institution and unit staff.
        unit_code: Work-unit code for unit staff.
        verified: For citizens: the portal checked their identity.
        region: For citizens: their home region code, if known.
        tracking_id: For a reporter authenticated by access key: the complaint the key opens.
    """

    role: Role
    user_id: str | None = None
    institution_code: str | None = None
    unit_code: str | None = None
    verified: bool = False
    region: str | None = None
    tracking_id: str | None = None

    @classmethod
    def public(cls) -> Principal:
        """Anyone, not signed in."""
        return cls(Role.PUBLIC)

    @classmethod
    def citizen(cls, account_id: str, *, verified: bool = False, region: str | None = None) -> Principal:
        """A signed-in person; ``verified`` once the portal checked their identity."""
        return cls(Role.CITIZEN, _non_empty("account_id", account_id), verified=bool(verified), region=region)

    @classmethod
    def admin(cls, user_id: str) -> Principal:
        """A LAPOR! administrator (verifies, forwards, holds, archives)."""
        return cls(Role.ADMIN, _non_empty("user_id", user_id))

    @classmethod
    def institution(cls, user_id: str, *, institution: str) -> Principal:
        """An officer of an institution (its LAPOR! admin or liaison officer)."""
        return cls(Role.INSTITUTION, _non_empty("user_id", user_id), _non_empty("institution", institution))

    @classmethod
    def unit(cls, user_id: str, *, institution: str, unit: str) -> Principal:
        """An officer of one work unit (unit kerja) of an institution."""
        return cls(
            Role.UNIT,
            _non_empty("user_id", user_id),
            _non_empty("institution", institution),
            _non_empty("unit", unit),
        )

    @classmethod
    def supervisor(cls, user_id: str) -> Principal:
        """Read-only oversight (Ombudsman, inspectorate)."""
        return cls(Role.SUPERVISOR, _non_empty("user_id", user_id))

    @classmethod
    def reporter(cls, tracking_id: str) -> Principal:
        """The reporter of one complaint, as returned by ``ComplaintDesk.authenticate``."""
        return cls(Role.REPORTER, tracking_id=_non_empty("tracking_id", tracking_id))


class Relation(enum.StrEnum):
    """How a principal relates to one complaint; the policy is keyed on this, not on the role."""

    ADMIN = "admin"
    REPORTER = "reporter"
    INSTITUTION = "institution"
    UNIT = "unit"
    SUPERVISOR = "supervisor"
    CITIZEN = "citizen"
    PUBLIC = "public"


def relation_of(principal: Principal, complaint: Complaint, *, owner_hash: str | None = None) -> Relation:
    """The relation of ``principal`` to ``complaint``.

    ``owner_hash`` is the keyed hash of the principal's account (for citizens), compared with the
    complaint's ``owner_hash`` to recognise the citizen who submitted it. Staff of an institution relate to
    a complaint only while it is at their institution (its unit staff: while assigned to their unit);
    otherwise they are treated as the public.
    """
    role = principal.role
    if role is Role.ADMIN:
        return Relation.ADMIN
    if role is Role.SUPERVISOR:
        return Relation.SUPERVISOR
    if role is Role.REPORTER:
        return Relation.REPORTER if principal.tracking_id == complaint.tracking_id else Relation.PUBLIC
    if role is Role.CITIZEN:
        if owner_hash is not None and owner_hash == complaint.owner_hash:
            return Relation.REPORTER
        return Relation.CITIZEN
    at_institution = complaint.institution is not None and principal.institution_code == complaint.institution
    if role is Role.INSTITUTION and at_institution:
        return Relation.INSTITUTION
    if (
        role is Role.UNIT
        and at_institution
        and complaint.unit is not None
        and principal.unit_code == complaint.unit
    ):
        return Relation.UNIT
    return Relation.PUBLIC


class Subject(enum.StrEnum):
    """What a decision is about: a group of fields of a view, or an action."""

    METADATA = "metadata"  # that it exists; kind, category, region, institution, status, dates, deadlines
    CONTENT = "content"  # title, body, address
    PRECISE_LOCATION = "precise_location"  # exact coordinates (otherwise rounded to about 100 m)
    TIMELINE = "timeline"  # follow-ups, replies, information requests
    REPORTER_NAME = "reporter_name"  # the display name
    REPORTER_CONTACT = "reporter_contact"  # e-mail, phone, NIK, account
    INTERNAL = "internal"  # reasons for archiving and declining, breach and reminder records
    HISTORY = "history"  # the full event log
    FORWARD = Action.FORWARD.value
    REQUEST_INFO = Action.REQUEST_INFO.value
    PROVIDE_INFO = Action.PROVIDE_INFO.value
    ARCHIVE = Action.ARCHIVE.value
    ASSIGN = Action.ASSIGN.value
    DECLINE = Action.DECLINE.value
    FOLLOW_UP = Action.FOLLOW_UP.value
    REPLY = Action.REPLY.value
    CLOSE = Action.CLOSE.value
    RATE = Action.RATE.value
    SUPPORT = Action.SUPPORT.value
    REVEAL_IDENTITY = Action.REVEAL_IDENTITY.value
    ERASE_IDENTITY = Action.ERASE_IDENTITY.value

    @property
    def is_action(self) -> bool:
        """True for actions, False for field groups."""
        return self.value in _ACTION_VALUES


_ACTION_VALUES = frozenset(a.value for a in Action)


class Decision(enum.StrEnum):
    """The outcome of a policy lookup."""

    ALLOW = "allow"
    REDACT = "redact"  # the field is shown as a placeholder ("Anonim", rounded coordinates)
    DENY = "deny"


ANY = None
UNPUBLISHED = frozenset({Status.SUBMITTED, Status.ON_HOLD, Status.ARCHIVED})
_S = Subject
_R = Relation


class Rule(NamedTuple):
    """One row of the policy: which relations, subject, flags and statuses it covers, and the decision.

    ``None`` in a flag or status column matches every value.
    """

    relations: frozenset[Relation]
    subjects: frozenset[Subject]
    anonymous: bool | None
    confidential: bool | None
    statuses: frozenset[Status] | None
    decision: Decision
    why: str


def _rule(
    relations: Iterable[Relation],
    subjects: Iterable[Subject],
    decision: Decision,
    why: str,
    *,
    anonymous: bool | None = ANY,
    confidential: bool | None = ANY,
    statuses: Iterable[Status] | None = ANY,
) -> Rule:
    return Rule(
        frozenset(relations),
        frozenset(subjects),
        anonymous,
        confidential,
        frozenset(statuses) if statuses is not None else None,
        decision,
        why,
    )


_EVERY_READ = (
    _S.METADATA,
    _S.CONTENT,
    _S.PRECISE_LOCATION,
    _S.TIMELINE,
    _S.REPORTER_NAME,
    _S.REPORTER_CONTACT,
    _S.INTERNAL,
    _S.HISTORY,
)
_IDENTITY = (_S.REPORTER_NAME, _S.REPORTER_CONTACT)
_CASE = (_S.METADATA, _S.CONTENT, _S.PRECISE_LOCATION, _S.TIMELINE)
_HANDLERS = (_R.INSTITUTION, _R.UNIT)
_OUTSIDERS = (_R.CITIZEN, _R.PUBLIC)
A, X, D = Decision.ALLOW, Decision.REDACT, Decision.DENY

POLICY_RULES: tuple[Rule, ...] = (
    # --- LAPOR! administrators ------------------------------------------------------------------------------
    _rule([_R.ADMIN], _IDENTITY, X, "anonymous identity only through the recorded reveal", anonymous=True),
    _rule([_R.ADMIN], _EVERY_READ, A, "admins verify and route every complaint"),
    _rule(
        [_R.ADMIN],
        [_S.FORWARD, _S.REQUEST_INFO, _S.ARCHIVE, _S.REPLY, _S.REVEAL_IDENTITY, _S.ERASE_IDENTITY],
        A,
        "verification, hold, archive, replies; identity reveal and erasure are recorded",
    ),
    # --- the reporter ------------------------------------------------------------------------------------
    _rule([_R.REPORTER], (*_CASE, *_IDENTITY), A, "reporters see their own complaint whole"),
    _rule(
        [_R.REPORTER],
        [_S.PROVIDE_INFO, _S.REPLY, _S.CLOSE, _S.RATE],
        A,
        "answer a hold, reply, confirm closing, rate",
    ),
    # --- the institution it is at, and its assigned unit --------------------------------------------------
    _rule(_HANDLERS, _IDENTITY, X, "anonim: identity hidden from the institution and units", anonymous=True),
    _rule(_HANDLERS, _IDENTITY, A, "the handling institution may contact a named reporter"),
    _rule(_HANDLERS, (*_CASE, _S.INTERNAL, _S.HISTORY), A, "the handling institution sees the case"),
    _rule(
        [_R.INSTITUTION], [_S.ASSIGN, _S.DECLINE, _S.FOLLOW_UP], A, "disposition, bukan wewenang, follow-up"
    ),
    _rule([_R.UNIT], [_S.FOLLOW_UP], A, "the assigned unit drafts the follow-up"),
    # --- oversight (Ombudsman, inspectorate): read-only, never confidential, never contact data -----------
    _rule([_R.SUPERVISOR], _EVERY_READ, D, "rahasia: only reporter, admins and handlers", confidential=True),
    _rule([_R.SUPERVISOR], _EVERY_READ, D, "unpublished before forwarding", statuses=UNPUBLISHED),
    _rule([_R.SUPERVISOR], [_S.REPORTER_NAME], X, "anonim", anonymous=True),
    _rule([_R.SUPERVISOR], [_S.REPORTER_NAME], A, "display name of a named reporter"),
    _rule([_R.SUPERVISOR], [_S.PRECISE_LOCATION], X, "coordinates rounded outside the case handlers"),
    _rule([_R.SUPERVISOR], (_S.METADATA, _S.CONTENT, _S.TIMELINE, _S.INTERNAL, _S.HISTORY), A, "oversight"),
    # --- everyone else: signed-in citizens, other institutions' staff, the public -------------------------
    _rule(
        _OUTSIDERS, _EVERY_READ, D, "rahasia: the complaint does not exist for the public", confidential=True
    ),
    _rule(_OUTSIDERS, (*_EVERY_READ, _S.SUPPORT), D, "unpublished before forwarding", statuses=UNPUBLISHED),
    _rule(_OUTSIDERS, [_S.REPORTER_NAME], X, "anonim", anonymous=True),
    _rule(_OUTSIDERS, [_S.REPORTER_NAME], A, "at most the display name of a named reporter"),
    _rule(_OUTSIDERS, [_S.PRECISE_LOCATION], X, "coordinates rounded to about 100 m"),
    _rule(_OUTSIDERS, (_S.METADATA, _S.CONTENT, _S.TIMELINE), A, "published complaints are public"),
    _rule([_R.CITIZEN], [_S.SUPPORT], A, "signed-in citizens may support a public complaint"),
)
"""The access policy, first match wins; anything no row allows is denied."""


def _first_match(
    relation: Relation, subject: Subject, anonymous: bool, confidential: bool, status: Status
) -> Decision:
    for rule in POLICY_RULES:
        if (
            relation in rule.relations
            and subject in rule.subjects
            and rule.anonymous in (None, anonymous)
            and rule.confidential in (None, confidential)
            and (rule.statuses is None or status in rule.statuses)
        ):
            return rule.decision
    return Decision.DENY


def _expand() -> Mapping[tuple[Relation, Subject, bool, bool, Status], Decision]:
    return MappingProxyType(
        {
            key: _first_match(*key)
            for key in itertools.product(Relation, Subject, (False, True), (False, True), Status)
        }
    )


_MATRIX = _expand()


def policy_matrix() -> Mapping[tuple[Relation, Subject, bool, bool, Status], Decision]:
    """Every (relation, subject, anonymous, confidential, status) combination and its decision."""
    return _MATRIX


def decide(
    relation: Relation, subject: Subject, *, anonymous: bool, confidential: bool, status: Status
) -> Decision:
    """The decision for one combination; anything unexpected is a denial, never an error or an allow."""
    try:
        return _MATRIX[(relation, subject, anonymous, confidential, status)]
    except Exception:  # noqa: BLE001 - deny by default, whatever went wrong in the lookup
        return Decision.DENY
