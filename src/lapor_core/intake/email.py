r"""E-mail intake: an RFC 5322 message read into what the desk needs, and the answer threaded back.

:func:`parse_email` reads a raw message with the standard :mod:`email` package (``policy.default``) and never
raises: whatever the bytes are, the result is a :class:`ParsedEmail`, possibly empty, which the intake port
then turns into a decision (an empty or unreadable message gets a helpful answer, never silence).

- **Bodies.** The ``text/plain`` part is preferred; a message with only HTML is read as text by a small
  :class:`html.parser.HTMLParser` (no script, style or head; line breaks where blocks end; entities
  decoded). Charsets are what the part declares (UTF-8, ISO-8859-1, windows-1252...), an unknown or lying
  charset read as UTF-8 with replacement characters. Control and bidirectional-override characters are
  removed: what an officer reads is what was stored.
- **Quoted replies** are cut off (:func:`trim_reply`): lines starting with ``>``, and everything after an
  ``On ... wrote:`` / ``Pada ... menulis:`` header, an Outlook ``-----Original Message-----`` or
  ``From:`` block, or a signature separator (two hyphens and a space on a line).
- **Threading.** Every e-mail the desk sends carries ``References: <lapor.TRACKING-ID@domain>``
  (:func:`thread_id`; see :class:`~lapor_core.notifiers.SmtpNotifier`), which mail programs copy into a
  reply's ``References``; a tracking ID in the subject (``Re: [LAPOR! 7K3M-9QXF-2HJ-Q] ...``) counts too.
- **Attachments** are counted and measured, and the files handed to the desk with a new complaint, which
  checks and strips them (:meth:`~lapor_core.ComplaintDesk.submit`'s ``attachments``); a picture inline in the
  HTML (a signature's logo) is not handed over.
- **Automatic mail** (``Auto-Submitted``, ``Precedence: bulk``, a null return path: RFC 3834) is marked
  :attr:`ParsedEmail.automatic`: it is never answered, so two robots cannot answer each other forever.

Example:
    >>> raw = (b"From: Siti <siti@Contoh.ID>\r\nSubject: Re: [LAPOR! 7K3M-9QXF-2HJ-Q] Jalan\r\n"
    ...        b"Message-ID: <a1@contoh.id>\r\n\r\nSudah diperbaiki?\r\n\r\n"
    ...        b"Pada 7 Des 2026, LAPOR! menulis:\r\n> Laporan Anda diteruskan.\r\n")
    >>> parsed = parse_email(raw)
    >>> parsed.sender, parsed.text, str(parsed.tracking_id)
    ('siti@contoh.id', 'Sudah diperbaiki?', '7K3M-9QXF-2HJ-Q')
"""

from __future__ import annotations

import contextlib
import email
import email.errors
import email.policy
import email.utils
import hashlib
import html.parser
import logging
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final

import attrs

from lapor_core import _i18n
from lapor_core._domain import rules as v
from lapor_core._domain.keys import normalize_access_key
from lapor_core._domain.model import BODY_MAX, TITLE_MAX, Channel, Kind, Reporter, Submission, email_rule
from lapor_core._domain.tracking import TrackingId
from lapor_core._i18n import N_
from lapor_core.errors import (
    NotificationError,
    StorageError,
    TemporaryNotificationError,
    ValidationError,
)
from lapor_core.intake._port import (
    MAX_INBOUND_TEXT,
    Answer,
    Contact,
    Decision,
    InboundAttachment,
    InboundMessage,
    NewComplaint,
    ReplyToComplaint,
    StatusQuery,
    Unusable,
    clean_text,
)
from lapor_core.intake._service import Handled, SenderLimiter, handle
from lapor_core.notifiers._settings import configured, positive_seconds
from lapor_core.notifiers.smtp import thread_id

if TYPE_CHECKING:
    import imaplib
    import ssl
    from email.message import EmailMessage, Message

    from lapor_core.desk import ComplaintDesk
    from lapor_core.notifiers.smtp import SmtpNotifier

__all__ = [
    "EmailIntake",
    "EmailReply",
    "ImapPoller",
    "ParsedEmail",
    "PollReport",
    "html_to_text",
    "parse_email",
    "process_email",
    "reply_email",
    "thread_id",
    "trim_reply",
]

_log = logging.getLogger("lapor_core.intake")

#: Larger raw messages are not parsed (a complaint is text; attachments belong to the attachment port).
MAX_RAW_BYTES: Final = 25 * 1024 * 1024
_MAX_SUBJECT: Final = 998  # RFC 5322 section 2.1.1: a line is at most 998 characters
_MAX_TEXT: Final = 200_000  # read at most this much text; the desk's own limit applies after trimming
_MAX_PARTS: Final = 200
_MAX_IDS: Final = 50

