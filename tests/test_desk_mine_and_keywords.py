"""A citizen's own complaints ("Laporan saya") and keyword search, through the desk's policy (issue 21)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import lapor_core as lc
from desk_support import ADMIN, make_desk, officer, submission

SITI = lc.Principal.citizen("warga-siti")
BUDI = lc.Principal.citizen("warga-budi")
PUBLIC = lc.Principal.public()


def _ids(page: lc.ListedPage) -> list[str]:
    return [view.tracking_id for view in page.items]


@pytest.fixture
def desk() -> lc.ComplaintDesk:
    """A desk where Siti filed two complaints (one confidential), Budi one, and someone anonymous one."""
    desk, clock = make_desk()
    for title, body, who, confidential in (
        ("Lampu jalan mati", "Gelap di Jl. Melati.", SITI, False),
        ("Pungutan liar di kelurahan", "Petugas minta uang rahasia-kenanga.", SITI, True),
        ("Lampu taman mati", "Taman Melati gelap.", BUDI, False),
        ("Sampah menumpuk", "TPS penuh.", None, False),
    ):
        clock.advance(minutes=5)
        receipt = desk.submit(submission(title=title, body=body, confidential=confidential), who)
        desk.forward(ADMIN, receipt.tracking_id, institution="31.71")
    return desk


def _titles(page: lc.ListedPage) -> list[str | None]:
    return [view.title for view in page.items]


def test_a_citizen_lists_their_own_complaints_newest_first_as_their_reporter(desk: lc.ComplaintDesk) -> None:
    """Siti sees her two, the confidential one too, with her own name: what she sees as their reporter."""
    page = desk.my_complaints(SITI)
    assert _titles(page) == ["Pungutan liar di kelurahan", "Lampu jalan mati"]
    assert all(view.reporter is not None and view.reporter.name == "Siti Aminah" for view in page.items)
    assert page.next_cursor is None
    assert _titles(desk.my_complaints(BUDI)) == ["Lampu taman mati"]


def test_another_citizens_complaints_are_never_listed(desk: lc.ComplaintDesk) -> None:
    """Budi's list holds nothing of Siti's, with any query; a new account has an empty list."""
    siti = set(_ids(desk.my_complaints(SITI)))
    for query in (None, lc.ComplaintQuery(limit=1), lc.ComplaintQuery(text="pungutan")):
        assert not siti & set(_ids(desk.my_complaints(BUDI, query)))
    assert desk.my_complaints(lc.Principal.citizen("warga-baru")).items == ()


def test_my_complaints_pages_and_takes_the_other_filters(desk: lc.ComplaintDesk) -> None:
    """Pages of one follow their cursor to the end; a keyword narrows the citizen's own list."""
    first = desk.my_complaints(SITI, lc.ComplaintQuery(order=lc.Order.SUBMITTED_DESC, limit=1))
    assert first.next_cursor is not None
    rest = desk.my_complaints(
        SITI, lc.ComplaintQuery(order=lc.Order.SUBMITTED_DESC, limit=1, cursor=first.next_cursor)
    )
    assert _titles(first) + _titles(rest) == ["Pungutan liar di kelurahan", "Lampu jalan mati"]
    assert _titles(desk.my_complaints(SITI, lc.ComplaintQuery(text="lampu"))) == ["Lampu jalan mati"]


@pytest.mark.parametrize(
    "principal",
    [PUBLIC, ADMIN, officer(), lc.Principal.supervisor("omb-1")],
    ids=["public", "admin", "officer", "supervisor"],
)
def test_only_a_citizen_has_complaints_of_their_own(desk: lc.ComplaintDesk, principal: lc.Principal) -> None:
    """Anyone else asking for "my complaints" gets a ValidationError naming the principal and the reason."""
    with pytest.raises(lc.ValidationError) as caught:
        desk.my_complaints(principal)
    (error,) = caught.value.errors
    assert (error.field, error.code) == ("principal", "query.mine_not_citizen")


def test_a_key_holding_reporter_is_no_account(desk: lc.ComplaintDesk) -> None:
    """A reporter signed in by tracking ID and key has one complaint, no account: refused as well."""
    receipt = desk.submit(submission())
    reporter = desk.authenticate(receipt.tracking_id, receipt.access_key)
    with pytest.raises(lc.ValidationError, match="principal"):
        desk.my_complaints(reporter)


