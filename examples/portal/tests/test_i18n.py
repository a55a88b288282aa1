"""The portal's words: its gettext catalogue (domain lapor_portal), the library's messages, Accept-Language.

The catalogue tests extract the keys exactly as ``make portal-messages`` does (examples/portal/babel.cfg, the
Makefile's PORTAL_KEYWORDS), from the Python code and the Jinja templates.
"""

from __future__ import annotations

import ast
import string
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2
import jinja2.nodes
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from hypothesis import given
from hypothesis import strategies as st

import lapor_core as lc
from lapor_core import ClockState, Stage
from lapor_portal.api.errors import request_errors
from lapor_portal.formatting import format_date, format_number, format_percent
from lapor_portal.i18n import (
    COMPOSED_KEYS,
    DOMAIN,
    FIELD_KEYS,
    LANGUAGES,
    LOCALE_DIR,
    Translator,
    accepted_language,
    shown,
)
from lapor_portal.web.rendering import TEMPLATES

PORTAL_DIR = Path(__file__).resolve().parent.parent
KEYWORDS = {"N_": None, "t": None, "flash": (2,)}  # the Makefile's PORTAL_KEYWORDS
LIBRARY_REASONS = (
    "must not be empty",
    "tidak boleh kosong",
    "must be",
    "harus ",
    "is required",
    "wajib diisi",
)


def _extract() -> dict[str, str]:
    """Every key in the portal's code and templates, with a file it appears in."""
    with (PORTAL_DIR / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: dict[str, str] = {}
    for filename, _line, key, _comments, _context in extract_from_dir(
        str(PORTAL_DIR), method_map, options_map, keywords=KEYWORDS, comment_tags=()
    ):
        found.setdefault(key if isinstance(key, str) else key[0], filename)
    return found


def _catalogue(lang: str, suffix: str) -> dict[str, str]:
    """The translated entries of one catalogue file (.po or .mo): key -> text."""
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.{suffix}"
    with path.open("rb") as file:
        catalog = read_po(file, locale=lang) if suffix == "po" else read_mo(file)
    return {str(m.id): str(m.string) for m in catalog if m.id and m.string and not m.fuzzy}


KEYS = _extract()
COMPILED = {lang: _catalogue(lang, "mo") for lang in LANGUAGES}


@pytest.mark.parametrize("key", sorted(KEYS))
def test_every_key_of_the_pages_has_indonesian_and_english_text(key: str) -> None:
    """A key written in the portal's code or templates is in both compiled catalogues with a text."""
    assert COMPILED["id"].get(key), f"{key} ({KEYS[key]}) has no Indonesian text"
    assert COMPILED["en"].get(key), f"{key} ({KEYS[key]}) has no English text"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_catalogue_holds_only_keys_the_portal_uses(lang: str) -> None:
    """No text is left behind for a key the code no longer names (run `make portal-messages`)."""
    assert set(_catalogue(lang, "po")) - set(KEYS) == set()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_compiled_catalogue_matches_its_source(lang: str) -> None:
    """The committed .mo holds exactly the translated entries of its .po (run `make portal-messages`)."""
    assert COMPILED[lang] == _catalogue(lang, "po")


@pytest.mark.parametrize("key", sorted(COMPILED["id"]))
def test_both_languages_fill_the_same_placeholders(key: str) -> None:
    """The Indonesian and English texts of a key are valid ``${name}`` templates naming the same values."""
    texts = [COMPILED[lang][key] for lang in LANGUAGES]
    for text in texts:
        assert string.Template(text).is_valid(), f"{key}: malformed placeholder"
    assert len({frozenset(string.Template(text).get_identifiers()) for text in texts}) == 1, key


def _key_arguments(module: ast.Module) -> list[tuple[str, ast.expr]]:
    """The arguments that carry a key: the first of ``t(...)`` and ``N_(...)``, the second of ``flash``."""
    found = []
    for node in ast.walk(module):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            position = {"t": 0, "N_": 0, "flash": 1}.get(node.func.id)
            if position is not None and len(node.args) > position:
                found.append((node.func.id, node.args[position]))
    return found


@pytest.mark.parametrize(
    "module", sorted(str(p.relative_to(PORTAL_DIR)) for p in (PORTAL_DIR / "lapor_portal").rglob("*.py"))
)
def test_python_code_writes_each_key_literally(module: str) -> None:
    """``t`` and ``N_`` take a written key, so extraction finds it; ``flash`` takes one or passes one on.

    A key built at run time (an f-string, ``"action." + value``) would be missed by extraction and show
    on the page as the bare key.
    """
    tree = ast.parse((PORTAL_DIR / module).read_text("utf-8"))
    for name, argument in _key_arguments(tree):
        literal = isinstance(argument, ast.Constant) and isinstance(argument.value, str)
        passed_on = name == "flash" and isinstance(argument, (ast.Name, ast.Subscript))
        assert literal or passed_on, f"{module}:{argument.lineno}: {name}({ast.unparse(argument)})"


def test_the_key_check_sees_built_keys() -> None:
    """The check above recognises a built key in each of the three places."""
    tree = ast.parse('t(f"clock.{state}")\nN_("a." + b)\nflash(request, "x" if y else "z")\nt("ok")')
    arguments = _key_arguments(tree)
    assert [isinstance(a, ast.Constant) for _, a in arguments] == [False, False, False, True]


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.glob("*.html")))
def test_templates_name_each_key_literally(template: str) -> None:
    """In a template, ``t`` takes a written key; a key from a value goes through ``t.value`` instead."""
    environment = jinja2.Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
    tree = environment.parse((TEMPLATES / template).read_text("utf-8"))
    calls = [
        call
        for call in tree.find_all(jinja2.nodes.Call)
        if isinstance(call.node, jinja2.nodes.Name) and call.node.name == "t"
    ]
    assert all(call.args and isinstance(call.args[0], jinja2.nodes.Const) for call in calls)
    if template == "base.html":
        assert calls, "the templates call t() and this test looks at those calls"


