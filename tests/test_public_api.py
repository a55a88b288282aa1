"""The public surface of lapor_core, recorded so that every change to it is deliberate.

The lists below are the ``__all__`` of the four modules semantic versioning covers first (see
docs/public-api.md). Adding, removing or renaming a public name fails these tests until the list here is
edited too, in the same change as its CHANGELOG line.

Which modules tests may import: the public ones, and the private module a white-box test tests (any module
with a component starting with an underscore, such as ``lapor_core._domain.access``). The examples embed the
library as a third party would, so they import public modules only.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import itertools
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import lapor_core as lc
import lapor_core.errors
import lapor_core.plugins
import lapor_core.testing

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "lapor_core"

LAPOR_CORE = [
    "Action",
    "Address",
    "AddressBook",
    "Attachment",
    "AttachmentLimits",
    "Channel",
    "ClockState",
    "ComplaintDesk",
    "ComplaintQuery",
    "ComplaintView",
    "ConcurrencyConflict",
    "ConfigurationError",
    "DeadlineView",
    "DeliveryReport",
    "Dispatcher",
    "Escalation",
    "EscalationNotAllowed",
    "FieldError",
    "Filters",
    "HistoryReport",
    "HolidayKind",
    "IdempotencyConflict",
    "InsecureConfigurationWarning",
    "Institution",
    "InstitutionDirectory",
    "InvalidTrackingId",
    "Kind",
    "LaporError",
    "ListedPage",
    "Location",
    "NotAllowed",
    "NotFound",
    "Order",
    "Poll",
    "PollAudit",
    "PollDraft",
    "PollResults",
    "PollState",
    "Principal",
    "Receipt",
    "Region",
    "RegionTable",
    "Reporter",
    "ReporterView",
    "ResultVisibility",
    "RetryPolicy",
    "Role",
    "RoutingRules",
    "SimilarComplaint",
    "SlaPolicy",
    "Stage",
    "Status",
    "StorageError",
    "Submission",
    "Summary",
    "SweepProgress",
    "SweepReport",
    "TooManyAttempts",
    "Topic",
    "TopicTree",
    "TrackingId",
    "TransitionNotAllowed",
    "ValidationError",
    "VoteReceipt",
    "WorkUnit",
    "WorkingCalendar",
    "__version__",
    "from_dict",
    "make_converter",
    "region_from_parts",
    "to_dict",
]

PLUGINS = [
    "MAX_CLAIM",
    "MAX_ERROR",
    "MAX_FIND",
    "MAX_PAGE",
    "Actor",
    "Address",
    "Ballot",
    "BallotCast",
    "BlobStore",
    "CastOutcome",
    "Catalogue",
    "Changeset",
    "Clock",
    "Complaint",
    "ComplaintQuery",
    "ComplaintStore",
    "CountQuery",
    "CountRow",
    "DeadLetter",
    "DeliveryChannel",
    "Event",
    "Filters",
    "IdempotencyRecord",
    "IdempotencyStore",
    "IntegrationRecord",
    "IntegrationStore",
    "Notification",
    "NotificationRenderer",
    "Notifier",
    "Order",
    "OutboxClaim",
    "OutboxMessage",
    "OutboxStore",
    "Page",
    "Poll",
    "PollStore",
    "PoolCell",
    "PoolStatisticsStore",
    "Recipient",
    "RecipientResolver",
    "RecipientRole",
    "RegionCount",
    "ReporterIdentity",
    "RevotePolicy",
    "StatisticsStore",
    "SystemClock",
    "Tally",
    "check_address",
    "check_claim",
    "check_find_limit",
    "check_instant",
    "check_limit",
    "check_outbox_claim",
    "clip_error",
    "decode_cursor",
    "encode_cursor",
    "instant_key",
]

ERRORS = [
    "AccessError",
    "ConcurrencyConflict",
    "ConfigurationError",
    "DateOutOfRange",
    "DomainError",
    "EscalationNotAllowed",
    "FieldError",
    "IdempotencyConflict",
    "InvalidTrackingId",
    "LaporError",
    "NotAllowed",
    "NotFound",
    "NotificationError",
    "PermanentNotificationError",
    "PluginError",
    "PollConflict",
    "PollNotAllowed",
    "PollTransitionNotAllowed",
    "StorageError",
    "TemporaryNotificationError",
    "TooManyAttempts",
    "TransitionNotAllowed",
    "ValidationError",
]

TESTING = [
    "BlobStoreContract",
    "FrozenClock",
    "NotifierContract",
    "NotifierHarness",
    "OutboxStoreContract",
    "PollStoreContract",
    "Received",
    "RecordingNotifier",
    "StoreContract",
    "build_notification",
]

INTAKE = [
    "MAX_INBOUND_TEXT",
    "Answer",
    "Contact",
    "Decision",
    "Handled",
    "InboundAttachment",
    "InboundMessage",
    "Intake",
    "NewComplaint",
    "ReplyToComplaint",
    "SenderLimiter",
    "StatusQuery",
    "Unusable",
    "clean_text",
    "handle",
]

RECORDED = {
    "lapor_core": LAPOR_CORE,
    "lapor_core.intake": INTAKE,
    "lapor_core.plugins": PLUGINS,
    "lapor_core.errors": ERRORS,
    "lapor_core.testing": TESTING,
}

PUBLIC_MODULES = frozenset(
    {
        "lapor_core",
        "lapor_core.cli",
        "lapor_core.desk",
        "lapor_core.errors",
        "lapor_core.intake",
        "lapor_core.intake.email",
        "lapor_core.intake.sms",
        "lapor_core.intake.telegram",
        "lapor_core.integrations",
        "lapor_core.notifiers",
        "lapor_core.notifiers.composite",
        "lapor_core.notifiers.logging",
        "lapor_core.notifiers.sms",
        "lapor_core.notifiers.smtp",
        "lapor_core.notifiers.webhook",
        "lapor_core.plugins",
        "lapor_core.stores",
        "lapor_core.stores.directory",
        "lapor_core.stores.memory",
        "lapor_core.stores.s3",
        "lapor_core.stores.sql",
        "lapor_core.testing",
        "lapor_core.testing.blob_contracts",
        "lapor_core.testing.builders",
        "lapor_core.testing.contracts",
        "lapor_core.testing.fakes",
        "lapor_core.testing.intake_contracts",
        "lapor_core.testing.notifier_contracts",
        "lapor_core.testing.outbox_contracts",
        "lapor_core.testing.poll_contracts",
        "lapor_core.testing.recording",
    }
)
"""Every public module. A module whose name has no component starting with an underscore must be listed."""

MIGRATIONS = "lapor_core.stores.sql.migrations"  # Alembic scripts, loaded by Alembic under its own names

HEAVY = frozenset(
    {
        "alembic",
        "asyncio",
        "babel",
        "holidays",
        "hypothesis",
        "pillow_heif",
        "PIL",
        "pypdf",
        "psycopg",
        "pymysql",
        "pytest",
        "smtplib",
        "sqlalchemy",
        "ssl",
        "statemachine",
        "urllib.request",
    }
)
"""Modules only some deployments need: importing lapor_core or using its desk must not load them."""


def _ruff_order(name: str) -> tuple[int, str]:
    """The order ruff's RUF022 keeps ``__all__`` in: CONSTANTS, then Classes, then functions."""
    return (0 if name.isupper() else 1 if name[:1].isupper() else 2, name)


