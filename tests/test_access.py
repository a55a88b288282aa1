"""Principals, relations, decisions, redacted views and the generated policy page."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import SimpleNamespace

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import lapor_core as lc
from desk_support import ADMIN, make_desk, officer, submission
from lapor_core._domain.access import (
    ACTIONS,
    POLICY_RULES,
    READS,
    Decision,
    Relation,
    Rule,
    Subject,
    build_matrix,
    decide,
    policy_markdown,
    policy_matrix,
    relation_of,
)
from lapor_core._domain.complaint import ReporterIdentity
from lapor_core._domain.views import ANONYMOUS_NAME, build_view
from lapor_core.testing.builders import complaint as built_complaint

R, S, D, St = Relation, Subject, Decision, lc.Status
DOCS = Path(__file__).resolve().parents[1] / "docs"


# --- principals ------------------------------------------------------------------------------------------
def test_each_constructor_builds_its_role():
    """The class methods set the role and the fields that role needs."""
    assert lc.Principal.public().role is lc.Role.PUBLIC
    citizen = lc.Principal.citizen("warga-1", verified=True, region="31.71")
    assert (citizen.role, citizen.user_id, citizen.verified, citizen.region) == (
        lc.Role.CITIZEN,
        "warga-1",
        True,
        "31.71",
    )
    assert lc.Principal.admin("adm").role is lc.Role.ADMIN
    unit = lc.Principal.unit_officer("u", institution="31.71", unit="dinas-pu")
    assert (unit.institution, unit.unit) == ("31.71", "dinas-pu")
    assert lc.Principal.supervisor("ombudsman").role is lc.Role.SUPERVISOR
    assert lc.Principal.reporter("7K3M9QXF2HJQ").tracking_id == "7K3M9QXF2HJQ"


@pytest.mark.parametrize("bad", ["", "   ", None, 42, "x" * 201])
def test_principal_ids_must_be_short_non_empty_strings(bad):
    """Empty, blank, non-string or over-long IDs are refused with the field named."""
    for build, field in (
        (lambda: lc.Principal.admin(bad), "user_id"),
        (lambda: lc.Principal.citizen(bad), "account_id"),
        (lambda: lc.Principal.institution_officer("off", institution=bad), "institution"),
        (lambda: lc.Principal.unit_officer("u", institution="31.71", unit=bad), "unit"),
        (lambda: lc.Principal.reporter(bad), "tracking_id"),
    ):
        with pytest.raises(lc.ValidationError) as caught:
            build()
        assert [e.field for e in caught.value.errors] == [field]


def test_a_reporters_proof_is_kept_out_of_its_repr():
    """The proof is a bearer secret: it never appears in a principal's repr (logs)."""
    assert "s3cret-proof" not in repr(lc.Principal.reporter("7K3M9QXF2HJQ", proof="s3cret-proof"))


# --- relations ---------------------------------------------------------------------------------------------
def test_staff_relate_to_a_complaint_only_while_it_is_at_them():
    """Institution staff relate while it is at their institution; unit staff while it is assigned to them."""
    at_a = built_complaint(status=St.ASSIGNED, institution="31.71", unit="dinas-pu")
    a_officer = lc.Principal.institution_officer("o", institution="31.71")
    b_officer = lc.Principal.institution_officer("o", institution="73.71")
    a_unit = lc.Principal.unit_officer("u", institution="31.71", unit="dinas-pu")
    other_unit = lc.Principal.unit_officer("u", institution="31.71", unit="dinas-kesehatan")
    b_same_name = lc.Principal.unit_officer("u", institution="73.71", unit="dinas-pu")
    assert relation_of(a_officer, at_a) is R.INSTITUTION
    assert relation_of(a_unit, at_a) is R.UNIT
    assert relation_of(b_officer, at_a) is R.PUBLIC
    assert relation_of(other_unit, at_a) is R.PUBLIC
    assert relation_of(b_same_name, at_a) is R.PUBLIC
    rerouted = attrs.evolve(at_a, institution="73.71", unit=None)
    assert relation_of(a_officer, rerouted) is R.PUBLIC
    assert relation_of(a_unit, rerouted) is R.PUBLIC
    declined = attrs.evolve(at_a, status=St.SUBMITTED, institution=None, unit=None)
    assert relation_of(a_officer, declined) is R.PUBLIC


