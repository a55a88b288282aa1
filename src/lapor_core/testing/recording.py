"""A notifier that records what it is sent, and a builder of notifications, for tests of code using them.

>>> notifier = RecordingNotifier()
>>> notifier.send(build_notification(Address.parse("mailto:admin@lapor.go.id"), key="k-1"))
>>> notifier.keys()
('k-1',)
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from lapor_core._domain.catalogue import CONTEXT_FIELDS, Catalogue
from lapor_core._domain.lifecycle import Action
from lapor_core._domain.notifications import Address, Notification, Recipient, RecipientRole
from lapor_core.errors import NotificationError

__all__ = ["RecordingNotifier", "build_notification"]

_DEFAULT_TIME = datetime(2026, 3, 17, 3, 0, tzinfo=UTC)


def build_notification(
    address: Address,
    *,
    key: str | None = None,
    template: str = "forward.institution",
    locale: str = "id",
    context: Mapping[str, str] | None = None,
    tracking_id: str = "7K3M-9QXF-2HJ-Q",
) -> Notification:
    """A rendered notification to ``address``, as the dispatcher would build it.

    Args:
        address: Where it goes.
        key: Its idempotency key (default: a new random one).
        template: A catalogue template (``<event>.<role>``); the recipient follows from it.
        locale: The locale to render in.
        context: Template values overriding the placeholders' defaults (each field's name in capitals).
        tracking_id: The complaint's tracking ID.
    """
    event, _, role = template.partition(".")
    recipient_role = RecipientRole(role)
    ref = "31.71/dinas-pu" if recipient_role is RecipientRole.UNIT else "31.71"
    needs_ref = recipient_role in (RecipientRole.INSTITUTION, RecipientRole.UNIT, RecipientRole.SUPERIOR)
    values = {name: name.upper() for name in CONTEXT_FIELDS} | {"tracking_id": tracking_id}
    values |= dict(context or {})
    catalogue = Catalogue.default()
    return Notification(
        idempotency_key=key or uuid.uuid4().hex,
        tracking_id=tracking_id,
        event=Action(event),
        recipient=Recipient(recipient_role, ref if needs_ref else None),
        address=address,
        locale=catalogue.locale_for(locale),
        template=template,
        context=values,
        message=catalogue.render(template, locale, values),
        queued_at=_DEFAULT_TIME,
    )


class RecordingNotifier:
    """A :class:`~lapor_core.plugins.Notifier` that keeps every notification it is sent. Thread-safe.

    Args:
        fail: Called with each notification before it is recorded; an error it returns is raised instead
            (the notification is then not recorded). Tests use it to make deliveries fail.
    """

    def __init__(self, fail: Callable[[Notification], NotificationError | None] | None = None) -> None:
        self._fail = fail
        self._sent: list[Notification] = []
        self._lock = threading.Lock()

    def send(self, notification: Notification) -> None:
        """Record ``notification``, unless ``fail`` says to raise."""
        error = self._fail(notification) if self._fail is not None else None
        if error is not None:
            raise error
        with self._lock:
            self._sent.append(notification)

    @property
    def sent(self) -> tuple[Notification, ...]:
        """Every notification recorded, in order (repeats included)."""
        with self._lock:
            return tuple(self._sent)

    def keys(self) -> tuple[str, ...]:
        """The idempotency keys recorded, in order (repeats included)."""
        return tuple(n.idempotency_key for n in self.sent)

    def to(self, role: RecipientRole | str, ref: str | None = None) -> tuple[Notification, ...]:
        """The notifications for one recipient role (and reference, if given)."""
        wanted = RecipientRole(role)
        return tuple(
            n for n in self.sent if n.recipient.role is wanted and (ref is None or n.recipient.ref == ref)
        )

    def clear(self) -> None:
        """Forget everything recorded."""
        with self._lock:
            self._sent.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._sent)
