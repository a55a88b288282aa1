"""The submit form: what the visitor typed, turned into lapor_core's submission dictionary.

The form only gathers; :meth:`lapor_core.Submission.from_dict` validates, and the region table checks that the
chosen region exists. Errors come back with the library's field paths, which :data:`FORM_FIELDS` maps to
the form's inputs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs
from starlette.datastructures import FormData

import lapor_core as lc

__all__ = ["FORM_FIELDS", "SubmitForm", "errors_by_input"]

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
)


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
    anonymous: bool = False
    confidential: bool = False

    @classmethod
    def from_form(cls, form: FormData) -> SubmitForm:
        """Read the posted form; missing fields are empty, anything but text is ignored."""
        values: dict[str, Any] = {}
        for name in _TEXT_FIELDS:
            value = form.get(name)
            if isinstance(value, str):
                values[name] = value
        return cls(
            **values, anonymous=form.get("anonymous") == "1", confidential=form.get("confidential") == "1"
        )

    @property
    def region(self) -> str | None:
        """The most precise region chosen (district, else regency, else province)."""
        return self.district or self.regency or self.province or None

    def submission_data(self) -> dict[str, object]:
        """The dictionary :meth:`lapor_core.Submission.from_dict` takes (channel ``web``).

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
        return {
            "kind": self.kind,
            "channel": lc.Channel.WEB.value,
            "title": self.title,
            "body": self.body,
            "category": self.topic or None,
            "anonymous": self.anonymous,
            "confidential": self.confidential,
            "location": location if has_location else None,
            "reporter": reporter if any(reporter.values()) else None,
        }

    def submission(self, regions: lc.RegionTable) -> lc.Submission:
        """The validated submission.

        Raises:
            lapor_core.ValidationError: Every bad field at once, the region's existence included.
        """
        problems: list[lc.FieldError] = []
        if self.region is not None:
            try:
                regions.resolve(self.region, field="location.region")
            except lc.ValidationError as error:
                problems.extend(error.errors)
            except lc.NotFound:
                problems.append(lc.FieldError("location.region", "unknown region"))
        try:
            submission = lc.Submission.from_dict(self.submission_data())
        except lc.ValidationError as error:
            raise lc.ValidationError([*error.errors, *problems]) from None
        if problems:
            raise lc.ValidationError(problems)
        return submission


def errors_by_input(
    errors: Sequence[lc.FieldError], mapping: Mapping[str, str] = FORM_FIELDS
) -> dict[str, list[str]]:
    """Reasons grouped by the form input they belong to.

    >>> errors_by_input([lc.FieldError("location.lat", "must be a number"), lc.FieldError("title", "empty")])
    {'lat': ['must be a number'], 'title': ['empty']}
    """
    grouped: dict[str, list[str]] = {}
    for error in errors:
        grouped.setdefault(mapping.get(error.field, error.field), []).append(error.reason)
    return grouped
