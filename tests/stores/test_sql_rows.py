"""The SQL store's rows come from its schema: a new column is an edit to the schema and its migration only."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
import sqlalchemy as sa

from lapor_core._domain.complaint import Complaint
from lapor_core.stores.sql._rows import (
    COMPLAINT_COLUMNS,
    COMPLAINT_ROWS,
    Decoded,
    Encoded,
    Rows,
    complaint_rows,
)
from lapor_core.stores.sql._schema import complaints
from lapor_core.testing.builders import complaint, location


@attrs.frozen
class PrioritisedComplaint(Complaint):
    """A complaint with one field more, as a new release might add (stored as it is, no conversion)."""

    priority: str | None = None


def _with_column(*columns: sa.Column[Any]) -> sa.Table:
    """A test-local copy of ``lapor_complaints`` with ``columns`` appended (as a migration would add them)."""
    table = complaints.to_metadata(sa.MetaData())
    for column in columns:
        table.append_column(column)
    return table


def test_the_complaint_columns_are_the_schema_table_in_order() -> None:
    """The rows' columns are read off the schema's table, not listed a second time."""
    assert tuple(column.name for column in complaints.columns) == COMPLAINT_COLUMNS
    assert COMPLAINT_ROWS.table == "lapor_complaints"


def test_a_column_added_to_the_schema_flows_through_values_and_reading() -> None:
    """A new column holding a new field is written and read back with no edit to the rows module."""
    table = _with_column(sa.Column("priority", sa.String(20)))
    rows = complaint_rows(table, PrioritisedComplaint)
    stored = PrioritisedComplaint(
        **attrs.asdict(complaint(location=location()), recurse=False), priority="tinggi"
    )

    values = rows.values(stored)

    assert rows.columns == (*COMPLAINT_COLUMNS, "priority")
    assert values[:-1] == COMPLAINT_ROWS.values(stored)
    assert values[-1] == "tinggi"
    assert rows.read(values) == stored


def test_a_column_added_to_the_schema_round_trips_through_a_database() -> None:
    """Written by an INSERT of the derived values and read by a SELECT of the derived columns, in SQLite."""
    table = _with_column(sa.Column("priority", sa.String(20)))
    rows = complaint_rows(table, PrioritisedComplaint)
    stored = PrioritisedComplaint(
        **attrs.asdict(complaint(location=location()), recurse=False), priority="tinggi"
    )
    engine = sa.create_engine("sqlite://")
    try:
        table.metadata.create_all(engine)
        with engine.begin() as connection:
            connection.execute(table.insert(), [dict(zip(rows.columns, rows.values(stored), strict=True))])
            read = connection.execute(sa.select(*(table.c[name] for name in rows.columns))).one()
    finally:
        engine.dispose()

    assert rows.read(tuple(read)) == stored


def test_a_column_that_is_no_field_is_refused_when_the_rows_are_derived() -> None:
    """A schema column the record has no field for (nor a conversion) is found at import, not at a save."""
    table = _with_column(sa.Column("priority", sa.String(20)))

    with pytest.raises(ValueError, match=r"lapor_complaints\.priority is no field of Complaint"):
        complaint_rows(table, Complaint)


def test_a_field_with_no_column_is_refused_when_the_rows_are_derived() -> None:
    """A record field no column holds would be lost on every save: deriving the rows refuses it."""
    with pytest.raises(
        ValueError, match=r"no column of lapor_complaints holds PrioritisedComplaint\.priority"
    ):
        complaint_rows(complaints, PrioritisedComplaint)


def test_own_columns_stay_out_of_the_rows_and_conversions_apply_both_ways() -> None:
    """Columns the store keeps itself are left out; an encoded column is written and decoded read back."""

    @attrs.frozen
    class Note:
        """A tiny record: a key and a set of tags stored as text."""

        key: str
        tags: frozenset[str]

    table = sa.Table(
        "notes",
        sa.MetaData(),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(10)),
        sa.Column("tags", sa.Text),
    )
    rows = Rows.derive(
        table,
        Note,
        encoded={"tags": Encoded("tags", lambda tags: ",".join(sorted(tags)))},
        decoded={"tags": Decoded(("tags",), lambda text: frozenset(text.split(",")))},
        own=("position",),
    )
    note = Note("n1", frozenset({"b", "a"}))

    assert rows.columns == ("key", "tags")
    assert rows.values(note) == ("n1", "a,b")
    assert rows.read(("n1", "a,b")) == note


def test_an_unknown_status_in_a_row_raises_value_error() -> None:
    """A stored value that is no member of its enum is refused as calling the enum refuses it."""
    values = list(COMPLAINT_ROWS.values(complaint()))
    values[COMPLAINT_COLUMNS.index("status")] = "no-such-status"

    with pytest.raises(ValueError, match="no-such-status"):
        COMPLAINT_ROWS.read(values)
