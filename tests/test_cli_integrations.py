"""``lapor integrations add|rotate|list|remove URL [INSTITUTION]`` on SQLite, then the secrets in use."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

import lapor_core as lc
from desk_support import ADMIN, PEPPER, make_desk, submission
from integration_support import client
from lapor_core.cli import main
from lapor_core.integrations import Integrations
from lapor_core.notifiers.webhook import verify_webhook
from lapor_core.stores.sql import SCHEMA_REVISION, upgrade
from lapor_core.testing import FrozenClock
from webhook_receiver import WebhookReceiver


def lapor(*argv: str, status: int = 0) -> tuple[str, str]:
    """Run ``lapor integrations`` expecting ``status``; return its standard output and standard error."""
    out, err = io.StringIO(), io.StringIO()
    assert main(["integrations", *argv], out=out, err=err) == status, err.getvalue()
    return out.getvalue(), err.getvalue()


def refused(*argv: str, status: int = 2) -> str:
    """Run expecting ``status``, nothing on the output and one line on standard error; return the line."""
    out, err = lapor(*argv, status=status)
    assert out == ""
    [line] = err.splitlines()
    return line


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A migrated SQLite database, and the deployment's pepper in LAPOR_PEPPER."""
    database = f"sqlite:///{tmp_path / 'lapor.db'}"
    upgrade(database)
    monkeypatch.setenv("LAPOR_PEPPER", PEPPER)
    return database


def _receive(url: str, secret: str) -> int:
    """Send a status query for a complaint forwarded to 31.71, signed with ``secret``; return the status."""
    clock = make_desk()[1]
    with lc.ComplaintDesk.open(url, clock=clock, pepper=PEPPER) as desk:
        tid = desk.submit(submission()).tracking_id
        desk.forward(ADMIN, tid, institution="31.71")
        body = client.event_body("status", tid)
        headers = client.signed_headers(secret, body, now=clock.now().timestamp())
        return Integrations(desk).receive("31.71", headers, body).status


def test_add_prints_the_secret_alone_on_standard_output_and_it_works(url):
    """One line on stdout, the whsec_ secret; the note on stderr; the portal's desk accepts the secret."""
    out, err = lapor("add", url, "31.71", "--endpoint", "https://sipp.jakarta.example/lapor")
    [secret] = out.splitlines()
    assert secret.startswith("whsec_")
    assert "hanya ditampilkan sekali" in err
    assert _receive(url, secret) == 200


def test_list_shows_institutions_and_endpoints_but_never_a_secret(url):
    """A line per institution; no secret; the rotation is shown."""
    secret, _ = lapor("add", url, "31.71", "--endpoint", "https://sipp.jakarta.example/lapor")
    lapor("add", url, "73.71")
    lapor("rotate", url, "73.71")
    out, _ = lapor("list", url, "--lang", "en")
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == ["31.71", "73.71"]
    assert "https://sipp.jakarta.example/lapor" in lines[0]
    assert "rotating" in lines[1]
    assert "rotating" not in lines[0]
    assert "whsec_" not in out
    assert secret.strip() not in out


def test_rotate_keeps_both_secrets_until_finish_then_only_the_new_one(url):
    """Rotate prints a new secret; the old one works until rotate --finish."""
    old = lapor("add", url, "31.71")[0].strip()
    new = lapor("rotate", url, "31.71")[0].strip()
    assert new != old
    assert (_receive(url, old), _receive(url, new)) == (200, 200)
    out, _ = lapor("rotate", url, "31.71", "--finish")
    assert "selesai" in out
    assert (_receive(url, old), _receive(url, new)) == (401, 200)


def test_remove_disconnects_at_once(url):
    """After remove the secret is refused and list is empty."""
    secret = lapor("add", url, "31.71")[0].strip()
    lapor("remove", url, "31.71")
    assert _receive(url, secret) == 401
    assert lapor("list", url)[0] == "Belum ada instansi yang terhubung.\n"


def test_a_secret_is_derived_from_the_pepper_so_another_pepper_cannot_use_it(url, monkeypatch):
    """The database holds no secret: a desk with another pepper refuses the printed one."""
    secret = lapor("add", url, "31.71")[0].strip()
    clock = FrozenClock(make_desk()[1].now())
    with lc.ComplaintDesk.open(url, clock=clock, pepper="another pepper of 32 bytes!!!!!!") as desk:
        tid = desk.submit(submission()).tracking_id
        desk.forward(ADMIN, tid, institution="31.71")
        body = client.event_body("status", tid)
        headers = client.signed_headers(secret, body, now=clock.now().timestamp())
        assert Integrations(desk).receive("31.71", headers, body).status == 401
    assert not verify_webhook(secret, headers={}, body=b"")


