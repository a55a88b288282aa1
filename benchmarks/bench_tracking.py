"""Tracking IDs: generation and parsing, side by side with uuid4, ULID (python-ulid) and sqids.

Targets (issue #2): at least 500,000 ``TrackingId.new()`` a second and 700,000 ``TrackingId.parse()`` a
second. The peers do different jobs (uuid4 has 122 random bits and no check symbol, a ULID carries a
timestamp, sqids encodes a number it is given), so the ratios say what the check symbol and the forgiving
parser cost against the usual choices, not which is "better".
"""

from __future__ import annotations

import secrets
import uuid

from sqids import Sqids
from ulid import ULID

from benchmarks._timing import per_second, report
from lapor_core import TrackingId

COUNT = 100_000
SLOW_COUNT = 10_000  # sqids is two orders of magnitude slower; fewer calls keep the run short
GENERATION_TARGET = 500_000
PARSE_TARGET = 700_000


def _verdict(name: str, rate: float, target: int) -> None:
    status = "PASS" if rate >= target else "MISS"
    print(f"  {status}: {name} {rate:,.0f}/s (target {target:,}/s)")


def main() -> None:
    sqids = Sqids()
    ids = [TrackingId.new() for _ in range(COUNT)]
    canonical = [str(tracking_id) for tracking_id in ids]
    sloppy = [text.lower().replace("-", " ") for text in canonical]
    uuids = [str(uuid.uuid4()) for _ in range(COUNT)]
    ulids = [str(ULID()) for _ in range(COUNT)]
    sqid_texts = [sqids.encode([secrets.randbits(55)]) for _ in range(SLOW_COUNT)]

    def tracking_new(count: int) -> None:
        new = TrackingId.new
        for _ in range(count):
            new()

    def tracking_new_text(count: int) -> None:
        new = TrackingId.new
        for _ in range(count):
            str(new())

    def uuid4_new(count: int) -> None:
        for _ in range(count):
            uuid.uuid4()

    def uuid4_new_text(count: int) -> None:
        for _ in range(count):
            str(uuid.uuid4())

    def ulid_new(count: int) -> None:
        for _ in range(count):
            ULID()

    def ulid_new_text(count: int) -> None:
        for _ in range(count):
            str(ULID())

    def sqids_new_text(count: int) -> None:
        encode, randbits = sqids.encode, secrets.randbits
        for _ in range(count):
            encode([randbits(55)])

    def tracking_parse(count: int) -> None:
        parse = TrackingId.parse
        for text in canonical[:count]:
            parse(text)

    def tracking_parse_sloppy(count: int) -> None:
        parse = TrackingId.parse
        for text in sloppy[:count]:
            parse(text)

    def uuid_parse(count: int) -> None:
        for text in uuids[:count]:
            uuid.UUID(text)

    def ulid_parse(count: int) -> None:
        for text in ulids[:count]:
            ULID.from_str(text)

    def sqids_parse(count: int) -> None:
        decode = sqids.decode
        for text in sqid_texts[:count]:
            decode(text)

    generation = [
        ("TrackingId.new()", per_second(tracking_new, COUNT)),
        ("str(TrackingId.new())", per_second(tracking_new_text, COUNT)),
        ("uuid.uuid4()", per_second(uuid4_new, COUNT)),
        ("str(uuid.uuid4())", per_second(uuid4_new_text, COUNT)),
        ("ULID()", per_second(ulid_new, COUNT)),
        ("str(ULID())", per_second(ulid_new_text, COUNT)),
        ("sqids.encode([randbits(55)])", per_second(sqids_new_text, SLOW_COUNT)),
    ]
    parsing = [
        ("TrackingId.parse(canonical)", per_second(tracking_parse, COUNT)),
        ("TrackingId.parse(sloppy)", per_second(tracking_parse_sloppy, COUNT)),
        ("uuid.UUID(text)", per_second(uuid_parse, COUNT)),
        ("ULID.from_str(text)", per_second(ulid_parse, COUNT)),
        ("sqids.decode(text)", per_second(sqids_parse, SLOW_COUNT)),
    ]
    print(f"generation ({COUNT:,} calls, sqids {SLOW_COUNT:,}; best of 5; ratio to TrackingId.new()):")
    report(generation)
    print(
        f"parsing ({COUNT:,} calls, sqids {SLOW_COUNT:,}; best of 5; ratio to TrackingId.parse(canonical)):"
    )
    report(parsing)
    print("targets:")
    _verdict("TrackingId.new()", generation[0][1], GENERATION_TARGET)
    _verdict("TrackingId.parse()", parsing[0][1], PARSE_TARGET)
