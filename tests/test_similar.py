"""Similar complaints (issue 22): ``desk.similar``, its privacy, its bad input, its pure scoring parts."""

from __future__ import annotations

import itertools
import math
import random
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lapor_core as lc
from desk_support import ADMIN, make_desk, submission
from lapor_core._application import similarity as similarity_service
from lapor_core._domain import access
from lapor_core._domain.similarity import (
    _GRAM_SPACE,
    BODY_READ,
    Facts,
    _gram_cosines,
    analyse,
    combine,
    normalise,
    place_score,
    rank,
    recency_score,
    stem,
    text_scores,
    topic_score,
)
from lapor_core.testing import builders
from lapor_core.testing.builders import DEFAULT_TIME
from similar_quality import Quality, measure, measure_text_only

PUBLIC = lc.Principal.public()

STREET_LIGHT = {
    "title": "Lampu jalan mati di Jl. Menteng Raya",
    "body": "Sudah seminggu lampu penerangan jalan depan SDN 3 Menteng mati, malam gelap dan rawan.",
}
OTHERS = [
    {"title": "Jalan berlubang di Jl. Cikini", "body": "Lubang besar dekat stasiun, motor sering jatuh."},
    {"title": "Sampah menumpuk di TPS Menteng", "body": "Sampah tidak diangkut tiga hari, baunya menyengat."},
    {"title": "Banjir di Jl. Sabang", "body": "Setiap hujan jalan tergenang setinggi lutut."},
    {"title": "Pungutan liar di kelurahan", "body": "Petugas meminta uang untuk mengurus KTP elektronik."},
]


def _draft(**overrides: Any) -> lc.Submission:
    return submission(
        title="lampu jln menteng raya ga nyala",
        body="lampu pju dpn sdn 3 menteng mati sdh 7 hr, gelap bgt",
        **overrides,
    )


def _publish(desk: lc.ComplaintDesk, text: dict[str, str], **overrides: Any) -> str:
    """Submit and forward a complaint, so that the public may see it (unless confidential)."""
    confidential = overrides.pop("confidential", False)
    tid = desk.submit(submission(**text, **overrides)).tracking_id
    desk.forward(ADMIN, tid, institution="31.71", confidential=confidential or None)
    return tid


def _public_desk() -> tuple[lc.ComplaintDesk, str, list[str]]:
    desk, _ = make_desk()
    others = [_publish(desk, text) for text in OTHERS]
    return desk, _publish(desk, STREET_LIGHT), others


def test_the_duplicate_of_a_draft_comes_first_with_a_score_between_0_and_1() -> None:
    """A draft in other words, abbreviated and misspelt, finds the complaint it duplicates first."""
    desk, original, others = _public_desk()
    found = desk.similar(PUBLIC, _draft())
    assert found[0].tracking_id == original
    assert {s.tracking_id for s in found} == {original, *others}
    assert all(0.0 <= s.score <= 1.0 for s in found)
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)
    assert found[0].score > found[1].score + 0.2


def test_an_empty_store_has_nothing_similar() -> None:
    """Nothing stored: an empty tuple, not an error."""
    desk, _ = make_desk()
    assert desk.similar(PUBLIC, _draft()) == ()


def test_the_limit_and_min_score_cut_the_results() -> None:
    """``limit`` keeps the best ones; ``min_score`` drops the weak ones."""
    desk, original, _ = _public_desk()
    assert [s.tracking_id for s in desk.similar(PUBLIC, _draft(), limit=1)] == [original]
    best = desk.similar(PUBLIC, _draft())[0].score
    assert [s.tracking_id for s in desk.similar(PUBLIC, _draft(), min_score=best)] == [original]
    assert desk.similar(PUBLIC, _draft(), min_score=1.0) == ()


