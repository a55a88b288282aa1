"""The reference client of the integration API (``examples/integration_client.py``), loaded for the tests.

The script is what an institution runs, not a package module, so it is loaded from its path.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

CLIENT_PATH = Path(__file__).resolve().parents[1] / "examples" / "integration_client.py"


def load_reference_client() -> ModuleType:
    """Import ``examples/integration_client.py`` as the module ``integration_client`` (once)."""
    loaded = sys.modules.get("integration_client")
    if loaded is not None:
        return loaded
    spec = importlib.util.spec_from_file_location("integration_client", CLIENT_PATH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["integration_client"] = module
    spec.loader.exec_module(module)
    return module


client = load_reference_client()
