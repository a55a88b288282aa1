"""End-to-end tests in a real browser: Debian's Chromium driven by Playwright, the portal served by uvicorn.

Without Chromium these tests skip, except under ``CI=true``, where they fail: CI installs the browser.
Screenshots of the main pages go to ``build/screenshots/``.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn

import lapor_core as lc
from lapor_core import PollDraft
from lapor_core.testing import FrozenClock
from lapor_portal import PortalSettings, create_app, portal_of
from portal_helpers import ADMIN, JAKPUS, OPEN311_KEY, PEPPER, START, TOKENS, submission

SCREENSHOTS = Path(__file__).resolve().parents[3] / "build" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str:
    """The system Chromium, or skip (fail under CI=true) without one."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None and Path("/usr/bin/chromium").exists():
        found = "/usr/bin/chromium"
    if found is None:
        reason = "no Chromium: install Debian's chromium package (.ci/run does) to run the browser tests"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return found


class LiveServer:
    """The portal served by uvicorn on 127.0.0.1 on a free port, in a thread."""

    def __init__(self, app: Any) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        config = uvicorn.Config(app, log_level="warning", access_log=False, ws="none", lifespan="on")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    def __enter__(self) -> LiveServer:
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the portal did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=15)
        self._socket.close()


@pytest.fixture
def browser_clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def live(tmp_path: Path, browser_clock: FrozenClock) -> Iterator[tuple[LiveServer, lc.ComplaintDesk]]:
    settings = PortalSettings(api_tokens=TOKENS, open311_api_keys={OPEN311_KEY}, sweep_seconds=None)
    app = create_app(
        f"sqlite:///{tmp_path / 'portal.db'}", pepper=PEPPER, clock=browser_clock, settings=settings
    )
    with LiveServer(app) as server:
        yield server, portal_of(app).desk


@pytest.fixture
def page(tmp_path: Path) -> Iterator[Any]:
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=executable,
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(15_000)
        try:
            yield context.pages[0] if context.pages else context.new_page()
        finally:
            context.close()


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def sign_in_as(page: Any, base: str, account: str) -> None:
    page.goto(f"{base}/")
    if page.locator("form[action='/keluar'] button").count():
        page.click("form[action='/keluar'] button")
    page.goto(f"{base}/masuk")
    page.click(f"button[data-account='{account}']")


def submit_through_the_form(page: Any, base: str) -> lc.Receipt:
    """Fill the submit form like a reporter (pickers, map point, both flags) and read the receipt."""
    page.goto(f"{base}/lapor")
    page.check("input[name=kind][value=pengaduan]")
    page.fill("#title", "Saluran air tersumbat <b>parah</b>")
    page.fill("#body", "Air meluap ke rumah warga setiap hujan.\nMohon segera dibersihkan.")
    page.select_option("#topic", "drainage-flooding")
    page.select_option("#province", "31")
    page.wait_for_selector("#regency option[value='31.71']", state="attached")
    page.select_option("#regency", "31.71")
    page.wait_for_selector("#district option[value='31.71.01']", state="attached")
    page.select_option("#district", "31.71.01")
    page.wait_for_selector("#point-map[data-drawn] svg")
    page.click("#point-map svg", position={"x": 300, "y": 150})
    assert page.input_value("#lat") != ""
    page.fill("#lat", "-6.1754")
    page.fill("#lon", "106.8272")
    page.check("input[name=anonymous]")
    page.check("input[name=confidential]")
    page.fill("#name", "Siti Rahayu")
    shot(page, "01-submit-form")
    page.click("#submit-form button.primary")
    page.wait_for_selector("#tracking-id")
    receipt = lc.Receipt(
        tracking_id=page.text_content("#tracking-id") or "", access_key=page.text_content("#access-key") or ""
    )
    assert len(receipt.access_key) >= 16
    assert page.is_disabled("#continue")
    shot(page, "02-receipt")
    page.check("#saved")
    assert page.is_enabled("#continue")
    page.click("#continue")
    assert page.input_value("#reporter-id") == receipt.tracking_id
    return receipt


