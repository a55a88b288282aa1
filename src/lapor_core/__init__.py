"""lapor_core: SP4N-LAPOR!-style public-service complaint handling for Indonesian government portals.

The public API is re-exported here; everything else lives in modules whose names start with an underscore
or is documented as internal.
"""

from __future__ import annotations

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

__version__ = "0.1.0.dev0"

__all__ = [
    "AccessError",
    "ConcurrencyConflict",
    "ConfigurationError",
    "DateOutOfRange",
    "DomainError",
    "FieldError",
    "InvalidTrackingId",
    "LaporError",
    "NotAllowed",
    "NotFound",
    "NotificationError",
    "PermanentNotificationError",
    "PluginError",
    "StorageError",
    "TemporaryNotificationError",
    "TooManyAttempts",
    "TransitionNotAllowed",
    "ValidationError",
    "__version__",
]
