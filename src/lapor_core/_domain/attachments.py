"""Attachments: what a file is (decided by its content), and the same file with its metadata stripped.

A complaint's photo straight from a phone carries the reporter's GPS position, the camera's serial number
and maker notes; a PDF carries its author and editing software. An anonymous reporter was identified in 2021
from the photo of their report (Jakarta's JAKI app), so :func:`prepare` strips all of it before anything is
stored, in the library, for every embedding.

The type is decided by the bytes, never by the file name or the client's claim: the signature must be one
of JPEG, PNG, WebP, HEIC/HEIF or PDF, and the matching decoder (Pillow, pillow-heif, pypdf) must open the
whole file. Anything else is a :class:`~lapor_core.ValidationError` with an ``attachment.*`` code.

- Images are decoded in full (a truncated or corrupt file is refused), checked against a pixel limit before
  decoding (a decompression bomb is refused, not warned about), turned upright from their EXIF orientation
  (``ImageOps.exif_transpose``), converted to sRGB when they carry an ICC profile, and written again with no
  EXIF, XMP, IPTC, ICC profile, comment or PNG text chunk. A JPEG that needs no turning and carries no
  profile is instead copied segment by segment without its APPn and COM segments and without anything
  after its end marker: the same compressed pixels, so no quality is lost. HEIC/HEIF becomes JPEG.
- PDFs with active content (JavaScript, an action run on opening or an additional action, a launch action,
  embedded files, rich media, XFA forms) or encryption are refused rather than cleaned (an open action that
  only names the page to show is kept): removing active content reliably is
  harder than refusing it, and a complaint needs none. Accepted PDFs are written again page by page, with
  no document information dictionary and no XMP metadata (the catalogue's and the pages').

Pillow, pypdf and pillow-heif are imported on first use (the ``attachments`` extra), so ``import
lapor_core`` and opening a desk do not load them.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

import attrs

from lapor_core._domain.history import Event
from lapor_core._domain.lifecycle import Action
from lapor_core._i18n import N_
from lapor_core.errors import ConfigurationError, ValidationError

if TYPE_CHECKING:
    from PIL import Image as PILImage

__all__ = [
    "CONTENT_TYPES",
    "MAX_FILENAME",
    "THUMBNAIL_SIZE",
    "Attachment",
    "AttachmentLimits",
    "Prepared",
    "copy_jpeg_without_metadata",
    "prepare",
    "read_data",
    "recorded_attachments",
    "sanitise_filename",
    "sniff",
]

MiB: Final = 1024 * 1024
MAX_FILENAME: Final = 100
"""The longest stored file name, in characters (the extension included)."""

JPEG, PNG, WEBP, PDF = "image/jpeg", "image/png", "image/webp", "application/pdf"
HEIF = "image/heif"
CONTENT_TYPES: Final = frozenset({JPEG, PNG, WEBP, PDF})
"""The content types an attachment is stored as (HEIC/HEIF is accepted and stored as JPEG)."""
_EXTENSIONS: Final = {JPEG: ".jpg", PNG: ".png", WEBP: ".webp", PDF: ".pdf"}
_PILLOW_FORMATS: Final = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP"}
_HEIF_BRANDS: Final = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"})
_JPEG_QUALITY: Final = 92
_WEBP_QUALITY: Final = 90
_THUMBNAIL_QUALITY: Final = 80
THUMBNAIL_SIZE: Final = 640
"""The longest side of a picture's thumbnail, in pixels."""
_PDF_MAX_OBJECTS: Final = 200_000
# Names that make a PDF do something by itself, or carry other files (ISO 32000-1, 12.6 and 7.11.4).
_PDF_ACTIVE_KEYS: Final = frozenset(
    {"/JS", "/JavaScript", "/AA", "/Launch", "/EmbeddedFiles", "/EmbeddedFile", "/RichMedia", "/XFA"}
)
_PDF_ACTIVE_ACTIONS: Final = frozenset(
    {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/GoToE", "/RichMediaExecute", "/Rendition"}
)


@attrs.frozen
class AttachmentLimits:
    """How much a complaint may carry; every number is a default a deployment may change.

    Attributes:
        max_bytes: The largest file accepted, before stripping (default 10 MiB).
        max_files: The most attachments one complaint may have (default 5).
        max_pixels: The most pixels an image may have (default 50 million: a 48-megapixel phone photo
            passes; a decompression bomb, whose few kilobytes unpack into gigabytes, does not).

    Example:
        >>> AttachmentLimits().max_bytes // (1024 * 1024), AttachmentLimits(max_files=3).max_files
        (10, 3)
    """

    max_bytes: int = attrs.field(default=10 * MiB)
    max_files: int = attrs.field(default=5)
    max_pixels: int = attrs.field(default=50_000_000)

    @max_bytes.validator
    @max_files.validator
    @max_pixels.validator
    def _positive(self, attribute: attrs.Attribute[int], value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigurationError(detail=N_("attachment.limit_bad"), params={"option": attribute.name})


@attrs.frozen
class Prepared:
    """A file accepted and stripped, ready to store.

    Attributes:
        data: The stored bytes (metadata stripped).
        content_type: What the bytes are (one of :data:`CONTENT_TYPES`).
        filename: The sanitised file name, its extension matching ``content_type``.
        sha256: The hex SHA-256 of ``data``: the blob's content address.
        thumbnail: A JPEG of the picture at most :data:`THUMBNAIL_SIZE` pixels on its longest side (also
            without metadata), or None for a PDF or a picture no larger than that.
    """

    data: bytes = attrs.field(repr=False)
    content_type: str
    filename: str
    sha256: str
    thumbnail: bytes | None = attrs.field(default=None, repr=False)

    @property
    def size(self) -> int:
        """The stored size in bytes."""
        return len(self.data)


@attrs.frozen
class Attachment:
    """A photo or document of a complaint, as its history records it (the bytes are read separately).

    Attributes:
        id: The attachment's ID within its complaint.
        content_type: What the stored bytes are: ``image/jpeg``, ``image/png``, ``image/webp`` or
            ``application/pdf`` (decided by the content; HEIC/HEIF is stored as JPEG).
        size: The stored size in bytes (after stripping).
        sha256: The hex SHA-256 of the stored bytes: their address in the blob store.
        filename: The sanitised file name (no path, its extension matching ``content_type``).
        attached_at: When it was attached.
        attached_by: The role of who attached it (``reporter``, ``admin``, ``institution``, ``unit``).
        thumbnail_sha256: The digest of the picture's thumbnail (at most :data:`THUMBNAIL_SIZE` pixels on
            its longest side), made once when it was attached; None for a PDF or a small picture (whose
            thumbnail is the picture itself).
        anonymous_reporter: The reporter attached it and the complaint is anonymous: a photo can show who
            took it, so staff are told before they pass it on.
    """

    id: str
    content_type: str
    size: int
    sha256: str
    filename: str
    attached_at: datetime
    attached_by: str
    thumbnail_sha256: str | None = None
    anonymous_reporter: bool = False

    @property
    def is_image(self) -> bool:
        """Whether it is a photo or picture (not a PDF)."""
        return self.content_type.startswith("image/")

    def payload(self) -> dict[str, object]:
        """What the ``attach`` event records: the digest and the reference, never the bytes."""
        recorded: dict[str, object] = {
            "attachment": self.id,
            "sha256": self.sha256,
            "content_type": self.content_type,
            "size": self.size,
            "filename": self.filename,
        }
        if self.thumbnail_sha256 is not None:
            recorded["thumbnail"] = self.thumbnail_sha256
        return recorded


def recorded_attachments(events: Sequence[Event], *, anonymous: bool = False) -> tuple[Attachment, ...]:
    """The attachments a complaint's history records, in the order they were attached, less erased ones.

    ``anonymous`` is the complaint's flag: the reporter's attachments are then marked ``anonymous_reporter``.
    """
    erased = {
        str(erased_id)
        for event in events
        if event.action is Action.ERASE_IDENTITY
        for erased_id in event.payload.get("attachments") or ()
    }
    found = []
    for event in events:
        if event.action is not Action.ATTACH or str(event.payload["attachment"]) in erased:
            continue
        payload = event.payload
        found.append(
            Attachment(
                id=str(payload["attachment"]),
                content_type=str(payload["content_type"]),
                size=int(payload["size"]),
                sha256=str(payload["sha256"]),
                filename=str(payload["filename"]),
                attached_at=event.at,
                attached_by=event.actor.role,
                thumbnail_sha256=str(payload["thumbnail"]) if payload.get("thumbnail") else None,
                anonymous_reporter=anonymous and event.actor.role == "reporter",
            )
        )
    return tuple(found)


def _refuse(code: str, **params: object) -> ValidationError:
    return ValidationError.single("data", code, **params)


def read_data(data: object, *, limit: int) -> bytes:
    """The bytes of ``data`` (bytes-like, or a binary file object read in chunks), at most ``limit`` of them.

    Raises:
        ValidationError: ``attachment.data_not_bytes`` for anything else (text included),
            ``attachment.empty`` for no bytes, ``attachment.too_large`` past ``limit`` (read no further).
    """
    if isinstance(data, bytes | bytearray | memoryview):
        raw = bytes(data)
        if len(raw) > limit:
            raise _refuse(N_("attachment.too_large"), max=limit // MiB)
    elif callable(getattr(data, "read", None)):
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = data.read(min(MiB, limit + 1 - total))  # type: ignore[attr-defined]
            if not isinstance(chunk, bytes | bytearray):
                raise _refuse(N_("attachment.data_not_bytes"), type=type(chunk).__name__)
            if not chunk:
                break
            chunks.append(bytes(chunk))
            total += len(chunk)
            if total > limit:
                raise _refuse(N_("attachment.too_large"), max=limit // MiB)
        raw = b"".join(chunks)
    else:
        raise _refuse(N_("attachment.data_not_bytes"), type=type(data).__name__)
    if not raw:
        raise _refuse(N_("attachment.empty"))
    return raw


def sniff(data: bytes) -> str | None:
    """The content type that ``data``'s signature claims (``image/heif`` for HEIC/HEIF), or None.

    Only the first bytes are read; :func:`prepare` then makes the matching decoder open the whole file.

    >>> sniff(bytes.fromhex("ffd8ffe0") + b"..."), sniff(b"%PDF-1.7"), sniff(b"<html>")
    ('image/jpeg', 'application/pdf', None)
    """
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return HEIF
    if data.startswith(b"%PDF-"):
        return PDF
    return None


_UNSAFE = re.compile(r"[^\w.\- ()]+")
_SPACES = re.compile(r"\s+")


def sanitise_filename(name: object, content_type: str) -> str:
    r"""A file name safe to store and to show: no path, no control or markup characters, the right extension.

    The extension always follows the content, never the name given (``foto.php`` holding a JPEG is stored
    as ``foto.jpg``); an empty result is ``lampiran`` (attachment).

    >>> sanitise_filename("C:\\Users\\budi/../<jalan rusak>.HEIC", "image/jpeg")
    'jalan rusak.jpg'
    >>> sanitise_filename("...", "application/pdf")
    'lampiran.pdf'

    Raises:
        ValidationError: ``attachment.filename_bad`` when ``name`` is not a string.
    """
    if not isinstance(name, str):
        raise ValidationError.single("filename", N_("attachment.filename_bad"))
    base = re.split(r"[/\\]", name)[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    stem = base.rsplit(".", 1)[0] if "." in base.lstrip(".") else base
    stem = _SPACES.sub(" ", _UNSAFE.sub("_", stem)).strip(" ._-")
    extension = _EXTENSIONS[content_type]
    stem = stem[: MAX_FILENAME - len(extension)].rstrip(" ._-") or "lampiran"
    return stem + extension


def prepare(
    data: object,
    filename: object,
    *,
    limits: AttachmentLimits | None = None,
    thumbnail_size: int | None = THUMBNAIL_SIZE,
) -> Prepared:
    """Check a file by its content and return it stripped of metadata, ready to store.

    Args:
        data: The file: bytes-like or a binary file object.
        filename: The name the client gave (sanitised; its extension is ignored).
        limits: Size and pixel limits (default :class:`AttachmentLimits`).
        thumbnail_size: The longest side of the picture's thumbnail (None: no thumbnail).

    Raises:
        ValidationError: The file is not one of the accepted types (``attachment.type_unsupported``), is
            too large, empty, corrupt or truncated, has too many pixels, is animated, is an encrypted PDF
            or one with active content, or ``filename`` is not a string.
        ConfigurationError: The ``attachments`` extra (Pillow, pypdf) is not installed.
    """
    limits = limits or AttachmentLimits()
    raw = read_data(data, limit=limits.max_bytes)
    kind = sniff(raw)
    if kind is None:
        raise _refuse(N_("attachment.type_unsupported"))
    small = None
    if kind == PDF:
        stored, content_type = _clean_pdf(raw), PDF
    else:
        try:
            stored, content_type, upright = _clean_image(raw, kind, limits)
            small = _thumbnail(upright, thumbnail_size)
        except ValidationError:
            raise
        except Exception:  # noqa: BLE001 - a picture Pillow decoded but cannot write again is refused too
            raise _refuse(N_("attachment.corrupt")) from None
    return Prepared(
        data=stored,
        content_type=content_type,
        filename=sanitise_filename(filename, content_type),
        sha256=hashlib.sha256(stored).hexdigest(),
        thumbnail=small,
    )


# --- images -------------------------------------------------------------------------------------------------


def _pillow() -> Any:
    try:
        from PIL import Image  # noqa: PLC0415 - the attachments extra loads on first use
    except ImportError:  # pragma: no cover - the extra is installed wherever the tests run
        raise ConfigurationError(detail=N_("attachment.extra_missing"), params={"module": "Pillow"}) from None
    return Image


def _open_heif(raw: bytes, limits: AttachmentLimits) -> PILImage.Image:
    try:
        import pillow_heif  # noqa: PLC0415 - only HEIC/HEIF uploads need it
    except ImportError:  # pragma: no cover - the extra is installed wherever the tests run
        raise _refuse(N_("attachment.heif_unavailable")) from None
    try:
        heif = pillow_heif.open_heif(io.BytesIO(raw), convert_hdr_to_8bit=True)
        width, height = heif.size
        frames = len(heif)
    except Exception:  # noqa: BLE001 - whatever libheif says, the file is not a picture we can read
        raise _refuse(N_("attachment.corrupt")) from None
    if width * height > limits.max_pixels:
        raise _refuse(N_("attachment.too_many_pixels"), max=limits.max_pixels)
    if frames > 1:
        raise _refuse(N_("attachment.animated"))
    try:
        image: PILImage.Image = heif.to_pillow()
        image.load()
    except Exception:  # noqa: BLE001 - whatever libheif says, the file is not a picture we can read
        raise _refuse(N_("attachment.corrupt")) from None
    return image


def _open_image(raw: bytes, kind: str, limits: AttachmentLimits) -> PILImage.Image:
    image_module = _pillow()
    if kind == HEIF:
        return _open_heif(raw, limits)
    import warnings  # noqa: PLC0415

    try:
        with warnings.catch_warnings():
            # The pixel limit below is the one that decides; Pillow's own warning is not a decision.
            warnings.simplefilter("ignore", image_module.DecompressionBombWarning)
            image: PILImage.Image = image_module.open(io.BytesIO(raw), formats=[_PILLOW_FORMATS[kind]])
    except image_module.DecompressionBombError:
        raise _refuse(N_("attachment.too_many_pixels"), max=limits.max_pixels) from None
    except Exception:  # noqa: BLE001 - Pillow raises many kinds for a file it cannot read
        raise _refuse(N_("attachment.corrupt")) from None
    width, height = image.size
    if width * height > limits.max_pixels:
        raise _refuse(N_("attachment.too_many_pixels"), max=limits.max_pixels)
    if getattr(image, "n_frames", 1) > 1:
        raise _refuse(N_("attachment.animated"))
    try:
        image.load()  # the whole file: a truncated one raises here
    except Exception:  # noqa: BLE001 - truncated, corrupt, or a decoder error
        raise _refuse(N_("attachment.corrupt")) from None
    return image


def _to_srgb(image: PILImage.Image) -> PILImage.Image:
    profile = image.info.get("icc_profile")
    if not profile or image.mode not in ("RGB", "RGBA"):
        return image
    from PIL import ImageCms  # noqa: PLC0415

    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        converted = ImageCms.profileToProfile(
            image, source, ImageCms.createProfile("sRGB"), outputMode=image.mode
        )
    except Exception:  # noqa: BLE001 - a broken profile: keep the pixels as they are, drop the profile
        return image
    return converted if converted is not None else image


def _thumbnail(upright: PILImage.Image, size: int | None) -> bytes | None:
    """A JPEG of at most ``size`` pixels on its longest side, or None when the picture is not larger."""
    if size is None or max(upright.size) <= size:
        return None
    small = upright.copy()
    small.thumbnail((size, size), reducing_gap=3.0)
    if small.mode in ("RGBA", "LA", "P", "PA"):
        small = small.convert("RGBA")
        background = _pillow().new("RGB", small.size, (255, 255, 255))
        background.paste(small, mask=small.getchannel("A"))
        small = background
    elif small.mode not in ("RGB", "L"):
        small = small.convert("RGB")
    small.info = {}
    out = io.BytesIO()
    small.save(out, format="JPEG", quality=_THUMBNAIL_QUALITY)
    return out.getvalue()


def _clean_image(raw: bytes, kind: str, limits: AttachmentLimits) -> tuple[bytes, str, PILImage.Image]:
    """The stripped bytes, their content type, and the upright picture (for the thumbnail)."""
    from PIL import ImageOps  # noqa: PLC0415

    image = _open_image(raw, kind, limits)
    orientation = image.getexif().get(0x0112, 1)  # EXIF Orientation
    if kind == JPEG and orientation == 1 and not image.info.get("icc_profile"):
        copied = copy_jpeg_without_metadata(raw)
        if copied is not None:
            return copied, JPEG, image
    upright = ImageOps.exif_transpose(image) or image
    upright.info = {key: value for key, value in image.info.items() if key == "icc_profile"}
    upright = _to_srgb(upright)
    transparency = image.info.get("transparency") if image.mode in ("P", "L", "RGB") else None
    clean = upright.copy()
    clean.info = {}
    out = io.BytesIO()
    if kind in (JPEG, HEIF):
        if clean.mode not in ("RGB", "L", "CMYK"):
            clean = clean.convert("RGB")
        clean.save(out, format="JPEG", quality=_JPEG_QUALITY, optimize=True)
        return out.getvalue(), JPEG, clean
    if kind == PNG:
        options: dict[str, Any] = {}
        if transparency is not None and clean.mode == image.mode:
            options["transparency"] = transparency
        clean.save(out, format="PNG", optimize=False, **options)
        return out.getvalue(), PNG, clean
    clean.save(out, format="WEBP", quality=_WEBP_QUALITY, method=4)
    return out.getvalue(), WEBP, clean


# JPEG markers (ITU-T T.81, B.1.1.3): standalone markers carry no length.
_MARKER, _SOI, _EOI, _SOS, _COM, _APP14 = 0xFF, 0xD8, 0xD9, 0xDA, 0xFE, 0xEE
_STANDALONE: Final = frozenset({0x01, *range(0xD0, 0xD8)})


def _jpeg_segments(raw: bytes) -> Iterator[tuple[int, int, int]]:
    """Yield (marker, start, end) of each marker segment, a scan's entropy-coded data included in its SOS."""
    position = 2
    size = len(raw)
    while position < size:
        if raw[position] != _MARKER:
            raise ValueError("marker expected")
        while position < size and raw[position] == _MARKER:  # fill bytes
            position += 1
        if position >= size:
            raise ValueError("truncated")
        marker = raw[position]
        start = position - 1
        position += 1
        if marker == _EOI:
            yield marker, start, position
            return
        if marker in _STANDALONE:
            yield marker, start, position
            continue
        if position + 2 > size:
            raise ValueError("truncated")
        end = position + int.from_bytes(raw[position : position + 2], "big")
        if end > size:
            raise ValueError("truncated")
        if marker == _SOS:  # the scan runs to the next marker that is neither stuffing nor a restart
            while True:
                end = raw.find(b"\xff", end)
                if end < 0 or end + 1 >= size:
                    raise ValueError("truncated")
                following = raw[end + 1]
                if following == 0 or 0xD0 <= following <= 0xD7:  # noqa: PLR2004 - RSTn markers
                    end += 2
                    continue
                break
        yield marker, start, end
        position = end


def copy_jpeg_without_metadata(raw: bytes) -> bytes | None:
    """``raw`` without its APP1-APP15 (except APP14 Adobe), APP0 and COM segments, or any byte after EOI.

    The compressed pixels are copied unchanged, so no quality is lost; what goes is every place metadata
    lives in a JPEG (EXIF with its thumbnail, XMP, IPTC, ICC profile, MPF and the pictures appended after
    the end marker, maker notes, JFIF thumbnails, comments). None when the file's structure is not one this
    copier follows; the caller then re-encodes.
    """
    if not raw.startswith(b"\xff\xd8"):
        return None
    kept = [b"\xff\xd8"]
    try:
        for marker, start, end in _jpeg_segments(raw):
            is_app = 0xE0 <= marker <= 0xEF  # noqa: PLR2004 - APP0..APP15
            if (is_app and marker != _APP14) or marker == _COM:
                continue
            kept.append(raw[start:end])
            if marker == _EOI:
                return b"".join(kept)
    except ValueError:
        return None
    return None


# --- PDF ----------------------------------------------------------------------------------------------------


def _active_content(reader: Any) -> bool:
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject  # noqa: PLC0415

    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [reader.trailer]
    visited = 0
    while stack:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node.get_object()
        visited += 1
        if visited > _PDF_MAX_OBJECTS:
            return True
        if isinstance(node, DictionaryObject):
            for name, value in node.items():
                if name in _PDF_ACTIVE_KEYS:
                    return True
                # An open action that is a destination (an array: "open at page 1") is harmless; an action
                # dictionary runs something when the document opens.
                if name == "/OpenAction" and isinstance(value, IndirectObject | DictionaryObject):
                    target = value.get_object() if isinstance(value, IndirectObject) else value
                    if isinstance(target, DictionaryObject):
                        return True
                if name == "/S" and str(value) in _PDF_ACTIVE_ACTIONS:
                    return True
                stack.append(value)
        elif isinstance(node, ArrayObject):
            stack.extend(node)
    return False


def _clean_pdf(raw: bytes) -> bytes:
    try:
        from pypdf import PdfReader, PdfWriter  # noqa: PLC0415 - the attachments extra loads on first use
        from pypdf.generic import NameObject  # noqa: PLC0415
    except ImportError:  # pragma: no cover - the extra is installed wherever the tests run
        raise ConfigurationError(detail=N_("attachment.extra_missing"), params={"module": "pypdf"}) from None
    try:
        reader = PdfReader(io.BytesIO(raw), strict=False)
        encrypted = reader.is_encrypted
        active = not encrypted and _active_content(reader)
    except Exception:  # noqa: BLE001 - pypdf raises many kinds for a file it cannot read
        raise _refuse(N_("attachment.corrupt")) from None
    if encrypted:
        raise _refuse(N_("attachment.pdf_encrypted"))
    if active:
        raise _refuse(N_("attachment.pdf_active_content"))
    try:
        writer = PdfWriter()
        for page in reader.pages:
            added = writer.add_page(page)
            for name in ("/Metadata", "/PieceInfo"):
                if NameObject(name) in added:
                    del added[NameObject(name)]
        writer.metadata = None
        out = io.BytesIO()
        writer.write(out)
        pages = len(writer.pages)
    except Exception:  # noqa: BLE001 - pypdf raises many kinds for a file it cannot read
        raise _refuse(N_("attachment.corrupt")) from None
    if not pages:
        raise _refuse(N_("attachment.corrupt"))
    return out.getvalue()
