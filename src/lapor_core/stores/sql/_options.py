"""The SQL store's options checked before it opens: each name known, each value of the right kind.

:func:`lapor_core.stores.open_store` (and so ``ComplaintDesk.open``) runs :func:`check_store_options` on the
options it passes to :class:`~lapor_core.stores.sql.SqlComplaintStore`: a misspelt option or a value of the
wrong type is a :class:`~lapor_core.errors.ConfigurationError` naming it, raised before a connection is
made, instead of a ``TypeError`` from the driver once the store has opened. The names are the store's own
keyword parameters (:data:`STORE_OPTIONS`); a test checks that each one has its rule here.

Internal: import :data:`STORE_OPTIONS` from :mod:`lapor_core.stores.sql`.
"""

from __future__ import annotations

import inspect
import math
import typing
from collections.abc import Callable, Mapping
from typing import Final

from lapor_core._domain import rules as v
from lapor_core._i18n import N_
from lapor_core.errors import ConfigurationError, ValidationError
from lapor_core.stores.sql._complaints import (
    _JOURNAL_MODES,
    _MAX_CACHE_MIB,
    _SYNCHRONOUS,
    SchemaMode,
    SqlComplaintStore,
)

__all__ = ["MAX_BUSY_TIMEOUT", "MAX_POOL_SIZE", "STORE_OPTIONS", "check_store_options"]

STORE_OPTIONS: Final = frozenset(
    name
    for name, parameter in inspect.signature(SqlComplaintStore).parameters.items()
    if parameter.kind is inspect.Parameter.KEYWORD_ONLY
)
"""The keyword options :class:`~lapor_core.stores.sql.SqlComplaintStore` takes (``busy_timeout``, ...)."""

MAX_BUSY_TIMEOUT: Final = 86_400
"""The longest ``busy_timeout``, in seconds (a day: longer is a hang, not a wait)."""

MAX_POOL_SIZE: Final = 1_000
"""The largest ``pool_size`` (each pooled connection is a server process on PostgreSQL)."""


def _one_of(choices: frozenset[str] | tuple[str, ...], code: str, *, any_case: bool) -> v.Rule:
    """A rule for text naming one of ``choices`` (in any letter case when ``any_case``)."""
    shown = tuple(sorted(choices))

    def rule(value: object) -> object:
        if isinstance(value, str) and (value.upper() if any_case else value) in choices:
            return value
        raise v.Invalid(code, choices=shown)

    return rule


def _seconds(value: object) -> object:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0 <= value <= MAX_BUSY_TIMEOUT
    ):
        raise v.Invalid(N_("store.busy_timeout_bad"), max=MAX_BUSY_TIMEOUT)
    return value


def _engine_options(value: object) -> object:
    if value is not None and (
        not isinstance(value, Mapping) or not all(isinstance(key, str) for key in value)
    ):
        raise v.Invalid(N_("store.engine_options_bad"))
    return value


_RULES: Final[Mapping[str, Callable[[object], object]]] = {
    "schema": _one_of(typing.get_args(SchemaMode), N_("store.schema_unknown"), any_case=False),
    "synchronous": _one_of(_SYNCHRONOUS, N_("store.synchronous_unknown"), any_case=True),
    "journal_mode": _one_of(_JOURNAL_MODES, N_("store.journal_mode_unknown"), any_case=True),
    "busy_timeout": _seconds,
    "cache_mib": v.whole_number(1, _MAX_CACHE_MIB, code=N_("store.cache_mib_bad"), required=False),
    "pool_size": v.whole_number(1, MAX_POOL_SIZE, code=N_("store.pool_size_bad")),
    "engine_options": _engine_options,
}


def check_store_options(options: Mapping[str, object]) -> None:
    """Refuse an option the SQL store does not take, or a value of the wrong kind, before anything opens.

    Raises:
        ConfigurationError: ``store.option_unknown`` naming the unknown options and listing the valid ones;
            else the code of the first refused value (``store.busy_timeout_bad``...), with a
            :class:`~lapor_core.errors.ValidationError` listing every refused value as its ``__cause__``.

    >>> check_store_options({"busy_timeout": 3, "cache_mib": 64})
    >>> check_store_options({"busy_timeout": "3"})
    Traceback (most recent call last):
    lapor_core.errors.ConfigurationError: busy_timeout must be a number of seconds from 0 to 86,400
    """
    unknown = sorted(set(options) - STORE_OPTIONS)
    if unknown:
        raise ConfigurationError(
            detail=N_("store.option_unknown"), params={"options": unknown, "valid": sorted(STORE_OPTIONS)}
        )
    _, errors = v.apply_rules([(name, _RULES[name]) for name in options], options)
    if errors:
        first = errors[0]
        raise ConfigurationError(detail=first.code, params=first.params) from ValidationError(errors)
