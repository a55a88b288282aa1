"""The regency's public pages as one WSGI application, on the standard library alone.

``/`` is the complaint form, ``/lapor`` takes it, ``/lacak`` is the reporter's view by tracking ID and access
key, ``/statistik`` the public counts. Staff work (verification, follow-up) belongs behind the portal's own
login and is not served here.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import secrets
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import parse_qs

import lapor_core as lc
from regional_desk.settings import REGENCY

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

MAX_FORM_BYTES = 64 * 1024
STEP_NAMES = {
    "submit": "Laporan diterima",
    "forward": "Diverifikasi dan diteruskan",
    "assign": "Diserahkan ke unit kerja",
    "follow_up": "Ditindaklanjuti",
    "reply": "Tanggapan pelapor",
    "close": "Selesai",
}


def page(title: str, body: str) -> bytes:
    """A whole HTML page; ``body`` is already escaped."""
    return (
        f'<!doctype html><html lang="id"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"</head><body><h1>{html.escape(title)}</h1>{body}</body></html>"
    ).encode()


def form_page(districts: Iterable[lc.Region], errors: Iterable[str] = ()) -> bytes:
    """The complaint form with a fresh one-time token, so a double click stores one complaint."""
    options = "".join(f'<option value="{d.code}">{html.escape(d.name)}</option>' for d in districts)
    problems = "".join(f"<li>{html.escape(e)}</li>" for e in errors)
    return page(
        "Sampaikan laporan",
        (f'<ul class="errors">{problems}</ul>' if problems else "") + '<form method="post" action="/lapor">'
        f'<input type="hidden" name="token" value="{secrets.token_urlsafe(24)}">'
        '<label>Judul <input name="judul" required maxlength="200"></label>'
        '<label>Isi laporan <textarea name="isi" required></textarea></label>'
        f'<label>Kecamatan <select name="kecamatan">{options}</select></label>'
        '<label>Nama <input name="nama"></label>'
        '<label>E-mail <input name="email" type="email"></label>'
        '<label><input type="checkbox" name="anonim" value="1"> Rahasiakan identitas saya (anonim)</label>'
        "<button>Kirim</button></form>",
    )


def submission_from_form(fields: Mapping[str, str]) -> lc.Submission:
    """The form's fields as a submission; the library checks every value and names each bad field."""
    reporter = {key: fields[name] for key, name in (("name", "nama"), ("email", "email")) if fields.get(name)}
    return lc.Submission.from_dict(
        {
            "kind": "pengaduan",
            "channel": "web",
            "title": fields.get("judul", ""),
            "body": fields.get("isi", ""),
            "location": {"region": fields.get("kecamatan", REGENCY)},
            "anonymous": fields.get("anonim") == "1",
            **({"reporter": reporter} if reporter else {}),
        }
    )


def receipt_page(receipt: lc.Receipt) -> bytes:
    """Shown once: the access key is stored only as a keyed hash and cannot be shown again."""
    return page(
        "Laporan diterima",
        f'<p>Nomor pelacakan: <output id="tracking-id">{receipt.tracking_id}</output></p>'
        f'<p>Kunci akses: <output id="access-key">{receipt.access_key}</output></p>'
        "<p>Simpan keduanya: kunci akses tidak dapat ditampilkan lagi.</p>",
    )


def complaint_page(view: lc.ComplaintView) -> bytes:
    """The reporter's view: status, where the complaint is, and each step with its message."""
    steps = "".join(
        f"<li>{entry.at:%d-%m-%Y %H:%M} {html.escape(STEP_NAMES.get(entry.action.value, entry.action.value))}"
        + (f": {html.escape(entry.message)}" if entry.message else "")
        + "</li>"
        for entry in view.timeline
    )
    return page(
        f"Laporan {view.tracking_id}",
        f'<p>Status: <output id="status">{html.escape(view.summary.label())}</output>'
        f" ({html.escape(view.status.label())})</p><ol>{steps}</ol>",
    )


def stats_page(rows: Iterable[Mapping[str, object]]) -> bytes:
    """Public counts by status; the library has already hidden small confidential pools."""
    cells = "".join(
        f"<tr><td>{html.escape(lc.Status(str(row['status'])).label())}</td>"
        f"<td>{'*' if row['suppressed'] else row['count']}</td></tr>"
        for row in rows
    )
    return page("Statistik laporan", f"<table><tr><th>Status</th><th>Jumlah</th></tr>{cells}</table>")


def make_app(desk: lc.ComplaintDesk, *, client_secret: bytes) -> WsgiApp:
    """The WSGI application of the regency's public pages.

    Args:
        desk: The regency's desk (see :func:`regional_desk.settings.open_desk`).
        client_secret: Keys the hash of each visitor's address that wrong access keys are counted under,
            so the desk never holds an IP address.
    """
    districts = lc.RegionTable.default().children(REGENCY)

    def client_of(environ: Mapping[str, Any]) -> str:
        address = str(environ.get("REMOTE_ADDR", ""))
        return hmac.new(client_secret, address.encode(), hashlib.sha256).hexdigest()

    def submit(fields: Mapping[str, str]) -> tuple[str, bytes]:
        try:
            receipt = desk.submit(submission_from_form(fields), idempotency_key=fields.get("token") or None)
        except lc.ValidationError as error:
            return "422 Unprocessable Content", form_page(districts, error.messages("id"))
        return "200 OK", receipt_page(receipt)

    def track(fields: Mapping[str, str], environ: Mapping[str, Any]) -> tuple[str, bytes]:
        tracking_id, key = fields.get("nomor", ""), fields.get("kunci", "")
        try:
            reporter = desk.authenticate(tracking_id, key, client=client_of(environ))
            return "200 OK", complaint_page(desk.view(reporter, tracking_id))
        except lc.TooManyAttempts as error:
            return "429 Too Many Requests", page(
                "Terlalu banyak percobaan", html.escape(error.describe("id"))
            )
        except lc.NotFound:
            return "404 Not Found", page("Laporan tidak ditemukan", "<p>Periksa nomor dan kunci akses.</p>")

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "/")
        fields: dict[str, str] = {}
        if method == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            if length > MAX_FORM_BYTES:
                start_response("413 Content Too Large", [("Content-Type", "text/plain; charset=utf-8")])
                return [b"Laporan terlalu panjang."]
            body = environ["wsgi.input"].read(length).decode("utf-8", errors="replace")
            fields = {name: values[0] for name, values in parse_qs(body).items()}
        if (method, path) == ("GET", "/"):
            status, content = "200 OK", form_page(districts)
        elif (method, path) == ("POST", "/lapor"):
            status, content = submit(fields)
        elif (method, path) == ("GET", "/lacak"):
            status, content = "200 OK", page("Lacak laporan", TRACK_FORM)
        elif (method, path) == ("POST", "/lacak"):
            status, content = track(fields, environ)
        elif (method, path) == ("GET", "/statistik"):
            rows = desk.stats(lc.Principal.public(), group_by="status", filters={"region": REGENCY})
            status, content = "200 OK", stats_page(rows)
        else:
            status, content = "404 Not Found", page("Halaman tidak ditemukan", "")
        start_response(status, [("Content-Type", "text/html; charset=utf-8")])
        return [content]

    return app


# The key travels in a POST body, never in a URL that logs and browser histories keep.
TRACK_FORM = (
    '<form method="post" action="/lacak"><label>Nomor pelacakan <input name="nomor"></label>'
    '<label>Kunci akses <input name="kunci"></label><button>Lacak</button></form>'
)