# Cc (except tab and line feed), surrogates and bidirectional controls (see lapor_core._domain.text).
_UNWANTED: Final = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069\ufeff]")
_SUBJECT_UNWANTED: Final = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069\ufeff]")


def _c1_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0x80, 0xA0):
        try:
            table[code] = bytes([code]).decode("windows-1252")
        except UnicodeDecodeError:  # the five bytes windows-1252 leaves undefined
            table[code] = ""
    return table


# Text declared ISO-8859-1 is often windows-1252 (curly quotes, dashes, the euro sign); the WHATWG encoding
# standard reads the label that way. The email package decodes encoded words strictly, so the C1 controls it
# yields are mapped to what windows-1252 means by the same bytes.
_C1_AS_WINDOWS_1252: Final = _c1_table()
# A message ID (RFC 5322 msg-id): printable ASCII without the angle brackets; anything else is not one.
_MSG_ID: Final = re.compile(r"<([\x21-\x3b\x3d\x3f-\x7e]{1,250})>")
_THREAD: Final = re.compile(r"lapor\.([0-9A-Za-z-]{12,20})@", re.IGNORECASE)
# A tracking ID as people and mail programs write it: 12 symbols, in groups of 4-4-3-1, or unbroken; a
# look-ahead, so candidates overlap ("info 7k3m 9qxf 2hj q" is tried from each word).
_TRACKING_CANDIDATE: Final = re.compile(
    r"(?<![0-9A-Za-z])"
    r"(?=([0-9A-Za-z]{4}[- ]?[0-9A-Za-z]{4}[- ]?[0-9A-Za-z]{3}[- ]?[0-9A-Za-z])(?![0-9A-Za-z]))"
)
# An access key as the receipt prints it: 16 symbols in four groups joined by hyphens (see
# lapor_core._domain.keys); it has no check symbol, so looser forms would take ordinary words for keys.
_KEY_CANDIDATE: Final = re.compile(
    r"(?<![0-9A-Za-z])"
    r"(?=([0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4})(?![0-9A-Za-z-]))"
)
_AUTOMATIC_PRECEDENCE: Final = frozenset({"bulk", "junk", "list", "auto_reply"})


@attrs.frozen
class ParsedEmail:
    """What an inbound e-mail says, read without trusting any of it.

    Attributes:
        sender: The ``From`` address by the one e-mail rule of lapor_core (domain lower-cased), or None when
            missing or malformed. Left out of ``repr``: it is personal data.
        sender_name: The display name of ``From`` (``Siti Aminah``), or None. Left out of ``repr``.
        subject: The decoded subject on one line (RFC 2047 words decoded), without ``Re:``/``Fwd:``.
        text: The new text of the message: the preferred body, quoted replies and signature cut off.
            Left out of ``repr``: message text stays out of logs.
        message_id: The message's ``Message-ID`` (without the angle brackets), or None.
        references: The IDs of ``In-Reply-To`` and ``References``, in that order, without duplicates.
        tracking_id: The complaint this message continues: from a thread ID the desk sent
            (:func:`thread_id`) or, failing that, a valid tracking ID in the subject; else None.
        automatic: Sent by a program (an auto-reply, a bounce, a list): never answer it (RFC 3834).
        sender_verified: The receiving mail server (the ``authserv_id`` given to :func:`parse_email`)
            recorded a DMARC pass for the ``From`` domain (RFC 8601 ``Authentication-Results``).
        attachments: How many attachments it carries.
        attachment_bytes: Their decoded size in bytes, together.
        files: The attached files (a part marked ``attachment``, or a non-text part that is not a picture
            inline in the HTML), for the desk's attachment check; left out of ``repr``.
    """

    sender: str | None = attrs.field(repr=False)
    sender_name: str | None = attrs.field(repr=False)
    subject: str = attrs.field(repr=False)
    text: str = attrs.field(repr=False)
    message_id: str | None
    references: tuple[str, ...]
    tracking_id: TrackingId | None
    automatic: bool
    sender_verified: bool = False
    attachments: int = 0
    attachment_bytes: int = 0
    files: tuple[InboundAttachment, ...] = attrs.field(default=(), repr=False)

    @classmethod
    def empty(cls) -> ParsedEmail:
        """What an unreadable message yields: nothing known."""
        return cls(None, None, "", "", None, (), None, automatic=False)


