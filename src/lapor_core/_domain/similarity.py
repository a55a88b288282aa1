"""How alike two complaints are: Indonesian text, topic, place and age, each a score in [0, 1].

Pure functions and values, no I/O; :mod:`lapor_core._application.similarity` picks the candidates a principal
may see from the store and ranks them with :func:`rank`.

Text is compared as citizens write it: :func:`normalise` folds case, accents and punctuation, collapses
stretched letters (``"rusakkk"``) and the reduplication digit (``"lampu2"``), expands common abbreviations
(``"jln"``, ``"jl."`` and ``"jl"`` are ``"jalan"``; ``"tdk"`` is ``"tidak"``; ``"pju"`` is
``"lampu penerangan jalan umum"``...) and drops function words; :func:`stem` reduces each word to its root
with the Sastrawi stemmer (PySastrawi: Nazief-Adriani's dictionary-based confix stripping, enhanced), so
``"perbaikan"`` and ``"diperbaiki"`` meet at ``"baik"``. A text then becomes two bags of features
(:func:`analyse`): its stems (the title counted twice) and the character trigrams of its words, which
survive a misspelling (``"lampuu"``, ``"banjr"``). Stems are weighted by TF-IDF (sublinear term frequency,
smoothed inverse document frequency over the texts being ranked), trigrams by IDF alone (present or not),
and each part is compared by cosine, so text similarity is symmetric and lies in [0, 1]. The trigrams are
counted in bulk with numpy (:func:`text_scores`): :func:`analyse` keeps each text's distinct words, and the
trigrams of every text being ranked are numbered, sorted and summed at once.

The whole score (:func:`combine`) weighs text most (:data:`WEIGHTS`), then the place (same district, else
the same regency, else the same province; with closeness when both have a point), the topic (the same, or a
sibling under the same parent) and recency (half-life :data:`RECENCY_HALF_LIFE`).

>>> normalise("Jln. Sudirman RUSAKKK, tdk diperbaiki2!!")
('jalan', 'sudirman', 'rusak', 'tidak', 'diperbaiki')
>>> [stem(word) for word in ("perbaikan", "diperbaiki", "penerangan")]
['baik', 'baik', 'terang']
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

import attrs
import numpy as np

if TYPE_CHECKING:
    from Sastrawi.Stemmer.Stemmer import Stemmer

__all__ = [
    "ABBREVIATIONS",
    "BODY_READ",
    "RECENCY_HALF_LIFE",
    "STOPWORDS",
    "WEIGHTS",
    "Analysed",
    "Facts",
    "SimilarComplaint",
    "analyse",
    "combine",
    "normalise",
    "place_score",
    "rank",
    "recency_score",
    "stem",
    "text_scores",
    "topic_score",
]

ABBREVIATIONS: Final[Mapping[str, str]] = {
    # Street and place words on LAPOR! reports and SMS 1708.
    "jl": "jalan",
    "jln": "jalan",
    "jalan2": "jalan",
    "gg": "gang",
    "kec": "kecamatan",
    "kel": "kelurahan",
    "kab": "kabupaten",
    "kt": "kota",
    "ds": "desa",
    "kp": "kampung",
    "kmp": "kampung",
    "prov": "provinsi",
    "pju": "lampu penerangan jalan umum",
    "lpju": "lampu penerangan jalan umum",
    "rs": "rumah sakit",
    "rsud": "rumah sakit umum daerah",
    "pkm": "puskesmas",
    "tps": "tempat pembuangan sampah",
    "pungli": "pungutan liar",
    "pemkot": "pemerintah kota",
    "pemkab": "pemerintah kabupaten",
    "pemda": "pemerintah daerah",
    "dishub": "dinas perhubungan",
    "dlh": "dinas lingkungan hidup",
    "disdik": "dinas pendidikan",
    "dinkes": "dinas kesehatan",
    "kades": "kepala desa",
    "kadis": "kepala dinas",
    "ortu": "orang tua",
    "sklh": "sekolah",
    "skolah": "sekolah",
    # Everyday short forms.
    "tdk": "tidak",
    "tak": "tidak",
    "gak": "tidak",
    "ga": "tidak",
    "nggak": "tidak",
    "ngga": "tidak",
    "enggak": "tidak",
    "yg": "yang",
    "dgn": "dengan",
    "dg": "dengan",
    "utk": "untuk",
    "untk": "untuk",
    "krn": "karena",
    "karna": "karena",
    "sdh": "sudah",
    "udh": "sudah",
    "udah": "sudah",
    "blm": "belum",
    "blum": "belum",
    "bln": "bulan",
    "thn": "tahun",
    "hr": "hari",
    "mgg": "minggu",
    "skrg": "sekarang",
    "skrang": "sekarang",
    "bs": "bisa",
    "bsa": "bisa",
    "sy": "saya",
    "sya": "saya",
    "kmi": "kami",
    "org": "orang",
    "tlg": "tolong",
    "mhn": "mohon",
    "lg": "lagi",
    "jg": "juga",
    "dr": "dari",
    "pd": "pada",
    "dlm": "dalam",
    "stlh": "setelah",
    "sblm": "sebelum",
    "tsb": "tersebut",
    "dll": "dan lain lain",
    "bgt": "banget",
    "sgt": "sangat",
    "trs": "terus",
    "spt": "seperti",
    "byk": "banyak",
    "bnyk": "banyak",
    "msh": "masih",
    "masi": "masih",
    "bnjir": "banjir",
    "smpah": "sampah",
    "smph": "sampah",
    "lmpu": "lampu",
}
"""Short forms and common misspellings and what they stand for, applied word by word before stemming."""

STOPWORDS: Final = frozenset(
    """
    yang dan di ke dari ini itu untuk dengan pada ada sudah telah akan juga agar supaya sehingga karena
    oleh dalam atas bagi serta atau namun tetapi tapi jadi maka kalau jika bila saat ketika sejak hingga
    sampai seperti sangat banget sekali lagi masih pun lah kah nya para mohon tolong terima kasih saya kami
    kita kalian anda mereka dia ia beliau pak bu bapak ibu bpk mas mbak kak min admin tersebut sini situ
    sana tadi sih dong deh kok nih tuh ya yah apa bagaimana kenapa mengapa kapan dimana kemana siapa
    """.split()  # noqa: SIM905 - a word list reads better as text
)
"""Function words dropped before comparing (they say nothing about what a complaint is about)."""

WEIGHTS: Final[Mapping[str, float]] = {"text": 0.7, "place": 0.12, "topic": 0.1, "recency": 0.08}
"""How much each part counts in :func:`combine`; they add up to 1."""

RECENCY_HALF_LIFE: Final = timedelta(days=60)
"""A complaint this much older than the draft counts half as recent (a year old: about 1/64)."""

BODY_READ: Final = 1000
"""How many characters of a body :func:`analyse` reads."""

WORD_SHARE: Final = 0.6
"""The share of stems (against character trigrams) in the text score."""

_PLACE_DISTRICT: Final = 1.0
_PLACE_REGENCY: Final = 0.6
_PLACE_PROVINCE: Final = 0.2
_TOPIC_SIBLING: Final = 0.5
_NEAR_KM: Final = 0.3  # closeness halves every 300 m: a street light or a pothole is a few doors away
_EARTH_RADIUS_KM: Final = 6371.0
_DISTRICT_PARTS: Final = 3
_MIN_WORD: Final = 2
_WORD: Final = re.compile(r"[a-z0-9]+")
_STRETCHED: Final = re.compile(r"([a-z])\1{2,}")
_REDUPLICATED: Final = re.compile(r"^([a-z]{2,})2$")


@functools.cache
def _stemmer() -> Stemmer:
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory  # noqa: PLC0415 - its dictionary loads on first use

    stemmer: Stemmer = StemmerFactory().create_stemmer(isDev=False)
    return stemmer


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The root of one normalised Indonesian word (Sastrawi), or the word itself when it has none.

    Memoised: a deployment's vocabulary is a few tens of thousands of words.

    >>> stem("pelayanan"), stem("dikerjakan"), stem("puskesmas")
    ('layan', 'kerja', 'puskesmas')
    """
    if len(word) <= _MIN_WORD or not word.isalpha():
        return word
    return _stemmer().stem(word) or word


