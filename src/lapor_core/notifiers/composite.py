"""A notifier that hands each notification to another one, chosen by channel or recipient."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from lapor_core._domain import rules as v
from lapor_core._domain.notifications import DeliveryChannel, Notification, RecipientRole
from lapor_core._domain.ports import Notifier
from lapor_core._i18n import N_
from lapor_core.errors import FieldError, PermanentNotificationError, ValidationError

__all__ = ["CompositeNotifier", "Route"]


def _members(rule: v.Rule) -> v.Rule:
    """The rule for a list of enum members or their values (None for all), read into a frozenset.

    Each bad item is an error at its position (``[2]``).
    """

    def members(values: object) -> frozenset[Any] | None:
        if values is None:
            return None
        if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
            raise v.Invalid("notification.route_not_list", type=v.type_name(values))
        found: set[Any] = set()
        errors: list[FieldError] = []
        for index, value in enumerate(values):
            try:
                found.add(rule(value))
            except v.Invalid as invalid:
                errors.append(invalid.at(f"[{index}]"))
        if errors:
            raise ValidationError(errors)
        return frozenset(found)

    return members


def _notifier(value: object) -> Notifier:
    if isinstance(value, Notifier):
        return value
    raise v.Invalid("notification.not_a_notifier", type=v.type_name(value))


@v.checked
@attrs.frozen(field_transformer=v.with_rules)
class Route:
    """Send notifications on these channels, to these recipient roles, with ``notifier``.

    Attributes:
        notifier: Where matching notifications go (anything with a ``send`` method).
        channels: The channels it takes (members of :class:`DeliveryChannel` or their values), or None for
            every channel.
        roles: The recipient roles it takes (members of :class:`RecipientRole` or their values), or None
            for every role.

    Raises:
        ValidationError: Listing every bad field, each bad channel or role at its position
            (``channels[1]``).
    """

    notifier: Notifier = attrs.field(metadata=v.rule(_notifier))
    channels: frozenset[DeliveryChannel] | None = attrs.field(
        default=None, metadata=v.rule(_members(v.choice(DeliveryChannel)))
    )
    roles: frozenset[RecipientRole] | None = attrs.field(
        default=None, metadata=v.rule(_members(v.choice(RecipientRole)))
    )

    def matches(self, notification: Notification) -> bool:
        """Whether this route takes ``notification``."""
        return (self.channels is None or notification.channel in self.channels) and (
            self.roles is None or notification.recipient.role in self.roles
        )


def _routes(value: object) -> tuple[Route, ...]:
    """The rule for a composite's routes: a list of :class:`Route` values, each bad item at its position."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise v.Invalid("notification.route_not_list", type=v.type_name(value))
    routes = tuple(value)
    errors = [
        FieldError(f"[{i}]", "notification.not_a_route")
        for i, r in enumerate(routes)
        if not isinstance(r, Route)
    ]
    if errors:
        raise ValidationError(errors)
    return routes


class CompositeNotifier:
    """A :class:`~lapor_core.plugins.Notifier` that routes each notification to the first matching route.

    Errors of the chosen notifier pass through unchanged; a notification no route takes raises
    :class:`~lapor_core.PermanentNotificationError` (so it is dead-lettered, and shows).

    Args:
        routes: The routes, tried in order.

    Raises:
        ValidationError: ``routes`` is not a list of :class:`Route` values (each bad one at its position,
            ``routes[1]``).

    Example:
        >>> from lapor_core.testing.recording import RecordingNotifier
        >>> email, admins = RecordingNotifier(), RecordingNotifier()
        >>> notifier = CompositeNotifier([Route(admins, roles=["admin"]), Route(email, channels=["email"])])
        >>> len(notifier.routes)
        2
    """

    def __init__(self, routes: Iterable[Route]) -> None:
        try:
            self._routes = _routes(routes)
        except v.Invalid as invalid:
            raise ValidationError([invalid.at("routes")]) from None
        except ValidationError as error:
            raise ValidationError(v.prefixed("routes", error.errors)) from None

    @classmethod
    def by_channel(cls, notifiers: Mapping[DeliveryChannel | str, Notifier]) -> CompositeNotifier:
        """One route per channel: ``{"email": smtp, "webhook": webhook}``."""
        if not isinstance(notifiers, Mapping):
            raise ValidationError.single("notifiers", "value.not_mapping", type=v.type_name(notifiers))
        # Keys may be the channels' values: Route's rule reads those too (its annotation is what it keeps).
        routes = [Route(notifier, channels=[channel]) for channel, notifier in notifiers.items()]  # type: ignore[arg-type]
        return cls(routes)

    @property
    def routes(self) -> tuple[Route, ...]:
        """The routes, in the order they are tried."""
        return self._routes

    def send(self, notification: Notification) -> None:
        """Send with the first route that takes ``notification``."""
        for route in self._routes:
            if route.matches(notification):
                route.notifier.send(notification)
                return
        where = {"channel": notification.channel.value, "role": notification.recipient.role.value}
        raise PermanentNotificationError(detail=N_("notification.no_route"), params=where)
