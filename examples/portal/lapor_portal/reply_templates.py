"""Reply templates: ready-made answers an officer picks to start a message, then edits before sending.

They are defined here, in one place (:func:`reply_templates`), and their names and texts come from the
portal's catalogue (Indonesian first), so a deployment changes or translates them in ``lapor_portal.po``.
A template belongs to one of the complaint page's message forms (the follow-up, the request for more
information, the admin's reply); its text may name the complaint as ``${tracking_id}``.

Picking one fills that form's text box: with the page's script at once, without it by the small form beside
it, which opens the page again with ``?template=<key>`` and the box filled by the server.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import attrs

from lapor_portal.i18n import Translator

__all__ = ["ReplyTemplate", "by_form", "filled", "reply_templates"]


@attrs.frozen
class ReplyTemplate:
    """One ready-made answer in the page's language.

    Attributes:
        key: Its stable name in the address (``?template=...``).
        form: The action whose message box it fills (``follow_up``, ``request_info``, ``reply``).
        label: Its name in the picker.
        text: Its text.
    """

    key: str
    form: str
    label: str
    text: str


def reply_templates(t: Translator, *, tracking_id: str) -> tuple[ReplyTemplate, ...]:
    """Every template in ``t``'s language, its text naming the complaint, in the order the pickers list them.

    >>> [template.key for template in reply_templates(Translator("id"), tracking_id="7K3M-9QXF-2HJ-Q")][:2]
    ['follow-up-done', 'follow-up-scheduled']
    """
    tid = {"tracking_id": tracking_id}
    return (
        ReplyTemplate(
            "follow-up-done",
            "follow_up",
            t("template.follow_up_done"),
            t("template.follow_up_done_text", **tid),
        ),
        ReplyTemplate(
            "follow-up-scheduled",
            "follow_up",
            t("template.follow_up_scheduled"),
            t("template.follow_up_scheduled_text", **tid),
        ),
        ReplyTemplate(
            "ask-location",
            "request_info",
            t("template.ask_location"),
            t("template.ask_location_text", **tid),
        ),
        ReplyTemplate(
            "ask-photo", "request_info", t("template.ask_photo"), t("template.ask_photo_text", **tid)
        ),
        ReplyTemplate(
            "reply-incomplete",
            "reply",
            t("template.reply_incomplete"),
            t("template.reply_incomplete_text", **tid),
        ),
    )


def by_form(templates: Iterable[ReplyTemplate]) -> Mapping[str, tuple[ReplyTemplate, ...]]:
    """The templates grouped by the form they fill, each group in order.

    >>> grouped = by_form(reply_templates(Translator("id"), tracking_id="7K3M-9QXF-2HJ-Q"))
    >>> [template.key for template in grouped["request_info"]]
    ['ask-location', 'ask-photo']
    """
    grouped: dict[str, list[ReplyTemplate]] = {}
    for template in templates:
        grouped.setdefault(template.form, []).append(template)
    return {form: tuple(group) for form, group in grouped.items()}


def filled(key: str, templates: Iterable[ReplyTemplate]) -> tuple[str, str] | None:
    """``(form, text)`` of the template named ``key``; None for a key no template has.

    >>> every = reply_templates(Translator("id"), tracking_id="7K3M-9QXF-2HJ-Q")
    >>> filled("ask-photo", every)[0], filled("nope", every)
    ('request_info', None)
    """
    return next(((template.form, template.text) for template in templates if template.key == key), None)
