"""The Indonesian edition (docs/translating.md): no translated page falls far behind its English source.

A page's catalogue (``docs/locale/id/LC_MESSAGES/<page>.po``) is compared with the messages Sphinx extracts
from the current English page; more than 10 % untranslated or fuzzy messages (and more than one) fails. The
translations keep every role, link and code span of the English, and README.id.md keeps README.md's
sections and code.
"""

from __future__ import annotations

import importlib.util
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.catalog import Catalog

ROOT = Path(__file__).parent.parent


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("translations", ROOT / "docs" / "_ext" / "translations.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


translations = _load()
PAGES = translations.translated_pages()


@pytest.fixture(scope="module")
def english() -> Iterator[dict[str, Catalog]]:
    """The messages of every translated page, extracted from the current English sources."""
    with tempfile.TemporaryDirectory() as folder:
        yield translations.extract(PAGES, Path(folder))


def test_the_edition_has_the_guide_pages_and_the_first_topics() -> None:
    """The pages translated so far; a catalogue for a page that no longer exists would be listed too."""
    assert PAGES == [
        "choosing",
        "index",
        "operations/index",
        "quickstart",
        "topics/access-policy",
        "topics/lifecycle",
        "topics/service-levels",
        "topics/storage-plugins",
        "topics/submissions",
        "tutorial/regional-desk",
    ]
    for page in PAGES:
        assert (ROOT / "docs" / f"{page}.md").exists()


@pytest.mark.parametrize("page", PAGES)
def test_translated_page_is_at_most_the_threshold_behind_its_english_source(
    page: str, english: dict[str, Catalog]
) -> None:
    """Untranslated or fuzzy messages are at most 10 % of the page's messages (at least one is allowed)."""
    missing = translations.behind(english[page], translations.read_catalogue(page))
    total = sum(1 for message in english[page] if message.id)
    assert len(missing) <= translations.allowed_behind(total), missing


def test_behind_counts_missing_empty_and_fuzzy_translations() -> None:
    """The measure: a message absent, empty or fuzzy in the catalogue is behind, a translated one is not."""
    template = Catalog()
    for text in ("one", "two", "three", "four"):
        template.add(text)
    translation = Catalog(locale="id")
    translation.add("one", "satu")
    translation.add("two", "")
    translation.add("three", "tiga", flags=["fuzzy"])
    assert translations.behind(template, translation) == ["two", "three", "four"]


MARKUP = re.compile(r"\{[a-z]+\}`[^`]+`|`[^`]+`|<https?://[^>]+>|\]\([^)]+\)")


@pytest.mark.parametrize("page", PAGES)
def test_translations_keep_every_role_code_span_and_link(page: str) -> None:
    """A translation changes the words, never a cross-reference, an identifier or a URL."""
    for message in translations.read_catalogue(page):
        if message.id and message.string:
            assert sorted(MARKUP.findall(str(message.string))) == sorted(MARKUP.findall(str(message.id))), (
                message.id
            )


def _outline(text: str) -> tuple[int, list[str]]:
    """The number of headings and the code blocks of a markdown text."""
    headings = len(
        re.findall(r"^#{1,6} ", re.sub(r"```.*?```", "", text, flags=re.DOTALL), flags=re.MULTILINE)
    )
    return headings, re.findall(r"```.*?```", text, flags=re.DOTALL)


def test_indonesian_readme_keeps_the_sections_and_code_of_the_english_one() -> None:
    """README.id.md has README.md's headings (translated) and exactly its code blocks."""
    english = (ROOT / "README.md").read_text(encoding="utf-8")
    indonesian = (ROOT / "README.id.md").read_text(encoding="utf-8")
    assert _outline(indonesian) == _outline(english)
    assert "[Bahasa Indonesia](README.id.md)" in english
    assert "[English](README.md)" in indonesian


BLOCK_START = re.compile(r"^(?:\d+\.|[-*+>#]) ")


@pytest.mark.parametrize("page", PAGES)
def test_no_translation_starts_like_a_markdown_block_its_english_is_not(page: str) -> None:
    r"""Sphinx reads each translation as markdown and silently drops one that parses as another kind of block.

    A heading "1. An empty folder" translated as "1. Folder kosong" becomes a list item, and the English
    heading stays; the translation must write "1\. Folder kosong".
    """
    for message in translations.read_catalogue(page):
        if message.id and message.string:
            assert not BLOCK_START.match(str(message.string)), message.string


def test_a_page_missing_more_than_the_allowance_is_over_the_threshold(english: dict[str, Catalog]) -> None:
    """The tutorial with the translations of a few paragraphs gone is reported, one more than allowed."""
    page = "tutorial/regional-desk"
    catalogue = translations.read_catalogue(page)
    total = sum(1 for message in english[page] if message.id)
    for message in [m for m in catalogue if m.id][: translations.allowed_behind(total) + 1]:
        message.string = ""
    assert len(translations.behind(english[page], catalogue)) > translations.allowed_behind(total)
