"""The portal's display filter and the library's text rule agree on bidirectional characters.

The library refuses embeddings, overrides and isolates (U+202A-202E, U+2066-2069) in every free text; the
pages remove exactly those from what they print, for text stored before the rule or by another system.
The direction marks (U+200E LRM, U+200F RLM, U+061C ALM) are accepted by the library and kept on the pages:
they are ordinary in Arabic-script names and quotations, and a mark never reverses letters the way an
override does (it can change where the punctuation and numbers beside it show, inside its own paragraph:
the writer's own text, which the library stores and searches as typed).
"""

from __future__ import annotations

import sys
import unicodedata

import attrs
import pytest
from fastapi.testclient import TestClient

import lapor_core as lc
from lapor_portal.formatting import without_bidi_controls
from portal_helpers import ADMIN, submission

_MARKS = ("\u200e", "\u200f", "\u061c")
_EXPLICIT = ("LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI")


def _format_characters() -> list[str]:
    """Every format character (Cf) and every character of an explicit bidirectional class."""
    found = []
    for code in range(sys.maxunicode + 1):
        c = chr(code)
        if unicodedata.category(c) == "Cf" or unicodedata.bidirectional(c) in _EXPLICIT:
            found.append(c)
    return found


def _library_refuses_as_bidi(c: str) -> bool:
    """Whether the library refuses ``c`` in a complaint's body as a bidirectional control."""
    try:
        submission(body=f"Isi {c}laporan.")
    except lc.ValidationError as error:
        return any(e.code == "text.bidi_control" for e in error.errors)
    return False


def test_the_pages_remove_exactly_what_the_library_refuses_as_bidirectional_controls() -> None:
    """Every format character: the filter drops it exactly when the library refuses it as a bidi control."""
    characters = _format_characters()
    assert len(characters) > 150
    refused = {c for c in characters if _library_refuses_as_bidi(c)}
    dropped = {c for c in characters if without_bidi_controls(f"a{c}b") == "ab"}
    assert dropped == refused
    assert {unicodedata.bidirectional(c) for c in refused} == set(_EXPLICIT)
    assert not refused & set(_MARKS)


@pytest.mark.parametrize("mark", _MARKS)
def test_direction_marks_are_accepted_and_shown_as_written(
    client: TestClient, desk: lc.ComplaintDesk, mark: str
) -> None:
    """A body quoting Arabic with a direction mark is stored and shown with the mark, in its stored order."""
    quoted = f"Papan masjid bertuliskan {mark}مسجد النور{mark} sudah roboh."
    tid = desk.submit(submission(body=quoted)).tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    assert desk.view(lc.Principal.public(), tid).body == quoted
    assert quoted in client.get(f"/pengaduan/{tid}").text


def test_a_stored_override_is_removed_but_a_mark_beside_it_is_kept(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """Text that reached the store past the rule loses its override on the page and keeps its marks."""
    tid = desk.submit(submission(title="Pungli di loket")).tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    complaint = desk.store.get(tid)
    tricked = attrs.evolve(complaint, title="Pungli di \u202eteko\u202c \u200fمسجد")
    desk.store._complaints[tid] = tricked  # type: ignore[attr-defined]  # white box: bypass the text rules
    page = client.get(f"/pengaduan/{tid}").text
    assert "Pungli di teko \u200fمسجد" in page
    assert "\u202e" not in page
    assert "\u202c" not in page