@pytest.mark.parametrize(
    ("options", "fields"),
    [
        ({"limit": 0}, ["limit"]),
        ({"limit": 51}, ["limit"]),
        ({"limit": True}, ["limit"]),
        ({"limit": 2.0}, ["limit"]),
        ({"min_score": -0.1}, ["min_score"]),
        ({"min_score": 1.5}, ["min_score"]),
        ({"min_score": "0.5"}, ["min_score"]),
        ({"limit": -1, "min_score": 2}, ["limit", "min_score"]),
    ],
)
def test_a_limit_or_min_score_out_of_range_is_refused_naming_each(
    options: dict[str, Any], fields: list[str]
) -> None:
    """Every bad option is named at once, with a catalogued code."""
    desk, _ = make_desk()
    with pytest.raises(lc.ValidationError) as raised:
        desk.similar(PUBLIC, _draft(), **options)
    assert [e.field for e in raised.value.errors] == fields
    assert {e.code for e in raised.value.errors} <= {
        "similar.limit_out_of_range",
        "similar.min_score_out_of_range",
        "value.not_number",
    }
    assert all(not m.startswith("similar.") for m in raised.value.messages("id"))


@pytest.mark.parametrize("principal", [None, "admin", {"role": "admin"}, lc.Role.ADMIN])
def test_a_wrong_principal_type_is_refused(principal: object) -> None:
    """Anything but a Principal is a ValidationError on ``principal``."""
    desk, _, _ = _public_desk()
    with pytest.raises(lc.ValidationError) as raised:
        desk.similar(principal, _draft())  # type: ignore[arg-type]
    assert raised.value.errors[0].field == "principal"


@pytest.mark.parametrize("draft", [None, "lampu mati", {"title": "Lampu", "body": "mati"}, 42])
def test_a_draft_that_is_no_submission_is_refused(draft: object) -> None:
    """A mapping or text is no Submission: ValidationError on ``submission`` (read one with from_dict)."""
    desk, _, _ = _public_desk()
    with pytest.raises(lc.ValidationError) as raised:
        desk.similar(PUBLIC, draft, limit=0)  # type: ignore[arg-type]
    assert [e.field for e in raised.value.errors] == ["submission", "limit"]
    assert raised.value.errors[0].code == "similar.not_a_submission"


def test_the_longest_texts_are_compared_quickly_and_stay_in_range() -> None:
    """Titles and bodies at their maximum length (150 and 4,000 characters) score within [0, 1]."""
    desk, _ = make_desk()
    long_body = ("Jalan rusak berlubang, lampu mati, sampah menumpuk, banjir. " * 70)[:4000]
    tid = _publish(desk, {"title": "J" * 150, "body": long_body})
    found = desk.similar(PUBLIC, submission(title="x" * 150, body=long_body))
    assert [s.tracking_id for s in found] == [tid]
    assert 0.0 <= found[0].score <= 1.0


def test_confidential_and_unpublished_complaints_neither_appear_nor_move_public_scores() -> None:
    """The public's results, scores included, are identical with or without what the public may not see."""
    desk, original, _ = _public_desk()
    before = desk.similar(PUBLIC, _draft())
    citizen = lc.Principal.citizen("acc-1")
    before_citizen = desk.similar(citizen, _draft())
    hidden = [_publish(desk, STREET_LIGHT, confidential=True) for _ in range(3)]
    hidden += [
        _publish(
            desk, {"title": "Lampu pju mati Menteng", "body": "Gelap, mohon diperbaiki."}, confidential=True
        )
    ]
    hidden.append(desk.submit(submission(**STREET_LIGHT)).tracking_id)  # submitted, not yet published
    assert desk.similar(PUBLIC, _draft()) == before
    assert desk.similar(citizen, _draft()) == before_citizen
    assert set(hidden) <= {s.tracking_id for s in desk.similar(ADMIN, _draft(), limit=50)}
    assert original in {s.tracking_id for s in desk.similar(ADMIN, _draft(), limit=50)}


def test_hidden_complaints_do_not_use_up_a_stage_quota(monkeypatch: pytest.MonkeyPatch) -> None:
    """More newer hidden complaints than a stage's quota: the public still gets the same visible ones."""
    monkeypatch.setitem(similarity_service.STAGES, "district", (2, 365))
    monkeypatch.setitem(similarity_service.STAGES, "regency", (2, 90))
    desk, clock = make_desk()
    visible = [_publish(desk, text) for text in (STREET_LIGHT, OTHERS[0])]
    clock.advance(hours=1)
    before = desk.similar(PUBLIC, _draft())
    for _ in range(5):  # newer, in the same district: unpublished ones and confidential ones
        desk.submit(submission(**STREET_LIGHT))
        _publish(desk, STREET_LIGHT, confidential=True)
    after = desk.similar(PUBLIC, _draft())
    assert after == before
    assert {s.tracking_id for s in after} == set(visible)
    assert len(desk.similar(ADMIN, _draft())) == 2  # the admin's quota is full of the newer ones


