from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

import lapor_core as lc
from lapor_core.errors import ConfigurationError, PluginError, StorageError
from lapor_core.stores import ENTRY_POINT_GROUP, InMemoryComplaintStore, known_schemes, open_store
from lapor_core.testing.builders import new_complaint

Installer = Callable[..., str]


@pytest.fixture
def install_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Installer:
    """Install a fake distribution (a module and its entry points) on sys.path for one test."""
    counter = iter(range(100))

    def install(source: str, entry_points: dict[str, str]) -> str:
        number = next(counter)
        module = f"fake_store_plugin_{tmp_path.name.replace('-', '_')}_{number}"
        root = tmp_path / f"site-{number}"
        info = root / f"fake_store_{number}-1.0.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: fake-store-{number}\nVersion: 1.0\n")
        lines = [f"{scheme} = {target.format(module=module)}" for scheme, target in entry_points.items()]
        (info / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\n" + "\n".join(lines) + "\n")
        (root / f"{module}.py").write_text(textwrap.dedent(source))
        monkeypatch.syspath_prepend(str(root))
        monkeypatch.delitem(sys.modules, module, raising=False)
        return module

    return install


GOOD_PLUGIN = """
    from lapor_core.stores.memory import InMemoryComplaintStore

    class PluginStore(InMemoryComplaintStore):
        def __init__(self, url, **options):
            super().__init__()
            self.url, self.options = url, options

    def open_store(url, **options):
        return PluginStore(url, **options)

    not_a_factory = 42

    def open_nothing(url, **options):
        return object()
"""


def test_importing_lapor_core_does_not_import_sqlalchemy() -> None:
    """The core and the store registry load without SQLAlchemy; only a SQL URL pulls it in."""
    code = (
        "import sys, lapor_core, lapor_core.stores\n"
        "from lapor_core.stores import open_store\n"
        "open_store('memory://')\n"
        "assert 'sqlalchemy' not in sys.modules, 'sqlalchemy was imported'\n"
        "open_store('sqlite://').close()\n"
        "assert 'sqlalchemy' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)  # our own code


def test_memory_url_opens_an_in_memory_store() -> None:
    """memory:// gives a new, empty in-memory store each time."""
    first, second = open_store("memory://"), open_store("MEMORY://")
    assert isinstance(first, InMemoryComplaintStore)
    first.save(new_complaint())
    assert first is not second
    assert tuple(second.pending_outbox()) == ()


def test_memory_url_refuses_options() -> None:
    """The in-memory store takes no options; passing one is a configuration error naming it."""
    with pytest.raises(ConfigurationError, match="pool_size"):
        open_store("memory://", pool_size=3)


def test_sqlite_url_opens_the_sql_store_with_its_options(tmp_path: Path) -> None:
    """sqlite:/// gives a SqlComplaintStore, and options reach it."""
    from lapor_core.stores.sql import SqlComplaintStore

    store = open_store(f"sqlite:///{tmp_path / 'x.db'}", synchronous="NORMAL")
    try:
        assert isinstance(store, SqlComplaintStore)
        assert store.dialect == "sqlite"
    finally:
        store.close()
    with pytest.raises(ConfigurationError, match="synchronous"):
        open_store(f"sqlite:///{tmp_path / 'y.db'}", synchronous="SOMETIMES")


@pytest.mark.parametrize("url", ["postgresql://u@127.0.0.1:1/x?connect_timeout=1", "mysql://u@127.0.0.1:1/x"])
def test_bare_server_schemes_use_the_drivers_of_the_extras(url: str) -> None:
    """postgresql:// and mysql:// pick psycopg 3 and PyMySQL, so they fail on the network, not on imports."""
    with pytest.raises(StorageError):
        open_store(url)


def test_unknown_scheme_raises_plugin_error_listing_the_known_ones() -> None:
    """A scheme nobody serves raises PluginError whose message and fields list every known scheme."""
    with pytest.raises(PluginError) as caught:
        open_store("cassandra://db.example/lapor")
    error = caught.value
    assert error.scheme == "cassandra"
    assert {"memory", "sqlite", "postgresql+psycopg", "mysql+pymysql"} <= set(error.known)
    assert list(error.known) == sorted(error.known)
    assert "memory" in str(error)
    assert "sqlite" in str(error)


@pytest.mark.parametrize("url", ["lapor.db", "", "://nothing", "sqlite:lapor.db"])
def test_text_that_is_not_a_store_url_raises_plugin_error(url: str) -> None:
    """Text without a scheme:// prefix is refused with PluginError."""
    with pytest.raises(PluginError, match="not a store URL"):
        open_store(url)


def test_plugin_registered_by_entry_point_opens_with_url_and_options(install_plugin: Installer) -> None:
    """A third-party scheme registered under lapor_core.stores is found, called with the URL and options."""
    install_plugin(GOOD_PLUGIN, {"fake": "{module}:open_store"})
    assert "fake" in known_schemes()
    store = open_store("fake://somewhere/db", colour="blue")
    assert type(store).__name__ == "PluginStore"
    assert (store.url, store.options) == ("fake://somewhere/db", {"colour": "blue"})  # type: ignore[attr-defined]


def test_plugin_that_fails_to_import_raises_plugin_error(install_plugin: Installer) -> None:
    """A plugin whose module raises while importing is reported as PluginError with the cause chained."""
    install_plugin("raise RuntimeError('broken on purpose')\n", {"broken": "{module}:open_store"})
    with pytest.raises(PluginError, match="failed to load: RuntimeError") as caught:
        open_store("broken://x")
    assert isinstance(caught.value.__cause__, RuntimeError)


def test_plugin_whose_object_is_not_callable_raises_plugin_error(install_plugin: Installer) -> None:
    """An entry point naming something that cannot be called is refused."""
    install_plugin(GOOD_PLUGIN, {"odd": "{module}:not_a_factory"})
    with pytest.raises(PluginError, match="not callable"):
        open_store("odd://x")


def test_plugin_returning_something_else_than_a_store_raises_plugin_error(install_plugin: Installer) -> None:
    """A factory whose result lacks the ComplaintStore methods is refused."""
    install_plugin(GOOD_PLUGIN, {"empty": "{module}:open_nothing"})
    with pytest.raises(PluginError, match="returned a object"):
        open_store("empty://x")


def test_scheme_registered_twice_raises_plugin_error(install_plugin: Installer) -> None:
    """Two distributions claiming one scheme is ambiguous, and refused."""
    install_plugin(GOOD_PLUGIN, {"twice": "{module}:open_store"})
    install_plugin(GOOD_PLUGIN, {"twice": "{module}:open_store"})
    with pytest.raises(PluginError, match="registered more than once"):
        open_store("twice://x")


def test_builtin_schemes_take_precedence_over_plugins(install_plugin: Installer) -> None:
    """A plugin registering memory cannot shadow the built-in store."""
    install_plugin(GOOD_PLUGIN, {"memory": "{module}:open_store"})
    assert type(open_store("memory://")) is InMemoryComplaintStore


def test_missing_sqlalchemy_is_a_configuration_error_naming_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without SQLAlchemy installed, a SQL URL asks for the sql extra instead of failing on an import."""
    monkeypatch.setitem(sys.modules, "sqlalchemy", None)
    for name in [name for name in sys.modules if name.startswith("lapor_core.stores.sql")]:
        monkeypatch.delitem(sys.modules, name)
    with pytest.raises(ConfigurationError, match=r"lapor_core\[sql\]"):
        open_store("sqlite://")


def test_desk_opens_on_a_sqlite_url_and_keeps_complaints_across_reopening(tmp_path: Path) -> None:
    """ComplaintDesk.open on a SQLite file stores complaints that a second desk on the same file reads."""
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    pepper = "registry test pepper 0123456789"
    first = lc.ComplaintDesk.open(url, pepper=pepper)
    receipt = first.submit(
        lc.Submission.from_dict(
            {"kind": "pengaduan", "channel": "web", "title": "Banjir", "body": "Air naik."}
        )
    )
    first.close()
    second = lc.ComplaintDesk.open(url, pepper=pepper)
    try:
        reporter = second.authenticate(receipt.tracking_id, receipt.access_key)
        assert second.view(reporter, receipt.tracking_id).title == "Banjir"
        assert second.verify_history(receipt.tracking_id).ok
    finally:
        second.close()