def forward_as_admin(page: Any, base: str, tracking_id: str) -> None:
    """The admin finds the complaint in the queue, with its countdown, and forwards it to Jakarta Pusat."""
    sign_in_as(page, base, "admin-demo")
    page.wait_for_url("**/staf/verifikasi")
    assert page.locator(f"text={tracking_id}").count() == 1
    assert page.locator("text=sisa 3 hari kerja").count() == 1
    shot(page, "03-verification-queue")
    page.click(f"a[href='/staf/pengaduan/{tracking_id}']")
    page.select_option("#institution", "31.71")
    page.click("#forward button.primary")
    page.wait_for_url("**/staf/verifikasi")


def handle_as_institution(page: Any, base: str, tracking_id: str) -> None:
    """The institution sees no identity, assigns the complaint to a unit and posts its follow-up."""
    sign_in_as(page, base, "pemkot-jakpus")
    page.wait_for_url("**/staf/kotak-masuk")
    page.click(f"a[href='/staf/pengaduan/{tracking_id}']")
    assert "Siti" not in page.content()
    assert page.locator(".reporter dd", has_text="Anonim").count() == 1
    page.select_option("#unit", "dinas-pu")
    page.click("#assign button")
    page.fill("#follow-up-message", "Saluran sudah dibersihkan oleh Dinas PU hari ini.")
    page.click("#follow-up button.primary")
    page.wait_for_selector("text=Tindak lanjut terkirim.")
    shot(page, "04-institution-complaint")
    page.click("form[action='/keluar'] button")


def open_as_reporter(page: Any, base: str, receipt: lc.Receipt) -> None:
    """Enter the tracking ID and access key on the tracking page."""
    page.goto(f"{base}/lacak")
    page.fill("#reporter-id", receipt.tracking_id)
    page.fill("#access-key", receipt.access_key)
    page.click("#reporter-form button")
    page.wait_for_url(f"**/lacak/{receipt.tracking_id}")


def test_anonymous_confidential_complaint_from_form_to_closing(
    live: tuple[LiveServer, lc.ComplaintDesk], page: Any, browser_clock: FrozenClock
) -> None:
    """Form -> admin forwards -> institution assigns and follows up -> reporter reads -> the sweep closes."""
    server, desk = live
    base = server.url
    receipt = submit_through_the_form(page, base)
    tracking_id = receipt.tracking_id
    forward_as_admin(page, base, tracking_id)
    assert desk.view(ADMIN, tracking_id).status is lc.Status.FORWARDED
    handle_as_institution(page, base, tracking_id)

    page.goto(f"{base}/pengaduan")
    assert "Saluran air tersumbat" not in page.content()
    page.goto(f"{base}/lacak?id={tracking_id}")
    assert page.locator("text=Laporan tidak ditemukan").count() == 1

    open_as_reporter(page, base, receipt)
    assert page.locator("text=Saluran sudah dibersihkan oleh Dinas PU hari ini.").count() == 1
    assert page.locator("text=Siti Rahayu").count() == 1
    assert "<b>parah</b>" in (page.text_content("h2.title") or "")
    shot(page, "05-reporter-view")

    browser_clock.advance(days=30)
    sign_in_as(page, base, "admin-demo")
    page.click("#run-sweep")
    page.wait_for_selector("text=Pemeriksaan tenggat: 1 ditutup")
    assert desk.view(ADMIN, tracking_id).status is lc.Status.CLOSED
    page.click("a[href='/staf/dasbor']")
    assert page.locator("#sla-dashboard tr[data-institution='31.71']").count() == 1
    shot(page, "06-sla-dashboard")

    page.click("form[action='/keluar'] button")
    open_as_reporter(page, base, receipt)
    page.check("input[name=rating][value='5']")
    page.click("text=Kirim penilaian")
    page.wait_for_selector("text=Penilaian tersimpan.")
    shot(page, "07-reporter-closed")
    assert desk.view(ADMIN, tracking_id).rating == 5


