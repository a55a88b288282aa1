"""A notifier that hands each notification to another one, chosen by channel or recipient."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from lapor_core import _i18n
from lapor_core import _validation as v
from lapor_core._i18n import N_
from lapor_core.errors import FieldError, PermanentNotificationError, ValidationError
from lapor_core.notifications import DeliveryChannel, Notification, RecipientRole
from lapor_core.ports import Notifier

__all__ = ["CompositeNotifier", "Route"]


def _members(name: str, rule: v.Rule, values: object) -> frozenset[Any] | None:
    """The members named by ``values`` (a list of enum members or their values), or None for all."""
    if values is None:
        return None
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise ValidationError.single(name, "notification.route_not_list", type=v.type_name(values))
    found, errors = set(), []
    for index, value in enumerate(values):
        try:
            found.add(rule(value))
        except v.Invalid as invalid:
            errors.append(FieldError(f"{name}[{index}]", invalid.code, invalid.params))
    if errors:
        raise ValidationError(errors)
    return frozenset(found)


_channel_rule = v.choice(DeliveryChannel)
_role_rule = v.choice(RecipientRole)


def _channels(values: Iterable[DeliveryChannel | str] | None) -> frozenset[DeliveryChannel] | None:
    return _members("channels", _channel_rule, values)


def _roles(values: Iterable[RecipientRole | str] | None) -> frozenset[RecipientRole] | None:
    return _members("roles", _role_rule, values)


@attrs.frozen
class Route:
    """Send notifications on these channels, to these recipient roles, with ``notifier``.

    Attributes:
        notifier: Where matching notifications go.
        channels: The channels it takes, or None for every channel.
        roles: The recipient roles it takes, or None for every role.
    """

    notifier: Notifier
    channels: frozenset[DeliveryChannel] | None = attrs.field(default=None, converter=_channels)
    roles: frozenset[RecipientRole] | None = attrs.field(default=None, converter=_roles)

    def matches(self, notification: Notification) -> bool:
        """Whether this route takes ``notification``."""
        return (self.channels is None or notification.channel in self.channels) and (
            self.roles is None or notification.recipient.role in self.roles
        )


class CompositeNotifier:
    """A :class:`~lapor_core.ports.Notifier` that routes each notification to the first matching route.

    Errors of the chosen notifier pass through unchanged; a notification no route takes raises
    :class:`~lapor_core.PermanentNotificationError` (so it is dead-lettered, and shows).

    Args:
        routes: The routes, tried in order.

    Example:
        >>> from lapor_core.testing.recording import RecordingNotifier
        >>> email, admins = RecordingNotifier(), RecordingNotifier()
        >>> notifier = CompositeNotifier([Route(admins, roles=["admin"]), Route(email, channels=["email"])])
        >>> len(notifier.routes)
        2
    """

    def __init__(self, routes: Iterable[Route]) -> None:
        if isinstance(routes, (str, bytes)) or not isinstance(routes, Iterable):  # type: ignore[unreachable]
            raise ValidationError.single("routes", "notification.route_not_list", type=v.type_name(routes))
        self._routes = tuple(routes)
        bad = [i for i, r in enumerate(self._routes) if not isinstance(r, Route)]
        if bad:
            raise ValidationError.single(f"routes[{bad[0]}]", "notification.not_a_route")

    @classmethod
    def by_channel(cls, notifiers: Mapping[DeliveryChannel | str, Notifier]) -> CompositeNotifier:
        """One route per channel: ``{"email": smtp, "webhook": webhook}``."""
        if not isinstance(notifiers, Mapping):
            raise ValidationError.single("notifiers", "value.not_mapping", type=v.type_name(notifiers))
        return cls(Route(notifier, channels=[channel]) for channel, notifier in notifiers.items())

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
        raise PermanentNotificationError(_i18n.translate(N_("notification.no_route"), "en", where))
