"""Privacy of statistics, maps and exports: canaries never leak, small confidential cells never show.

The canary sweep builds complaints in every state with every flag combination, each reporter with a unique
identity (name, e-mail, phone, NIK, account), each confidential complaint with a unique title, body and
street address, and each location with unique precise coordinates. Then every principal asks for every
statistic, every export format, the GeoJSON and the choropleths, and every output is searched.
Statistics and maps hold no reporter identity for anyone, and no content, address, precise coordinate
or tracking ID of a complaint the public may not see.
"""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Callable
from datetime import datetime

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lapor_core as lc
from desk_support import ADMIN, PEPPER, WIB, drive_to, submission
from lapor_core._application import statistics
from lapor_core._domain.stats import GROUP_KEYS, SUPPRESSION_THRESHOLD
from lapor_core.cli import _stats as cli_stats
from lapor_core.cli._text import Console
from lapor_core.plugins import Complaint
from lapor_core.testing import FrozenClock
from lapor_core.testing.builders import complaint, location, new_tracking_id
from stats_support import (
    PRINCIPALS,
    CountingMemoryStore,
    complaint_sets,
    filter_sets,
    group_bys,
    in_period,
    keys_of,
    load,
    passes,
    shown_to,
)

A, B, UNIT = "31.71", "73.71", "dinas-pu"
STATES = ("submitted", "on_hold", "archived", "forwarded", "assigned", "followed_up", "closed", "declined")
PUBLIC_STATES = ("forwarded", "assigned", "followed_up", "closed")


@attrs.frozen
class Case:
    """One complaint of the population and its unique strings."""

    index: int
    tid: str
    state: str
    confidential: bool

    @property
    def identity(self) -> tuple[str, ...]:
        i = self.index
        return (f"Kanari {i:03d} Zq", f"kanari{i:03d}@canary.example", f"819{i:04d}7733", f"31719999{i:08d}")

    @property
    def account(self) -> str:
        return f"kanari-akun-{self.index:03d}"

    @property
    def content(self) -> tuple[str, ...]:
        i = self.index
        return (f"Judul kanari {i:03d}", f"Isi kanari {i:03d}", f"Jl. Kanari No. {i:03d}")

    @property
    def lat(self) -> float:
        return -6.1 - self.index * 0.000137

    @property
    def precise(self) -> str:
        """The coordinate to four decimals: what a map may never show."""
        return f"{self.lat:.4f}"


@pytest.fixture(scope="module")
def population() -> tuple[lc.ComplaintDesk, list[Case]]:
    """Every state x flags, three copies each (half from citizen accounts), plus a releasable pool."""
    clock = FrozenClock(datetime(2026, 3, 17, 10, tzinfo=WIB))
    directory = lc.InstitutionDirectory.default().with_units(A, [lc.WorkUnit(UNIT, "Dinas PU")])
    desk = lc.ComplaintDesk(store=CountingMemoryStore(), clock=clock, pepper=PEPPER, directory=directory)
    cases: list[Case] = []
    combos = itertools.product(STATES, (False, True), (False, True), range(3))
    for index, (state, anonymous, confidential, _) in enumerate(combos):
        probe = Case(index, "", state, confidential)
        name, email, phone, nik = probe.identity
        data = {
            "anonymous": anonymous,
            "confidential": confidential,
            "title": probe.content[0],
            "body": probe.content[1],
            "category": "roads-bridges",
            "location": {"region": "31.71.01", "lat": probe.lat, "lon": 106.8, "address": probe.content[2]},
            "reporter": {"name": name, "email": email, "phone": f"0{phone}", "nik": nik},
        }
        account = lc.Principal.citizen(probe.account) if index % 2 else None
        receipt = desk.submit(submission(**data), account)
        case = attrs.evolve(probe, tid=receipt.tracking_id)
        drive_to(desk, case.tid, receipt.access_key, case.state, institution=A, unit=UNIT)
        cases.append(case)
    for index in range(len(cases), len(cases) + 12):
        probe = Case(index, "", "forwarded", confidential=True)
        name, email, phone, nik = probe.identity
        data = {
            "confidential": True,
            "title": probe.content[0],
            "body": probe.content[1],
            "category": "health",
            "location": {"region": "31.71.01", "lat": probe.lat, "lon": 106.8, "address": probe.content[2]},
            "reporter": {"name": name, "email": email, "phone": f"0{phone}", "nik": nik},
        }
        case = attrs.evolve(probe, tid=desk.submit(submission(**data)).tracking_id)
        desk.forward(ADMIN, case.tid, institution=A)
        cases.append(case)
    # The sweep records breaches before anything closes by itself.
    clock.set(datetime(2026, 3, 30, 10, tzinfo=WIB))
    desk.sweep()
    return desk, cases


