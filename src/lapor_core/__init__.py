"""lapor_core: SP4N-LAPOR!-style public-service complaint handling for Indonesian government portals.

This package exports what an embedder uses (``import lapor_core as lc``): the :class:`ComplaintDesk`, what
goes in (:class:`Submission`, :class:`Principal`, the deployment's rules) and what comes out (views, receipts,
reports), the converter and the errors a caller catches. The rest of the public API has its own module:

- :mod:`lapor_core.errors`: every error class;
- :mod:`lapor_core.plugins`: the protocols a store, notifier or clock implements, with their value types;
- :mod:`lapor_core.testing`: contract suites, fakes and builders for plugin authors;
- :mod:`lapor_core.stores`, :mod:`lapor_core.notifiers`, :mod:`lapor_core.cli`: the built-in adapters.

Modules and packages whose name starts with an underscore are private and change without notice (see the
"Public API and stability" page). Names load on first use, so ``import lapor_core`` costs almost nothing and
a program pays only for what it touches.
"""

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing would cost more than this whole module
if TYPE_CHECKING:
    from lapor_core._application.delivery import DeliveryReport, Dispatcher, RetryPolicy
    from lapor_core._application.polls import PollAudit, VoteReceipt
    from lapor_core._application.reading import ListedPage
    from lapor_core._application.submissions import Receipt
    from lapor_core._application.sweep import SweepProgress, SweepReport
    from lapor_core._domain.access import Principal, Role
    from lapor_core._domain.attachments import Attachment, AttachmentLimits
    from lapor_core._domain.calendar import HolidayKind, WorkingCalendar
    from lapor_core._domain.filters import Filters
    from lapor_core._domain.history import HistoryReport
    from lapor_core._domain.institutions import Institution, InstitutionDirectory, WorkUnit
    from lapor_core._domain.lifecycle import Action, Escalation, Status, Summary
    from lapor_core._domain.model import Channel, Kind, Location, Reporter, Submission
    from lapor_core._domain.notifications import Address, AddressBook
    from lapor_core._domain.polls import Poll, PollDraft, PollResults, PollState, ResultVisibility
    from lapor_core._domain.ports import ComplaintQuery, Order
    from lapor_core._domain.regions import Region, RegionTable, region_from_parts
    from lapor_core._domain.routing import RoutingRules
    from lapor_core._domain.similarity import SimilarComplaint
    from lapor_core._domain.sla import ClockState, SlaPolicy, Stage
    from lapor_core._domain.topics import Topic, TopicTree
    from lapor_core._domain.tracking import TrackingId
    from lapor_core._domain.views import ComplaintView, DeadlineView, ReporterView
    from lapor_core._serialization import from_dict, make_converter, to_dict
    from lapor_core.desk import ComplaintDesk, InsecureConfigurationWarning
    from lapor_core.errors import (
        ConcurrencyConflict,
        ConfigurationError,
        EscalationNotAllowed,
        FieldError,
        IdempotencyConflict,
        InvalidTrackingId,
        LaporError,
        NotAllowed,
        NotFound,
        StorageError,
        TooManyAttempts,
        TransitionNotAllowed,
        ValidationError,
    )

__version__ = "0.2.0.dev0"