@functools.lru_cache(maxsize=65536)
def _word(raw: str) -> tuple[str, ...]:
    """One lower-cased token after stretching, reduplication and abbreviations, as zero or more words."""
    token = _STRETCHED.sub(r"\1", raw)
    token = _REDUPLICATED.sub(r"\1", token)
    if token.isdigit():
        token = token.lstrip("0") or "0"
    expanded = ABBREVIATIONS.get(token, token)
    return tuple(w for w in expanded.split() if w not in STOPWORDS)


def _fold(text: str) -> str:
    if text.isascii():  # nearly every complaint: nothing to decompose
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalise(text: str) -> tuple[str, ...]:
    """The words of ``text`` as compared: folded, expanded, without function words, not yet stemmed.

    >>> normalise("PJU di Gg. Mawar mati sejak 3 hr, yg lain jg")
    ('lampu', 'penerangan', 'jalan', 'umum', 'gang', 'mawar', 'mati', '3', 'hari', 'lain')
    """
    words: list[str] = []
    for raw in _WORD.findall(_fold(text)):
        words.extend(_word(raw))
    return tuple(words)


def _trigrams(word: str) -> tuple[str, ...]:
    """The character trigrams of a normalised word, padded with ``#`` (``"jalan"``: ``#ja``, ``jal``...)."""
    padded = f"#{word}#"
    return tuple(padded[i : i + 3] for i in range(len(padded) - 2))


