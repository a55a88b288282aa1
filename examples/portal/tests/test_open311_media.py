"""Open311 and attachments: ``media`` accepted on POST, ``media_url`` on requests with a public photo."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from PIL import Image

import lapor_core as lc
from portal_helpers import ADMIN, OPEN311_KEY

BASE = "/open311/v2"
CANARY = "CANARY-SERIAL-0042"


def _photo() -> bytes:
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0xA431] = CANARY
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (20, 120, 40)).save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def _post(client: TestClient, media: bytes, **fields: str) -> str:
    data = {
        "api_key": OPEN311_KEY,
        "service_code": "roads-bridges",
        "description": "Lubang besar di Jl. Merdeka.",
        "lat": "-6.1754",
        "long": "106.8272",
        "attribute[region]": "31.71.01",
        **fields,
    }
    answer = client.post(
        f"{BASE}/requests.json", data=data, files={"media": ("foto.jpg", media, "image/jpeg")}
    )
    assert answer.status_code == 200, answer.text
    tid: str = answer.json()[0]["service_request_id"]
    return tid


def test_a_posted_media_file_becomes_a_stripped_attachment(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """A media file (multipart) is stored as the complaint's attachment, without its metadata."""
    tid = _post(client, _photo())
    (attachment,) = desk.attachments(ADMIN, tid)
    assert (attachment.filename, attachment.content_type) == ("foto.jpg", "image/jpeg")
    assert CANARY.encode() not in desk.read_attachment(ADMIN, tid, attachment.id)


def test_a_refused_media_file_is_a_georeport_error(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """HTML as media: 400 naming the media parameter; no complaint stored."""
    data = {
        "api_key": OPEN311_KEY,
        "service_code": "roads-bridges",
        "description": "Isi",
        "address_id": "31.71",
    }
    answer = client.post(
        f"{BASE}/requests.json", data=data, files={"media": ("x.jpg", b"<html>", "image/jpeg")}
    )
    assert answer.status_code == 400
    assert any(error["description"].startswith("media:") for error in answer.json())
    assert desk.complaints(ADMIN).items == ()


@pytest.mark.parametrize(("flags", "public"), [({}, True), ({"attribute[anonymous]": "true"}, False)])
def test_media_url_points_at_the_public_photo_only(
    client: TestClient, desk: lc.ComplaintDesk, flags: dict[str, str], public: bool
) -> None:
    """A published plain complaint's request has media_url (which serves the photo); an anonymous one None."""
    tid = _post(client, _photo(), **flags)
    desk.forward(ADMIN, tid, institution="31.71")
    (request,) = client.get(f"{BASE}/requests/{tid}.json").json()
    (attachment,) = desk.attachments(ADMIN, tid)
    if not public:
        assert request["media_url"] is None
        return
    assert request["media_url"] == f"http://testserver/pengaduan/{tid}/lampiran/{attachment.id}"
    served = client.get(request["media_url"].removeprefix("http://testserver"))
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"
    listed = client.get(f"{BASE}/requests.json", params={"service_request_id": tid}).json()
    assert listed[0]["media_url"] == request["media_url"]
