"""The internal link check of the built docs (docs/_ext/internal_links.py), which ``make docs`` runs.

The check runs inside every HTML build (Sphinx's ``build-finished``), so ``make docs`` costs no second pass;
these tests prove that it finds what it must on small sites, and that a Sphinx build with ``-W`` fails on a
broken link.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

EXTENSIONS = Path(__file__).parent.parent / "docs" / "_ext"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("internal_links", EXTENSIONS / "internal_links.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


internal_links = _load()


def site(root: Path, pages: dict[str, str]) -> Path:
    """Write ``pages`` (path: HTML) under ``root``; return it."""
    for name, text in pages.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_links_to_existing_pages_files_and_anchors_pass(tmp_path: Path) -> None:
    """Relative paths, ``..``, a directory's index, ``<a name>``, percent-encoding and same-page anchors."""
    root = site(
        tmp_path,
        {
            "index.html": '<a href="guide/">g</a><a href="guide/page%20two.html#s-1">p</a>'
            '<a href="#top">t</a><span id="top"></span><img src="_static/logo.png">',
            "guide/index.html": '<a href="../index.html#top">up</a><a name="old"></a>',
            "guide/page two.html": '<section id="s-1"></section><a href="index.html#old">o</a>',
            "_static/logo.png": "",
        },
    )
    assert internal_links.broken_links(root) == []


def test_missing_file_and_missing_anchor_are_each_reported(tmp_path: Path) -> None:
    """A link to a page that is not there, and one to an anchor the page lacks, are named by page."""
    root = site(
        tmp_path,
        {
            "index.html": '<a href="gone.html">a</a><a href="other.html#nowhere">b</a>',
            "other.html": '<link href="css/missing.css"><h1 id="somewhere">x</h1>',
        },
    )
    assert internal_links.broken_links(root) == [
        "index.html: gone.html (no such file)",
        "index.html: other.html#nowhere (no such anchor)",
        "other.html: css/missing.css (no such file)",
    ]


def test_external_links_are_not_followed(tmp_path: Path) -> None:
    """Links with a scheme or a host are for Sphinx's linkcheck, not this offline check."""
    root = site(
        tmp_path,
        {
            "index.html": '<a href="https://example.id/x#y">a</a><a href="mailto:a@example.id">m</a>'
            '<script src="//cdn.example/x.js"></script><img src="data:image/png;base64,AAAA">'
        },
    )
    assert internal_links.broken_links(root) == []


def test_viewcode_pages_have_files_checked_but_not_anchors(tmp_path: Path) -> None:
    """Links from and to the generated source pages pass on their file; a missing file does not."""
    root = site(
        tmp_path,
        {
            "api.html": '<h1>API</h1><a href="_modules/lapor_core/desk.html#NotThere">[source]</a>',
            "_modules/lapor_core/desk.html": '<a href="../../api.html#lapor_core.ComplaintDesk">docs</a>'
            '<a href="../../gone.html">x</a>',
        },
    )
    assert internal_links.broken_links(root) == [
        "_modules/lapor_core/desk.html: ../../gone.html (no such file)"
    ]


def test_sphinx_build_with_warnings_as_errors_fails_on_a_broken_link(tmp_path: Path) -> None:
    """The extension wired into a real Sphinx build turns a broken link into a failing ``-W`` build."""
    source = site(
        tmp_path / "src",
        {
            "conf.py": f"import sys\nsys.path.insert(0, {str(EXTENSIONS)!r})\n"
            "extensions = ['internal_links']\n",
            "index.rst": 'Title\n=====\n\n.. raw:: html\n\n   <a href="missing.html#x">x</a>\n',
        },
    )
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", str(source), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "broken internal link: index.html: missing.html#x (no such file)" in result.stderr


def test_links_to_the_other_edition_are_left_to_the_check_of_the_whole_site(tmp_path: Path) -> None:
    """Each build skips the other language's folder and links leaving its root; the whole site checks them."""
    root = site(
        tmp_path,
        {
            "index.html": '<a href="id/index.html">id</a>',
            "id/index.html": '<a href="../index.html">en</a><a href="../../outside.html">x</a>',
        },
    )
    assert internal_links.broken_links(root, other_editions=["id"]) == []
    assert internal_links.broken_links(root / "id") == []
    (root / "id" / "index.html").unlink()
    assert internal_links.broken_links(root, other_editions=["id"]) == []
    assert internal_links.broken_links(root) == ["index.html: id/index.html (no such file)"]