def test_the_store_hint_holds_for_every_complaint_the_principal_may_see() -> None:
    """The confidential flag handed to the store matches every complaint the policy lets the principal see.

    So the hint never hides a visible complaint, whatever the status, flags, institution or author.
    """
    principals = [
        PUBLIC,
        ADMIN,
        lc.Principal.citizen("acc-1"),
        lc.Principal.institution_officer("o", institution="31.71"),
    ]
    complaints = [
        builders.complaint(
            status=status, confidential=confidential, anonymous=anonymous, institution=institution
        )
        for status, confidential, anonymous, institution in itertools.product(
            lc.Status, (False, True), (False, True), (None, "31.71")
        )
    ]
    for principal in principals:
        hint = similarity_service._necessary(principal)
        fixed = similarity_service._FIXED_RELATION.get(principal.role)
        for complaint in complaints:
            relation = access.relation_of(principal, complaint)
            if fixed is not None:
                assert relation is fixed
            if hint is not None and access.is_visible(relation, complaint):
                assert complaint.confidential is hint


def test_the_handling_institution_sees_its_confidential_complaint_and_another_does_not() -> None:
    """Officers are ranked over what they may see: their own institution's confidential complaints."""
    desk, _, _ = _public_desk()
    secret = _publish(desk, STREET_LIGHT, confidential=True)
    ours = lc.Principal.institution_officer("off-1", institution="31.71")
    theirs = lc.Principal.institution_officer("off-2", institution="32.73")
    assert secret in {s.tracking_id for s in desk.similar(ours, _draft(), limit=50)}
    assert secret not in {s.tracking_id for s in desk.similar(theirs, _draft(), limit=50)}


def test_complaints_older_than_a_year_are_not_candidates() -> None:
    """The candidates are the last year's complaints."""
    desk, clock = make_desk()
    _publish(desk, STREET_LIGHT)
    clock.advance(days=366)
    assert desk.similar(ADMIN, _draft()) == ()


def test_the_district_reads_a_year_back_and_the_rest_of_the_city_90_days() -> None:
    """A 100-day-old complaint is a candidate in the draft's district, not elsewhere in its city."""
    desk, clock = make_desk()
    same_district = _publish(desk, STREET_LIGHT)
    elsewhere = {**STREET_LIGHT, "location": {"region": "31.71.03"}}
    next_district = _publish(desk, elsewhere)
    clock.advance(days=30)
    assert {s.tracking_id for s in desk.similar(ADMIN, _draft())} == {same_district, next_district}
    clock.advance(days=70)
    assert [s.tracking_id for s in desk.similar(ADMIN, _draft())] == [same_district]


def test_a_nearby_point_ranks_above_the_same_text_across_the_city() -> None:
    """Two complaints alike in words and region: the one a few doors away comes first."""
    desk, _ = make_desk()
    here = {"region": "31.71.06", "lat": -6.1950, "lon": 106.8300}
    far = {"region": "31.71.06", "lat": -6.2050, "lon": 106.8450}
    far_one = _publish(desk, STREET_LIGHT, location=far)
    near_one = _publish(desk, STREET_LIGHT, location={**here, "lat": -6.1952})
    found = desk.similar(ADMIN, _draft(location=here))
    assert [s.tracking_id for s in found] == [near_one, far_one]
    assert found[0].score > found[1].score


def test_a_draft_without_place_or_topic_is_compared_with_the_newest_complaints() -> None:
    """No region and no topic: the newest complaints are the candidates; the text finds the duplicate."""
    desk, original, _ = _public_desk()
    draft = lc.Submission.from_dict({"kind": "pengaduan", "channel": "sms", **STREET_LIGHT})
    assert desk.similar(PUBLIC, draft)[0].tracking_id == original


# --- quality on the hand-labelled pairs --------------------------------------------------------------------

