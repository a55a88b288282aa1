"""Sphinx configuration for the lapor_core documentation."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import lapor_core

sys.path.insert(0, str(Path(__file__).parent / "_ext"))  # the docs' own extensions

project = "lapor_core"
author = "lapor_core contributors"
copyright = "2026, lapor_core contributors"
release = lapor_core.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.intersphinx",
    "sphinx.ext.viewcode",
    "internal_links",  # _ext/internal_links.py: every internal link and anchor of the built site exists
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
exclude_patterns = ["_build", "_generated"]
nitpicky = False
autodoc_typehints = "description"
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "show-inheritance": True}
napoleon_google_docstring = True
napoleon_numpy_docstring = False
intersphinx_mapping: dict[str, tuple[str, str | None]] = {}
suppress_warnings = ["myst.header"]

html_theme = "furo"
html_title = "lapor_core"
html_static_path: list[str] = []

# The Indonesian edition: Sphinx's gettext workflow (docs/translating.md). `make docs` builds it with
# `-D language=id` into the "id" folder of the English site; the sidebar links each page to its twin.
locale_dirs = ["locale/"]
gettext_compact = False
templates_path = ["_templates"]
html_sidebars = {  # furo's, with the language switch under the search box
    "**": [
        "sidebar/brand.html",
        "sidebar/search.html",
        "sidebar/language.html",
        "sidebar/scroll-start.html",
        "sidebar/navigation.html",
        "sidebar/ethical-ads.html",
        "sidebar/scroll-end.html",
        "sidebar/variant-selector.html",
    ]
}
internal_links_other_editions = ["id"]  # built separately; make docs checks the links between the editions


def write_policy_table(app: Any) -> None:
    """Write the access-policy table generated from the code; topics/access-policy.md includes it."""
    from lapor_core._domain.access import policy_markdown  # noqa: PLC0415 - only the docs build needs it

    target = Path(app.srcdir) / "_generated" / "policy-table.md"
    text = policy_markdown()
    if not target.exists() or target.read_text(encoding="utf-8") != text:  # unchanged: no rebuild
        target.parent.mkdir(exist_ok=True)
        target.write_text(text, encoding="utf-8")


def write_message_table(app: Any) -> None:
    """Write the table of every message code with its texts; error-codes.md includes it."""
    from lapor_core._i18n import messages_markdown  # noqa: PLC0415 - only the docs build needs it

    target = Path(app.srcdir) / "_generated" / "message-table.md"
    text = messages_markdown()
    if not target.exists() or target.read_text(encoding="utf-8") != text:  # unchanged: no rebuild
        target.parent.mkdir(exist_ok=True)
        target.write_text(text, encoding="utf-8")


def setup(app: Any) -> None:
    """Sphinx extension hook: generate files the pages include before reading them."""
    app.connect("builder-inited", write_policy_table)
    app.connect("builder-inited", write_message_table)
