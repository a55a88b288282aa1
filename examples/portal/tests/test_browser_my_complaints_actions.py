"""Issue 21 in Chromium: a citizen replies, closes and rates from "Laporan saya" (desktop and phone)."""

from __future__ import annotations

from typing import Any

import lapor_core as lc
from portal_helpers import ADMIN, JAKPUS, submission
from test_browser import LiveServer, browser_clock, live, page, shot, sign_in_as

__all__ = ["browser_clock", "live", "page"]

OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
CITIZEN = lc.Principal.citizen("warga-demo", verified=True, region="31.71")


def test_a_citizen_answers_closes_and_rates_from_laporan_saya(
    live: tuple[LiveServer, lc.ComplaintDesk], page: Any
) -> None:
    """From the menu to the complaint, a reply, then closing and a rating with a comment; no access key."""
    server, desk = live
    tid = desk.submit(
        submission(title="Jalan berlubang di Jl. Kenanga", body="Lubang besar di depan SDN 3."), CITIZEN
    ).tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    desk.follow_up(JAKPUS, tid, "Lubang sudah kami tambal pada hari Senin.")
    sign_in_as(page, server.url, "warga-demo")
    page.click("nav a[href='/laporan-saya']")
    page.click(f"a[href='/laporan-saya/{tid}']")
    assert page.locator(f"form[action='/laporan-saya/{tid}/balas'] textarea").is_visible()
    shot(page, "21-laporan-saya-act-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate(OVERFLOW) <= 0
    shot(page, "21-laporan-saya-act-phone")
    page.fill("#reply-message", "Belum, lubangnya terbuka lagi setelah hujan.")
    page.click(f"form[action='/laporan-saya/{tid}/balas'] button")
    assert page.locator("p.flash").inner_text() == "Tanggapan terkirim."
    assert desk.view(ADMIN, tid).status is lc.Status.FORWARDED
    desk.follow_up(JAKPUS, tid, "Sudah ditambal ulang dengan aspal.")
    page.reload()
    page.click(f"form[action='/laporan-saya/{tid}/selesai'] button")
    page.check("input[name=rating][value='5']")
    page.fill("#rating-comment", "Cepat ditangani, terima kasih.")
    assert page.evaluate(OVERFLOW) <= 0
    shot(page, "21-laporan-saya-rate-phone")
    page.click(f"form[action='/laporan-saya/{tid}/nilai'] button")
    assert "Penilaian Anda: 5 dari 5" in page.locator("#given-rating").inner_text()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()
    shot(page, "21-laporan-saya-rated-desktop")
    view = desk.view(ADMIN, tid)
    assert (view.status, view.rating) == (lc.Status.CLOSED, 5)
