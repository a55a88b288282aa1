"""lapor_core: SP4N-LAPOR!-style public-service complaint handling for Indonesian government portals.

The public API is re-exported here (``import lapor_core as lc``); the modules hold the details.
"""

from __future__ import annotations

from lapor_core._application.delivery import (
    DeliveryReport,
    Dispatcher,
    RetryPolicy,
)
from lapor_core._application.polls import (
    PollAudit,
    VoteReceipt,
)
from lapor_core._application.reading import (
    ListedPage,
)
from lapor_core._application.submissions import (
    Receipt,
)
from lapor_core._application.sweep import (
    SweepReport,
)
from lapor_core._domain.access import (
    Decision,
    Principal,
    Relation,
    Role,
    Subject,
)
from lapor_core._domain.calendar import (
    Holiday,
    HolidayKind,
    WorkingCalendar,
)
from lapor_core._domain.catalogue import (
    Catalogue,
)
from lapor_core._domain.complaint import (
    Complaint,
    OutboxMessage,
    ReporterIdentity,
)
from lapor_core._domain.history import (
    Actor,
    Event,
    HistoryReport,
)
from lapor_core._domain.institutions import (
    Institution,
    InstitutionDirectory,
    InstitutionKind,
    WorkUnit,
)
from lapor_core._domain.lifecycle import (
    Action,
    Status,
    Summary,
)
from lapor_core._domain.model import (
    Channel,
    Kind,
    Location,
    Reporter,
    Submission,
)
from lapor_core._domain.notifications import (
    Address,
    AddressBook,
    DeliveryChannel,
    Notification,
    NotificationRenderer,
    Recipient,
    RecipientRole,
)
from lapor_core._domain.polls import (
    OptionResult,
    Poll,
    PollConflict,
    PollDraft,
    PollNotAllowed,
    PollResults,
    PollState,
    PollTransitionNotAllowed,
    RegionResult,
    ResultVisibility,
    RevotePolicy,
)
from lapor_core._domain.ports import (
    Changeset,
    Clock,
    ComplaintQuery,
    ComplaintStore,
    DeadLetter,
    Notifier,
    Order,
    OutboxClaim,
    OutboxStore,
    Page,
    PollStore,
    PoolStatisticsStore,
    RecipientResolver,
    StatisticsStore,
    SystemClock,
)
from lapor_core._domain.regions import (
    Region,
    RegionKind,
    RegionLevel,
    RegionTable,
)
from lapor_core._domain.routing import (
    RoutingRule,
    RoutingRules,
    Suggestion,
)
from lapor_core._domain.sla import (
    Clocks,
    ClockState,
    SlaPolicy,
    Stage,
    StageClock,
)
from lapor_core._domain.stats import (
    CountQuery,
    CountRow,
    StatsFilters,
)
from lapor_core._domain.topics import (
    Topic,
    TopicTree,
)
from lapor_core._domain.tracking import (
    TrackingId,
)
from lapor_core._domain.views import (
    ComplaintView,
    DeadlineView,
    ReporterView,
    TimelineEntry,
)
from lapor_core._serialization import (
    from_dict,
    make_converter,
    to_dict,
)
from lapor_core.desk import (
    ComplaintDesk,
    InsecureConfigurationWarning,
)
from lapor_core.errors import (
    AccessError,
    ConcurrencyConflict,
    ConfigurationError,
    DateOutOfRange,
    DomainError,
    FieldError,
    InvalidTrackingId,
    LaporError,
    NotAllowed,
    NotFound,
    NotificationError,
    PermanentNotificationError,
    PluginError,
    StorageError,
    TemporaryNotificationError,
    TooManyAttempts,
    TransitionNotAllowed,
    ValidationError,
)

__version__ = "0.2.0.dev0"

__all__ = [
    "AccessError",
    "Action",
    "Actor",
    "Address",
    "AddressBook",
    "Catalogue",
    "Changeset",
    "Channel",
    "Clock",
    "ClockState",
    "Clocks",
    "Complaint",
    "ComplaintDesk",
    "ComplaintQuery",
    "ComplaintStore",
    "ComplaintView",
    "ConcurrencyConflict",
    "ConfigurationError",
    "CountQuery",
    "CountRow",
    "DateOutOfRange",
    "DeadLetter",
    "DeadlineView",
    "Decision",
    "DeliveryChannel",
    "DeliveryReport",
    "Dispatcher",
    "DomainError",
    "Event",
    "FieldError",
    "HistoryReport",
    "Holiday",
    "HolidayKind",
    "InsecureConfigurationWarning",
    "Institution",
    "InstitutionDirectory",
    "InstitutionKind",
    "InvalidTrackingId",
    "Kind",
    "LaporError",
    "ListedPage",
    "Location",
    "NotAllowed",
    "NotFound",
    "Notification",
    "NotificationError",
    "NotificationRenderer",
    "Notifier",
    "OptionResult",
    "Order",
    "OutboxClaim",
    "OutboxMessage",
    "OutboxStore",
    "Page",
    "PermanentNotificationError",
    "PluginError",
    "Poll",
    "PollAudit",
    "PollConflict",
    "PollDraft",
    "PollNotAllowed",
    "PollResults",
    "PollState",
    "PollStore",
    "PollTransitionNotAllowed",
    "PoolStatisticsStore",
    "Principal",
    "Receipt",
    "Recipient",
    "RecipientResolver",
    "RecipientRole",
    "Region",
    "RegionKind",
    "RegionLevel",
    "RegionResult",
    "RegionTable",
    "Relation",
    "Reporter",
    "ReporterIdentity",
    "ReporterView",
    "ResultVisibility",
    "RetryPolicy",
    "RevotePolicy",
    "Role",
    "RoutingRule",
    "RoutingRules",
    "SlaPolicy",
    "Stage",
    "StageClock",
    "StatisticsStore",
    "StatsFilters",
    "Status",
    "StorageError",
    "Subject",
    "Submission",
    "Suggestion",
    "Summary",
    "SweepReport",
    "SystemClock",
    "TemporaryNotificationError",
    "TimelineEntry",
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
    "to_dict",
]
