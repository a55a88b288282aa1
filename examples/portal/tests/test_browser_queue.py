"""Issue 21 in Chromium: staff queue filters and pages (desktop, phone), reply templates, internal notes."""

from __future__ import annotations

from typing import Any

import lapor_core as lc
from portal_helpers import ADMIN, submission
from test_browser import LiveServer, browser_clock, live, page, shot, sign_in_as

__all__ = ["browser_clock", "live", "page"]

OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _fill_queue(desk: lc.ComplaintDesk) -> None:
    for index in range(30):
        desk.submit(
            submission(
                title=f"Lampu jalan mati di gang {index}",
                category="waste" if index % 2 else "roads-bridges",
                anonymous=index % 3 == 0,
                confidential=index % 5 == 0,
                location={"region": "31.71"},
            )
        )


def test_the_queue_filters_and_pages_on_a_desktop(
    live: tuple[LiveServer, lc.ComplaintDesk], page: Any
) -> None:
    """Ticking a flag and choosing a page size keeps both in the address; the next page and back work."""
    server, desk = live
    _fill_queue(desk)
    sign_in_as(page, server.url, "admin-demo")
    page.goto(f"{server.url}/staf/verifikasi")
    page.check("input[name=flag][value=anonymous]")
    page.select_option("select[name=size]", "25")
    page.click("#queue-filters button[type=submit]")
    assert "flag=anonymous" in page.url
    assert "size=25" in page.url
    assert page.locator("table.queue tbody tr").count() == 10
    assert page.locator("#clear-filters").is_visible()
    shot(page, "21-queue-filters-desktop")
    page.goto(f"{server.url}/staf/verifikasi?size=10")
    first = page.locator("table.queue tbody tr td:first-child").all_text_contents()
    page.click("a[rel=next]")
    assert page.locator("table.queue tbody tr td:first-child").all_text_contents() != first
    page.click("a[rel=prev]")
    assert page.locator("table.queue tbody tr td:first-child").all_text_contents() == first
    shot(page, "21-queue-pages-desktop")


def test_the_queue_keeps_its_column_names_on_a_phone(
    live: tuple[LiveServer, lc.ComplaintDesk], page: Any
) -> None:
    """At 390 px the filter form and the table fit the width, and each cell names its column."""
    server, desk = live
    _fill_queue(desk)
    sign_in_as(page, server.url, "admin-demo")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{server.url}/staf/verifikasi?topic=waste&size=10")
    assert page.evaluate(OVERFLOW) <= 0
    assert not page.locator("table.queue thead").is_visible()
    labels = page.evaluate(
        """() => [...document.querySelectorAll('table.queue tbody tr:first-child td[data-label]')]
            .map(td => getComputedStyle(td, '::before').content)"""
    )
    assert labels == ['"Status: "', '"Lokasi (wilayah): "', '"Batas waktu: "', '"Keadaan: "'], labels
    shot(page, "21-queue-filters-phone")


def test_a_reply_template_fills_the_box_at_once(live: tuple[LiveServer, lc.ComplaintDesk], page: Any) -> None:
    """With the script, choosing a template fills the follow-up box; typed text is kept above it."""
    server, desk = live
    tracking_id = desk.submit(submission()).tracking_id
    desk.forward(ADMIN, tracking_id, institution="31.71")
    sign_in_as(page, server.url, "pemkot-jakpus")
    page.goto(f"{server.url}/staf/pengaduan/{tracking_id}")
    page.fill("#follow-up-message", "Salam,")
    page.select_option("select[data-fill=follow-up-message]", "follow-up-done")
    text = page.input_value("#follow-up-message")
    assert text.startswith("Salam,\n\nTerima kasih atas laporan Anda")
    assert tracking_id in text
    page.select_option("select[data-fill=follow-up-message]", "follow-up-scheduled")
    assert page.input_value("#follow-up-message").startswith("Salam,\n\nTerima kasih")
    page.fill("#note", "Sudah dicek ke lokasi; tiang listrik miring.")
    page.click("#notes button[type=submit]")
    assert page.locator("ol.notes li").count() == 1
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{server.url}/staf/pengaduan/{tracking_id}#notes")
    assert page.evaluate(OVERFLOW) <= 0
    shot(page, "21-notes-and-templates-phone")
