"""Test set-up for the example portal: its package and test helpers importable, Starlette's test client quiet.

The project runs pytest with ``--import-mode=importlib`` and warnings as errors. Starlette warns when its test
client is imported with ``httpx`` rather than ``httpx2``; that one warning is silenced here, once, at import.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent
for folder in (EXAMPLE, EXAMPLE / "tests"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    import starlette.testclient  # noqa: F401 - imported for its side effect: cached without the warning

# The base map's build script needs shapely, installed only to rebuild the map (see its docstring); the tests
# check the map it built (tests/test_map.py), not the script.
collect_ignore_glob = ["tools/*"]