def _fresh(code: str) -> str:
    """Run ``code`` in a fresh interpreter and return what it printed."""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return result.stdout.strip()


def _defining_module(module: ModuleType, name: str) -> ModuleType:
    homes: dict[str, str] = getattr(module, "_HOMES", {})
    return importlib.import_module(homes.get(name, module.__name__))


def _has_attribute_docstring(module: ModuleType, name: str) -> bool:
    """Whether the module's source follows the assignment of ``name`` with a string (its docstring)."""
    tree = ast.parse(inspect.getsource(module))
    for statement, following in itertools.pairwise(tree.body):
        targets = (
            statement.targets
            if isinstance(statement, ast.Assign)
            else [statement.target]
            if isinstance(statement, ast.AnnAssign)
            else []
        )
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            return isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant)
    return False


@pytest.mark.parametrize("module_name", sorted(RECORDED))
def test_the_public_names_are_the_recorded_ones(module_name):
    """Each module's __all__ is exactly the recorded list: the public surface changes only on purpose."""
    module = importlib.import_module(module_name)
    assert list(module.__all__) == RECORDED[module_name]


@pytest.mark.parametrize("module_name", sorted(PUBLIC_MODULES - {"lapor_core.cli", "lapor_core.desk"}))
def test_all_is_sorted_unique_and_complete(module_name):
    """__all__ is sorted as ruff sorts it, has no duplicates, and every name in it resolves."""
    module = importlib.import_module(module_name)
    names = list(module.__all__)
    assert names == sorted(set(names), key=_ruff_order)
    missing = [name for name in names if not hasattr(module, name)]
    assert missing == []


