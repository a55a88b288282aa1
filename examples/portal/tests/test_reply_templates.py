"""Issue 21: ready-made answers fill a message box on a complaint's staff page, with or without the script."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient

import lapor_core as lc
from lapor_portal.i18n import Translator
from lapor_portal.reply_templates import by_form, filled, reply_templates
from portal_helpers import ADMIN, sign_in, submission


def _box(page: str, box_id: str) -> str:
    found = re.search(rf'<textarea id="{box_id}"[^>]*>(.*?)</textarea>', page, re.DOTALL)
    assert found, f"no {box_id}"
    return html.unescape(found.group(1))


def test_a_template_in_the_address_fills_its_form(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """``?template=ask-photo`` fills the request for more information, naming the complaint; only it."""
    tracking_id = desk.submit(submission()).tracking_id
    sign_in(client, "admin-demo")
    page = client.get(f"/staf/pengaduan/{tracking_id}", params={"template": "ask-photo"}).text
    assert _box(page, "hold-message").startswith("Mohon lampirkan foto atau bukti lain")
    assert tracking_id in _box(page, "hold-message")
    assert _box(page, "archive-reason") == ""
    assert 'action="/staf/pengaduan/' + tracking_id + '#hold"' in page
    assert '<option value="ask-location"' in page


def test_the_picker_lists_each_forms_own_templates_in_the_page_language(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """The institution's follow-up offers the follow-up answers, in English after the switch."""
    tracking_id = desk.submit(submission()).tracking_id
    desk.forward(ADMIN, tracking_id, institution="31.71")
    sign_in(client, "pemkot-jakpus")
    page = client.get(f"/staf/pengaduan/{tracking_id}").text
    assert '<select name="template" data-fill="follow-up-message">' in page
    assert ">Sudah ditangani</option>" in page
    assert "ask-photo" not in page  # the institution has no request-for-information form
    client.get("/bahasa/en")
    english = client.get(f"/staf/pengaduan/{tracking_id}", params={"template": "follow-up-done"}).text
    assert _box(english, "follow-up-message").startswith(f"Thank you for your report ({tracking_id}).")


def test_an_unknown_or_foreign_template_fills_nothing(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """An unknown key, markup, or a template of a form not offered: empty boxes, no error."""
    tracking_id = desk.submit(submission()).tracking_id
    sign_in(client, "admin-demo")
    for key in ("nope", "<script>alert(1)</script>", "follow-up-done"):
        answer = client.get(f"/staf/pengaduan/{tracking_id}", params={"template": key})
        assert answer.status_code == 200
        assert _box(answer.text, "hold-message") == ""
        assert "<script>alert(1)</script>" not in answer.text
    assert client.get(f"/staf/pengaduan/{tracking_id}", params={"template": "x" * 65}).status_code == 422


def test_every_template_has_words_in_both_languages() -> None:
    """Each template's name and text exist in Indonesian and English, and each names the complaint."""
    for lang in ("id", "en"):
        for template in reply_templates(Translator(lang), tracking_id="7K3M-9QXF-2HJ-Q"):
            assert not template.label.startswith("template.")
            assert "7K3M-9QXF-2HJ-Q" in template.text, template.key
            assert filled(template.key, [template]) == (template.form, template.text)
    keys = [template.key for template in reply_templates(Translator("id"), tracking_id="x")]
    assert len(keys) == len(set(keys))
    assert set(by_form(reply_templates(Translator("id"), tracking_id="x"))) == {
        "follow_up",
        "request_info",
        "reply",
    }
