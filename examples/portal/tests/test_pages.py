from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

import lapor_core as lc
from lapor_portal.context import Portal
from portal_helpers import ADMIN, JAKPUS, csrf, error_summary, submission, submit


def _published(desk: lc.ComplaintDesk, **fields: object) -> str:
    receipt = desk.submit(submission(**fields))
    desk.forward(ADMIN, receipt.tracking_id, institution="31.71")
    return receipt.tracking_id


@pytest.mark.parametrize("path", ["/", "/lapor", "/lacak", "/pengaduan", "/masuk"])
def test_public_pages_render_in_both_languages(client: TestClient, path: str) -> None:
    """Every public page renders in Indonesian by default and in English after the switch."""
    indonesian = client.get(path)
    assert indonesian.status_code == 200
    assert '<html lang="id">' in indonesian.text
    switched = client.get(f"/bahasa/en?next={path}")
    assert switched.status_code == 303
    assert switched.headers["location"] == path
    english = client.get(path)
    assert '<html lang="en">' in english.text
    assert "Track a report" in english.text


def test_language_switch_refuses_to_redirect_off_site(client: TestClient) -> None:
    """The language switch only goes back to paths on this site."""
    assert client.get("/bahasa/en?next=//evil.example/x").headers["location"] == "/"
    assert client.get("/bahasa/en?next=https://evil.example").headers["location"] == "/"


def test_unknown_language_keeps_indonesian(client: TestClient) -> None:
    """An unknown language code changes nothing."""
    client.get("/bahasa/xx?next=/")
    assert '<html lang="id">' in client.get("/").text


def test_submit_form_offers_every_kind_topic_and_province(client: TestClient, portal: Portal) -> None:
    """The form lists the three kinds, every topic and the 38 provinces, and explains both privacy flags."""
    page = client.get("/lapor").text
    for kind in lc.Kind:
        assert f'value="{kind.value}"' in page
    assert all(f'value="{topic.id}"' in page for _, children in portal.topic_groups() for topic in children)
    assert page.count('<option value="') >= 38 + 50
    assert "Anonim: nama dan kontak Anda tidak diperlihatkan" in page
    assert "Rahasia: isi laporan tidak ditampilkan kepada publik" in page


def test_region_pickers_are_filled_from_the_query_without_javascript(client: TestClient) -> None:
    """With a province and regency chosen, the next lists hold their children (the no-script path)."""
    page = client.get("/lapor?province=31&regency=31.71").text
    assert 'value="31.71" selected' in page
    assert ">Gambir</option>" in page


