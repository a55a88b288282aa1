"""The exhaustive policy proof: every cell of the table against an oracle written from the issue's prose.

The oracle below is written from the rules of issue 5 (and the documented design choice that an admin reads
an anonymous reporter's identity only through the recorded reveal); it does not read ``POLICY_RULES``. Every
relation x subject x (anonymous, confidential) x status is compared: 7,168 cells, 0 differences. The
mutation tests show the comparison can fail: deleting any single rule, or changing its decision, makes at
least one cell disagree with the oracle. The last tests check that the desk enforces the same cells end
to end, through the real relation of real principals to real complaints.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping

import pytest

import lapor_core as lc
from desk_support import ADMIN, drive_to, make_desk, submission
from lapor_core._application.kernel import authorise, load_for
from lapor_core._domain.access import (
    POLICY_RULES,
    Decision,
    PolicyKey,
    Relation,
    Rule,
    Subject,
    build_matrix,
    policy_matrix,
)
from lapor_core.plugins import Complaint

R, S, D, St = Relation, Subject, Decision, lc.Status
ALLOW, REDACT, DENY = D.ALLOW, D.REDACT, D.DENY

# --- the oracle, from the prose -------------------------------------------------------------------
FIELD_GROUPS = {
    S.METADATA,
    S.CONTENT,
    S.PRECISE_LOCATION,
    S.TIMELINE,
    S.REPORTER_NAME,
    S.REPORTER_CONTACT,
    S.INTERNAL,
    S.HISTORY,
    S.ATTACHMENTS,
}
IDENTITY = {S.REPORTER_NAME, S.REPORTER_CONTACT}
AT_AN_INSTITUTION = {St.FORWARDED, St.ASSIGNED, St.FOLLOWED_UP, St.CLOSED}
ADMIN_ACTIONS = {S.FORWARD, S.REQUEST_INFO, S.ARCHIVE, S.REPLY, S.REVEAL_IDENTITY, S.ERASE_IDENTITY, S.ATTACH}
REPORTER_ACTIONS = {S.PROVIDE_INFO, S.REPLY, S.CLOSE, S.RATE, S.ATTACH}
# Issue 22: admins merge duplicates (the duplicate merged, the original absorbing it); the reporter escalates
# to the Ombudsman, who records findings and concludes.
ADMIN_ACTIONS |= {S.MERGE, S.ABSORB}
REPORTER_ACTIONS |= {S.ESCALATE}
OMBUDSMAN_ACTIONS = {S.RECORD_FINDINGS, S.CONCLUDE_ESCALATION}
# Issue 19: the reporter and the staff handling the complaint may add photos and documents.
HANDLER_ACTIONS = {
    R.INSTITUTION: {S.ASSIGN, S.DECLINE, S.FOLLOW_UP, S.ATTACH},
    R.UNIT: {S.FOLLOW_UP, S.ATTACH},
}


def oracle(
    relation: Relation, subject: Subject, anonymous: bool, confidential: bool, status: lc.Status
) -> Decision:
    """What issue 5 says one cell must be."""
    identity = subject in IDENTITY
    if relation is R.ADMIN:
        # Admins see everything; an anonymous reporter's identity only through the recorded reveal.
        if identity and anonymous:
            return REDACT
        return ALLOW if subject in FIELD_GROUPS or subject in ADMIN_ACTIONS else DENY
    if relation is R.REPORTER:
        # The reporter sees their own complaint whole, but not internal notes nor the raw history.
        if subject in (S.INTERNAL, S.HISTORY):
            return DENY
        return ALLOW if subject in FIELD_GROUPS or subject in REPORTER_ACTIONS else DENY
    if relation is R.OMBUDSMAN:
        # Issue 22: the reporter took the complaint to the Ombudsman, who reads the whole case whatever its
        # status or rahasia, the identity under the anonymity rules of oversight: never contact data, at most
        # a named reporter's display name, no photos of an anonymous one.
        if subject is S.REPORTER_CONTACT:
            return DENY
        if subject is S.REPORTER_NAME:
            return REDACT if anonymous else ALLOW
        if subject is S.ATTACHMENTS:
            return DENY if anonymous else ALLOW
        return ALLOW if subject in FIELD_GROUPS or subject in OMBUDSMAN_ACTIONS else DENY
    # Before forwarding only the reporter and admins know the complaint exists (and a merged duplicate is
    # unpublished whatever it was).
    if status not in AT_AN_INSTITUTION:
        return DENY
    if relation in (R.INSTITUTION, R.UNIT):
        # Anonim hides identity from the institution and its units; rahasia does not hide from them.
        if identity:
            return REDACT if anonymous else ALLOW
        if subject in FIELD_GROUPS:
            return ALLOW
        return ALLOW if subject in HANDLER_ACTIONS[relation] else DENY
    # Rahasia: for everyone else the complaint does not exist.
    if confidential:
        return DENY
    # Contact details, NIK and account never reach the public or supervisors; at most the display name,
    # and only when not anonymous.
    if subject is S.REPORTER_CONTACT:
        return DENY
    if subject is S.REPORTER_NAME:
        return REDACT if anonymous else ALLOW
    # Issue 19: attachments of a published, non-confidential complaint, never an anonymous one's (a photo
    # can show who took it).
    if subject is S.ATTACHMENTS:
        return DENY if anonymous else ALLOW
    if relation is R.SUPERVISOR:
        # Read-only oversight of the case and its audit trail.
        readable = {S.METADATA, S.CONTENT, S.PRECISE_LOCATION, S.TIMELINE, S.INTERNAL, S.HISTORY}
        return ALLOW if subject in readable else DENY
    # Citizens and the public: the published case with coarse location; citizens may support it.
    if subject is S.PRECISE_LOCATION:
        return REDACT
    if subject in (S.METADATA, S.CONTENT, S.TIMELINE):
        return ALLOW
    return ALLOW if subject is S.SUPPORT and relation is R.CITIZEN else DENY


ALL_KEYS: tuple[PolicyKey, ...] = tuple(itertools.product(R, S, (False, True), (False, True), St))
RANK = {DENY: 0, REDACT: 1, ALLOW: 2}


def differences(matrix: Mapping[PolicyKey, Decision]) -> list[tuple[PolicyKey, Decision, Decision]]:
    """Cells where ``matrix`` and the oracle disagree: (cell, table's decision, oracle's decision)."""
    return [(key, matrix[key], oracle(*key)) for key in ALL_KEYS if matrix[key] is not oracle(*key)]


# --- the table against the oracle ------------------------------------------------------------------------
def test_the_matrix_covers_every_combination_once():
    """The expanded table has exactly 8 x 28 x 2 x 2 x 8 = 7,168 cells, one per combination."""
    matrix = policy_matrix()
    assert len(ALL_KEYS) == len(set(ALL_KEYS)) == 7168
    assert set(matrix) == set(ALL_KEYS)


def test_every_cell_of_the_policy_matches_the_oracle():
    """All 7,168 cells agree with the issue's prose rules: 0 differences, so 0 unexpected allows."""
    assert differences(policy_matrix()) == []


