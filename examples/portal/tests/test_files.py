"""Attachments on the portal: upload with the report, files on each page its reader may see, served safely."""

from __future__ import annotations

import io
import re

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from pypdf import PdfWriter

import lapor_core as lc
from portal_helpers import ADMIN, csrf, error_summary, sign_in

_RECEIPT = re.compile(r'id="tracking-id">([^<]+)</code>.*id="access-key">([^<]+)</code>', re.DOTALL)
CANARY = "CANARY-GPS-Budi"


def _photo(size: tuple[int, int] = (1200, 900)) -> bytes:
    """A phone-like JPEG: sideways (orientation 6), with GPS and an owner name holding a canary."""
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x013B] = CANARY
    exif.get_ifd(0x8825)[2] = (6.0, 10.0, 30.0)
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def _submit(client: TestClient, files: list[tuple[str, bytes, str]], **fields: str) -> lc.Receipt:
    data = {"kind": "pengaduan", "title": "Jalan berlubang", "body": "Di depan SDN 3.", **fields}
    answer = client.post(
        "/lapor",
        data={**data, "csrf_token": csrf(client, "/lapor")},
        files=[("lampiran", (name, content, claimed)) for name, content, claimed in files],
    )
    assert answer.status_code == 200, error_summary(answer.text)
    found = _RECEIPT.search(answer.text)
    assert found
    return lc.Receipt(tracking_id=found.group(1), access_key=found.group(2))


def test_the_form_takes_files_and_warns_that_a_photo_can_show_who_took_it(client: TestClient) -> None:
    """The submit form is multipart, has a multiple file input and the plain-Indonesian warning."""
    page = client.get("/lapor").text
    assert 'enctype="multipart/form-data"' in page
    assert 'type="file" multiple' in page
    assert "foto dapat menunjukkan siapa yang mengambilnya" in page
    # The script's hooks: a preview list for the input, a progress bar for the form (the page works without).
    assert 'data-preview="lampiran-preview"' in page
    assert 'id="lampiran-preview"' in page
    assert 'data-upload-progress="upload-progress"' in page
    assert '<progress id="upload-progress" hidden' in page


