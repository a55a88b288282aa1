"""Configure Django for the example's tests (pytest-django): the demonstration project, data in a temp dir.

Done when this file is imported (pytest loads it before the tests' own conftest, which imports Django's
models): the example on the path, the settings named, Django set up. pytest-django then takes over.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import django

HERE = Path(__file__).resolve().parent
for folder in (HERE, HERE / "tests"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
os.environ.setdefault("LAPOR_DJANGO_DATA", tempfile.mkdtemp(prefix="lapor-django-"))
os.environ["DJANGO_SETTINGS_MODULE"] = "demo_project.settings"
django.setup()
