"""What the tests of a migration share: its script loaded as a module, a database taken back before it."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from lapor_core.stores.sql import _complaints as sql

MIGRATIONS = Path(sql.__file__).with_name("migrations")


def revision_module(filename: str) -> ModuleType:
    """The migration script ``versions/<filename>`` as a module (the scripts are no package to import)."""
    path = MIGRATIONS / "versions" / filename
    spec = importlib.util.spec_from_file_location(f"lapor_revision_{path.stem}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def downgrade(url: str, revision: str) -> None:
    """Take the database at ``url`` back to ``revision`` with Alembic, as an operator would."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, revision)
    finally:
        engine.dispose()
