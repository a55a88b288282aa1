from __future__ import annotations

import inspect
from collections import Counter
from datetime import UTC, date, datetime, timedelta, timezone

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lapor_core as lc
from desk_support import ADMIN, PEPPER, WIB, make_desk, officer, submission
from lapor_core._application import statistics
from lapor_core._domain import ports
from lapor_core._domain.calendar import WorkingCalendar
from lapor_core._domain.filters import Filters
from lapor_core._domain.sla import SlaPolicy, Step, compute_clocks
from lapor_core._domain.stats import (
    COUNT_KEYS,
    GROUP_KEYS,
    SUPPRESSION_THRESHOLD,
    CountQuery,
    CountRow,
    SlaFacts,
    Visibility,
    count_rows,
    make_classifier,
    month_of,
    parse_group_by,
    plan_stats,
    sla_facts,
    summarize_sla,
    tabulate,
)
from lapor_core.plugins import Complaint
from lapor_core.testing import FrozenClock
from lapor_core.testing.builders import complaint, location, new_tracking_id
from stats_support import (
    PRINCIPALS,
    PagingOnlyStore,
    brute_force,
    complaint_sets,
    count_keys_of,
    filter_sets,
    group_bys,
    in_period,
    load,
    passes,
)

PUBLIC = lc.Principal.public()
MARCH = datetime(2026, 3, 10, 9, tzinfo=WIB)


def desk_on(store: lc.ComplaintDesk | object) -> lc.ComplaintDesk:
    """A desk on ``store`` with a frozen clock in April 2026."""
    return lc.ComplaintDesk(store=store, clock=FrozenClock(datetime(2026, 4, 20, tzinfo=WIB)), pepper=PEPPER)  # type: ignore[arg-type]


def run(desk: lc.ComplaintDesk, principal: lc.Principal, **options: object) -> list[dict[str, object]]:
    """``stats`` through the application service of ``desk``."""
    return statistics.stats(desk._ctx, principal, **options)  # type: ignore[arg-type]


def confidential_cluster(size: int, **fields: object) -> list[Complaint]:
    """``size`` published confidential complaints with identical group keys."""
    base: dict[str, object] = {
        "status": lc.Status.FORWARDED,
        "confidential": True,
        "institution": "31.71",
        "location": location("31.71.01"),
        "category": "roads-bridges",
        "submitted_at": MARCH,
    }
    offset = int(str(fields.pop("offset", 0)))
    base.update(fields)
    return [complaint(new_tracking_id(offset + i + 1), **base) for i in range(size)]


# --- the proof: the same rows as a brute-force recount, on every path -------------------------------------


@settings(max_examples=60)
@given(
    complaints=complaint_sets(),
    principal=st.sampled_from(PRINCIPALS),
    group_by=group_bys(),
    filters=filter_sets(),
)
def test_stats_equal_a_brute_force_recount_on_the_counting_store(
    complaints: list[Complaint], principal: lc.Principal, group_by: list[str], filters: dict[str, object]
) -> None:
    """Counting in the store gives exactly the rows the rules promise, for every principal and filter."""
    desk = desk_on(load(complaints))
    assert run(desk, principal, group_by=group_by, filters=filters) == brute_force(
        complaints, principal, group_by, filters
    )


@settings(max_examples=25)
@given(
    complaints=complaint_sets(max_templates=8),
    principal=st.sampled_from(PRINCIPALS),
    group_by=group_bys(),
    filters=filter_sets(),
)
def test_paging_a_store_without_counting_gives_the_same_rows(
    complaints: list[Complaint], principal: lc.Principal, group_by: list[str], filters: dict[str, object]
) -> None:
    """A store without ``count_complaints`` is paged and counted in Python, with the same result."""
    plain = desk_on(load(complaints, PagingOnlyStore()))
    counting = desk_on(load(complaints))
    assert not isinstance(plain.store, ports.StatisticsStore)
    assert run(plain, principal, group_by=group_by, filters=filters) == run(
        counting, principal, group_by=group_by, filters=filters
    )


@settings(max_examples=50)
@given(complaints=complaint_sets(max_templates=6), keys=st.lists(st.sampled_from(GROUP_KEYS), unique=True))
def test_count_rows_counts_every_matching_complaint_once(
    complaints: list[Complaint], keys: list[str]
) -> None:
    """The reference counter partitions the complaints: row counts add up and keys are unique."""
    rows = count_rows(complaints, CountQuery(keys))
    assert sum(row.count for row in rows) == len(complaints)
    assert len({row.key for row in rows}) == len(rows)
    assert all(row.count > 0 for row in rows)


# --- group keys, filters, months ---------------------------------------------------------------------------


def test_group_by_accepts_text_or_a_list() -> None:
    """``"province, status"`` and ``["province", "status"]`` are the same request."""
    assert (
        parse_group_by(" province, status ")
        == parse_group_by(["province", "status"])
        == ("province", "status")
    )
    assert parse_group_by("") == ()


def test_group_by_names_every_unknown_key() -> None:
    """All bad keys are reported at once, with the known ones."""
    with pytest.raises(lc.ValidationError) as caught:
        parse_group_by(["colour", "province", "size"])
    assert caught.value.fields_by_name == {"group_by": ("stats.group_key_unknown", "stats.group_key_unknown")}
    assert caught.value.errors[0].params == {"known": GROUP_KEYS}
    assert "colour" not in str(caught.value)  # the refused value is never echoed
    assert caught.value.messages()[0].startswith(
        "group_by: kunci tidak dikenal; yang dikenal: province, regency"
    )


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        (["status", "status"], "stats.group_key_repeated"),
        (42, "stats.group_by_not_keys"),
        (None, "stats.group_by_not_keys"),
        ([3], "stats.group_key_unknown"),
        ([["status"]], "stats.group_key_unknown"),
    ],
)
def test_group_by_refuses_repeats_and_non_text(bad: object, code: str) -> None:
    """A repeated key, a number, None or a nested list is a validation error on ``group_by``."""
    with pytest.raises(lc.ValidationError) as caught:
        parse_group_by(bad)  # type: ignore[arg-type]
    assert caught.value.fields_by_name == {"group_by": (code,)}


