"""desk.attach / attachments / read_attachment: who may attach and read, what is stored, what is recorded."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest
from PIL import Image

import attachment_files as files
import lapor_core as lc
from desk_support import ADMIN, PEPPER, drive_to, make_desk, officer, submission
from lapor_core._domain.blobs import blob_address
from lapor_core.stores.directory import DirectoryBlobStore
from lapor_core.stores.memory import InMemoryBlobStore

UNIT = lc.Principal.unit_officer("u-1", institution="31.71", unit="dinas-pu")
SUPERVISOR = lc.Principal.supervisor("ombudsman-1")
CITIZEN = lc.Principal.citizen("warga-9", verified=True)
PUBLIC = lc.Principal.public()


def _complaint(desk: lc.ComplaintDesk, state: str = "forwarded", **flags: bool) -> tuple[str, lc.Principal]:
    receipt = desk.submit(submission())
    drive_to(
        desk,
        receipt.tracking_id,
        receipt.access_key,
        state,
        institution="31.71",
        unit="dinas-pu",
        flags=flags,
    )
    return receipt.tracking_id, desk.authenticate(receipt.tracking_id, receipt.access_key)


def _every_output(desk: lc.ComplaintDesk, tid: str, reporter: lc.Principal) -> str:
    """Everything a reader can get about the complaint, as text: views, history, listings, attachments."""
    parts: list[object] = []
    for who in (ADMIN, reporter, officer(), SUPERVISOR, PUBLIC):
        try:
            parts.append(lc.to_dict(desk.view(who, tid)))
            parts.extend(lc.to_dict(a) for a in desk.attachments(who, tid))
        except lc.NotFound:
            pass
    parts.extend(lc.to_dict(event) for event in desk.history(ADMIN, tid))
    return json.dumps(parts, default=str)


def test_a_phone_photo_is_stored_stripped_and_upright_and_its_canaries_reach_no_output() -> None:
    """The reporter attaches a phone photo: stored without metadata, upright; no canary anywhere."""
    desk, _ = make_desk()
    tid, reporter = _complaint(desk)
    photo = files.phone_photo()
    attachment = desk.attach(reporter, tid, filename="../IMG_20261207.jpg", data=photo)
    assert (attachment.content_type, attachment.filename, attachment.attached_by) == (
        "image/jpeg",
        "IMG_20261207.jpg",
        "reporter",
    )
    stored = desk.read_attachment(reporter, tid, attachment.id)
    assert hashlib.sha256(stored).hexdigest() == attachment.sha256
    assert len(stored) == attachment.size
    image = Image.open(io.BytesIO(stored))
    assert image.size == files.UPRIGHT_SIZE
    assert dict(image.getexif()) == {}
    outputs = _every_output(desk, tid, reporter).encode() + stored
    assert not [canary for canary in files.CANARIES if canary in outputs]
    assert desk.attachments(reporter, tid) == (attachment,)


def test_attaching_is_recorded_in_the_hash_chained_history_by_digest() -> None:
    """The attach event holds the digest and the reference, not the bytes; the chain still verifies."""
    desk, _ = make_desk()
    tid, reporter = _complaint(desk)
    picture = files.jpeg()
    attachment = desk.attach(officer(), tid, filename="perbaikan.jpg", data=picture)
    event = desk.history(ADMIN, tid)[-1]
    assert event.action is lc.Action.ATTACH
    assert dict(event.payload) == {
        "attachment": attachment.id,
        "sha256": attachment.sha256,
        "content_type": "image/jpeg",
        "size": attachment.size,
        "filename": "perbaikan.jpg",
    }
    assert event.actor.role == "institution"
    assert desk.verify_history(tid).ok
    assert desk.view(reporter, tid).status is lc.Status.FORWARDED  # attaching does not move the complaint


def test_the_same_bytes_attached_twice_are_one_attachment() -> None:
    """A retried upload returns the recorded attachment and records nothing more."""
    desk, _ = make_desk()
    tid, reporter = _complaint(desk)
    first = desk.attach(reporter, tid, filename="a.jpg", data=files.jpeg())
    events = len(desk.history(ADMIN, tid))
    again = desk.attach(reporter, tid, filename="b.jpg", data=files.jpeg())
    assert again == first
    assert len(desk.history(ADMIN, tid)) == events


@pytest.mark.parametrize(
    ("who", "may_attach"),
    [
        ("admin", True),
        ("reporter", True),
        ("institution", True),
        ("unit", True),
        ("supervisor", False),
        ("citizen", False),
        ("public", False),
        ("other_institution", False),
    ],
)
def test_who_may_attach_follows_the_policy(who: str, may_attach: bool) -> None:
    """Reporter, admins and the handling institution and unit attach; oversight and outsiders may not."""
    desk, _ = make_desk()
    tid, reporter = _complaint(desk, "assigned")
    principal = {
        "admin": ADMIN,
        "reporter": reporter,
        "institution": officer(),
        "unit": UNIT,
        "supervisor": SUPERVISOR,
        "citizen": CITIZEN,
        "public": PUBLIC,
        "other_institution": officer("32.73"),
    }[who]
    if may_attach:
        assert desk.attach(principal, tid, filename="x.png", data=files.png_with_text()).size > 0
    else:
        with pytest.raises(lc.NotAllowed):
            desk.attach(principal, tid, filename="x.png", data=files.png_with_text())
        assert desk.attachments(ADMIN, tid) == ()


@pytest.mark.parametrize(
    ("flags", "public_sees"),
    [({}, True), ({"anonymous": True}, False), ({"confidential": True}, False)],
    ids=["plain", "anonim", "rahasia"],
)
def test_the_public_sees_attachments_only_of_a_published_plain_complaint(
    flags: dict[str, bool], public_sees: bool
) -> None:
    """Published, not confidential: the public reads them, unless anonymous (a photo can show its author)."""
    desk, _ = make_desk()
    tid, reporter = _complaint(desk, **flags)
    attachment = desk.attach(reporter, tid, filename="foto.jpg", data=files.jpeg())
    for principal in (PUBLIC, CITIZEN, officer("32.73"), SUPERVISOR):
        if public_sees:
            assert desk.attachments(principal, tid) == (attachment,)
            assert desk.read_attachment(principal, tid, attachment.id)
        else:
            with pytest.raises(lc.NotFound) as listed:
                desk.attachments(principal, tid)
            with pytest.raises(lc.NotFound) as read:
                desk.read_attachment(principal, tid, attachment.id)
            assert (listed.value.fields, read.value.fields) == ({"kind": "complaint", "key": tid},) * 2
    for principal in (ADMIN, reporter, officer()):
        assert desk.attachments(principal, tid) == (attachment,)


def test_an_unpublished_complaint_s_attachments_are_hidden_like_an_unknown_id() -> None:
    """Before forwarding only the reporter and admins know it: the rest get NotFound as for an unknown ID."""
    desk, _ = make_desk()
    tid, reporter = _complaint(desk, "submitted")
    attachment = desk.attach(reporter, tid, filename="foto.jpg", data=files.jpeg())
    assert desk.attachments(ADMIN, tid) == (attachment,)
    unknown = "7K3M9QXF2HJQ"
    for principal in (PUBLIC, officer(), SUPERVISOR):
        with pytest.raises(lc.NotFound) as hidden:
            desk.attachments(principal, tid)
        assert hidden.value.fields == {"kind": "complaint", "key": tid}
        with pytest.raises(lc.NotFound):
            desk.attach(principal, tid, filename="x.jpg", data=files.jpeg())
    with pytest.raises((lc.NotFound, lc.InvalidTrackingId)):
        desk.attachments(ADMIN, unknown)


def test_the_view_names_the_attachments_as_withheld_when_they_are() -> None:
    """A public view of an anonymous complaint lists "attachments" among what it withholds."""
    desk, _ = make_desk()
    tid, _ = _complaint(desk, anonymous=True)
    assert "attachments" in desk.view(PUBLIC, tid).withheld
    assert "attachments" not in desk.view(officer(), tid).withheld


def test_unknown_attachment_ids_are_not_found() -> None:
    """An attachment ID of another complaint, a made-up one, or not a string: NotFound."""
    desk, _ = make_desk()
    tid, reporter = _complaint(desk)
    other, other_reporter = _complaint(desk)
    theirs = desk.attach(other_reporter, other, filename="x.jpg", data=files.jpeg())
    for bad in (theirs.id, "0" * 26, "", 42, None):
        with pytest.raises(lc.NotFound):
            desk.read_attachment(reporter, tid, bad)


def test_closed_and_archived_complaints_take_no_attachments() -> None:
    """Attaching to a complaint whose handling ended is refused; its attachments stay readable."""
    desk, _ = make_desk()
    tid, reporter = _complaint(desk, "followed_up")
    attachment = desk.attach(reporter, tid, filename="a.jpg", data=files.jpeg())
    desk.close_complaint(reporter, tid)
    with pytest.raises(lc.TransitionNotAllowed):
        desk.attach(reporter, tid, filename="b.pdf", data=files.pdf_with_metadata())
    assert desk.attachments(reporter, tid) == (attachment,)


def test_the_count_limit_is_configurable_on_the_desk() -> None:
    """max_files=2: the third different file is refused with attachment.too_many; nothing is recorded."""
    desk, _ = make_desk(attachment_limits=lc.AttachmentLimits(max_files=2))
    tid, reporter = _complaint(desk)
    desk.attach(reporter, tid, filename="a.jpg", data=files.jpeg((64, 48)))
    desk.attach(reporter, tid, filename="b.jpg", data=files.jpeg((48, 64)))
    events = len(desk.history(ADMIN, tid))
    with pytest.raises(lc.ValidationError) as raised:
        desk.attach(reporter, tid, filename="c.pdf", data=files.pdf_with_metadata())
    assert raised.value.errors[0].code == "attachment.too_many"
    assert len(desk.history(ADMIN, tid)) == events


def test_the_default_limits_are_ten_mebibytes_and_five_files() -> None:
    """Five files pass and a sixth is refused; a file over 10 MiB is refused before it is decoded."""
    desk, _ = make_desk()
    tid, reporter = _complaint(desk)
    for width in range(40, 45):
        desk.attach(reporter, tid, filename="x.jpg", data=files.jpeg((width, 30)))
    with pytest.raises(lc.ValidationError) as too_many:
        desk.attach(reporter, tid, filename="x.jpg", data=files.jpeg((50, 30)))
    assert too_many.value.errors[0].code == "attachment.too_many"
    other, other_reporter = _complaint(desk)
    with pytest.raises(lc.ValidationError) as too_large:
        desk.attach(other_reporter, other, filename="x.jpg", data=b"\xff\xd8\xff" + b"\x00" * (10 * 2**20))
    assert too_large.value.errors[0].code == "attachment.too_large"


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("html.jpg", b"<html><script>alert(1)</script></html>", "attachment.type_unsupported"),
        ("setup.jpg", b"MZ\x90\x00" + b"\x00" * 64, "attachment.type_unsupported"),
        ("bom.jpg", None, "attachment.type_unsupported"),
        ("peta.png", None, "attachment.too_many_pixels"),
        ("cut.jpg", None, "attachment.corrupt"),
        ("js.pdf", None, "attachment.pdf_active_content"),
    ],
)
def test_refused_files_store_and_record_nothing(name: str, data: bytes | None, code: str) -> None:
    """Each hostile file is a ValidationError with its code; the blob store and the history are unchanged."""
    built = {
        "bom.jpg": files.zip_bomb,
        "peta.png": files.huge_png,
        "cut.jpg": lambda: files.jpeg((640, 480))[:3000],
        "js.pdf": files.pdf_with_javascript,
    }
    blobs = InMemoryBlobStore()
    desk, _ = make_desk(blobs=blobs)
    tid, reporter = _complaint(desk)
    events = len(desk.history(ADMIN, tid))
    with pytest.raises(lc.ValidationError) as raised:
        desk.attach(reporter, tid, filename=name, data=data if data is not None else built[name]())
    assert raised.value.errors[0].code == code
    assert len(desk.history(ADMIN, tid)) == events
    assert blobs._blobs == {}


@pytest.mark.parametrize(
    ("filename", "data", "fields"),
    [
        (None, b"x", ["filename"]),
        ("a.jpg", "teks", ["data"]),
        (42, 3.5, ["filename", "data"]),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_read(
    filename: object, data: object, fields: list[str]
) -> None:
    """A file name that is not text and data that is not bytes are reported together, for any tracking ID."""
    desk, _ = make_desk()
    with pytest.raises(lc.ValidationError) as raised:
        desk.attach(ADMIN, "7K3M9QXF2HJQ", filename=filename, data=data)  # type: ignore[arg-type]
    assert [e.field for e in raised.value.errors] == fields


def test_wrong_principal_values_and_malformed_ids_are_refused() -> None:
    """Not a Principal: ValidationError; a malformed tracking ID: InvalidTrackingId."""
    desk, _ = make_desk()
    tid, _ = _complaint(desk)
    with pytest.raises(lc.ValidationError):
        desk.attach("admin", tid, filename="a.jpg", data=files.jpeg())  # type: ignore[arg-type]
    with pytest.raises(lc.ValidationError):
        desk.attachments(None, tid)  # type: ignore[arg-type]
    with pytest.raises(lc.InvalidTrackingId):
        desk.attachments(ADMIN, "not-an-id")


def test_bytes_changed_in_the_blob_store_are_detected() -> None:
    """A blob whose bytes differ from the recorded digest is a StorageError, never served."""
    blobs = InMemoryBlobStore()
    desk, _ = make_desk(blobs=blobs)
    tid, reporter = _complaint(desk)
    attachment = desk.attach(reporter, tid, filename="a.jpg", data=files.jpeg())
    address = blob_address(tid, attachment.sha256)
    assert address in blobs._blobs
    blobs._blobs[address] = b"tampered"
    with pytest.raises(lc.StorageError):
        desk.read_attachment(reporter, tid, attachment.id)
    blobs.delete(address)
    with pytest.raises(lc.StorageError):
        desk.read_attachment(reporter, tid, attachment.id)


def test_a_desk_on_a_directory_blob_store_keeps_the_bytes_there(tmp_path: Path) -> None:
    """blobs=DirectoryBlobStore(...): the stripped bytes are a file named by their blob address."""
    desk, _ = make_desk(blobs=DirectoryBlobStore(tmp_path))
    tid, reporter = _complaint(desk)
    attachment = desk.attach(reporter, tid, filename="a.jpg", data=files.jpeg())
    address = blob_address(tid, attachment.sha256)
    stored = tmp_path / address[:2] / address[2:4] / address
    assert stored.read_bytes() == desk.read_attachment(ADMIN, tid, attachment.id)


def test_a_sqlite_desk_keeps_attachments_in_its_database(tmp_path: Path) -> None:
    """ComplaintDesk.open("sqlite:///...") stores the bytes in the database: they survive reopening."""
    url = f"sqlite:///{tmp_path / 'lapor.db'}"
    desk = lc.ComplaintDesk.open(url, pepper=PEPPER)
    tid, reporter = _complaint(desk)
    attachment = desk.attach(reporter, tid, filename="kwitansi.pdf", data=files.pdf_with_metadata())
    desk.close()
    reopened = lc.ComplaintDesk.open(url, pepper=PEPPER)
    try:
        assert reopened.attachments(ADMIN, tid) == (attachment,)
        data = reopened.read_attachment(ADMIN, tid, attachment.id)
        assert hashlib.sha256(data).hexdigest() == attachment.sha256
    finally:
        reopened.close()


@pytest.mark.parametrize(
    ("option", "value"),
    [("attachment_limits", {"max_files": 3}), ("blobs", object()), ("blobs", "memory://")],
)
def test_wrong_attachment_options_are_a_configuration_error(option: str, value: object) -> None:
    """The desk refuses limits that are not AttachmentLimits and blob stores that are not BlobStores."""
    with pytest.raises(lc.ConfigurationError):
        lc.ComplaintDesk(pepper=PEPPER, **{option: value})  # type: ignore[arg-type]


def test_a_submission_stores_its_attachments_in_the_same_save() -> None:
    """submit(..., attachments=[...]): one save holds the complaint and an attach event per distinct file."""
    desk, _ = make_desk()
    receipt = desk.submit(
        submission(),
        attachments=[("jalan.jpg", files.phone_photo()), ("kwitansi.pdf", files.pdf_with_metadata())],
    )
    reporter = desk.authenticate(receipt.tracking_id, receipt.access_key)
    stored = desk.attachments(reporter, receipt.tracking_id)
    assert [(a.filename, a.content_type, a.attached_by) for a in stored] == [
        ("jalan.jpg", "image/jpeg", "reporter"),
        ("kwitansi.pdf", "application/pdf", "reporter"),
    ]
    history = desk.history(ADMIN, receipt.tracking_id)
    assert [e.action for e in history] == [lc.Action.SUBMIT, lc.Action.ATTACH, lc.Action.ATTACH]
    assert desk.verify_history(receipt.tracking_id).ok
    assert desk.view(reporter, receipt.tracking_id).status is lc.Status.SUBMITTED
    for attachment in stored:
        data = desk.read_attachment(ADMIN, receipt.tracking_id, attachment.id)
        assert not [canary for canary in files.CANARIES if canary in data]
    # The complaint goes on as any other: forwarded, it keeps its files.
    desk.forward(ADMIN, receipt.tracking_id, institution="31.71")
    assert desk.attachments(officer(), receipt.tracking_id) == stored


def test_a_submission_with_a_refused_file_stores_nothing() -> None:
    """One bad file among good ones: every bad file reported at once, no complaint, no bytes stored."""
    blobs = InMemoryBlobStore()
    desk, _ = make_desk(blobs=blobs)
    with pytest.raises(lc.ValidationError) as raised:
        desk.submit(
            submission(),
            attachments=[
                ("a.jpg", files.jpeg()),
                ("b.jpg", b"<html>"),
                ("c.pdf", files.pdf_with_javascript()),
            ],
        )
    assert [(e.field, e.code) for e in raised.value.errors] == [
        ("attachments.1.data", "attachment.type_unsupported"),
        ("attachments.2.data", "attachment.pdf_active_content"),
    ]
    assert blobs._blobs == {}
    assert desk.complaints(ADMIN).items == ()


def test_a_submission_with_too_many_files_is_refused() -> None:
    """Six distinct files against the default five: attachment.too_many; the same file twice counts once."""
    desk, _ = make_desk()
    six = [(f"{w}.jpg", files.jpeg((w, 30))) for w in range(40, 46)]
    with pytest.raises(lc.ValidationError) as raised:
        desk.submit(submission(), attachments=six)
    assert [(e.field, e.code) for e in raised.value.errors] == [("attachments", "attachment.too_many")]
    receipt = desk.submit(submission(), attachments=six[:5] + six[:1])
    assert len(desk.attachments(ADMIN, receipt.tracking_id)) == 5


@pytest.mark.parametrize("uploads", [b"abc", "a.jpg", [b"abc"], [("a.jpg",)], {"a.jpg": b"x"}, None])
def test_attachments_of_a_submission_must_be_pairs(uploads: object) -> None:
    """Anything but a list or tuple of (filename, data) pairs: attachment.uploads_bad."""
    desk, _ = make_desk()
    with pytest.raises(lc.ValidationError) as raised:
        desk.submit(submission(), attachments=uploads)  # type: ignore[arg-type]
    assert raised.value.errors[0].code == "attachment.uploads_bad"


def test_a_repeated_submission_under_an_idempotency_key_keeps_the_first_files() -> None:
    """The repeat returns the first receipt; the complaint keeps the files it was first submitted with."""
    desk, _ = make_desk()
    first = desk.submit(
        submission(), idempotency_key="form-4c1d9e7a2b", attachments=[("a.jpg", files.jpeg())]
    )
    again = desk.submit(
        submission(), idempotency_key="form-4c1d9e7a2b", attachments=[("a.jpg", files.jpeg())]
    )
    assert again == first
    assert len(desk.attachments(ADMIN, first.tracking_id)) == 1
    assert len(desk.history(ADMIN, first.tracking_id)) == 2


def test_a_sqlite_submission_with_attachments_is_one_transaction(tmp_path: Path) -> None:
    """On SQLite the complaint, its attach events and (from the blob store) the bytes are all there."""
    desk = lc.ComplaintDesk.open(f"sqlite:///{tmp_path / 'lapor.db'}", pepper=PEPPER)
    try:
        receipt = desk.submit(submission(), attachments=[("a.png", files.png_with_text())])
        (attachment,) = desk.attachments(ADMIN, receipt.tracking_id)
        assert desk.read_attachment(ADMIN, receipt.tracking_id, attachment.id).startswith(b"\x89PNG")
        assert desk.verify_history(receipt.tracking_id).ok
    finally:
        desk.close()


def test_a_large_picture_gets_a_thumbnail_made_once_without_metadata() -> None:
    """A 1600 x 1200 photo: a JPEG thumbnail of at most 640 pixels, upright, recorded by digest at attach."""
    desk, _ = make_desk()
    tid, reporter = _complaint(desk)
    exif = Image.Exif()
    exif[0x0112] = 6
    exif.get_ifd(0x8769)[0xA431] = "CANARY-SERIAL-5C0F"
    photo = files.jpeg((1600, 1200), exif=exif.tobytes())
    attachment = desk.attach(reporter, tid, filename="a.jpg", data=photo)
    assert attachment.thumbnail_sha256 is not None
    assert desk.history(ADMIN, tid)[-1].payload["thumbnail"] == attachment.thumbnail_sha256
    small = desk.read_attachment(PUBLIC, tid, attachment.id, thumbnail=True)
    assert hashlib.sha256(small).hexdigest() == attachment.thumbnail_sha256
    image = Image.open(io.BytesIO(small))
    assert (image.format, image.size) == ("JPEG", (480, 640))  # upright: taller than wide
    assert dict(image.getexif()) == {}
    assert b"CANARY" not in small
    assert len(small) < attachment.size


def test_small_pictures_and_pdfs_are_their_own_thumbnail() -> None:
    """No thumbnail is stored for a picture within 640 pixels or a PDF: thumbnail=True returns the file."""
    desk, _ = make_desk()
    tid, reporter = _complaint(desk)
    for name, data in (("a.jpg", files.jpeg((640, 480))), ("b.pdf", files.pdf_with_metadata())):
        attachment = desk.attach(reporter, tid, filename=name, data=data)
        assert attachment.thumbnail_sha256 is None
        assert desk.read_attachment(ADMIN, tid, attachment.id, thumbnail=True) == desk.read_attachment(
            ADMIN, tid, attachment.id
        )


def test_a_transparent_png_thumbnail_is_flattened_on_white() -> None:
    """An RGBA picture's thumbnail is an RGB JPEG: the transparent part white."""
    desk, _ = make_desk()
    tid, reporter = _complaint(desk)
    picture = Image.new("RGBA", (1000, 800), (0, 0, 0, 0))
    picture.paste((200, 0, 0, 255), (0, 0, 500, 800))
    out = io.BytesIO()
    picture.save(out, "PNG")
    attachment = desk.attach(reporter, tid, filename="peta.png", data=out.getvalue())
    small = Image.open(io.BytesIO(desk.read_attachment(ADMIN, tid, attachment.id, thumbnail=True)))
    assert small.mode == "RGB"
    assert min(small.getpixel((600, 300))) > 240  # white where it was transparent


