"""Who may see and do what: principals, their relation to a complaint, and the policy table.

The policy is one table of data, :data:`POLICY_RULES`: rows of (relations, subjects, anonymous, confidential,
statuses) -> decision, read top to bottom, first match wins; anything no row allows is denied. The table is
expanded once into every combination (:func:`policy_matrix`), which is what lookups use and what
:func:`policy_markdown` renders for the documentation, so the published table cannot drift from the code.

The policy is keyed on the :class:`Relation` of a principal to one complaint (:func:`relation_of`), not on
its role: institution staff relate to a complaint only while it is at their institution, and a reporter
principal only with the proof the desk gives it for the right access key. Subjects are field groups (what
a view shows) and actions (what a command does). A principal that may not see a complaint's metadata may
not know it exists: every read and command then raises :class:`~lapor_core.NotFound`, identical to an
unknown tracking ID.

>>> decide(Relation.PUBLIC, Subject.CONTENT, anonymous=False, confidential=True, status=Status.FORWARDED)
<Decision.DENY: 'deny'>
>>> decide(Relation.INSTITUTION, Subject.REPORTER_NAME, anonymous=True, confidential=False,
...        status=Status.FORWARDED)
<Decision.REDACT: 'redact'>
"""

from __future__ import annotations

import enum
import hmac
import itertools
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

import attrs

from lapor_core._domain.lifecycle import Action, Status
from lapor_core.errors import ValidationError

if TYPE_CHECKING:
    from lapor_core._domain.complaint import Complaint

