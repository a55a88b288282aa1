"""Issue 21: staff queues filter by topic, province, status, deadline, flags and words, kept in the URL."""

from __future__ import annotations

import re
from datetime import datetime, time

from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

import lapor_core as lc
from lapor_core.testing import FrozenClock
from lapor_portal.context import Portal
from lapor_portal.formatting import last_day
from lapor_portal.web.queue_filters import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MIN_PAGE_SIZE, page_size
from portal_helpers import ADMIN, sign_in, submission

_ROW = re.compile(r'href="/staf/pengaduan/([^"]+)"')


def _ids(page: str) -> set[str]:
    return set(_ROW.findall(page))


def test_the_verification_queue_filters_by_topic_and_province(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """Each filter narrows the queue; both together narrow it to what matches both; none shows all."""
    jakarta_waste = desk.submit(submission(category="waste", location={"region": "31.71"})).tracking_id
    bandung_waste = desk.submit(submission(category="waste", location={"region": "32.73"})).tracking_id
    roads = submission(category="roads-bridges", location={"region": "31.71"})
    jakarta_roads = desk.submit(roads).tracking_id
    sign_in(client, "admin-demo")
    assert _ids(client.get("/staf/verifikasi").text) >= {jakarta_waste, bandung_waste, jakarta_roads}
    assert _ids(client.get("/staf/verifikasi?topic=waste").text) == {jakarta_waste, bandung_waste}
    assert _ids(client.get("/staf/verifikasi?province=31").text) == {jakarta_waste, jakarta_roads}
    assert _ids(client.get("/staf/verifikasi?topic=waste&province=31").text) == {jakarta_waste}
    page = client.get("/staf/verifikasi?topic=waste&province=31").text
    assert '<option value="waste" selected>' in page
    assert '<option value="31" selected>' in page


def test_unknown_filter_values_are_dropped_not_refused(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """A stale bookmark with an unknown topic or a non-province still opens the whole queue."""
    tracking_id = desk.submit(submission(location={"region": "31.71"})).tracking_id
    sign_in(client, "admin-demo")
    answer = client.get("/staf/verifikasi?topic=nope&province=99")
    assert answer.status_code == 200
    assert tracking_id in _ids(answer.text)


def test_the_next_page_keeps_the_filters(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """Past one page (50), the next link carries the filters, and its page holds only matching rows."""
    wanted = {desk.submit(submission(category="waste")).tracking_id for _ in range(55)}
    desk.submit(submission(category="roads-bridges"))
    sign_in(client, "admin-demo")
    first = client.get("/staf/verifikasi?topic=waste").text
    link = re.search(r'<a href="\?([^"]+)" rel="next">', first)
    assert link, "no next link"
    assert link.group(1).startswith("topic=waste&amp;cursor=")
    second = client.get("/staf/verifikasi?" + link.group(1).replace("&amp;", "&")).text
    assert _ids(first) | _ids(second) == wanted


def test_the_inbox_and_oversight_filter_too(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """The institution's inbox and the oversight queue take the same filters."""
    waste = desk.submit(submission(category="waste", location={"region": "31.71"})).tracking_id
    roads = desk.submit(submission(category="roads-bridges", location={"region": "31.71"})).tracking_id
    for tracking_id in (waste, roads):
        desk.forward(ADMIN, tracking_id, institution="31.71")
    sign_in(client, "pemkot-jakpus")
    assert _ids(client.get("/staf/kotak-masuk?topic=waste").text) == {waste}
    sign_in(client, "ombudsman-demo")
    assert _ids(client.get("/staf/pengawasan?topic=roads-bridges").text) == {roads}


def test_the_status_filter_keeps_to_the_queue(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """Ticking a status narrows the queue to it; a status of another queue, or junk, is ignored, said so."""
    submitted = desk.submit(submission()).tracking_id
    held = desk.submit(submission()).tracking_id
    desk.request_info(ADMIN, held, "Mohon lengkapi lokasinya.")
    sign_in(client, "admin-demo")
    assert _ids(client.get("/staf/verifikasi?status=on_hold").text) == {held}
    assert _ids(client.get("/staf/verifikasi?status=on_hold&status=submitted").text) == {submitted, held}
    page = client.get("/staf/verifikasi?status=on_hold").text
    assert '<input type="checkbox" name="status" value="on_hold" checked>' in page
    assert 'value="forwarded"' not in page  # the verification queue offers only its own statuses
    other_queue = client.get("/staf/verifikasi?status=forwarded")
    assert _ids(other_queue.text) == {submitted, held}
    junk = client.get("/staf/verifikasi?status=%3Cscript%3E")
    assert junk.status_code == 200
    assert _ids(junk.text) == {submitted, held}
    assert "Sebagian saringan di alamat halaman tidak dikenal dan diabaikan." in junk.text
    assert "<script>" not in junk.text.split("<main", 1)[1]


def test_the_flag_filters_combine(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """Anonymous (tested on the views) and confidential (a library filter) narrow alone and together."""
    plain = desk.submit(submission()).tracking_id
    anonymous = desk.submit(submission(anonymous=True)).tracking_id
    confidential = desk.submit(submission(confidential=True)).tracking_id
    both = desk.submit(submission(anonymous=True, confidential=True)).tracking_id
    sign_in(client, "admin-demo")
    assert _ids(client.get("/staf/verifikasi?flag=anonymous").text) == {anonymous, both}
    assert _ids(client.get("/staf/verifikasi?flag=confidential").text) == {confidential, both}
    assert _ids(client.get("/staf/verifikasi?flag=anonymous&flag=confidential").text) == {both}
    assert _ids(client.get("/staf/verifikasi?flag=nope").text) == {plain, anonymous, confidential, both}


def test_the_escalated_flag_and_the_ombudsman_inbox_filter(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """Oversight narrows to complaints escalated to the Ombudsman; the Ombudsman's inbox takes filters too."""
    quiet = desk.submit(submission(category="waste")).tracking_id
    desk.forward(ADMIN, quiet, institution="31.71")
    sign_in(client, "ombudsman-demo")
    assert _ids(client.get("/staf/pengawasan").text) == {quiet}
    assert _ids(client.get("/staf/pengawasan?flag=escalated").text) == set()
    assert client.get("/staf/ombudsman?topic=waste&flag=anonymous").status_code == 200


def _last_day_noon(portal: Portal, view: lc.ComplaintView) -> datetime:
    """Noon, in the portal's zone, of the last day the view's current deadline allows."""
    deadline = view.current_deadlines[-1]
    assert deadline.due_at is not None
    day = last_day(deadline.due_at, portal.calendar_for(deadline.institution))
    return datetime.combine(day, time(12), portal.zone)


def test_the_deadline_filter_reads_the_countdown(
    client: TestClient, desk: lc.ComplaintDesk, portal: Portal, clock: FrozenClock
) -> None:
    """Overdue, due today, due within 3 or 5 working days and paused each select what the column says."""
    old = desk.submit(submission(title="Lama")).tracking_id
    held = desk.submit(submission(title="Ditahan")).tracking_id
    desk.request_info(ADMIN, held, "Mohon foto.")
    clock.advance(days=40)
    due_today = desk.submit(submission(title="Hari ini")).tracking_id
    clock.set(_last_day_noon(portal, desk.view(ADMIN, due_today)))
    fresh = desk.submit(submission(title="Baru")).tracking_id
    sign_in(client, "admin-demo")
    assert _ids(client.get("/staf/verifikasi?deadline=overdue").text) == {old}
    assert _ids(client.get("/staf/verifikasi?deadline=today").text) == {due_today}
    assert _ids(client.get("/staf/verifikasi?deadline=paused").text) == {held}
    assert _ids(client.get("/staf/verifikasi?deadline=within-3").text) == {due_today, fresh}
    assert _ids(client.get("/staf/verifikasi?deadline=within-5").text) == {due_today, fresh}
    overdue = client.get("/staf/verifikasi?deadline=overdue").text
    assert "terlambat" in overdue
    assert '<option value="overdue" selected>' in overdue
    junk = client.get("/staf/verifikasi?deadline=kemarin")
    assert _ids(junk.text) == {old, held, due_today, fresh}
    assert "diabaikan" in junk.text


def test_the_filters_combine_and_clear(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """Topic, flag and status together select what matches all; "Hapus saringan" shows the whole queue."""
    wanted = desk.submit(submission(category="waste", anonymous=True)).tracking_id
    desk.submit(submission(category="waste"))
    desk.submit(submission(category="roads-bridges", anonymous=True))
    sign_in(client, "admin-demo")
    page = client.get("/staf/verifikasi?topic=waste&flag=anonymous&status=submitted&size=25").text
    assert _ids(page) == {wanted}
    assert '<a href="/staf/verifikasi" id="clear-filters" class="button">Hapus saringan</a>' in page
    assert 'id="clear-filters"' not in client.get("/staf/verifikasi").text
    assert 'id="clear-filters"' not in client.get("/staf/verifikasi?size=25").text


def test_a_tracking_id_in_the_search_box_opens_that_complaint(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """A tracking ID (any case, spaces around) opens the complaint when this officer may see it."""
    tracking_id = desk.submit(submission()).tracking_id
    sign_in(client, "admin-demo")
    answer = client.get("/staf/verifikasi", params={"q": f"  {tracking_id.lower()} "})
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/staf/pengaduan/{tracking_id}"


def test_a_tracking_id_another_institution_holds_is_not_found(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """Bandung's officer searching for Jakarta's confidential complaint learns only that they may see none."""
    tracking_id = desk.submit(submission(title="Rahasia Jakarta", confidential=True)).tracking_id
    desk.forward(ADMIN, tracking_id, institution="31.71")
    sign_in(client, "pemkot-bandung")
    answer = client.get("/staf/kotak-masuk", params={"q": tracking_id})
    assert answer.status_code == 200
    assert f"Tidak ada pengaduan bernomor {tracking_id} yang dapat Anda lihat." in answer.text
    assert "Rahasia Jakarta" not in answer.text


def test_the_search_box_finds_words_in_what_the_officer_sees(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """Words are looked for in the title and text (any case, every word); the box keeps what was typed."""
    lamp = desk.submit(submission(title="Lampu jalan mati", body="Di Jalan Kenanga.")).tracking_id
    desk.submit(submission(title="Sampah menumpuk", body="Di pasar."))
    sign_in(client, "admin-demo")
    assert _ids(client.get("/staf/verifikasi", params={"q": "LAMPU kenanga"}).text) == {lamp}
    assert _ids(client.get("/staf/verifikasi", params={"q": "lampu pasar"}).text) == set()
    page = client.get("/staf/verifikasi", params={"q": '"><b>x'}).text
    assert 'value="&#34;&gt;&lt;b&gt;x"' in page
    assert "Tidak ada pengaduan yang cocok dengan saringan ini." in page


def test_the_search_uses_the_librarys_keyword_rules(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """Words are found inside words, accents folded; punctuation alone is refused, said why, and ignored."""
    cafe = desk.submit(submission(title="Kafe liar", body="Café di trotoar menutup jalan.")).tracking_id
    other = desk.submit(submission(title="Sampah", body="Di pasar.")).tracking_id
    sign_in(client, "admin-demo")
    assert _ids(client.get("/staf/verifikasi", params={"q": "cafe trotoarnya"}).text) == set()
    assert _ids(client.get("/staf/verifikasi", params={"q": "CAFE troto"}).text) == {cafe}
    junk = client.get("/staf/verifikasi", params={"q": "!!!"}).text
    assert _ids(junk) == {cafe, other}
    assert "Kata pencarian tidak dipakai: harus berisi setidaknya satu kata (huruf atau angka)." in junk
    assert 'value="!!!"' in junk
    assert '<a href="/staf/verifikasi/ekspor.csv?" id="export-csv"' in junk


@given(
    size=st.text(max_size=8),
)
def test_any_page_size_reads_within_bounds(size: str) -> None:
    """Whatever ``size`` holds, the page size lies in 10 .. 100, and only unusable text is reported."""
    rows, bad = page_size(size)
    assert MIN_PAGE_SIZE <= rows <= MAX_PAGE_SIZE
    if size.strip().isascii() and size.strip().isdigit():
        assert not bad
        assert rows == min(max(int(size.strip()), MIN_PAGE_SIZE), MAX_PAGE_SIZE)


def test_a_huge_page_size_is_capped(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """``size=1000000`` shows at most 100 rows; ``size=lima`` the default 50, said to be ignored."""
    for _ in range(105):
        desk.submit(submission())
    sign_in(client, "admin-demo")
    assert len(_ids(client.get("/staf/verifikasi?size=1000000").text)) == MAX_PAGE_SIZE
    junk = client.get("/staf/verifikasi?size=lima").text
    assert len(_ids(junk)) == DEFAULT_PAGE_SIZE
    assert "diabaikan" in junk
    assert len(_ids(client.get("/staf/verifikasi?size=25").text)) == 25
