"""Laporan saya for signed-in citizens, and the keyword search of the public list (issue 21)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

import lapor_core as lc
from lapor_core.testing import FrozenClock
from lapor_portal import DEMO_ACCOUNTS, Account, PortalSettings
from lapor_portal.seed import seed
from portal_helpers import ADMIN, OPEN311_KEY, PEPPER, START, TOKENS, sign_in, submission, submit

OTHER = Account(key="warga-lain", name="Warga lain (demo)", role=lc.Role.CITIZEN, verified=True)
_ROW = re.compile(r'<a href="(/(?:pengaduan|laporan-saya)/)([^"]+)"><code class="tid">')


@pytest.fixture(params=["memory://", "sqlite"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The in-memory store and a SQLite file: both find a citizen's reports and their words alike."""
    return "memory://" if request.param == "memory://" else f"sqlite:///{tmp_path / 'portal.db'}"


@pytest.fixture
def settings() -> PortalSettings:
    """The demonstration accounts and a second citizen."""
    return PortalSettings(
        api_tokens=TOKENS,
        open311_api_keys={OPEN311_KEY},
        sweep_seconds=None,
        accounts=(*DEMO_ACCOUNTS, OTHER),
    )


def _listed(page: str) -> list[str]:
    return [tid for _, tid in _ROW.findall(page)]


def _published(desk: lc.ComplaintDesk, owner: lc.Principal | None = None, **fields: object) -> str:
    receipt = desk.submit(submission(**fields), owner)
    desk.forward(ADMIN, receipt.tracking_id, institution="31.71")
    return str(receipt.tracking_id)


CITIZEN = next(a for a in DEMO_ACCOUNTS if a.role is lc.Role.CITIZEN)


# --- Laporan saya -------------------------------------------------------------------------------------------


def test_a_citizens_report_sent_signed_in_is_in_laporan_saya(client: TestClient) -> None:
    """Sent from the form while signed in, the report heads the citizen's list; the menu links to it."""
    sign_in(client, CITIZEN.key)
    receipt = submit(client, title="Lampu jalan mati", body="Gelap di Jl. Melati.")
    page = client.get("/laporan-saya")
    assert page.status_code == 200
    assert 'href="/laporan-saya"' in page.text
    assert _listed(page.text) == [receipt.tracking_id]
    assert "Lampu jalan mati" in page.text