def test_filters_read_each_key() -> None:
    """Single values and lists, enums, region codes and date periods are normalised."""
    parsed = Filters.from_dict(
        {
            "status": [lc.Status.FORWARDED, "closed"],
            "institution": "31.71",
            "region": "3171",
            "category": ["roads-bridges", "health"],
            "kind": "aspirasi",
            "channel": ["sms"],
            "period": (date(2026, 3, 1), date(2026, 3, 31)),
        }
    )
    assert parsed.statuses == {lc.Status.FORWARDED, lc.Status.CLOSED}
    assert parsed.institutions == {"31.71"}
    assert parsed.region == "31.71"
    assert parsed.categories == {"roads-bridges", "health"}
    assert parsed.kinds == {lc.Kind.ASPIRASI}
    assert parsed.channels == {lc.Channel.SMS}
    assert parsed.submitted_from == datetime(2026, 3, 1, tzinfo=WIB)
    assert parsed.submitted_before == datetime(2026, 4, 1, tzinfo=WIB)


def test_a_period_of_aware_datetimes_excludes_its_end_and_may_be_open() -> None:
    """Datetimes are taken as given, the end excluded; None leaves a side open."""
    end = datetime(2026, 3, 20, 12, tzinfo=UTC)
    parsed = Filters.from_dict({"period": (None, end)})
    assert (parsed.submitted_from, parsed.submitted_before) == (None, end)
    assert Filters.from_dict(None) == Filters() == Filters.from_dict({})


def test_bad_filters_are_all_named_at_once() -> None:
    """Unknown keys and bad values are listed together, each under ``filters.<key>``."""
    with pytest.raises(lc.ValidationError) as caught:
        Filters.from_dict(
            {
                "colour": "red",
                "status": "flying",
                "region": "31.7",
                "kind": [],
                "channel": [7],
                "period": (datetime(2026, 3, 2), date(2026, 3, 1)),  # noqa: DTZ001 - the naive one is the error
            }
        )
    fields = caught.value.fields_by_name
    assert set(fields) == {
        "filters.colour",
        "filters.status",
        "filters.region",
        "filters.kind",
        "filters.channel",
        "filters.period",
    }
    assert fields["filters.colour"] == ("field.unknown",)
    assert fields["filters.status"] == ("value.not_choice",)
    assert fields["filters.kind"] == ("filter.not_values",)
    assert fields["filters.channel"] == ("filter.value_bad",)
    assert fields["filters.period"] == ("instant.naive",)


@pytest.mark.parametrize(
    ("filters", "field", "code"),
    [
        ({"period": (date(2026, 3, 5), date(2026, 3, 4))}, "filters.period", "filter.period_reversed"),
        ({"period": "March"}, "filters.period", "filter.period_not_pair"),
        ({"period": ("March", None)}, "filters.period", "instant.malformed"),
        ({"period": ("2026-02-30", None)}, "filters.period", "date.malformed"),
        ({"period": ("2026-03-01T10:00", None)}, "filters.period", "instant.naive"),
        ({"period": (3, None)}, "filters.period", "filter.period_bound_bad"),
        ({"period": (None, "x" * 65)}, "filters.period", "instant.malformed"),
        ({"region": 31}, "filters.region", "value.not_string"),
        ({"institution": "x" * 65}, "filters.institution", "filter.value_bad"),
        ({"category": "Jalan Rusak"}, "filters.category", "topic.malformed_id"),
        ({"region": "31.7"}, "filters.region", "region.malformed_code"),
        (
            {"period": ("2026-03-05T00:00Z", "2026-03-05T00:00+00:00")},
            "filters.period",
            "filter.period_reversed",
        ),
        ({"status": {"a": 1}}, "filters.status", "filter.not_values"),
    ],
)
def test_malformed_filter_values_are_refused(filters: dict[str, object], field: str, code: str) -> None:
    """Backwards periods, junk bounds, numeric regions, huge codes and mappings are refused with codes."""
    with pytest.raises(lc.ValidationError) as caught:
        Filters.from_dict(filters)
    assert caught.value.fields_by_name == {field: (code,)}


def test_a_period_may_be_written_as_iso_text() -> None:
    """Dates as ``YYYY-MM-DD`` and instants as ISO 8601 with an offset read like their objects."""
    parsed = Filters.from_dict({"period": ("2026-03-01", "2026-03-20T12:00:00Z")})
    assert parsed.submitted_from == datetime(2026, 3, 1, tzinfo=WIB)
    assert parsed.submitted_before == datetime(2026, 3, 20, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("period", "code"),
    [
        ((date(9999, 12, 31), date(9999, 12, 31)), "date.out_of_range"),
        ((date(9999, 12, 30), None), "date.out_of_range"),
        ((None, date(9998, 12, 31)), "date.out_of_range"),
        ((date(1000, 1, 1), None), "date.out_of_range"),
        ((date.min, None), "date.out_of_range"),
        ((None, "9999-12-31"), "date.out_of_range"),
        ((datetime.min.replace(tzinfo=timezone(timedelta(hours=5))), None), "instant.out_of_range"),
        ((None, datetime.max.replace(tzinfo=timezone(timedelta(hours=-5)))), "instant.out_of_range"),
        ((datetime(999, 12, 31, tzinfo=UTC), None), "instant.out_of_range"),
    ],
)
def test_periods_at_the_ends_of_time_are_refused_before_any_arithmetic(
    period: tuple[object, object], code: str
) -> None:
    """Bounds no store could hold or no month could follow are a ValidationError, never an OverflowError."""
    with pytest.raises(lc.ValidationError) as caught:
        Filters.from_dict({"period": period})
    assert set(caught.value.fields_by_name) == {"filters.period"}
    assert {error.code for error in caught.value.errors} == {code}
    assert set(caught.value.errors[0].params) == {"min", "max"}