__all__ = [
    "ACTIONS",
    "POLICY_RULES",
    "PUBLISHED",
    "READS",
    "UNPUBLISHED",
    "Decision",
    "PolicyKey",
    "Principal",
    "Relation",
    "Role",
    "Rule",
    "Subject",
    "build_matrix",
    "decide",
    "is_visible",
    "policy_for",
    "policy_markdown",
    "policy_matrix",
    "relation_at",
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
        raise ValidationError.single(field, "principal.bad_id", max=200)
    return value


@attrs.frozen
class Principal:
    """Someone acting on complaints. Build one with the class methods, never directly.

    Attributes:
        role: The kind of principal.
        user_id: Staff user ID or citizen account ID; None for the public and for key-holding reporters.
        institution: Institution code for institution and unit staff (as ``Complaint.institution`` and
            ``Actor.institution``).
        unit: Work-unit code for unit staff.
        verified: For citizens: the portal checked their identity.
        region: For citizens: their home region code, if known.
        tracking_id: For a reporter authenticated by access key: the complaint the key opens.
        proof: For a reporter: the desk's keyed proof that the access key was checked. A reporter principal
            without the right proof relates to the complaint as the public, so a tracking ID alone (a public
            handle) never opens a reporter's view. Keep it as secret as a session token.
    """

    role: Role
    user_id: str | None = None
    institution: str | None = None
    unit: str | None = None
    verified: bool = False
    region: str | None = None
    tracking_id: str | None = None
    proof: str | None = attrs.field(default=None, repr=False)

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
    def institution_officer(cls, user_id: str, *, institution: str) -> Principal:
        """An officer of an institution (its LAPOR! admin or liaison officer).

        >>> Principal.institution_officer("off-1", institution="31.71").institution
        '31.71'
        """
        return cls(Role.INSTITUTION, _non_empty("user_id", user_id), _non_empty("institution", institution))

    @classmethod
    def unit_officer(cls, user_id: str, *, institution: str, unit: str) -> Principal:
        """An officer of one work unit (unit kerja) of an institution."""
        return cls(
            Role.UNIT,
            _non_empty("user_id", user_id),
            _non_empty("institution", institution),
            _non_empty("unit", unit),
        )

    @classmethod
    def supervisor(cls, user_id: str) -> Principal:
        """Oversight (Ombudsman, inspectorate): reads; on escalations, records findings and concludes."""
        return cls(Role.SUPERVISOR, _non_empty("user_id", user_id))

    @classmethod
    def reporter(cls, tracking_id: str, *, proof: str | None = None) -> Principal:
        """The reporter of one complaint; get it from ``ComplaintDesk.authenticate``, which adds the proof.

        Built by hand (without the desk's proof) it is only as good as the public:

        >>> Principal.reporter("7K3M9QXF2HJQ").role
        <Role.REPORTER: 'reporter'>
        """
        return cls(Role.REPORTER, tracking_id=_non_empty("tracking_id", tracking_id), proof=proof)

    @property
    def institution_code(self) -> str | None:
        """Deprecated name of :attr:`institution` (removed in 0.3)."""
        warnings.warn(
            "Principal.institution_code is now Principal.institution", DeprecationWarning, stacklevel=2
        )
        return self.institution

    @property
    def unit_code(self) -> str | None:
        """Deprecated name of :attr:`unit` (removed in 0.3)."""
        warnings.warn("Principal.unit_code is now Principal.unit", DeprecationWarning, stacklevel=2)
        return self.unit


class _FieldOrFormerConstructor:
    """A field that, read on the class rather than an instance, is the constructor that had its name.

    ``Principal.institution(...)`` and ``Principal.unit(...)`` built officers until the fields
    ``institution_code`` and ``unit_code`` took those names (as on ``Complaint`` and ``Actor``). Read on an
    instance this is the field's slot; read on the class it is the renamed constructor, which warns
    (removed in 0.3, with this class).
    """

    def __init__(self, slot: Any, name: str, constructor: str) -> None:
        self._slot = slot
        self._name = name
        self._constructor = constructor

    def __get__(self, instance: object, owner: type[Any] | None = None) -> Any:
        if instance is not None:
            return self._slot.__get__(instance, owner)
        message = f"Principal.{self._name}(...) is now Principal.{self._constructor}(...)"
        constructor = getattr(owner, self._constructor)

        def former(*args: Any, **kwargs: Any) -> Principal:
            warnings.warn(message, DeprecationWarning, stacklevel=2)
            built: Principal = constructor(*args, **kwargs)
            return built

        return former

    def __set__(self, instance: object, value: object) -> None:
        self._slot.__set__(instance, value)

    def __delete__(self, instance: object) -> None:
        self._slot.__delete__(instance)


for _name, _constructor in (("institution", "institution_officer"), ("unit", "unit_officer")):
    setattr(Principal, _name, _FieldOrFormerConstructor(vars(Principal)[_name], _name, _constructor))


class Relation(enum.StrEnum):
    """How a principal relates to one complaint; the policy is keyed on this, not on the role."""

    ADMIN = "admin"
    REPORTER = "reporter"
    INSTITUTION = "institution"
    UNIT = "unit"
    SUPERVISOR = "supervisor"
    OMBUDSMAN = "ombudsman"
    CITIZEN = "citizen"
    PUBLIC = "public"


def relation_of(
    principal: Principal,
    complaint: Complaint,
    *,
    owner_hash: str | None = None,
    reporter_proof: str | None = None,
) -> Relation:
    """The relation of ``principal`` to ``complaint``.

    ``owner_hash`` is the keyed hash of the principal's account (for citizens), compared with the
    complaint's ``owner_hash`` to recognise the citizen who submitted it. ``reporter_proof`` is the proof a
    key-holding reporter of this complaint carries (the desk computes both under its pepper); without it,
    or with another, a reporter principal is the public. Staff of an institution relate to a complaint only
    while it is at their institution (its unit staff: while assigned to their unit); otherwise they are
    treated as the public, so re-routing a complaint away ends their access. A supervisor (the Ombudsman)
    relates to a complaint its reporter escalated as :attr:`Relation.OMBUDSMAN` (issue 22).
    """
    role = principal.role
    if role is Role.ADMIN:
        return Relation.ADMIN
    if role is Role.SUPERVISOR:
        return Relation.OMBUDSMAN if complaint.escalation is not None else Relation.SUPERVISOR
    if role is Role.REPORTER:
        proven = (
            reporter_proof is not None
            and principal.proof is not None
            and hmac.compare_digest(principal.proof, reporter_proof)
        )
        return (
            Relation.REPORTER
            if proven and principal.tracking_id == complaint.tracking_id
            else Relation.PUBLIC
        )
    if role is Role.CITIZEN and owner_hash is not None and owner_hash == complaint.owner_hash:
        return Relation.REPORTER
    return relation_at(principal, complaint.institution, complaint.unit)


def relation_at(principal: Principal, institution: str | None, unit: str | None) -> Relation:
    """The relation of ``principal`` to any complaint at ``institution`` and ``unit``, authorship aside.

    This is :func:`relation_of` for who someone is rather than what they wrote: a reporter or a citizen
    relates as the public or a citizen. Statistics use it, since they count complaints, not authorship.
    """
    role = principal.role
    if role is Role.ADMIN:
        return Relation.ADMIN
    if role is Role.SUPERVISOR:
        return Relation.SUPERVISOR
    if role is Role.CITIZEN:
        return Relation.CITIZEN
    at_institution = institution is not None and principal.institution == institution
    if role is Role.INSTITUTION and at_institution:
        return Relation.INSTITUTION
    if role is Role.UNIT and at_institution and unit is not None and principal.unit == unit:
        return Relation.UNIT
    return Relation.PUBLIC


class Subject(enum.StrEnum):
    """What a decision is about: a group of fields of a view, or an action."""

    METADATA = "metadata"  # that it exists; kind, category, region, institution, status, dates, deadlines
    CONTENT = "content"  # title, body, address
    PRECISE_LOCATION = "precise_location"  # exact coordinates and street address (else ~100 m, no address)
    TIMELINE = "timeline"  # follow-ups, replies, information requests
    REPORTER_NAME = "reporter_name"  # the display name
    REPORTER_CONTACT = "reporter_contact"  # e-mail, phone, NIK, account
    INTERNAL = "internal"  # reasons for archiving and declining, breach and reminder records
    HISTORY = "history"  # the full event log
    ATTACHMENTS = "attachments"  # photos and documents (their bytes, names and types)
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
    ATTACH = Action.ATTACH.value
    MERGE = Action.MERGE.value
    ABSORB = Action.ABSORB.value
    ESCALATE = Action.ESCALATE.value
    RECORD_FINDINGS = Action.RECORD_FINDINGS.value
    CONCLUDE_ESCALATION = Action.CONCLUDE_ESCALATION.value

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
UNPUBLISHED = frozenset({Status.SUBMITTED, Status.ON_HOLD, Status.ARCHIVED, Status.MERGED})
"""Statuses of a complaint not (or no longer) forwarded: only its reporter and the admins know it exists.

A merged duplicate is unpublished whatever it was before: merging never publishes a complaint, and the
public follows the original instead (issue 22).
"""
PUBLISHED = frozenset(Status) - UNPUBLISHED
"""Statuses of a complaint that is at an institution (published, unless confidential)."""
_S = Subject
_R = Relation


class Rule(NamedTuple):
    """One row of the policy: which relations, subjects, flags and statuses it covers, and the decision.

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


READS = (
    _S.METADATA,
    _S.CONTENT,
    _S.PRECISE_LOCATION,
    _S.TIMELINE,
    _S.REPORTER_NAME,
    _S.REPORTER_CONTACT,
    _S.INTERNAL,
    _S.HISTORY,
    _S.ATTACHMENTS,
)
"""The field groups of a view, in the order the documentation lists them."""
ACTIONS = tuple(s for s in Subject if s.is_action)
"""The actions, in declaration order."""
_IDENTITY = (_S.REPORTER_NAME, _S.REPORTER_CONTACT)
_CASE = (_S.METADATA, _S.CONTENT, _S.PRECISE_LOCATION, _S.TIMELINE)
_HANDLERS = (_R.INSTITUTION, _R.UNIT)
_OUTSIDERS = (_R.CITIZEN, _R.PUBLIC)
_EVERYTHING = tuple(Subject)
A, X, D = Decision.ALLOW, Decision.REDACT, Decision.DENY

POLICY_RULES: tuple[Rule, ...] = (
    # --- LAPOR! administrators ------------------------------------------------------------------------------
    _rule([_R.ADMIN], _IDENTITY, X, "anonim: identity only through the recorded reveal", anonymous=True),
    _rule([_R.ADMIN], READS, A, "admins verify and route every complaint"),
    _rule(
        [_R.ADMIN],
        [_S.FORWARD, _S.REQUEST_INFO, _S.ARCHIVE, _S.REPLY, _S.REVEAL_IDENTITY, _S.ERASE_IDENTITY, _S.ATTACH],
        A,
        "verification, hold, archive, replies, attachments; identity reveal and erasure are recorded",
    ),
    _rule([_R.ADMIN], [_S.MERGE, _S.ABSORB], A, "admins merge a duplicate into its original"),
    # --- the reporter ------------------------------------------------------------------------------------
    _rule([_R.REPORTER], (*_CASE, *_IDENTITY, _S.ATTACHMENTS), A, "reporters see their own complaint whole"),
    _rule(
        [_R.REPORTER],
        [_S.PROVIDE_INFO, _S.REPLY, _S.CLOSE, _S.RATE, _S.ATTACH, _S.ESCALATE],
        A,
        "answer a hold, reply, confirm closing, rate, add photos and documents, escalate to the Ombudsman",
    ),
    # --- the institution it is at, and its assigned unit --------------------------------------------------
    _rule(
        _HANDLERS, _EVERYTHING, D, "unpublished: only the reporter and admins know it", statuses=UNPUBLISHED
    ),
    _rule(_HANDLERS, _IDENTITY, X, "anonim: identity hidden from the institution and units", anonymous=True),
    _rule(_HANDLERS, _IDENTITY, A, "the handling institution may contact a named reporter"),
    _rule(
        _HANDLERS,
        (*_CASE, _S.INTERNAL, _S.HISTORY, _S.ATTACHMENTS),
        A,
        "the handling institution sees the case",
    ),
    _rule(
        [_R.INSTITUTION],
        [_S.ASSIGN, _S.DECLINE, _S.FOLLOW_UP, _S.ATTACH],
        A,
        "disposition, bukan wewenang, follow-up, attachments",
    ),
    _rule([_R.UNIT], [_S.FOLLOW_UP, _S.ATTACH], A, "the assigned unit drafts the follow-up"),
    # --- oversight (Ombudsman, inspectorate): read-only, never confidential, never contact data -----------
    _rule([_R.SUPERVISOR], _EVERYTHING, D, "rahasia: only reporter, admins and handlers", confidential=True),
    _rule(
        [_R.SUPERVISOR],
        _EVERYTHING,
        D,
        "unpublished: only the reporter and admins know it",
        statuses=UNPUBLISHED,
    ),
    _rule([_R.SUPERVISOR], [_S.REPORTER_NAME], X, "anonim: identity hidden from oversight", anonymous=True),
    _rule([_R.SUPERVISOR], [_S.REPORTER_NAME], A, "the display name of a named reporter, as the public"),
    _rule(
        [_R.SUPERVISOR],
        [_S.ATTACHMENTS],
        D,
        "anonim: a photo can show who took it; as for the public",
        anonymous=True,
    ),
    _rule(
        [_R.SUPERVISOR],
        (*_CASE, _S.INTERNAL, _S.HISTORY, _S.ATTACHMENTS),
        A,
        "oversight reads the case and its audit trail (the history holds the exact location)",
    ),
    # --- the Ombudsman on a complaint its reporter escalated (issue 22): the case whatever its status or
    # rahasia (the reporter took it there), the identity under the same anonim rules as oversight, never
    # contact data (no row allows them) -----------------------------------------------------------------
    _rule(
        [_R.OMBUDSMAN], [_S.REPORTER_NAME], X, "anonim: identity hidden from the Ombudsman", anonymous=True
    ),
    _rule(
        [_R.OMBUDSMAN],
        [_S.ATTACHMENTS],
        D,
        "anonim: a photo can show who took it; as for oversight",
        anonymous=True,
    ),
    _rule(
        [_R.OMBUDSMAN],
        (*_CASE, _S.REPORTER_NAME, _S.INTERNAL, _S.HISTORY, _S.ATTACHMENTS),
        A,
        "the reporter escalated it: the Ombudsman reads the whole case and its audit trail",
    ),
    _rule(
        [_R.OMBUDSMAN],
        [_S.RECORD_FINDINGS, _S.CONCLUDE_ESCALATION],
        A,
        "the Ombudsman records findings and concludes the escalation",
    ),
    # --- everyone else: signed-in citizens, other institutions' staff, the public -------------------------
    _rule(
        _OUTSIDERS, _EVERYTHING, D, "rahasia: the complaint does not exist for the public", confidential=True
    ),
    _rule(
        _OUTSIDERS, _EVERYTHING, D, "unpublished: only the reporter and admins know it", statuses=UNPUBLISHED
    ),
    _rule(_OUTSIDERS, [_S.REPORTER_NAME], X, "anonim: identity hidden from the public", anonymous=True),
    _rule(_OUTSIDERS, [_S.REPORTER_NAME], A, "at most the display name of a named reporter"),
    _rule(_OUTSIDERS, [_S.PRECISE_LOCATION], X, "coordinates rounded to about 100 m, no street address"),
    # The public never sees an anonymous complaint's photos: in 2021 a JAKI reporter in anonymous mode was
    # identified from the photo of their report (issue 19).
    _rule(_OUTSIDERS, [_S.ATTACHMENTS], D, "anonim: a photo can show who took it", anonymous=True),
    _rule(
        _OUTSIDERS,
        (_S.METADATA, _S.CONTENT, _S.TIMELINE, _S.ATTACHMENTS),
        A,
        "published complaints are public",
    ),
    _rule([_R.CITIZEN], [_S.SUPPORT], A, "signed-in citizens may support a public complaint"),
)
"""The access policy, first match wins; anything no row allows is denied."""

PolicyKey = tuple[Relation, Subject, bool, bool, Status]
"""(relation, subject, anonymous, confidential, status): one cell of the policy."""


def _first_match(rules: Sequence[Rule], key: PolicyKey) -> Decision:
    relation, subject, anonymous, confidential, status = key
    for rule in rules:
        if (
            relation in rule.relations
            and subject in rule.subjects
            and rule.anonymous in (None, anonymous)
            and rule.confidential in (None, confidential)
            and (rule.statuses is None or status in rule.statuses)
        ):
            return rule.decision
    return Decision.DENY


def build_matrix(rules: Sequence[Rule]) -> Mapping[PolicyKey, Decision]:
    """Expand ``rules`` (first match wins, default deny) into every combination.

    The desk uses ``build_matrix(POLICY_RULES)``; tests expand altered tables to show that the exhaustive
    policy test notices any change.

    >>> matrix = build_matrix(())
    >>> len(matrix), set(matrix.values())
    (7168, {<Decision.DENY: 'deny'>})
    """
    return MappingProxyType(
        {
            key: _first_match(rules, key)
            for key in itertools.product(Relation, Subject, (False, True), (False, True), Status)
        }
    )


# Expanded on first use, not when the module loads (a few milliseconds every process would pay at import).
_MATRIX: Mapping[PolicyKey, Decision] | None = None


def policy_matrix() -> Mapping[PolicyKey, Decision]:
    """Every (relation, subject, anonymous, confidential, status) combination and its decision.

    >>> policy_matrix()[(Relation.PUBLIC, Subject.REPORTER_NAME, True, False, Status.FORWARDED)]
    <Decision.REDACT: 'redact'>
    """
    global _MATRIX  # noqa: PLW0603 - built once; two threads racing build equal tables
    if _MATRIX is None:
        _MATRIX = build_matrix(POLICY_RULES)
    return _MATRIX


def decide(
    relation: Relation, subject: Subject, *, anonymous: bool, confidential: bool, status: Status
) -> Decision:
    """The decision for one combination; anything unexpected is a denial, never an error or an allow.

    Arguments must be the enum members and real booleans: a plain string equal to a member's value is
    unexpected too.

    >>> decide(Relation.UNIT, Subject.CONTENT, anonymous=False, confidential=True, status="bogus")
    <Decision.DENY: 'deny'>
    >>> decide("admin", Subject.CONTENT, anonymous=False, confidential=False, status=Status.FORWARDED)
    <Decision.DENY: 'deny'>
    """
    well_typed = (
        isinstance(relation, Relation)
        and isinstance(subject, Subject)
        and isinstance(status, Status)
        and type(anonymous) is bool
        and type(confidential) is bool
    )
    if not well_typed:
        return Decision.DENY
    matrix = _MATRIX if _MATRIX is not None else policy_matrix()
    try:
        return matrix[(relation, subject, anonymous, confidential, status)]
    except Exception:  # noqa: BLE001 - deny by default, whatever went wrong in the lookup
        return Decision.DENY


def policy_for(relation: Relation | None, complaint: Complaint) -> Callable[[Subject], Decision]:
    """The policy bound to one complaint and one relation to it: the decision for each subject.

    No relation (None: there is none, or working it out failed) is denied everything, and so is any lookup
    that fails, whatever went wrong in it.

    >>> from lapor_core.testing.builders import complaint
    >>> policy_for(Relation.ADMIN, complaint())(Subject.HISTORY)
    <Decision.ALLOW: 'allow'>
    >>> policy_for(None, complaint())(Subject.METADATA)
    <Decision.DENY: 'deny'>
    """

    def decision(subject: Subject) -> Decision:
        if relation is None:
            return Decision.DENY
        try:
            return decide(
                relation,
                subject,
                anonymous=complaint.anonymous,
                confidential=complaint.confidential,
                status=complaint.status,
            )
        except Exception:  # noqa: BLE001 - deny by default, whatever went wrong in the lookup
            return Decision.DENY

    return decision


def is_visible(relation: Relation | None, complaint: Complaint) -> bool:
    """Whether ``relation`` may know that ``complaint`` exists (the policy allows its metadata).

    The one visibility test: reads, listings, commands, statistics and notifications all ask it. Whoever may
    not know a complaint exists gets exactly what an unknown tracking ID gets.

    >>> from lapor_core.testing.builders import complaint
    >>> is_visible(Relation.REPORTER, complaint()), is_visible(Relation.PUBLIC, complaint())
    (True, False)
    """
    return policy_for(relation, complaint)(Subject.METADATA) is Decision.ALLOW


# --- the generated documentation ----------------------------------------------------------------------------

_FLAG_COLUMNS = ((False, False), (True, False), (False, True), (True, True))
_FLAG_NAMES = {
    (False, False): "plain",
    (True, False): "anonim",
    (False, True): "rahasia",
    (True, True): "anonim + rahasia",
}


def _status_list(statuses: Iterable[Status]) -> str:
    chosen = frozenset(statuses)
    return ", ".join(f"`{s.value}`" for s in Status if s in chosen)


def _statuses_text(statuses: frozenset[Status] | None) -> str:
    if statuses is None:
        return "any"
    if statuses == UNPUBLISHED:
        return "unpublished"
    if statuses == PUBLISHED:
        return "published"
    return _status_list(statuses)


def _flag_text(value: bool | None) -> str:
    return "any" if value is None else ("yes" if value else "no")


def _relations_text(relations: frozenset[Relation]) -> str:
    return ", ".join(f"`{r.value}`" for r in Relation if r in relations)


def _subjects_text(subjects: frozenset[Subject]) -> str:
    if subjects == frozenset(Subject):
        return "everything"
    if subjects == frozenset(READS):
        return "every field group"
    return ", ".join(f"`{s.value}`" for s in Subject if s in subjects)


def _cell(
    matrix: Mapping[PolicyKey, Decision], relation: Relation, subject: Subject, flags: tuple[bool, bool]
) -> str:
    by_decision: dict[Decision, set[Status]] = {}
    for status in Status:
        by_decision.setdefault(matrix[(relation, subject, *flags, status)], set()).add(status)
    if len(by_decision) == 1:
        return next(iter(by_decision)).value
    return "; ".join(
        f"{decision.value} ({_statuses_text(frozenset(by_decision[decision]))})"
        for decision in Decision
        if decision in by_decision
    )


def policy_markdown() -> str:
    """The policy as Markdown: the rules in order, then every combination, one table per relation.

    The documentation build writes this to ``docs/_generated/policy-table.md``, which the access-policy
    page includes, so the published table is always the one the code enforces.

    >>> policy_markdown().splitlines()[2]
    '### The rules, first match wins'

    """
    lines = [
        "<!-- Generated by lapor_core._domain.access.policy_markdown() for the docs; do not edit -->",
        "",
        "### The rules, first match wins",
        "",
        "| # | relations | subjects | anonim | rahasia | statuses | decision | why |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for number, rule in enumerate(POLICY_RULES, start=1):
        cells = (
            str(number),
            _relations_text(rule.relations),
            _subjects_text(rule.subjects),
            _flag_text(rule.anonymous),
            _flag_text(rule.confidential),
            _statuses_text(rule.statuses),
            f"**{rule.decision.value}**",
            rule.why,
        )
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["| - | every | every | any | any | any | **deny** | default: nothing else is allowed |", ""]
    matrix = policy_matrix()
    counts = {d: sum(1 for v in matrix.values() if v is d) for d in Decision}
    lines += [
        "### Every combination",
        "",
        (
            f"{len(matrix):,} combinations ({len(Relation)} relations x {len(Subject)} subjects x 4 flag "
            f"combinations x {len(Status)} statuses): {counts[Decision.ALLOW]:,} allow, "
            f"{counts[Decision.REDACT]:,} redact, {counts[Decision.DENY]:,} deny. "
            f"*Published* means {_status_list(PUBLISHED)}; *unpublished* means {_status_list(UNPUBLISHED)}."
        ),
    ]
    for relation in Relation:
        lines += [
            "",
            f"#### {relation.value}",
            "",
            "| subject | " + " | ".join(_FLAG_NAMES[f] for f in _FLAG_COLUMNS) + " |",
            "| --- |" + " --- |" * len(_FLAG_COLUMNS),
        ]
        lines.extend(
            f"| `{subject.value}` | "
            + " | ".join(_cell(matrix, relation, subject, f) for f in _FLAG_COLUMNS)
            + " |"
            for subject in (*READS, *ACTIONS)
        )
    return "\n".join(lines) + "\n"
