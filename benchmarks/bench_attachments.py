"""Stripping a 12-megapixel phone JPEG: lapor_core's attach path beside a Pillow re-save and a segment copy.

What is measured, on a synthetic 4000 x 3000 photo (noise over gradients, quality 90, EXIF with GPS, serial,
maker note, an XMP packet and a 200 KB trailer as phones append):

- ``segment copy``: the APPn/COM segments and the trailer dropped, the compressed pixels copied
  (:func:`lapor_core._domain.attachments.copy_jpeg_without_metadata` alone, no decoding).
- ``Pillow re-save``: decode and encode again at quality 92 with no metadata (what most portals do).
- ``prepare, upright``: lapor_core's whole check for a photo that needs no turning (orientation 1): the full
  decode that proves the file is whole, then the segment copy.
- ``+ 640 px thumbnail``: the same with the thumbnail a desk makes at attach time.
- ``prepare, orientation 6``: a photo taken sideways: decode, turn upright, re-encode at quality 92.

Quality is the PSNR of the stored pixels against the original's (infinite: identical pixels).
"""

from __future__ import annotations

import io
import math
import time
from collections.abc import Callable

import numpy as np
from PIL import Image, ImageOps

from lapor_core._domain.attachments import AttachmentLimits, copy_jpeg_without_metadata, prepare

SIZE = (4000, 3000)
REPEAT = 3


def _photo(orientation: int) -> bytes:
    noise = Image.effect_noise(SIZE, 40)
    gradient = Image.linear_gradient("L").resize(SIZE)
    radial = Image.radial_gradient("L").resize(SIZE)
    picture = Image.merge("RGB", (noise, gradient, radial))
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "Samsung"
    details = exif.get_ifd(0x8769)
    details[0xA431] = "R58N2ABCDEF"
    details[0x927C] = bytes(range(256)) * 64
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "S", (6.0, 10.0, 30.5)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=90, exif=exif.tobytes(), xmp=b"<x:xmpmeta/>" * 100)
    return out.getvalue() + bytes(200_000)


def _best(run: Callable[[], bytes]) -> tuple[float, bytes]:
    best, result = math.inf, b""
    for _ in range(REPEAT):
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
    return best, result


def _pixels(data: bytes) -> np.ndarray:
    """The picture's pixels as it is meant to be seen (turned by its EXIF orientation)."""
    image = ImageOps.exif_transpose(Image.open(io.BytesIO(data))) or Image.open(io.BytesIO(data))
    return np.asarray(image.convert("RGB"), dtype=np.float64)


def _psnr(reference: np.ndarray, data: bytes) -> float:
    pixels = _pixels(data)
    error = float(np.mean((pixels - reference) ** 2))
    return math.inf if error == 0 else 10 * math.log10(255**2 / error)


def main() -> None:
    limits = AttachmentLimits(max_bytes=64 * 1024 * 1024)
    upright = _photo(1)
    sideways = _photo(6)
    reference = _pixels(upright)
    sideways_reference = _pixels(sideways)

    def resave() -> bytes:
        out = io.BytesIO()
        Image.open(io.BytesIO(upright)).save(out, "JPEG", quality=92)
        return out.getvalue()

    def copy() -> bytes:
        copied = copy_jpeg_without_metadata(upright)
        assert copied is not None
        return copied

    rows = [
        ("segment copy", *_best(copy), reference),
        ("Pillow re-save (q92)", *_best(resave), reference),
        (
            "prepare, upright",
            *_best(lambda: prepare(upright, "a.jpg", limits=limits, thumbnail_size=None).data),
            reference,
        ),
        ("  + 640 px thumbnail", *_best(lambda: prepare(upright, "a.jpg", limits=limits).data), reference),
        (
            "prepare, orientation 6",
            *_best(lambda: prepare(sideways, "a.jpg", limits=limits, thumbnail_size=None).data),
            sideways_reference,
        ),
    ]
    base = rows[1][1]
    print(f"  input: {SIZE[0]} x {SIZE[1]} JPEG, {len(upright) / 1e6:.1f} MB with metadata and trailer")
    print(f"  {'method':<24} {'time':>9} {'vs re-save':>10} {'stored':>9} {'PSNR':>9}")
    for name, seconds, data, ref in rows:
        psnr = _psnr(ref, data)
        quality = "lossless" if math.isinf(psnr) else f"{psnr:.1f} dB"
        print(
            f"  {name:<24} {seconds * 1000:>7.0f} ms {seconds / base:>9.2f}x "
            f"{len(data) / 1e6:>6.2f} MB {quality:>9}"
        )
    print("  (PSNR against the original's pixels; 'lossless': identical pixels)")


if __name__ == "__main__":
    main()
