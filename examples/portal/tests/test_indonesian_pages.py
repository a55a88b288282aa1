"""Issue 21: Indonesian pages say everything in Indonesian, validation messages and field names included.

Every role walks its pages on the demonstration data and sends forms with mistakes a person makes (empty
fields, a stale region, an unreadable e-mail, a poll without options, too many choices); the text a person
reads on each page (headings, labels, messages, hints, titles and placeholders) must hold none of a fixed
list of English words. Complaint texts are the reporters' own words and are left out of the check.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import lapor_core as lc
from lapor_core.stores.memory import InMemoryPollStore
from lapor_core.testing import FrozenClock
from lapor_portal import PortalSettings, create_app
from lapor_portal.seed import SeedReport, seed
from portal_helpers import PEPPER, START, TOKENS, csrf, sign_in

_ENGLISH_WORDS = """
    the and must not is are be with or of to field fields empty required invalid got between characters
    should please your you submit search sign back next error unknown string integer boolean national live
    yes open closed send save cancel none null page sweep deadline deadlines reply rating poll vote ballot
    choice choices question audience results closing opening title body location reporter name email phone
    topic region message reason institution track tracking key access report reports complaint complaints
    working days hours left overdue"""
ENGLISH: frozenset[str] = frozenset(_ENGLISH_WORDS.split())
"""Words that never occur in Indonesian text, nor in a portal's Indonesian copy."""
_CONTENT = re.compile(
    r'(?s)<(script|style)\b.*?</\1>|<(h2 class="title"|div class="body")[^>]*>.*?</(h2|div)>'
)
_ATTRIBUTES = re.compile(r'\b(?:title|aria-label|placeholder|alt)="([^"]*)"')
_SHOWN_VALUE = re.compile(r'<input\b(?![^>]*type="(?:hidden|checkbox|radio)")[^>]*\bvalue="([^"]*)"')
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_'-]*")


def readable_text(html: str) -> str:
    """What a person reads on a page: text, labels and shown values; no scripts, no complaint texts."""
    without = _CONTENT.sub(" ", html)
    shown = (*_ATTRIBUTES.findall(without), *_SHOWN_VALUE.findall(without))
    return " ".join((re.sub(r"<[^>]+>", " ", without), *shown))


def english_words(html: str) -> set[str]:
    """The words of :data:`ENGLISH` a page shows."""
    return {word for word in _WORD.findall(readable_text(html)) if word.lower() in ENGLISH}


def test_the_check_finds_english_and_leaves_indonesian_and_reporters_words() -> None:
    """English copy is caught (in text and in a title); Indonesian copy and a complaint's own text are not."""
    assert english_words("<p>Title: must not be empty</p>") == {"Title", "must", "not", "be", "empty"}
    assert english_words('<input placeholder="Search">') == {"Search"}
    assert english_words('<input name="a" value="national">') == {"national"}
    assert english_words('<input type="hidden" name="a" value="the">') == set()
    assert english_words('<label><input type="checkbox" name="s" value="closed"> Selesai</label>') == set()
    assert english_words("<p>Judul: tidak boleh kosong</p><p>Open311</p>") == set()
    assert english_words('<h2 class="title">The road is broken</h2><div class="body">and dark</div>') == set()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, InMemoryPollStore, SeedReport]:
    url = f"sqlite:///{tmp_path_factory.mktemp('indonesian') / 'portal.db'}"
    polls = InMemoryPollStore()
    return url, polls, seed(url, pepper=PEPPER, now=START, poll_store=polls)


@pytest.fixture
def walker(seeded: tuple[str, InMemoryPollStore, SeedReport], tmp_path: Path) -> Iterator[TestClient]:
    url, polls, _ = seeded
    copy = tmp_path / "portal.db"
    copy.write_bytes(Path(url.removeprefix("sqlite:///")).read_bytes())  # each test on its own copy
    settings = PortalSettings(api_tokens=TOKENS, sweep_seconds=None)
    clock = FrozenClock(START)
    app = create_app(f"sqlite:///{copy}", pepper=PEPPER, clock=clock, settings=settings, poll_store=polls)
    with TestClient(app, follow_redirects=False) as client:
        yield client


def _followed(client: TestClient, answer: object) -> str:
    """The page an answer shows: itself, or the page its redirect leads to (where the flash message is)."""
    assert hasattr(answer, "status_code")
    if answer.status_code == 303:  # type: ignore[attr-defined]
        return client.get(answer.headers["location"]).text  # type: ignore[attr-defined]
    return str(answer.text)  # type: ignore[attr-defined]


