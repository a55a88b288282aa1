"""Random commands by random principals over random times: the desk's invariants hold after every step."""

from __future__ import annotations

import contextlib
from datetime import datetime

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

import lapor_core as lc
from desk_support import WIB, make_desk, submission
from lapor_core._application.context import next_attention
from lapor_core._domain.sla import SlaState
from lapor_core.plugins import Complaint

INSTITUTIONS = ("31.71", "73.71", "91.71")
PRINCIPALS = st.sampled_from(
    [
        ("admin", None),
        ("officer", "31.71"),
        ("officer", "73.71"),
        ("unit", "31.71"),
        ("reporter", None),
        ("other_reporter", None),
        ("citizen", None),
        ("public", None),
        ("supervisor", None),
    ]
)
ACTIONS = st.sampled_from(
    [
        "forward",
        "request_info",
        "provide_info",
        "archive",
        "assign",
        "decline",
        "follow_up",
        "reply",
        "close",
        "rate",
        "support",
        "merge",
        "escalate",
        "record_findings",
        "conclude_escalation",
    ]
)


class DeskMachine(RuleBasedStateMachine):
    """Drives one desk with arbitrary commands and checks the invariants of the issue after every step."""

    def __init__(self) -> None:
        super().__init__()
        self.desk, self.clock = make_desk(datetime(2026, 3, 16, 9, tzinfo=WIB))
        self.receipts: list[lc.Receipt] = []
        self.terminal: dict[str, lc.Status] = {}

    def principal(self, who: str, where: str | None, index: int) -> lc.Principal:
        if who == "admin":
            return lc.Principal.admin("adm")
        if who == "officer":
            return lc.Principal.institution_officer("off", institution=where or "31.71")
        if who == "unit":
            return lc.Principal.unit_officer("u", institution=where or "31.71", unit="dinas-pu")
        if who in ("reporter", "other_reporter"):
            receipts = self.receipts
            own = receipts[index % len(receipts)]
            other = receipts[(index + 1) % len(receipts)]
            chosen = own if who == "reporter" else other
            return self.desk.authenticate(chosen.tracking_id, chosen.access_key)
        if who == "citizen":
            return lc.Principal.citizen("warga-1", verified=True)
        if who == "supervisor":
            return lc.Principal.supervisor("ombudsman")
        return lc.Principal.public()

    @rule(anonymous=st.booleans(), confidential=st.booleans())
    def submit(self, anonymous: bool, confidential: bool) -> None:
        self.receipts.append(self.desk.submit(submission(anonymous=anonymous, confidential=confidential)))

    @rule(hours=st.integers(1, 24 * 9))
    def advance(self, hours: int) -> None:
        self.clock.advance(hours=hours)

    @rule()
    def sweep(self) -> None:
        self.desk.sweep(self.clock.now())

    @precondition(lambda self: self.receipts)
    @rule(index=st.integers(0, 50), choice=st.integers(0, 9), institution=st.sampled_from(INSTITUTIONS))
    def progress(self, index: int, choice: int, institution: str) -> None:
        """Take the complaint one valid step further, by the principal entitled to it."""
        receipt = self.receipts[index % len(self.receipts)]
        tid = receipt.tracking_id
        complaint = self.desk.store.get(tid)
        reporter = self.desk.authenticate(tid, receipt.access_key)
        admin = lc.Principal.admin("adm")
        officer = lc.Principal.institution_officer("off", institution=complaint.institution or "31.71")
        status = complaint.status
        into = self.desk.store.get(self.receipts[(index + 1) % len(self.receipts)].tracking_id)
        mergeable = into.tracking_id != tid and into.status not in (lc.Status.MERGED, lc.Status.ARCHIVED)
        if choice == 9 and complaint.is_open and mergeable:
            self.desk.merge(admin, tid, into=into.tracking_id)
        elif complaint.escalation is lc.Escalation.OPEN and choice >= 5:
            ombudsman = lc.Principal.supervisor("ombudsman")
            if choice == 5:
                self.desk.record_findings(ombudsman, tid, "Temuan.")
            else:
                self.desk.conclude_escalation(ombudsman, tid, "Selesai.")
        elif complaint.escalation is None and choice == 8 and status is not lc.Status.MERGED:
            # Allowed only after a missed deadline or soon after closing; both happen here, refusals too.
            with contextlib.suppress(lc.EscalationNotAllowed):
                self.desk.escalate(reporter, tid, reason="Tidak puas.")
        elif status is lc.Status.SUBMITTED:
            if choice == 0:
                self.desk.request_info(admin, tid, "Mohon detail.")
            elif choice == 1:
                self.desk.archive(admin, tid, "Duplikat.")
            else:
                self.desk.forward(admin, tid, institution=institution, confidential=choice == 2 or None)
        elif status is lc.Status.ON_HOLD:
            self.desk.provide_info(reporter, tid, "Detail.")
        elif status in (lc.Status.FORWARDED, lc.Status.ASSIGNED):
            if choice == 0:
                self.desk.decline(officer, tid, "Bukan wewenang.")
            elif choice < 4 and status is lc.Status.FORWARDED:
                self.desk.assign(officer, tid, "dinas-pu")
            else:
                self.desk.follow_up(officer, tid, "Ditindaklanjuti.")
        elif status is lc.Status.FOLLOWED_UP:
            if choice < 3:
                self.desk.reply(reporter if choice else admin, tid, "Belum selesai.")
            elif choice == 3:
                self.desk.close_complaint(reporter, tid)
        elif status is lc.Status.CLOSED and complaint.rating is None:  # a rating is given once
            self.desk.rate(reporter, tid, 1 + choice % 5)
        after = self.desk.store.get(tid)
        assert after.version >= complaint.version

    @precondition(lambda self: self.receipts)
    @rule(
        index=st.integers(0, 50),
        who=PRINCIPALS,
        action=ACTIONS,
        institution=st.sampled_from(INSTITUTIONS),
        flag=st.sampled_from([None, True, False]),
    )
    def command(
        self, index: int, who: tuple[str, str | None], action: str, institution: str, flag: bool | None
    ) -> None:
        receipt = self.receipts[index % len(self.receipts)]
        tid = receipt.tracking_id
        principal = self.principal(who[0], who[1], index)
        other = self.receipts[(index + 2) % len(self.receipts)].tracking_id  # what a merge goes into
        before = self.desk.store.get(tid)
        other_before = self.desk.store.get(other)
        calls = {
            "forward": lambda: self.desk.forward(principal, tid, institution=institution, anonymous=flag),
            "request_info": lambda: self.desk.request_info(principal, tid, "Mohon detail."),
            "provide_info": lambda: self.desk.provide_info(principal, tid, "Detail."),
            "archive": lambda: self.desk.archive(principal, tid, "Duplikat."),
            "assign": lambda: self.desk.assign(principal, tid, "dinas-pu"),
            "decline": lambda: self.desk.decline(principal, tid, "Bukan wewenang."),
            "follow_up": lambda: self.desk.follow_up(principal, tid, "Ditindaklanjuti."),
            "reply": lambda: self.desk.reply(principal, tid, "Belum selesai."),
            "close": lambda: self.desk.close_complaint(principal, tid),
            "rate": lambda: self.desk.rate(principal, tid, 4),
            "support": lambda: self.desk.support(principal, tid),
            "merge": lambda: self.desk.merge(principal, tid, into=other),
            "escalate": lambda: self.desk.escalate(principal, tid, reason="Tidak puas."),
            "record_findings": lambda: self.desk.record_findings(principal, tid, "Temuan."),
            "conclude_escalation": lambda: self.desk.conclude_escalation(principal, tid, "Selesai."),
        }
        refusals = (
            lc.NotFound,
            lc.NotAllowed,
            lc.TransitionNotAllowed,
            lc.ValidationError,
            lc.EscalationNotAllowed,
        )
        try:
            calls[action]()
        except refusals:
            after = self.desk.store.get(tid)
            assert after == before, f"a refused {action} by {who} changed the complaint"
            assert self.desk.store.get(other) == other_before, f"a refused {action} changed another"
            return
        role = who[0]
        allowed_roles = {
            "forward": {"admin"},
            "request_info": {"admin"},
            "archive": {"admin"},
            "provide_info": {"reporter"},
            "assign": {"officer"},
            "decline": {"officer"},
            "follow_up": {"officer", "unit"},
            "reply": {"reporter", "admin"},
            "close": {"reporter"},
            "rate": {"reporter"},
            "support": {"citizen"},
            "merge": {"admin"},
            "escalate": {"reporter"},
            "record_findings": {"supervisor"},
            "conclude_escalation": {"supervisor"},
        }
        assert role in allowed_roles[action], f"{who} was allowed to {action}"

    @invariant()
    def every_complaint_is_consistent(self) -> None:
        now = self.clock.now()
        for receipt in self.receipts:
            tid = receipt.tracking_id
            complaint = self.desk.store.get(tid)
            events = self.desk.store.history(tid)
            assert complaint.status in set(lc.Status)
            assert complaint.version == len(events)
            assert self.desk.verify_history(tid).ok
            if tid in self.terminal:
                assert complaint.status is self.terminal[tid], "a closed or archived complaint moved"
            elif complaint.status.is_terminal:
                self.terminal[tid] = complaint.status
            if complaint.is_open:
                clocks, state = self.desk._ctx.continue_clocks(SlaState(), events, start=0, now=now)
                assert complaint.sla_state == state, "kept SLA state differs from a replay"
                assert complaint.head_hash == events[-1].hash
                fresh = next_attention(clocks, state)
                assert complaint.next_due_at == fresh, "stored deadline differs from a recomputation"
            else:
                assert complaint.next_due_at is None
            assert (complaint.merged_into is not None) == (complaint.status is lc.Status.MERGED)
            self.merges_end(complaint)

    def merges_end(self, complaint: Complaint) -> None:
        """Following merges from a complaint ends at one that is not merged: merges form no cycle."""
        seen = {complaint.tracking_id}
        while complaint.merged_into is not None:
            complaint = self.desk.store.get(complaint.merged_into)
            assert complaint.tracking_id not in seen, "merges form a cycle"
            seen.add(complaint.tracking_id)


DeskMachine.TestCase.settings = settings(max_examples=50, stateful_step_count=40, deadline=None)
test_desk_state_machine = DeskMachine.TestCase