def test_a_public_complaint_appears_on_the_map_and_list_and_in_english(
    live: tuple[LiveServer, lc.ComplaintDesk], page: Any
) -> None:
    """A forwarded complaint is drawn on the home map (no Leaflet, no tiles) and listed; English works too."""
    server, desk = live
    tid = desk.submit(
        submission(
            title="Lampu taman mati",
            category="street-lighting",
            location={"region": "32.73", "lat": -6.9147, "lon": 107.6098},
        )
    ).tracking_id
    desk.forward(ADMIN, tid, institution="32.73")
    page.goto(f"{server.url}/")
    page.wait_for_selector("#home-map[data-drawn='svg']")
    assert page.locator(f"#home-map a[href='/pengaduan/{tid}'] circle.marker").count() == 1
    assert page.locator("#home-map circle.area[data-count='1']").count() == 1
    shot(page, "00-home")
    page.goto(f"{server.url}/pengaduan")
    assert page.locator("text=Lampu taman mati").count() == 1
    shot(page, "08-public-list")
    page.click(f"a[href='/pengaduan/{tid}']")
    assert page.locator("text=Pemerintah Kota Bandung").count() >= 1
    page.click("a[lang=en]")
    page.wait_for_selector("html[lang='en']")
    assert page.locator("text=Public reports").count() >= 1
    shot(page, "09-public-complaint-en")


def test_the_portal_is_usable_on_a_phone(live: tuple[LiveServer, lc.ComplaintDesk], page: Any) -> None:
    """At a phone's width the submit form fits without sideways scrolling."""
    server, _ = live
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{server.url}/lapor")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    shot(page, "10-submit-phone")


def test_a_vote_is_cast_and_results_show_after_closing(
    live: tuple[LiveServer, lc.ComplaintDesk], page: Any
) -> None:
    """A citizen votes in an after-close poll; the officer closes it; the result chart appears."""
    server, desk = live
    draft = PollDraft.from_dict(
        {
            "question": "Setujukah Anda car free day diperluas?",
            "options": ["Setuju", "Tidak setuju", "Ragu-ragu"],
            "opens_at": START.isoformat(),
            "closes_at": (START + timedelta(days=7)).isoformat(),
            "results": "after_close",
        }
    )
    poll_id = desk.create_poll(JAKPUS, draft)
    desk.open_poll(JAKPUS, poll_id)
    for number in range(12):
        voter = lc.Principal.citizen(f"pemilih-{number}", verified=True, region="31.74")
        desk.vote(voter, poll_id, [number % 3])

    sign_in_as(page, server.url, "warga-demo")
    page.goto(f"{server.url}/jajak-pendapat")
    page.click(f"a[href='/jajak-pendapat/{poll_id}']")
    page.check("#ballot input[value='1']")
    page.click("#ballot button")
    page.wait_for_selector("text=Suara Anda tercatat:")
    assert page.locator("#results-hidden").count() == 1
    shot(page, "11-poll-voted")

    sign_in_as(page, server.url, "pemkot-jakpus")
    page.goto(f"{server.url}/staf/jajak-pendapat")
    page.click(f"button[data-close='{poll_id}']")
    page.wait_for_selector("text=Jajak pendapat ditutup.")
    page.goto(f"{server.url}/jajak-pendapat/{poll_id}")
    assert page.locator("#results-chart").count() == 1
    assert page.locator("text=13 suara").count() == 1
    shot(page, "12-poll-results")


LEAFLET = Path("/usr/share/javascript/leaflet")


class QuietFiles(http.server.SimpleHTTPRequestHandler):
    """Serves a folder without logging each request."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's signature
        """Log nothing."""


@pytest.fixture
def leaflet_server() -> Iterator[str]:
    """Debian's Leaflet (package libjs-leaflet) served on 127.0.0.1, as a deployment serves its own copy."""
    if not (LEAFLET / "leaflet.js").exists():
        pytest.skip("no Leaflet: install Debian's libjs-leaflet package to test the Leaflet maps")
    handler = functools.partial(QuietFiles, directory=str(LEAFLET))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{server.server_address[1]}"
        server.shutdown()