_GRAM_LETTERS: Final = "#abcdefghijklmnopqrstuvwxyz0123456789"  # every character a padded word can hold
_GRAM_CODE: Final = {letter: code for code, letter in enumerate(_GRAM_LETTERS)}
_GRAM_SPACE: Final = len(_GRAM_LETTERS) ** 3
"""How many trigrams there can be (50,653): :func:`_gram_numbers` numbers each below it."""


def _gram_numbers(word: str) -> list[int]:
    """The trigrams of a normalised word as numbers below :data:`_GRAM_SPACE`, in :func:`_trigrams` order.

    >>> _trigrams("ab"), _gram_numbers("ab")  # "#" is 0, "a" 1, "b" 2... "9" 36, in base 37
    (('#ab', 'ab#'), [39, 1443])
    >>> _gram_numbers("99"), _GRAM_SPACE
    ([1368, 50616], 50653)
    """
    codes = [_GRAM_CODE[letter] for letter in f"#{word}#"]
    base = len(_GRAM_LETTERS)
    return [(a * base + b) * base + c for a, b, c in zip(codes, codes[1:], codes[2:], strict=False)]


@functools.lru_cache(maxsize=65536)
def _gram_bytes(word: str) -> bytes:
    """:func:`_gram_numbers` as 32-bit integers in machine order, joined for numpy in one C call."""
    return np.array(_gram_numbers(word), dtype=np.int32).tobytes()


@attrs.frozen
class Analysed:
    """A text as :func:`text_scores` compares it: its stems with their counts, and its distinct words.

    The words are those that are not numbers; :func:`text_scores` compares the set of their trigrams
    (:attr:`grams`).
    """

    stems: Mapping[str, int]
    words: frozenset[str]

    @property
    def grams(self) -> frozenset[str]:
        """The character trigrams of :attr:`words` (present or not)."""
        return frozenset(itertools.chain.from_iterable(map(_trigrams, self.words)))


def analyse(title: str, body: str) -> Analysed:
    """The features of a complaint's text: stems (the title's count twice) and its distinct words.

    Only the first :data:`BODY_READ` characters of the body are read: a duplicate shows itself early, and
    the cost of ranking grows with the text. The words' trigrams are a set: present or not.

    >>> analysed = analyse("Jalan rusak", "Berlubang")
    >>> sorted(analysed.stems.items())
    [('jalan', 2), ('lubang', 1), ('rusak', 2)]
    >>> sorted(analysed.words), sorted(analysed.grams)[:4]
    (['berlubang', 'jalan', 'rusak'], ['#be', '#ja', '#ru', 'ak#'])
    """
    words = normalise(title) * 2 + normalise(body[:BODY_READ])
    return Analysed(
        stems=Counter(map(stem, words)),
        words=frozenset(itertools.filterfalse(str.isdigit, words)),
    )


def _idf(bags: Sequence[Iterable[str]]) -> dict[str, float]:
    """Smoothed inverse document frequency of every term of ``bags``, each bag a text's distinct terms.

    A term counts once per text it is in (iterating a Counter yields each of its terms once): counting its
    occurrences instead would weigh down a word a few texts repeat.
    """
    df = Counter(itertools.chain.from_iterable(bags))
    by_count = _idf_by_count(len(bags))
    return dict(zip(df.keys(), map(by_count.__getitem__, df.values()), strict=True))


def _idf_by_count(n: int) -> list[float]:
    """The smoothed IDF of a term in ``count`` texts of ``n``, at index ``count`` (0 to n).

    One logarithm per possible count, then every term's weight is looked up in C.
    """
    return [math.log((n + 1) / (count + 1)) + 1.0 for count in range(n + 1)]


