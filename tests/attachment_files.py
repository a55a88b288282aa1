"""Files for the attachment tests, built in the test run: a phone photo full of metadata, and hostile files.

Every piece of metadata carries a canary string: none may reach any output.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from PIL import Image, ImageCms

CANARIES = (
    b"CANARY-GPS",
    b"CANARY-SERIAL-5C0F",
    b"CANARY-MAKERNOTE",
    b"CANARY-OWNER-Budi",
    b"CANARY-XMP",
    b"CANARY-COMMENT",
    b"CANARY-TRAILER",
    b"CANARY-ICC",
)
"""Strings placed in the photo's metadata (and after its end marker)."""
UPRIGHT_SIZE = (300, 200)
"""The scene as it stands upright: 300 wide, 200 tall, a red block at the top left."""


def upright_scene() -> Image.Image:
    """The picture as the reporter saw it: blue, with a red block at the top left corner."""
    scene = Image.new("RGB", UPRIGHT_SIZE, (30, 60, 200))
    scene.paste((220, 20, 20), (0, 0, 80, 60))
    return scene


def phone_photo() -> bytes:
    """A JPEG as a phone writes it: pixels stored sideways with EXIF orientation 6, GPS, serial, maker note.

    Also an XMP packet, a comment, an ICC profile with a canary after it, and bytes after the end marker
    (as phones append depth maps and vendor trailers).
    """
    stored = upright_scene().rotate(90, expand=True)  # the sensor's pixels: orientation 6 turns them back
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90 CW to display
    exif[0x010F] = "Samsung"
    exif[0x0110] = "SM-A546E"
    exif[0x013B] = "CANARY-OWNER-Budi"  # Artist
    details = exif.get_ifd(0x8769)
    details[0xA431] = "CANARY-SERIAL-5C0F"  # BodySerialNumber
    details[0x927C] = b"CANARY-MAKERNOTE\x00\x01\x02"  # MakerNote
    details[0xA430] = "CANARY-OWNER-Budi"  # CameraOwnerName
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "S", (6.0, 10.0, 30.5)
    gps[3], gps[4] = "E", (106.0, 49.0, 12.25)
    gps[0x1B] = b"ASCII\x00\x00\x00CANARY-GPS"  # GPSProcessingMethod
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes() + b"CANARY-ICC"
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>CANARY-XMP</rdf:RDF></x:xmpmeta>'
    out = io.BytesIO()
    stored.save(
        out, "JPEG", quality=95, exif=exif.tobytes(), comment=b"CANARY-COMMENT", icc_profile=profile, xmp=xmp
    )
    return out.getvalue() + b"CANARY-TRAILER" * 10


def jpeg(size: tuple[int, int] = (64, 48), **options: object) -> bytes:
    """A small JPEG with no orientation."""
    out = io.BytesIO()
    upright_scene().resize(size).save(out, "JPEG", **options)
    return out.getvalue()


def png_with_text() -> bytes:
    """A palette PNG with transparency and text chunks holding canaries."""
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "CANARY-OWNER-Budi")
    info.add_text("Comment", "CANARY-COMMENT", zip=True)
    info.add_itxt("XML:com.adobe.xmp", "CANARY-XMP")
    image = upright_scene().convert("P", palette=Image.Palette.ADAPTIVE, colors=8)
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info, transparency=0)
    return out.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def huge_png(side: int = 20_000) -> bytes:
    """A valid 1-bit ``side`` x ``side`` PNG of a few kilobytes: a decompression bomb (400 megapixels)."""
    row = b"\x00" + b"\x00" * ((side + 7) // 8)
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", body)
        + _png_chunk(b"IEND", b"")
    )


def zip_bomb() -> bytes:
    """A zip of 50 MiB of zeros, a few tens of kilobytes compressed."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("foto.jpg", b"\x00" * (50 * 1024 * 1024))
    return out.getvalue()


def pdf(*, info: bytes = b"", catalog_extra: bytes = b"", extra_objects: tuple[bytes, ...] = ()) -> bytes:
    """A one-page PDF written by hand; the options add to its document information, catalogue and objects."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
        b"<< /Length 35 >>\nstream\nBT /F1 12 Tf 20 100 Td (Hi) Tj ET\nendstream",
        b"<< " + info + b" >>",
        *extra_objects,
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 5 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def pdf_with_metadata() -> bytes:
    """A PDF whose document information names its author and producer (canaries) and has XMP."""
    xmp = b"<x:xmpmeta>CANARY-XMP</x:xmpmeta>"
    return pdf(
        info=b"/Author (CANARY-OWNER-Budi) /Producer (CANARY-SERIAL-5C0F)",
        catalog_extra=b"/Metadata 6 0 R ",
        extra_objects=(
            b"<< /Type /Metadata /Subtype /XML /Length %d >>\nstream\n" % len(xmp) + xmp + b"\nendstream",
        ),
    )


def pdf_with_javascript() -> bytes:
    """A PDF that runs JavaScript when opened."""
    return pdf(catalog_extra=b"/OpenAction << /S /JavaScript /JS (app.alert('x')) >> ")