def test_staff_are_told_which_photos_came_from_an_anonymous_reporter() -> None:
    """anonymous_reporter marks the reporter's files of an anonymous complaint, not the staff's."""
    desk, _ = make_desk()
    tid, reporter = _complaint(desk, anonymous=True)
    theirs = desk.attach(reporter, tid, filename="a.jpg", data=files.jpeg())
    ours = desk.attach(officer(), tid, filename="b.jpg", data=files.jpeg((30, 30)))
    assert theirs.anonymous_reporter
    assert not ours.anonymous_reporter
    assert [a.anonymous_reporter for a in desk.attachments(officer(), tid)] == [True, False]
    plain, plain_reporter = _complaint(desk)
    assert not desk.attach(plain_reporter, plain, filename="a.jpg", data=files.jpeg()).anonymous_reporter


def test_erasing_the_identity_can_erase_the_reporter_s_files_too(tmp_path: Path) -> None:
    """erase_identity(..., attachments=True): the reporter's files leave listings and disk; staff's stay."""
    blobs = DirectoryBlobStore(tmp_path)
    desk, _ = make_desk(blobs=blobs)
    tid, reporter = _complaint(desk)
    theirs = desk.attach(reporter, tid, filename="a.jpg", data=files.jpeg((1200, 900)))
    ours = desk.attach(officer(), tid, filename="b.jpg", data=files.jpeg((30, 30)))
    assert theirs.thumbnail_sha256 is not None
    kept = [blob_address(tid, theirs.sha256), blob_address(tid, theirs.thumbnail_sha256)]
    assert all(blobs.exists(address) for address in kept)
    desk.erase_identity(ADMIN, tid, "Permintaan pelapor (UU PDP).", attachments=True)
    assert desk.attachments(ADMIN, tid) == (ours,)
    assert not any(blobs.exists(address) for address in kept)
    assert blobs.exists(blob_address(tid, ours.sha256))
    with pytest.raises(lc.NotFound):
        desk.read_attachment(ADMIN, tid, theirs.id)
    assert list(desk.history(ADMIN, tid)[-1].payload["attachments"]) == [theirs.id]
    assert desk.verify_history(tid).ok


