"""The pages of lapor_django: submit, track and the inbox, in Indonesian (and English by Accept-Language)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django_support import ADMIN, submitted

import lapor_core as lc

pytestmark = pytest.mark.usefixtures("desk")

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
_RECEIPT = re.compile(r'id="tracking-id">([^<]+)</code>.*id="access-key">([^<]+)</code>', re.DOTALL)


def test_the_form_is_in_indonesian():
    """GET / shows the form with Indonesian labels and a CSRF field."""
    page = Client().get("/")
    assert page.status_code == 200
    assert "Kirim laporan" in page.content.decode()
    assert "csrfmiddlewaretoken" in page.content.decode()


def test_submitting_files_the_complaint_and_shows_the_key_once(desk):
    """The receipt shows the tracking ID and a key that opens the complaint; it is not cached."""
    page = Client().post("/", {"kind": "pengaduan", "title": "Lampu jalan mati", "body": "Di Jl. Melati 5."})
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    found = _RECEIPT.search(page.content.decode())
    assert found
    tracking_id, key = found.groups()
    reporter = desk.authenticate(tracking_id, key)
    assert desk.view(reporter, tracking_id).title == "Lampu jalan mati"


def test_refused_input_shows_the_librarys_messages_in_the_pages_language(desk):
    """An empty title and an unknown kind: 422 with lapor_core's texts, in Indonesian or in English."""
    data = {"kind": "keluhan", "title": "", "body": "Isi."}
    indonesian = Client().post("/", data).content.decode()
    english_page = Client().post("/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert english_page.status_code == 422
    english = english_page.content.decode()
    assert "title: tidak boleh kosong" in indonesian
    assert "Perbaiki isian berikut:" in indonesian
    assert "title: must not be empty" in english
    assert "Please correct the following:" in english
    assert desk.complaints(ADMIN).items == ()


def test_tracking_shows_the_status_and_the_institutions_follow_up(desk):
    """With the right key: the reporter-facing status word and the follow-up in the history."""
    receipt = submitted(desk, follow_up="Lampu sudah diganti.")
    page = Client().post("/lacak/", {"tracking_id": receipt.tracking_id, "access_key": receipt.access_key})
    text = page.content.decode()
    assert page.status_code == 200
    assert '<strong id="summary">Proses</strong>' in text
    assert "Lampu sudah diganti." in text


def test_a_wrong_key_and_an_unknown_id_get_the_same_page(desk):
    """404 with one message for both: the page does not say which part was wrong."""
    receipt = submitted(desk)
    wrong_key = Client().post("/lacak/", {"tracking_id": receipt.tracking_id, "access_key": "X" * 20})
    unknown = Client().post("/lacak/", {"tracking_id": str(lc.TrackingId.new()), "access_key": "X" * 20})
    junk = Client().post("/lacak/", {"tracking_id": "<script>", "access_key": ""})
    assert wrong_key.status_code == unknown.status_code == junk.status_code == 404
    pages = {_CSRF.sub("", page.content.decode()) for page in (wrong_key, unknown, junk)}
    assert len(pages) == 1


def test_the_inbox_lists_the_institutions_complaints_only(desk, officer_client):
    """An officer of 31.71 sees the complaint forwarded to 31.71, not the one forwarded to 73.71."""
    ours = submitted(desk, institution="31.71", title="Trotoar rusak")
    theirs = submitted(desk, institution="73.71", title="Sampah menumpuk", confidential=True)
    text = officer_client.get("/kotak-masuk/").content.decode()
    assert ours.tracking_id in text
    assert "Trotoar rusak" in text
    assert theirs.tracking_id not in text


def test_the_inbox_needs_a_signed_in_user():
    """Anonymous visitors are sent to the sign-in page."""
    answer = Client().get("/kotak-masuk/")
    assert answer.status_code == 302
    assert answer["Location"].startswith("/masuk/")