def test_refresh_button_reloads_the_region_lists_without_submitting(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """The no-script refresh button re-shows the form with the chosen province's regencies."""
    token = csrf(client, "/lapor")
    answer = client.post("/lapor", data={"province": "32", "title": "x", "refresh": "1", "csrf_token": token})
    assert answer.status_code == 200
    assert ">Kota Bandung</option>" in answer.text
    assert desk.complaints(ADMIN).items == ()


def test_submitting_shows_the_receipt_once_and_stores_the_complaint(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """The receipt shows the tracking ID and the access key, which opens the complaint."""
    receipt = submit(client, district="31.71.01", lat="-6.17", lon="106.82", anonymous="1", name="Siti")
    principal = desk.authenticate(receipt.tracking_id, receipt.access_key)
    view = desk.view(principal, receipt.tracking_id)
    assert view.region == "31.71.01"
    assert view.anonymous
    assert view.channel is lc.Channel.WEB
    assert view.reporter is not None
    assert view.reporter.name == "Siti"


def test_receipt_asks_to_confirm_the_key_was_saved(client: TestClient) -> None:
    """The receipt page holds a required "I saved the key" checkbox and a leave warning."""
    token = csrf(client, "/lapor")
    page = client.post("/lapor", data={"kind": "aspirasi", "title": "T", "body": "B", "csrf_token": token})
    assert 'id="saved" name="confirm" value="1" required' in page.text
    assert "data-guard-leave=" in page.text
    assert page.headers["cache-control"] == "no-store"


def test_invalid_submission_lists_every_bad_field_and_keeps_the_input(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """Empty title, bad coordinates and a bad e-mail are all reported; the typed text is shown again."""
    token = csrf(client, "/lapor")
    data = {
        "kind": "pengaduan",
        "title": " ",
        "body": "Isi tetap",
        "lat": "utara",
        "lon": "106.8",
        "email": "budi@",
        "csrf_token": token,
    }
    page = client.post("/lapor", data=data)
    assert page.status_code == 422
    for field in ("title", "lat", "email"):
        assert f'id="{field}-error"' in page.text
    assert ">Isi tetap</textarea>" in page.text
    assert desk.complaints(ADMIN).items == ()


def test_unknown_region_is_refused_with_suggestions(client: TestClient) -> None:
    """A region code that does not exist is refused on the region field."""
    token = csrf(client, "/lapor")
    page = client.post(
        "/lapor",
        data={"kind": "pengaduan", "title": "T", "body": "B", "regency": "31.99", "csrf_token": token},
    )
    assert page.status_code == 422
    assert 'id="region-error"' in page.text
    (line,) = error_summary(page.text)
    assert line.startswith("Lokasi (wilayah): wilayah tidak dikenal; mungkin maksud Anda 31.7")


def test_unknown_kind_is_refused(client: TestClient) -> None:
    """A tampered kind is reported on the kind field."""
    page = client.post(
        "/lapor", data={"kind": "gosip", "title": "T", "body": "B", "csrf_token": csrf(client)}
    )
    assert page.status_code == 422
    assert 'id="kind-error"' in page.text


def test_form_errors_show_the_library_messages_in_indonesian(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """An empty title and a half coordinate: Indonesian field names with the library's Indonesian messages."""
    page = client.post(
        "/lapor",
        data={"kind": "pengaduan", "title": " ", "body": "B", "lat": "-6.2", "csrf_token": csrf(client)},
    )
    assert page.status_code == 422
    summary = error_summary(page.text)
    assert "Judul: tidak boleh kosong" in summary
    assert any(line.startswith("Bujur: ") for line in summary), summary
    assert '<p class="error" id="title-error">tidak boleh kosong</p>' in page.text
    assert "must not be empty" not in page.text
    assert desk.complaints(ADMIN).items == ()


def test_form_errors_are_english_after_the_switch(client: TestClient) -> None:
    """On English pages the same refusal reads in English, with English field names."""
    client.get("/bahasa/en?next=/")
    page = client.post(
        "/lapor", data={"kind": "pengaduan", "title": "", "body": "B", "csrf_token": csrf(client)}
    )
    assert page.status_code == 422
    assert error_summary(page.text) == ["Title: must not be empty"]


@pytest.mark.parametrize("value", ["yes", "true", "on", "0"])
def test_a_checkbox_value_that_is_not_the_checkbox_is_refused(
    client: TestClient, desk: lc.ComplaintDesk, value: str
) -> None:
    """anonymous=yes is refused as not a boolean, never stored as a non-anonymous complaint."""
    data = {"kind": "pengaduan", "title": "T", "body": "B", "anonymous": value, "csrf_token": csrf(client)}
    page = client.post("/lapor", data=data)
    assert page.status_code == 422
    refused = lc.FieldError("anonymous", "value.not_boolean", {"type": "string"}).message("id")
    assert error_summary(page.text) == [f"Anonim: {refused}"]
    assert 'id="anonymous-error"' in page.text
    assert desk.complaints(ADMIN).items == ()


def test_checkboxes_map_to_true_and_false(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """A ticked checkbox is True, an absent one False."""
    ticked = submit(client, confidential="1")
    view = desk.view(ADMIN, ticked.tracking_id)
    assert (view.anonymous, view.confidential) == (False, True)


def test_huge_text_is_refused_not_crashing(client: TestClient) -> None:
    """A title far over the limit is a validation error, not a server error."""
    page = client.post(
        "/lapor", data={"kind": "pengaduan", "title": "x" * 5000, "body": "B", "csrf_token": csrf(client)}
    )
    assert page.status_code == 422


def test_user_text_is_escaped_everywhere(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """Markup in a title and body is shown as text on the list, the detail and the receipt pages."""
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    tid = _published(desk, title=evil[:150], body=evil)
    for path in ("/", "/pengaduan", f"/pengaduan/{tid}"):
        page = client.get(path).text
        assert "<script>alert" not in page
        assert "<img src=x" not in page
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page


def test_confidential_and_unverified_complaints_do_not_exist_publicly(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """The public list, detail page and tracking lookup know nothing of confidential or unverified ones."""
    secret = _published(desk, title="Rahasia sekali", confidential=True)
    fresh = desk.submit(submission(title="Belum diverifikasi")).tracking_id
    listing = client.get("/pengaduan").text
    assert "Rahasia sekali" not in listing
    assert "Belum diverifikasi" not in listing
    for tid in (secret, fresh):
        assert client.get(f"/pengaduan/{tid}").status_code == 404
        assert client.get(f"/lacak?id={tid}").status_code == 404


def test_anonymous_reporter_is_anonim_on_the_public_page(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """An anonymous complaint's public page never shows the reporter's name."""
    tid = _published(desk, anonymous=True, reporter={"name": "Siti Rahayu", "email": "siti@contoh.go.id"})
    page = client.get(f"/pengaduan/{tid}").text
    assert "Siti" not in page
    assert "siti@contoh.go.id" not in page


def test_public_detail_shows_the_follow_up_and_the_deadlines(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """A followed-up complaint shows the institution's answer and its service-level clocks."""
    tid = _published(desk, title="Sampah menumpuk")
    desk.follow_up(JAKPUS, tid, "Sudah diangkut hari ini.")
    page = client.get(f"/pengaduan/{tid}").text
    assert "Sudah diangkut hari ini." in page
    assert "Tindak lanjut instansi" in page
    assert "Pemerintah Kota Administrasi Jakarta Pusat" in page


def test_dates_and_the_timeline_follow_the_page_language(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """Dates and times are written as a reader of the page's language writes them (Babel), words likewise."""
    tid = _published(desk, title="Lampu jalan mati")
    indonesian = client.get(f"/pengaduan/{tid}").text
    assert "17 Mar 2026 10.00 WIB" in indonesian
    assert "Laporan dikirim" in indonesian
    assert "admin LAPOR!" in indonesian
    client.get("/bahasa/en?next=/")
    english = client.get(f"/pengaduan/{tid}").text
    assert "Mar 17, 2026, 10:00\N{NARROW NO-BREAK SPACE}AM WIB" in english
    assert "Report submitted" in english
    assert "Laporan dikirim" not in english


def test_sloppy_tracking_id_redirects_to_the_canonical_page(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """A lower-case tracking ID without hyphens redirects to the canonical address."""
    tid = _published(desk)
    answer = client.get(f"/pengaduan/{tid.lower().replace('-', '')}")
    assert answer.status_code == 308
    assert answer.headers["location"] == f"/pengaduan/{tid}"


def test_browse_filters_by_status_kind_topic_and_province(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """Each filter narrows the public list."""
    _published(desk, title="Jalan Bandung", category="roads-bridges", location={"region": "32.73"})
    followed = _published(desk, title="Aspirasi Jakarta", kind="aspirasi", location={"region": "31.71"})
    desk.follow_up(JAKPUS, followed, "Terima kasih.")

    def titles(query: str) -> set[str]:
        page = client.get(f"/pengaduan?{query}").text
        return {t for t in ("Jalan Bandung", "Aspirasi Jakarta") if t in page}

    assert titles("") == {"Jalan Bandung", "Aspirasi Jakarta"}
    assert titles("status=followed_up") == {"Aspirasi Jakarta"}
    assert titles("kind=aspirasi") == {"Aspirasi Jakarta"}
    assert titles("topic=roads-bridges") == {"Jalan Bandung"}
    assert titles("province=32") == {"Jalan Bandung"}
    assert titles("status=bogus&province=99") == {"Jalan Bandung", "Aspirasi Jakarta"}


def test_browse_pages_with_a_cursor(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """More than a page of complaints continues on a next page with the filters kept."""
    for number in range(23):
        _published(desk, title=f"Laporan nomor {number:02d}", kind="aspirasi")
    first = client.get("/pengaduan?kind=aspirasi").text
    link = re.search(r'href="/pengaduan\?([^"]+)" rel="next"', first)
    assert link is not None
    second = client.get("/pengaduan?" + link.group(1).replace("&amp;", "&")).text
    shown = {n for n in range(23) if f"Laporan nomor {n:02d}" in first or f"Laporan nomor {n:02d}" in second}
    assert shown == set(range(23))
    assert "kind=aspirasi" in link.group(1)


def test_home_lists_the_latest_public_complaints(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """The home page shows published complaints, newest first."""
    _published(desk, title="Pertama")
    page = client.get("/").text
    assert "Pertama" in page


def test_unknown_page_is_a_page_not_json(client: TestClient) -> None:
    """An unknown address answers 404 with the portal's page; under /api it answers the API's problem."""
    page = client.get("/tidak-ada")
    assert page.status_code == 404
    assert "text/html" in page.headers["content-type"]
    api = client.get("/api/v1/tidak-ada")
    assert api.status_code == 404
    assert api.json() == {"code": None, "detail": "Alamat ini tidak ada di API", "errors": []}


def test_the_similar_button_shows_public_complaints_like_the_draft_without_submitting(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """Is this yours? The button lists the public duplicate, never a confidential one, and stores nothing."""
    light = {
        "title": "Lampu jalan mati di Jl. Merdeka",
        "body": "Sudah seminggu lampu PJU gelap.",
        "location": {"region": "31.71.01"},
    }
    public = _published(desk, **light)
    secret = desk.submit(submission(**light, confidential=True)).tracking_id
    desk.forward(ADMIN, secret, institution="31.71")
    _published(desk, **{**light, "title": "Pungutan liar di kelurahan", "body": "Petugas minta uang."})
    before = len(desk.complaints(ADMIN).items)
    token = csrf(client, "/lapor")
    draft = {"title": "lampu jln merdeka ga nyala", "body": "pju mati sdh 7 hr", "district": "31.71.01"}
    page = client.post(
        "/lapor", data={**draft, "province": "31", "regency": "31.71", "similar": "1", "csrf_token": token}
    )
    assert page.status_code == 200
    panel = page.text.split('id="similar"')[1].split("</section>")[0]
    assert f'href="/pengaduan/{public}"' in panel
    assert secret not in page.text
    assert "Pungutan" not in panel
    assert 'value="lampu jln merdeka ga nyala"' in page.text  # the draft is kept
    assert len(desk.complaints(ADMIN).items) == before


def test_the_similar_button_says_so_when_nothing_is_alike_and_asks_for_a_title_first(
    client: TestClient,
) -> None:
    """An empty store: the panel says nothing alike was found; a draft without a title shows its error."""
    token = csrf(client, "/lapor")
    page = client.post(
        "/lapor", data={"title": "Jembatan putus", "body": "Tolong", "similar": "1", "csrf_token": token}
    )
    assert 'id="similar"' in page.text
    assert "<li>" not in page.text.split('id="similar"')[1].split("</section>")[0]
    untitled = client.post(
        "/lapor", data={"title": "", "body": "Tolong", "similar": "1", "csrf_token": token}
    )
    assert untitled.status_code == 422
    assert 'id="similar"' not in untitled.text
