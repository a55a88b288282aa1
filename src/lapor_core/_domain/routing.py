"""Routing suggestions: which institutions a report should probably go to, from rules on (topic, region).

The LAPOR! admin forwards each verified report to the competent institution (DOMAIN, step 2). Who is
competent follows the division of government affairs between the centre, provinces and regencies/cities
(UU 23/2014 on regional government and its annex): most services people complain about are run by the
regency or city (schools, puskesmas, civil registration, local roads, waste), some by central bodies
(national health insurance, social-aid programmes). :class:`RoutingRules` holds that knowledge as data;
:meth:`RoutingRules.suggest` ranks the candidates for a topic and a region, with the reasons.

A rule names an institution code of the directory, or ``{regency}`` / ``{province}``: the government of the
regency or province the report is located in (the default directory codes them by region code). A rule's
``why`` is a message ID of the catalogue (the default rules' ``routing.why.*``) or plain text shown as given;
:meth:`Suggestion.messages` renders them in Indonesian or English.

Example:
    >>> from lapor_core._domain.institutions import InstitutionDirectory
    >>> rules = RoutingRules.default()
    >>> directory = InstitutionDirectory.default()
    >>> top = rules.suggest(topic="identity-card", region="32.73.01", directory=directory)
    >>> [(s.institution, s.score) for s in top[:2]]
    [('32.73', 0.85), ('kemendagri', 0.5)]
    >>> top[0].reasons[0]
    'routing.why.civil_registration'
    >>> top[0].messages()[0].split(" (")[0], top[0].messages("en")[0].split(" (")[0]
    ('administrasi kependudukan', 'civil registration')
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Iterable, Mapping
from typing import Final

import attrs

from lapor_core import _i18n
from lapor_core._domain import rules as v
from lapor_core._domain.institutions import InstitutionDirectory
from lapor_core._domain.regions import normalize_code, region_code_rule, within
from lapor_core._domain.topics import TopicTree, topic_id_rule
from lapor_core._i18n import N_
from lapor_core.errors import FieldError, NotFound, ValidationError

__all__ = ["PROVINCE", "REGENCY", "RoutingRule", "RoutingRules", "Suggestion"]

REGENCY: Final = "{regency}"
"""A rule's institution meaning "the government of the report's regency or city"."""
PROVINCE: Final = "{province}"
"""A rule's institution meaning "the government of the report's province"."""

_REGENCY_LENGTH: Final = 5
_PROVINCE_LENGTH: Final = 2
_MAX_TEXT: Final = 200


_why_rule: Final = v.text(required=False, max_length=_MAX_TEXT)


def _institution(value: object) -> str:
    """The rule of a rule's institution: a code of at most 200 characters, or ``{regency}`` / ``{province}``.

    Whether the directory knows it is :meth:`RoutingRules.suggest`'s business (unknown ones are skipped).
    """
    if value is None:
        raise v.Invalid("value.required")
    if not isinstance(value, str) or not value or len(value) > _MAX_TEXT:
        raise v.Invalid("routing.bad_institution")
    return value


def _weight(value: object) -> float:
    """The rule of a rule's weight: a number in (0, 1], as a float (booleans and NaN are no numbers)."""
    if value is None:
        raise v.Invalid("value.required")
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
        raise v.Invalid("routing.weight_out_of_range")
    return float(value)


def _why(value: object) -> str:
    return _why_rule(value) or ""


@v.checked
@attrs.frozen(field_transformer=v.with_rules)
class RoutingRule:
    """One piece of routing knowledge: for this topic in this region, this institution, this likely.

    Attributes:
        institution: An institution code, or :data:`REGENCY` / :data:`PROVINCE`.
        weight: How likely the institution is competent, in (0, 1].
        topic: The rule holds for this topic and every topic below it; None (or blank): for any topic.
        region: The rule holds inside this region (any level; given undotted, it is dotted); None: anywhere.
        why: The reason shown with the suggestion: a catalogue message ID or plain text (see :meth:`reason`);
            blank is ``""``.

    Raises:
        ValidationError: Listing every bad attribute: ``value.required``, ``routing.bad_institution``,
            ``routing.weight_out_of_range``, the topic-id rule's and the region-code rule's codes, and the
            text rule's for ``why``.

    Example:
        >>> RoutingRule("pln", 1, region="9171").region
        '91.71'
    """

    institution: str = attrs.field(metadata=v.rule(_institution))
    weight: float = attrs.field(metadata=v.rule(_weight))
    topic: str | None = attrs.field(default=None, metadata=v.rule(topic_id_rule))
    region: str | None = attrs.field(default=None, metadata=v.rule(region_code_rule))
    why: str = attrs.field(default="", metadata=v.rule(_why))

    @classmethod
    def from_dict(cls, data: object) -> RoutingRule:
        """Build a rule from untrusted data with the attributes' names as keys.

        Raises:
            ValidationError: Listing every bad attribute, every missing required one and every unknown key.
        """
        return v.structure(cls, data)

    def reason(self, locale: str = "id") -> str:
        """The ``why`` in ``locale`` (Indonesian unless asked otherwise); plain text comes back as given.

        Example:
            >>> RoutingRules.default().rules[0].reason("en")
            'the regency or city government runs most local public services (UU 23/2014)'
            >>> RoutingRule("pln", 0.9, why="lamps on PLN poles").reason()
            'lamps on PLN poles'
        """
        return _i18n.translate(self.why, locale) if self.why else ""

    def target(self, region: str | None) -> str | None:
        """The institution code this rule names for a report in ``region``, or None when it names none."""
        if self.institution == REGENCY:
            return region[:_REGENCY_LENGTH] if region and len(region) >= _REGENCY_LENGTH else None
        if self.institution == PROVINCE:
            return region[:_PROVINCE_LENGTH] if region else None
        return self.institution

    def holds(self, topic: str | None, region: str | None, topics: TopicTree) -> bool:
        """Whether the rule applies to a report on ``topic`` located in ``region`` (dotted or undotted).

        Raises:
            ValidationError: ``region`` is not a region code.
        """
        if self.region is not None and not within(region, self.region):
            return False
        if self.topic is None:
            return True
        if topic is None:
            return False
        try:
            return topic == self.topic or topics.is_descendant(topic, self.topic)
        except NotFound:
            return False

    @property
    def specificity(self) -> int:
        """How narrowly the rule is drawn: a topic counts one, and a region its code length."""
        return (self.topic is not None) + len(self.region or "")


