"""Issue 21: the staff queues filter by topic and province, and keep the filters across pages."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

import lapor_core as lc
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