def test_the_list_shows_the_citizens_own_confidential_report_and_nothing_of_another(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """Their confidential report is listed with its title; another citizen's and an anonymous one never."""
    own_secret = _published(desk, CITIZEN.principal(), title="Pungli kelurahan", confidential=True)
    own_plain = _published(desk, CITIZEN.principal(), title="Jalan berlubang")
    others = _published(desk, OTHER.principal(), title="Sampah menumpuk")
    nobodys = _published(desk, title="Banjir")
    sign_in(client, CITIZEN.key)
    page = client.get("/laporan-saya").text
    assert sorted(_listed(page)) == sorted([own_plain, own_secret])
    assert "Pungli kelurahan" in page
    assert others not in page
    assert nobodys not in page
    sign_in(client, OTHER.key)
    assert _listed(client.get("/laporan-saya").text) == [others]


def test_the_newest_report_comes_first(
    client: TestClient, desk: lc.ComplaintDesk, clock: FrozenClock
) -> None:
    """Reports sent on different days are listed newest first."""
    older = _published(desk, CITIZEN.principal(), title="Jalan berlubang")
    clock.advance(days=1)
    newer = _published(desk, CITIZEN.principal(), title="Lampu mati")
    sign_in(client, CITIZEN.key)
    assert _listed(client.get("/laporan-saya").text) == [newer, older]


def test_laporan_saya_pages_keep_the_search_in_the_address(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """Twenty-one matching reports: a next link keeping ``q``, whose page holds the last one."""
    mine = [_published(desk, CITIZEN.principal(), title=f"Lampu taman {n}") for n in range(21)]
    _published(desk, CITIZEN.principal(), title="Sampah")
    sign_in(client, CITIZEN.key)
    first = client.get("/laporan-saya?q=lampu").text
    link = re.search(r'href="(/laporan-saya\?[^"]+)" rel="next"', first)
    assert link is not None
    target = link.group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(target).query)["q"] == ["lampu"]
    second = client.get(target).text
    assert sorted(_listed(first) + _listed(second)) == sorted(mine)


def test_an_empty_list_says_so(client: TestClient) -> None:
    """A citizen without reports sees the empty list's words, not an error."""
    sign_in(client, OTHER.key)
    page = client.get("/laporan-saya")
    assert page.status_code == 200
    assert "Belum ada laporan." in page.text
    assert _listed(page.text) == []


def test_signed_out_visitors_are_sent_to_sign_in_and_staff_are_refused(client: TestClient) -> None:
    """Nobody signed in: to the sign-in page and back; staff: 403; the menu link is for citizens only."""
    answer = client.get("/laporan-saya")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/masuk?next=%2Flaporan-saya"
    assert 'href="/laporan-saya"' not in client.get("/").text
    sign_in(client, "admin-demo")
    assert client.get("/laporan-saya").status_code == 403
    assert 'href="/laporan-saya"' not in client.get("/").text


def test_one_of_my_reports_shows_as_its_reporter_sees_it(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """The citizen's own confidential report opens with its text; another's, even public, is not found."""
    secret = _published(
        desk, CITIZEN.principal(), title="Pungli kelurahan", body="Diminta 50 ribu.", confidential=True
    )
    others = _published(desk, OTHER.principal(), title="Sampah menumpuk")
    sign_in(client, CITIZEN.key)
    page = client.get(f"/laporan-saya/{secret}")
    assert page.status_code == 200
    assert "Diminta 50 ribu." in page.text
    assert f'action="/laporan-saya/{secret}/ombudsman"' in page.text  # acts here, no access key needed
    assert "/lacak" not in page.text.split("<main", 1)[1]
    assert client.get(f"/laporan-saya/{others}").status_code == 404
    assert client.get("/laporan-saya/0000-0000-000-0").status_code == 404
    assert client.get("/laporan-saya/bukan-nomor").status_code in (404, 422)


# --- keyword search of the public list ----------------------------------------------------------------------


def test_the_public_list_finds_reports_by_their_words(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """Every word, in the title or the text, any case and accents; the box keeps what was typed."""
    lamp = _published(desk, title="Lampu jalan mati", body="Gelap di Jl. Melati.")
    cafe = _published(desk, title="Parkir liar", body="Depan Café Sederhana.")
    _published(desk, title="Sampah menumpuk", body="TPS penuh.")
    page = client.get("/pengaduan?q=LAMPU+melati")
    assert page.status_code == 200
    assert _listed(page.text) == [lamp]
    assert 'value="LAMPU melati"' in page.text
    assert "Hasil pencarian untuk" in page.text
    assert _listed(client.get("/pengaduan?q=cafe").text) == [cafe]


def test_search_and_filters_combine_and_pages_keep_both(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """``q`` with a kind: both apply, and the next page's link keeps both."""
    found = [_published(desk, title=f"Jalan rusak {n}", kind="aspirasi") for n in range(21)]
    _published(desk, title="Jalan rusak juga")  # a pengaduan
    first = client.get("/pengaduan?q=rusak&kind=aspirasi").text
    link = re.search(r'href="(/pengaduan\?[^"]+)" rel="next"', first)
    assert link is not None
    target = link.group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(target).query)["q"] == ["rusak"]
    assert parse_qs(urlsplit(target).query)["kind"] == ["aspirasi"]
    assert sorted(_listed(first) + _listed(client.get(target).text)) == sorted(found)


def test_a_search_without_matches_lists_nothing(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """No report holds every word: the empty list's words."""
    _published(desk, title="Lampu jalan mati")
    page = client.get("/pengaduan?q=lampu+sampah")
    assert page.status_code == 200
    assert _listed(page.text) == []
    assert "Belum ada laporan." in page.text


@pytest.mark.parametrize(
    ("q", "said"),
    [
        ("%_%", "harus berisi setidaknya satu kata"),
        ("x" * 201, "paling banyak 200 karakter"),
        (" ".join(f"kata{n}" for n in range(11)), "paling banyak 10 kata berbeda"),
    ],
)
def test_junk_keywords_are_explained_and_list_nothing(
    client: TestClient, desk: lc.ComplaintDesk, q: str, said: str
) -> None:
    """Wordless, too long or too many words: 422 with the library's reason by the box, and no list."""
    _published(desk, title="Lampu jalan mati")
    page = client.get("/pengaduan", params={"q": q})
    assert page.status_code == 422
    assert said in page.text
    assert 'aria-invalid="true"' in page.text
    assert _listed(page.text) == []


def test_a_huge_query_is_refused_without_a_server_error(client: TestClient) -> None:
    """Far past any search box: the portal's invalid-input page, never 500."""
    assert client.get("/pengaduan", params={"q": "lampu " * 2000}).status_code == 422


def test_wildcards_and_quotes_are_words_apart(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """``%`` matches no text and quotes are punctuation: "100%" finds the report that says 100."""
    hundred = _published(desk, title="Tarif naik 100%")
    _published(desk, title="Tarif tetap")
    assert _listed(client.get("/pengaduan", params={"q": "100%"}).text) == [hundred]
    assert _listed(client.get("/pengaduan", params={"q": "'tarif' \"naik\""}).text) == [hundred]


def test_the_public_never_finds_a_confidential_report_by_its_words(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """A confidential report's words find nothing on the public list, signed out or signed in as another."""
    secret = _published(
        desk, CITIZEN.principal(), title="Pungli kelurahan", body="kata-rahasia-xq", confidential=True
    )
    for who in (None, OTHER.key):
        if who:
            sign_in(client, who)
        page = client.get("/pengaduan?q=rahasia+xq").text
        assert _listed(page) == []
        assert secret not in page
    sign_in(client, CITIZEN.key)
    assert secret not in client.get("/pengaduan?q=rahasia+xq").text
    assert _listed(client.get("/laporan-saya?q=rahasia+xq").text) == [secret]


def test_the_demonstration_citizen_has_reports_of_their_own(tmp_path: Path) -> None:
    """The seeded data gives the demo citizen two reports in Laporan saya, the confidential one too."""
    url = f"sqlite:///{tmp_path / 'seeded.db'}"
    seed(url, pepper=PEPPER, now=START)
    desk = lc.ComplaintDesk.open(url, pepper=PEPPER)
    try:
        views = desk.my_complaints(CITIZEN.principal()).items
        assert sorted(view.title or "" for view in views) == [
            "Lampu jalan mati tiga malam",
            "Pungutan liar pengurusan KTP",
        ]
        assert any(view.confidential for view in views)
    finally:
        desk.close()