def test_the_widest_period_counts_on_every_path() -> None:
    """From 1000-01-02 to 9998-12-30 is allowed, and counting and pooling over it works."""
    filters = {"period": (date(1000, 1, 2), date(9998, 12, 30))}
    desk, _ = make_desk()
    desk.submit(submission())
    assert statistics.stats(desk._ctx, ADMIN, group_by="month", filters=filters) == [
        {"month": "2026-03", "count": 1, "merged": 0, "suppressed": False}
    ]
    assert statistics.stats(desk._ctx, PUBLIC, group_by="month", filters=filters) == []


def test_filters_must_be_a_mapping() -> None:
    """A list of filters is refused as a whole."""
    with pytest.raises(lc.ValidationError) as caught:
        Filters.from_dict(["status"])  # type: ignore[arg-type]
    assert caught.value.fields_by_name == {"filters": ("value.not_mapping",)}


def test_bad_group_keys_and_filters_are_reported_together() -> None:
    """Planning a request reports the group keys and the filters in one error."""
    with pytest.raises(lc.ValidationError) as caught:
        plan_stats(PUBLIC, "province,size", {"weight": 3})
    assert caught.value.fields_by_name == {
        "group_by": ("stats.group_key_unknown",),
        "filters.weight": ("field.unknown",),
    }


@pytest.mark.parametrize(
    ("instant", "month"),
    [
        (datetime(2026, 3, 31, 23, 59, tzinfo=WIB), "2026-03"),
        (datetime(2026, 4, 1, 0, 0, tzinfo=WIB), "2026-04"),
        (datetime(2026, 12, 31, 17, 0, tzinfo=UTC), "2027-01"),
    ],
)
def test_months_run_on_wib(instant: datetime, month: str) -> None:
    """Midnight WIB starts a month, whatever offset the instant is written in."""
    assert month_of(instant) == month


def test_count_query_refuses_unknown_and_repeated_keys() -> None:
    """A store never receives a key it does not know."""
    with pytest.raises(lc.ValidationError) as caught:
        CountQuery(["province", "colour"])
    assert caught.value.fields_by_name == {"group_by": ("stats.group_key_unknown",)}
    assert caught.value.errors[0].params == {"known": COUNT_KEYS}
    with pytest.raises(lc.ValidationError) as caught:
        CountQuery(["unit", "unit"])
    assert caught.value.fields_by_name == {"group_by": ("stats.group_key_repeated",)}


@pytest.mark.parametrize(
    ("kwargs", "field", "code"),
    [
        ({"group_by": 5}, "group_by", "stats.group_by_not_keys"),
        ({"group_by": "province"}, "group_by", "stats.group_by_not_keys"),
        ({"group_by": [["unit"], "unit"]}, "group_by", "stats.group_key_unknown"),
        ({"statuses": "forwarded"}, "statuses", "filter.not_collection"),
        ({"kinds": frozenset({1})}, "kinds", "filter.value_bad"),
        ({"region_prefix": 31}, "region_prefix", "value.not_string"),
        ({"confidential": "yes"}, "confidential", "value.not_boolean"),
        ({"submitted_from": datetime(2026, 3, 1)}, "submitted_from", "instant.naive"),  # noqa: DTZ001
        ({"submitted_before": date(2026, 3, 1)}, "submitted_before", "value.not_datetime"),
        ({"region_prefix": "31.7"}, "region_prefix", "region.malformed_code"),
        ({"categories": frozenset({3})}, "categories", "filter.value_bad"),
        ({"filters": {"status": "closed"}}, "filters", "filter.wrong_type"),
        ({"submitted_before": datetime.max.replace(tzinfo=UTC)}, "submitted_before", "instant.out_of_range"),
        ({"utc_offset_minutes": 10**9}, "utc_offset_minutes", "number.out_of_range"),
        ({"utc_offset_minutes": 7.0}, "utc_offset_minutes", "number.out_of_range"),
    ],
)
def test_count_query_checks_every_field_so_no_store_sees_junk(
    kwargs: dict[str, object], field: str, code: str
) -> None:
    """A count query built by hand is checked as thoroughly as one built from filters."""
    kwargs = {"group_by": (), **kwargs}
    with pytest.raises(lc.ValidationError) as caught:
        CountQuery(**kwargs)  # type: ignore[arg-type]
    assert caught.value.fields_by_name == {field: (code,)}


@pytest.mark.parametrize(
    "instant", [datetime.max.replace(tzinfo=UTC), datetime.min.replace(tzinfo=timezone(timedelta(hours=1)))]
)
def test_month_of_an_instant_at_the_ends_of_time_is_a_validation_error(instant: datetime) -> None:
    """month_of cannot shift such an instant by the offset: it says so instead of overflowing."""
    with pytest.raises(lc.ValidationError) as caught:
        month_of(instant, 24 * 60)
    assert caught.value.fields_by_name == {"instant": ("instant.out_of_range",)}


def test_count_query_keys_and_filters_read_the_projection() -> None:
    """Province and regency come from the region code; a province-level location has no regency."""
    c = complaint(location=location("31"), institution="31", confidential=True, submitted_at=MARCH)
    query = CountQuery(["province", "regency", "month", "confidential", "anonymous", "unit"])
    assert query.key_of(c) == ("31", None, "2026-03", True, False, None)
    assert CountQuery([], region_prefix="31").matches(c)
    assert not CountQuery([], region_prefix="31.71").matches(c)
    assert not CountQuery([], confidential=False).matches(c)
    assert CountQuery([], submitted_from=MARCH, submitted_before=MARCH + timedelta(seconds=1)).matches(c)
    assert not CountQuery([], submitted_before=MARCH).matches(c)


def test_count_query_reports_every_bad_field_at_once() -> None:
    """Direct construction names each bad field in one error, as a mapping read by ``from_dict`` does."""
    with pytest.raises(lc.ValidationError) as caught:
        CountQuery(
            ["colour", "unit", "unit"],
            statuses="forwarded",  # type: ignore[arg-type]
            region_prefix="31.7",
            confidential=1,  # type: ignore[arg-type]
            submitted_from=datetime(2026, 3, 1),  # type: ignore[arg-type]  # noqa: DTZ001 - the error
            utc_offset_minutes=True,
        )
    assert caught.value.fields_by_name == {
        "group_by": ("stats.group_key_unknown", "stats.group_key_repeated"),
        "statuses": ("filter.not_collection",),
        "region_prefix": ("region.malformed_code",),
        "confidential": ("value.not_boolean",),
        "submitted_from": ("instant.naive",),
        "utc_offset_minutes": ("number.out_of_range",),
    }