def parse_email(raw: bytes | str, *, authserv_id: str | None = None) -> ParsedEmail:
    """Read an RFC 5322 message; never raises, whatever ``raw`` holds.

    Args:
        raw: The message as received (bytes, or text already decoded by a webhook provider). At most
            :data:`MAX_RAW_BYTES`; a larger one is read as empty.
        authserv_id: The name your receiving mail server writes in the ``Authentication-Results`` headers
            it adds (``mx.lapor.go.id``), after removing any such header that arrived with the message
            (RFC 8601 section 5). Only its results are believed; None: no sender is verified.

    Returns:
        The message's sender, subject, new text, threading and attachments; :meth:`ParsedEmail.empty` for
        something that is not a message at all.
    """
    if not isinstance(raw, bytes | str) or len(raw) > MAX_RAW_BYTES:
        return ParsedEmail.empty()
    try:
        if isinstance(raw, str):
            message = email.message_from_string(raw, policy=email.policy.default)
        else:
            message = email.message_from_bytes(raw, policy=email.policy.default)
        return _read(message, authserv_id)
    except (ValueError, TypeError, LookupError, AttributeError, IndexError, email.errors.MessageError):
        # The email package is lenient, but a few malformed headers still raise from deep inside it.
        return ParsedEmail.empty()


def _read(message: EmailMessage, authserv_id: str | None) -> ParsedEmail:
    name, sender = _sender(message)
    subject = _subject(message)
    text, attachments, size, files = _body(message)
    ids = _ids(message)
    return ParsedEmail(
        sender=sender,
        sender_name=name,
        subject=subject,
        text=trim_reply(text),
        message_id=_first_id(_header(message, "Message-ID")),
        references=ids,
        tracking_id=_thread_tracking_id(ids) or _tracking_id_in(subject),
        automatic=_automatic(message),
        sender_verified=sender is not None and _dmarc_pass(message, authserv_id, sender),
        attachments=attachments,
        attachment_bytes=size,
        files=files,
    )


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except (ValueError, TypeError, LookupError, IndexError, AttributeError, email.errors.MessageError):
        return ""  # a header the policy's parser chokes on is treated as absent
    return "" if value is None else str(value)


def _sender(message: Message) -> tuple[str | None, str | None]:
    name, address = email.utils.parseaddr(_header(message, "From"))
    try:
        normalised = email_rule(address)
    except v.Invalid:
        normalised = None
    display = _SUBJECT_UNWANTED.sub("", name.translate(_C1_AS_WINDOWS_1252)).strip()[:150] or None
    return display, normalised


_PREFIX: Final = re.compile(r"^\s*(?:(?:re|fw|fwd|aw|sv|balas|bls|tr)\s*(?:\[\d+\])?\s*:\s*)+", re.IGNORECASE)


def _subject(message: Message) -> str:
    decoded = _header(message, "Subject").translate(_C1_AS_WINDOWS_1252)
    subject = " ".join(_SUBJECT_UNWANTED.sub(" ", decoded).split())
    return _PREFIX.sub("", subject)[:_MAX_SUBJECT]


def _ids(message: Message) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for name in ("In-Reply-To", "References"):
        for found in _MSG_ID.findall(_header(message, name)):
            seen.setdefault(found, None)
    return tuple(seen)[:_MAX_IDS]


def _first_id(value: str) -> str | None:
    found = _MSG_ID.search(value)
    return found.group(1) if found else None


def _thread_tracking_id(ids: tuple[str, ...]) -> TrackingId | None:
    for message_id in ids:
        found = _THREAD.match(message_id)
        if found and TrackingId.is_valid(found.group(1)):
            return TrackingId.parse(found.group(1))
    return None


def _tracking_id_in(text: str) -> TrackingId | None:
    for candidate in _TRACKING_CANDIDATE.findall(text):
        if TrackingId.is_valid(candidate):
            return TrackingId.parse(candidate)
    return None


def _automatic(message: Message) -> bool:
    auto_submitted = _header(message, "Auto-Submitted").strip().lower()
    precedence = _header(message, "Precedence").strip().lower()
    return (
        (auto_submitted not in ("", "no"))
        or precedence in _AUTOMATIC_PRECEDENCE
        or bool(_header(message, "X-Autoreply") or _header(message, "X-Autorespond"))
        or _header(message, "Return-Path").strip() == "<>"
    )


_DMARC_PASS: Final = re.compile(r"(?:^|;)\s*dmarc\s*=\s*pass\b[^;]*?\bheader\.from\s*=\s*([^\s;]+)", re.I)


def _dmarc_pass(message: Message, authserv_id: str | None, sender: str) -> bool:
    if not authserv_id:
        return False
    domain = sender.rpartition("@")[2]
    try:
        results = message.get_all("Authentication-Results") or []
    except (ValueError, TypeError, LookupError, IndexError, AttributeError, email.errors.MessageError):
        return False
    for result in results:
        server, _, verdicts = str(result).partition(";")
        if server.split()[:1] != [authserv_id]:
            continue
        for found in _DMARC_PASS.finditer(";" + verdicts):
            if found.group(1).strip('"').lower() == domain:
                return True
    return False


