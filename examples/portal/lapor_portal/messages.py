"""The portal's message catalogue, kept as data in ``messages.toml``: key -> (Indonesian, English).

The file is read on first use (not at import) and checked: every entry holds exactly two texts, both with
the same ``{placeholders}``, so a gap or a typo shows at start-up rather than on a page.
"""

from __future__ import annotations

import functools
import string
import tomllib
from collections.abc import Mapping
from importlib import resources
from types import MappingProxyType
from typing import Any

__all__ = ["messages"]


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in table.items():
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def parse_catalogue(text: str) -> Mapping[str, tuple[str, str]]:
    r"""Read a catalogue in the ``messages.toml`` format.

    Raises:
        ValueError: An entry is not two texts, or its texts differ in placeholders.

    >>> parse_catalogue('[nav]\ntrack = ["Lacak {id}", "Track {id}"]')
    mappingproxy({'nav.track': ('Lacak {id}', 'Track {id}')})
    >>> parse_catalogue('[nav]\ntrack = ["Lacak {id}", "Track"]')
    Traceback (most recent call last):
    ValueError: nav.track: the two texts must have the same placeholders
    """
    catalogue: dict[str, tuple[str, str]] = {}
    for key, value in _flatten(tomllib.loads(text)).items():
        if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) and v for v in value)):
            raise ValueError(f"{key}: must be [Indonesian, English]")
        indonesian, english = value
        if _placeholders(indonesian) != _placeholders(english):
            raise ValueError(f"{key}: the two texts must have the same placeholders")
        catalogue[key] = (indonesian, english)
    return MappingProxyType(catalogue)


@functools.cache
def messages() -> Mapping[str, tuple[str, str]]:
    """Every message of the portal, by key: ``(Indonesian, English)``."""
    return parse_catalogue(resources.files("lapor_portal").joinpath("messages.toml").read_text("utf-8"))