SWEEP_PRINCIPALS: dict[str, lc.Principal] = {
    "public": lc.Principal.public(),
    "citizen": lc.Principal.citizen("kanari-akun-001"),
    "supervisor": lc.Principal.supervisor("ombudsman-1"),
    "admin": ADMIN,
    "officer A": lc.Principal.institution_officer("off-a", institution=A),
    "unit A": lc.Principal.unit_officer("u-a", institution=A, unit=UNIT),
    "officer B": lc.Principal.institution_officer("off-b", institution=B),
}
WRITERS: tuple[Callable[[list[dict[str, object]], Console], None], ...] = (
    cli_stats._csv,
    cli_stats._table,
    cli_stats._json,
)


def _outputs(desk: lc.ComplaintDesk, principal: lc.Principal) -> tuple[list[str], list[str]]:
    """Everything statistical the principal can get: (statistics and exports, maps)."""
    ctx = desk._ctx
    tables: list[str] = []
    groupings = [[key] for key in GROUP_KEYS] + [list(GROUP_KEYS), ["regency", "status"]]
    for group_by in groupings:
        rows = statistics.stats(ctx, principal, group_by=group_by)
        for write in WRITERS:
            out = io.StringIO()
            write(rows, Console(out=out, err=io.StringIO()))
            tables.append(out.getvalue())
    tables.append(json.dumps(statistics.stats(ctx, principal, group_by=["status"], include_sla=True)))
    maps = [
        json.dumps(statistics.geojson(ctx, principal)),
        json.dumps(statistics.geojson(ctx, principal, filters={"status": list(PUBLIC_STATES)})),
        json.dumps(statistics.choropleth(ctx, principal, level="province")),
        json.dumps(statistics.choropleth(ctx, principal, level="regency")),
    ]
    return tables, maps


@pytest.mark.parametrize("who", sorted(SWEEP_PRINCIPALS))
def test_no_canary_reaches_statistics_exports_or_maps(
    population: tuple[lc.ComplaintDesk, list[Case]], who: str
) -> None:
    """No reporter identity anywhere; no content, address, precise point or ID of a non-public complaint."""
    desk, cases = population
    tables, maps = _outputs(desk, SWEEP_PRINCIPALS[who])
    everything = "\n".join(tables + maps)
    for case in cases:
        for canary in (*case.identity, case.account):
            assert canary not in everything
        assert case.content[2] not in everything  # street addresses never leave the case
        assert case.precise not in everything  # nor points finer than about 100 m
        stored = desk.store.get(case.tid)
        public = stored.status.value in PUBLIC_STATES and not stored.confidential
        if not public:
            for text in (*case.content, case.tid):
                assert text not in everything
    published = [c for c in cases if c.state in PUBLIC_STATES and not c.confidential]
    assert all(c.tid in maps[0] and c.content[0] in maps[0] for c in published)


def test_the_sweep_population_covers_every_case(population: tuple[lc.ComplaintDesk, list[Case]]) -> None:
    """Every state and flag combination is there, three times, and the public map shows the public ones."""
    desk, cases = population
    assert len(cases) == len(STATES) * 4 * 3 + 12
    states = {desk.store.get(c.tid).status.value for c in cases}
    assert states == {"submitted", "on_hold", "archived", "forwarded", "assigned", "followed_up", "closed"}
    features = statistics.geojson(desk._ctx, lc.Principal.public())["features"]
    assert len(features) == len(PUBLIC_STATES) * 2 * 3  # the twelve confidential ones are not mapped


def test_confidential_pools_in_the_population_count_only_from_ten(
    population: tuple[lc.ComplaintDesk, list[Case]],
) -> None:
    """For the public, the six confidential road complaints per status are suppressed, the twelve counted."""
    desk, _ = population
    rows = statistics.stats(desk._ctx, lc.Principal.public(), group_by=["topic", "status"])
    cells = {(row["topic"], row["status"]): (row["count"], row["suppressed"]) for row in rows}
    roads = {("roads-bridges", s): (6, True) for s in ("assigned", "closed", "followed_up", "forwarded")}
    assert cells == {**roads, ("health", "forwarded"): (12, False)}


# --- suppression under differencing ------------------------------------------------------------------------


def _hidden_parts(
    complaints: list[Complaint],
    principal: lc.Principal,
    group_by: list[str],
    filters: dict[str, object],
    rows: list[dict[str, object]],
) -> list[int]:
    """Per row: its count minus the complaints the principal may see individually in that cell."""
    shown: dict[tuple[object, ...], int] = {}
    for c in complaints:
        merged = c.status is lc.Status.MERGED  # counted in ``merged``, not ``count`` (issue 22)
        if (
            shown_to(principal, c)
            and passes(c, filters)
            and in_period(c.submitted_at, filters)
            and not merged
        ):
            cell = tuple(keys_of(c)[k] for k in group_by)
            shown[cell] = shown.get(cell, 0) + 1
    return [int(str(row["count"])) - shown.get(tuple(row[k] for k in group_by), 0) for row in rows]


def _desk(complaints: list[Complaint]) -> lc.ComplaintDesk:
    return lc.ComplaintDesk(
        store=load(complaints), clock=FrozenClock(datetime(2026, 4, 20, tzinfo=WIB)), pepper=PEPPER
    )


