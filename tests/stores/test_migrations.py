from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from lapor_core.errors import ConfigurationError
from lapor_core.stores.sql import SCHEMA_REVISION, SqlComplaintStore, upgrade
from lapor_core.stores.sql import _complaints as sql
from lapor_core.stores.sql._schema import VERSION_TABLE, metadata
from lapor_core.testing.builders import new_complaint

MIGRATIONS = Path(sql.__file__).with_name("migrations")
# The release after this one: a revision on top of whatever the newest shipped one is.
CURRENT, NEXT = SCHEMA_REVISION, "9001"
NEXT_MIGRATION = f'''
"""A later revision for the tests: a column on the outbox."""

import sqlalchemy as sa
from alembic import op

revision = "{NEXT}"
down_revision = "{CURRENT}"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("lapor_outbox", sa.Column("note", sa.Text))


def downgrade():
    op.drop_column("lapor_outbox", "note")
'''


def _engine(url: str) -> sa.Engine:
    return sa.create_engine(url, poolclass=sa.NullPool)


def _revision_in(url: str) -> list[str]:
    engine = _engine(url)
    try:
        with engine.connect() as connection:
            query = sa.select(sa.column("version_num")).select_from(sa.table(VERSION_TABLE))
            return list(connection.execute(query).scalars())
    finally:
        engine.dispose()


def _set_revision(url: str, revision: str) -> None:
    engine = _engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.table(VERSION_TABLE, sa.column("version_num")).update().values(version_num=revision)
            )
    finally:
        engine.dispose()


