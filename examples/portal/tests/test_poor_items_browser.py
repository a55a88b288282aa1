"""Issue 21 in Chromium: a voter's own choice and the rating with its comment, on a desktop and on a phone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import lapor_core as lc
from portal_helpers import ADMIN, START, submission
from test_browser import LiveServer, browser_clock, live, page, shot, sign_in_as

__all__ = ["browser_clock", "live", "page"]

OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def test_a_voter_comes_back_to_their_choice(live: tuple[LiveServer, lc.ComplaintDesk], page: Any) -> None:
    """The citizen votes through the form, opens the poll again and finds their choice said and ticked."""
    server, desk = live
    officer = lc.Principal.institution_officer("officer", institution="31.71")
    draft = lc.PollDraft.from_dict(
        {
            "question": "Setujukah Anda car free day diperluas?",
            "options": ["Setuju", "Tidak setuju", "Ragu-ragu"],
            "opens_at": START.isoformat(),
            "closes_at": (START + timedelta(days=7)).isoformat(),
            "results": "live",
        }
    )
    poll_id = desk.create_poll(officer, draft)
    desk.open_poll(officer, poll_id)
    sign_in_as(page, server.url, "warga-demo")
    page.goto(f"{server.url}/jajak-pendapat/{poll_id}")
    page.check("#ballot input[value='2']")
    page.click("#ballot button[type=submit]")
    page.goto(f"{server.url}/")
    for width, name in ((1280, "21-my-vote-desktop"), (390, "21-my-vote-phone")):
        page.set_viewport_size({"width": width, "height": 844})
        page.goto(f"{server.url}/jajak-pendapat/{poll_id}")
        assert "Pilihan Anda yang tercatat: Ragu-ragu." in (page.text_content("#my-vote") or "")
        assert page.is_checked("#ballot input[value='2']")
        assert not page.is_checked("#ballot input[value='0']")
        assert page.evaluate(OVERFLOW) <= 0
        shot(page, name)


def test_the_rating_form_and_the_given_rating(live: tuple[LiveServer, lc.ComplaintDesk], page: Any) -> None:
    """The reporter picks words, writes a comment and sends; the page then shows them, without the form."""
    server, desk = live
    receipt = desk.submit(submission())
    tid = receipt.tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    desk.follow_up(lc.Principal.institution_officer("o", institution="31.71"), tid, "Lampu sudah diganti.")
    desk.close_complaint(desk.authenticate(tid, receipt.access_key), tid)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{server.url}/lacak")
    page.fill("#reporter-id", tid)
    page.fill("#access-key", receipt.access_key)
    page.click("#reporter-form button[type=submit]")
    page.wait_for_selector("#rating form")
    assert page.evaluate(OVERFLOW) <= 0
    shot(page, "21-rating-form-phone")
    page.check("#rating input[value='4']")
    page.fill("#rating-comment", "Cepat ditangani, terima kasih.")
    page.click("#rating button[type=submit]")
    page.wait_for_selector("#given-rating")
    rating = page.text_content("#rating") or ""
    assert "Penilaian Anda: 4 dari 5 (Puas)." in rating
    assert "Cepat ditangani, terima kasih." in rating
    assert page.locator("#rating form").count() == 0
    shot(page, "21-rating-given-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    shot(page, "21-rating-given-desktop")
