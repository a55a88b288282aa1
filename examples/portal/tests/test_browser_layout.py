"""Issue 21 in Chromium: long unbroken words wrap on a phone; the status badge says the status once."""

from __future__ import annotations

from typing import Any

import lapor_core as lc
from portal_helpers import ADMIN, submission
from test_browser import LiveServer, browser_clock, live, page, shot, sign_in_as

__all__ = ["browser_clock", "live", "page"]

LONG_WORD = "Jalan" + "x" * 140
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def test_long_unbroken_words_do_not_widen_pages_on_a_phone(
    live: tuple[LiveServer, lc.ComplaintDesk], page: Any
) -> None:
    """A 145-letter word in a title and a 4,000-letter one in the text: no page scrolls sideways at 390 px."""
    server, desk = live
    tracking_id = desk.submit(submission(title=LONG_WORD, body="y" * 4000)).tracking_id
    desk.forward(ADMIN, tracking_id, institution="31.71")
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ("/", "/pengaduan", f"/pengaduan/{tracking_id}"):
        page.goto(f"{server.url}{path}")
        assert page.evaluate(OVERFLOW) <= 0, path
    shot(page, "21-long-word-phone")
    sign_in_as(page, server.url, "pemkot-jakpus")
    for path in ("/staf/kotak-masuk", f"/staf/pengaduan/{tracking_id}"):
        page.goto(f"{server.url}{path}")
        assert page.evaluate(OVERFLOW) <= 0, path


def test_the_status_is_said_once_and_never_as_a_bare_word(
    live: tuple[LiveServer, lc.ComplaintDesk], page: Any
) -> None:
    """The facts show "Menunggu verifikasi", not "Belum Menunggu verifikasi"; no "Selesai Selesai"."""
    server, desk = live
    tracking_id = desk.submit(submission()).tracking_id
    sign_in_as(page, server.url, "admin-demo")
    page.goto(f"{server.url}/staf/pengaduan/{tracking_id}")
    status = page.locator("dl.facts .badge").first.text_content() or ""
    assert status.strip() == "Menunggu verifikasi"
    assert page.locator("dl.facts").first.text_content().count("Menunggu verifikasi") == 1
    assert "Belum" not in (page.locator("dl.facts").first.text_content() or "")
    shot(page, "21-status-badge")
