"""Alembic migrations of :class:`~lapor_core.stores.sql.SqlComplaintStore`'s schema.

Run them with ``store.migrate()``, :func:`lapor_core.stores.sql.upgrade` or ``lapor db upgrade URL``; this
package only holds the scripts (``env.py`` and ``versions/``).
"""