def _gram_cosines(bags: Sequence[frozenset[str]]) -> list[float]:
    """Cosines of the first bag's trigram set with each other's, every trigram weighted by its IDF.

    Each bag is a text's distinct words; its trigrams form a set, every present trigram weighing its
    smoothed IDF over the bags (as :func:`_idf`). Computed in bulk with numpy on trigram numbers
    (:func:`_gram_numbers`): every bag's numbers offset by the bag's place, sorted once and deduplicated,
    so a bag's trigrams are counted once and each sum runs in trigram order (the score of ``a`` against
    ``b`` is bit for bit that of ``b`` against ``a``). A set of trigram strings built per text and counted
    in Python took about 8.7 ms for a draft's 187 candidates, against 2.3-2.9 ms here (docs: similar
    complaints).
    """
    n = len(bags)
    counts = [sum(map(len, bag)) for bag in bags]  # a word of k letters has k trigrams
    kind = np.int32 if n * _GRAM_SPACE < 2**31 else np.int64  # int32 sorts in about half the time
    numbers = np.frombuffer(b"".join(map(_gram_bytes, itertools.chain.from_iterable(bags))), dtype=np.int32)
    keys = numbers + np.repeat(np.arange(n, dtype=kind) * _GRAM_SPACE, counts)
    keys.sort()
    first = np.ones(len(keys), dtype=bool)
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    bag, gram = np.divmod(keys[first], _GRAM_SPACE)
    weight = np.array(_idf_by_count(n))[np.bincount(gram, minlength=_GRAM_SPACE)[gram]] ** 2
    norms = np.bincount(bag, weights=weight, minlength=n).tolist()
    in_first = np.zeros(_GRAM_SPACE, dtype=bool)
    in_first[gram[bag == 0]] = True
    dots = np.bincount(bag, weights=weight * in_first[gram], minlength=n).tolist()
    return [
        min(1.0, dot / math.sqrt(norms[0] * norm)) if dot else 0.0
        for dot, norm in zip(dots[1:], norms[1:], strict=True)
    ]


@functools.lru_cache(maxsize=1024)
def _tf(count: int) -> float:
    """Sublinear term frequency: a word said ten times is not ten times the matter."""
    return 1.0 + math.log(count)


def _cosines(query: Mapping[str, int], docs: Sequence[Mapping[str, int]]) -> list[float]:
    idf = _idf([query, *docs])
    q = {term: _tf(count) * idf[term] for term, count in query.items()}
    q_norm = math.sqrt(sum(w * w for w in q.values()))
    scores = []
    tf = _tf
    for doc in docs:
        dot = norm = 0.0
        for term, count in doc.items():
            w = idf[term] if count == 1 else tf(count) * idf[term]
            norm += w * w
            weight = q.get(term)
            if weight is not None:
                dot += w * weight
        scores.append(min(1.0, dot / (q_norm * math.sqrt(norm))) if dot else 0.0)
    return scores


def text_scores(draft: Analysed, texts: Sequence[Analysed]) -> list[float]:
    """How alike the draft's text is to each of ``texts``, in [0, 1], by TF-IDF cosine.

    Document frequencies come from the draft and ``texts`` only, so what is ranked is all that counts: a
    text left out (one the principal may not see) changes nobody's score. Symmetric: the draft against a
    text scores as that text against the draft, given the same set.
    """
    words = _cosines(draft.stems, [t.stems for t in texts])
    grams = _gram_cosines([draft.words, *(t.words for t in texts)])
    scores = []
    for text, word, gram in zip(texts, words, grams, strict=True):
        # A part neither text has (numbers only: no trigrams) is left out rather than counted as 0.
        has_grams = bool(draft.words or text.words)
        share = WORD_SHARE if has_grams else 1.0
        scores.append(share * word + (1.0 - share) * gram)
    return scores


