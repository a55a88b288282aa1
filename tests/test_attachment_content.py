"""Attachments' content: the type decided by the bytes, metadata stripped, hostile files refused."""

from __future__ import annotations

import io
import json
import shutil
import string
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfReader

import attachment_files as files
from lapor_core._domain.attachments import (
    MAX_FILENAME,
    AttachmentLimits,
    copy_jpeg_without_metadata,
    prepare,
    sanitise_filename,
    sniff,
)
from lapor_core.errors import ConfigurationError, ValidationError


def _code(error: ValidationError) -> str:
    assert len(error.errors) == 1
    return error.errors[0].code


def _refused(data: object, filename: object = "berkas.jpg", **limits: int) -> str:
    with pytest.raises(ValidationError) as raised:
        prepare(data, filename, limits=AttachmentLimits(**limits))
    return _code(raised.value)


def _no_metadata_left(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert dict(image.getexif()) == {}
    for key in (
        "exif",
        "icc_profile",
        "xmp",
        "XML:com.adobe.xmp",
        "comment",
        "photoshop",
        "Author",
        "Comment",
    ):
        assert key not in image.info
    assert not getattr(image, "app", {}).get("APP1")
    return image


def test_a_phone_photo_loses_every_piece_of_metadata_and_stands_upright() -> None:
    """GPS, serial, maker note, owner, XMP, comment, ICC text and trailer all go; the pixels stand upright."""
    original = files.phone_photo()
    assert all(canary in original for canary in files.CANARIES)  # the fixture carries them
    stored = prepare(original, "IMG_20261207_081500.jpg")
    assert stored.content_type == "image/jpeg"
    assert stored.filename == "IMG_20261207_081500.jpg"
    assert not [canary for canary in files.CANARIES if canary in stored.data]
    image = _no_metadata_left(stored.data)
    assert image.size == files.UPRIGHT_SIZE
    red, green, blue = image.convert("RGB").getpixel((20, 15))  # the red block, top left when upright
    assert red > 150 and green < 90 and blue < 90  # noqa: PT018 - one colour
    assert image.convert("RGB").getpixel((280, 180))[2] > 150  # blue at the bottom right


def test_a_jpeg_needing_no_turn_is_copied_without_losing_quality() -> None:
    """Orientation 1 and no profile: the compressed pixels are copied as they are (identical decode)."""
    exif = Image.Exif()
    exif[0x0112] = 1
    exif.get_ifd(0x8769)[0xA431] = "CANARY-SERIAL-5C0F"
    original = files.jpeg((640, 480), quality=80, exif=exif.tobytes(), comment=b"CANARY-COMMENT")
    stored = prepare(original + b"CANARY-TRAILER", "a.jpg")
    assert b"CANARY" not in stored.data
    _no_metadata_left(stored.data)
    before = Image.open(io.BytesIO(original)).convert("RGB").tobytes()
    assert Image.open(io.BytesIO(stored.data)).convert("RGB").tobytes() == before


def test_the_segment_copy_declines_what_it_cannot_follow() -> None:
    """Not a JPEG, or cut short: None, so the caller re-encodes (and the decoder refuses a truncated file)."""
    assert copy_jpeg_without_metadata(b"\x89PNG....") is None
    assert copy_jpeg_without_metadata(files.jpeg()[:300]) is None
    assert copy_jpeg_without_metadata(files.jpeg()[:-2]) is None


def test_a_png_loses_its_text_chunks_and_keeps_its_transparency() -> None:
    """tEXt, zTXt and iTXt (XMP) go; the palette and its transparent entry stay."""
    original = files.png_with_text()
    stored = prepare(original, "peta.png")
    assert (stored.content_type, stored.filename) == ("image/png", "peta.png")
    assert b"CANARY" not in stored.data
    image = _no_metadata_left(stored.data)
    assert image.mode == "P"
    assert image.info.get("transparency") == 0
    assert image.tobytes() == Image.open(io.BytesIO(original)).tobytes()


def test_webp_is_kept_as_webp_without_metadata() -> None:
    """A WebP with EXIF and XMP comes back as WebP with neither."""
    exif = Image.Exif()
    exif[0x013B] = "CANARY-OWNER-Budi"
    out = io.BytesIO()
    files.upright_scene().save(out, "WEBP", exif=exif.tobytes(), xmp=b"CANARY-XMP")
    stored = prepare(out.getvalue(), "x.webp")
    assert stored.content_type == "image/webp"
    assert b"CANARY" not in stored.data
    _no_metadata_left(stored.data)


def test_heic_becomes_jpeg_without_metadata() -> None:
    """A HEIC photo (an iPhone's default) is stored as an upright JPEG, its EXIF gone."""
    import pillow_heif

    exif = Image.Exif()
    exif[0x013B] = "CANARY-OWNER-Budi"
    heif = pillow_heif.from_pillow(files.upright_scene())
    out = io.BytesIO()
    heif.save(out, exif=exif.tobytes(), quality=90)
    assert b"CANARY" in out.getvalue()
    stored = prepare(out.getvalue(), "IMG_0001.HEIC")
    assert (stored.content_type, stored.filename) == ("image/jpeg", "IMG_0001.jpg")
    assert b"CANARY" not in stored.data
    assert _no_metadata_left(stored.data).size == files.UPRIGHT_SIZE


def test_a_pdf_loses_its_document_information_and_xmp() -> None:
    """The Info dictionary (author, producer) and the catalogue's XMP stream are not written again."""
    original = files.pdf_with_metadata()
    assert PdfReader(io.BytesIO(original)).metadata is not None
    stored = prepare(original, "kwitansi retribusi.pdf")
    assert (stored.content_type, stored.filename) == ("application/pdf", "kwitansi retribusi.pdf")
    assert b"CANARY" not in stored.data
    reader = PdfReader(io.BytesIO(stored.data))
    assert reader.metadata is None
    assert "/Metadata" not in reader.trailer["/Root"]
    assert len(reader.pages) == 1


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"<!doctype html><script>alert(1)</script>", "attachment.type_unsupported"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "attachment.type_unsupported"),
        (b"MZ\x90\x00" + b"\x00" * 100, "attachment.type_unsupported"),
        (b"GIF89a" + b"\x00" * 100, "attachment.type_unsupported"),
        (b"\xff\xd8\xff<html>", "attachment.corrupt"),
        (b"\x89PNG\r\n\x1a\n<html>", "attachment.corrupt"),
        (b"%PDF-1.7 <html>", "attachment.corrupt"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "attachment.corrupt"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", "attachment.corrupt"),
        (b"", "attachment.empty"),
    ],
    ids=[
        "html",
        "elf",
        "exe",
        "gif",
        "jpeg-magic-html",
        "png-magic-html",
        "pdf-magic",
        "webp",
        "heic",
        "empty",
    ],
)
def test_files_that_are_not_what_they_claim_are_refused(data: bytes, code: str) -> None:
    """The name says .jpg; the content decides, and a decoder must open the whole file."""
    assert _refused(data, "foto.jpg") == code