def _body(message: Message) -> tuple[str, int, int, tuple[InboundAttachment, ...]]:
    """The preferred text, the attachments' count and size, and the files to hand over."""
    plain: str | None = None
    rich: str | None = None
    attachments = size = 0
    files: list[InboundAttachment] = []
    for index, part in enumerate(message.walk()):
        if index >= _MAX_PARTS:
            break
        if part.is_multipart():
            continue
        content_type = part.get_content_type()
        disposition = part.get_content_disposition()
        if disposition == "attachment" or not content_type.startswith("text/"):
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
            attachments += 1
            size += len(data)
            # A picture inline in the HTML (a Content-ID: a signature's logo) is decoration, not evidence.
            if data and (disposition == "attachment" or part.get("Content-ID") is None):
                files.append(InboundAttachment(_filename(part), content_type, data))
        elif content_type == "text/plain" and plain is None:
            plain = _decoded(part)
        elif content_type == "text/html" and rich is None:
            rich = html_to_text(_decoded(part))
    text = plain if plain is not None and plain.strip() else (rich or plain or "")
    text = _UNWANTED.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return text, attachments, size, tuple(files)


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except (ValueError, TypeError, LookupError, IndexError, AttributeError, email.errors.MessageError):
        return None
    if not isinstance(name, str):
        return None
    return _SUBJECT_UNWANTED.sub("", name).strip()[:200] or None