# Measured on tests/data/similar_pairs.jsonl (80 groups, 400 pairs): precision@1 0.975 and recall@5 1.0 by
# desk.similar with place and topic, 0.975 and 1.0 by the text alone. Each floor leaves one draft's worth of
# margin (1/80 = 0.0125).
FLOORS = {"with place and topic": (0.9625, 0.9875), "text only": (0.9625, 0.9875)}


@pytest.mark.parametrize(
    ("measured", "floors"),
    [(measure, FLOORS["with place and topic"]), (measure_text_only, FLOORS["text only"])],
    ids=list(FLOORS),
)
def test_precision_at_1_and_recall_at_5_on_the_labelled_pairs_do_not_drop(
    measured: Callable[[], Quality], floors: tuple[float, float]
) -> None:
    """The labelled duplicates are found first (precision@1) and among the first five (recall@5)."""
    quality = measured()
    assert quality.pairs >= 300
    assert quality.precision_at_1 >= floors[0]
    assert quality.recall_at_5 >= floors[1]


# --- the pure parts -----------------------------------------------------------------------------------------

texts = st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "Z")), max_size=300)
words = st.sampled_from(
    [
        "jalan",
        "jln",
        "jl.",
        "rusak",
        "berlubang",
        "lampu",
        "pju",
        "mati",
        "padam",
        "sampah",
        "menumpuk",
        "banjir",
        "tdk",
        "yg",
        "dgn",
        "sekolah",
        "pungli",
        "puskesmas",
        "bpjs",
        "rsud",
        "kelurahan",
        "ktp",
        "gelap",
        "diperbaiki",
        "perbaikan",
        "penerangan",
        "Menteng",
        "Cikini",
    ]
)
prose = st.lists(words, min_size=1, max_size=30).map(" ".join)
regions = st.sampled_from([None, "31", "31.71", "31.71.01", "31.71.01.1001", "31.71.02", "32.73.16"])
points = st.none() | st.tuples(st.floats(-6.3, -6.1), st.floats(106.7, 106.9))


@given(texts)
def test_normalising_is_stable_and_leaves_plain_lower_case_words(text: str) -> None:
    """Normalising twice changes nothing more, and every word is lower-case ASCII letters or digits."""
    once = normalise(text)
    assert normalise(" ".join(once)) == once
    assert all(w.isascii() and w.isalnum() and w == w.lower() for w in once)


@given(words)
def test_stemming_is_deterministic_and_never_empty(word: str) -> None:
    """A word always stems to the same non-empty root."""
    for normalised in normalise(word):
        assert stem(normalised) == stem(normalised) != ""


@given(texts | prose, texts | prose)
def test_analysing_a_text_is_stemming_its_normalised_words(title: str, body: str) -> None:
    """Stems of the title's words twice and the body's (read up to BODY_READ), trigrams of the non-numbers."""
    title_words = normalise(title)
    words = title_words * 2 + normalise(body[:BODY_READ])
    analysed = analyse(title, body)
    assert dict(analysed.stems) == dict(Counter(stem(word) for word in words))
    assert analysed.grams == {
        f"#{word}#"[i : i + 3] for word in words if not word.isdigit() for i in range(len(word))
    }


@given(prose, st.lists(prose, min_size=2, max_size=6), st.data())
def test_repeating_words_in_one_text_changes_no_other_texts_score(
    draft: str, bodies: list[str], data: st.DataObject
) -> None:
    """Document frequency counts texts, not occurrences: saying a word more often weighs only that text."""
    chosen = data.draw(st.integers(0, len(bodies) - 1))
    repeated = [f"{body} {body} {body}" if i == chosen else body for i, body in enumerate(bodies)]
    query = analyse("", draft)
    before = text_scores(query, [analyse("", body) for body in bodies])
    after = text_scores(query, [analyse("", body) for body in repeated])
    others = [i for i in range(len(bodies)) if i != chosen]
    assert [after[i] for i in others] == pytest.approx([before[i] for i in others])


@given(prose, prose)
def test_text_similarity_is_symmetric_and_within_0_and_1(a: str, b: str) -> None:
    """Draft against text equals text against draft; both lie in [0, 1]."""
    first, second = analyse(a, ""), analyse(b, "")
    (ab,) = text_scores(first, [second])
    (ba,) = text_scores(second, [first])
    assert 0.0 <= ab <= 1.0
    assert ab == pytest.approx(ba)


