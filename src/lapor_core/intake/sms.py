"""The SMS channel (LAPOR! 1708): the format people use, Indonesian numbers, and 160-character answers.

The format (keywords in any case, common misspellings and emoji around them tolerated):

``LAPOR <text>`` or just ``<text>``
    A new complaint (``ADUAN``, ``ADU`` and ``PENGADUAN`` too; ``ASPIRASI``, ``USUL`` or ``SARAN`` file an
    aspiration). ``ANONIM`` and ``RAHASIA`` after the keyword set the anonymous and confidential flags.
``INFO <tracking ID> [<access key>]``
    Where the complaint stands (``CEK`` and ``STATUS`` too).
``BALAS <tracking ID> [<access key>] <text>``, or ``<tracking ID> <text>``
    Adds to the complaint: the reporter's reply, or the information the administrator asked for. A message
    whose gateway reference (``in_reply_to``) names a tracking ID continues that complaint too.

The sender's number is normalised to E.164 (``+628...``) and stored only as the reporter's contact, which
the access policy hides from institutions and the public when the complaint is anonymous. A sender whose
number equals the complaint's stored contact is its reporter (the gateway delivers the operator's sender
number, and :func:`lapor_core.intake.handle` trusts it only through a signed webhook, see the docs); anyone
else needs the access key in the message.

Answers are rendered to at most 160 GSM-7 characters where they can be (the first answer to a complaint,
with its tracking ID and access key, always is); longer texts are split into concatenated parts
(:func:`split_sms`).

Example:
    >>> from datetime import UTC, datetime
    >>> from lapor_core.intake import InboundMessage
    >>> def sms(text):
    ...     return InboundMessage("sms", "m-1", "0812 3456 7890", text, datetime(2026, 3, 17, tzinfo=UTC))
    >>> SmsIntake().parse(sms("📢 Lapr: Jalan berlubang di depan SDN 3")).submission.title
    'Jalan berlubang di depan SDN 3'
    >>> SmsIntake().parse(sms("Inpo 7k3m 9qxf 2hj q"))
    StatusQuery(tracking_id='7K3M-9QXF-2HJ-Q')
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final, Literal

import attrs

from lapor_core._domain import rules as v
from lapor_core._domain.keys import normalize_access_key
from lapor_core._domain.model import BODY_MAX, TITLE_MAX, Channel, Kind, Reporter, Submission, phone_rule
from lapor_core._domain.tracking import TrackingId
from lapor_core._i18n import N_
from lapor_core.errors import InvalidTrackingId, ValidationError
from lapor_core.intake._port import (
    Answer,
    Contact,
    Decision,
    InboundMessage,
    NewComplaint,
    ReplyToComplaint,
    StatusQuery,
    Unusable,
    clean_text,
)

__all__ = [
    "GSM7_PART",
    "GSM7_SINGLE",
    "UCS2_PART",
    "UCS2_SINGLE",
    "SmsIntake",
    "SmsText",
    "gsm7_length",
    "is_gsm7",
    "normalize_phone",
    "split_sms",
]

# GSM 03.38: the basic character set and the extension table (each extension character costs two septets).
_GSM7_BASIC: Final = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENDED: Final = frozenset("\f^{}\\[~]|€")

GSM7_SINGLE: Final = 160
"""GSM-7 characters (septets) in one SMS."""
GSM7_PART: Final = 153
"""GSM-7 septets in each part of a concatenated SMS (7 go to the user data header)."""
UCS2_SINGLE: Final = 70
"""UTF-16 code units in one SMS that needs UCS-2 (a character outside GSM-7: an emoji, ``ā``)."""
UCS2_PART: Final = 67
"""UTF-16 code units in each part of a concatenated UCS-2 SMS."""


def is_gsm7(text: str) -> bool:
    """Whether every character of ``text`` is in the GSM-7 alphabet (basic or extension table).

    >>> is_gsm7("Laporan diterima [ID]"), is_gsm7("Terima kasih 🙏")
    (True, False)
    """
    return all(c in _GSM7_BASIC or c in _GSM7_EXTENDED for c in text)


def gsm7_length(text: str) -> int:
    """Septets ``text`` takes in GSM-7 (extension characters count two); ``text`` must be GSM-7.

    >>> gsm7_length("a€b")
    4
    """
    return sum(2 if c in _GSM7_EXTENDED else 1 for c in text)


def _septets(char: str) -> int:
    return 2 if char in _GSM7_EXTENDED else 1


def _utf16_units(char: str) -> int:
    return 2 if ord(char) > 0xFFFF else 1  # noqa: PLR2004 - beyond the BMP: a surrogate pair


@attrs.frozen
class SmsText:
    """An SMS as it is sent: the text, its encoding and its parts.

    Attributes:
        text: The whole text.
        encoding: ``gsm7`` when every character is in GSM-7, else ``ucs2``.
        parts: The text split for sending: one part if it fits one SMS (160 GSM-7 septets, 70 UCS-2
            units), else concatenated parts of at most 153 septets (67 units); joined they are ``text``.
    """

    text: str = attrs.field(repr=False)  # an answer may hold an access key: never in a log by accident
    encoding: Literal["gsm7", "ucs2"]
    parts: tuple[str, ...] = attrs.field(repr=lambda parts: f"<{len(parts)} parts>")


def split_sms(text: str) -> SmsText:
    """Split ``text`` into the parts of a (concatenated) SMS, never inside a character.

    An extension character (two septets) and a surrogate pair (two UTF-16 units) stay whole within a part.
    The empty text is one empty part.

    >>> split_sms("Laporan diterima.").parts
    ('Laporan diterima.',)
    >>> [len(part) for part in split_sms("x" * 161).parts]
    [153, 8]
    >>> short = split_sms("Terima kasih 🙏")
    >>> short.encoding, len(short.parts)
    ('ucs2', 1)
    """
    cost: Callable[[str], int]
    if is_gsm7(text):
        encoding: Literal["gsm7", "ucs2"] = "gsm7"
        single, part, cost = GSM7_SINGLE, GSM7_PART, _septets
    else:
        encoding = "ucs2"
        single, part, cost = UCS2_SINGLE, UCS2_PART, _utf16_units
    if sum(cost(c) for c in text) <= single:
        return SmsText(text, encoding, (text,))
    parts: list[str] = []
    start = used = 0
    for index, char in enumerate(text):
        size = cost(char)
        if used + size > part:
            parts.append(text[start:index])
            start, used = index, 0
        used += size
    parts.append(text[start:])
    return SmsText(text, encoding, tuple(parts))


_PHONE_JUNK: Final = str.maketrans("", "", " -.()\u00a0\u2010\u2011\u2012\u2013\u2014\u2212")
_FOREIGN: Final = re.compile(r"(?:\+|00)(?!62)[1-9][0-9]{5,14}")


def normalize_phone(text: object) -> str:
    """An Indonesian mobile number in E.164 form (``+628...``), from the forms people and gateways write.

    ``08xx``, ``628xx``, ``+62 8xx`` and ``0062 8xx``, with spaces, dashes, dots or parentheses, are
    read; the mobile-number rule itself is :func:`lapor_core._domain.model.phone_rule` (one owner).

    Raises:
        ValidationError: Field ``phone``: ``phone.not_indonesian`` for a number with another country code,
            ``phone.malformed`` for anything else that is not an Indonesian mobile number.

    >>> normalize_phone("0812-3456-7890"), normalize_phone("+62 812 3456 7890")
    ('+6281234567890', '+6281234567890')
    >>> normalize_phone("+1 415 555 0100")
    Traceback (most recent call last):
    lapor_core.errors.ValidationError: invalid input: phone: ...
    """
    if not isinstance(text, str) or len(text) > 64:  # noqa: PLR2004 - far beyond any phone number
        raise ValidationError.single("phone", "phone.malformed")
    compact = text.translate(_PHONE_JUNK)
    if compact.startswith("0062"):
        compact = "+" + compact[2:]
    if _FOREIGN.fullmatch(compact):
        raise ValidationError.single("phone", "phone.not_indonesian")
    try:
        phone = phone_rule(compact)
    except v.Invalid:
        phone = None
    if phone is None:
        raise ValidationError.single("phone", "phone.malformed")
    return phone


# --- the message format -------------------------------------------------------------------------------

_NEW: Final = frozenset({"LAPOR", "LAPORAN", "ADUAN", "ADU", "PENGADUAN", "REPORT"})
_ASPIRATION: Final = frozenset({"ASPIRASI", "USUL", "USULAN", "SARAN"})
_INFO: Final = frozenset({"INFO", "CEK", "STATUS", "INFORMASI"})
_REPLY: Final = frozenset({"BALAS", "BALASAN", "JAWAB", "TANGGAPAN", "REPLY"})
_ANONYMOUS: Final = frozenset({"ANONIM", "ANONYM", "ANONYMOUS", "ANON"})
_CONFIDENTIAL: Final = frozenset({"RAHASIA", "RHS"})
# Common misspellings seen on phones (one key off, doubled or dropped letters), read as the keyword.
_MISSPELLED: Final = {
    **dict.fromkeys(
        ("LAPR", "LAPPOR", "LAPORR", "LPOR", "LAOR", "LAPIR", "LAPOT", "LAOPR", "LAPRO"), "LAPOR"
    ),
    **dict.fromkeys(("INPO", "INF0", "IMFO", "INFOO", "IFNO", "INOF", "CHEK", "CECK", "CEKK"), "INFO"),
    **dict.fromkeys(("BALES", "BALS", "BLS", "BALASS", "BALSA", "BLAS", "BAALS"), "BALAS"),
    **dict.fromkeys(("ANONIMM", "ANOMIN", "ANNONIM", "ANONIN"), "ANONIM"),
    **dict.fromkeys(("RAHASIAA", "RAHSIA", "RAHASI", "RAHAIA"), "RAHASIA"),
}

# A word after any leading emoji or punctuation, and the separators after it (the text's own symbols stay).
_LEADING_WORD: Final = re.compile(r"[\W_]*?([^\W_]+)[\s:.,;#!\-]*")
_SEP: Final = r"[ \-\u2010-\u2015\u2212]?"
_TRACKING: Final = re.compile(r"[#:\s]*((?:[0-9A-Za-z]" + _SEP + r"){11}[0-9A-Za-z])(?![0-9A-Za-z])")
_KEY: Final = re.compile(
    r"[\s:]*([0-9A-Za-z]{4}-?[0-9A-Za-z]{4}-?[0-9A-Za-z]{4}-?[0-9A-Za-z]{4})(?![0-9A-Za-z])"
)
_DANGLING_ID: Final = re.compile(r"[#:\s]*[0-9A-Za-z\-\s]{8,24}")
_TITLE_LENGTH: Final = 80
_SPACES: Final = re.compile(r"\s+")
_IN_REPLY_TO_ID: Final = re.compile(
    r"(?<![0-9A-Za-z])([0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{3}-[0-9A-Za-z])(?![0-9A-Za-z])"
)


def _keyword(word: str) -> str:
    upper = word.upper()
    return _MISSPELLED.get(upper, upper)


def _leading_keyword(text: str) -> tuple[str | None, str]:
    """The keyword the text starts with (spelled right) and the rest, or (None, text)."""
    match = _LEADING_WORD.match(text)
    if match is None:
        return None, text
    word = _keyword(match[1])
    if word in _NEW | _ASPIRATION | _INFO | _REPLY:
        return word, text[match.end() :]
    return None, text


def _flags(text: str) -> tuple[bool, bool, str]:
    """ANONIM and RAHASIA at the start of a report (any order), and the rest."""
    anonymous = confidential = False
    while True:
        match = _LEADING_WORD.match(text)
        word = None if match is None else _keyword(match[1])
        if match is not None and word in _ANONYMOUS:
            anonymous, text = True, text[match.end() :]
        elif match is not None and word in _CONFIDENTIAL:
            confidential, text = True, text[match.end() :]
        else:
            return anonymous, confidential, text


def _tracking_id(text: str) -> tuple[str | None, str]:
    """The valid tracking ID ``text`` starts with, and the rest; or (None, text)."""
    match = _TRACKING.match(text)
    if match is None:
        return None, text
    try:
        return str(TrackingId.parse(match[1])), text[match.end() :]
    except InvalidTrackingId:
        return None, text


def _access_key(text: str) -> tuple[str | None, str]:
    match = _KEY.match(text)
    if match is None:
        return None, text
    key = normalize_access_key(match[1])
    return (key, text[match.end() :]) if key is not None else (None, text)


def _title(body: str) -> str:
    line = _SPACES.sub(" ", body.split("\n", 1)[0]).strip() or _SPACES.sub(" ", body).strip()
    if len(line) <= _TITLE_LENGTH:
        return line
    cut = line[: _TITLE_LENGTH - 1].rsplit(" ", 1)[0] or line[: _TITLE_LENGTH - 1]
    return cut.rstrip() + "…"


def _new_complaint(text: str, kind: Kind, phone: str) -> Decision:
    anonymous, confidential, text = _flags(text)
    body = clean_text(text.lstrip(" :.,-#"))
    if not body:
        return Unusable(N_("intake.report_empty"))
    if len(body) > BODY_MAX:
        return Unusable(N_("intake.text_too_long"), {"max": BODY_MAX, "actual": len(body)})
    try:
        submission = Submission(
            kind=kind,
            title=_title(body)[:TITLE_MAX],
            body=body,
            channel=Channel.SMS,
            anonymous=anonymous,
            confidential=confidential,
            reporter=Reporter(phone=phone),
        )
    except ValidationError:  # pragma: no cover - defensive: the cleaning leaves nothing the rules refuse
        return Unusable(N_("intake.not_accepted"))
    return NewComplaint(submission)


def _reply(tid: str, rest: str, *, keyword: str = "BALAS") -> Decision:
    key, rest = _access_key(rest)
    text = clean_text(rest.lstrip(" :.,-#"))
    if not text:
        return Unusable(N_("intake.reply_empty"), {"tracking_id": tid, "keyword": keyword})
    if len(text) > BODY_MAX:
        return Unusable(N_("intake.text_too_long"), {"max": BODY_MAX, "actual": len(text)})
    return ReplyToComplaint(tid, text, access_key=key)


def _missing_id(rest: str, keyword: str) -> Unusable:
    if _DANGLING_ID.match(rest) and rest.strip():
        return Unusable(N_("intake.tracking_id_malformed"), {"keyword": keyword})
    return Unusable(N_("intake.tracking_id_missing"), {"keyword": keyword})


@attrs.frozen
class SmsIntake:
    """The SMS adapter of the intake port (:class:`lapor_core.intake.Intake` of :class:`SmsText`).

    Args:
        sender_verified: Whether the sender's number is the operator's (delivered through a gateway whose
            requests are signed and checked); then a number equal to a complaint's stored contact proves
            being its reporter. Default True; pass False when numbers may be forged on the way in.
    """

    sender_verified: bool = True

    @property
    def channel(self) -> str:
        """``"sms"``."""
        return "sms"

    def parse(self, message: InboundMessage) -> Decision:
        """What an SMS is (see the module docstring for the format); never raises for any text."""
        try:
            phone = normalize_phone(message.sender)
        except ValidationError as e:
            code = e.errors[0].code if e.errors else "phone.malformed"
            return Unusable(
                N_("sms.sender_not_indonesian")
                if code == "phone.not_indonesian"
                else N_("sms.sender_malformed")
            )
        text = clean_text(message.text)
        if not text:
            return Unusable(N_("intake.empty"))
        keyword, rest = _leading_keyword(text)
        if keyword in _INFO:
            tid, after = _tracking_id(rest)
            if tid is None:
                if len(rest.split()) >= 3:  # noqa: PLR2004 - "Info jalan rusak di ...": a report, not a query
                    return _new_complaint(text, Kind.PENGADUAN, phone)
                return _missing_id(rest, "INFO")
            key, _ = _access_key(after)
            return StatusQuery(tid, access_key=key)
        if keyword in _REPLY:
            tid, after = _tracking_id(rest)
            if tid is None:
                return _missing_id(rest, "BALAS")
            return _reply(tid, after)
        if keyword in _NEW or keyword in _ASPIRATION:
            return _new_complaint(rest, Kind.ASPIRASI if keyword in _ASPIRATION else Kind.PENGADUAN, phone)
        tid, after = _tracking_id(text)
        if tid is not None and (any(c.isdigit() for c in text[: len(text) - len(after)]) or "-" in text[:20]):
            return _reply(tid, after)
        reference = _IN_REPLY_TO_ID.search(message.in_reply_to or "")
        if reference is not None:
            try:
                return _reply(str(TrackingId.parse(reference[1])), text)
            except InvalidTrackingId:
                pass
        return _new_complaint(text, Kind.PENGADUAN, phone)

    def contact(self, message: InboundMessage) -> Contact | None:
        """The sender's number (``+628...``) if ``sender_verified`` and it is an Indonesian mobile number."""
        if not self.sender_verified:
            return None
        try:
            return Contact("phone", normalize_phone(message.sender))
        except ValidationError:
            return None

    def render(self, answer: Answer, locale: str = "id") -> SmsText:
        """The answer's text in ``locale``, split into SMS parts."""
        return split_sms(answer.text(locale))
