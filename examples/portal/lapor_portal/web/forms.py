"""The submit form: what the visitor typed, turned into lapor_core's submission dictionary.

The form only gathers; :meth:`lapor_core.Submission.from_dict` validates, and the region table checks that the
chosen region exists. Errors come back with the library's field paths, which :data:`FORM_FIELDS` maps to
the form's inputs; the pages show each error's own message (``FieldError.message(lang)``).

A checkbox is read explicitly: absent is False, its value ``1`` is True, and anything else is refused as not
a boolean rather than read as False.

Each rendered form carries a one-time key (:func:`new_form_key`, 144 random bits in a hidden field): the
submission is made under it (``idempotency_key="web:<key>"``), so posting the form twice, or reloading the
receipt page (which posts it again), answers the first receipt instead of storing a second report.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from typing import Any, Final

import attrs
from starlette.datastructures import FormData

import lapor_core as lc

__all__ = ["CHECKED", "FORM_FIELDS", "SubmitForm", "checkbox", "errors_by_input", "new_form_key"]

CHECKED = "1"
"""The value every checkbox of the portal sends when ticked."""

FORM_FIELDS: Mapping[str, str] = {
    "category": "topic",
    "location.region": "region",
    "location.lat": "lat",
    "location.lon": "lon",
    "location.address": "address",
    "reporter.name": "name",
    "reporter.email": "email",
    "reporter.phone": "phone",
}
"""Library field path -> form input, where they differ."""

_TEXT_FIELDS = (
    "kind",
    "topic",
    "province",
    "regency",
    "district",
    "lat",
    "lon",
    "address",
    "title",
    "body",
    "name",
    "email",
    "phone",
    "once",
)
_FORM_KEY: Final = re.compile(r"[A-Za-z0-9_-]{24}")


def new_form_key() -> str:
    """A new one-time key for a rendered form: 144 bits from :mod:`secrets`, 24 URL-safe characters.

    >>> key = new_form_key()
    >>> len(key), key == new_form_key()
    (24, False)
    """
    return secrets.token_urlsafe(18)


def checkbox(form: FormData, name: str) -> bool | None:
    """A checkbox: False when absent (or empty), True when ticked, None for any other value (refused).

    >>> from starlette.datastructures import FormData
    >>> [checkbox(FormData(data), "anonymous") for data in ({}, {"anonymous": "1"}, {"anonymous": "yes"})]
    [False, True, None]
    """
    value = form.get(name)
    if value is None or value == "":
        return False
    return True if value == CHECKED else None


def _number(text: str) -> object:
    """A coordinate typed in the form: a float when it reads as one, else the text (the library says why)."""
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return text


@attrs.frozen(kw_only=True)
class SubmitForm:
    """The submit form's values as typed, kept to show the form again after an error."""

    kind: str = lc.Kind.PENGADUAN.value
    topic: str = ""
    province: str = ""
    regency: str = ""
    district: str = ""
    lat: str = ""
    lon: str = ""
    address: str = ""
    title: str = ""
    body: str = ""
    name: str = ""
    email: str = ""
    phone: str = ""
    anonymous: bool | None = False
    """Ticked or not; None when the form sent a value that is not a checkbox's (refused on submission)."""
    confidential: bool | None = False
    once: str = ""
    """The form's one-time key (empty when the post carried none)."""

    @classmethod
    def from_form(cls, form: FormData) -> SubmitForm:
        """Read the posted form; missing fields are empty, anything but text is ignored."""
        values: dict[str, Any] = {}
        for name in _TEXT_FIELDS:
            value = form.get(name)
            if isinstance(value, str):
                values[name] = value
        return cls(
            **values, anonymous=checkbox(form, "anonymous"), confidential=checkbox(form, "confidential")
        )

    @property
    def region(self) -> str | None:
        """The most precise region chosen (district, else regency, else province)."""
        return self.district or self.regency or self.province or None

    @property
    def idempotency_key(self) -> str | None:
        """The key the submission is made under: ``web:`` and the form's one-time key, if it is one of ours.

        A post without one, or with anything but a key of :func:`new_form_key`'s shape, is submitted without
        (as a form from before one-time keys was).

        >>> SubmitForm(once="A" * 24).idempotency_key, SubmitForm(once="short").idempotency_key
        ('web:AAAAAAAAAAAAAAAAAAAAAAAA', None)
        """
        return f"web:{self.once}" if _FORM_KEY.fullmatch(self.once) else None

    def submission_data(self) -> dict[str, object]:
        """The dictionary :meth:`lapor_core.Submission.from_dict` takes (channel ``web``).

        A refused checkbox is left out (:meth:`submission` reports it).

        >>> form = SubmitForm(title="Lampu mati", body="Gelap", regency="31.71", lat="-6,2")
        >>> form.submission_data()["location"]
        {'region': '31.71', 'lat': -6.2, 'address': None}
        """
        location: dict[str, object] = {"region": self.region}
        for key, text in (("lat", self.lat.strip()), ("lon", self.lon.strip())):
            if text:
                location[key] = _number(text)
        location["address"] = self.address or None
        has_location = any(value is not None for value in location.values())
        reporter = {"name": self.name, "email": self.email, "phone": self.phone}
        flags = {"anonymous": self.anonymous, "confidential": self.confidential}
        return {
            "kind": self.kind,
            "channel": lc.Channel.WEB.value,
            "title": self.title,
            "body": self.body,
            "category": self.topic or None,
            **{name: value for name, value in flags.items() if value is not None},
            "location": location if has_location else None,
            "reporter": reporter if any(reporter.values()) else None,
        }

    def submission(self, regions: lc.RegionTable) -> lc.Submission:
        """The validated submission.

        Raises:
            lapor_core.ValidationError: Every bad field at once, the region's existence included, and
                pickers that disagree (``region.not_within_province`` on ``regency``).
        """
        problems: list[lc.FieldError] = [
            lc.FieldError(name, "value.not_boolean", {"type": "string"})
            for name, value in (("anonymous", self.anonymous), ("confidential", self.confidential))
            if value is None
        ]
        try:  # the pickers must agree: a stale province 31 with regency 32.73 is refused, not stored as 32.73
            lc.region_from_parts(self.province or None, self.regency or None, self.district or None)
        except lc.ValidationError as error:
            problems.extend(error.errors)
        else:
            if self.region is not None:
                try:
                    regions.resolve(self.region, field="location.region")
                except lc.ValidationError as error:
                    problems.extend(error.errors)
        try:
            submission = lc.Submission.from_dict(self.submission_data())
        except lc.ValidationError as error:
            raise lc.ValidationError([*error.errors, *problems]) from None
        if problems:
            raise lc.ValidationError(problems)
        return submission


def errors_by_input(
    errors: Sequence[lc.FieldError], mapping: Mapping[str, str] = FORM_FIELDS
) -> dict[str, list[lc.FieldError]]:
    """The errors grouped by the form input they belong to (the pages render ``error.message(lang)``).

    >>> found = [lc.FieldError("location.lat", "value.required"), lc.FieldError("title", "text.empty")]
    >>> grouped = errors_by_input(found)
    >>> {name: [e.message("id") for e in found] for name, found in grouped.items()}
    {'lat': ['wajib diisi'], 'title': ['tidak boleh kosong']}
    """
    grouped: dict[str, list[lc.FieldError]] = {}
    for error in errors:
        grouped.setdefault(mapping.get(error.field, error.field), []).append(error)
    return grouped