@pytest.mark.parametrize(
    ("argv", "status", "expected"),
    [
        (("add", "{url}"), 2, "memerlukan kode INSTANSI"),
        (("list", "{url}", "--finish"), 2, "--finish tidak berlaku"),
        (("rotate", "{url}", "31.71", "--endpoint", "https://x.example/"), 2, "--endpoint tidak berlaku"),
        (("add", "{url}", "99.99"), 2, "instansi tidak dikenal"),
        (("add", "{url}", "31.71", "--endpoint", "ftp://x.example/"), 2, "endpoint"),
        (("rotate", "{url}", "31.71"), 2, "31.71"),
        (("remove", "{url}", "31.71"), 2, "31.71"),
        (("list", "sqlite:///{tmp}/missing/lapor.db"), 3, ""),
    ],
)
def test_refusals_are_one_line_with_their_exit_status(url, tmp_path, argv, status, expected):
    """Bad usage 2 (a missing institution, an option of another action, refused input); storage 3."""
    line = refused(*(a.format(url=url, tmp=tmp_path) for a in argv), status=status)
    assert expected in line


def test_without_the_pepper_nothing_is_registered(url, monkeypatch):
    """No LAPOR_PEPPER: exit status 3, naming the variable; the database is untouched."""
    monkeypatch.delenv("LAPOR_PEPPER")
    assert "$LAPOR_PEPPER" in refused("add", url, "31.71", status=3)
    monkeypatch.setenv("LAPOR_PEPPER", PEPPER)
    assert lapor("list", url)[0] == "Belum ada instansi yang terhubung.\n"


def test_an_old_schema_is_refused_not_migrated(tmp_path, monkeypatch):
    """A database at revision 0009 (before integrations): exit status 3, pointing at lapor db upgrade."""
    database = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(database, revision="0009")
    monkeypatch.setenv("LAPOR_PEPPER", PEPPER)
    assert SCHEMA_REVISION in refused("list", database, status=3)


def test_lapor_deliver_with_integrations_signs_each_institutions_messages_with_its_secret(
    url, tmp_path, monkeypatch
):
    """--integrations: 31.71's message goes to its endpoint under its own secret; the rest as before."""
    monkeypatch.setenv("LAPOR_WEBHOOK_SECRET", "the admins' webhook secret, 32 b")
    with WebhookReceiver("the admins' webhook secret, 32 b") as admins, WebhookReceiver("unset") as sipp:
        secret = lapor("add", url, "31.71", "--endpoint", sipp.url())[0].strip()
        sipp.secret = secret
        clock = make_desk()[1]
        with lc.ComplaintDesk.open(url, clock=clock, pepper=PEPPER) as desk:
            tid = desk.submit(submission(reporter={"name": "Siti Aminah"})).tracking_id
            desk.forward(ADMIN, tid, institution="31.71")
        book = tmp_path / "book.json"
        book.write_text(json.dumps({"admin": admins.url()}))
        out, _ = lapor_deliver(url, "--addresses", str(book), "--integrations", "--dry-run", "--lang", "en")
        assert "forward.institution 31.71  webhook" in out
        lapor_deliver(url, "--addresses", str(book), "--webhook", "--integrations")
        assert [hit.json["template"] for hit in sipp.delivered.values()] == ["forward.institution"]
        assert sorted(hit.json["template"] for hit in admins.delivered.values()) == ["submit.admin"]
        assert all(hit.verified for hit in [*sipp.hits, *admins.hits])


def test_lapor_deliver_with_integrations_needs_the_pepper(url, tmp_path, monkeypatch):
    """Without LAPOR_PEPPER the secrets cannot be derived: exit status 3."""
    book = tmp_path / "book.json"
    book.write_text("{}")
    monkeypatch.delenv("LAPOR_PEPPER")
    out, err = io.StringIO(), io.StringIO()
    assert main(["deliver", url, "--addresses", str(book), "--integrations"], out=out, err=err) == 3
    assert "$LAPOR_PEPPER" in err.getvalue()


def lapor_deliver(*argv: str) -> tuple[str, str]:
    """Run ``lapor deliver`` expecting success; return its output and error streams."""
    out, err = io.StringIO(), io.StringIO()
    assert main(["deliver", *argv], out=out, err=err) == 0, err.getvalue()
    return out.getvalue(), err.getvalue()


def test_prune_forgets_event_ids_older_than_the_days_kept(url):
    """An event claimed in March is forgotten by a prune run today (keeping 7 days); a second finds none."""
    secret = lapor("add", url, "31.71")[0].strip()
    assert _receive(url, secret) == 200
    assert lapor("prune", url, "--days", "7", "--lang", "en")[0] == "forgot 1 event IDs older than 7 days\n"
    assert lapor("prune", url)[0].startswith("0 ID peristiwa")


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (("prune", "{url}", "--days", "0"), "--days"),
        (("prune", "{url}", "--days", "tujuh"), "--days"),
        (("list", "{url}", "--days", "7"), "--days tidak berlaku"),
        (("prune", "{url}", "31.71"), "31.71 tidak berlaku"),
    ],
)
def test_prune_refuses_bad_days_and_stray_arguments(url, argv, expected):
    """Days from 1 to 3650; no institution; --days only with prune."""
    assert expected in refused(*(a.format(url=url) for a in argv))