@settings(max_examples=60)
@given(
    complaints=complaint_sets(),
    principal=st.sampled_from(PRINCIPALS),
    group_by=group_bys(),
    filters=filter_sets(),
)
def test_hidden_complaints_show_only_in_numbers_of_at_least_ten(
    complaints: list[Complaint], principal: lc.Principal, group_by: list[str], filters: dict[str, object]
) -> None:
    """Whatever the request, a row holds no hidden complaint or at least ten of them."""
    rows = statistics.stats(_desk(complaints)._ctx, principal, group_by=group_by, filters=filters)
    assert all(
        part == 0 or part >= SUPPRESSION_THRESHOLD
        for part in _hidden_parts(complaints, principal, group_by, filters, rows)
    )


@settings(max_examples=60)
@given(
    complaints=complaint_sets(),
    principal=st.sampled_from(PRINCIPALS),
    group_by=group_bys(),
    extra=st.sampled_from(GROUP_KEYS),
    filters=filter_sets(),
)
def test_a_finer_table_adds_up_to_the_coarser_one(
    complaints: list[Complaint],
    principal: lc.Principal,
    group_by: list[str],
    extra: str,
    filters: dict[str, object],
) -> None:
    """Splitting a grouping further sums back exactly, so differencing tables reveals nothing new."""
    ctx = _desk(complaints)._ctx
    coarse = statistics.stats(ctx, principal, group_by=group_by, filters=filters)
    finer_keys = group_by if extra in group_by else [*group_by, extra]
    finer = statistics.stats(ctx, principal, group_by=finer_keys, filters=filters)
    summed: dict[tuple[object, ...], list[object]] = {}
    for row in finer:
        cell = tuple(row[k] for k in group_by)
        total = summed.setdefault(cell, [0, False])
        total[0] = int(str(total[0])) + int(str(row["count"]))
        total[1] = bool(total[1]) or bool(row["suppressed"])
    assert {tuple(row[k] for k in group_by): [row["count"], row["suppressed"]] for row in coarse} == summed


def _lone_confidential_beside_a_pool() -> list[Complaint]:
    """Ten confidential complaints in Jakarta Pusat, one in Jakarta Utara, and two public ones."""
    march = datetime(2026, 3, 10, 9, tzinfo=WIB)
    common = {"status": lc.Status.FORWARDED, "category": "roads-bridges", "submitted_at": march}
    pool = [
        complaint(
            new_tracking_id(i + 1), confidential=True, institution=A, location=location("31.71.01"), **common
        )
        for i in range(10)
    ]
    lone = complaint(
        new_tracking_id(50), confidential=True, institution="31.72", location=location("31.72"), **common
    )
    plain = [
        complaint(new_tracking_id(60 + i), institution=A, location=location("31.71.02"), **common)
        for i in range(2)
    ]
    return [*pool, lone, *plain]


def test_no_pair_of_requests_isolates_a_lone_confidential_complaint() -> None:
    """Every grouping and filter of the example shows the lone complaint's cell only as suppressed."""
    complaints = _lone_confidential_beside_a_pool()
    ctx = _desk(complaints)._ctx
    public = lc.Principal.public()
    filter_options: list[dict[str, object]] = [
        {},
        {"region": "31"},
        {"region": "31.72"},
        {"institution": "31.72"},
        {"period": (datetime(2026, 3, 1, tzinfo=WIB), datetime(2026, 4, 1, tzinfo=WIB))},
        {"period": (datetime(2026, 3, 10, tzinfo=WIB), datetime(2026, 3, 11, tzinfo=WIB))},
    ]
    for size in (0, 1, 2):
        for group_by in itertools.combinations(GROUP_KEYS, size):
            for filters in filter_options:
                rows = statistics.stats(ctx, public, group_by=list(group_by), filters=filters)
                parts = _hidden_parts(complaints, public, list(group_by), filters, rows)
                assert set(parts) <= {0, 10}, (group_by, filters, rows)
    regencies = statistics.stats(ctx, public, group_by=["regency"])
    assert regencies == [
        {"regency": "31.71", "count": 12, "merged": 0, "suppressed": False},
        {"regency": "31.72", "count": 0, "merged": 0, "suppressed": True},
    ]


def test_csv_export_shows_a_suppressed_cell_without_its_small_number() -> None:
    """Two public and three confidential complaints: the CSV says 2 and suppressed, never 3 or 5."""
    march = datetime(2026, 3, 10, 9, tzinfo=WIB)
    complaints = [
        complaint(
            new_tracking_id(i + 1),
            status=lc.Status.FORWARDED,
            confidential=i >= 2,
            institution=A,
            location=location("31.71.01"),
            submitted_at=march,
        )
        for i in range(5)
    ]
    rows = statistics.stats(_desk(complaints)._ctx, lc.Principal.public(), group_by=["regency", "status"])
    out = io.StringIO()
    cli_stats._csv(rows, Console(out=out, err=io.StringIO()))
    assert out.getvalue() == "regency,status,count,merged,suppressed\n31.71,forwarded,2,0,True\n"