def _district(region: str) -> str:
    return ".".join(region.split(".")[:_DISTRICT_PARTS])


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in kilometres (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def place_score(
    a: str | None,
    b: str | None,
    point_a: tuple[float, float] | None = None,
    point_b: tuple[float, float] | None = None,
) -> float:
    """How close two places are, in [0, 1]: by region code, and by distance when both have a point.

    By region: same district (or a village in it) 1, same regency or city 0.6, same province 0.2, else 0.
    When both have a point, closeness ``2 ** (-km / 0.3)`` counts half and the region half, so two street
    lights of one district 2 km apart are told apart. Symmetric.

    >>> place_score("31.71.01", "31.71.01.1001"), place_score("31.71.01", "31.71.02"), place_score(None, "31")
    (1.0, 0.6, 0.0)
    >>> here, next_door, across = (-6.2, 106.8), (-6.2, 106.8027), (-6.2, 106.818)
    >>> [round(place_score("31.71.01", "31.71.01", here, p), 2) for p in (here, next_door, across)]
    [1.0, 0.75, 0.51]
    """
    by_region = 0.0
    if a is not None and b is not None:
        if _district(a) == _district(b) and a.count(".") >= _DISTRICT_PARTS - 1 <= b.count("."):
            by_region = _PLACE_DISTRICT
        elif a[:5] == b[:5] and len(a) >= 5 and len(b) >= 5:  # noqa: PLR2004 - "31.71", a regency code
            by_region = _PLACE_REGENCY
        elif a[:2] == b[:2]:
            by_region = _PLACE_PROVINCE
    if point_a is None or point_b is None:
        return by_region
    closeness = float(2.0 ** (-_km(point_a, point_b) / _NEAR_KM))
    return (by_region + closeness) / 2


def topic_score(a: str | None, b: str | None, parents: Mapping[str, str | None]) -> float:
    """1 for the same topic, 0.5 for two topics under the same parent, else 0 (also when one is missing).

    >>> tree = {"waste": "environment", "pollution": "environment", "roads-bridges": "infrastructure"}
    >>> topic_score("waste", "waste", tree), topic_score("waste", "pollution", tree)
    (1.0, 0.5)
    >>> topic_score("waste", None, tree), topic_score("waste", "roads-bridges", tree)
    (0.0, 0.0)
    """
    if a is None or b is None:
        return 0.0
    if a == b:
        return 1.0
    parent = parents.get(a)
    return _TOPIC_SIBLING if parent is not None and parent == parents.get(b) else 0.0


def recency_score(submitted_at: datetime, now: datetime) -> float:
    """1 for a complaint submitted now (or later), halving every :data:`RECENCY_HALF_LIFE` before ``now``."""
    age = (now - submitted_at) / RECENCY_HALF_LIFE
    return 1.0 if age <= 0 else float(2.0 ** (-age))


def combine(*, text: float, place: float, topic: float, recency: float) -> float:
    """The whole score: the parts weighted by :data:`WEIGHTS`, in [0, 1] when every part is."""
    total = (
        WEIGHTS["text"] * text
        + WEIGHTS["place"] * place
        + WEIGHTS["topic"] * topic
        + WEIGHTS["recency"] * recency
    )
    return min(1.0, max(0.0, total))


@attrs.frozen
class Facts:
    """What :func:`rank` compares of one complaint (or of the draft): its text, topic, place and time."""

    key: str
    text: Analysed
    topic: str | None
    region: str | None
    point: tuple[float, float] | None
    submitted_at: datetime


@attrs.frozen
class SimilarComplaint:
    """A complaint like a draft, as :meth:`~lapor_core.ComplaintDesk.similar` finds it.

    Attributes:
        tracking_id: The complaint's tracking ID (open it with :meth:`~lapor_core.ComplaintDesk.view`).
        score: How alike it is to the draft, from 0 (nothing in common) to 1.

    >>> SimilarComplaint(tracking_id="7K3M-9QXF-2HJ-Q", score=0.82)
    SimilarComplaint(tracking_id='7K3M-9QXF-2HJ-Q', score=0.82)
    """

    tracking_id: str
    score: float


def rank(
    draft: Facts,
    candidates: Iterable[Facts],
    *,
    parents: Mapping[str, str | None],
    limit: int,
    min_score: float = 0.0,
) -> tuple[SimilarComplaint, ...]:
    """The ``limit`` candidates most like the draft, best first, ties by key; none below ``min_score``.

    Every statistic is computed over ``candidates`` and the draft alone: the caller passes exactly what the
    principal may see.
    """
    chosen = list(candidates)
    texts = text_scores(draft.text, [c.text for c in chosen])
    scored = []
    for candidate, text in zip(chosen, texts, strict=True):
        score = combine(
            text=text,
            place=place_score(draft.region, candidate.region, draft.point, candidate.point),
            topic=topic_score(draft.topic, candidate.topic, parents),
            recency=recency_score(candidate.submitted_at, draft.submitted_at),
        )
        shown = round(score, 6)  # what the caller sees is what min_score is compared with
        if shown >= min_score:
            scored.append(SimilarComplaint(tracking_id=candidate.key, score=shown))
    scored.sort(key=lambda s: (-s.score, s.tracking_id))
    return tuple(scored[:limit])