def test_files_submitted_with_the_report_are_stored_stripped(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """A photo and a PDF posted with the form are the complaint's attachments, without metadata."""
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata({"/Author": CANARY})
    out = io.BytesIO()
    writer.write(out)
    pdf = out.getvalue()
    receipt = _submit(
        client, [("IMG_1.jpg", _photo(), "image/jpeg"), ("kwitansi.pdf", pdf, "application/pdf")]
    )
    files = desk.attachments(ADMIN, receipt.tracking_id)
    assert [(f.filename, f.content_type) for f in files] == [
        ("IMG_1.jpg", "image/jpeg"),
        ("kwitansi.pdf", "application/pdf"),
    ]
    for file in files:
        assert CANARY.encode() not in desk.read_attachment(ADMIN, receipt.tracking_id, file.id)


def test_a_refused_file_shows_the_form_again_with_the_reason(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """HTML named .jpg: 422, the reason in Indonesian under the file input, nothing stored."""
    token = csrf(client, "/lapor")
    answer = client.post(
        "/lapor",
        data={"kind": "pengaduan", "title": "Judul", "body": "Isi", "csrf_token": token},
        files=[("lampiran", ("foto.jpg", b"<html><script>alert(1)</script></html>", "image/jpeg"))],
    )
    assert answer.status_code == 422
    assert 'id="lampiran-error"' in answer.text or "jenis berkas tidak diterima" in answer.text
    assert any("jenis berkas tidak diterima" in line for line in error_summary(answer.text))
    assert desk.complaints(ADMIN).items == ()


def _forwarded(client: TestClient, desk: lc.ComplaintDesk, **flags: str) -> tuple[lc.Receipt, lc.Attachment]:
    receipt = _submit(client, [("jalan.jpg", _photo(), "image/jpeg")], **flags)
    desk.forward(ADMIN, receipt.tracking_id, institution="31.71")
    (attachment,) = desk.attachments(ADMIN, receipt.tracking_id)
    return receipt, attachment


def test_a_public_complaint_shows_its_photo_served_safely(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """The public page shows the thumbnail; the file comes with its type, nosniff and a sandboxing CSP."""
    receipt, attachment = _forwarded(client, desk)
    base = f"/pengaduan/{receipt.tracking_id}/lampiran/{attachment.id}"
    page = client.get(f"/pengaduan/{receipt.tracking_id}").text
    assert f'src="{base}?ukuran=kecil"' in page
    small = client.get(f"{base}?ukuran=kecil")
    assert small.status_code == 200
    assert small.headers["content-type"] == "image/jpeg"
    assert max(Image.open(io.BytesIO(small.content)).size) == 640
    full = client.get(base)
    assert full.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in full.headers["content-security-policy"]
    assert "default-src 'none'" in full.headers["content-security-policy"]
    assert full.headers["content-disposition"] == "inline; filename*=UTF-8''jalan.jpg"
    assert Image.open(io.BytesIO(full.content)).size == (900, 1200)  # upright
    assert CANARY.encode() not in full.content + small.content


@pytest.mark.parametrize("flag", ["anonymous", "confidential"])
def test_an_anonymous_or_confidential_complaint_s_photo_is_not_public(
    client: TestClient, desk: lc.ComplaintDesk, flag: str
) -> None:
    """Not on the public page, 404 at its address; staff see it, marked when from an anonymous reporter."""
    receipt, attachment = _forwarded(client, desk, **{flag: "1"})
    if flag == "anonymous":
        assert "/lampiran/" not in client.get(f"/pengaduan/{receipt.tracking_id}").text
    assert client.get(f"/pengaduan/{receipt.tracking_id}/lampiran/{attachment.id}").status_code == 404
    sign_in(client, "pemkot-jakpus")
    page = client.get(f"/staf/pengaduan/{receipt.tracking_id}").text
    assert f"/staf/pengaduan/{receipt.tracking_id}/lampiran/{attachment.id}" in page
    assert ("Dari pelapor anonim" in page) == (flag == "anonymous")
    served = client.get(f"/staf/pengaduan/{receipt.tracking_id}/lampiran/{attachment.id}")
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"


def test_the_reporter_sees_their_files_only_when_signed_in(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """Before forwarding the public gets 404; the reporter, signed in with the key, sees and opens it."""
    receipt = _submit(client, [("jalan.jpg", _photo((300, 200)), "image/jpeg")])
    (attachment,) = desk.attachments(ADMIN, receipt.tracking_id)
    address = f"/lacak/{receipt.tracking_id}/lampiran/{attachment.id}"
    assert client.get(address).status_code == 303  # not signed in: to the tracking page
    assert client.get(f"/pengaduan/{receipt.tracking_id}/lampiran/{attachment.id}").status_code == 404
    token = csrf(client, "/lacak")
    opened = client.post(
        "/lacak",
        data={"tracking_id": receipt.tracking_id, "access_key": receipt.access_key, "csrf_token": token},
    )
    assert opened.status_code == 303
    assert address in client.get(f"/lacak/{receipt.tracking_id}").text
    assert client.get(address).status_code == 200
    assert client.get(f"/lacak/{receipt.tracking_id}/lampiran/not-an-id").status_code == 404


def test_the_reporter_and_staff_add_files_later(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """The reporter's page and a handler's page take more files; a refused one is shown with its reason."""
    receipt = _submit(client, [])
    desk.forward(ADMIN, receipt.tracking_id, institution="31.71")
    token = csrf(client, "/lacak")
    client.post(
        "/lacak",
        data={"tracking_id": receipt.tracking_id, "access_key": receipt.access_key, "csrf_token": token},
    )
    page = client.get(f"/lacak/{receipt.tracking_id}").text
    assert f'action="/lacak/{receipt.tracking_id}/lampiran"' in page
    added = client.post(
        f"/lacak/{receipt.tracking_id}/lampiran",
        data={"csrf_token": csrf(client, f"/lacak/{receipt.tracking_id}")},
        files=[("lampiran", ("a.jpg", _photo((200, 100)), "image/jpeg"))],
    )
    assert added.status_code == 303
    refused = client.post(
        f"/lacak/{receipt.tracking_id}/lampiran",
        data={"csrf_token": csrf(client, f"/lacak/{receipt.tracking_id}")},
        files=[("lampiran", ("b.jpg", b"MZ\x90\x00", "image/jpeg"))],
    )
    assert refused.status_code == 422
    assert "jenis berkas tidak diterima" in refused.text
    sign_in(client, "pemkot-jakpus")
    staff_page = f"/staf/pengaduan/{receipt.tracking_id}"
    assert f'action="{staff_page}/lampiran"' in client.get(staff_page).text
    by_staff = client.post(
        f"{staff_page}/lampiran",
        data={"csrf_token": csrf(client, staff_page)},
        files=[("lampiran", ("perbaikan.jpg", _photo((100, 200)), "image/jpeg"))],
    )
    assert by_staff.status_code == 303
    assert [(a.filename, a.attached_by) for a in desk.attachments(ADMIN, receipt.tracking_id)] == [
        ("a.jpg", "reporter"),
        ("perbaikan.jpg", "institution"),
    ]


def test_oversight_is_offered_no_upload_and_may_not_attach(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """The Ombudsman reads the files but gets no form, and a forged post is refused (403)."""
    receipt, _ = _forwarded(client, desk)
    sign_in(client, "ombudsman-demo")
    page_address = f"/staf/pengaduan/{receipt.tracking_id}"
    page = client.get(page_address).text
    assert f'action="{page_address}/lampiran"' not in page
    forged = client.post(
        f"{page_address}/lampiran",
        data={"csrf_token": csrf(client, page_address)},
        files=[("lampiran", ("x.jpg", _photo((50, 50)), "image/jpeg"))],
    )
    assert forged.status_code == 403
    assert len(desk.attachments(ADMIN, receipt.tracking_id)) == 1
