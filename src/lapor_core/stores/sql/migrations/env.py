"""Alembic's environment for lapor_core's schema.

Alembic runs this file; lapor_core drives it from :func:`lapor_core.stores.sql.upgrade`, handing over an open
connection in ``config.attributes["connection"]`` (online) or a URL in the ``sqlalchemy.url`` option (offline,
when a DBA wants the SQL script instead).
"""

from __future__ import annotations

from alembic import context

from lapor_core.stores.sql._schema import VERSION_TABLE, metadata


def run() -> None:
    """Run the migrations Alembic asked for, online on the given connection or offline as SQL text."""
    config = context.config
    if context.is_offline_mode():
        context.configure(
            url=config.get_main_option("sqlalchemy.url"),
            target_metadata=metadata,
            version_table=VERSION_TABLE,
            literal_binds=True,
        )
    else:
        context.configure(
            connection=config.attributes["connection"],
            target_metadata=metadata,
            version_table=VERSION_TABLE,
        )
    with context.begin_transaction():
        context.run_migrations()


try:
    context.is_offline_mode()
except NameError:  # imported by a tool (pytest's doctest collector) rather than run by Alembic
    pass
else:
    run()