def test_no_cell_grants_more_than_the_oracle():
    """Counted separately: no cell allows or redacts where the oracle denies, or allows where it redacts."""
    matrix = policy_matrix()
    unexpected = [key for key in ALL_KEYS if RANK[matrix[key]] > RANK[oracle(*key)]]
    assert len(ALL_KEYS) == 7168
    assert unexpected == []


def _mutants() -> Iterator[tuple[str, tuple[Rule, ...]]]:
    for index, rule in enumerate(POLICY_RULES):
        yield f"rule {index + 1} deleted", POLICY_RULES[:index] + POLICY_RULES[index + 1 :]
        for decision in D:
            if decision is not rule.decision:
                flipped = rule._replace(decision=decision)
                yield (
                    f"rule {index + 1} -> {decision.value}",
                    (*POLICY_RULES[:index], flipped, *POLICY_RULES[index + 1 :]),
                )


def test_deleting_or_flipping_any_single_rule_makes_the_comparison_fail():
    """Each of the 23 rules carries weight: every deletion and every changed decision breaks some cell."""
    mutants = list(_mutants())
    undetected = [name for name, rules in mutants if not differences(build_matrix(rules))]
    assert len(mutants) == 3 * len(POLICY_RULES)
    assert undetected == []


def test_a_rule_leaking_contact_data_to_the_public_is_caught_as_an_unexpected_allow():
    """Prepending one permissive row (public may read contact details) shows up as unexpected allows."""
    leak = Rule(frozenset({R.PUBLIC}), frozenset({S.REPORTER_CONTACT}), None, None, None, ALLOW, "a mistake")
    found = differences(build_matrix((leak, *POLICY_RULES)))
    assert found
    assert {key[0] for key, _, _ in found} == {R.PUBLIC}
    assert all(table is ALLOW and expected is DENY for _, table, expected in found)


# --- structural properties of the table (each rule of the issue, checked on its own) ------------------------
def _cells(relation: Relation | None = None) -> Iterator[PolicyKey]:
    return (key for key in ALL_KEYS if relation is None or key[0] is relation)


def test_every_principal_sees_at_least_what_the_public_sees():
    """For every field group and flag/status combination, no relation's decision ranks below the public's."""
    matrix = policy_matrix()
    below = [
        key
        for key in ALL_KEYS
        if key[1] in FIELD_GROUPS and RANK[matrix[key]] < RANK[matrix[(R.PUBLIC, *key[1:])]]
    ]
    assert below == []