def _decoded(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    if charset in ("us-ascii", "ascii", "iso-8859-1", "latin-1", "latin1"):
        # Mail programs label windows-1252 text as ISO-8859-1 or ASCII (curly quotes, the euro sign); the
        # WHATWG encoding standard reads these labels as windows-1252 for that reason.
        charset = "windows-1252"
    try:
        return payload[: _MAX_TEXT * 4].decode(charset, errors="replace")[:_MAX_TEXT]
    except LookupError:
        return payload[: _MAX_TEXT * 4].decode("utf-8", errors="replace")[:_MAX_TEXT]


# --- HTML to text ------------------------------------------------------------------------------------------

_SKIPPED: Final = frozenset({"script", "style", "head", "title", "template", "noscript", "svg", "object"})
_BLOCKS: Final = frozenset(
    {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "hr", "pre"}
)
_VOID: Final = frozenset({"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "wbr", "source"})
# Containers of a quoted message that mail programs mark: Gmail, Apple Mail, Outlook on the web.
_QUOTE_MARKERS: Final = ("gmail_quote", "divrplyfwdmsg", "appendonsend", "moz-cite-prefix")


class _TextExtractor(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self._skip = 0  # depth inside an element whose text is not shown
        self._quote = 0  # depth inside a blockquote
        self._stack: list[tuple[str, bool, bool]] = []  # open elements, and whether each skips or quotes

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        marks = " ".join(f"{value or ''}" for key, value in attrs if key in ("class", "id")).lower()
        quoted = tag == "blockquote" or any(marker in marks for marker in _QUOTE_MARKERS)
        skipped = tag in _SKIPPED
        if tag in _BLOCKS:
            self._newline()
        if tag in _VOID:
            return
        self._stack.append((tag, skipped, quoted))
        self._skip += skipped
        self._quote += quoted

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self._stack) - 1, -1, -1):
            if self._stack[depth][0] == tag:
                for _name, skipped, quoted in self._stack[depth:]:  # closes the unclosed ones inside too
                    self._skip -= skipped
                    self._quote -= quoted
                del self._stack[depth:]
                break
        if tag in _BLOCKS:
            self._newline()

    def handle_data(self, data: str) -> None:
        if self._skip or not data:
            return
        words = " ".join(data.split())
        if not words:
            if self.lines[-1] and not self.lines[-1].endswith(" "):
                self.lines[-1] += " "
            return
        if not self.lines[-1] and self._quote:
            self.lines[-1] = "> "
        spacer = " " if data[:1].isspace() and self.lines[-1] and not self.lines[-1].endswith(" ") else ""
        self.lines[-1] += spacer + words + (" " if data[-1:].isspace() else "")

    def _newline(self) -> None:
        self.lines[-1] = self.lines[-1].rstrip()
        self.lines.append("")


def html_to_text(markup: str) -> str:
    r"""The text a reader sees in ``markup``: no script or style, a line per block, quoted parts with ``>``.

    Not a renderer and not a sanitiser for showing HTML: the result is plain text, stored and shown as such.

    >>> html_to_text("<p>Jalan <b>rusak</b>&nbsp;parah</p><script>x()</script><div>Terima kasih</div>")
    'Jalan rusak parah\n\nTerima kasih'
    >>> html_to_text('<div>Baik</div><blockquote>Laporan Anda</blockquote>')
    'Baik\n> Laporan Anda'
    """
    extractor = _TextExtractor()
    try:
        extractor.feed(markup[:_MAX_TEXT])
        extractor.close()
    except (AssertionError, ValueError):  # pragma: no cover - HTMLParser is lenient; belt and braces
        pass
    lines = [line.strip().replace("\xa0", " ") for line in extractor.lines]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# --- quoted replies and signatures ------------------------------------------------------------------------

_QUOTE_HEADERS: Final = (
    re.compile(r"^-{2,}\s*(?:original message|pesan asli|forwarded message|pesan terusan)\s*-{2,}", re.I),
    re.compile(r"^_{10,}\s*$"),  # Outlook's rule above its "From: ... Sent: ..." block
    re.compile(r"^(?:from|dari)\s*:.*$", re.I),  # only as the first line of a block, see trim_reply
)
_WROTE: Final = re.compile(
    r"^(?:on|pada|am|le|el)\s.{0,300}?(?:wrote|menulis|schrieb|a écrit|escribió)\s*:\s*$", re.I
)
_WROTE_START: Final = re.compile(r"^(?:on|pada)\s", re.I)
_DIGIT: Final = re.compile(r"\d")  # a quote header has a date; a sentence that says "menulis:" may not
_SIGNATURE: Final = re.compile(r"^--\s*$")
_SENT_FROM: Final = re.compile(r"^(?:sent from my|dikirim dari|get outlook for)\b", re.I)


def trim_reply(text: str) -> str:
    r"""The new part of a reply: quoted lines, the quote's header and the signature cut off.

    >>> trim_reply("Masih rusak.\n\nOn Mon, 7 Dec 2026 at 10:00, LAPOR! <noreply@lapor.go.id>\nwrote:\n> Hi")
    'Masih rusak.'
    >>> trim_reply("Terima kasih\n-- \nSiti\n0812 3456 7890")
    'Terima kasih'
    """
    lines = text.split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        stripped = line.strip()
        following = lines[index + 1].strip() if index + 1 < len(lines) else ""
        if _ends_message(stripped, following, previous_blank=not kept or not kept[-1].strip()):
            break
        if stripped.startswith(">"):
            continue
        kept.append(line.rstrip())
    return "\n".join(kept).strip()


def _ends_message(line: str, following: str, *, previous_blank: bool) -> bool:
    if _SIGNATURE.match(line) or _SENT_FROM.match(line):
        return True
    if _QUOTE_HEADERS[0].match(line) or _QUOTE_HEADERS[1].match(line):
        return True
    if (
        previous_blank
        and _QUOTE_HEADERS[2].match(line)
        and re.match(r"^(?:sent|dikirim|date|tanggal)\s*:", following, re.I)
    ):
        return True
    if _WROTE.match(line) and _DIGIT.search(line):
        return True
    # Gmail folds a long header over two lines: "On ..., Name <address>" then "wrote:".
    joined = f"{line} {following}"
    return bool(_WROTE_START.match(line) and following and _WROTE.match(joined) and _DIGIT.search(joined))


# --- the intake adapter ----------------------------------------------------------------------------------

_COMMAND: Final = re.compile(r"^\s*(?:info|status|cek|lacak)\b", re.I)
_SHORT_COMMAND: Final = 40  # "info", "cek status dong": a short text starting with a command word asks.
_TAG: Final = re.compile(r"\[\s*(anonim|anonymous|rahasia|confidential)\s*\]", re.I)
_LAPOR_TAG: Final = re.compile(r"\[\s*lapor!?[^\]]{0,40}\]", re.I)


# The service's answers whose wording is written for SMS ("Kirim: LAPOR ..."), said the e-mail way.
_WORDING: Final = {
    "intake.received": N_("email.received"),
    "intake.received_without_attachments": N_("email.received_without_attachments"),
    "intake.not_found": N_("email.not_found"),
    "intake.not_accepted": N_("email.not_accepted"),
    "intake.unreadable": N_("email.unreadable"),
    "intake.rate_limited": N_("email.rate_limited"),
}


@attrs.frozen
class EmailReply:
    """An answer to an e-mail, as :meth:`EmailIntake.render` writes it; :func:`reply_email` addresses it.

    Attributes:
        subject: The subject line (``[LAPOR! 7K3M-9QXF-2HJ-Q] ...`` when it is about a complaint).
        text: The plain-text body. Left out of ``repr``: it may hold the access key.
        tracking_id: The complaint the answer is about, or None.
    """

    subject: str
    text: str = attrs.field(repr=False)
    tracking_id: str | None = None


def _title_from(subject: str, text: str) -> str:
    first = subject or next((line.strip() for line in text.split("\n") if line.strip()), "")
    if len(first) <= TITLE_MAX:
        return first
    cut = first[: TITLE_MAX - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut[40:] else cut).rstrip() + "\u2026"


def _access_key_in(text: str) -> tuple[str | None, str]:
    """The first access key written in ``text``, and ``text`` without it (a key is never stored)."""
    for found in _KEY_CANDIDATE.finditer(text):
        key = normalize_access_key(found.group(1))
        if key is not None:
            start = found.start(1)
            return key, (text[:start] + text[start + len(found.group(1)) :]).strip()
    return None, text


@attrs.frozen
class EmailIntake:
    """The e-mail channel's :class:`~lapor_core.intake.Intake`: a message to a decision, an answer to mail.

    - A message continuing a complaint (our thread ID in ``References``, or its tracking ID in the subject)
      is a reply to it; an empty one, or one whose subject starts with ``INFO``/``STATUS``/``CEK``, is a
      status query. An access key written in it is taken out of the text and used as the proof.
    - Any other message is a new complaint (``pengaduan``): the subject is its title (else the first
      line), the new text its body, the sender's address the reporter's e-mail contact, and nothing else
      about the sender is kept. ``[ANONIM]`` / ``[RAHASIA]`` in the subject set the two privacy flags.
    - An empty message, one longer than a complaint may be, or one without a usable sender address is
      unusable, with an Indonesian answer that says what to do.

    The sender's address proves being the reporter (:meth:`contact`) only when the receiving mail server
    recorded a DMARC pass for it (``authserv_id``); otherwise a reply needs the access key.

    Args:
        authserv_id: The ``Authentication-Results`` name of your receiving mail server, or None to
            believe no sender address (see :func:`parse_email`).
    """

    authserv_id: str | None = None

    @property
    def channel(self) -> str:
        """``email``."""
        return "email"

    def inbound(
        self, raw: bytes | str, *, received_at: datetime
    ) -> tuple[InboundMessage, ParsedEmail] | None:
        """Read a raw message into the port's :class:`~lapor_core.intake.InboundMessage`.

        The message ID (the idempotency key's second half) is a digest of the sender and the
        ``Message-ID``, or of the raw bytes when there is no ``Message-ID``: a redelivered message is the
        same, two senders' messages never collide, and no address ends up in a log.

        Returns:
            The inbound message and what was parsed (for :func:`reply_email`), or None when the message
            must not be answered: sent by a program (RFC 3834), or without a usable sender address.
        """
        parsed = parse_email(raw, authserv_id=self.authserv_id)
        if parsed.automatic or parsed.sender is None:
            return None
        basis = (
            f"{parsed.sender}\x00{parsed.message_id}".encode("utf-8", "surrogatepass")
            if parsed.message_id
            else (raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw)
        )
        thread = next((i for i in parsed.references if _THREAD.match(i)), None)
        message = InboundMessage(
            channel=self.channel,
            message_id="m-" + hashlib.sha256(basis).hexdigest()[:40],
            sender=parsed.sender,
            text=parsed.text[:MAX_INBOUND_TEXT],
            received_at=received_at,
            subject=parsed.subject,
            in_reply_to=thread or (parsed.references[0] if parsed.references else None),
            sender_verified=parsed.sender_verified,
            attachments=parsed.files,
        )
        return message, parsed

    def parse(self, message: InboundMessage) -> Decision:
        """What the message is; never raises (see the class docstring)."""
        try:
            return self._parse(message)
        except ValidationError:
            return Unusable(N_("intake.unreadable"))

    def _parse(self, message: InboundMessage) -> Decision:
        try:
            sender = email_rule(message.sender)
        except v.Invalid:
            sender = None
        if sender is None:
            return Unusable(N_("email.sender_malformed"))
        subject = clean_text(message.subject or "")
        key, text = _access_key_in(clean_text(message.text))
        reference = _THREAD.match(message.in_reply_to or "")
        tracking_id = (
            TrackingId.parse(reference.group(1))
            if reference and TrackingId.is_valid(reference.group(1))
            else _tracking_id_in(subject)
        )
        if tracking_id is None and _COMMAND.match(subject):
            tracking_id = _tracking_id_in(text)
        if tracking_id is not None:
            if not text or _COMMAND.match(subject) or (_COMMAND.match(text) and len(text) < _SHORT_COMMAND):
                return StatusQuery(str(tracking_id), access_key=key)
            if len(text) > BODY_MAX:
                return Unusable(N_("email.too_long"), {"max": BODY_MAX})
            return ReplyToComplaint(str(tracking_id), text, access_key=key)
        tags = {tag.lower() for tag in _TAG.findall(subject)}
        title = " ".join(_TAG.sub(" ", _LAPOR_TAG.sub(" ", subject)).split())
        if not text and not title:
            return Unusable(N_("email.empty"))
        if len(text) > BODY_MAX:
            return Unusable(N_("email.too_long"), {"max": BODY_MAX})
        return NewComplaint(
            Submission(
                kind=Kind.PENGADUAN,
                title=_title_from(title, text),
                body=text or title,
                channel=Channel.EMAIL,
                anonymous=bool(tags & {"anonim", "anonymous"}),
                confidential=bool(tags & {"rahasia", "confidential"}),
                reporter=Reporter(email=sender),
            )
        )

    def contact(self, message: InboundMessage) -> Contact | None:
        """The sender's address, only when the receiving mail server verified it (DMARC pass)."""
        if not message.sender_verified:
            return None
        try:
            address = email_rule(message.sender)
        except v.Invalid:
            return None
        return None if address is None else Contact("email", address)

    def render(self, answer: Answer, locale: str = "id") -> EmailReply:
        """The answer as an e-mail: the answer's text, then how to continue by e-mail."""
        topic = _i18n.translate(N_("email.reply_subject"), locale)
        subject = f"[LAPOR! {answer.tracking_id}] {topic}" if answer.tracking_id else f"LAPOR! {topic}"
        body = attrs.evolve(answer, code=_WORDING.get(answer.code, answer.code)).text(locale)
        footer = _i18n.translate(N_("email.reply_footer"), locale)
        return EmailReply(subject=subject, text=f"{body}\n\n{footer}\n", tracking_id=answer.tracking_id)


def reply_email(parsed: ParsedEmail, reply: EmailReply, *, domain: str) -> EmailMessage:
    """The answer to ``parsed`` as an e-mail to its sender, threaded under it and under the complaint.

    ``In-Reply-To`` names the sender's message, ``References`` carries the complaint's thread ID
    (:func:`thread_id`), so the reporter's answer to it comes back to the same complaint;
    ``Auto-Submitted: auto-replied`` (RFC 3834) keeps other robots from answering it.

    Raises:
        ValidationError: ``parsed`` has no sender (``email.sender_malformed``).
    """
    from email.message import EmailMessage  # noqa: PLC0415

    if parsed.sender is None:
        raise ValidationError.single("sender", "email.sender_malformed")
    message = EmailMessage(policy=email.policy.SMTP)
    message["To"] = parsed.sender
    message["Subject"] = reply.subject
    message["Auto-Submitted"] = "auto-replied"
    references = [f"<{i}>" for i in parsed.references[-10:]]
    if parsed.message_id:
        message["In-Reply-To"] = f"<{parsed.message_id}>"
        references.append(f"<{parsed.message_id}>")
    if reply.tracking_id:
        references.insert(0, thread_id(reply.tracking_id, domain))
        message["X-Lapor-Tracking-Id"] = reply.tracking_id
    if references:
        message["References"] = " ".join(dict.fromkeys(references))
    message.set_content(reply.text)
    return message


def process_email(
    desk: ComplaintDesk,
    raw: bytes | str,
    *,
    intake: EmailIntake,
    notifier: SmtpNotifier,
    received_at: datetime,
    limiter: SenderLimiter | None = None,
    locale: str = "id",
) -> Handled[EmailReply] | None:
    """Take one inbound e-mail end to end: parse, act on the desk, and e-mail the answer to the sender.

    What an inbound webhook or a mailbox poller calls for each message.

    Returns:
        What was done and answered, or None for a message left unanswered on purpose (automatic mail, no
        usable sender address; see :meth:`EmailIntake.inbound`).

    Raises:
        StorageError: The store failed; nothing was answered: deliver the message again later.
        NotificationError: The answer could not be sent (the desk has acted; a redelivered message gets
            the same answer again, its submission recognised by the idempotency key).
    """
    read = intake.inbound(raw, received_at=received_at)
    if read is None:
        _log.info("intake email: an automatic or sender-less message was not answered")
        return None
    message, parsed = read
    handled = handle(desk, intake, message, limiter=limiter, locale=locale)
    notifier.send_email(reply_email(parsed, handled.rendered, domain=notifier.domain), to=message.sender)
    return handled


# --- a mailbox poller ---------------------------------------------------------------------------------------

_IMAP_PORTS: Final = {"ssl": 993, "starttls": 143, "none": 143}
_UID_LIST: Final = re.compile(rb"^[0-9 ]*$")


@attrs.frozen
class PollReport:
    """What one :meth:`ImapPoller.poll` did, by IMAP UID.

    Attributes:
        answered: Messages acted on and answered; flagged as seen.
        unanswered: Messages left unanswered on purpose (automatic mail, no sender); flagged as seen.
        failed: Messages whose store or answer failed; left unseen, so the next poll takes them again
            (a repeat is recognised by its idempotency key).
    """

    answered: tuple[str, ...] = ()
    unanswered: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()


class ImapPoller:
    """Takes the unseen messages of a mailbox over IMAP (:mod:`imaplib`) through :func:`process_email`.

    Run :meth:`poll` on a schedule (every minute, say). Each unseen message is fetched without marking it
    (``BODY.PEEK[]``), handled, and flagged as seen only once answered, so a crash or a failure leaves it
    for the next poll; the idempotency key makes the repeat safe. Messages are never deleted.

    Args:
        host: The IMAP server.
        port: Its port (default 993 for ``ssl``, 143 otherwise).
        username: The mailbox's user.
        password: Its password.
        mailbox: The folder to read (default ``INBOX``).
        security: ``"ssl"`` (implicit TLS, the default), ``"starttls"`` or ``"none"`` (a local server only:
            credentials then cross the network in clear).
        timeout: Seconds to wait for the server (default 30).
        ssl_context: The TLS settings (default: verify the server).

    Raises:
        ConfigurationError: An unknown security mode, or a timeout that is not a positive number of seconds.
    """

    def __init__(
        self,
        host: str,
        port: int | None = None,
        *,
        username: str,
        password: str,
        mailbox: str = "INBOX",
        security: str = "ssl",
        timeout: float = 30.0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        options = configured(_ImapOptions, security=security, timeout=timeout)
        self._host = host
        self._port = port or _IMAP_PORTS[options.security]
        self._username = username
        self._password = password
        self._mailbox = mailbox
        self._security = options.security
        self._timeout = options.timeout
        self._ssl_context = ssl_context

    def poll(
        self,
        desk: ComplaintDesk,
        *,
        intake: EmailIntake,
        notifier: SmtpNotifier,
        limiter: SenderLimiter | None = None,
        limit: int = 50,
        now: datetime | None = None,
    ) -> PollReport:
        """Handle at most ``limit`` unseen messages, oldest first (received at ``now``, default: now).

        Raises:
            TemporaryNotificationError: The IMAP server cannot be reached, or refused the login or the
                folder (``imap.failed``); nothing was handled. No error names the mailbox's user.
        """
        import imaplib  # noqa: PLC0415 - loaded on the first poll

        received_at = now or datetime.now(UTC)
        answered: list[str] = []
        unanswered: list[str] = []
        failed: list[str] = []
        try:
            client = self._connect()
        except (imaplib.IMAP4.error, OSError) as e:
            raise TemporaryNotificationError(
                detail=N_("imap.failed"), params={"error": type(e).__name__}
            ) from None
        try:
            for uid in self._unseen(client)[:limit]:
                raw = self._fetch(client, uid)
                if raw is None:
                    failed.append(uid)
                    continue
                try:
                    handled = process_email(
                        desk,
                        raw,
                        intake=intake,
                        notifier=notifier,
                        received_at=received_at,
                        limiter=limiter,
                    )
                except (StorageError, NotificationError) as e:
                    _log.warning(
                        "intake email: IMAP message %s not handled (%s); next poll", uid, type(e).__name__
                    )
                    failed.append(uid)
                    continue
                client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
                (answered if handled is not None else unanswered).append(uid)
        except (imaplib.IMAP4.error, OSError) as e:
            raise TemporaryNotificationError(
                detail=N_("imap.failed"), params={"error": type(e).__name__}
            ) from None
        finally:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                client.logout()
        return PollReport(tuple(answered), tuple(unanswered), tuple(failed))

    def _connect(self) -> imaplib.IMAP4:
        import imaplib  # noqa: PLC0415
        import ssl  # noqa: PLC0415

        context = self._ssl_context or ssl.create_default_context()
        client: imaplib.IMAP4
        if self._security == "ssl":
            client = imaplib.IMAP4_SSL(self._host, self._port, ssl_context=context, timeout=self._timeout)
        else:
            client = imaplib.IMAP4(self._host, self._port, timeout=self._timeout)
        try:
            if self._security == "starttls":
                client.starttls(context)
            client.login(self._username, self._password)
            status, _ = client.select(self._mailbox)
        except BaseException:
            with contextlib.suppress(OSError):
                client.shutdown()
            raise
        if status != "OK":
            with contextlib.suppress(OSError):
                client.shutdown()
            raise imaplib.IMAP4.error("select refused")
        return client

    @staticmethod
    def _unseen(client: imaplib.IMAP4) -> list[str]:
        status, data = client.uid("SEARCH", None, "UNSEEN")  # type: ignore[arg-type]  # imaplib accepts None
        found = data[0] if status == "OK" and data and isinstance(data[0], bytes) else b""
        if not _UID_LIST.match(found):
            return []
        return sorted({uid.decode() for uid in found.split()}, key=int)

    @staticmethod
    def _fetch(client: imaplib.IMAP4, uid: str) -> bytes | None:
        status, data = client.uid("FETCH", uid, "(BODY.PEEK[])")
        if status != "OK":
            return None
        for item in data:
            if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):  # noqa: PLR2004
                return item[1]
        return None


def _imap_security(value: object) -> str:
    if isinstance(value, str) and value in _IMAP_PORTS:
        return value
    raise v.Invalid("imap.security_unknown")


@v.checked
@attrs.frozen(field_transformer=v.with_rules)
class _ImapOptions:
    """The options of :class:`ImapPoller` that can be wrong, each with its rule."""

    security: str = attrs.field(metadata=v.rule(_imap_security))
    timeout: float = attrs.field(metadata=v.rule(positive_seconds(N_("imap.timeout_not_positive"))))