@pytest.mark.parametrize(
    ("group", "values"),
    [
        ("action", [action.value for action in lc.Action]),
        ("role", [role.value for role in lc.Role]),
        ("stage", [stage.value for stage in Stage]),
        ("clock.state", [state.value for state in ClockState]),
    ],
)
def test_every_value_a_page_names_has_its_word(group: str, values: list[str]) -> None:
    """Each action, role, stage and clock state the library can report has a key listed for extraction."""
    assert {f"{group}.{value}" for value in values} - COMPOSED_KEYS == set()
    assert Translator("id").value(group, values[0]) != values[0]


def test_a_value_without_a_word_is_shown_as_it_is() -> None:
    """An action or role the portal does not know reads as its value, never as a bare key."""
    assert Translator("en").value("action", "teleport") == "teleport"
    assert Translator("id").value("role", "system") == "sistem"


@pytest.mark.parametrize(
    ("key", "values", "indonesian", "english"),
    [
        ("clock.left", {"days": 1500}, "sisa 1.500 hari kerja", "1,500 working days left"),
        ("poll.by_province", {"threshold": 10}, "(angka di bawah 10 disembunyikan", "(counts under 10"),
        ("track.saved", {"tracking_id": "LPR-1234"}, "Laporan LPR-1234 tercatat.", "Report LPR-1234 is"),
    ],
)
def test_numbers_in_a_text_are_written_for_its_language(
    key: str, values: dict[str, object], indonesian: str, english: str
) -> None:
    """Placeholders are filled in; numbers get the language's separators, other values stay as they are."""
    assert indonesian in Translator("id")(key, **values)
    assert english in Translator("en")(key, **values)


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_a_whole_number_keeps_its_digits_in_both_languages(number: int) -> None:
    """Only group separators are added: dots in Indonesian, commas in English."""
    assert shown(number, "id").replace(".", "") == str(number)
    assert shown(number, "en").replace(",", "") == str(number)
    assert format_number(number, "id") == shown(number, "id")


@given(st.floats(min_value=0, max_value=1))
def test_a_share_reads_as_a_percentage_with_a_decimal_comma_in_indonesian(share: float) -> None:
    """``ui.percent``: the share times 100 with one decimal, a comma in Indonesian and a point in English."""
    indonesian, english = format_percent(share, "id", 1), format_percent(share, "en", 1)
    assert indonesian.endswith("%")
    assert english.endswith("%")
    assert indonesian.replace(".", "").replace(",", ".") == english.replace(",", "")
    assert abs(float(english.rstrip("%").replace(",", "")) - share * 100) <= 0.05 + 1e-9


_EARLIEST, _LATEST = datetime(1990, 1, 1), datetime(2100, 1, 1)  # noqa: DTZ001 - Hypothesis bounds are naive
_MONTHS_ID = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")


@given(st.datetimes(min_value=_EARLIEST, max_value=_LATEST, timezones=st.just(UTC)))
def test_dates_read_as_an_indonesian_writes_them(instant: datetime) -> None:
    """Babel's medium date for ``id`` is day, abbreviated Indonesian month, year, in the page's zone."""
    zone = ZoneInfo("Asia/Jayapura")
    local = instant.astimezone(zone)
    expected = f"{local.day} {_MONTHS_ID[local.month - 1]} {local.year}"
    assert format_date(instant, "id", zone) == expected


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
        ("options[1499]", "Pilihan jawaban ke-1.500", "Options #1,500"),
    ],
)
def test_field_names_follow_the_page_language(path: str, indonesian: str, english: str) -> None:
    """Library paths, nested or indexed, read as the form's own names in both languages."""
    assert (Translator("id").field(path), Translator("en").field(path)) == (indonesian, english)


def test_an_unknown_field_is_shown_as_its_path() -> None:
    """A path the portal has no name for is shown as it is rather than guessed."""
    assert Translator("id").field("surprise.thing") == "surprise.thing"
    assert Translator("id").field("item") == "item"


def test_every_field_name_is_in_the_catalogue() -> None:
    """The field names :meth:`Translator.field` may use are keys of the catalogue."""
    assert FIELD_KEYS - set(COMPILED["id"]) == set()
    assert all(key.startswith("field.") for key in FIELD_KEYS)


def test_the_portal_catalogue_holds_no_copy_of_the_library_messages() -> None:
    """Validation reasons come from the library's catalogue only: no portal text repeats one."""
    for lang in LANGUAGES:
        for key, text in COMPILED[lang].items():
            if key.startswith(("field.", "poll.vote_invalid")):
                continue
            for reason in LIBRARY_REASONS:
                assert not text.startswith(reason), (key, text)
    assert not any(key.startswith(("poll.state.", "poll.rule.")) for key in COMPILED["id"])


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