def test_a_reporter_principal_needs_the_desks_proof_for_that_complaint():
    """Without the proof, with a wrong one, or for another complaint, a reporter principal is the public."""
    mine = built_complaint()
    other = built_complaint()
    assert relation_of(lc.Principal.reporter(mine.tracking_id), mine, reporter_proof="p") is R.PUBLIC
    assert relation_of(lc.Principal.reporter(mine.tracking_id, proof="p"), mine) is R.PUBLIC
    assert (
        relation_of(lc.Principal.reporter(mine.tracking_id, proof="q"), mine, reporter_proof="p") is R.PUBLIC
    )
    proven = lc.Principal.reporter(mine.tracking_id, proof="p")
    assert relation_of(proven, mine, reporter_proof="p") is R.REPORTER
    assert relation_of(proven, other, reporter_proof="p") is R.PUBLIC


def test_a_citizen_is_the_reporter_only_of_the_complaint_its_account_submitted():
    """The owner hash recognises the submitting account; any other citizen is a citizen."""
    owned = built_complaint(owner_hash="h-1")
    citizen = lc.Principal.citizen("warga-1")
    assert relation_of(citizen, owned, owner_hash="h-1") is R.REPORTER
    assert relation_of(citizen, owned, owner_hash="h-2") is R.CITIZEN
    assert relation_of(citizen, built_complaint(), owner_hash="h-1") is R.CITIZEN
    assert relation_of(lc.Principal.admin("a"), owned) is R.ADMIN
    assert relation_of(lc.Principal.supervisor("s"), owned) is R.SUPERVISOR
    assert relation_of(lc.Principal.public(), owned) is R.PUBLIC


# --- decisions ----------------------------------------------------------------------------------------------
def test_subjects_are_split_into_field_groups_and_actions():
    """Every subject is exactly one of a field group or an action, and each action is a lifecycle action."""
    assert set(READS) | set(ACTIONS) == set(S)
    assert not set(READS) & set(ACTIONS)
    assert all(not s.is_action for s in READS)
    assert {lc.Action(s.value) for s in ACTIONS} <= set(lc.Action)


@given(
    relation=st.sampled_from(R),
    subject=st.sampled_from(S),
    anonymous=st.booleans(),
    confidential=st.booleans(),
    status=st.sampled_from(St),
)
def test_decide_is_the_matrix_lookup(relation, subject, anonymous, confidential, status):
    """For every valid combination decide() returns the matrix cell."""
    got = decide(relation, subject, anonymous=anonymous, confidential=confidential, status=status)
    assert got is policy_matrix()[(relation, subject, anonymous, confidential, status)]


@given(
    junk=st.one_of(
        st.none(),
        st.integers(),
        st.text(max_size=20),
        st.sampled_from([*R, *S, *St]).map(str),
        st.lists(st.integers(), max_size=2),
    )
)
def test_decide_denies_anything_it_does_not_know(junk):
    """Junk in any position (unhashable, 0 for False, "admin" for the member) is a denial, never an error."""
    keys = {
        "relation": R.ADMIN,
        "subject": S.METADATA,
        "status": St.FORWARDED,
        "anonymous": False,
        "confidential": False,
    }
    assert decide(**keys) is D.ALLOW
    for position in keys:
        assert decide(**{**keys, position: junk}) is D.DENY


def test_an_empty_table_denies_everything_and_the_first_matching_rule_wins():
    """build_matrix() defaults to deny, and of two rows covering the same cell the first decides."""
    assert set(build_matrix(()).values()) == {D.DENY}
    cell = (R.PUBLIC, S.CONTENT, False, False, St.FORWARDED)
    first = Rule(frozenset({R.PUBLIC}), frozenset({S.CONTENT}), None, None, None, D.REDACT, "first")
    second = Rule(frozenset({R.PUBLIC}), frozenset({S.CONTENT}), None, None, None, D.ALLOW, "second")
    assert build_matrix((first, second))[cell] is D.REDACT
    assert build_matrix((second, first))[cell] is D.ALLOW


