"""Routing suggestions: which institutions a report should probably go to, from rules on (topic, region).

The LAPOR! admin forwards each verified report to the competent institution (DOMAIN, step 2). Who is
competent follows the division of government affairs between the centre, provinces and regencies/cities
(UU 23/2014 on regional government and its annex): most services people complain about are run by the
regency or city (schools, puskesmas, civil registration, local roads, waste), some by central bodies
(national health insurance, social-aid programmes). :class:`RoutingRules` holds that knowledge as data;
:meth:`RoutingRules.suggest` ranks the candidates for a topic and a region, with the reasons.

A rule names an institution code of the directory, or ``{regency}`` / ``{province}``: the government of the
regency or province the report is located in (the default directory codes them by region code).

Example:
    >>> from lapor_core.institutions import InstitutionDirectory
    >>> rules = RoutingRules.default()
    >>> directory = InstitutionDirectory.default()
    >>> top = rules.suggest(topic="identity-card", region="32.73.01", directory=directory)
    >>> [(s.institution, s.score) for s in top[:2]]
    [('32.73', 0.85), ('kemendagri', 0.5)]
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Final

import attrs

from lapor_core.errors import FieldError, NotFound, ValidationError
from lapor_core.institutions import InstitutionDirectory
from lapor_core.topics import TopicTree

__all__ = ["PROVINCE", "REGENCY", "RoutingRule", "RoutingRules", "Suggestion"]

REGENCY: Final = "{regency}"
"""A rule's institution meaning "the government of the report's regency or city"."""
PROVINCE: Final = "{province}"
"""A rule's institution meaning "the government of the report's province"."""

_REGENCY_LENGTH: Final = 5
_PROVINCE_LENGTH: Final = 2
_MAX_TEXT: Final = 200


def _rule_errors(rule: RoutingRule) -> list[FieldError]:
    errors = []
    if not isinstance(rule.institution, str) or not rule.institution or len(rule.institution) > _MAX_TEXT:
        errors.append(FieldError("institution", "must be an institution code, {regency} or {province}"))
    weight: object = rule.weight
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight <= 1:
        errors.append(FieldError("weight", "must be a number in (0, 1]"))
    for name in ("topic", "region"):
        value: object = getattr(rule, name)
        if value is not None and (not isinstance(value, str) or not value or len(value) > _MAX_TEXT):
            errors.append(FieldError(name, "must be None or non-empty text"))
    if not isinstance(rule.why, str) or len(rule.why) > _MAX_TEXT:
        errors.append(FieldError("why", "must be text of at most 200 characters"))
    return errors


