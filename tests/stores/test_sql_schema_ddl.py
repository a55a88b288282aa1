"""The SQL schema and statements, rendered for every database, equal a golden file.

``sql_schema_ddl.golden.txt`` holds the ``CREATE TABLE`` and ``CREATE INDEX`` of every table and index of the
metadata, each table's and index's dialect options, and the SQL and value processors of every statement the
stores compile, for SQLite, PostgreSQL, MySQL and MariaDB. A change to the schema module that should not
change what the databases receive (how column types, table options and upserts are built) leaves it equal;
a change of the schema shows up as a diff here, next to its migration. Write the file again with
``LAPOR_REGENERATE_GOLDEN=1`` after such a change, and read the diff.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs
import pytest

sa = pytest.importorskip("sqlalchemy")

from sqlalchemy.engine import Dialect  # noqa: E402
from sqlalchemy.schema import CreateIndex, CreateTable  # noqa: E402
from sqlalchemy.sql.expression import ClauseElement  # noqa: E402

from lapor_core.stores.sql import _complaints, _outbox, _polls, _schema  # noqa: E402
from lapor_core.stores.sql._driver import Prepared  # noqa: E402

GOLDEN = Path(__file__).with_name("sql_schema_ddl.golden.txt")
DRIVERS = ("sqlite+pysqlite", "postgresql+psycopg", "mysql+pymysql", "mariadb+pymysql")


def _dialect(driver: str) -> Dialect:
    dialect: Dialect = sa.engine.URL.create(driver).get_dialect()()
    return dialect


@attrs.frozen
class _Compiler:
    """What the stores' ``_Statements.compile`` needs of a driver: its dialect and ``prepare``."""

    dialect: Dialect

    def prepare(self, statement: ClauseElement, *, keys: Sequence[str], insert: bool = False) -> Prepared:
        return Prepared(statement, self.dialect, keys=keys, insert=insert)


def _processor(processor: Callable[[Any], Any]) -> str:
    return str(getattr(processor, "__qualname__", type(processor).__qualname__))


def _options(item: Any) -> str:
    return repr(sorted((key, str(value)) for key, value in item.kwargs.items()))


def _statements(dialect: Dialect) -> Iterator[str]:
    compiler: Any = _Compiler(dialect)
    for owner, statements in (
        ("complaints", _complaints._Statements.compile(compiler)),
        ("outbox", _outbox._OutboxStatements.compile(compiler)),
        ("polls", _polls._Statements.compile(compiler)),
    ):
        for field in attrs.fields(type(statements)):
            prepared = getattr(statements, field.name)
            if not isinstance(prepared, Prepared):
                yield f"-- {owner}.{field.name} = {prepared!r}"
                continue
            binds = [(prepared._names[index], _processor(p)) for index, p in prepared._processors]
            results = [(index, _processor(p)) for index, p in prepared._results]
            yield f"-- {owner}.{field.name}\n{prepared.sql}\n-- binds {binds}\n-- results {results}"


def render() -> str:
    """Every table, index and statement of the SQL stores, as each database receives it."""
    parts: list[str] = []
    for driver in DRIVERS:
        dialect = _dialect(driver)
        parts.append(f"==== {driver}")
        for table in _schema.metadata.sorted_tables:
            parts.append(f"-- table {table.name} options {_options(table)}")
            parts.append(str(CreateTable(table).compile(dialect=dialect)).strip())
            for index in sorted(table.indexes, key=lambda index: str(index.name)):
                parts.append(f"-- index {index.name} options {_options(index)}")
                parts.append(str(CreateIndex(index).compile(dialect=dialect)).strip())
        parts.extend(_statements(dialect))
    return "\n".join(parts) + "\n"


def test_the_schema_and_statements_render_as_the_golden_file() -> None:
    """Tables, indexes, their options and the stores' statements are as the golden file says, per database."""
    rendered = render()
    if os.environ.get("LAPOR_REGENERATE_GOLDEN") == "1":
        GOLDEN.write_text(rendered, encoding="utf-8")
    assert rendered == GOLDEN.read_text(encoding="utf-8")