@pytest.mark.parametrize("relation", [R.PUBLIC, R.CITIZEN, R.SUPERVISOR, R.OMBUDSMAN])
def test_contact_details_never_reach_the_public_or_supervisors(relation):
    """E-mail, phone, NIK and account are denied (not even redacted) to the public, citizens and oversight."""
    matrix = policy_matrix()
    assert {matrix[k] for k in _cells(relation) if k[1] is S.REPORTER_CONTACT} == {DENY}


def test_the_public_sees_the_display_name_only_of_published_named_complaints():
    """The public's name decision is allow only when published, not anonymous and not confidential."""
    matrix = policy_matrix()
    for _, subject, anonymous, confidential, status in _cells(R.PUBLIC):
        if (
            subject is S.REPORTER_NAME
            and matrix[(R.PUBLIC, subject, anonymous, confidential, status)] is ALLOW
        ):
            assert not anonymous
            assert not confidential
            assert status in AT_AN_INSTITUTION


def test_before_forwarding_only_the_reporter_and_admins_know_the_complaint_exists():
    """Unpublished complaints' metadata goes to exactly admin, reporter and (escalated) the Ombudsman."""
    matrix = policy_matrix()
    knowing = {
        k[0] for k in ALL_KEYS if k[1] is S.METADATA and k[4] not in AT_AN_INSTITUTION and matrix[k] is ALLOW
    }
    assert knowing == {R.ADMIN, R.REPORTER, R.OMBUDSMAN}


def test_a_merged_duplicate_is_unpublished_whatever_its_flags():
    """Issue 22: merging never publishes: a merged complaint is known to admin, reporter, Ombudsman only."""
    matrix = policy_matrix()
    knowing = {k[0] for k in ALL_KEYS if k[1] is S.METADATA and k[4] is St.MERGED and matrix[k] is ALLOW}
    assert knowing == {R.ADMIN, R.REPORTER, R.OMBUDSMAN}


def test_anonymous_identity_is_shown_in_full_only_to_the_reporter():
    """With the anonymous flag, only the reporter relation gets name or contact in clear."""
    matrix = policy_matrix()
    in_clear = {k[0] for k in ALL_KEYS if k[1] in IDENTITY and k[2] and matrix[k] is ALLOW}
    assert in_clear == {R.REPORTER}


def test_confidential_complaints_are_limited_to_reporter_admins_and_handlers():
    """With the confidential flag, supervisors, citizens and the public are denied every subject.

    The Ombudsman reaches a confidential complaint only when its reporter escalated it there (issue 22).
    """
    matrix = policy_matrix()
    reach = {k[0] for k in ALL_KEYS if k[3] and matrix[k] is not DENY}
    assert reach == {R.ADMIN, R.REPORTER, R.INSTITUTION, R.UNIT, R.OMBUDSMAN}


def test_whoever_may_not_know_a_complaint_exists_gets_nothing_else():
    """A denied metadata cell implies every other subject is denied in the same combination."""
    matrix = policy_matrix()
    for relation, _, anonymous, confidential, status in ALL_KEYS:
        if matrix[(relation, S.METADATA, anonymous, confidential, status)] is DENY:
            assert all(matrix[(relation, s, anonymous, confidential, status)] is DENY for s in S)


def test_the_history_export_goes_only_to_who_may_see_everything_it_holds():
    """History holds content, exact location, timeline and internal notes: allowing it implies those."""
    matrix = policy_matrix()
    holds = (S.CONTENT, S.PRECISE_LOCATION, S.TIMELINE, S.INTERNAL)
    for key in ALL_KEYS:
        if key[1] is S.HISTORY and matrix[key] is ALLOW:
            assert all(matrix[(key[0], s, *key[2:])] is ALLOW for s in holds), key


def test_actions_are_never_redacted_and_supervisors_never_act():
    """Actions are allow or deny; only name, contact and location are ever redacted; oversight never acts."""
    matrix = policy_matrix()
    redacted = {k[1] for k in ALL_KEYS if matrix[k] is REDACT}
    assert redacted <= {S.REPORTER_NAME, S.REPORTER_CONTACT, S.PRECISE_LOCATION}
    assert not any(matrix[k] is ALLOW for k in _cells(R.SUPERVISOR) if k[1].is_action)
    acting = {k[1] for k in _cells(R.OMBUDSMAN) if k[1].is_action and matrix[k] is ALLOW}
    assert acting == OMBUDSMAN_ACTIONS


# --- the desk enforces the same cells, end to end ---------------------------------------------------------
INSTITUTION, UNIT = "31.71", "dinas-pu"
STATES = ("submitted", "on_hold", "archived", "forwarded", "assigned", "followed_up", "closed", "declined")


