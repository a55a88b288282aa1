"""Check the links inside the built HTML site: every page, file and anchor a page points to must exist.

Sphinx's ``linkcheck`` builder follows external links over the network; this checks only the site's own
links, offline, after each HTML build (``build-finished``). A broken one is a Sphinx warning, so the build
with ``-W`` (``make docs``) fails. ``python docs/_ext/internal_links.py build/docs`` checks a built site.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

LINK_ATTRIBUTES = {"a": "href", "link": "href", "img": "src", "script": "src", "iframe": "src"}
# viewcode's source pages (_modules/) and the [source] links into them are generated, not written: the source
# pages link each object back to where the API reference describes it, which docs/api.md renders with
# :no-index: (no anchors), and viewcode leaves out the block of an object it did not see documented (a class
# re-exported under another module). Links from and to those pages are checked for their files only.
VIEWCODE_FOLDER = "_modules"


class _PageParser(HTMLParser):
    """Collects a page's element IDs (anchors) and the URLs it links to."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("id", "name") if tag == "a" else ("id",):
            if values.get(name):
                self.anchors.add(str(values[name]))
        link = values.get(LINK_ATTRIBUTES.get(tag, ""))
        if link:
            self.links.append(link)


def _parse(page: Path) -> _PageParser:
    parser = _PageParser()
    parser.feed(page.read_text(encoding="utf-8"))
    parser.close()
    return parser


def broken_links(site: Path, *, other_editions: Iterable[str] = ()) -> list[str]:
    """Every internal link of the HTML site at ``site`` whose file or anchor does not exist.

    Links with a scheme or a host (``https:``, ``mailto:``, ``//cdn``) are external and not checked; a link
    to a directory means its ``index.html``. Links that leave ``site`` and links into the folders named in
    ``other_editions`` lead to another build (the other language's edition) and are checked where both are
    built (``make docs`` checks the whole site). Each problem is ``"page.html: link (what is missing)"``,
    sorted.

    Example:
        >>> import tempfile
        >>> site = Path(tempfile.mkdtemp())
        >>> _ = (site / "index.html").write_text('<a href="other.html#there">x</a><a href="#top">y</a>')
        >>> _ = (site / "other.html").write_text('<h1 id="here">z</h1>')
        >>> broken_links(site)
        ['index.html: #top (no such anchor)', 'index.html: other.html#there (no such anchor)']
    """
    elsewhere = [site / edition for edition in other_editions]
    pages = {page: _parse(page) for page in sorted(site.rglob("*.html"))}
    pages = {page: parsed for page, parsed in pages.items() if not _inside_any(page, elsewhere)}
    problems = []
    for page, parsed in pages.items():
        for link in parsed.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith("data:"):
                continue
            target = page if not parts.path else _resolve(page, unquote(parts.path))
            if not _inside_any(target, [site]) or _inside_any(target, elsewhere):
                continue
            if not target.exists():
                problems.append(f"{page.relative_to(site)}: {link} (no such file)")
                continue
            if target.is_dir():
                target = target / "index.html"
            fragment = unquote(parts.fragment)
            if (
                VIEWCODE_FOLDER in page.relative_to(site).parts
                or VIEWCODE_FOLDER in target.relative_to(site).parts
            ):
                continue
            if fragment and target.suffix == ".html":
                anchors = pages[target].anchors if target in pages else _parse(target).anchors
                if fragment not in anchors:
                    problems.append(f"{page.relative_to(site)}: {link} (no such anchor)")
    return sorted(problems)


def _inside_any(path: Path, folders: Iterable[Path]) -> bool:
    return any(path == folder or folder in path.parents for folder in folders)


def _resolve(page: Path, path: str) -> Path:
    joined = PurePosixPath(page.parent.as_posix()) / path
    parts: list[str] = []
    for part in joined.parts:
        if part == "..":
            if parts:
                parts.pop()
        elif part != ".":
            parts.append(part)
    return Path(*parts) if parts else Path("/")


def check_built_site(app: Any, exception: BaseException | None) -> None:
    """Sphinx ``build-finished`` hook: warn about each broken internal link of an HTML build."""
    if exception is not None or app.builder.format != "html":
        return
    from sphinx.util import logging  # noqa: PLC0415 - only inside a Sphinx build

    logger = logging.getLogger(__name__)
    for problem in broken_links(Path(app.outdir), other_editions=app.config.internal_links_other_editions):
        logger.warning("broken internal link: %s", problem)


def setup(app: Any) -> dict[str, Any]:
    """Register the check with Sphinx."""
    app.add_config_value("internal_links_other_editions", [], "html", list)
    app.connect("build-finished", check_built_site)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    found = broken_links(Path(sys.argv[1]))
    print("\n".join(found) or "no broken internal links")
    raise SystemExit(1 if found else 0)
