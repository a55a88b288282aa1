"""The demonstration behind ``lapor demo`` (and ``make demo``): tracking IDs, access keys, validation.

Fresh tracking IDs and access keys come from :mod:`secrets` and differ on every run; everything else is
derived from ``seed`` and repeats exactly.
"""

from __future__ import annotations

import hashlib
import json
from typing import Final, TextIO

from lapor_core import _text
from lapor_core.errors import InvalidTrackingId, ValidationError
from lapor_core.keys import StoredKey, new_access_key
from lapor_core.model import Submission
from lapor_core.serialization import to_dict
from lapor_core.tracking import DATA_BITS, TrackingId

__all__ = ["run_demo"]

# A fixed pepper is fine for a demonstration; a deployment configures its own secret.
_DEMO_PEPPER: Final = b"lapor_core demo pepper, not a secret"

_BAD_SUBMISSION: Final = {
    "kind": "keluhan",
    "channel": "fax",
    "title": "   ",
    "body": "Lampu jalan mati\x00",
    "anonymous": "ya",
    "location": {"region": "31-71", "lat": -6.2, "lon": 160.0},
    "reporter": {"email": "budi@", "phone": "12345"},
    "priority": "tinggi",
}

_GOOD_SUBMISSION: Final = {
    "kind": "pengaduan",
    "channel": "sms",
    "title": "  Lampu jalan mati di Jl. Merdeka  ",
    "body": "Sudah tiga malam gelap.\nMohon segera diperbaiki.",
    "category": "infrastruktur.penerangan",
    "anonymous": True,
    "location": {"region": "317101", "lat": -6.1754, "lon": 106.8272},
    "reporter": {"phone": "0812 3456 7890"},
}


def _seeded_id(seed: int) -> TrackingId:
    digest = hashlib.blake2b(str(seed).encode("ascii"), digest_size=8).digest()
    return TrackingId.from_int(int.from_bytes(digest) >> (64 - DATA_BITS))


def _sloppy(canonical: str) -> str:
    """How people type an ID: lower case, spaces, the letters o and l for zero and one."""
    return canonical.lower().replace("-", " ").replace("0", "o").replace("1", "l")


def _with_typo(canonical: str, position: int) -> str:
    wrong = _text.CROCKFORD[(_text.CROCKFORD.index(canonical[position]) + 1) % 32]
    return canonical[:position] + wrong + canonical[position + 1 :]


def _swapped(canonical: str) -> str:
    """The ID with its first pair of different neighbouring symbols swapped (hyphens dropped)."""
    symbols = canonical.replace("-", "")
    at = next(i for i in range(len(symbols) - 1) if symbols[i] != symbols[i + 1])
    return symbols[:at] + symbols[at + 1] + symbols[at] + symbols[at + 2 :]


def _parse_outcome(text: str) -> str:
    try:
        return f"-> {TrackingId.parse(text)}"
    except InvalidTrackingId as error:
        return f"refused: {error.reason}"


def run_demo(*, seed: int, out: TextIO) -> int:
    """Print the demonstration to ``out``; return the exit status (0).

    Args:
        seed: Chooses the example tracking ID that is mistyped in several ways.
        out: Where to write.
    """

    def say(line: str = "") -> None:
        print(line, file=out)

    say(f"lapor_core demo (seed {seed}): tracking IDs, access keys and validation")
    say()
    say("Fresh tracking IDs (55 random bits + 1 check symbol, Crockford base32):")
    for _ in range(3):
        say(f"  {TrackingId.new()}")

    example = str(_seeded_id(seed))
    say()
    say(f"Reading back {example} as people type it:")
    for typed in (
        _sloppy(example),
        _with_typo(example, 6),
        _swapped(example),
        example[:-2],
        example[:2] + "U" + example[3:],
    ):
        say(f"  {typed!r:22} {_parse_outcome(typed)}")

    key = new_access_key()
    stored = StoredKey.create(key, pepper=_DEMO_PEPPER)
    say()
    say(f"Access key shown once to the reporter: {key}")
    say(f"  stored: 16-byte salt + HMAC-SHA256 digest ({len(stored.digest)} bytes), never the key")
    say(f"  typed back loosely: {stored.verify(key.lower().replace('-', ' '), pepper=_DEMO_PEPPER)}")
    say(f"  with a typo:        {stored.verify(_with_typo(key, 0), pepper=_DEMO_PEPPER)}")

    say()
    say("A submission with many mistakes gives one error listing every bad field:")
    try:
        Submission.from_dict(_BAD_SUBMISSION)
    except ValidationError as error:
        for field_error in error.errors:
            say(f"  {field_error.field:16} {field_error.reason}")

    say()
    say("A valid submission, normalised, as JSON:")
    submission = Submission.from_dict(_GOOD_SUBMISSION)
    say(json.dumps(to_dict(submission), indent=2, ensure_ascii=False))
    return 0