def test_leaflet_maps_draw_markers_when_tiles_cannot_load(
    tmp_path: Path, browser_clock: FrozenClock, leaflet_server: str, page: Any
) -> None:
    """With Leaflet and an unreachable tile server, markers and province circles still draw; clicks pick."""
    settings = PortalSettings(
        leaflet_url=leaflet_server, tile_url="http://127.0.0.1:9/{z}/{x}/{y}.png", sweep_seconds=None
    )
    app = create_app(
        f"sqlite:///{tmp_path / 'leaflet.db'}", pepper=PEPPER, clock=browser_clock, settings=settings
    )
    desk = portal_of(app).desk
    tid = desk.submit(submission(location={"region": "32.73", "lat": -6.9147, "lon": 107.6098})).tracking_id
    desk.forward(ADMIN, tid, institution="32.73")
    with LiveServer(app) as server:
        page.goto(f"{server.url}/")
        page.wait_for_selector("#home-map[data-drawn='leaflet']")
        page.wait_for_selector("#home-map path.leaflet-interactive")
        assert page.locator("#home-map path.leaflet-interactive").count() == 2  # the complaint, its province
        shot(page, "13-home-leaflet-no-tiles")
        page.goto(f"{server.url}/lapor")
        page.wait_for_selector("#point-map[data-drawn='leaflet']")
        page.click("#point-map", position={"x": 200, "y": 120})
        assert page.input_value("#lat") != ""
        assert page.input_value("#lon") != ""


def _photo(tmp_path: Path, name: str, colour: tuple[int, int, int]) -> Path:
    """A small JPEG as a phone would send it, with a GPS position and a camera serial in its EXIF."""
    from PIL import Image

    image = Image.new("RGB", (320, 240), colour)
    exif = Image.Exif()
    exif[0xA431] = "SERIAL-CANARY-7731"  # BodySerialNumber
    exif[0x8825] = {1: "S", 2: (6.0, 10.0, 30.0), 3: "E", 4: (106.0, 49.0, 40.0)}  # GPS
    path = tmp_path / name
    image.save(path, "JPEG", exif=exif)
    return path


def test_photos_chosen_on_the_form_are_previewed_uploaded_and_stored_without_metadata(
    live: tuple[LiveServer, lc.ComplaintDesk], page: Any, tmp_path: Path
) -> None:
    """Two photos: a preview of each before sending, the upload by the progress path, both stored clean."""
    server, desk = live
    page.goto(f"{server.url}/lapor")
    page.check("input[name=kind][value=pengaduan]")
    page.fill("#title", "Jalan berlubang di depan pasar")
    page.fill("#body", "Lubang besar, sudah dua motor jatuh minggu ini.")
    page.select_option("#topic", "drainage-flooding")
    page.set_input_files(
        "#lampiran", [_photo(tmp_path, "a.jpg", (200, 40, 40)), _photo(tmp_path, "b.jpg", (40, 40, 200))]
    )
    page.wait_for_selector("#lampiran-preview li:nth-child(2) img[src^='data:image/jpeg']")
    assert page.locator("#lampiran-preview li").count() == 2
    shot(page, "21-upload-preview")
    page.click("#submit-form button.primary")
    page.wait_for_selector("#tracking-id")
    tracking_id = page.text_content("#tracking-id") or ""
    access_key = page.text_content("#access-key") or ""
    shot(page, "22-upload-receipt")
    reporter = desk.authenticate(tracking_id, access_key)
    stored = desk.attachments(reporter, tracking_id)
    assert len(stored) == 2
    assert {a.content_type for a in stored} == {"image/jpeg"}
    for attachment in stored:
        data = desk.read_attachment(reporter, tracking_id, attachment.id)
        assert b"SERIAL-CANARY-7731" not in data
        assert b"GPS" not in data