def test_the_policy_table_is_read_only():
    """The expanded matrix cannot be changed at run time."""
    with pytest.raises(TypeError):
        policy_matrix()[(R.PUBLIC, S.REPORTER_CONTACT, False, False, St.FORWARDED)] = D.ALLOW  # type: ignore[index]


# --- the generated page ---------------------------------------------------------------------------------
def test_the_markdown_lists_every_rule_and_one_table_per_relation():
    """Each rule's reason appears in order; each relation has a table with one row per subject."""
    text = policy_markdown()
    position = 0
    for number, rule in enumerate(POLICY_RULES, start=1):
        position = text.index(f"| {number} |", position)
        assert text[position:].split("\n", 1)[0].endswith(f"| {rule.why} |")
    for relation in R:
        section = text.split(f"#### {relation.value}\n", 1)[1].split("####", 1)[0]
        rows = [line for line in section.splitlines() if line.startswith("| `")]
        assert [row.split("`")[1] for row in rows] == [s.value for s in (*READS, *ACTIONS)]


def test_the_markdown_states_the_cell_counts_of_the_matrix():
    """The counts line is computed from the matrix itself."""
    values = list(policy_matrix().values())
    expected = (
        f"7,168 combinations (8 relations x 28 subjects x 4 flag combinations x 8 statuses): "
        f"{values.count(D.ALLOW):,} allow, {values.count(D.REDACT):,} redact, {values.count(D.DENY):,} deny."
    )
    assert expected in policy_markdown()


def test_a_cell_that_varies_by_status_names_the_statuses():
    """The public's metadata of a plain complaint reads allow when published, deny when unpublished."""
    public = policy_markdown().split("#### public\n", 1)[1]
    row = next(line for line in public.splitlines() if line.startswith("| `metadata`"))
    assert row.split(" | ")[1] == "allow (published); deny (unpublished)"


