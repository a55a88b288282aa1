"""Issue 21 in Chromium: long unbroken words wrap on a phone; the status badge says the status once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import lapor_core as lc
from portal_helpers import ADMIN, START, submission
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


def test_the_poll_chart_reads_on_a_phone(live: tuple[LiveServer, lc.ComplaintDesk], page: Any) -> None:
    """At 390 px the chart fits, and each count stands right beside its bar (not across the page)."""
    server, desk = live
    officer = lc.Principal.institution_officer("officer", institution="31.71")
    draft = lc.PollDraft.from_dict(
        {
            "question": "Setujukah Anda car free day diperluas?",
            "options": ["Setuju", "Tidak setuju", "Ragu-ragu, perlu uji coba dulu di beberapa ruas jalan"],
            "opens_at": START.isoformat(),
            "closes_at": (START + timedelta(days=7)).isoformat(),
            "results": "live",
        }
    )
    poll_id = desk.create_poll(officer, draft)
    desk.open_poll(officer, poll_id)
    for number in range(12):
        voter = lc.Principal.citizen(f"pemilih-{number}", verified=True, region="31.74")
        desk.vote(voter, poll_id, [0 if number < 9 else number % 3])
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{server.url}/jajak-pendapat/{poll_id}")
    assert page.evaluate(OVERFLOW) <= 0
    gaps = page.evaluate(
        """() => [...document.querySelectorAll('#results-chart li')].map(li => {
            const bar = li.querySelector('.bar').getBoundingClientRect();
            const value = li.querySelector('.value').getBoundingClientRect();
            return [value.left - bar.right, value.height];
        })"""
    )
    assert len(gaps) == 3
    assert all(0 <= gap <= 16 for gap, _ in gaps), gaps
    assert all(height >= 14 for _, height in gaps), gaps  # text at a readable size, not a shrunken drawing
    shot(page, "21-poll-chart-phone")


def test_the_receipt_prints_as_a_receipt(live: tuple[LiveServer, lc.ComplaintDesk], page: Any) -> None:
    """A print button (with JavaScript); printed, the page is the receipt alone with where to track it."""
    server, _ = live
    page.goto(f"{server.url}/lapor")
    page.fill("#title", "Lampu jalan mati")
    page.fill("#body", "Sudah seminggu gelap.")
    page.click("button.primary[type=submit]")
    page.wait_for_selector("#access-key")
    assert page.locator("button[data-print]").is_visible()
    page.emulate_media(media="print")
    assert page.locator("#tracking-id").is_visible()
    assert page.locator("#access-key").is_visible()
    assert not page.locator("header.site").is_visible()
    assert not page.locator("#saved-form").is_visible()
    assert not page.locator("button[data-print]").is_visible()
    assert page.locator(f"text=Lacak laporan ini di {server.url}/lacak").is_visible()
    shot(page, "21-receipt-print")


def test_queue_cells_keep_their_names_on_a_phone(
    live: tuple[LiveServer, lc.ComplaintDesk], page: Any
) -> None:
    """The table's headers are hidden at 390 px, so each cell shows its own name before its value."""
    server, desk = live
    desk.submit(submission(location={"region": "31.71"}))
    sign_in_as(page, server.url, "admin-demo")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{server.url}/staf/verifikasi")
    assert not page.locator("table.queue thead").is_visible()
    labels = page.evaluate(
        """() => [...document.querySelectorAll('table.queue tbody tr:first-child td[data-label]')]
            .map(td => getComputedStyle(td, '::before').content)"""
    )
    assert labels == ['"Status: "', '"Lokasi (wilayah): "', '"Batas waktu: "', '"Keadaan: "'], labels
    assert page.evaluate(OVERFLOW) <= 0
    shot(page, "21-queue-phone")
