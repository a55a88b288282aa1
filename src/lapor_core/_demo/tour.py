"""The demonstrations: ``lapor demo`` (``make demo``) and ``lapor tour``.

``lapor demo`` simulates a month of LAPOR! traffic on a SQLite file (or any store URL) and prints timelines
and an SLA table; with the same seed it prints the same report. ``lapor tour`` shows tracking IDs, access keys
and validation: its fresh IDs and keys come from :mod:`secrets`, everything else is derived from the seed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Final, TextIO

from lapor_core._domain import text as _text
from lapor_core._domain.keys import StoredKey, new_access_key
from lapor_core._domain.model import Submission
from lapor_core._domain.tracking import DATA_BITS, TrackingId
from lapor_core._serialization import to_dict
from lapor_core.errors import InvalidTrackingId, ValidationError

__all__ = ["DEFAULT_DEMO_URL", "run_demo", "run_tour"]

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
    "category": "street-lighting",
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


DEFAULT_DEMO_URL = "sqlite:///build/demo/lapor-demo.db"


def run_demo(*, seed: int, out: TextIO, url: str = DEFAULT_DEMO_URL) -> int:
    """Simulate March and April 2026 on the store at ``url`` and print the report; return 0.

    A ``sqlite:///`` file is created afresh (its folder too); other stores must be empty.
    """
    from datetime import datetime  # noqa: PLC0415 - the tour above needs none of this

    from lapor_core._demo.simulation import WIB, report, seeded_ids, simulate  # noqa: PLC0415
    from lapor_core._domain.ports import FrozenClock  # noqa: PLC0415
    from lapor_core.desk import ComplaintDesk  # noqa: PLC0415

    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            leftover.unlink(missing_ok=True)
    clock = FrozenClock(datetime(2026, 3, 2, 8, tzinfo=WIB))
    ids = seeded_ids(seed)
    desk = ComplaintDesk.open(url, clock=clock, pepper=_DEMO_PEPPER, id_source=lambda: next(ids))
    try:
        print(f"lapor_core demo (seed {seed}): March-April 2026 on {url}", file=out)
        print("Working days follow the 2026 decree; Nyepi, Lebaran and cuti bersama are off.\n", file=out)
        report(simulate(desk, clock, seed=seed), out)
    finally:
        desk.close()
    return 0


def run_tour(*, seed: int, out: TextIO) -> int:
    """Print the tour of tracking IDs, access keys and validation to ``out``; return 0.

    Args:
        seed: Chooses the example tracking ID that is mistyped in several ways.
        out: Where to write.
    """

    def say(line: str = "") -> None:
        print(line, file=out)

    say(f"lapor_core tour (seed {seed}): tracking IDs, access keys and validation")
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
