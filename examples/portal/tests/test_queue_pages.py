"""Issue 21: staff queue pages: next, previous and back to the start by the library's cursors, in the URL."""

from __future__ import annotations

import base64
import html
import re

from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

import lapor_core as lc
from lapor_portal.web.queue_pages import MAX_CURSOR, MAX_TRAIL, Trail, read_page
from portal_helpers import ADMIN, sign_in, submission

_ROW = re.compile(r'href="/staf/pengaduan/([^"]+)"')
_LINK = re.compile(r'<a href="\?([^"]*)"(?: rel="(\w+)"| id="(first-page)")')


def _ids(page: str) -> list[str]:
    return _ROW.findall(page)


def _links(page: str) -> dict[str, str]:
    """The pager's links by their rel (``next``, ``prev``) or id (``first-page``): their query strings."""
    return {rel or ident: html.unescape(query) for query, rel, ident in _LINK.findall(page)}


def test_walking_forward_and_back_through_the_queue(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """Three pages of 10 forward, then back one by one: each page shows the same rows as before."""
    everyone = [desk.submit(submission(category="waste")).tracking_id for _ in range(25)]
    sign_in(client, "admin-demo")
    first = client.get("/staf/verifikasi?topic=waste&size=10").text
    assert "Halaman 1" in first
    assert set(_links(first)) == {"next"}
    second = client.get("/staf/verifikasi?" + _links(first)["next"]).text
    assert "Halaman 2" in second
    assert set(_links(second)) == {"next", "prev", "first-page"}
    third = client.get("/staf/verifikasi?" + _links(second)["next"]).text
    assert "Halaman 3" in third
    assert "next" not in _links(third)
    assert len(_ids(third)) == 5
    assert sorted(_ids(first) + _ids(second) + _ids(third)) == sorted(everyone)
    assert all(link.startswith("topic=waste&size=10") for link in _links(third).values())
    back_to_second = client.get("/staf/verifikasi?" + _links(third)["prev"]).text
    assert _ids(back_to_second) == _ids(second)
    back_to_first = client.get("/staf/verifikasi?" + _links(back_to_second)["prev"]).text
    assert _ids(back_to_first) == _ids(first)
    start = client.get("/staf/verifikasi?" + _links(third)["first-page"]).text
    assert _ids(start) == _ids(first)


def test_pages_filtered_on_the_views_still_hold_every_match_once(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """With a filter tested on each view (anonymous), pages of 10 hold every match, each once, in order."""
    wanted = []
    for index in range(60):
        receipt = desk.submit(submission(anonymous=index % 3 == 0))
        if index % 3 == 0:
            wanted.append(receipt.tracking_id)
    sign_in(client, "admin-demo")
    seen: list[str] = []
    query = "flag=anonymous&size=10"
    for _ in range(5):
        page = client.get("/staf/verifikasi?" + query).text
        seen += _ids(page)
        if "next" not in _links(page):
            break
        query = _links(page)["next"]
    assert sorted(seen) == sorted(wanted)
    assert len(seen) == len(set(seen))


def _forged(tracking_id: str) -> str:
    raw = f'["1999-01-01T00:00:00.000000+00:00","{tracking_id}"]'.encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def test_a_forged_or_stale_cursor_opens_the_first_page(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """A cursor the library did not make, a too long one or a junk trail: the first page, never an error."""
    tracking_id = desk.submit(submission()).tracking_id
    sign_in(client, "admin-demo")
    for cursor in ("bukan-kursor", "%%%", "x" * 600):
        answer = client.get("/staf/verifikasi", params={"cursor": cursor, "back": ["", "zz"]})
        assert answer.status_code == 200, cursor
        assert _ids(answer.text) == [tracking_id], cursor
    stale = client.get("/staf/verifikasi", params={"cursor": "bukan-kursor"}).text
    assert "Tautan halaman itu tidak berlaku lagi; ini halaman pertama." in stale
    absurd = client.get("/staf/verifikasi", params={"cursor": "A" * 4001})
    assert absurd.status_code == 422
    assert "Isian tidak valid" in absurd.text


def test_a_well_formed_forged_cursor_shows_nothing_hidden(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """A decodable cursor naming another institution's complaint only moves within this officer's queue."""
    mine = desk.submit(submission(location={"region": "32.73"})).tracking_id
    desk.forward(ADMIN, mine, institution="32.73")
    theirs = desk.submit(submission(title="Milik Jakarta", confidential=True)).tracking_id
    desk.forward(ADMIN, theirs, institution="31.71")
    sign_in(client, "pemkot-bandung")
    page = client.get("/staf/kotak-masuk", params={"cursor": _forged(theirs)})
    assert page.status_code == 200
    assert theirs not in page.text
    assert "Milik Jakarta" not in page.text


@given(
    st.lists(st.text(alphabet="ABC-_=", min_size=1, max_size=8), max_size=30),
)
def test_forward_then_backward_returns_to_the_same_page(cursors: list[str]) -> None:
    """Walking forward through any cursors and back again visits the same pages, as far as the trail goes."""
    trail = Trail.read(None, [])
    visited = [trail]
    for cursor in cursors:
        trail = Trail.read(*trail.forward(cursor))
        visited.append(trail)
    for expected in reversed(visited[:-1]):
        move = trail.backward()
        if move is None:
            assert len(visited) - 1 > MAX_TRAIL
            break
        trail = Trail.read(*move)
        assert trail.cursor == expected.cursor
    assert len(trail.back) <= MAX_TRAIL


def test_the_trail_drops_what_no_library_cursor_could_be() -> None:
    """Too long values are dropped; no current cursor is the first page; a number needs the start."""
    assert Trail.read("x" * (MAX_CURSOR + 1), ["a"]) == Trail()
    assert Trail.read(None, ["a", "b"]) == Trail()
    assert Trail.read("c", ["a", "y" * (MAX_CURSOR + 1)]).back == ("a",)
    assert Trail.read("c", ["", "a"]).number == 3
    assert Trail.read("c", ["a"]).number is None
    assert Trail().backward() is None


def test_read_page_resumes_right_after_the_last_view_it_looked_at(desk: lc.ComplaintDesk) -> None:
    """A page cut inside a batch continues after its last match; the scan cap stops and says so."""
    for index in range(40):
        desk.submit(submission(anonymous=index % 4 == 0))
    listed = desk.complaints(ADMIN, lc.ComplaintQuery(limit=100)).items
    ids = [view.tracking_id for view in listed]
    matches = [view.tracking_id for view in listed if view.anonymous]
    query = lc.ComplaintQuery(limit=3)

    def anonymous(view: lc.ComplaintView) -> bool:
        return view.anonymous

    first = read_page(desk, ADMIN, query, anonymous)
    assert [v.tracking_id for v in first.items] == matches[:3]
    assert first.next_cursor is not None
    assert not first.stopped
    second = read_page(desk, ADMIN, lc.ComplaintQuery(limit=3, cursor=first.next_cursor), anonymous)
    assert [v.tracking_id for v in second.items] == matches[3:6]
    capped = read_page(desk, ADMIN, query, lambda _: False, max_scan=7)
    assert capped.items == ()
    assert capped.scanned == 7
    assert capped.stopped
    rest = read_page(desk, ADMIN, lc.ComplaintQuery(limit=40, cursor=capped.next_cursor), None)
    assert [v.tracking_id for v in rest.items] == ids[7:]
    everything = read_page(desk, ADMIN, lc.ComplaintQuery(limit=20), anonymous)
    assert len(everything.items) == 10
    assert everything.next_cursor is None
    assert not everything.stopped