def _load_docs_conf():
    spec = importlib.util.spec_from_file_location("lapor_docs_conf", DOCS / "conf.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_docs_build_writes_the_generated_table_that_the_policy_page_includes(tmp_path):
    """The Sphinx hook writes policy_markdown() where docs/topics/access-policy.md includes it from."""
    conf = _load_docs_conf()
    conf.write_policy_table(SimpleNamespace(srcdir=str(tmp_path)))
    assert (tmp_path / "_generated" / "policy-table.md").read_text(encoding="utf-8") == policy_markdown()
    page = (DOCS / "topics" / "access-policy.md").read_text(encoding="utf-8")
    assert "```{include} ../_generated/policy-table.md" in page
    assert "_generated" in conf.exclude_patterns


def test_the_security_page_quotes_the_figures_the_tests_assert():
    """docs/security.md states the matrix size and the zero counts the proofs assert."""
    text = (DOCS / "security.md").read_text(encoding="utf-8")
    values = list(policy_matrix().values())
    assert f"{len(values):,} combinations checked; 0 differences, so 0 unexpected allows" in text
    assert (
        f"({values.count(D.ALLOW):,} allow, {values.count(D.REDACT):,} redact, {values.count(D.DENY):,} deny)"
        in text
    )
    assert f"{3 * len(POLICY_RULES)} altered tables, {3 * len(POLICY_RULES)} caught" in text
    # The sweeps assert these counts themselves (EXPECTED_OUTPUTS, EXPECTED_ATTEMPTS...): keep them in step.
    figures = ("11,905 outputs searched: 0 canary hits", "2,052 attempts: 0 successful commands", "1,512")
    for figure in figures:
        assert figure in text


# --- redacted views (pure) ------------------------------------------------------------------------------
IDENTITY = ReporterIdentity(
    ref="r1", name="Siti", email="s@example.id", phone="+62812", nik="3171", account_id="a"
)
LOCATION = lc.Location(region="31.71.01", lat=-6.18654, lon=106.83419, address="Jl. Menteng Raya 1")


def _view(
    decisions: dict[Subject, Decision], identity: ReporterIdentity | None = IDENTITY
) -> lc.ComplaintView:
    complaint = built_complaint(status=St.FORWARDED, institution="31.71", location=LOCATION)
    return build_view(complaint, (), identity, (), lambda s: decisions.get(s, D.DENY))


def test_a_view_with_only_metadata_shows_no_content_identity_or_timeline():
    """Only metadata allowed: no title, body, location, reporter or timeline; every other group withheld."""
    view = _view({S.METADATA: D.ALLOW})
    assert (view.title, view.body, view.location, view.reporter, view.timeline) == (
        None,
        None,
        None,
        None,
        (),
    )
    assert view.withheld == {s.value for s in READS} - {"metadata"}


def test_a_coarse_location_is_rounded_to_about_100_m_and_loses_its_street_address():
    """Precise location redacted: three decimals (about 111 m) and no address; allowed: everything exact."""
    coarse = _view({S.CONTENT: D.ALLOW, S.PRECISE_LOCATION: D.REDACT}).location
    assert coarse == lc.Location(region="31.71.01", lat=-6.187, lon=106.834, address=None)
    assert _view({S.CONTENT: D.ALLOW, S.PRECISE_LOCATION: D.ALLOW}).location == LOCATION


def test_a_redacted_name_reads_anonim_and_redacted_contact_shows_nothing():
    """Redacted identity shows the Anonim placeholder and no contact field."""
    view = _view({S.REPORTER_NAME: D.REDACT, S.REPORTER_CONTACT: D.REDACT})
    assert view.reporter == lc.ReporterView(name=ANONYMOUS_NAME)
    named = _view({S.REPORTER_NAME: D.ALLOW})
    assert named.reporter == lc.ReporterView(name="Siti")
    full = _view({S.REPORTER_NAME: D.ALLOW, S.REPORTER_CONTACT: D.ALLOW})
    assert full.reporter == lc.ReporterView("Siti", "s@example.id", "+62812", "3171", "a")


def test_an_allowed_identity_that_is_missing_shows_no_reporter():
    """No identity record (nothing identifies anyone, or the store could not give it): no reporter fields."""
    assert _view({S.REPORTER_NAME: D.ALLOW, S.REPORTER_CONTACT: D.ALLOW}, identity=None).reporter is None


def test_a_view_serialises_to_plain_json():
    """lc.to_dict(view) gives JSON-ready data; withheld groups become a sorted list."""
    desk, _ = make_desk()
    tid = desk.submit(submission()).tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    data = lc.to_dict(desk.view(lc.Principal.public(), tid))
    assert json.loads(json.dumps(data)) == data
    assert data["withheld"] == sorted(data["withheld"])
    assert data["reporter"] == {
        "name": "Siti Aminah",
        "email": None,
        "phone": None,
        "nik": None,
        "account_id": None,
    }
    assert data["location"]["address"] is None


# --- the rules through the desk ---------------------------------------------------------------------------
@pytest.fixture
def published() -> tuple[lc.ComplaintDesk, str]:
    """A named, public complaint assigned to unit dinas-pu of Kota Jakarta Pusat."""
    desk, _ = make_desk()
    tid = desk.submit(submission()).tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    desk.assign(officer(), tid, "dinas-pu")
    return desk, tid


def test_outsiders_of_every_kind_get_exactly_the_public_view(published):
    """Another institution, another unit, a citizen and a key-less reporter principal get the public view."""
    desk, tid = published
    public = desk.view(lc.Principal.public(), tid)
    for outsider in (
        officer("73.71"),
        lc.Principal.unit_officer("u", institution="31.71", unit="dinas-kesehatan"),
        lc.Principal.unit_officer("u", institution="73.71", unit="dinas-pu"),
        lc.Principal.citizen("warga-9"),
        lc.Principal.reporter(tid),
    ):
        assert desk.view(outsider, tid) == public


def test_oversight_sees_the_public_view_and_more_but_never_contact_data(published):
    """A supervisor sees what the public sees plus exact location and history, and no contact field."""
    desk, tid = published
    public = desk.view(lc.Principal.public(), tid)
    oversight = desk.view(lc.Principal.supervisor("ombudsman"), tid)
    assert oversight.reporter == public.reporter == lc.ReporterView(name="Siti Aminah")
    assert (oversight.title, oversight.body, oversight.timeline) == (
        public.title,
        public.body,
        public.timeline,
    )
    assert oversight.withheld < public.withheld
    assert desk.history(lc.Principal.supervisor("ombudsman"), tid)


def test_an_institution_loses_access_when_the_complaint_is_re_routed_away(published):
    """After bukan wewenang and re-forwarding, the first institution and its unit see only the public view."""
    desk, tid = published
    desk.decline(officer(), tid, "Kewenangan provinsi.")
    for former in (officer(), lc.Principal.unit_officer("u", institution="31.71", unit="dinas-pu")):
        with pytest.raises(lc.NotFound):
            desk.view(former, tid)
    desk.forward(ADMIN, tid, institution="31")
    public = desk.view(lc.Principal.public(), tid)
    assert desk.view(officer(), tid) == public
    with pytest.raises(lc.NotAllowed):
        desk.follow_up(officer(), tid, "Masih kami.")
    assert desk.view(officer("31"), tid).reporter.email == "siti@example.id"


def test_a_unit_loses_access_when_the_complaint_is_assigned_to_another_unit(published):
    """Re-disposition to another unit ends the first unit's extra access."""
    desk, tid = published
    first = lc.Principal.unit_officer("u", institution="31.71", unit="dinas-pu")
    assert desk.view(first, tid).reporter.email == "siti@example.id"
    desk.assign(officer(), tid, "dinas-kesehatan")
    assert desk.view(first, tid) == desk.view(lc.Principal.public(), tid)


def test_a_confidential_complaint_does_not_exist_for_the_public_or_other_institutions():
    """Rahasia: NotFound for the public, citizens, oversight and other institutions; handlers see it."""
    desk, _ = make_desk()
    tid = desk.submit(submission(confidential=True)).tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    for outsider in (
        lc.Principal.public(),
        lc.Principal.citizen("w"),
        lc.Principal.supervisor("s"),
        officer("73.71"),
    ):
        with pytest.raises(lc.NotFound):
            desk.view(outsider, tid)
    assert desk.view(officer(), tid).title == "Jalan berlubang"


def test_the_admin_sets_flags_at_verification_but_never_clears_them():
    """Forwarding may set anonymous and confidential; clearing a flag (reporter's or admin's) is refused."""
    desk, _ = make_desk()
    tid = desk.submit(submission(anonymous=True)).tracking_id
    with pytest.raises(lc.ValidationError) as caught:
        desk.forward(ADMIN, tid, institution="31.71", anonymous=False)
    assert [e.field for e in caught.value.errors] == ["anonymous"]
    view = desk.forward(ADMIN, tid, institution="31.71", confidential=True)
    assert (view.anonymous, view.confidential) == (True, True)
    desk.decline(officer(), tid, "Bukan wewenang.")
    with pytest.raises(lc.ValidationError):
        desk.forward(ADMIN, tid, institution="31", confidential=False)
    assert desk.view(ADMIN, tid).confidential


def test_an_admins_normal_view_of_an_anonymous_reporter_reads_anonim():
    """The design choice: admins see an anonymous identity only through the recorded reveal."""
    desk, _ = make_desk()
    tid = desk.submit(submission(anonymous=True)).tracking_id
    assert desk.view(ADMIN, tid).reporter == lc.ReporterView(name=ANONYMOUS_NAME)
    assert desk.reveal_identity(ADMIN, tid, "Permintaan Ombudsman.").name == "Siti Aminah"
    last = desk.history(ADMIN, tid)[-1]
    assert (last.action, last.actor.user_id, last.payload) == (
        lc.Action.REVEAL_IDENTITY,
        "adm-1",
        {"reason": "Permintaan Ombudsman."},
    )