def _pages(client: TestClient, report: SeedReport) -> Iterator[tuple[str, str]]:
    """Every page of every role, and the pages of forms sent with mistakes."""
    for path in ("/", "/lapor", "/pengaduan", "/lacak", "/masuk", "/jajak-pendapat", "/tidak-ada"):
        yield path, client.get(path).text
    mistakes = {
        "kind": "pengaduan",
        "title": "",
        "body": " ",
        "lat": "utara",
        "lon": "106,8",
        "email": "budi@",
        "phone": "12",
        "province": "31",
        "regency": "32.73",
    }
    mistakes["csrf_token"] = csrf(client, "/lapor")
    yield "/lapor (mistakes)", client.post("/lapor", data=mistakes).text
    public = report.receipt(lc.Status.FOLLOWED_UP)
    yield "/pengaduan/<id>", client.get(f"/pengaduan/{public.tracking_id}").text
    wrong = {"tracking_id": public.tracking_id, "access_key": "AAAA-BBBB-CCCC-DDDD"}
    yield "/lacak (wrong key)", client.post("/lacak", data={**wrong, "csrf_token": csrf(client)}).text
    right = {"tracking_id": public.tracking_id, "access_key": public.access_key}
    signed = client.post("/lacak", data={**right, "csrf_token": csrf(client)})
    yield "/lacak (reporter)", _followed(client, signed)
    here = f"/lacak/{public.tracking_id}"
    empty = client.post(f"{here}/balas", data={"message": " ", "csrf_token": csrf(client, here)})
    yield "reply (empty)", _followed(client, empty)
    sign_in(client, "admin-demo")
    for path in ("/staf/verifikasi", "/staf/dasbor"):
        yield path, client.get(path).text
    waiting = report.receipt(lc.Status.SUBMITTED).tracking_id
    staff_page = f"/staf/pengaduan/{waiting}"
    yield staff_page, client.get(staff_page).text
    forward = {"institution": "", "other_institution": "tidak-ada", "csrf_token": csrf(client)}
    yield "forward (unknown)", _followed(client, client.post(f"{staff_page}/teruskan", data=forward))
    hold = {"message": " ", "csrf_token": csrf(client)}
    yield "hold (empty)", _followed(client, client.post(f"{staff_page}/tunda", data=hold))
    sign_in(client, "pemkot-jakpus")
    for path in ("/staf/kotak-masuk", "/staf/jajak-pendapat"):
        yield path, client.get(path).text
    poll = {
        "question": "",
        "options": "Setuju",
        "max_choices": "1",
        "audience": "zz",
        "opens_at": "2026-03-20T08:00",
        "closes_at": "2026-03-18T08:00",
        "results": "after_close",
        "csrf_token": csrf(client, "/staf/jajak-pendapat"),
    }
    yield "poll (mistakes)", client.post("/staf/jajak-pendapat", data=poll).text
    sign_in(client, "ombudsman-demo")
    yield "/staf/pengawasan", client.get("/staf/pengawasan").text
    sign_in(client, "warga-demo")
    listing = client.get("/jajak-pendapat").text
    for poll_id in dict.fromkeys(re.findall(r'href="/jajak-pendapat/([^"/?]+)"', listing)):
        page = f"/jajak-pendapat/{poll_id}"
        yield page, client.get(page).text
        ballot = {"choice": ["0", "1", "2", "0"], "csrf_token": csrf(client, page)}
        yield f"{page} (too many)", _followed(client, client.post(f"{page}/pilih", data=ballot))


def test_indonesian_pages_show_no_english(
    walker: TestClient, seeded: tuple[str, InMemoryPollStore, SeedReport]
) -> None:
    """Every page of every role, forms with mistakes included, is free of the listed English words."""
    found = {name: english_words(html) for name, html in _pages(walker, seeded[2])}
    assert len(found) >= 25
    assert {name: words for name, words in found.items() if words} == {}


def test_the_same_walk_in_english_is_caught(
    walker: TestClient, seeded: tuple[str, InMemoryPollStore, SeedReport]
) -> None:
    """The check is not empty: with the language switched to English, nearly every page is caught."""
    walker.cookies.set("lapor_lang", "en")
    found = {name: english_words(html) for name, html in _pages(walker, seeded[2])}
    assert sum(1 for words in found.values() if words) >= len(found) - 2


def test_the_walk_saw_the_validation_messages(
    walker: TestClient, seeded: tuple[str, InMemoryPollStore, SeedReport]
) -> None:
    """The walk did reach the error messages it is meant to check, in Indonesian, with the form's names."""
    pages = dict(_pages(walker, seeded[2]))
    assert "Judul: tidak boleh kosong" in pages["/lapor (mistakes)"]
    assert "Kabupaten/kota: harus terletak di dalam provinsi yang dipilih" in pages["/lapor (mistakes)"]
    assert "Pertanyaan: tidak boleh kosong" in pages["poll (mistakes)"]
    assert "Pilihan jawaban:" in pages["poll (mistakes)"]