@pytest.mark.parametrize("module_name", sorted(RECORDED))
def test_every_public_name_has_a_docstring(module_name):
    """Classes and functions carry a docstring; constants a string right after their assignment."""
    module = importlib.import_module(module_name)
    undocumented = []
    for name in module.__all__:
        if name == "__version__":
            continue
        value = getattr(module, name)
        if inspect.isclass(value) or inspect.isroutine(value):
            documented = bool(inspect.getdoc(value))
        else:
            documented = _has_attribute_docstring(_defining_module(module, name), name)
        if not documented:
            undocumented.append(name)
    assert undocumented == []


def test_the_package_lists_its_names_and_refuses_unknown_ones():
    """dir() shows every exported name; an unknown name is an AttributeError, not a silent None."""
    assert set(lc.__all__) <= set(dir(lc))
    assert set(lapor_core.plugins.__all__) <= set(dir(lapor_core.plugins))
    with pytest.raises(AttributeError, match="NoSuchName"):
        _ = lc.NoSuchName
    with pytest.raises(AttributeError, match="NoSuchName"):
        _ = lapor_core.plugins.NoSuchName


def test_the_same_name_in_two_namespaces_is_the_same_object():
    """A class exported for embedders and for plugin authors alike is one class, not a copy."""
    shared = set(lc.__all__) & set(lapor_core.plugins.__all__)
    assert shared == {"ComplaintQuery", "Filters", "Order", "Poll", "Address"}
    assert all(getattr(lc, name) is getattr(lapor_core.plugins, name) for name in shared)
    for name in set(lc.__all__) & set(ERRORS):
        assert getattr(lc, name) is getattr(lapor_core.errors, name)


def test_a_public_submodule_is_reachable_as_an_attribute():
    """``lc.errors.NotFound`` works after a bare ``import lapor_core``, as it would with eager imports."""
    assert _fresh("import lapor_core as lc; print(lc.errors.NotFound.__name__)") == "NotFound"


def test_importing_the_package_imports_no_other_module_of_it():
    """``import lapor_core`` loads its names on first use: nothing of lapor_core beyond the package itself."""
    code = (
        "import sys\nbefore = set(sys.modules)\nimport lapor_core\n"
        "print(sorted(m for m in set(sys.modules) - before if m != 'lapor_core'))"
    )
    assert _fresh(code) == "[]"


@pytest.mark.parametrize(
    "code",
    [
        "import lapor_core; lapor_core.ComplaintDesk",
        "import lapor_core.cli",
        "import lapor_core.notifiers",
        "import lapor_core.stores, lapor_core.plugins, lapor_core.testing",
    ],
)
def test_optional_heavy_modules_load_only_when_used(code):
    """SQLAlchemy, drivers, holidays, Babel, ssl, smtplib... stay out until a feature needs them."""
    probe = f"import sys\n{code}\nprint(sorted(m for m in {sorted(HEAVY)!r} if m in sys.modules))"
    assert _fresh(probe) == "[]"


