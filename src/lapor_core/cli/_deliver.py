"""``lapor deliver URL``: drain a store's outbox by e-mail and webhooks, preview it, or handle dead letters.

Secrets never go on the command line (it shows in ``ps`` and shell history): the SMTP password is read from
``LAPOR_SMTP_PASSWORD`` and the webhook secret from ``LAPOR_WEBHOOK_SECRET``. Nothing printed holds an
address or a message's text; messages are named by ID and template.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from lapor_core._i18n import N_
from lapor_core.cli._text import (
    EXIT_CONFIGURATION,
    EXIT_FAILURES,
    EXIT_OK,
    CliError,
    Console,
    Translated,
    finite_number,
    whole_number,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from lapor_core._application.delivery import DeliveryReport
    from lapor_core._domain.notifications import AddressBook
    from lapor_core._domain.ports import ComplaintStore, Notifier, RecipientResolver
    from lapor_core.desk import ComplaintDesk

__all__ = ["SMTP_PASSWORD_ENV", "WEBHOOK_SECRET_ENV", "add_arguments", "run"]

SMTP_PASSWORD_ENV = "LAPOR_SMTP_PASSWORD"  # noqa: S105 - the variable's name, not a password
"""The environment variable holding the SMTP password for ``--smtp-user``."""

WEBHOOK_SECRET_ENV = "LAPOR_WEBHOOK_SECRET"  # noqa: S105 - the variable's name, not a secret
"""The environment variable holding the shared secret webhooks are signed with."""

_MAX_BOOK_BYTES = 10_000_000
_MAX_LIMIT = 1000
_MAX_PORT = 65535
_MAX_TIMEOUT = 3600
_DEFAULT_PREVIEW = 100

_OS_REASONS: Final[Mapping[int, str]] = {
    errno.ENOENT: N_("cli.os.not_found"),
    errno.EACCES: N_("cli.os.permission_denied"),
    errno.EISDIR: N_("cli.os.is_directory"),
}
_WOULD: Final[Mapping[str, str]] = {
    "send": N_("cli.deliver.would_send"),
    "skip": N_("cli.deliver.would_skip"),
    "dead-letter": N_("cli.deliver.would_dead_letter"),
    "retry": N_("cli.deliver.would_retry"),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``lapor deliver``'s arguments to its subparser."""
    parser.add_argument("url", metavar="URL", help="store URL, e.g. sqlite:///lapor.db")
    parser.add_argument(
        "--addresses",
        metavar="FILE",
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
        "--integrations",
        action="store_true",
        help="also deliver to the endpoints of connected institution systems (lapor integrations), each "
        "signed with its institution's secret (derived under $LAPOR_PEPPER)",
    )
    parser.add_argument(
        "--timeout",
        default="20",
        metavar="SECONDS",
        help=f"network timeout, more than 0 and at most {_MAX_TIMEOUT} (default 20)",
    )
    parser.add_argument(
        "--limit",
        metavar="N",
        help=f"claim at most N messages, 1 to {_MAX_LIMIT} (default: all due); with --dry-run or "
        f"--dead-letters, show at most N (default {_DEFAULT_PREVIEW})",
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


def run(args: argparse.Namespace, console: Console) -> int:
    """Run ``lapor deliver`` with parsed ``args``; return the exit status (1 if a message was dead-lettered).

    Raises:
        CliError: Bad options (exit status 2); an unreadable or invalid address book, a missing secret
            (exit status 3).
        LaporError: The store cannot be opened or fails, a notifier is set up wrongly.
    """
    limit = None if args.limit is None else whole_number(args.limit, "--limit", 1, _MAX_LIMIT)
    book = _address_book(args.addresses) if args.addresses is not None else None
    sending = not (args.dry_run or args.dead_letters or args.retry_dead_letters is not None)
    if (sending or args.dry_run) and book is None:
        raise CliError(N_("cli.deliver.addresses_needed"))
    notifier = _notifier(args) if sending else None
    if sending and notifier is None and not args.integrations:
        raise CliError(N_("cli.deliver.nothing_to_send_with"))
    if args.integrations and not os.environ.get("LAPOR_PEPPER"):
        raise CliError(N_("cli.integrations.pepper_missing"), EXIT_CONFIGURATION, env="$LAPOR_PEPPER")
    if args.integrations and book is not None:
        return _deliver_with_integrations(args, notifier, book, limit, console)
    desk = _desk(args.url, notifier, book)
    try:
        if args.dead_letters:
            return _list_dead_letters(desk, limit or _DEFAULT_PREVIEW, console)
        if args.retry_dead_letters is not None:
            queued = desk.retry_dead_letters(args.retry_dead_letters or None)
            console.say(N_("cli.deliver.requeued"), count=queued)
            return EXIT_OK
        if book is not None and args.dry_run:
            return _dry_run(desk.store, book, limit or _DEFAULT_PREVIEW, console)
        report = desk.deliver(limit)
    finally:
        desk.close()
    return _summary(report, console)


def _deliver_with_integrations(
    args: argparse.Namespace,
    notifier: Notifier | None,
    book: AddressBook,
    limit: int | None,
    console: Console,
) -> int:
    """Deliver (or preview) with the connected institutions' endpoints added, each signed with its secret."""
    from lapor_core import Dispatcher  # noqa: PLC0415 - see run
    from lapor_core.integrations import Integrations  # noqa: PLC0415

    desk = _desk(args.url, None, None)
    try:
        integrations = Integrations(desk)
        recipients = integrations.recipients(book)
        if args.dry_run:
            return _dry_run(desk.store, recipients, limit or _DEFAULT_PREVIEW, console)
        timeout = finite_number(args.timeout) or 20.0
        signed = integrations.notifier(notifier, timeout=timeout)
        report = Dispatcher(desk.store, signed, recipients).deliver(limit)
    finally:
        desk.close()
    return _summary(report, console)


def _summary(report: DeliveryReport, console: Console) -> int:
    console.say(
        N_("cli.deliver.summary"),
        sent=len(report.sent),
        skipped=len(report.skipped),
        retrying=len(report.retrying),
        dead_lettered=len(report.dead_lettered),
        lost=len(report.lost),
    )
    if report.dead_lettered:
        console.say(N_("cli.deliver.dead_letter_hint"))
        return EXIT_FAILURES
    return EXIT_OK


def _address_book(path_text: str) -> AddressBook:
    from lapor_core._domain.notifications import AddressBook  # noqa: PLC0415
    from lapor_core.errors import ValidationError  # noqa: PLC0415 - keep `lapor --help` fast

    path = Path(path_text)
    try:
        with path.open("rb") as file:
            raw = file.read(_MAX_BOOK_BYTES + 1)
    except OSError as e:
        reason = _OS_REASONS.get(e.errno or 0)
        raise CliError(
            N_("cli.deliver.book_unreadable"),
            EXIT_CONFIGURATION,
            path=path_text,
            reason=Translated(reason) if reason else (e.strerror or type(e).__name__),
        ) from None
    except ValueError:  # a NUL character: no file has that name
        raise CliError(N_("cli.deliver.book_bad_name"), EXIT_CONFIGURATION) from None
    if len(raw) > _MAX_BOOK_BYTES:
        raise CliError(N_("cli.deliver.book_too_large"), EXIT_CONFIGURATION, path=path_text, max_mb=10)
    try:
        data: Any = json.loads(raw.decode("utf-8"))
    except json.JSONDecodeError as e:
        # The position only: the text around it may be someone's address.
        raise CliError(
            N_("cli.deliver.book_not_json_at"),
            EXIT_CONFIGURATION,
            path=path_text,
            line=e.lineno,
            column=e.colno,
        ) from None
    except (UnicodeDecodeError, RecursionError):
        raise CliError(N_("cli.deliver.book_not_json"), EXIT_CONFIGURATION, path=path_text) from None
    try:
        return AddressBook.from_dict(data)
    except ValidationError as e:
        raise CliError(N_("cli.deliver.book_invalid"), EXIT_CONFIGURATION, path=path_text, detail=e) from None


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
        if not (port_text.isascii() and port_text.isdigit()) or not 1 <= int(port_text) <= _MAX_PORT:
            raise CliError(N_("cli.deliver.smtp_bad_port"), max=_MAX_PORT)
        port = int(port_text)
    if not host.strip():
        raise CliError(N_("cli.deliver.smtp_no_host"))
    return host, port


def _notifier(args: argparse.Namespace) -> Notifier | None:
    from lapor_core.notifiers import CompositeNotifier, SmtpNotifier, WebhookNotifier  # noqa: PLC0415

    timeout = finite_number(args.timeout)
    if timeout is None or not 0 < timeout <= _MAX_TIMEOUT:
        raise CliError(N_("cli.deliver.timeout_out_of_range"), max=_MAX_TIMEOUT)
    by_channel: dict[str, Notifier] = {}
    if args.smtp is not None:
        if not args.sender:
            raise CliError(N_("cli.deliver.sender_needed"))
        password = os.environ.get(SMTP_PASSWORD_ENV)
        if args.smtp_user is not None and not password:
            raise CliError(
                N_("cli.deliver.smtp_password_missing"), EXIT_CONFIGURATION, env=f"${SMTP_PASSWORD_ENV}"
            )
        host, port = _smtp_server(args.smtp)
        by_channel["email"] = SmtpNotifier(
            host,
            port,
            sender=args.sender,
            security=args.smtp_security,
            username=args.smtp_user,
            password=password if args.smtp_user is not None else None,
            timeout=timeout,
        )
    if args.webhook:
        secret = os.environ.get(WEBHOOK_SECRET_ENV)
        if not secret:
            raise CliError(
                N_("cli.deliver.webhook_secret_missing"), EXIT_CONFIGURATION, env=f"${WEBHOOK_SECRET_ENV}"
            )
        by_channel["webhook"] = WebhookNotifier(secret=secret, timeout=timeout)
    return CompositeNotifier.by_channel(by_channel) if by_channel else None


def _desk(url: str, notifier: Notifier | None, book: AddressBook | None) -> ComplaintDesk:
    from lapor_core.desk import ComplaintDesk  # noqa: PLC0415 - see run
    from lapor_core.stores import SQL_SCHEMES, open_store  # noqa: PLC0415

    scheme = url.partition("://")[0].lower()
    # Deliver from an existing database only: never create or migrate one to drain it.
    store: ComplaintStore = open_store(url, schema="check") if scheme in SQL_SCHEMES else open_store(url)
    # No access key is checked here, so a throwaway pepper serves when none is configured.
    pepper = os.environ.get("LAPOR_PEPPER") or secrets.token_bytes(32)
    return ComplaintDesk(store=store, pepper=pepper, notifier=notifier, recipients=book)


def _list_dead_letters(desk: ComplaintDesk, limit: int, console: Console) -> int:
    letters = desk.dead_letters(limit)
    if not letters:
        console.say(N_("cli.deliver.no_dead_letters"))
        return EXIT_OK
    for letter in letters:
        message = letter.message
        console.say(
            N_("cli.deliver.dead_letter"),
            dead_at=letter.dead_at.isoformat(timespec="seconds"),
            id=message.id,
            template=f"{message.event.value}.{message.recipient_role}",
            attempts=letter.attempts,
            error=letter.last_error,
        )
    return EXIT_OK


def _dry_run(store: ComplaintStore, book: RecipientResolver, limit: int, console: Console) -> int:
    from lapor_core._application.delivery_preview import preview  # noqa: PLC0415 - see run
    from lapor_core._domain.institutions import InstitutionDirectory  # noqa: PLC0415
    from lapor_core._domain.notifications import NotificationRenderer  # noqa: PLC0415

    renderer = NotificationRenderer(directory=InstitutionDirectory.default())
    previewed = preview(store, book, renderer=renderer, limit=limit)
    labels = {outcome: console.text(code) for outcome, code in _WOULD.items()}
    width = max(map(len, labels.values()))
    counts = dict.fromkeys(_WOULD, 0)
    for item in previewed:
        counts[item.outcome] += 1
        target = f"{item.template} {item.recipient_ref}" if item.recipient_ref else item.template
        what = ",".join(item.channels) if item.outcome == "send" else item.detail
        print(
            f"{labels[item.outcome]:<{width}}  {item.message_id}  {target}  {what}".rstrip(), file=console.out
        )
    console.say(
        N_("cli.deliver.dry_run_summary"),
        send=counts["send"],
        skip=counts["skip"],
        dead_letter=counts["dead-letter"],
        retry=counts["retry"],
    )
    return EXIT_OK
