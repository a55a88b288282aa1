"""The SELECT statements a SQL store sends, whichever way it sends them, for the tests that read their plans.

Listings and the per-command reads run on the store's driver (compiled once, on its own connections);
counts and the rest go through SQLAlchemy's engine. Both are recorded, in the order they are sent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest
import sqlalchemy as sa

from lapor_core.stores.sql import SqlComplaintStore
from lapor_core.stores.sql._driver import Prepared


def selects_sent(
    store: SqlComplaintStore, call: Callable[[SqlComplaintStore], object]
) -> list[tuple[str, Any]]:
    """The SELECT statements (and their parameters, as the driver takes them) ``call`` sends."""
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    driver = store._driver  # the store's own path, recorded as it runs
    fetch = driver.fetch

    def fetched(prepared: Prepared, values: Sequence[Any]) -> list[Sequence[Any]]:
        seen.append((prepared.sql, prepared.params(values)))
        return fetch(prepared, values)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(driver, "fetch", fetched)
        sa.event.listen(store.engine, "before_cursor_execute", record)
        try:
            call(store)
        finally:
            sa.event.remove(store.engine, "before_cursor_execute", record)
    return seen