def test_erasing_the_identity_keeps_the_files_unless_asked() -> None:
    """By default erasure keeps attachments; a non-boolean attachments= is refused before anything."""
    desk, _ = make_desk()
    tid, reporter = _complaint(desk)
    theirs = desk.attach(reporter, tid, filename="a.jpg", data=files.jpeg())
    with pytest.raises(lc.ValidationError):
        desk.erase_identity(ADMIN, tid, "x", attachments="yes")  # type: ignore[arg-type]
    desk.erase_identity(ADMIN, tid, "Permintaan pelapor.")
    assert desk.attachments(ADMIN, tid) == (theirs,)


def test_an_anonymous_reporter_s_file_names_are_not_kept() -> None:
    """A name like KTP_Budi.jpg can identify its sender: an anonymous reporter's files are lampiran.*."""
    desk, _ = make_desk()
    receipt = desk.submit(submission(anonymous=True), attachments=[("KTP_Budi_Santoso.jpg", files.jpeg())])
    reporter = desk.authenticate(receipt.tracking_id, receipt.access_key)
    second = desk.attach(
        reporter, receipt.tracking_id, filename="Budi di depan rumah.png", data=files.png_with_text()
    )
    assert [a.filename for a in desk.attachments(ADMIN, receipt.tracking_id)] == [
        "lampiran.jpg",
        "lampiran.png",
    ]
    assert second.filename == "lampiran.png"
    history = json.dumps([lc.to_dict(e) for e in desk.history(ADMIN, receipt.tracking_id)])
    assert "Budi" not in history