@attrs.frozen
class RoutingRule:
    """One piece of routing knowledge: for this topic in this region, this institution, this likely.

    Attributes:
        institution: An institution code, or :data:`REGENCY` / :data:`PROVINCE`.
        weight: How likely the institution is competent, in (0, 1].
        topic: The rule holds for this topic and every topic below it; None: for any topic.
        region: The rule holds inside this region (dotted code, any level); None: anywhere.
        why: The reason shown with the suggestion.

    Raises:
        ValidationError: Listing every bad attribute.
    """

    institution: str
    weight: float
    topic: str | None = None
    region: str | None = None
    why: str = ""

    def __attrs_post_init__(self) -> None:
        errors = _rule_errors(self)
        if errors:
            raise ValidationError(errors)

    def target(self, region: str | None) -> str | None:
        """The institution code this rule names for a report in ``region``, or None when it names none."""
        if self.institution == REGENCY:
            return region[:_REGENCY_LENGTH] if region and len(region) >= _REGENCY_LENGTH else None
        if self.institution == PROVINCE:
            return region[:_PROVINCE_LENGTH] if region else None
        return self.institution

    def holds(self, topic: str | None, region: str | None, topics: TopicTree) -> bool:
        """Whether the rule applies to a report on ``topic`` located in ``region``."""
        if self.region is not None and not (
            region is not None and (region == self.region or region.startswith(self.region + "."))
        ):
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
        reasons: The ``why`` of every rule naming it, strongest first.
    """

    institution: str
    name: str
    score: float
    reasons: tuple[str, ...]


def _uu23(service: str) -> str:
    return f"{service} is a regency/city affair (UU 23/2014, annex on the division of government affairs)"


_DEFAULT_RULES: Final[tuple[tuple[str, float, str | None, str], ...]] = (
    (REGENCY, 0.6, None, "the regency or city government runs most local public services (UU 23/2014)"),
    (PROVINCE, 0.4, None, "the provincial government, for matters across regencies or cities (UU 23/2014)"),
    (
        "bpjs-kesehatan",
        0.9,
        "health-insurance",
        "BPJS Kesehatan runs the national health insurance (UU 24/2011)",
    ),
    (REGENCY, 0.8, "health-facilities", _uu23("running puskesmas and regional hospitals")),
    ("kemenkes", 0.5, "health", "the Ministry of Health sets health policy and national programmes"),
    (REGENCY, 0.7, "education", _uu23("primary and junior secondary schooling")),
    (PROVINCE, 0.5, "education", "senior secondary schools are a provincial affair (UU 23/2014)"),
    (
        "kemendikdasmen",
        0.8,
        "education-scholarships",
        "the Smart Indonesia Programme (PIP) is a central programme",
    ),
    ("kemendikdasmen", 0.4, "education", "the ministry of primary and secondary education"),
    (REGENCY, 0.85, "civil-registration", _uu23("civil registration (Disdukcapil)")),
    ("kemendagri", 0.5, "civil-registration", "Ditjen Dukcapil of the Ministry of Home Affairs (UU 24/2013)"),
    ("kemensos", 0.7, "social-aid", "PKH, food aid and the recipients' data are programmes of Kemensos"),
    (REGENCY, 0.6, "social-aid", "the regency's social office proposes and verifies recipients"),
    (REGENCY, 0.75, "infrastructure", _uu23("regency roads, drainage and drinking water")),
    (
        "kemenpu",
        0.4,
        "infrastructure",
        "national roads and water works belong to the Ministry of Public Works",
    ),
    (REGENCY, 0.7, "transport", _uu23("local traffic, parking and public transport")),
    ("kemenhub", 0.8, "terminals-ports-airports", "type A terminals, ports and airports are run centrally"),
    ("kemenhub", 0.4, "transport", "the Ministry of Transportation"),
    (REGENCY, 0.75, "environment", _uu23("waste collection and local pollution control")),
    ("klh", 0.5, "environment", "the Ministry of Environment oversees pollution and forest fires"),
    (REGENCY, 0.7, "licensing", _uu23("licensing through the one-stop service (DPMPTSP)")),
    (REGENCY, 0.6, "labour", _uu23("labour supervision of local firms and job placement")),
    ("kemnaker", 0.6, "labour", "the Ministry of Manpower"),
    ("kemnaker", 0.8, "migrant-workers", "protection of migrant workers is a central affair (UU 18/2017)"),
    (REGENCY, 0.8, "village-funds", "the regency oversees its villages' funds (UU 6/2014 on villages)"),
    ("kemendes", 0.6, "village-funds", "the Ministry of Villages sets village-fund priorities"),
    (REGENCY, 0.6, "public-service-conduct", "the service's own government answers for its staff"),
    (
        "kemenpanrb",
        0.5,
        "public-service-conduct",
        "KemenPANRB oversees public-service standards (UU 25/2009)",
    ),
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
        if not all(isinstance(rule, RoutingRule) for rule in items):
            raise ValidationError.single("rules", "must be RoutingRule values")
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
    def from_records(cls, records: Iterable[object]) -> RoutingRules:
        """Rules from mappings with the attributes of :class:`RoutingRule` (``institution``, ``weight``...).

        Raises:
            ValidationError: Every bad record and attribute, as ``rules[i].<attribute>``.

        Example:
            >>> RoutingRules.from_records([{"institution": "pln", "weight": 2}])
            Traceback (most recent call last):
            lapor_core.errors.ValidationError: invalid input: rules[0].weight: must be a number in (0, 1]
        """
        rules: list[RoutingRule] = []
        errors: list[FieldError] = []
        known = {field.name for field in attrs.fields(RoutingRule)}
        for index, record in enumerate(records):
            path = f"rules[{index}]"
            if not isinstance(record, Mapping):
                errors.append(FieldError(path, "must be a mapping"))
                continue
            unknown = sorted(str(key)[:40] for key in record if key not in known)
            errors += [FieldError(f"{path}.{key}", "unknown attribute") for key in unknown]
            if "institution" not in record or "weight" not in record:
                errors.append(FieldError(path, "needs institution and weight"))
                continue
            try:
                rules.append(RoutingRule(**{k: v for k, v in record.items() if k in known}))
            except ValidationError as e:
                errors += [FieldError(f"{path}.{error.field}", error.reason) for error in e.errors]
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
            region: The report's dotted region code, or None.
            directory: The institutions that may be suggested.
            topics: The topic tree the rules' topics refer to (default: ``TopicTree.default()``).
            limit: At most this many suggestions.
        """
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
