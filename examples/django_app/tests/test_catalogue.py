"""The app's Indonesian catalogue: every text of its pages and commands translated, the .mo up to date."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

APP = Path(__file__).resolve().parents[1] / "lapor_django"
MESSAGES = APP / "locale" / "id" / "LC_MESSAGES"
_TEMPLATE = re.compile(r'\{% translate "([^"]+)" %\}')
_CODE = re.compile(r'\b_\(\s*"([^"]+)"')


def _texts() -> set[str]:
    found = set()
    for path in APP.rglob("*.html"):
        found |= set(_TEMPLATE.findall(path.read_text(encoding="utf-8")))
    for path in APP.rglob("*.py"):
        found |= set(_CODE.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_text_has_an_indonesian_translation():
    """Each {% translate %} of the templates and each _() of the code is in django.po, translated."""
    with (MESSAGES / "django.po").open("rb") as handle:
        catalogue = read_po(handle)
    translated = {m.id: m.string for m in catalogue if m.id and m.string}
    texts = _texts()
    assert len(texts) > 20
    assert sorted(texts - set(translated)) == []


def test_the_compiled_catalogue_matches_its_source():
    """django.mo holds exactly what django.po says (recompile with msgfmt after editing the .po)."""
    with (MESSAGES / "django.po").open("rb") as handle:
        source = {m.id: m.string for m in read_po(handle) if m.id}
    with (MESSAGES / "django.mo").open("rb") as handle:
        compiled = {m.id: m.string for m in read_mo(handle) if m.id}
    assert compiled == source
