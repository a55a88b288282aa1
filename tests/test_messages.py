"""The message catalogues: every code in the source has its Indonesian and English text, and they agree."""

from __future__ import annotations

import io
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from hypothesis import given
from hypothesis import strategies as st

from lapor_core import _i18n
from lapor_core.errors import FieldError, LaporError, ValidationError

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "src" / "lapor_core"
# The same keywords as `make messages-extract` (Makefile: MESSAGE_KEYWORDS).
KEYWORDS = {"N_": None, "Invalid": None, "FieldError": (2,), "single": (2,)}


def _source_ids() -> dict[str, str]:
    found: dict[str, str] = {}
    for filename, _line, message, _comments, _context in extract_from_dir(
        str(SOURCE),
        method_map=[("**.py", "python")],
        keywords=KEYWORDS,
        comment_tags=(),
        # Private packages (_domain, _application) hold most messages: only hidden folders are skipped.
        directory_filter=lambda path: not Path(path).name.startswith("."),
    ):
        text = message if isinstance(message, str) else message[0]
        found.setdefault(text, filename)
    return found


SOURCE_IDS = _source_ids()
MESSAGES = _i18n.messages()


def _placeholders(text: str) -> set[str]:
    return set(string.Template(text).get_identifiers())


def test_the_source_uses_codes_not_sentences() -> None:
    """Every extracted message ID is a dotted snake_case code, not an English sentence left behind."""
    sentences = {code: where for code, where in SOURCE_IDS.items() if " " in code or "." not in code}
    assert sentences == {}


@pytest.mark.parametrize("code", sorted(SOURCE_IDS))
def test_every_code_in_the_source_has_indonesian_and_english_text(code: str) -> None:
    """A code raised anywhere in src/ is in both catalogues with a non-empty text."""
    texts = MESSAGES.get(code, {})
    assert texts.get("id"), f"{code} ({SOURCE_IDS[code]}) has no Indonesian text"
    assert texts.get("en"), f"{code} ({SOURCE_IDS[code]}) has no English text"


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_both_languages_use_the_same_placeholders(code: str) -> None:
    """The Indonesian and English texts of a code fill the same ``${name}`` params, and both are valid."""
    texts = MESSAGES[code]
    assert set(texts) == set(_i18n.LOCALES)
    for text in texts.values():
        assert string.Template(text).is_valid(), f"{code}: malformed placeholder"
    assert _placeholders(texts["id"]) == _placeholders(texts["en"]), code


def test_every_error_class_has_its_description() -> None:
    """Every LaporError subclass names a code the catalogue has (what ``describe`` renders)."""

    def subclasses(cls: type[LaporError]) -> set[type[LaporError]]:
        found = set(cls.__subclasses__())
        for sub in list(found):
            found |= subclasses(sub)
        return found

    missing = {cls.__name__ for cls in {LaporError, *subclasses(LaporError)} if cls.code not in MESSAGES}
    assert missing == set()


@pytest.mark.parametrize("domain", ["lapor_core", "notifications"])
@pytest.mark.parametrize("locale", _i18n.LOCALES)
def test_the_compiled_catalogue_matches_its_source(domain: str, locale: str) -> None:
    """The shipped .mo holds exactly the translated entries of its .po (run `make messages-compile`)."""
    folder = _i18n.locale_dir() / locale / "LC_MESSAGES"
    with (folder / f"{domain}.po").open("rb") as file:
        source = read_po(file, locale=locale)
    with (folder / f"{domain}.mo").open("rb") as file:
        compiled = read_mo(file)

    def entries(catalog: object) -> dict[tuple[object, object], object]:
        return {
            (m.context, m.id): m.string
            for m in catalog  # type: ignore[attr-defined]
            if m.id and m.string and not m.fuzzy
        }

    assert entries(compiled) == entries(source)


def test_field_error_renders_indonesian_by_default_and_english_on_request() -> None:
    """``message()`` is Indonesian, ``message("en")`` English, with numbers formatted per locale."""
    error = FieldError("body", "text.too_long", {"max": 4000, "actual": 4001})
    assert error.message() == "paling banyak 4.000 karakter, diberikan 4.001"
    assert error.message("en") == "must be at most 4,000 characters, got 4,001"
    assert error.message("en-AU") == error.message("en")
    assert error.message("jv") == error.message("id")


def test_validation_error_lists_every_message_in_the_requested_language() -> None:
    """``messages(locale)`` pairs each field with its text; ``describe`` makes one line of them."""
    error = ValidationError([FieldError("title", "text.empty"), FieldError("kind", "value.required")])
    assert error.messages() == ("title: tidak boleh kosong", "kind: wajib diisi")
    assert error.messages("en") == ("title: must not be empty", "kind: is required")
    assert error.describe() == "Masukan tidak valid: title: tidak boleh kosong; kind: wajib diisi"
    assert str(error) == "invalid input: title: must not be empty; kind: is required"


def test_params_are_frozen_and_errors_pickle_with_them() -> None:
    """A FieldError's params cannot be changed after the fact, and survive pickling."""
    import pickle

    error = ValidationError.single("limit", "query.limit_out_of_range", max=1000)
    with pytest.raises(TypeError):
        error.errors[0].params["max"] = 1  # type: ignore[index]
    again = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own object
    assert again.errors == error.errors
    assert again.errors[0].message("en") == "must be an integer from 1 to 1,000"


def test_an_unknown_code_renders_as_itself() -> None:
    """A code missing from the catalogue shows up as the code (the tests above keep that from happening)."""
    assert FieldError("x", "no.such_code").message() == "no.such_code"


@given(
    code=st.sampled_from(sorted(MESSAGES)),
    params=st.dictionaries(
        st.sampled_from(["max", "min", "actual", "count", "type", "choices", "detail", "position"]),
        st.one_of(st.integers(), st.floats(allow_nan=True), st.text(max_size=20), st.none(), st.booleans()),
    ),
    locale=st.one_of(st.none(), st.sampled_from(["id", "en", "en_US", "fr", ""]), st.text(max_size=8)),
)
def test_rendering_never_fails_whatever_the_params(
    code: str, params: dict[str, object], locale: str | None
) -> None:
    """Any code, any params (missing, extra, odd types) and any locale give a string, never an exception."""
    assert isinstance(_i18n.translate(code, locale, params), str)


def test_the_catalogue_template_lists_every_code(tmp_path: Path) -> None:
    """The committed .pot (what `make messages-extract` writes) holds every code in the source."""
    with (SOURCE / "_i18n" / "lapor_core.pot").open("rb") as file:
        template = read_po(io.BytesIO(file.read()))
    assert {str(m.id) for m in template if m.id} >= set(SOURCE_IDS)
