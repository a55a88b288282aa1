"""The quality of similar-complaint search on the hand-labelled pairs of ``tests/data/similar_pairs.jsonl``.

Each line is one pair of complaints written by hand (a group is one matter: a complaint, a duplicate of it in
a citizen's own words, abbreviations and misspellings, and two near misses: the same kind of problem
elsewhere, or another problem at the same place), labelled ``duplicate`` or ``near_miss``.

:func:`measure` stores every complaint but the duplicates' drafts (side ``a`` of a ``duplicate`` pair) in
one in-memory desk, then asks ``desk.similar`` for each draft: precision@1 is the share of drafts whose
labelled duplicate comes first, recall@5 the share whose duplicate is among the first five. Run
``python tests/similar_quality.py`` to print the figures (and rapidfuzz's on the same drafts).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs

import lapor_core as lc
from desk_support import ADMIN, make_desk
from lapor_core._domain.similarity import Facts, analyse, rank
from lapor_core.testing.builders import DEFAULT_TIME

PAIRS = Path(__file__).parent / "data" / "similar_pairs.jsonl"


@attrs.frozen
class Quality:
    """What :func:`measure` found."""

    drafts: int
    corpus: int
    precision_at_1: float
    recall_at_5: float
    pairs: int


def load() -> list[dict[str, Any]]:
    """The labelled pairs."""
    return [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines() if line.strip()]


def _submission(doc: dict[str, Any]) -> lc.Submission:
    return lc.Submission.from_dict(
        {
            "kind": "pengaduan",
            "channel": "web",
            "title": doc["title"],
            "body": doc["body"],
            "category": doc["category"],
            "location": {"region": doc["region"]},
        }
    )


def _drafts_and_corpus() -> tuple[dict[str, tuple[dict[str, Any], str]], dict[str, dict[str, Any]], int]:
    pairs = load()
    drafts = {p["a"]["id"]: (p["a"], p["b"]["id"]) for p in pairs if p["label"] == "duplicate"}
    corpus: dict[str, dict[str, Any]] = {}
    for pair in pairs:
        for doc in (pair["a"], pair["b"]):
            if doc["id"] not in drafts:
                corpus[doc["id"]] = doc
    return drafts, corpus, len(pairs)


def measure_rapidfuzz() -> Quality:
    """The same figures for rapidfuzz's ``token_set_ratio`` over the raw titles and bodies, to compare."""
    from rapidfuzz import fuzz, process

    drafts, corpus, pairs = _drafts_and_corpus()
    keys = sorted(corpus)
    texts = [f"{corpus[k]['title']} {corpus[k]['body']}" for k in keys]
    first = within = 0
    for draft, expected in drafts.values():
        found = process.extract(
            f"{draft['title']} {draft['body']}", texts, scorer=fuzz.token_set_ratio, limit=5
        )
        ranked = [keys[index] for _, _, index in found]
        first += ranked[0] == expected
        within += expected in ranked
    return Quality(len(drafts), len(corpus), first / len(drafts), within / len(drafts), pairs)


def _quality(
    found: dict[str, list[str]], drafts: dict[str, tuple[dict[str, Any], str]], corpus: int, pairs: int
) -> Quality:
    first = sum(bool(ranked) and ranked[0] == drafts[key][1] for key, ranked in found.items())
    within = sum(drafts[key][1] in ranked for key, ranked in found.items())
    return Quality(len(drafts), corpus, first / len(drafts), within / len(drafts), pairs)


def measure() -> Quality:
    """Precision@1 and recall@5 of ``desk.similar`` (as an admin, who sees everything) on the pairs."""
    drafts, corpus, pairs = _drafts_and_corpus()
    desk, _ = make_desk()
    stored: dict[str, str] = {}
    for key, doc in sorted(corpus.items()):
        stored[desk.submit(_submission(doc)).tracking_id] = key
    found = {
        key: [stored[s.tracking_id] for s in desk.similar(ADMIN, _submission(draft), limit=5)]
        for key, (draft, _) in drafts.items()
    }
    return _quality(found, drafts, len(corpus), pairs)


def measure_text_only() -> Quality:
    """The same figures for the text alone: every stored complaint ranked, without place, topic or age.

    What the text scorer does by itself, whatever the candidates (``desk.similar`` compares a draft
    without place or topic only with the newest complaints, see the docs).
    """
    drafts, corpus, pairs = _drafts_and_corpus()

    def facts(key: str, doc: dict[str, Any]) -> Facts:
        return Facts(key, analyse(doc["title"], doc["body"]), None, None, None, DEFAULT_TIME)

    everything = [facts(key, doc) for key, doc in sorted(corpus.items())]
    found = {
        key: [s.tracking_id for s in rank(facts("", draft), everything, parents={}, limit=5)]
        for key, (draft, _) in drafts.items()
    }
    return _quality(found, drafts, len(corpus), pairs)


if __name__ == "__main__":
    print(measure())  # the figures for the docs
    print(measure_text_only())
    print(measure_rapidfuzz())
