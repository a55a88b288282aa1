"""Internal notes: what staff write on a complaint for each other, never for its reporter or the public.

lapor_core keeps what the reporter and the public may learn (the history, the messages of each step); a
note between officers ("called the head of the sub-district, repair planned for Friday") is not a step of
the complaint, so the portal keeps it in a store of its own, beside the desk. Only the staff pages read it:
the public pages, the reporter's page, the JSON API, Open311 and the CSV export never do.

Who may read and write a complaint's notes is decided from the desk: a staff member who may see the
complaint's content (:func:`may_use_notes`), so an officer of another institution (to whom the complaint
does not exist) or an oversight role shown a confidential complaint without its content reads none.

:class:`InMemoryNoteStore` (the default, gone when the process ends) and :class:`SqliteNoteStore` (a file of
its own, for the example's SQLite deployments) keep notes; a deployment may pass any :class:`NoteStore`.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime
from pathlib import Path
from typing import Final, Protocol

import attrs

import lapor_core as lc
from lapor_portal.accounts import Account

__all__ = [
    "MAX_NOTE",
    "MAX_NOTES_SHOWN",
    "InMemoryNoteStore",
    "Note",
    "NoteStore",
    "SqliteNoteStore",
    "check_note",
    "may_use_notes",
]

MAX_NOTE: Final = 2000
"""The longest note, in characters."""
MAX_NOTES_SHOWN: Final = 200
"""The most recent notes a complaint's page shows."""
_ALLOWED_CONTROLS: Final = frozenset("\n\t")
_BIDI: Final = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


@attrs.frozen
class Note:
    """One internal note.

    Attributes:
        tracking_id: The complaint it is about.
        author: The staff account's key.
        author_name: The account's display name when written.
        role: The author's role value (``admin``, ``institution``...).
        written_at: When it was written (the desk's clock).
        text: What it says (plain text; pages escape it).
    """

    tracking_id: str
    author: str
    author_name: str
    role: str
    written_at: datetime
    text: str


class NoteStore(Protocol):
    """Where internal notes are kept. Both methods are safe to call from several threads at once."""

    def add(self, note: Note) -> None:
        """Keep ``note``."""

    def notes_of(self, tracking_id: str, limit: int = MAX_NOTES_SHOWN) -> tuple[Note, ...]:
        """The complaint's ``limit`` most recent notes, oldest first."""


def check_note(text: str) -> tuple[str, list[lc.FieldError]]:
    """The note as kept (white space around it removed) and what is wrong with it (field ``note``).

    The reasons are the library's own messages for free text: empty, too long, control characters.

    >>> check_note("  Sudah ditelepon.  ")
    ('Sudah ditelepon.', [])
    >>> [e.code for e in check_note("   ")[1]], [e.code for e in check_note("x" * 2001)[1]]
    (['text.empty'], ['text.too_long'])
    """
    kept = text.strip()
    if not kept:
        return kept, [lc.FieldError("note", "text.empty")]
    if len(kept) > MAX_NOTE:
        return kept, [lc.FieldError("note", "text.too_long", {"max": MAX_NOTE, "actual": len(kept)})]
    if any((ord(c) < 32 or ord(c) == 127) and c not in _ALLOWED_CONTROLS for c in kept):
        return kept, [lc.FieldError("note", "text.control_characters")]
    if any(c in _BIDI for c in kept):
        return kept, [lc.FieldError("note", "text.bidi_control")]
    return kept, []


def may_use_notes(account: Account, view: lc.ComplaintView, *, write: bool = False) -> bool:
    """Whether ``account``, shown ``view`` by the desk, reads (or, ``write``, adds) the complaint's notes.

    Only when the view shows the content (notes often repeat it), and only for those who handle the
    complaint: admins; the officers of the institution it is at now; the unit it is assigned to. Oversight
    (supervisors) reads them without writing, as it reads the complaint. An officer of another
    institution, shown a published complaint as the public sees it, reads none.
    """
    if view.body is None:
        return False
    role = account.role
    if role is lc.Role.ADMIN:
        return True
    if role is lc.Role.SUPERVISOR:
        return not write
    if role is lc.Role.INSTITUTION:
        return account.institution is not None and view.institution == account.institution
    if role is lc.Role.UNIT:
        return (
            view.institution == account.institution and account.unit is not None and view.unit == account.unit
        )
    return False


class InMemoryNoteStore:
    """Notes in this process's memory (tests, ``memory://`` desks)."""

    def __init__(self) -> None:
        self._notes: dict[str, list[Note]] = {}
        self._lock = threading.Lock()

    def add(self, note: Note) -> None:
        """Keep ``note``."""
        with self._lock:
            self._notes.setdefault(note.tracking_id, []).append(note)

    def notes_of(self, tracking_id: str, limit: int = MAX_NOTES_SHOWN) -> tuple[Note, ...]:
        """The complaint's ``limit`` most recent notes, oldest first."""
        with self._lock:
            return tuple(self._notes.get(tracking_id, ())[-limit:]) if limit > 0 else ()


_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS portal_notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tracking_id TEXT NOT NULL,
    author TEXT NOT NULL,
    author_name TEXT NOT NULL,
    role TEXT NOT NULL,
    written_at TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_portal_notes_complaint ON portal_notes (tracking_id, id);
"""


class SqliteNoteStore:
    """Notes in a SQLite file of their own (never the desk's database: the library owns that schema)."""

    def __init__(self, path: str | Path) -> None:
        self._connection = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        with self._lock:
            self._connection.executescript(_SCHEMA)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(...)"

    def add(self, note: Note) -> None:
        """Keep ``note``."""
        with self._lock:
            self._connection.execute(
                "INSERT INTO portal_notes (tracking_id, author, author_name, role, written_at, text) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    note.tracking_id,
                    note.author,
                    note.author_name,
                    note.role,
                    note.written_at.isoformat(),
                    note.text,
                ),
            )

    def notes_of(self, tracking_id: str, limit: int = MAX_NOTES_SHOWN) -> tuple[Note, ...]:
        """The complaint's ``limit`` most recent notes, oldest first."""
        with self._lock:
            rows = self._connection.execute(
                "SELECT tracking_id, author, author_name, role, written_at, text FROM portal_notes "
                "WHERE tracking_id = ? ORDER BY id DESC LIMIT ?",
                (tracking_id, max(limit, 0)),
            ).fetchall()
        return tuple(
            Note(tid, author, name, role, datetime.fromisoformat(at), text)
            for tid, author, name, role, at, text in reversed(rows)
        )

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._connection.close()