def test_every_error_class_lives_in_the_errors_module():
    """No module defines a LaporError of its own: lapor_core.errors holds the whole tree."""
    elsewhere = {
        f"{value.__module__}.{value.__qualname__}"
        for module_name in sorted(_package_modules())
        for value in vars(importlib.import_module(module_name)).values()
        if inspect.isclass(value)
        and issubclass(value, lapor_core.errors.LaporError)
        and value.__module__ != "lapor_core.errors"
    }
    assert sorted(elsewhere) == []


def test_every_error_subclasses_the_root_and_the_builtin_a_caller_would_catch():
    """The error tree: one root, and the natural builtins for validation, lookup and permission errors."""
    errors = lapor_core.errors
    assert issubclass(errors.ValidationError, ValueError)
    assert issubclass(errors.InvalidTrackingId, ValueError)
    assert issubclass(errors.NotFound, LookupError)
    assert issubclass(errors.NotAllowed, PermissionError)
    classes = [getattr(errors, name) for name in errors.__all__]
    assert all(inspect.isclass(c) for c in classes)
    assert all(issubclass(c, errors.LaporError) for c in classes if c is not errors.FieldError)


def _package_modules() -> set[str]:
    """Every importable module of the package, from the files (the Alembic migrations left out)."""
    names = set()
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        name = ".".join(parts)
        if name.startswith(MIGRATIONS) or parts[-1] == "__main__":
            continue
        names.add(name)
    return names


def _is_private(module_name: str) -> bool:
    return any(part.startswith("_") for part in module_name.split("."))


def test_every_module_is_listed_as_public_or_named_private():
    """A module without an underscore in its path is public: so it must be one of PUBLIC_MODULES."""
    public_looking = {name for name in _package_modules() if not _is_private(name)}
    assert public_looking == PUBLIC_MODULES


def _imported_modules(path: Path) -> set[str]:
    """The lapor_core modules a Python file imports (``from pkg import module`` counts the module)."""
    modules = set()
    known = _package_modules()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
            modules.update(
                f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in known
            )
    return {m for m in modules if m == "lapor_core" or m.startswith("lapor_core.")}


def test_the_examples_import_only_public_modules():
    """The examples embed lapor_core as a third party would: no private module, however convenient."""
    offending = {
        f"{path.relative_to(ROOT)}: {module}"
        for path in (ROOT / "examples").rglob("*.py")
        for module in _imported_modules(path)
        if module not in PUBLIC_MODULES
    }
    assert sorted(offending) == []


def test_tests_import_public_modules_or_the_private_module_they_test():
    """White-box tests import the private module they test, by its underscore name; nothing else is hidden."""
    known = _package_modules()
    offending = {
        f"{path.relative_to(ROOT)}: {module}"
        for path in (ROOT / "tests").rglob("*.py")
        for module in _imported_modules(path)
        if module not in PUBLIC_MODULES and not (_is_private(module) and module in known)
    }
    assert sorted(offending) == []


def test_the_contract_suites_load_lazily_from_the_testing_kit():
    """lapor_core.testing exposes the contract suites on first use and refuses unknown names."""
    assert lapor_core.testing.StoreContract.__name__ == "StoreContract"
    with pytest.raises(AttributeError):
        _ = lapor_core.testing.NoSuchContract


def test_the_old_name_of_filters_warns_and_is_the_same_class():
    """``lapor_core.StatsFilters`` (the 0.1 name) resolves to ``Filters`` with a DeprecationWarning."""
    with pytest.warns(DeprecationWarning, match="Filters"):
        old = lc.StatsFilters  # type: ignore[attr-defined]
    assert old is lc.Filters