def test_a_region_prefix_is_read_dotted_or_not_and_counts_alike() -> None:
    """``"3171"`` is ``"31.71"`` (the regions rule): an undotted prefix never silently matches nothing."""
    complaints = [
        complaint(new_tracking_id(1), location=location("31.71.01")),
        complaint(new_tracking_id(2), location=location("31.72")),
        complaint(new_tracking_id(3), location=None),
    ]
    undotted, dotted = (
        CountQuery(["regency"], region_prefix="3171"),
        CountQuery(["regency"], region_prefix="31.71"),
    )
    assert undotted == dotted
    assert undotted.filters.region == "31.71"
    assert count_rows(complaints, undotted) == count_rows(complaints, dotted) == [CountRow(("31.71",), 1)]
    assert [c.tracking_id for c in complaints if undotted.matches(c)] == [new_tracking_id(1)]
    assert CountQuery([], region_prefix="  ").filters.region is None


# The filters= keys, the Filters fields they fill, a value each refuses (in the mapping, and as a collection
# built in code) and the code both name: one rule per value.
_SAME_RULE = [
    ("status", "statuses", "flying", ["flying"], "value.not_choice"),
    ("institution", "institutions", ["x" * 65], ["x" * 65], "filter.value_bad"),
    ("region", "region", "31.7", "31.7", "region.malformed_code"),
    ("region", "region", 31, 31, "value.not_string"),
    ("category", "categories", "Jalan Rusak", {"Jalan Rusak"}, "topic.malformed_id"),
    ("kind", "kinds", [7], [7], "filter.value_bad"),
    ("channel", "channels", [" "], (" ",), "filter.value_bad"),
]


@pytest.mark.parametrize(("key", "field", "mapped", "direct", "code"), _SAME_RULE)
def test_filters_built_directly_check_each_value_like_the_mapping(
    key: str, field: str, mapped: object, direct: object, code: str
) -> None:
    """One rule per value: ``Filters(field=[...])`` and ``from_dict({key: ...})`` refuse alike."""
    with pytest.raises(lc.ValidationError) as built:
        Filters(**{field: direct})  # type: ignore[arg-type]
    with pytest.raises(lc.ValidationError) as read:
        Filters.from_dict({key: mapped})
    assert built.value.fields_by_name == {field: (code,)}
    assert read.value.fields_by_name == {f"filters.{key}": (code,)}


def test_the_mapping_takes_one_value_or_a_list_while_code_passes_collections() -> None:
    """``filters=`` allows a lone value and refuses an empty list; built in code a field is a collection.

    An empty collection matches nothing (a listing of no statuses is empty), and so counts nothing.
    """
    assert Filters.from_dict({"status": "closed"}) == Filters(statuses=["closed"])  # type: ignore[arg-type]
    with pytest.raises(lc.ValidationError) as caught:
        Filters.from_dict({"status": []})
    assert caught.value.fields_by_name == {"filters.status": ("filter.not_values",)}
    with pytest.raises(lc.ValidationError) as caught:
        Filters(statuses="closed")  # type: ignore[arg-type]
    assert caught.value.fields_by_name == {"statuses": ("filter.not_collection",)}
    nothing = Filters(statuses=frozenset())
    assert not nothing.matches(complaint())
    assert count_rows([complaint()], CountQuery([], filters=nothing)) == []


def test_stats_filters_built_directly_report_every_bad_field_at_once() -> None:
    """Each bad field is named in one error; bounds must be aware instants."""
    with pytest.raises(lc.ValidationError) as caught:
        Filters(
            statuses=["flying"],  # type: ignore[arg-type]
            region="31.7",
            kinds="complaint",  # type: ignore[arg-type]
            submitted_from=date(2026, 3, 1),  # type: ignore[arg-type]
            submitted_before=datetime(2026, 3, 2),  # type: ignore[arg-type]  # noqa: DTZ001 - the error
        )
    assert caught.value.fields_by_name == {
        "statuses": ("value.not_choice",),
        "region": ("region.malformed_code",),
        "kinds": ("filter.not_collection",),
        "submitted_from": ("value.not_datetime",),
        "submitted_before": ("instant.naive",),
    }


def test_stats_filters_built_directly_equal_the_ones_read_from_the_mapping() -> None:
    """The constructor takes what each key takes and normalises it the same way."""
    start, end = datetime(2026, 3, 1, tzinfo=WIB), datetime(2026, 4, 1, tzinfo=WIB)
    direct = Filters(
        statuses=["forwarded"],  # type: ignore[arg-type]
        institutions=[" 31.71 "],  # type: ignore[arg-type]
        region="3171",
        categories=("health",),  # type: ignore[arg-type]
        kinds=[lc.Kind.ASPIRASI],  # type: ignore[arg-type]
        channels={"sms"},  # type: ignore[arg-type]
        submitted_from=start,
        submitted_before=end,
    )
    assert direct == Filters.from_dict(
        {
            "status": ["forwarded"],
            "institution": "31.71",
            "region": "31.71",
            "category": "health",
            "kind": "aspirasi",
            "channel": ["sms"],
            "period": (date(2026, 3, 1), date(2026, 3, 31)),
        }
    )
    assert direct.statuses == {lc.Status.FORWARDED}
    assert direct.region == "31.71"
    assert Filters.from_dict({"region": " "}).region is None  # a blank form field means any region


