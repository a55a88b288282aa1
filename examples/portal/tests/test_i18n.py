"""The portal's language helpers: field names for the library's paths, Accept-Language, request errors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import lapor_core as lc
from lapor_portal.api.errors import request_errors
from lapor_portal.i18n import Translator, accepted_language
from lapor_portal.messages import messages

LIBRARY_REASONS = (
    "must not be empty",
    "tidak boleh kosong",
    "must be",
    "harus ",
    "is required",
    "wajib diisi",
)


@pytest.mark.parametrize(
    ("path", "indonesian", "english"),
    [
        ("title", "Judul", "Title"),
        ("location.lon", "Bujur", "Longitude"),
        ("reporter.email", "Surel", "E-mail"),
        ("options[0]", "Pilihan jawaban ke-1", "Options #1"),
        ("choices[2]", "Pilihan ke-3", "Choice #3"),
        ("closes_at", "Waktu ditutup", "Closing time"),
        ("$", "Isian", "Input"),
        ("[1]", "Isian ke-2", "Input #2"),
    ],
)
def test_field_names_follow_the_page_language(path: str, indonesian: str, english: str) -> None:
    """Library paths, nested or indexed, read as the form's own names in both languages."""
    assert (Translator("id").field(path), Translator("en").field(path)) == (indonesian, english)


def test_an_unknown_field_is_shown_as_its_path() -> None:
    """A path the portal has no name for is shown as it is rather than guessed."""
    assert Translator("id").field("surprise.thing") == "surprise.thing"


def test_the_portal_catalogue_holds_no_copy_of_the_library_messages() -> None:
    """Validation reasons come from the library's catalogue only: no portal text repeats one."""
    for key, texts in messages().items():
        if key.startswith(("field.", "poll.vote_invalid")):
            continue
        for text in texts:
            for reason in LIBRARY_REASONS:
                assert not text.startswith(reason), (key, text)
    assert not any(key.startswith(("poll.state.", "poll.rule.")) for key in messages())


@given(st.text(max_size=200))
def test_accepted_language_is_always_a_portal_language(header: str) -> None:
    """Whatever the header holds, the answer is id or en, never an exception."""
    assert accepted_language(header) in ("id", "en")


@given(st.floats(min_value=0.001, max_value=1), st.floats(min_value=0.001, max_value=1))
def test_the_higher_quality_wins_and_indonesian_wins_ties(english: float, indonesian: float) -> None:
    """Between en and id the higher q wins; equal qualities keep the default, Indonesian."""
    header = f"en;q={english:.3f}, id;q={indonesian:.3f}"
    expected = "en" if round(english, 3) > round(indonesian, 3) else "id"
    assert accepted_language(header) == expected


@pytest.mark.parametrize(
    ("found", "field", "code", "params"),
    [
        (
            {"type": "bool_type", "loc": ("body", "anonymous"), "input": "yes"},
            "anonymous",
            "value.not_boolean",
            {"type": "string"},
        ),
        ({"type": "missing", "loc": ("body", "title"), "input": {}}, "title", "value.required", {}),
        (
            {"type": "extra_forbidden", "loc": ("body", "surprise"), "input": 1},
            "surprise",
            "field.unknown",
            {},
        ),
        ({"type": "model_type", "loc": ("body",), "input": [1]}, "$", "value.not_mapping", {"type": "list"}),
        (
            {"type": "float_type", "loc": ("body", "location", "lat"), "input": "1"},
            "location.lat",
            "value.not_number",
            {"type": "string"},
        ),
        ({"type": "json_invalid", "loc": ("body", 9), "input": {}}, "$", "value.wrong_type", {}),
        (
            {
                "type": "enum",
                "loc": ("query", "status", 0),
                "input": "x",
                "ctx": {"expected": "'submitted' or 'closed'"},
            },
            "status[0]",
            "value.not_choice",
            {"choices": ["submitted", "closed"]},
        ),
        (
            {
                "type": "string_too_long",
                "loc": ("path", "tracking_id"),
                "input": "x" * 101,
                "ctx": {"max_length": 100},
            },
            "tracking_id",
            "text.too_long",
            {"max": 100, "actual": 101},
        ),
        ({"type": "something_new", "loc": ("body", "kind"), "input": "x"}, "kind", "value.wrong_type", {}),
    ],
)
def test_request_errors_become_the_library_codes_without_the_value(
    found: dict[str, object], field: str, code: str, params: dict[str, object]
) -> None:
    """Each shape error FastAPI finds reads as the library's code for it; the refused value is not kept."""
    (error,) = request_errors([found]).errors
    assert (error.field, error.code, dict(error.params)) == (field, code, params)
    assert "$" not in error.message("en")
    assert isinstance(request_errors([found]), lc.ValidationError)
