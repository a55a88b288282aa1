from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

import lapor_core as lc


def test_all_is_sorted_and_unique():
    """The top-level __all__ is sorted and has no duplicates, so additions are easy to review."""
    assert list(lc.__all__) == sorted(set(lc.__all__))


def test_every_exported_name_exists_and_is_documented():
    """Each name in __all__ resolves, and every exported class and function has a docstring."""
    for name in lc.__all__:
        value = getattr(lc, name)
        if inspect.isclass(value) or inspect.isfunction(value):
            assert inspect.getdoc(value), f"lapor_core.{name} has no docstring"


def test_the_names_the_issues_promise_are_exported():
    """The contract names used by the acceptance tests are all importable from the package."""
    promised = {
        "TrackingId",
        "InvalidTrackingId",
        "Submission",
        "ValidationError",
        "to_dict",
        "from_dict",
        "LaporError",
        "WorkingCalendar",
        "SlaPolicy",
        "ComplaintDesk",
        "Principal",
        "Receipt",
        "NotFound",
        "NotAllowed",
        "TransitionNotAllowed",
        "ConcurrencyConflict",
        "StorageError",
        "ConfigurationError",
        "PluginError",
        "NotificationError",
        "ComplaintStore",
        "Notifier",
    }
    assert promised <= set(lc.__all__)


def test_importing_the_package_loads_no_sql_driver_nor_test_tools():
    """`import lapor_core` stays light: no SQLAlchemy, driver, pytest or Hypothesis until asked for."""
    code = (
        "import sys, lapor_core, lapor_core.testing\n"
        "heavy = {'sqlalchemy', 'psycopg', 'pymysql', 'alembic', 'pytest', 'hypothesis'}\n"
        "print(sorted(heavy & {name.split('.')[0] for name in sys.modules}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_the_contract_suites_load_lazily_from_the_testing_kit():
    """lapor_core.testing exposes the contract suites on first use and refuses unknown names."""
    import lapor_core.testing as kit

    assert kit.StoreContract.__name__ == "StoreContract"
    assert sorted(kit.__all__) == kit.__all__
    with pytest.raises(AttributeError):
        _ = kit.NoSuchContract


def test_every_error_subclasses_the_root_and_the_builtin_a_caller_would_catch():
    """The error tree: one root, and the natural builtins for validation, lookup and permission errors."""
    assert issubclass(lc.ValidationError, ValueError)
    assert issubclass(lc.InvalidTrackingId, ValueError)
    assert issubclass(lc.NotFound, LookupError)
    assert issubclass(lc.NotAllowed, PermissionError)
    errors = [
        v
        for v in vars(lc).values()
        if inspect.isclass(v) and issubclass(v, Exception) and not issubclass(v, Warning)
    ]
    assert errors
    assert all(issubclass(e, lc.LaporError) for e in errors)