def test_a_reversed_period_is_refused_in_the_mapping_and_selects_nothing_built_in_code() -> None:
    """``filters.period`` must end after it starts; built in code, an empty period matches no complaint."""
    start = datetime(2026, 3, 5, tzinfo=UTC)
    empty = Filters(submitted_from=start, submitted_before=start)
    assert not empty.matches(complaint(submitted_at=start))
    with pytest.raises(lc.ValidationError) as caught:
        Filters.from_dict({"period": (start, start)})
    assert caught.value.fields_by_name == {"filters.period": ("filter.period_reversed",)}
    assert Filters(submitted_from=start, submitted_before=None).submitted_from == start


def test_both_bad_bounds_of_a_period_are_reported() -> None:
    """A period with two bad bounds names both refusals."""
    with pytest.raises(lc.ValidationError) as caught:
        Filters.from_dict({"period": ("March", 3)})
    assert caught.value.fields_by_name == {"filters.period": ("instant.malformed", "filter.period_bound_bad")}


_JUNK = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.text(max_size=12),
        st.sampled_from(["forwarded", "aspirasi", "sms", "31.71", "3171", "health", "province", "unit"]),
        st.dates(),
        st.datetimes(timezones=st.one_of(st.none(), st.just(UTC))),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.tuples(inner, inner),
        st.frozensets(st.one_of(st.text(max_size=6), st.integers()), max_size=3),
        st.dictionaries(st.one_of(st.text(max_size=6), st.integers()), inner, max_size=3),
    ),
    max_leaves=6,
)
_FILTER_FIELDS = [field.name for field in attrs.fields(Filters) if field.init]
_QUERY_FIELDS = [*inspect.signature(CountQuery).parameters]


@settings(max_examples=300)
@given(
    direct=st.dictionaries(st.sampled_from(_FILTER_FIELDS), _JUNK, max_size=4),
    mapped=st.one_of(
        _JUNK,
        st.dictionaries(
            st.sampled_from(
                ["status", "institution", "region", "period", "category", "kind", "channel", "x"]
            ),
            _JUNK,
            max_size=4,
        ),
    ),
    query=st.dictionaries(st.sampled_from(_QUERY_FIELDS), _JUNK, max_size=4),
)
def test_junk_at_the_filter_and_query_constructors_is_only_a_validation_error(
    direct: dict[str, object], mapped: object, query: dict[str, object]
) -> None:
    """Filters(...), its from_dict(...) and CountQuery(...) build or raise ValidationError."""
    refusals: list[lc.ValidationError] = []
    for build in (
        lambda: Filters(**direct),
        lambda: Filters.from_dict(mapped),  # type: ignore[arg-type]
        lambda: CountQuery(**{"group_by": (), **query}),
    ):
        try:
            build()
        except lc.ValidationError as error:
            refusals.append(error)
    for refusal in refusals:
        assert refusal.errors
        assert all(e.message("en") != e.code for e in refusal.errors)  # every code has its text


@given(st.lists(st.sampled_from(GROUP_KEYS), unique=True), st.lists(st.sampled_from(GROUP_KEYS), min_size=1))
def test_group_keys_are_read_alike_as_text_or_a_list_and_repeats_are_refused(
    keys: list[str], more: list[str]
) -> None:
    """A list of known keys and the same keys as comma text give the same tuple; a repeated key is refused."""
    assert parse_group_by(keys) == parse_group_by(",".join(keys)) == tuple(keys)
    assert CountQuery(keys).group_by == tuple(keys)
    with pytest.raises(lc.ValidationError) as caught:
        parse_group_by([*more, more[0]])
    assert caught.value.fields_by_name == {"group_by": ("stats.group_key_repeated",)}


def test_rows_a_principal_receives_sort_by_key_with_missing_values_last() -> None:
    """Regions sort by code and complaints without a location come last."""
    complaints = [
        complaint(location=location("73.71.02")),
        complaint(),
        complaint(location=location("31.71.01")),
        complaint(location=location("31.72")),
    ]
    desk = desk_on(load(attrs.evolve(c, status=lc.Status.FORWARDED) for c in complaints))
    rows = run(desk, ADMIN, group_by=["regency"])
    assert [row["regency"] for row in rows] == ["31.71", "31.72", "73.71", None]


# --- who may count what ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("principal", "at", "expected"),
    [
        (lc.Principal.admin("a"), None, Visibility.SHOWN),
        (PUBLIC, "31.71", Visibility.POOLED),
        (lc.Principal.supervisor("s"), "31.71", Visibility.POOLED),
        (lc.Principal.institution_officer("o", institution="31.71"), "31.71", Visibility.SHOWN),
        (lc.Principal.institution_officer("o", institution="73.71"), "31.71", Visibility.POOLED),
        (lc.Principal.reporter(new_tracking_id(5)), "31.71", Visibility.POOLED),
    ],
)
def test_a_published_confidential_complaint_is_shown_only_to_who_may_see_it(
    principal: lc.Principal, at: str | None, expected: Visibility
) -> None:
    """Admins and the institution handling it count it; everyone else only through pools."""
    assert make_classifier(principal)("forwarded", True, False, at, None) is expected


@pytest.mark.parametrize("status", ["submitted", "on_hold", "archived"])
def test_unpublished_complaints_are_excluded_for_everyone_but_admins(status: str) -> None:
    """Unpublished complaints count nowhere outside the admins, confidential or not."""
    for principal in (PUBLIC, lc.Principal.supervisor("s"), officer("31.71")):
        for confidential in (False, True):
            classify = make_classifier(principal)
            assert classify(status, confidential, False, "31.71", None) is Visibility.EXCLUDED
    assert make_classifier(ADMIN)(status, True, True, None, None) is Visibility.SHOWN


def test_anything_unclassifiable_is_excluded() -> None:
    """An unknown status value is denied, not an error and not counted."""
    assert make_classifier(ADMIN)("teleported", False, False, None, None) is Visibility.EXCLUDED


def test_admins_need_no_policy_keys_and_no_pools() -> None:
    """For a principal who sees everything, the store groups by the requested keys and the status only.

    The status tells merged duplicates apart (issue 22); no other policy key is needed.
    """
    plan = plan_stats(ADMIN, ["province"], None)
    assert plan.shown_query.group_by == ("province", "status")
    assert plan.pooled_query is None