__all__ = [
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

# Where each exported name is defined. The modules are private: this table is the one place that knows them.
_HOMES = {
    "Action": "lapor_core._domain.lifecycle",
    "Address": "lapor_core._domain.notifications",
    "AddressBook": "lapor_core._domain.notifications",
    "Attachment": "lapor_core._domain.attachments",
    "AttachmentLimits": "lapor_core._domain.attachments",
    "Channel": "lapor_core._domain.model",
    "ClockState": "lapor_core._domain.sla",
    "ComplaintDesk": "lapor_core.desk",
    "ComplaintQuery": "lapor_core._domain.ports",
    "ComplaintView": "lapor_core._domain.views",
    "ConcurrencyConflict": "lapor_core.errors",
    "ConfigurationError": "lapor_core.errors",
    "DeadlineView": "lapor_core._domain.views",
    "DeliveryReport": "lapor_core._application.delivery",
    "Dispatcher": "lapor_core._application.delivery",
    "Escalation": "lapor_core._domain.lifecycle",
    "EscalationNotAllowed": "lapor_core.errors",
    "FieldError": "lapor_core.errors",
    "IdempotencyConflict": "lapor_core.errors",
    "HistoryReport": "lapor_core._domain.history",
    "HolidayKind": "lapor_core._domain.calendar",
    "InsecureConfigurationWarning": "lapor_core.desk",
    "Institution": "lapor_core._domain.institutions",
    "InstitutionDirectory": "lapor_core._domain.institutions",
    "InvalidTrackingId": "lapor_core.errors",
    "Kind": "lapor_core._domain.model",
    "LaporError": "lapor_core.errors",
    "ListedPage": "lapor_core._application.reading",
    "Location": "lapor_core._domain.model",
    "NotAllowed": "lapor_core.errors",
    "NotFound": "lapor_core.errors",
    "Order": "lapor_core._domain.ports",
    "Poll": "lapor_core._domain.polls",
    "PollAudit": "lapor_core._application.polls",
    "PollDraft": "lapor_core._domain.polls",
    "PollResults": "lapor_core._domain.polls",
    "PollState": "lapor_core._domain.polls",
    "Principal": "lapor_core._domain.access",
    "Receipt": "lapor_core._application.submissions",
    "Region": "lapor_core._domain.regions",
    "RegionTable": "lapor_core._domain.regions",
    "Reporter": "lapor_core._domain.model",
    "ReporterView": "lapor_core._domain.views",
    "ResultVisibility": "lapor_core._domain.polls",
    "RetryPolicy": "lapor_core._application.delivery",
    "Role": "lapor_core._domain.access",
    "RoutingRules": "lapor_core._domain.routing",
    "SimilarComplaint": "lapor_core._domain.similarity",
    "SlaPolicy": "lapor_core._domain.sla",
    "Stage": "lapor_core._domain.sla",
    "Filters": "lapor_core._domain.filters",
    "Status": "lapor_core._domain.lifecycle",
    "StorageError": "lapor_core.errors",
    "Submission": "lapor_core._domain.model",
    "Summary": "lapor_core._domain.lifecycle",
    "SweepProgress": "lapor_core._application.sweep",
    "SweepReport": "lapor_core._application.sweep",
    "TooManyAttempts": "lapor_core.errors",
    "Topic": "lapor_core._domain.topics",
    "TopicTree": "lapor_core._domain.topics",
    "TrackingId": "lapor_core._domain.tracking",
    "TransitionNotAllowed": "lapor_core.errors",
    "ValidationError": "lapor_core.errors",
    "VoteReceipt": "lapor_core._application.polls",
    "WorkUnit": "lapor_core._domain.institutions",
    "WorkingCalendar": "lapor_core._domain.calendar",
    "from_dict": "lapor_core._serialization",
    "make_converter": "lapor_core._serialization",
    "region_from_parts": "lapor_core._domain.regions",
    "to_dict": "lapor_core._serialization",
}

# The public submodules, reachable as attributes (``lc.errors.NotFound``) without importing them first.
_SUBMODULES = frozenset({"cli", "desk", "errors", "notifiers", "plugins", "stores", "testing"})


# Hidden from type checkers, so that a misspelt name is an error for them rather than an ``object``.
if not TYPE_CHECKING:  # pragma: no branch - always true when running

    def __getattr__(name: str) -> object:
        """Import an exported name (or a public submodule) on first use, and keep it for the next lookups."""
        import importlib  # noqa: PLC0415 - only on first use of a name

        if name == "StatsFilters":  # the 0.1 name of Filters, until 0.3
            import warnings  # noqa: PLC0415

            warnings.warn("lapor_core.StatsFilters is Filters now", DeprecationWarning, stacklevel=2)
            name = "Filters"
        home = _HOMES.get(name)
        if home is not None:
            value: object = getattr(importlib.import_module(home), name)
        elif name in _SUBMODULES:
            value = importlib.import_module(f"{__name__}.{name}")
        else:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__, *_SUBMODULES})
