"""Issue 21 in Chromium: "Laporan saya" from the menu, and the public keyword search (desktop, phone)."""

from __future__ import annotations

from typing import Any

import lapor_core as lc
from portal_helpers import ADMIN, submission
from test_browser import LiveServer, browser_clock, live, page, shot, sign_in_as

__all__ = ["browser_clock", "live", "page"]

OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
CITIZEN = lc.Principal.citizen("warga-demo", verified=True, region="31.71")


def _fill(desk: lc.ComplaintDesk) -> None:
    for index, (title, owner, confidential) in enumerate(
        (
            ("Lampu jalan mati di Jl. Melati", CITIZEN, False),
            ("Pungutan liar di kelurahan", CITIZEN, True),
            ("Lampu taman rusak", None, False),
            ("Sampah menumpuk di TPS", None, False),
        )
    ):
        receipt = desk.submit(
            submission(title=title, body=f"Laporan nomor {index}.", confidential=confidential), owner
        )
        desk.forward(ADMIN, receipt.tracking_id, institution="31.71")


def test_a_citizen_opens_laporan_saya_from_the_menu(
    live: tuple[LiveServer, lc.ComplaintDesk], page: Any
) -> None:
    """The menu link lists the citizen's two reports (the confidential one too); one opens with its text."""
    server, desk = live
    _fill(desk)
    sign_in_as(page, server.url, "warga-demo")
    page.click("nav a[href='/laporan-saya']")
    assert page.locator("ul.cards li.card").count() == 2
    assert page.get_by_text("Pungutan liar di kelurahan").is_visible()
    shot(page, "21-laporan-saya-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate(OVERFLOW) <= 0
    shot(page, "21-laporan-saya-phone")
    page.locator("ul.cards li.card a").first.click()
    assert "Laporan nomor" in page.content()
    shot(page, "21-laporan-saya-one-phone")


def test_the_public_searches_the_list_by_keywords(
    live: tuple[LiveServer, lc.ComplaintDesk], page: Any
) -> None:
    """Typed words list the matches and stay in the box and the address; junk is explained."""
    server, desk = live
    _fill(desk)
    page.goto(f"{server.url}/pengaduan")
    page.fill("#q", "LAMPU")
    page.click("form.filters button[type=submit]")
    assert "q=LAMPU" in page.url
    assert page.locator("ul.cards li.card").count() == 2
    assert page.input_value("#q") == "LAMPU"
    shot(page, "21-search-desktop")
    page.goto(f"{server.url}/pengaduan?q=pungutan")
    assert page.locator("ul.cards li.card").count() == 0
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{server.url}/pengaduan?q=%25%25")
    assert page.locator("#q-error").is_visible()
    assert page.evaluate(OVERFLOW) <= 0
    shot(page, "21-search-junk-phone")