def test_officers_group_by_their_institution_and_units_by_their_unit() -> None:
    """The classification of staff depends on where the complaint is, so the store groups by it."""
    assert "institution" in plan_stats(officer("31.71"), ["status"], None).shown_query.group_by
    unit = lc.Principal.unit_officer("u", institution="31.71", unit="dinas-pu")
    assert {"institution", "unit"} <= set(plan_stats(unit, ["status"], None).shown_query.group_by)
    assert "institution" not in plan_stats(PUBLIC, ["status"], None).shown_query.group_by


# --- suppression -------------------------------------------------------------------------------------------


def public_rows(
    complaints: list[Complaint], group_by: list[str], **filters: object
) -> list[dict[str, object]]:
    """The public's rows over ``complaints``."""
    return run(desk_on(load(complaints)), PUBLIC, group_by=group_by, filters=filters)


def test_nine_hidden_confidential_complaints_are_suppressed_and_ten_are_counted() -> None:
    """The threshold is ten: a pool of nine marks its cell, a pool of ten counts in full."""
    nine = confidential_cluster(SUPPRESSION_THRESHOLD - 1)
    assert public_rows(nine, ["regency"]) == [
        {"regency": "31.71", "count": 0, "merged": 0, "suppressed": True}
    ]
    ten = confidential_cluster(SUPPRESSION_THRESHOLD)
    assert public_rows(ten, ["regency"]) == [
        {"regency": "31.71", "count": 10, "merged": 0, "suppressed": False}
    ]
    assert run(desk_on(load(nine)), ADMIN, group_by=["regency"]) == [
        {"regency": "31.71", "count": 9, "merged": 0, "suppressed": False}
    ]


def test_visible_complaints_count_exactly_beside_a_suppressed_pool() -> None:
    """Public complaints of a cell are counted; the small confidential pool only marks the cell."""
    plain = [
        complaint(new_tracking_id(900 + i), status=lc.Status.FORWARDED, location=location("31.71.01"))
        for i in range(3)
    ]
    rows = public_rows([*plain, *confidential_cluster(2)], ["regency"])
    assert rows == [{"regency": "31.71", "count": 3, "merged": 0, "suppressed": True}]


def test_pools_split_by_every_group_key_even_when_the_table_does_not() -> None:
    """Twelve confidential complaints in two months are two pools of six: suppressed, even by province."""
    march = confidential_cluster(6)
    april = confidential_cluster(6, submitted_at=datetime(2026, 4, 2, tzinfo=WIB), offset=100)
    assert public_rows([*march, *april], ["province"]) == [
        {"province": "31", "count": 0, "merged": 0, "suppressed": True}
    ]


def test_a_period_cutting_a_month_cannot_count_that_months_pool() -> None:
    """A pool counts only for periods holding its whole month; a cut month only marks its cells."""
    pool = confidential_cluster(12)
    whole = public_rows(pool, ["month"], period=(date(2026, 3, 1), date(2026, 3, 31)))
    assert whole == [{"month": "2026-03", "count": 12, "merged": 0, "suppressed": False}]
    cut = public_rows(pool, ["month"], period=(date(2026, 3, 1), date(2026, 3, 20)))
    assert cut == [{"month": "2026-03", "count": 0, "merged": 0, "suppressed": True}]
    outside = public_rows(pool, ["month"], period=(date(2026, 4, 1), None))
    assert outside == []


def test_a_district_filter_cannot_count_a_regency_pool() -> None:
    """Pools are per regency, so a district filter can only mark them suppressed."""
    pool = confidential_cluster(12)
    assert public_rows(pool, ["regency"], region="31.71")[0]["count"] == 12
    assert public_rows(pool, ["regency"], region="31.71.01") == [
        {"regency": "31.71", "count": 0, "merged": 0, "suppressed": True}
    ]


def test_tabulate_reads_rows_by_their_key_order() -> None:
    """Shown rows carry the policy keys after the requested ones; pooled rows carry every group key."""
    plan = plan_stats(PUBLIC, ["status"], None)
    shown = [
        CountRow(("forwarded", False, False), 4),
        CountRow(("forwarded", True, False), 7),  # pooled: ignored here
        CountRow(("submitted", False, False), 2),  # excluded
    ]
    pooled_key = ("31", "31.71", None, "forwarded", "31.71", "pengaduan", "web", "2026-03")
    rows = tabulate(plan, make_classifier(PUBLIC), shown, [CountRow((*pooled_key, True, False), 7)])
    assert rows == [{"status": "forwarded", "count": 4, "merged": 0, "suppressed": True}]


# --- service levels ----------------------------------------------------------------------------------------


CAL = WorkingCalendar.indonesia(first_year=2026, last_year=2026)


def facts_of(*steps: Step, now: datetime) -> SlaFacts:
    """The SLA facts of a history of ``steps``."""
    clocks = compute_clocks(
        steps, policy=SlaPolicy(), admin_calendar=CAL, calendar_for=lambda _: CAL, now=now
    )
    return sla_facts(
        clocks,
        steps,
        lambda _, start, end: CAL.working_days_between(CAL.local_date(start), CAL.local_date(end)),
    )


def at(day: int, hour: int = 10, month: int = 4) -> datetime:
    """An instant in April 2026, WIB."""
    return datetime(2026, month, day, hour, tzinfo=WIB)


def test_a_prompt_complaint_is_forwarded_and_followed_up_on_time() -> None:
    """Forwarded the next day and followed up two working days later: both on time."""
    facts = facts_of(
        Step("submit", at(6), {"kind": "pengaduan"}),
        Step("forward", at(7), {"institution": "31.71"}),
        Step("follow_up", at(9), {}),
        now=at(10),
    )
    assert facts == SlaFacts(1, 1, 1, 1, (2,), open_breach=False)


def test_a_late_forward_is_counted_late_and_an_unforwarded_one_is_an_open_breach() -> None:
    """Forwarded after three working days is late; never forwarded and past due is an open breach."""
    late = facts_of(
        Step("submit", at(6), {"kind": "pengaduan"}),
        Step("forward", at(13), {"institution": "31.71"}),
        now=at(14),
    )
    assert (late.forwards_due, late.forwards_on_time, late.open_breach) == (1, 0, False)
    stuck = facts_of(Step("submit", at(6), {"kind": "pengaduan"}), now=at(20))
    assert (stuck.forwards_due, stuck.forwards_on_time, stuck.open_breach) == (1, 0, True)