@pytest.fixture(scope="module")
def population() -> tuple[lc.ComplaintDesk, list[lc.Receipt]]:
    """One complaint per state (declined: back to submitted) and flag combination: 32 complaints."""
    desk, _ = make_desk()
    receipts = []
    for state, anonymous, confidential in itertools.product(STATES, (False, True), (False, True)):
        receipt = desk.submit(submission(anonymous=anonymous, confidential=confidential))
        drive_to(desk, receipt.tracking_id, receipt.access_key, state, institution=INSTITUTION, unit=UNIT)
        receipts.append(receipt)
    return desk, receipts


def _principals(desk: lc.ComplaintDesk, receipt: lc.Receipt) -> dict[str, lc.Principal]:
    return {
        "admin": ADMIN,
        "reporter": desk.authenticate(receipt.tracking_id, receipt.access_key),
        "institution": lc.Principal.institution_officer("off-a", institution=INSTITUTION),
        "unit": lc.Principal.unit_officer("u-a", institution=INSTITUTION, unit=UNIT),
        "supervisor": lc.Principal.supervisor("ombudsman-1"),
        "citizen": lc.Principal.citizen("warga-1", verified=True),
        "public": lc.Principal.public(),
    }


def _expected_relation(name: str, complaint: Complaint) -> Relation:
    """The relation written from the rules: handlers only while it is at them, else they are the public."""
    if name == "institution":
        return R.INSTITUTION if complaint.institution == INSTITUTION else R.PUBLIC
    if name == "unit":
        return R.UNIT if complaint.institution == INSTITUTION and complaint.unit == UNIT else R.PUBLIC
    return R(name)


Case = tuple[lc.ComplaintDesk, Complaint, str, lc.Principal, Callable[[Subject], Decision]]


def _each_case(population) -> Iterator[Case]:
    desk, receipts = population
    for receipt in receipts:
        complaint = desk.store.get(receipt.tracking_id)
        for name, principal in _principals(desk, receipt).items():
            relation = _expected_relation(name, complaint)

            def expect(subject: Subject, relation: Relation = relation, c: Complaint = complaint) -> Decision:
                return oracle(relation, subject, c.anonymous, c.confidential, c.status)

            yield desk, complaint, name, principal, expect


def test_desk_views_match_the_oracle_for_every_principal_state_and_flag(population):
    """224 reads (32 complaints x 7 principals): existence, content, location, timeline and identity."""
    checked = 0
    for desk, complaint, _, principal, expect in _each_case(population):
        tid = complaint.tracking_id
        checked += 1
        if expect(S.METADATA) is DENY:
            with pytest.raises(lc.NotFound):
                desk.view(principal, tid)
            continue
        view = desk.view(principal, tid)
        assert (view.title is not None) == (expect(S.CONTENT) is ALLOW)
        assert view.withheld == {s.value for s in FIELD_GROUPS - {S.METADATA} if expect(s) is not ALLOW}
        location = view.location
        assert location is not None
        if expect(S.PRECISE_LOCATION) is ALLOW:
            assert (location.lat, location.lon, location.address) == (-6.1865, 106.8341, "Jl. Menteng Raya 1")
        else:
            assert (location.lat, location.lon, location.address) == (-6.186, 106.834, None)
        assert bool(view.timeline) == (expect(S.TIMELINE) is ALLOW)
        noted = any("reason" in event.payload for event in desk.store.history(tid))
        shown = any(entry.reason for entry in view.timeline)
        assert shown == (noted and expect(S.TIMELINE) is ALLOW and expect(S.INTERNAL) is ALLOW)
        name = {ALLOW: "Siti Aminah", REDACT: "Anonim", DENY: None}[expect(S.REPORTER_NAME)]
        assert (view.reporter.name if view.reporter else None) == name
        email = view.reporter.email if view.reporter else None
        assert (email == "siti@example.id") == (expect(S.REPORTER_CONTACT) is ALLOW)
        if expect(S.HISTORY) is ALLOW:
            assert desk.history(principal, tid)
        else:
            with pytest.raises(lc.NotAllowed):
                desk.history(principal, tid)
    assert checked == 32 * 7


def test_desk_authorisation_matches_the_oracle_for_every_action(population):
    """4,256 authorisation checks (224 cases x 19 actions) through the desk's load-then-authorise path."""
    checked = 0
    for desk, complaint, _, principal, expect in _each_case(population):
        ctx = desk._ctx
        for subject in (s for s in S if s.is_action):
            checked += 1
            if expect(S.METADATA) is DENY:
                with pytest.raises(lc.NotFound):
                    load_for(ctx, principal, complaint.tracking_id)
                continue
            loaded, relation = load_for(ctx, principal, complaint.tracking_id)
            if expect(subject) is ALLOW:
                authorise(loaded, relation, lc.Action(subject.value))
            else:
                with pytest.raises(lc.NotAllowed):
                    authorise(loaded, relation, lc.Action(subject.value))
    assert checked == 32 * 7 * 19
