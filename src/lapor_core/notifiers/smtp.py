"""E-mail notifications over SMTP, with the standard library's :mod:`smtplib` and :mod:`email`.

Each notification becomes one ``multipart/alternative`` message (plain text and HTML) to one address, sent
over its own connection: STARTTLS on the submission port (587, the default), implicit TLS (465), or plain
SMTP to a local relay. The ``Message-ID`` is derived from the idempotency key, so a message sent twice after
a crash carries the same ID and mail systems that deduplicate on it keep one copy.

Failures are classified the SMTP way (RFC 5321 section 4.2.1): a 5xx reply is permanent, a 4xx reply, a
timeout or a lost connection temporary. Error messages keep the reply code and the enhanced status code
(``5.1.1``) and never the server's text, which often quotes the address.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from typing import TYPE_CHECKING, Literal

import attrs

from lapor_core._domain import rules as v
from lapor_core._domain.notifications import DeliveryChannel, Notification
from lapor_core._i18n import N_
from lapor_core.errors import (
    NotificationError,
    PermanentNotificationError,
    TemporaryNotificationError,
    ValidationError,
)
from lapor_core.notifiers._settings import configured, positive_seconds

if TYPE_CHECKING:
    import ssl
    from email.message import EmailMessage

__all__ = ["SmtpNotifier", "message_id", "thread_id"]

Security = Literal["starttls", "ssl", "none"]
_PORTS: dict[str, int] = {"starttls": 587, "ssl": 465, "none": 25}
_ID_SAFE = re.compile(r"[A-Za-z0-9._-]{1,64}")
_ENHANCED = re.compile(rb"^\s*([245]\.\d{1,3}\.\d{1,3})\b")
_DOMAIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,253}[A-Za-z0-9])?")
_PERMANENT_FROM = 500
# For each step of the SMTP dialogue: the code of a permanent refusal (5xx), and of a deferral (4xx).
_REFUSALS: dict[str, tuple[str, str]] = {
    "recipient": (N_("smtp.recipient_refused"), N_("smtp.recipient_deferred")),
    "sender": (N_("smtp.sender_refused"), N_("smtp.sender_deferred")),
    "login": (N_("smtp.login_refused"), N_("smtp.login_deferred")),
    "message": (N_("smtp.message_refused"), N_("smtp.message_deferred")),
}


def message_id(idempotency_key: str, domain: str) -> str:
    """The ``Message-ID`` of every e-mail carrying ``idempotency_key``: the same key, the same ID.

    >>> message_id("0f1e2d3c", "lapor.go.id")
    '<0f1e2d3c@lapor.go.id>'
    >>> message_id("not safe <key>", "lapor.go.id")[:10]
    '<lapor-951'
    """
    local = (
        idempotency_key
        if _ID_SAFE.fullmatch(idempotency_key)
        else "lapor-" + hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:40]
    )
    return f"<{local}@{domain}>"


def thread_id(tracking_id: str, domain: str) -> str:
    """The ``References`` ID that threads every e-mail about ``tracking_id`` (angle brackets included).

    Mail programs copy it into a reply's ``References``, so the e-mail intake
    (:mod:`lapor_core.intake.email`) finds the complaint a reply continues even when the subject changed.

    >>> thread_id("7K3M-9QXF-2HJ-Q", "lapor.go.id")
    '<lapor.7K3M-9QXF-2HJ-Q@lapor.go.id>'
    """
    return f"<lapor.{tracking_id}@{domain}>"


def _reply_detail(code: int, reply: bytes | str | None) -> str:
    raw = reply.encode("utf-8", "replace") if isinstance(reply, str) else (reply or b"")
    found = _ENHANCED.match(raw)
    return f"{code} {found.group(1).decode()}" if found else str(code)


def _by_code(code: int, step: str, reply: bytes | str | None) -> NotificationError:
    refused, deferred = _REFUSALS[step]
    params = {"reply": _reply_detail(code, reply)}
    if code >= _PERMANENT_FROM:
        return PermanentNotificationError(detail=refused, params=params)
    return TemporaryNotificationError(detail=deferred, params=params)


# --- the options, checked by rules -------------------------------------------------------------------------


def _security(value: object) -> str:
    if isinstance(value, str) and value in _PORTS:
        return value
    raise v.Invalid("smtp.security_unknown")


def _envelope(sender: str) -> str:
    """The bare address of a ``From`` value (``LAPOR! <noreply@lapor.go.id>`` or ``noreply@lapor.go.id``)."""
    return sender.rsplit("<", 1)[-1].rstrip(">").strip()


def _sender(value: object) -> str:
    envelope = _envelope(value) if isinstance(value, str) else ""
    if "@" not in envelope or not _DOMAIN.fullmatch(envelope.rpartition("@")[2]):
        raise v.Invalid("smtp.sender_without_domain")
    return str(value)


def _message_id_domain(value: object) -> str | None:
    if value is None or (isinstance(value, str) and _DOMAIN.fullmatch(value)):
        return value
    raise v.Invalid("smtp.domain_malformed")


def _no_credentials_in_clear(
    options: _Options, _attribute: attrs.Attribute[str | None], user: str | None
) -> None:
    if user is not None and options.security == "none":
        raise ValidationError.single("username", "smtp.credentials_without_tls")


@v.checked
@attrs.frozen(field_transformer=v.with_rules)
class _Options:
    """The options of :class:`SmtpNotifier` that can be wrong, each with its rule."""

    security: str = attrs.field(metadata=v.rule(_security))
    username: str | None = attrs.field(validator=_no_credentials_in_clear)
    timeout: float = attrs.field(metadata=v.rule(positive_seconds(N_("smtp.timeout_not_positive"))))
    sender: str = attrs.field(metadata=v.rule(_sender))
    message_id_domain: str | None = attrs.field(metadata=v.rule(_message_id_domain))


class SmtpNotifier:
    """A :class:`~lapor_core.plugins.Notifier` for e-mail addresses, over SMTP.

    Args:
        host: The SMTP server.
        port: Its port (default 587 for STARTTLS, 465 for SSL, 25 for none).
        sender: The ``From`` address (``"LAPOR! <noreply@lapor.go.id>"`` or a bare address).
        security: ``"starttls"`` (default), ``"ssl"`` (implicit TLS) or ``"none"`` (a trusted local relay).
        username: Log in with this user (needs TLS), or None.
        password: The password for ``username``.
        timeout: Seconds to wait for the server at each step (default 30).
        ssl_context: The TLS settings (default: :func:`ssl.create_default_context`, verifying the server).
        message_id_domain: The right-hand side of Message-IDs (default: the sender's domain).
        local_hostname: The name sent in EHLO (default: the machine's name).

    Raises:
        ConfigurationError: An unknown security mode, credentials without TLS, a timeout that is not a
            positive number of seconds (at most a day), a sender without a domain, or a malformed
            ``message_id_domain``; its ``detail`` is the code of the first refused option.
    """

    def __init__(
        self,
        host: str,
        port: int | None = None,
        *,
        sender: str,
        security: Security = "starttls",
        username: str | None = None,
        password: str | None = None,
        timeout: float = 30.0,
        ssl_context: ssl.SSLContext | None = None,
        message_id_domain: str | None = None,
        local_hostname: str | None = None,
    ) -> None:
        options = configured(
            _Options,
            security=security,
            username=username,
            timeout=timeout,
            sender=sender,
            message_id_domain=message_id_domain,
        )
        envelope = _envelope(options.sender)
        domain = options.message_id_domain or envelope.rpartition("@")[2]
        self._host = host
        self._port = port or _PORTS[options.security]
        self._sender = options.sender
        self._envelope_from = envelope
        self._security = options.security
        self._username = options.username
        self._password = password or ""
        self._timeout = options.timeout
        self._ssl_context = ssl_context
        self._domain = domain
        self._local_hostname = local_hostname

    def email_message(self, notification: Notification) -> EmailMessage:
        """The e-mail ``send`` would transmit for ``notification`` (for previews and tests)."""
        # The email package, smtplib and ssl load when a message is first built or sent, not at import.
        from email.message import EmailMessage  # noqa: PLC0415
        from email.policy import SMTP  # noqa: PLC0415
        from email.utils import formatdate  # noqa: PLC0415

        n = notification
        message = EmailMessage(policy=SMTP)
        message["Subject"] = n.message.subject
        message["From"] = self._sender
        message["To"] = n.address.target
        message["Date"] = formatdate(usegmt=True)
        message["Message-ID"] = message_id(n.idempotency_key, self._domain)
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to it
        message["X-Lapor-Tracking-Id"] = n.tracking_id
        message["References"] = thread_id(n.tracking_id, self._domain)
        message["X-Lapor-Event"] = n.event.value
        message.set_content(n.message.text)
        message.add_alternative(n.message.html, subtype="html")
        message["Content-Language"] = n.locale  # after the content: set_content drops Content-* headers
        return message

    def send(self, notification: Notification) -> None:
        """Send ``notification`` as one e-mail; see the module docs for how failures are classified."""
        if notification.channel is not DeliveryChannel.EMAIL:
            raise PermanentNotificationError(
                detail=N_("smtp.wrong_channel"), params={"channel": notification.channel.value}
            )
        try:
            message = self.email_message(notification)
        except (ValueError, TypeError) as e:  # a header the email package refuses (a malformed address)
            raise PermanentNotificationError(detail=N_("smtp.cannot_compose")) from e
        self._deliver(message, notification.address.target)

    def send_email(self, message: EmailMessage, to: str) -> None:
        """Send ``message``, built elsewhere (an intake's answer), to the one address ``to``.

        ``From`` is this notifier's sender; a missing ``Message-ID`` (in this notifier's domain) and ``Date``
        are added. Failures are classified as :meth:`send` classifies them.

        Raises:
            PermanentNotificationError: The server refused it for good, or ``to`` cannot be an address.
            TemporaryNotificationError: Trying again later may succeed.
        """
        from email.utils import formatdate, make_msgid  # noqa: PLC0415

        try:
            del message["From"]
            message["From"] = self._sender
            if message["Message-ID"] is None:
                message["Message-ID"] = make_msgid("lapor", domain=self._domain)
            if message["Date"] is None:
                message["Date"] = formatdate(usegmt=True)
        except (ValueError, TypeError) as e:
            raise PermanentNotificationError(detail=N_("smtp.cannot_compose")) from e
        self._deliver(message, to)

    @property
    def domain(self) -> str:
        """The right-hand side of the Message-IDs and thread IDs this notifier writes."""
        return self._domain

    def _deliver(self, message: EmailMessage, target: str) -> None:
        import smtplib  # noqa: PLC0415 - loaded on the first send

        try:
            self._transmit(message, target)
        except smtplib.SMTPRecipientsRefused as e:
            code, reply = next(iter(e.recipients.values()), (550, b""))
            raise _by_code(code, "recipient", reply) from None
        except smtplib.SMTPSenderRefused as e:
            raise _by_code(e.smtp_code, "sender", e.smtp_error) from None
        except smtplib.SMTPAuthenticationError as e:
            raise _by_code(e.smtp_code, "login", e.smtp_error) from None
        except smtplib.SMTPResponseException as e:
            raise _by_code(e.smtp_code, "message", e.smtp_error) from None
        except smtplib.SMTPNotSupportedError as e:
            raise PermanentNotificationError(detail=N_("smtp.not_supported")) from e
        except (smtplib.SMTPException, OSError) as e:  # timeouts, refused or lost connections, TLS failures
            raise TemporaryNotificationError(
                detail=N_("smtp.failed"), params={"error": type(e).__name__}
            ) from None

    def _transmit(self, message: EmailMessage, target: str) -> None:
        import smtplib  # noqa: PLC0415 - loaded on the first send
        import ssl  # noqa: PLC0415

        context = self._ssl_context or ssl.create_default_context()
        client: smtplib.SMTP
        if self._security == "ssl":
            client = smtplib.SMTP_SSL(
                self._host,
                self._port,
                local_hostname=self._local_hostname,
                timeout=self._timeout,
                context=context,
            )
        else:
            client = smtplib.SMTP(
                self._host, self._port, local_hostname=self._local_hostname, timeout=self._timeout
            )
        try:
            client.ehlo()
            if self._security == "starttls":
                client.starttls(context=context)
                client.ehlo()
            if self._username is not None:
                client.login(self._username, self._password)
            refused = client.send_message(message, from_addr=self._envelope_from, to_addrs=[target])
            if refused:  # pragma: no cover - with one recipient smtplib raises SMTPRecipientsRefused instead
                code, reply = next(iter(refused.values()))
                raise _by_code(code, "recipient", reply)
        finally:
            # Once the server took the message, a failing QUIT must not turn the delivery into a failure.
            with contextlib.suppress(smtplib.SMTPException, OSError):
                client.quit()
            client.close()
