"""The Indonesian edition's catalogues: how far each translated page is behind its English source.

A page is translated when ``docs/locale/id/LC_MESSAGES/<page>.po`` exists. Its messages are extracted from the
current English source with Sphinx's gettext builder (a minimal configuration over that page alone, so it
takes a second or two, not a build of the whole site) and compared with the catalogue: a message is behind
when the catalogue has no translation for it, or only a fuzzy one. ``tests/test_translations.py`` fails when
more of a page's messages are behind than :func:`allowed_behind` allows (see docs/translating.md).

``python docs/_ext/translations.py status`` prints each page's figure; ``update`` merges the current English
messages into the catalogues (changed messages become fuzzy, new ones empty) for a translator to fill.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

DOCS = Path(__file__).resolve().parent.parent
LOCALE = DOCS / "locale" / "id" / "LC_MESSAGES"
MAX_BEHIND = 0.10
"""The share of a translated page's messages that may be untranslated or fuzzy (10 %, and always one)."""


def allowed_behind(total: int) -> int:
    """How many of a page's ``total`` messages may be behind: 10 %, at least one (a small page's one fix).

    >>> [allowed_behind(n) for n in (6, 10, 19, 20, 134)]
    [1, 1, 1, 2, 13]
    """
    return max(1, int(total * MAX_BEHIND))


_CONF = """\
import sys
sys.path.insert(0, {docs!r})
from conf import *  # the real settings, so messages are split exactly as in the build
del setup
extensions = ["myst_parser"]
exclude_patterns = {excluded!r}
"""


def translated_pages() -> list[str]:
    """The pages with an Indonesian catalogue, as document names (``tutorial/regional-desk``)."""
    return sorted(po.relative_to(LOCALE).with_suffix("").as_posix() for po in LOCALE.rglob("*.po"))


def extract(pages: Iterable[str], into: Path) -> dict[str, Catalog]:
    """The English messages of ``pages`` as Sphinx's gettext builder extracts them, by page.

    Raises:
        RuntimeError: Sphinx failed (its output is in the message).
    """
    wanted = set(pages) | {"index"}  # the root document must be there
    sources = [p for p in DOCS.rglob("*") if p.suffix in {".md", ".rst"} and "_build" not in p.parts]
    excluded = sorted(
        p.relative_to(DOCS).as_posix()
        for p in sources
        if p.relative_to(DOCS).with_suffix("").as_posix() not in wanted
    )
    conf = into / "conf"
    conf.mkdir(parents=True, exist_ok=True)
    (conf / "conf.py").write_text(_CONF.format(docs=str(DOCS), excluded=excluded), encoding="utf-8")
    result = subprocess.run(  # noqa: S603 - this interpreter's Sphinx on the project's own docs
        [
            sys.executable,
            "-m",
            "sphinx",
            "-q",
            "-b",
            "gettext",
            "-c",
            str(conf),
            "-d",
            str(into / "doctrees"),
            str(DOCS),
            str(into / "pot"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"sphinx gettext failed: {result.stderr.strip()}")
    catalogs = {}
    for page in wanted:
        with (into / "pot" / f"{page}.pot").open("rb") as pot:
            catalogs[page] = read_po(pot)
    return catalogs


def behind(template: Catalog, translation: Catalog) -> list[str]:
    """The messages of ``template`` that ``translation`` leaves untranslated or fuzzy."""
    missing = []
    for message in template:
        if not message.id:
            continue
        found = translation.get(message.id, message.context)
        if found is None or not found.string or found.fuzzy:
            missing.append(str(message.id))
    return missing


def read_catalogue(page: str) -> Catalog:
    """The Indonesian catalogue of ``page``."""
    with (LOCALE / f"{page}.po").open("rb") as po:
        return read_po(po, locale="id")


def write_catalogue(page: str, catalog: Catalog) -> None:
    """Write ``page``'s catalogue without source locations (they move with every edit of the page)."""
    path = LOCALE / f"{page}.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as po:
        write_po(po, catalog, width=110, no_location=True, omit_header=False, include_previous=True)


def main(argv: list[str]) -> int:
    """``status`` or ``update``; the exit status is 1 when a page is further behind than allowed."""
    command = argv[0] if argv else "status"
    pages = translated_pages()
    with tempfile.TemporaryDirectory() as folder:
        templates = extract(pages, Path(folder))
    too_far = False
    for page in pages:
        catalog = read_catalogue(page)
        if command == "update":
            catalog.update(templates[page], update_header_comment=False)
            write_catalogue(page, catalog)
        missing = behind(templates[page], catalog)
        total = sum(1 for m in templates[page] if m.id)
        too_far = too_far or len(missing) > allowed_behind(total)
        print(f"{page}: {total - len(missing)} of {total} messages translated, {len(missing)} behind")
    return 1 if too_far else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