def _reference_gram_cosines(draft: frozenset[str], texts: list[frozenset[str]]) -> list[float]:
    """Trigram cosines from their definition, with sets of strings: the oracle of the numpy version."""
    bags = [draft, *texts]
    sets = [
        {word[i : i + 3] for word in (f"#{w}#" for w in bag) for i in range(len(word) - 2)} for bag in bags
    ]
    df = Counter(gram for grams in sets for gram in grams)
    weight = {gram: (math.log((len(bags) + 1) / (count + 1)) + 1.0) ** 2 for gram, count in df.items()}
    norm = [math.sqrt(sum(weight[g] for g in grams)) for grams in sets]
    return [
        sum(weight[g] for g in sets[0] & grams) / (norm[0] * norm[i]) if sets[0] & grams else 0.0
        for i, grams in enumerate(sets[1:], start=1)
    ]


@given(texts | prose, st.lists(texts | prose, max_size=8))
def test_trigram_scores_match_sets_of_strings(draft: str, others: list[str]) -> None:
    """The numpy trigram cosines equal the same cosines computed from sets of trigram strings."""
    bags = [analyse(draft, "").words, *(analyse(text, "").words for text in others)]
    assert _gram_cosines(bags) == pytest.approx(_reference_gram_cosines(bags[0], bags[1:]), abs=1e-12)


@given(texts | prose, texts | prose, st.lists(texts | prose, max_size=4))
def test_trigram_scores_are_symmetric_bit_for_bit(a: str, b: str, others: list[str]) -> None:
    """Among the same texts, a against b scores exactly as b against a (each sum runs in trigram order)."""
    first, second = analyse(a, "").words, analyse(b, "").words
    rest = [analyse(text, "").words for text in others]
    assert _gram_cosines([first, second, *rest])[0] == _gram_cosines([second, first, *rest])[0]


def test_trigram_scores_of_texts_without_words_are_0() -> None:
    """Texts of numbers or nothing have no trigrams: their cosine is 0, and nothing divides by 0."""
    empty: frozenset[str] = frozenset()
    assert _gram_cosines([empty]) == []
    assert _gram_cosines([empty, empty, frozenset({"lampu"})]) == [0.0, 0.0]
    assert _gram_cosines([frozenset({"lampu"}), empty, frozenset({"lampu"})]) == [0.0, 1.0]


def test_trigram_scores_of_more_texts_than_32_bit_numbers_hold() -> None:
    """Past about 42,000 texts the bag-and-trigram numbers need 64 bits: the scores stay the same."""
    bags = [frozenset({"lampu", "jalan"}), *([frozenset({"lampu"}), frozenset({"banjir"})] * 21_500)]
    assert len(bags) * _GRAM_SPACE >= 2**31
    scores = _gram_cosines(bags)
    assert scores[:2] == pytest.approx(_reference_gram_cosines(bags[0], bags[1:3] * 21_500)[:2])
    assert set(scores) == set(scores[:2])


@given(prose)
def test_a_text_is_most_like_itself(text: str) -> None:
    """A text compared with itself scores 1 (0 when nothing is left of it but function words)."""
    analysed = analyse(text, text)
    expected = 1.0 if normalise(text) else 0.0
    assert text_scores(analysed, [analysed]) == [pytest.approx(expected)]


@given(regions, regions, points, points)
def test_place_similarity_is_symmetric_and_within_0_and_1(
    a: str | None, b: str | None, pa: Any, pb: Any
) -> None:
    """Places compare the same both ways."""
    assert 0.0 <= place_score(a, b, pa, pb) == place_score(b, a, pb, pa) <= 1.0


@given(
    st.sampled_from([None, "waste", "pollution", "roads-bridges", "unknown"]),
    st.sampled_from([None, "waste", "pollution", "roads-bridges"]),
)
def test_topic_similarity_is_symmetric(a: str | None, b: str | None) -> None:
    """Topics compare the same both ways."""
    tree = {"waste": "environment", "pollution": "environment", "roads-bridges": "infrastructure"}
    assert 0.0 <= topic_score(a, b, tree) == topic_score(b, a, tree) <= 1.0


