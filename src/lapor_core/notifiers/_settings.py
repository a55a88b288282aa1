"""What the notifiers' constructors share: options checked by rules, refused as configuration errors.

A notifier's options are a private checked attrs class (:func:`lapor_core._domain.rules.checked`), like every
other input that crosses the boundary; a refused option is a mistake in the deployment's setup, so the
constructor raises :class:`~lapor_core.errors.ConfigurationError` carrying the first refusal's code, with
the :class:`~lapor_core.errors.ValidationError` listing every bad option chained as its ``__cause__``.

Internal: nothing here is part of the public API.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, TypeVar

import attrs

from lapor_core._domain import rules as v
from lapor_core._i18n import N_
from lapor_core.errors import ConfigurationError, ValidationError

__all__ = ["MAX_TIMEOUT", "configured", "positive_seconds"]

MAX_TIMEOUT: Final = 86_400
"""The longest timeout a notifier takes, in seconds (a day)."""

A = TypeVar("A", bound=attrs.AttrsInstance)


def positive_seconds(code: str) -> Callable[[object], float]:
    """The rule for a timeout: a number of seconds above zero (not a boolean), at most a day.

    ``code`` names the refusal of anything but a positive number; a longer timeout is
    ``notifier.timeout_too_long`` (with ``max``): the socket layer could not hold it.

    >>> positive_seconds("smtp.timeout_not_positive")(2.5)
    2.5
    >>> positive_seconds("smtp.timeout_not_positive")(0)
    Traceback (most recent call last):
    lapor_core._domain.rules.Invalid: smtp.timeout_not_positive
    """

    def rule(value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
            raise v.Invalid(code)  # NaN is not > 0 either
        if value > MAX_TIMEOUT:
            raise v.Invalid(N_("notifier.timeout_too_long"), max=MAX_TIMEOUT)
        return value

    return rule


def configured(cls: type[A], **options: Any) -> A:
    """Build the options class ``cls``; a refused option raises :class:`ConfigurationError` with its code.

    Every rule of the options class names its option in its code (``smtp.security_unknown``), so the
    error's text says which option is wrong; every bad option is listed by the chained ValidationError.
    """
    try:
        return cls(**options)
    except ValidationError as error:
        first = error.errors[0]
        raise ConfigurationError(detail=first.code, params=first.params) from error
