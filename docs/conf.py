"""Sphinx configuration for the lapor_core documentation."""

from __future__ import annotations

import lapor_core

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
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
exclude_patterns = ["_build"]
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