@attrs.frozen
class Suggestion:
    """A candidate institution for a report.

    Attributes:
        institution: Its code in the directory.
        name: Its name.
        score: The weight of the strongest rule naming it, in (0, 1].
        reasons: The ``why`` of every rule naming it, strongest first: message IDs (``routing.why.*``) for
            programs, or plain text of a deployment's own rules. :meth:`messages` gives them for people.
    """

    institution: str
    name: str
    score: float
    reasons: tuple[str, ...]

    def messages(self, locale: str = "id") -> tuple[str, ...]:
        """The :attr:`reasons` as people read them in ``locale`` (Indonesian unless asked otherwise)."""
        return tuple(_i18n.translate(reason, locale) for reason in self.reasons)


# Each reason is a message ID; its texts (Indonesian and English) cite the law behind the rule.
_DEFAULT_RULES: Final[tuple[tuple[str, float, str | None, str], ...]] = (
    (REGENCY, 0.6, None, N_("routing.why.regency_services")),
    (PROVINCE, 0.4, None, N_("routing.why.province_across")),
    ("bpjs-kesehatan", 0.9, "health-insurance", N_("routing.why.bpjs_kesehatan")),
    (REGENCY, 0.8, "health-facilities", N_("routing.why.health_facilities")),
    ("kemenkes", 0.5, "health", N_("routing.why.kemenkes")),
    (REGENCY, 0.7, "education", N_("routing.why.basic_schooling")),
    (PROVINCE, 0.5, "education", N_("routing.why.senior_secondary")),
    ("kemendikdasmen", 0.8, "education-scholarships", N_("routing.why.pip")),
    ("kemendikdasmen", 0.4, "education", N_("routing.why.kemendikdasmen")),
    (REGENCY, 0.85, "civil-registration", N_("routing.why.civil_registration")),
    ("kemendagri", 0.5, "civil-registration", N_("routing.why.dukcapil")),
    ("kemensos", 0.7, "social-aid", N_("routing.why.kemensos")),
    (REGENCY, 0.6, "social-aid", N_("routing.why.social_office")),
    (REGENCY, 0.75, "infrastructure", N_("routing.why.local_infrastructure")),
    ("kemenpu", 0.4, "infrastructure", N_("routing.why.kemenpu")),
    (REGENCY, 0.7, "transport", N_("routing.why.local_transport")),
    ("kemenhub", 0.8, "terminals-ports-airports", N_("routing.why.central_transport_hubs")),
    ("kemenhub", 0.4, "transport", N_("routing.why.kemenhub")),
    (REGENCY, 0.75, "environment", N_("routing.why.waste")),
    ("klh", 0.5, "environment", N_("routing.why.klh")),
    (REGENCY, 0.7, "licensing", N_("routing.why.licensing")),
    (REGENCY, 0.6, "labour", N_("routing.why.local_labour")),
    ("kemnaker", 0.6, "labour", N_("routing.why.kemnaker")),
    ("kemnaker", 0.8, "migrant-workers", N_("routing.why.migrant_workers")),
    (REGENCY, 0.8, "village-funds", N_("routing.why.village_funds")),
    ("kemendes", 0.6, "village-funds", N_("routing.why.kemendes")),
    (REGENCY, 0.6, "public-service-conduct", N_("routing.why.service_staff")),
    ("kemenpanrb", 0.5, "public-service-conduct", N_("routing.why.kemenpanrb")),
)