@pytest.fixture
def next_release(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend the code is one release ahead: a copy of the migrations plus revision NEXT."""
    location = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, location, ignore=shutil.ignore_patterns("__pycache__"))
    (location / "versions" / f"v{NEXT}_outbox_note.py").write_text(textwrap.dedent(NEXT_MIGRATION))
    monkeypatch.setattr(sql, "_MIGRATIONS", location)
    monkeypatch.setattr(sql, "SCHEMA_REVISION", NEXT)
    monkeypatch.setattr(sql, "REVISIONS", (*sql.REVISIONS, NEXT))


def test_schema_revision_is_the_newest_migration_and_history_is_linear() -> None:
    """SCHEMA_REVISION names the head of the shipped migrations, which form one line from the first."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    scripts = ScriptDirectory.from_config(config)
    assert scripts.get_heads() == [SCHEMA_REVISION]
    oldest_first = [script.revision for script in reversed(list(scripts.walk_revisions()))]
    assert tuple(oldest_first) == sql.REVISIONS


def test_new_empty_database_gets_the_schema_when_opened(empty_url: str) -> None:
    """Opening an empty database creates the schema at the current revision, recorded in its own table."""
    store = SqlComplaintStore(empty_url)
    try:
        assert store.schema_revision() == SCHEMA_REVISION
        store.save(new_complaint())
    finally:
        store.close()
    assert _revision_in(empty_url) == [SCHEMA_REVISION]


def test_migrated_schema_matches_the_metadata_the_queries_use(empty_url: str) -> None:
    """Alembic finds no difference between the migrated database and the schema module (types included)."""
    SqlComplaintStore(empty_url).close()
    engine = _engine(empty_url)
    try:
        with engine.connect() as connection:
            opts = {"compare_type": True, "version_table": VERSION_TABLE}
            context = MigrationContext.configure(connection, opts=opts)
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()


def test_opening_twice_and_migrating_again_change_nothing(empty_url: str) -> None:
    """A second open and an explicit migrate() on a current database are no-ops that keep the data."""
    first = SqlComplaintStore(empty_url)
    changes = new_complaint()
    first.save(changes)
    first.migrate()
    first.close()
    second = SqlComplaintStore(empty_url, schema="check")
    try:
        assert second.get(changes.complaint.tracking_id) == changes.complaint
    finally:
        second.close()


def test_check_mode_refuses_an_empty_database_and_says_what_to_run(empty_url: str) -> None:
    """schema="check" on a database without the schema raises ConfigurationError naming `lapor db upgrade`."""
    with pytest.raises(ConfigurationError, match="lapor db upgrade"):
        SqlComplaintStore(empty_url, schema="check")


def test_older_schema_raises_configuration_error_saying_what_to_run(
    empty_url: str, next_release: None
) -> None:
    """A database one revision behind the code is refused with the command that upgrades it."""
    old = SqlComplaintStore(empty_url, schema="skip")
    old.migrate(CURRENT)
    old.close()
    with pytest.raises(ConfigurationError) as caught:
        SqlComplaintStore(empty_url)
    message = str(caught.value)
    assert f"revision {CURRENT}" in message
    assert f"needs {NEXT}" in message
    assert "lapor db upgrade" in message
    assert "store.migrate()" in message


def test_message_about_an_older_schema_hides_the_password(next_release: None, tmp_path: Path) -> None:
    """The upgrade command shown for a server URL does not repeat its password."""
    url = sa.make_url("postgresql+psycopg://lapor:s3cret@db.example/lapor")
    with pytest.raises(ConfigurationError) as caught:
        sql._require_current("0001", url)
    assert "s3cret" not in str(caught.value)
    assert "lapor:***@db.example" in str(caught.value)


def test_newer_schema_raises_configuration_error_asking_to_upgrade_lapor_core(empty_url: str) -> None:
    """A database migrated by a newer lapor_core is refused, in every mode but skip."""
    SqlComplaintStore(empty_url).close()
    _set_revision(empty_url, "9999")
    for mode in ("create", "check", "upgrade"):
        with pytest.raises(ConfigurationError, match="newer than this lapor_core"):
            SqlComplaintStore(empty_url, schema=mode)  # type: ignore[arg-type]
    SqlComplaintStore(empty_url, schema="skip").close()


def test_upgrade_mode_applies_pending_migrations_and_keeps_data(empty_url: str, next_release: None) -> None:
    """schema="upgrade" brings an older database to the current revision without losing complaints."""
    old = SqlComplaintStore(empty_url, schema="skip")
    old.migrate(CURRENT)
    changes = new_complaint()
    old.save(changes)
    old.close()
    store = SqlComplaintStore(empty_url, schema="upgrade")
    try:
        assert store.schema_revision() == NEXT
        assert store.get(changes.complaint.tracking_id) == changes.complaint
    finally:
        store.close()


def test_upgrade_function_migrates_a_database_by_url(empty_url: str, next_release: None) -> None:
    """upgrade(url), the body of `lapor db upgrade`, creates or upgrades the schema to the newest revision."""
    assert upgrade(empty_url, revision=CURRENT) == ""
    assert _revision_in(empty_url) == [CURRENT]
    upgrade(empty_url)
    assert _revision_in(empty_url) == [NEXT]


@pytest.mark.parametrize(
    ("url", "table_options"),
    [
        ("sqlite:///unused.db", ""),
        ("postgresql+psycopg://lapor:s3cret@db.example/lapor", 'COLLATE "C"'),
        ("mysql+pymysql://lapor:s3cret@db.example/lapor", "utf8mb4_bin"),
    ],
)
def test_upgrade_can_print_the_sql_script_instead(url: str, table_options: str, tmp_path: Path) -> None:
    """upgrade(url, sql=True) returns the DDL for that database without connecting to it."""
    script = upgrade(url, sql=True)
    assert "CREATE TABLE lapor_complaints" in script
    assert VERSION_TABLE in script
    assert table_options in script
    assert "s3cret" not in script
    assert not (tmp_path / "unused.db").exists()


def test_unknown_target_revision_raises_configuration_error(empty_url: str) -> None:
    """Migrating to a revision that does not exist is a configuration error, not an Alembic exception."""
    store = SqlComplaintStore(empty_url, schema="skip")
    try:
        with pytest.raises(ConfigurationError, match="nope"):
            store.migrate("nope")
    finally:
        store.close()


def test_foreign_tables_with_our_names_are_refused(empty_url: str) -> None:
    """A lapor_complaints table that the migrations did not create is not silently adopted."""
    engine = _engine(empty_url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("CREATE TABLE lapor_complaints (tracking_id VARCHAR(40) PRIMARY KEY)"))
    finally:
        engine.dispose()
    with pytest.raises(ConfigurationError, match="not created by lapor_core"):
        SqlComplaintStore(empty_url)


def test_host_applications_alembic_version_table_is_left_alone(empty_url: str) -> None:
    """The portal's own alembic_version table keeps its row; lapor_core records its revision elsewhere."""
    engine = _engine(empty_url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
            connection.execute(sa.text("INSERT INTO alembic_version VALUES ('portal42')"))
        SqlComplaintStore(empty_url).close()
        with engine.connect() as connection:
            assert list(connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalars()) == [
                "portal42"
            ]
    finally:
        engine.dispose()


def test_downgrade_to_base_removes_every_table(empty_url: str) -> None:
    """The first migration's downgrade drops what its upgrade created (for developers resetting one)."""
    SqlComplaintStore(empty_url).close()
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    engine = _engine(empty_url)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "base")
        with engine.connect() as connection:
            assert set(sa.inspect(connection).get_table_names()) <= {VERSION_TABLE}
    finally:
        engine.dispose()