def test_no_caller_names_an_owner(desk: lc.ComplaintDesk) -> None:
    """An owner hash given by a caller is refused by both listings: only the desk computes it."""
    query = lc.ComplaintQuery(filters=lc.Filters(owner_hash="a" * 64))
    for listing in (lambda: desk.complaints(ADMIN, query), lambda: desk.my_complaints(SITI, query)):
        with pytest.raises(lc.ValidationError) as caught:
            listing()
        assert [e.field for e in caught.value.errors] == ["filters.owner_hash"]


def test_an_erased_identity_leaves_the_citizens_list(desk: lc.ComplaintDesk) -> None:
    """After erasure the complaint belongs to no account, so it is no longer "mine"."""
    tid = _ids(desk.my_complaints(SITI))[-1]
    desk.erase_identity(ADMIN, tid, reason="Permintaan pelapor (UU PDP pasal 8).")
    assert tid not in _ids(desk.my_complaints(SITI))


def test_the_public_finds_public_complaints_by_their_words(desk: lc.ComplaintDesk) -> None:
    """Keywords in the title or body, any case, accents and punctuation; every word must be there."""
    assert _titles(desk.complaints(PUBLIC, lc.ComplaintQuery(text="LAMPU"))) == [
        "Lampu jalan mati",
        "Lampu taman mati",
    ]
    assert _titles(desk.complaints(PUBLIC, lc.ComplaintQuery(text="taman melati!"))) == ["Lampu taman mati"]
    assert desk.complaints(PUBLIC, lc.ComplaintQuery(text="lampu sampah")).items == ()


def test_the_public_never_finds_a_confidential_complaint_by_its_words(desk: lc.ComplaintDesk) -> None:
    """Its words find nothing for the public, not even a cursor, while the admin and its reporter find it."""
    query = lc.ComplaintQuery(text="rahasia kenanga", limit=1)
    for principal in (PUBLIC, BUDI):
        page = desk.complaints(principal, query)
        assert (page.items, page.next_cursor) == ((), None)
    assert _titles(desk.complaints(ADMIN, query)) == ["Pungutan liar di kelurahan"]
    assert _titles(desk.my_complaints(SITI, query)) == ["Pungutan liar di kelurahan"]


def test_a_confidential_complaints_words_cannot_be_counted(desk: lc.ComplaintDesk) -> None:
    """Statistics count confidential complaints in their pools, so their ``filters=`` take no keywords."""
    for key in ("text", "owner_hash"):
        with pytest.raises(lc.ValidationError) as caught:
            desk.stats(PUBLIC, filters={key: "rahasia"})
        assert [e.field for e in caught.value.errors] == [f"filters.{key}"]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "text.empty"),
        ("   ", "text.empty"),
        ("%_%", "filter.text_no_words"),
        ("x" * 201, "text.too_long"),
        (" ".join(f"kata{n}" for n in range(11)), "filter.text_too_many_words"),
        ("lampu\x00", "text.not_one_line"),
        (42, "value.not_string"),
    ],
)
def test_junk_keyword_queries_are_refused_before_any_store(text: object, code: str) -> None:
    """Blank, wordless, too long, too many words, control characters or no text: a ValidationError."""
    with pytest.raises(lc.ValidationError) as caught:
        lc.ComplaintQuery(text=text)  # type: ignore[arg-type]
    assert [(e.field, e.code) for e in caught.value.errors] == [("text", code)]


def test_ten_words_repeated_are_ten_words() -> None:
    """Repeats count once: ten distinct words, each said twice, are accepted and kept once each."""
    words = [f"kata{n}" for n in range(10)]
    assert lc.ComplaintQuery(text=" ".join(words * 2)).text == " ".join(words)


@given(
    st.text(max_size=220)
    | st.lists(st.sampled_from(["\ufdfa", "\ufb01", "㎒", "Å", "x"]), max_size=60).map("".join)
)
def test_a_kept_keyword_query_passes_its_rule_again_unchanged(text: str) -> None:
    """Refused, or kept as folded words that the rule keeps as they are (``attrs.evolve`` runs it again)."""
    try:
        filters = lc.Filters(text=text)
    except lc.ValidationError:
        return
    assert filters.text is not None
    assert len(filters.text) <= 200
    assert lc.Filters(text=filters.text) == filters


def test_a_query_folding_past_200_characters_is_too_long() -> None:
    """Four words of 20 characters, ligatures of three letters each: 235 folded, refused as too long."""
    text = " ".join("\ufb03" * 19 + end for end in "abcd")
    assert len(text) < 200
    with pytest.raises(lc.ValidationError) as caught:
        lc.Filters(text=text)
    assert [(e.field, e.code) for e in caught.value.errors] == [("text", "text.too_long")]