@given(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1), st.integers(-1000, 100_000))
def test_the_whole_score_lies_within_0_and_1(
    text: float, place: float, topic: float, recency_days: int
) -> None:
    """Any parts in [0, 1] give a whole score in [0, 1]; recency too, whatever the age."""
    recency = recency_score(DEFAULT_TIME - timedelta(days=recency_days), DEFAULT_TIME)
    assert 0.0 <= recency <= 1.0
    assert 0.0 <= combine(text=text, place=place, topic=topic, recency=recency) <= 1.0


@given(st.lists(prose, min_size=1, max_size=12), prose, st.randoms(use_true_random=False))
def test_ranking_does_not_depend_on_the_order_of_the_candidates(
    bodies: list[str], draft: str, rnd: random.Random
) -> None:
    """The same candidates in another order rank the same, scores and ties included."""
    facts = [
        Facts(
            key=f"k{i:02d}",
            text=analyse("", body),
            topic=None,
            region=None,
            point=None,
            submitted_at=DEFAULT_TIME,
        )
        for i, body in enumerate(bodies)
    ]
    shuffled = list(facts)
    rnd.shuffle(shuffled)
    me = Facts(
        key="", text=analyse("", draft), topic=None, region=None, point=None, submitted_at=DEFAULT_TIME
    )
    assert rank(me, facts, parents={}, limit=50) == rank(me, shuffled, parents={}, limit=50)


@settings(max_examples=25)
@given(st.lists(st.tuples(prose, st.booleans(), st.booleans()), min_size=1, max_size=8), prose)
def test_the_public_sees_what_a_desk_holding_only_public_complaints_would_show(
    items: list[tuple[str, bool, bool]], draft: str
) -> None:
    """Property: hidden complaints (confidential, unpublished) leave the public's ranking as without them."""
    everything, _ = make_desk()
    public_only, _ = make_desk()
    titles: dict[str, str] = {}
    for index, (body, confidential, published) in enumerate(items):
        text = {"title": f"Laporan {index} {body[:100]}", "body": body}
        if published:
            titles[_publish(everything, text, confidential=confidential)] = text["title"]
            if not confidential:
                titles[_publish(public_only, text)] = text["title"]
        else:
            titles[everything.submit(submission(**text)).tracking_id] = text["title"]
    asked = submission(title=draft[:150], body=draft)

    def seen(desk: lc.ComplaintDesk) -> list[tuple[str, float]]:
        return sorted((titles[s.tracking_id], s.score) for s in desk.similar(PUBLIC, asked, limit=50))

    assert seen(everything) == seen(public_only)


_ages = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=400 * 24),  # hours before now
        st.sampled_from(["31.71.01", "31.71.03", "31.71"]),
        st.booleans(),  # confidential
        st.booleans(),  # published
    ),
    max_size=40,
)


@settings(max_examples=60)
@given(ages=_ages, quota=st.integers(min_value=1, max_value=6))
def test_reading_a_stage_in_time_windows_finds_what_one_read_finds(
    ages: list[tuple[int, str, bool, bool]], quota: int
) -> None:
    """Windows of 7 and 30 days, newest first, give each principal the very candidates of one read.

    Complaints of every age around the windows' edges, hidden ones among them, against small quotas.
    """
    desk, _clock = make_desk()
    now = desk._ctx.clock.now()
    for hours, region, confidential, published in ages:
        at = now - timedelta(hours=hours)
        record = builders.complaint(
            submitted_at=at,
            updated_at=at,
            location=lc.Location(region=region),
            status=lc.Status.FORWARDED if published else lc.Status.SUBMITTED,
            institution="31.71" if published else None,
            published_at=at if published else None,
            confidential=confidential,
        )
        desk.store.save(lc.plugins.Changeset(record, 0, ()))
    draft = _draft()
    stages = {"district": (quota, 365), "regency": (quota, 90), "topic": (quota, 365), "newest": (quota, 90)}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(similarity_service, "STAGES", stages)
        for principal in (PUBLIC, ADMIN):
            windowed = similarity_service._candidates(desk._ctx, principal, draft)
            patch.setattr(similarity_service, "WINDOWS", ())
            whole = similarity_service._candidates(desk._ctx, principal, draft)
            patch.setattr(similarity_service, "WINDOWS", (7, 30))
            assert list(windowed) == list(whole)
