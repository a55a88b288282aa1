from __future__ import annotations

import io
import re

from lapor_core._demo.tour import run_tour
from lapor_core._domain.tracking import TrackingId
from lapor_core.cli import main

TRACKING_ID = re.compile(
    r"\b[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{3}-[0-9A-HJKMNP-TV-Z]\b"
)
BAD_FIELDS = (
    "title",
    "body",
    "kind",
    "channel",
    "location.region",
    "location.lon",
    "anonymous",
    "reporter.email",
    "reporter.phone",
    "priority",
)


def _run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    status = main(["tour", *argv], out=out)
    return status, out.getvalue()


def _deterministic_part(text: str) -> str:
    """The output after the fresh IDs, without the random access key."""
    after_fresh = text.split("Reading back", 1)[1]
    return re.sub(r"reporter: \S+", "reporter: KEY", after_fresh)


def test_lapor_tour_exits_zero_and_shows_fresh_tracking_ids() -> None:
    """`lapor tour` succeeds; the three fresh IDs and the example are valid tracking IDs."""
    status, text = _run()
    assert status == 0
    lines = text.splitlines()
    start = lines.index("Fresh tracking IDs (55 random bits + 1 check symbol, Crockford base32):") + 1
    fresh = [line.strip() for line in lines[start : start + 3]]
    example = TRACKING_ID.findall(text.split("Reading back", 1)[1].splitlines()[0])
    assert all(
        TRACKING_ID.fullmatch(tracking_id) and TrackingId.is_valid(tracking_id) for tracking_id in fresh
    )
    assert len(set(fresh)) == 3
    assert len(example) == 1
    assert TrackingId.is_valid(example[0])


def test_demo_shows_each_kind_of_parse_outcome() -> None:
    """The typed examples show a lenient parse, a failed check, a wrong length and a bad character."""
    _, text = _run("--seed", "7")
    assert "-> " in text
    assert "refused: check symbol does not match" in text
    assert "refused: wrong length: expected 12 symbols, got 11" in text
    assert "refused: bad character 'U' at position 3 (U is not used in tracking IDs)" in text


def test_demo_shows_access_key_verification() -> None:
    """A loosely typed key verifies and a mistyped one does not."""
    _, text = _run()
    assert "typed back loosely: True" in text
    assert "with a typo:        False" in text


def test_demo_lists_every_bad_field_of_the_bad_submission() -> None:
    """The deliberately bad submission reports each of its mistakes by path."""
    _, text = _run()
    for field in BAD_FIELDS:
        assert re.search(rf"^  {re.escape(field)} +\S", text, re.MULTILINE), field


def test_demo_prints_the_normalised_submission_as_json() -> None:
    """The valid submission is shown normalised: dotted region, +62 phone, stripped title."""
    _, text = _run()
    assert '"region": "31.71.01"' in text
    assert '"phone": "+6281234567890"' in text
    assert '"title": "Lampu jalan mati di Jl. Merdeka"' in text


def test_demo_is_repeatable_for_a_seed_apart_from_fresh_values() -> None:
    """The same seed gives the same examples; another seed gives other examples."""
    first = io.StringIO()
    second = io.StringIO()
    other = io.StringIO()
    assert run_tour(seed=11, out=first) == 0
    run_tour(seed=11, out=second)
    run_tour(seed=12, out=other)
    assert _deterministic_part(first.getvalue()) == _deterministic_part(second.getvalue())
    assert _deterministic_part(first.getvalue()) != _deterministic_part(other.getvalue())
