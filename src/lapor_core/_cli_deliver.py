"""``lapor deliver URL``: drain a store's outbox by e-mail and webhooks, preview it, or handle dead letters.

Secrets never go on the command line (it shows in ``ps`` and shell history): the SMTP password is read from
``LAPOR_SMTP_PASSWORD`` and the webhook secret from ``LAPOR_WEBHOOK_SECRET``. Nothing printed holds an
address or a message's text; messages are named by ID and template.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from lapor_core.desk import ComplaintDesk
    from lapor_core.notifications import AddressBook
    from lapor_core.ports import ComplaintStore, Notifier

__all__ = ["SMTP_PASSWORD_ENV", "WEBHOOK_SECRET_ENV", "DeliverUsageError", "add_arguments", "run"]

SMTP_PASSWORD_ENV = "LAPOR_SMTP_PASSWORD"  # noqa: S105 - the variable's name, not a password
"""The environment variable holding the SMTP password for ``--smtp-user``."""

WEBHOOK_SECRET_ENV = "LAPOR_WEBHOOK_SECRET"  # noqa: S105 - the variable's name, not a secret
"""The environment variable holding the shared secret webhooks are signed with."""

_MAX_BOOK_BYTES = 10_000_000
_MAX_LIMIT = 1000
_MAX_PORT = 65535
_DEFAULT_PREVIEW = 100


class DeliverUsageError(Exception):
    """Input ``lapor deliver`` cannot use; the command line reports it like an argparse error."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``lapor deliver``'s arguments to its subparser."""
    parser.add_argument("url", metavar="URL", help="store URL, e.g. sqlite:///lapor.db")
    parser.add_argument(
        "--addresses",
        metavar="FILE",
        type=Path,
        help="JSON address book: admin, institutions, units, superiors, reporter_channels (see the docs)",
    )
    parser.add_argument(
        "--smtp",
        metavar="HOST[:PORT]",
        help=f"send e-mail through this SMTP server (password in ${SMTP_PASSWORD_ENV})",
    )
    parser.add_argument(
        "--smtp-security",
        choices=("starttls", "ssl", "none"),
        default="starttls",
        help="STARTTLS (default, port 587), implicit TLS (ssl, 465) or none (a trusted local relay, 25)",
    )
    parser.add_argument("--smtp-user", metavar="USER", help="log in to the SMTP server as USER")
    parser.add_argument(
        "--sender", metavar="ADDRESS", help="the From address of e-mails, e.g. noreply@lapor.go.id"
    )
    parser.add_argument(
        "--webhook",
        action="store_true",
        help=f"POST signed JSON to webhook addresses (secret in ${WEBHOOK_SECRET_ENV})",
    )
    parser.add_argument(
        "--timeout", type=float, default=20.0, metavar="SECONDS", help="network timeout (default 20)"
    )
    parser.add_argument(
        "--limit",
        type=int,
        metavar="N",
        help="claim at most N messages (default: all due); with --dry-run or --dead-letters, show at most N "
        f"(default {_DEFAULT_PREVIEW})",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--dry-run",
        action="store_true",
        help="show what delivery would do with each pending message; send and change nothing",
    )
    mode.add_argument("--dead-letters", action="store_true", help="list the dead letters, oldest first")
    mode.add_argument(
        "--retry-dead-letters",
        nargs="*",
        metavar="ID",
        help="queue these dead letters (or all of them) again, due now",
    )


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Run ``lapor deliver`` with parsed ``args``; return the exit status (1 if a message was dead-lettered).

    Raises:
        DeliverUsageError: Bad options, an unreadable address book, a store that cannot be opened.
    """
    from lapor_core.errors import LaporError  # noqa: PLC0415 - keep `lapor --help` fast

    limit = _limit(args.limit)
    book = _address_book(args.addresses) if args.addresses is not None else None
    sending = not (args.dry_run or args.dead_letters or args.retry_dead_letters is not None)
    if (sending or args.dry_run) and book is None:
        raise DeliverUsageError("--addresses FILE is needed to deliver: who gets what is in the address book")
    notifier = _notifier(args) if sending else None
    if sending and notifier is None:
        raise DeliverUsageError("nothing to send with: pass --smtp HOST[:PORT] and/or --webhook")
    try:
        desk = _desk(args.url, notifier, book)
    except LaporError as e:
        raise DeliverUsageError(str(e)) from None
    try:
        if args.dead_letters:
            return _list_dead_letters(desk, limit or _DEFAULT_PREVIEW, out)
        if args.retry_dead_letters is not None:
            queued = desk.retry_dead_letters(args.retry_dead_letters or None)
            print(f"queued {queued} dead letter(s) again", file=out)
            return 0
        if book is not None and args.dry_run:
            return _dry_run(desk.store, book, limit or _DEFAULT_PREVIEW, out)
        report = desk.deliver(limit)
    except LaporError as e:
        raise DeliverUsageError(str(e)) from None
    finally:
        desk.dispose()
    print(
        f"sent {len(report.sent)}, skipped {len(report.skipped)}, retrying {len(report.retrying)}, "
        f"dead-lettered {len(report.dead_lettered)}, lost {len(report.lost)}",
        file=out,
    )
    if report.dead_lettered:
        print("list the dead letters with --dead-letters; fix the cause, then --retry-dead-letters", file=out)
        return 1
    return 0


def _limit(value: int | None) -> int | None:
    if value is not None and not 1 <= value <= _MAX_LIMIT:
        raise DeliverUsageError(f"--limit must be from 1 to {_MAX_LIMIT}")
    return value


def _address_book(path: Path) -> AddressBook:
    from lapor_core.errors import ValidationError  # noqa: PLC0415 - see run
    from lapor_core.notifications import AddressBook  # noqa: PLC0415

    try:
        with path.open("rb") as file:
            raw = file.read(_MAX_BOOK_BYTES + 1)
    except OSError as e:
        raise DeliverUsageError(f"cannot read the address book {path}: {e.strerror}") from None
    if len(raw) > _MAX_BOOK_BYTES:
        raise DeliverUsageError(f"the address book {path} is larger than 10 MB")
    try:
        data: Any = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        # The position only: the text around it may be someone's address.
        where = f" (line {e.lineno}, column {e.colno})" if isinstance(e, json.JSONDecodeError) else ""
        raise DeliverUsageError(f"the address book {path} is not UTF-8 JSON{where}") from None
    try:
        return AddressBook.from_mapping(data)
    except ValidationError as e:
        raise DeliverUsageError(f"the address book {path} is invalid: {e}") from None


def _smtp_server(text: str) -> tuple[str, int | None]:
    host, port = text, None
    if text.startswith("["):  # [IPv6]:port
        host, _, rest = text[1:].partition("]")
        port_text = rest.removeprefix(":") if rest else ""
    elif text.count(":") == 1:
        host, _, port_text = text.partition(":")
    else:
        port_text = ""
    if port_text:
        if not port_text.isdigit() or not 1 <= int(port_text) <= _MAX_PORT:
            raise DeliverUsageError("--smtp must be HOST or HOST:PORT with a port from 1 to 65535")
        port = int(port_text)
    if not host:
        raise DeliverUsageError("--smtp must name a host")
    return host, port


def _notifier(args: argparse.Namespace) -> Notifier | None:
    from lapor_core.errors import ConfigurationError  # noqa: PLC0415 - see run
    from lapor_core.notifiers import CompositeNotifier, SmtpNotifier, WebhookNotifier  # noqa: PLC0415

    if not args.timeout > 0:
        raise DeliverUsageError("--timeout must be a positive number of seconds")
    by_channel: dict[str, Notifier] = {}
    try:
        if args.smtp is not None:
            if not args.sender:
                raise DeliverUsageError("--smtp needs --sender ADDRESS (the From address)")
            password = os.environ.get(SMTP_PASSWORD_ENV)
            if args.smtp_user is not None and not password:
                raise DeliverUsageError(f"--smtp-user needs the password in ${SMTP_PASSWORD_ENV}")
            host, port = _smtp_server(args.smtp)
            by_channel["email"] = SmtpNotifier(
                host,
                port,
                sender=args.sender,
                security=args.smtp_security,
                username=args.smtp_user,
                password=password if args.smtp_user is not None else None,
                timeout=args.timeout,
            )
        if args.webhook:
            secret = os.environ.get(WEBHOOK_SECRET_ENV)
            if not secret:
                raise DeliverUsageError(f"--webhook needs the shared secret in ${WEBHOOK_SECRET_ENV}")
            by_channel["webhook"] = WebhookNotifier(secret=secret, timeout=args.timeout)
    except ConfigurationError as e:
        raise DeliverUsageError(str(e)) from None
    return CompositeNotifier.by_channel(by_channel) if by_channel else None


def _desk(url: str, notifier: Notifier | None, book: AddressBook | None) -> ComplaintDesk:
    from lapor_core.desk import ComplaintDesk  # noqa: PLC0415 - see run
    from lapor_core.stores import open_store  # noqa: PLC0415
    from lapor_core.stores._registry import SQL_SCHEMES  # noqa: PLC0415

    scheme = url.partition("://")[0].lower()
    # Deliver from an existing database only: never create or migrate one to drain it.
    store: ComplaintStore = open_store(url, schema="check") if scheme in SQL_SCHEMES else open_store(url)
    # No access key is checked here, so a throwaway pepper serves when none is configured.
    pepper = os.environ.get("LAPOR_PEPPER") or secrets.token_bytes(32)
    return ComplaintDesk(store=store, pepper=pepper, notifier=notifier, recipients=book)


def _list_dead_letters(desk: ComplaintDesk, limit: int, out: TextIO) -> int:
    letters = desk.dead_letters(limit)
    if not letters:
        print("(no dead letters)", file=out)
        return 0
    for letter in letters:
        message = letter.message
        template = f"{message.event.value}.{message.recipient_role}"
        print(
            f"{letter.dead_at.isoformat(timespec='seconds')}  {message.id}  {template}  "
            f"attempts={letter.attempts}  {letter.last_error}",
            file=out,
        )
    return 0


def _dry_run(store: ComplaintStore, book: AddressBook, limit: int, out: TextIO) -> int:
    from lapor_core.application.delivery_preview import preview  # noqa: PLC0415 - see run
    from lapor_core.institutions import InstitutionDirectory  # noqa: PLC0415
    from lapor_core.notifications import NotificationRenderer  # noqa: PLC0415

    renderer = NotificationRenderer(directory=InstitutionDirectory.default())
    previewed = preview(store, book, renderer=renderer, limit=limit)
    counts = dict.fromkeys(("send", "skip", "dead-letter", "retry"), 0)
    for item in previewed:
        counts[item.outcome] += 1
        target = f"{item.template} {item.recipient_ref}" if item.recipient_ref else item.template
        what = ",".join(item.channels) if item.outcome == "send" else item.detail
        print(f"would {item.outcome:<11}  {item.message_id}  {target}  {what}".rstrip(), file=out)
    print(
        f"dry run: {counts['send']} to send, {counts['skip']} to skip, "
        f"{counts['dead-letter']} to dead-letter, {counts['retry']} to retry; nothing was sent or changed",
        file=out,
    )
    return 0