def test_names_are_hidden_from_whoever_may_not_see_the_reporter_s_name() -> None:
    """Made anonymous at forwarding: staff see lampiran.jpg; the reporter still sees the name they gave."""
    desk, _ = make_desk()
    receipt = desk.submit(submission(), attachments=[("KTP_Budi_Santoso.jpg", files.jpeg())])
    reporter = desk.authenticate(receipt.tracking_id, receipt.access_key)
    desk.forward(ADMIN, receipt.tracking_id, institution="31.71", anonymous=True)
    assert [a.filename for a in desk.attachments(officer(), receipt.tracking_id)] == ["lampiran.jpg"]
    assert [a.filename for a in desk.attachments(ADMIN, receipt.tracking_id)] == ["lampiran.jpg"]
    assert [a.filename for a in desk.attachments(reporter, receipt.tracking_id)] == ["KTP_Budi_Santoso.jpg"]


def test_erasing_one_reporter_s_files_leaves_the_same_photo_on_another_complaint() -> None:
    """A photo sent by two reporters is two blobs: erasing the first reporter's files keeps the other."""
    blobs = InMemoryBlobStore()
    desk, _ = make_desk(blobs=blobs)
    photo = files.jpeg((640, 480))
    first, first_reporter = _complaint(desk)
    second, second_reporter = _complaint(desk)
    a = desk.attach(first_reporter, first, filename="a.jpg", data=photo)
    b = desk.attach(second_reporter, second, filename="b.jpg", data=photo)
    assert a.sha256 == b.sha256
    assert blob_address(first, a.sha256) != blob_address(second, b.sha256)
    desk.erase_identity(ADMIN, first, "Permintaan pelapor (UU PDP).", attachments=True)
    assert desk.read_attachment(second_reporter, second, b.id) == desk.read_attachment(ADMIN, second, b.id)
    assert hashlib.sha256(desk.read_attachment(ADMIN, second, b.id)).hexdigest() == b.sha256
    assert not blobs.exists(blob_address(first, a.sha256))