def test_archiving_and_declining_are_neither_forwards_nor_follow_ups() -> None:
    """An archive ends verification without a forward; a decline ends a follow-up clock without one."""
    archived = facts_of(Step("submit", at(6), {"kind": "pengaduan"}), Step("archive", at(7), {}), now=at(20))
    assert archived == SlaFacts()
    declined = facts_of(
        Step("submit", at(6), {"kind": "pengaduan"}),
        Step("forward", at(7), {"institution": "31.71"}),
        Step("decline", at(8), {}),
        now=at(9),
    )
    assert (declined.follow_ups_due, declined.forwards_due) == (0, 1)


def test_a_running_clock_not_yet_due_counts_nowhere() -> None:
    """Only decided clocks (done, or already late) enter the shares."""
    assert facts_of(Step("submit", at(6), {"kind": "pengaduan"}), now=at(7)) == SlaFacts()


def test_sla_summary_without_data_has_no_shares() -> None:
    """No decided clock: the shares and the median are None, not zero."""
    assert summarize_sla([]) == {
        "sla_count": 0,
        "forwarded_on_time": None,
        "followed_up_on_time": None,
        "median_days_to_follow_up": None,
        "open_breaches": 0,
    }


def test_stats_with_sla_on_a_desk() -> None:
    """A desk run: SLA fields per group, from the complaints the principal sees individually."""
    desk, clock = make_desk()
    tids = [desk.submit(submission()).tracking_id for _ in range(3)]
    desk.forward(ADMIN, tids[0], institution="31.71")
    desk.forward(ADMIN, tids[1], institution="31.71")
    clock.advance(days=1)
    desk.follow_up(officer(), tids[0], "Sudah ditangani.")
    clock.advance(days=30)
    seen: list[int] = []
    rows = statistics.stats(desk._ctx, ADMIN, group_by=["status"], include_sla=True, progress=seen.append)
    by_status = {row["status"]: row for row in rows}
    assert by_status["followed_up"]["followed_up_on_time"] == 1.0
    assert by_status["forwarded"]["open_breaches"] == 1
    assert by_status["submitted"]["forwarded_on_time"] == 0.0
    assert sum(int(str(row["sla_count"])) for row in rows) == 3
    assert seen  # the scan reported its progress
    public = statistics.stats(desk._ctx, PUBLIC, group_by=["status"], include_sla=True)
    assert {row["status"] for row in public} == {"forwarded", "followed_up"}


def test_stats_refuses_a_principal_that_is_not_one() -> None:
    """A role name is not a principal."""
    desk, _ = make_desk()
    with pytest.raises(lc.ValidationError) as caught:
        statistics.stats(desk._ctx, "admin", group_by=["status"])  # type: ignore[arg-type]
    assert caught.value.fields_by_name == {"principal": ("principal.wrong_type",)}
    assert caught.value.errors[0].params == {"type": "string"}


def test_stats_over_an_empty_store_is_an_empty_list() -> None:
    """No complaint, no row; grouping by nothing over complaints gives one total row."""
    desk, _ = make_desk()
    assert statistics.stats(desk._ctx, ADMIN, group_by=["province"]) == []
    desk.submit(submission())
    assert statistics.stats(desk._ctx, ADMIN) == [{"count": 1, "merged": 0, "suppressed": False}]


def test_stats_accepts_the_desk_filter_forms() -> None:
    """Institution, status, region and period filters narrow the count."""
    desk, clock = make_desk()
    first = desk.submit(submission()).tracking_id
    desk.forward(ADMIN, first, institution="31.71")
    clock.advance(days=20)
    second = desk.submit(submission(location={"region": "73.71"})).tracking_id
    desk.forward(ADMIN, second, institution="73.71")
    rows = statistics.stats(
        desk._ctx,
        ADMIN,
        group_by="institution",
        filters={"status": "forwarded", "region": "31", "period": (date(2026, 3, 1), date(2026, 3, 31))},
    )
    assert rows == [{"institution": "31.71", "count": 1, "merged": 0, "suppressed": False}]


@settings(max_examples=80)
@given(
    complaints=complaint_sets(max_templates=8),
    keys=st.lists(st.sampled_from(COUNT_KEYS), unique=True, max_size=4),
    filters=filter_sets(),
    confidential=st.sampled_from([None, True, False]),
)
def test_count_rows_equals_a_count_written_from_the_documented_keys(
    complaints: list[Complaint], keys: list[str], filters: dict[str, object], confidential: bool | None
) -> None:
    """The one count in Python agrees with the keys and filters as documented, one complaint at a time."""
    parsed = attrs.evolve(Filters.from_dict(filters), confidential=confidential)
    query = CountQuery(keys, filters=parsed)
    naive = Counter(
        tuple(count_keys_of(c)[key] for key in keys)
        for c in complaints
        if passes(c, filters)
        and in_period(c.submitted_at, filters)
        and confidential in (None, c.confidential)
    )
    assert {row.key: row.count for row in count_rows(complaints, query)} == naive
    assert Counter(query.key_of(c) for c in complaints if query.matches(c)) == naive


# --- the ends of time on every store ------------------------------------------------------------------------


@pytest.fixture(params=["memory", "sqlite"])
def any_desk(request: pytest.FixtureRequest, tmp_path: object) -> lc.ComplaintDesk:
    """A desk with one forwarded complaint, on the in-memory store or on a SQLite file."""
    url = "memory://" if request.param == "memory" else f"sqlite:///{tmp_path}/stats.db"
    desk = lc.ComplaintDesk.open(url, clock=FrozenClock(datetime(2026, 3, 17, 10, tzinfo=WIB)), pepper=PEPPER)
    desk.forward(ADMIN, desk.submit(submission()).tracking_id, institution="31.71")
    return desk