class RoutingRules:
    """An immutable set of :class:`RoutingRule`, ranking institutions for a (topic, region).

    Args:
        rules: The rules, in any order.

    Example:
        >>> rules = RoutingRules([RoutingRule("kemenkes", 0.9, topic="health", why="national programme")])
        >>> len(rules)
        1
    """

    __slots__ = ("_rules",)

    def __init__(self, rules: Iterable[RoutingRule]) -> None:
        items = tuple(rules)
        errors = [
            FieldError(f"rules[{index}]", "routing.not_rule", {"type": v.type_name(rule)})
            for index, rule in enumerate(items)
            if not isinstance(rule, RoutingRule)
        ]
        if errors:
            raise ValidationError(errors)
        self._rules = items

    @classmethod
    def default(cls) -> RoutingRules:
        """Rules modelled on the division of government affairs (UU 23/2014) and the default directory.

        Example:
            >>> len(RoutingRules.default()) > 20
            True
        """
        return _default_rules()

    @classmethod
    def from_dict(cls, data: object) -> RoutingRules:
        """Rules from ``{"rules": [...]}``, each a mapping with the attributes of :class:`RoutingRule`.

        Untrusted input is welcome: whatever ``data`` holds, the result is rules or a ValidationError.

        Raises:
            ValidationError: ``data`` is not an object with exactly the key ``rules`` (``$``, ``rules``),
                ``rules`` is not a list (``value.not_list``), or every bad record and attribute, as
                ``rules[i].<attribute>``: ``value.not_mapping``, ``field.unknown``, ``value.required`` and
                everything :class:`RoutingRule` refuses.

        Example:
            >>> RoutingRules.from_dict({"rules": [{"institution": "pln", "weight": 2}]})
            Traceback (most recent call last):
            lapor_core.errors.ValidationError: invalid input: rules[0].weight: must be a number in (0, 1]
        """
        if not isinstance(data, Mapping):
            raise ValidationError.single(v.ROOT, "value.not_mapping", type=v.type_name(data))
        shape_errors = v.unknown_fields(v.ROOT, [key for key in data if key != "rules"])
        if "rules" not in data:
            shape_errors.append(FieldError("rules", "value.required"))
        if shape_errors:
            raise ValidationError(shape_errors)
        return cls._from_records(data["rules"])

    @classmethod
    def from_records(cls, records: Iterable[object]) -> RoutingRules:
        """Deprecated (removed in 0.3): ``RoutingRules.from_dict({"rules": records})``."""
        warnings.warn(
            'RoutingRules.from_records(records) is now RoutingRules.from_dict({"rules": records})',
            DeprecationWarning,
            stacklevel=2,
        )
        return cls._from_records(records)

    @classmethod
    def _from_records(cls, records: object) -> RoutingRules:
        if isinstance(records, str | bytes | Mapping) or not isinstance(records, Iterable):
            raise ValidationError.single("rules", "value.not_list", type=v.type_name(records))
        rules: list[RoutingRule] = []
        errors: list[FieldError] = []
        for index, record in enumerate(records):
            try:
                rules.append(RoutingRule.from_dict(record))
            except ValidationError as error:
                errors += v.prefixed(f"rules[{index}]", error.errors)
        if errors:
            raise ValidationError(errors)
        return cls(rules)

    def __len__(self) -> int:
        return len(self._rules)

    def __repr__(self) -> str:
        return f"<RoutingRules: {len(self._rules)} rules>"

    @property
    def rules(self) -> tuple[RoutingRule, ...]:
        """The rules, in the order given."""
        return self._rules

    def suggest(
        self,
        *,
        topic: str | None,
        region: str | None,
        directory: InstitutionDirectory,
        topics: TopicTree | None = None,
        limit: int = 5,
    ) -> tuple[Suggestion, ...]:
        """Institutions of ``directory`` for a report on ``topic`` in ``region``, most likely first.

        Each candidate scores the weight of its strongest rule; ties go to the more specific rule, then
        to the code. Rules naming an institution the directory does not know (or a regency for a report
        located only at province level) are skipped.

        Args:
            topic: The report's topic ID, or None.
            region: The report's region code (dotted or undotted), or None.
            directory: The institutions that may be suggested.
            topics: The topic tree the rules' topics refer to (default: ``TopicTree.default()``).
            limit: At most this many suggestions.

        Raises:
            ValidationError: ``region`` is not a region code (field ``region``).
        """
        if region is not None:
            region = normalize_code(region, field="region")
        tree = topics if topics is not None else TopicTree.default()
        naming: dict[str, list[RoutingRule]] = {}
        for rule in self._rules:
            code = rule.target(region)
            if code is not None and code in directory and rule.holds(topic, region, tree):
                naming.setdefault(code, []).append(rule)
        ranked = [
            (sorted(rules, key=lambda r: (-r.weight, -r.specificity)), code) for code, rules in naming.items()
        ]
        ranked.sort(key=lambda item: (-item[0][0].weight, -item[0][0].specificity, item[1]))
        return tuple(
            Suggestion(
                institution=code,
                name=directory.get(code).name,
                score=rules[0].weight,
                reasons=tuple(rule.why for rule in rules if rule.why),
            )
            for rules, code in ranked[: max(limit, 0)]
        )


@functools.cache
def _default_rules() -> RoutingRules:
    return RoutingRules(
        RoutingRule(institution, weight, topic=topic, why=why)
        for institution, weight, topic, why in _DEFAULT_RULES
    )