def test_the_golden_file_covers_every_table_index_and_database() -> None:
    """A table, an index or a database missing from the rendering would leave it unchecked."""
    rendered = render()
    for driver in DRIVERS:
        assert f"==== {driver}" in rendered
    for table in _schema.metadata.sorted_tables:
        assert rendered.count(f"-- table {table.name} ") == len(DRIVERS)
        for index in table.indexes:
            assert rendered.count(f"-- index {index.name} ") == len(DRIVERS)
    assert 'COLLATE "C"' in rendered
    assert "CHARSET=utf8mb4 COLLATE utf8mb4_bin" in rendered
    assert "WITHOUT ROWID" in rendered
    assert "ON DUPLICATE KEY UPDATE" in rendered


_MYSQL_OPTIONS = ("engine", "charset", "collate")
_READ_SQLITE_OPTIONS = """
import json, sys
from lapor_core.stores.sql import _schema
index = next(i for i in _schema.complaints.indexes if i.name == "ix_lapor_complaints_due")
read = [
    _schema.events.dialect_options["sqlite"]["with_rowid"],
    str(index.dialect_options["sqlite"]["where"]),
    "postgresql" in index.dialect_options,
]
loaded = sorted(name for name in ("mysql", "postgresql") if f"sqlalchemy.dialects.{name}" in sys.modules)
listed = sorted(_schema.events.kwargs)
print(json.dumps({"read": read, "loaded": loaded, "listed": listed}))
"""


def test_reading_sqlite_options_loads_no_other_dialect_and_listing_them_lists_every_option() -> None:
    """SQLite's options read without importing MySQL's or PostgreSQL's dialect; ``kwargs`` still lists all."""
    import json
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", _READ_SQLITE_OPTIONS], check=True, capture_output=True, text=True
    )
    report = json.loads(done.stdout)
    assert report["read"] == [False, "lapor_complaints.next_due_at IS NOT NULL", True]
    assert report["loaded"] == []
    mysql_options = [f"{name}_{option}" for name in ("mysql", "mariadb") for option in _MYSQL_OPTIONS]
    assert report["listed"] == sorted([*mysql_options, "sqlite_with_rowid"])


def test_copies_and_pickles_of_the_schema_keep_every_dialect_option() -> None:
    """``to_metadata`` and pickling carry the deferred options over, for every dialect."""
    import pickle

    copied = sa.MetaData()
    for table in _schema.metadata.sorted_tables:
        table.to_metadata(copied)
    pickled = pickle.loads(pickle.dumps(_schema.metadata))  # noqa: S301  # our own metadata
    for other in (copied, pickled):
        for table in _schema.metadata.sorted_tables:
            twin = other.tables[table.name]
            assert _options(twin) == _options(table)
            twins = {index.name: index for index in twin.indexes}
            for index in table.indexes:
                assert _options(twins[index.name]) == _options(index)
            for driver in DRIVERS:
                dialect = _dialect(driver)
                assert str(CreateTable(twin).compile(dialect=dialect)) == str(
                    CreateTable(table).compile(dialect=dialect)
                )


def test_a_deferred_option_its_dialect_does_not_take_is_refused_when_read() -> None:
    """The options are checked against their dialect as SQLAlchemy checks them, when they are read."""
    table = sa.Table("lapor_test_bad_option", sa.MetaData(), sa.Column("id", sa.Integer))
    index = _schema._with_options(sa.Index("ix_test", table.c.id), postgresql_no_such_option=1)
    with pytest.raises(sa.exc.ArgumentError, match="postgresql_no_such_option"):
        sa.Index("ix_test_eager", table.c.id, postgresql_no_such_option=1)
    assert index.dialect_options["sqlite"]["where"] is None
    with pytest.raises(sa.exc.ArgumentError, match="postgresql_no_such_option"):
        index.dialect_options["postgresql"]
    with pytest.raises(sa.exc.ArgumentError, match="postgresql_no_such_option"):
        dict(index.kwargs)