def test_a_zip_bomb_is_refused_by_type() -> None:
    """A zip (50 MiB of zeros in a few kilobytes) named .jpg is not an accepted type; it is never unpacked."""
    bomb = files.zip_bomb()
    assert len(bomb) < 200_000
    assert _refused(bomb, "foto.jpg") == "attachment.type_unsupported"


def test_a_20000_by_20000_png_is_refused_before_decoding() -> None:
    """400 megapixels in a few kilobytes: refused as too many pixels, an error and not a warning."""
    bomb = files.huge_png()
    assert len(bomb) < 200_000
    assert _refused(bomb, "peta.png") == "attachment.too_many_pixels"


def test_the_pixel_limit_is_configurable() -> None:
    """A 640 x 480 picture passes the default limit and is refused under a limit of 100,000 pixels."""
    picture = files.jpeg((640, 480))
    assert prepare(picture, "a.jpg").content_type == "image/jpeg"
    assert _refused(picture, max_pixels=100_000) == "attachment.too_many_pixels"


def test_a_truncated_jpeg_is_refused() -> None:
    """A JPEG cut in half is corrupt, not stored with a grey half."""
    picture = files.jpeg((640, 480))
    assert _refused(picture[: len(picture) // 2]) == "attachment.corrupt"


def test_a_pdf_with_javascript_is_refused() -> None:
    """JavaScript run on opening: refused (not cleaned); so are launch actions and embedded files."""
    assert _refused(files.pdf_with_javascript(), "surat.pdf") == "attachment.pdf_active_content"
    launch = files.pdf(catalog_extra=b"/OpenAction << /S /Launch /F (cmd.exe) >> ")
    assert _refused(launch, "surat.pdf") == "attachment.pdf_active_content"
    embedded = files.pdf(catalog_extra=b"/Names << /EmbeddedFiles << /Names [] >> >> ")
    assert _refused(embedded, "surat.pdf") == "attachment.pdf_active_content"


def test_an_animated_picture_is_refused() -> None:
    """Two frames: refused, so no frame is hidden behind the first."""
    frames = [files.upright_scene(), files.upright_scene().rotate(180)]
    out = io.BytesIO()
    frames[0].save(out, "PNG", save_all=True, append_images=frames[1:])
    assert _refused(out.getvalue(), "a.png") == "attachment.animated"


def test_the_size_limit_is_checked_while_reading() -> None:
    """Past max_bytes the file is refused, and a stream is not read to its end."""
    assert _refused(b"\xff" * 2048, max_bytes=1024) == "attachment.too_large"

    class Endless(io.RawIOBase):
        read_so_far = 0

        def readable(self) -> bool:
            return True

        def read(self, size: int = -1) -> bytes:
            self.read_so_far += size
            return b"\xff" * size

    endless = Endless()
    assert _refused(endless, max_bytes=4096) == "attachment.too_large"
    assert endless.read_so_far <= 4097


def test_a_binary_stream_is_read_like_bytes() -> None:
    """A file object (an upload's stream) gives the same result as its bytes."""
    picture = files.jpeg()
    assert prepare(io.BytesIO(picture), "a.jpg") == prepare(picture, "a.jpg")


@pytest.mark.parametrize("data", ["text", 42, None, ["\xff"], io.StringIO("teks")])
def test_data_that_is_not_bytes_is_refused(data: object) -> None:
    """Text, numbers, None, lists, text streams: attachment.data_not_bytes."""
    assert _refused(data) == "attachment.data_not_bytes"


@pytest.mark.parametrize("name", [None, 42, b"foto.jpg"])
def test_a_filename_that_is_not_text_is_refused(name: object) -> None:
    """The file name must be a string."""
    assert _refused(files.jpeg(), name) == "attachment.filename_bad"


@pytest.mark.parametrize("option", ["max_bytes", "max_files", "max_pixels"])
@pytest.mark.parametrize("value", [0, -1, True, 1.5, "5"])
def test_limits_must_be_positive_whole_numbers(option: str, value: object) -> None:
    """A desk misconfigured with a bad limit fails when it is built, naming the option."""
    with pytest.raises(ConfigurationError) as raised:
        AttachmentLimits(**{option: value})  # type: ignore[arg-type]
    assert raised.value.params == {"option": option}


@pytest.mark.parametrize(
    ("given_name", "content_type", "expected"),
    [
        ("../../etc/passwd", "image/png", "passwd.png"),
        ("C:\\Users\\budi\\Desktop\\foto.php", "image/jpeg", "foto.jpg"),
        ("<script>alert(1)</script>.jpg", "image/jpeg", "script.jpg"),
        ("<img onerror=x>.jpg", "image/jpeg", "img onerror_x.jpg"),
        ("laporan\u202egpj.exe", "application/pdf", "laporangpj.pdf"),
        ("", "image/webp", "lampiran.webp"),
        (".htaccess", "image/png", "htaccess.png"),
        ("jalan   rusak\t\n.jpeg", "image/jpeg", "jalan rusak.jpg"),
    ],
)
def test_filenames_are_sanitised(given_name: str, content_type: str, expected: str) -> None:
    """No path, no markup or control characters, the extension from the content."""
    assert sanitise_filename(given_name, content_type) == expected


_SAFE = set(string.ascii_letters + string.digits + "._-() ")


@given(st.text(max_size=400), st.sampled_from(["image/jpeg", "image/png", "image/webp", "application/pdf"]))
def test_any_filename_sanitises_to_a_safe_name(name: str, content_type: str) -> None:
    """Whatever the client sends: short, no separators or controls, the content's extension, not hidden."""
    clean = sanitise_filename(name, content_type)
    assert 0 < len(clean) <= MAX_FILENAME
    assert not ({"/", "\\", "<", ">", '"', "'", "&", "\x00"} & set(clean))
    assert all(ch in _SAFE or ch.isalnum() or ch == "_" for ch in clean)
    assert clean.endswith(
        {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}.get(content_type, ".pdf")
    )
    assert not clean.startswith((".", " "))


@given(st.binary(max_size=512))
def test_sniffing_any_bytes_never_fails(data: bytes) -> None:
    """Sniff reads only a signature: None or one of the five kinds, for any input."""
    assert sniff(data) in {None, "image/jpeg", "image/png", "image/webp", "image/heif", "application/pdf"}


@given(
    st.binary(min_size=1, max_size=2048),
    st.sampled_from([b"", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"%PDF-"]),
)
def test_any_bytes_are_stored_stripped_or_refused_with_a_code(data: bytes, prefix: bytes) -> None:
    """Junk behind any signature is a ValidationError with an attachment code, never another exception."""
    codes = []
    try:
        prepare(prefix + data, "x")
    except ValidationError as error:
        codes.append(_code(error))
    assert all(code.startswith("attachment.") for code in codes)


_EXIFTOOL = shutil.which("exiftool")
_STRUCTURE_ONLY = {"SourceFile", "System", "ExifTool", "File", "Composite", "JFIF", "PNG", "PDF"}
_METADATA_TAGS = {
    "Author",
    "Comment",
    "Producer",
    "Creator",
    "Title",
    "Subject",
    "Keywords",
    "XMP",
    "ModifyDate",
}


@pytest.mark.skipif(_EXIFTOOL is None, reason="exiftool is not installed")
@pytest.mark.parametrize(
    ("name", "build"),
    [("a.jpg", files.phone_photo), ("b.png", files.png_with_text), ("c.pdf", files.pdf_with_metadata)],
)
def test_exiftool_finds_nothing_but_structure_in_stored_files(
    name: str, build: Callable[[], bytes], tmp_path: Path
) -> None:
    """exiftool, reading every tag it knows (-a -u), finds only the file's structure: no EXIF, GPS, XMP..."""
    original = tmp_path / f"original-{name}"
    original.write_bytes(build())
    stored = tmp_path / name
    stored.write_bytes(prepare(original.read_bytes(), name).data)
    assert _EXIFTOOL is not None

    def tags(path: Path) -> set[str]:
        found = subprocess.run(
            [_EXIFTOOL, "-j", "-a", "-u", "-G1", str(path)], capture_output=True, check=True, text=True
        )
        return set(json.loads(found.stdout)[0])

    def dump(path: Path) -> bytes:
        return subprocess.run(
            [_EXIFTOOL, "-a", "-u", "-b", str(path)], capture_output=True, check=True
        ).stdout

    assert b"CANARY" in dump(original)  # exiftool does see the original's metadata
    assert b"CANARY" not in dump(stored)
    left = tags(stored)
    assert {tag.split(":", 1)[0] for tag in left} <= _STRUCTURE_ONLY
    assert not left & {f"{group}:{name}" for group in ("PNG", "PDF") for name in _METADATA_TAGS}


def test_a_pdf_opening_at_a_page_is_accepted() -> None:
    """An /OpenAction that is a destination (open at page 1, fit) runs nothing: the PDF is accepted."""
    opening = files.pdf(catalog_extra=b"/OpenAction [3 0 R /Fit] ")
    assert prepare(opening, "surat.pdf").content_type == "application/pdf"
    indirect = files.pdf(
        catalog_extra=b"/OpenAction 6 0 R ", extra_objects=(b"<< /S /JavaScript /JS (app.alert(1)) >>",)
    )
    assert _refused(indirect, "surat.pdf") == "attachment.pdf_active_content"


@pytest.mark.parametrize(
    "options",
    [{"progressive": True}, {"restart_marker_blocks": 4}, {"subsampling": 0, "quality": 95}],
    ids=["progressive", "restart-markers", "4:4:4"],
)
def test_the_segment_copy_keeps_every_kind_of_jpeg_pixel_for_pixel(options: dict[str, object]) -> None:
    """Progressive scans, restart markers and full chroma: the copy decodes to the very same pixels."""
    exif = Image.Exif()
    exif[0x013B] = "CANARY-OWNER-Budi"
    noisy = Image.merge("RGB", [Image.effect_noise((320, 240), 50)] * 3)
    out = io.BytesIO()
    noisy.save(out, "JPEG", exif=exif.tobytes(), **options)
    copied = copy_jpeg_without_metadata(out.getvalue())
    assert copied is not None
    assert b"CANARY" not in copied
    before = Image.open(io.BytesIO(out.getvalue())).tobytes()
    assert Image.open(io.BytesIO(copied)).tobytes() == before


def test_a_sideways_heic_stands_upright() -> None:
    """An iPhone photo taken sideways (its rotation in the HEIF container) is stored upright, as JPEG."""
    import pillow_heif

    exif = Image.Exif()
    exif[0x0112] = 6
    heif = pillow_heif.from_pillow(files.upright_scene().rotate(90, expand=True))
    out = io.BytesIO()
    heif.save(out, exif=exif.tobytes(), quality=90)
    image = Image.open(io.BytesIO(prepare(out.getvalue(), "IMG.HEIC").data))
    assert image.size == files.UPRIGHT_SIZE
    red, green, blue = image.convert("RGB").getpixel((20, 15))
    assert red > 150
    assert max(green, blue) < 90


@pytest.mark.parametrize(
    ("mode", "fmt"),
    [("I;16", "PNG"), ("LA", "PNG"), ("1", "PNG"), ("CMYK", "JPEG"), ("L", "JPEG"), ("RGBA", "WEBP")],
)
def test_every_picture_mode_is_stored_with_a_thumbnail(mode: str, fmt: str) -> None:
    """Grey, 16-bit, 1-bit, CMYK and transparent pictures are stored in their mode, with a JPEG thumbnail."""
    out = io.BytesIO()
    Image.new(mode, (1000, 800)).save(out, fmt)
    stored = prepare(out.getvalue(), "x")
    assert Image.open(io.BytesIO(stored.data)).mode == mode
    assert stored.thumbnail is not None
    assert Image.open(io.BytesIO(stored.thumbnail)).format == "JPEG"


def test_a_picture_that_cannot_be_written_again_is_refused_not_raised(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Any failure while writing the stripped picture is attachment.corrupt, never a Pillow exception."""
    from lapor_core._domain import attachments

    def broken(*_args: object) -> bytes:
        raise OSError("cannot write mode X as JPEG")

    monkeypatch.setattr(attachments, "_thumbnail", broken)
    assert _refused(files.jpeg((1000, 800))) == "attachment.corrupt"


_BASE_JPEG = files.jpeg((48, 32), quality=85)


@given(
    st.lists(
        st.tuples(
            st.sampled_from([0xE0, 0xE1, 0xE2, 0xE3, 0xEC, 0xED, 0xEF, 0xFE]),
            st.binary(min_size=0, max_size=300),
        ),
        max_size=6,
    ),
    st.binary(max_size=200),
)
def test_the_segment_copy_drops_any_metadata_segments_and_trailer(
    segments: list[tuple[int, bytes]], trailer: bytes
) -> None:
    """Whatever APPn and COM segments sit after SOI, and whatever follows EOI: none survive, pixels equal."""
    marked = [b"LAPOR-MARK-%d" % index + payload for index, (_, payload) in enumerate(segments)]
    inserted = b"".join(
        bytes([0xFF, marker]) + (len(body) + 2).to_bytes(2, "big") + body
        for (marker, _), body in zip(segments, marked, strict=True)
    )
    original = _BASE_JPEG[:2] + inserted + _BASE_JPEG[2:] + b"LAPOR-TRAILER" + trailer
    copied = copy_jpeg_without_metadata(original)
    assert copied is not None
    assert b"LAPOR-" not in copied
    assert copied.endswith(b"\xff\xd9")
    assert Image.open(io.BytesIO(copied)).tobytes() == Image.open(io.BytesIO(_BASE_JPEG)).tobytes()