EXTREME_PERIODS = [
    (date(9999, 12, 31), date(9999, 12, 31)),
    (date(1, 1, 1), date(1, 1, 1)),
    (date(2026, 1, 1), date(9999, 12, 30)),
    (datetime.min.replace(tzinfo=timezone(timedelta(hours=5))), None),
    (None, datetime.max.replace(tzinfo=timezone(timedelta(hours=-5)))),
    ("0001-01-01T00:00+05:00", None),
]


@pytest.mark.parametrize("period", EXTREME_PERIODS)
@pytest.mark.parametrize("principal", [ADMIN, PUBLIC], ids=["admin", "public"])
def test_extreme_periods_are_the_same_validation_error_on_every_store(
    any_desk: lc.ComplaintDesk, period: tuple[object, object], principal: lc.Principal
) -> None:
    """No OverflowError in memory, no StorageError in SQL: one ValidationError, the same everywhere."""
    with pytest.raises(lc.ValidationError) as caught:
        any_desk.stats(principal, group_by="month", filters={"period": period})
    assert set(caught.value.fields_by_name) == {"filters.period"}
    assert {e.code for e in caught.value.errors} <= {"date.out_of_range", "instant.out_of_range"}


@pytest.mark.parametrize("principal", [ADMIN, PUBLIC], ids=["admin", "public"])
def test_the_widest_period_gives_the_same_rows_on_every_store(
    any_desk: lc.ComplaintDesk, principal: lc.Principal
) -> None:
    """The first and last allowed days are counted by SQL as by Python, pools included."""
    for period in [
        (date(1000, 1, 2), date(9998, 12, 30)),
        ("1000-01-01T00:00Z", "9998-12-31T23:59:59+00:00"),
    ]:
        rows = any_desk.stats(principal, group_by=["month", "status"], filters={"period": period})
        assert rows == [
            {"month": "2026-03", "status": "forwarded", "count": 1, "merged": 0, "suppressed": False}
        ]


_JUNK_BOUND = st.one_of(
    st.none(),
    st.dates(),
    st.datetimes(timezones=st.one_of(st.none(), st.timezones(), st.just(UTC))),
    st.text(max_size=70),
    st.from_regex(
        r"[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}([+-][0-9]{2}:[0-9]{2}|Z)?)?", fullmatch=True
    ),
    st.integers(),
    st.floats(),
)


@settings(max_examples=150, deadline=None)
@given(start=_JUNK_BOUND, end=_JUNK_BOUND)
def test_any_period_gives_rows_or_a_validation_error_on_memory_and_sqlite(
    sqlite_desk: lc.ComplaintDesk, start: object, end: object
) -> None:
    """Junk bounds of every kind: the two stores agree, and nothing but ValidationError escapes."""
    outcomes = []
    for desk in (MEMORY_DESK, sqlite_desk):
        try:
            outcomes.append(desk.stats(PUBLIC, group_by="month", filters={"period": (start, end)}))
        except lc.ValidationError as error:
            outcomes.append(error.fields_by_name)
    assert outcomes[0] == outcomes[1]


def _one_complaint_desk(url: str) -> lc.ComplaintDesk:
    desk = lc.ComplaintDesk.open(url, clock=FrozenClock(datetime(2026, 3, 17, 10, tzinfo=WIB)), pepper=PEPPER)
    desk.forward(ADMIN, desk.submit(submission()).tracking_id, institution="31.71")
    return desk


MEMORY_DESK = _one_complaint_desk("memory://")


@pytest.fixture(scope="module")
def sqlite_desk(tmp_path_factory: pytest.TempPathFactory) -> lc.ComplaintDesk:
    """A SQLite desk shared by the examples of one property (it is only read)."""
    return _one_complaint_desk(f"sqlite:///{tmp_path_factory.mktemp('stats')}/junk.db")


# --- one filter value for listing and counting ------------------------------------------------------------


def test_a_listing_and_a_count_hold_the_same_filters() -> None:
    """The shorthands of ComplaintQuery and CountQuery set one Filters value; the two queries share it."""
    listed = ports.ComplaintQuery(
        statuses={"closed"}, category="health", region_prefix="3171", kind="aspirasi"
    )
    counted = CountQuery(
        ["status"], statuses={"closed"}, categories={"health"}, region_prefix="31.71", kinds={"aspirasi"}
    )
    assert (
        listed.filters
        == counted.filters
        == Filters(
            statuses={lc.Status.CLOSED}, categories={"health"}, region="31.71", kinds={lc.Kind.ASPIRASI}
        )
    )
    assert ports.ComplaintQuery(filters=counted.filters).filters is counted.filters


def test_shorthands_narrow_given_filters_and_read_back_while_single() -> None:
    """``category=`` beside ``filters=`` replaces that filter, as ``attrs.evolve`` needs.

    Reading a shorthand of a filter holding several values raises instead of answering for one of them.
    """
    base = ports.ComplaintQuery(filters=Filters(categories={"health", "waste"}, institutions={"31.71"}))
    assert base.institution == "31.71"
    with pytest.raises(ValueError, match=r"read query\.filters"):
        _ = base.category
    narrowed = attrs.evolve(base, category="waste")
    assert narrowed.category == "waste"
    assert narrowed.filters.institutions == {"31.71"}


def test_a_bad_shorthand_is_named_by_its_keyword() -> None:
    """Errors name the keyword the caller wrote, not the Filters field it sets."""
    with pytest.raises(lc.ValidationError) as caught:
        ports.ComplaintQuery(institution="x" * 65, region_prefix="31x", limit=0)
    assert set(caught.value.fields_by_name) == {"institution", "region_prefix", "limit"}


def test_the_former_filters_names_still_work() -> None:
    """``StatsFilters`` is ``Filters``; its ``from_mapping`` reads like ``from_dict`` and warns."""
    from lapor_core._domain.stats import StatsFilters

    assert StatsFilters is Filters
    with pytest.deprecated_call():
        assert StatsFilters.from_mapping({"kind": "aspirasi"}) == Filters.from_dict({"kind": "aspirasi"})
