"""Choosing a store by URL scheme: the built-in ones, and third-party ones registered by entry point.

A third-party distribution registers a factory under the entry point group ``lapor_core.stores``; the entry
point's name is the URL scheme and its object a callable ``factory(url, **options)`` returning a
:class:`~lapor_core.plugins.ComplaintStore`::

    [project.entry-points."lapor_core.stores"]
    redis = "lapor_redis_store:open_store"

Built-in schemes take precedence over plugins, so a plugin cannot shadow ``sqlite`` by accident.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from lapor_core._domain.ports import ComplaintStore
from lapor_core.errors import ConfigurationError, PluginError

if TYPE_CHECKING:
    from importlib import metadata
    from types import ModuleType

__all__ = ["ENTRY_POINT_GROUP", "SQL_SCHEMES", "known_schemes", "open_store", "store_options"]

ENTRY_POINT_GROUP = "lapor_core.stores"
"""The entry point group third-party stores register their URL scheme under."""

SQL_SCHEMES = frozenset(
    {
        "sqlite",
        "sqlite+pysqlite",
        "postgresql",
        "postgresql+psycopg",
        "mysql",
        "mysql+pymysql",
        "mariadb",
        "mariadb+pymysql",
    }
)
"""The URL schemes :class:`~lapor_core.stores.sql.SqlComplaintStore` serves (SQLAlchemy dialect+driver)."""

_BUILTIN_SCHEMES = SQL_SCHEMES | {"memory"}

StoreFactory = Callable[..., ComplaintStore]


def _scheme(url: str) -> str:
    scheme, separator, _ = url.partition("://")
    if not separator or not scheme:
        # Only the part before the first colon: the rest may hold a password.
        raise PluginError(
            scheme=url.partition(":")[0][:40],
            known=known_schemes(),
            detail="not a store URL like scheme://...",
        )
    return scheme.lower()


def _plugins() -> dict[str, list[metadata.EntryPoint]]:
    from importlib import metadata  # noqa: PLC0415 - costs more than the rest of the registry; plugins only

    found: dict[str, list[metadata.EntryPoint]] = {}
    for entry_point in metadata.entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(entry_point.name.lower(), []).append(entry_point)
    return found


def known_schemes() -> tuple[str, ...]:
    """Every URL scheme :func:`open_store` accepts: the built-in ones and those of installed plugins, sorted.

    >>> "memory" in known_schemes() and "sqlite" in known_schemes()
    True
    """
    return tuple(sorted(_BUILTIN_SCHEMES | set(_plugins())))


def _load_plugin(scheme: str) -> StoreFactory:
    candidates = _plugins().get(scheme, [])
    if not candidates:
        raise PluginError(scheme=scheme, known=known_schemes())
    if len(candidates) > 1:
        owners = sorted(str(ep.value) for ep in candidates)
        raise PluginError(
            scheme=scheme, known=known_schemes(), detail=f"registered more than once: {', '.join(owners)}"
        )
    entry_point = candidates[0]
    try:
        factory = entry_point.load()
    except Exception as e:  # a broken plugin may raise anything while importing; report it as a plugin error
        raise PluginError(
            scheme=scheme,
            known=known_schemes(),
            detail=f"{entry_point.value} failed to load: {type(e).__name__}",
        ) from e
    if not callable(factory):
        raise PluginError(scheme=scheme, known=known_schemes(), detail=f"{entry_point.value} is not callable")
    result: StoreFactory = factory
    return result


def open_store(url: str, **options: Any) -> ComplaintStore:
    """Open the store a URL names.

    ``memory://`` gives an :class:`~lapor_core.stores.memory.InMemoryComplaintStore`; ``sqlite:///path``,
    ``postgresql+psycopg://...`` and ``mysql+pymysql://...`` (also ``mariadb+pymysql://``) give a
    :class:`~lapor_core.stores.sql.SqlComplaintStore` (the ``sql`` extra), which receives ``options``; any
    other scheme is looked up among the plugins registered under the ``lapor_core.stores`` entry point group.

    Args:
        url: The store URL.
        **options: Passed to the store's factory.

    Returns:
        The open store; the caller closes it.

    Raises:
        PluginError: No store serves the URL's scheme (the message lists the known ones), or the plugin
            failed to load or returned something that is not a store.
        ConfigurationError: The store needs an extra that is not installed, or its options are wrong (for
            a SQL store: checked before anything opens, see :data:`~lapor_core.stores.sql.STORE_OPTIONS`).
        StorageError: The database could not be reached.

    >>> store = open_store("memory://")
    >>> type(store).__name__
    'InMemoryComplaintStore'
    >>> open_store("nosuchdb://x")
    Traceback (most recent call last):
    ...
    lapor_core.errors.PluginError: no store for scheme 'nosuchdb'; known: ...
    """
    scheme = _scheme(url)
    if scheme == "memory":
        if options:
            raise ConfigurationError(f"memory:// takes no options, got: {', '.join(sorted(options))}")
        from lapor_core.stores.memory import InMemoryComplaintStore  # noqa: PLC0415  # keep import light

        return InMemoryComplaintStore()
    if scheme in SQL_SCHEMES:
        _sql_options(scheme).check_store_options(options)
        from lapor_core.stores.sql import SqlComplaintStore  # noqa: PLC0415  # SQLAlchemy only when asked

        return SqlComplaintStore(url, **options)
    store = _load_plugin(scheme)(url, **options)
    if not isinstance(store, ComplaintStore):
        raise PluginError(
            scheme=scheme, known=known_schemes(), detail=f"the factory returned a {type(store).__name__}"
        )
    return store


def _sql_options(scheme: str) -> ModuleType:
    """The module of the SQL store's option names and check; a ConfigurationError if SQLAlchemy is missing."""
    try:
        from lapor_core.stores.sql import _options  # noqa: PLC0415  # SQLAlchemy only when asked
    except ImportError as e:
        raise ConfigurationError(
            f"{scheme}:// needs SQLAlchemy: pip install 'lapor_core[sql]' ({e.name} is missing)"
        ) from e
    return _options


def store_options(url: str) -> frozenset[str] | None:
    """The keyword options the store for ``url`` takes; None when its factory takes any (``**options``).

    ``memory://`` takes none; a SQL URL takes :data:`~lapor_core.stores.sql.STORE_OPTIONS`; a plugin
    takes the keyword parameters of its factory after the URL.

    Raises:
        PluginError: As :func:`open_store`: no store serves the scheme, or its plugin fails to load.
        ConfigurationError: A SQL URL without the ``sql`` extra installed.

    >>> store_options("memory://")
    frozenset()
    >>> "busy_timeout" in store_options("sqlite:///lapor.db")
    True
    """
    scheme = _scheme(url)
    if scheme == "memory":
        return frozenset()
    if scheme in SQL_SCHEMES:
        names: frozenset[str] = _sql_options(scheme).STORE_OPTIONS
        return names
    return _keywords(_load_plugin(scheme))


def _keywords(factory: StoreFactory) -> frozenset[str] | None:
    """The keyword parameters of ``factory(url, ...)`` after the URL, or None if it takes any keyword."""
    import inspect  # noqa: PLC0415 - only a desk opened on a plugin's URL asks

    try:
        parameters = list(inspect.signature(factory).parameters.values())
    except (TypeError, ValueError):  # a callable without a signature Python can read: let it decide
        return None
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return None
    named = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return frozenset(p.name for p in parameters[1:] if p.kind in named)
