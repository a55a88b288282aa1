from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

import lapor_core as lc
from lapor_core import PollDraft
from lapor_core.testing import FrozenClock
from portal_helpers import JAKPUS, START, csrf, error_summary, sign_in


def _poll(desk: lc.ComplaintDesk, *, results: str = "after_close", audience: object = "national") -> str:
    draft = PollDraft.from_dict(
        {
            "question": "Perlukah car free day diperluas?",
            "options": ["Setuju", "Tidak setuju", "Ragu-ragu"],
            "audience": audience,
            "opens_at": START.isoformat(),
            "closes_at": (START + timedelta(days=7)).isoformat(),
            "results": results,
        }
    )
    poll_id = desk.create_poll(JAKPUS, draft)
    desk.open_poll(JAKPUS, poll_id)
    return poll_id


def _votes(desk: lc.ComplaintDesk, poll_id: str, count: int, region: str = "31.71") -> None:
    for number in range(count):
        voter = lc.Principal.citizen(f"pemilih-{region}-{number}", verified=True, region=region)
        desk.vote(voter, poll_id, [number % 2])


def test_polls_list_shows_open_polls_but_not_drafts(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """The public list holds open polls; a draft exists only for its institution."""
    open_id = _poll(desk)
    draft = PollDraft("Draf rahasia?", ["Ya", "Tidak"], START, START + timedelta(days=1))
    desk.create_poll(JAKPUS, draft)
    page = client.get("/jajak-pendapat").text
    assert f"/jajak-pendapat/{open_id}" in page
    assert "Draf rahasia?" not in page
    sign_in(client, "pemkot-jakpus")
    assert "Draf rahasia?" in client.get("/staf/jajak-pendapat").text


def test_a_verified_citizen_votes_and_may_change_the_vote(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """The ballot form records a vote; voting again replaces it."""
    poll_id = _poll(desk, results="live")
    sign_in(client, "warga-demo")
    page = client.get(f"/jajak-pendapat/{poll_id}").text
    assert 'id="ballot"' in page
    token = csrf(client, f"/jajak-pendapat/{poll_id}")
    client.post(f"/jajak-pendapat/{poll_id}/pilih", data={"choice": "0", "csrf_token": token})
    options = desk.poll(lc.Principal.public(), poll_id).draft.options
    assert f"Suara Anda tercatat: {options[0]}." in client.get(f"/jajak-pendapat/{poll_id}").text
    client.post(f"/jajak-pendapat/{poll_id}/pilih", data={"choice": "2", "csrf_token": token})
    replaced = client.get(f"/jajak-pendapat/{poll_id}").text
    assert f"Suara Anda diganti dengan pilihan baru: {options[2]}." in replaced
    results = desk.poll_results(lc.Principal.public(), poll_id)
    assert results.total == 1
    assert [o.votes for o in results.options] == [0, 0, 1]


def test_the_public_is_sent_to_sign_in_to_vote(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """Without a citizen account the page has no ballot and voting redirects to the sign-in."""
    poll_id = _poll(desk)
    assert 'id="ballot"' not in client.get(f"/jajak-pendapat/{poll_id}").text
    answer = client.post(f"/jajak-pendapat/{poll_id}/pilih", data={"choice": "0", "csrf_token": csrf(client)})
    assert answer.headers["location"] == f"/masuk?next=/jajak-pendapat/{poll_id}"


def test_a_citizen_outside_the_audience_gets_no_ballot_and_is_refused(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """A Bandung-only poll offers no ballot to a Jakarta resident and refuses a forged vote."""
    poll_id = _poll(desk, audience=["32.73"])
    sign_in(client, "warga-demo")
    assert 'id="ballot"' not in client.get(f"/jajak-pendapat/{poll_id}").text
    client.post(f"/jajak-pendapat/{poll_id}/pilih", data={"choice": "0", "csrf_token": csrf(client)})
    assert "Anda tidak dapat memilih" in client.get(f"/jajak-pendapat/{poll_id}").text


def test_a_bad_choice_is_explained(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """An option that does not exist is refused with the library's reason."""
    poll_id = _poll(desk)
    sign_in(client, "warga-demo")
    client.post(f"/jajak-pendapat/{poll_id}/pilih", data={"choice": "9", "csrf_token": csrf(client)})
    assert "Pilihan tidak valid" in client.get(f"/jajak-pendapat/{poll_id}").text


def test_results_stay_hidden_until_closing_then_show_a_chart(
    client: TestClient, desk: lc.ComplaintDesk, clock: FrozenClock
) -> None:
    """An after-close poll shows no counts while open; after its closing time the chart and table appear."""
    poll_id = _poll(desk)
    _votes(desk, poll_id, 12)
    open_page = client.get(f"/jajak-pendapat/{poll_id}").text
    assert 'id="results-hidden"' in open_page
    assert "results-chart" not in open_page
    clock.advance(days=8)
    closed = client.get(f"/jajak-pendapat/{poll_id}").text
    assert 'id="results-chart"' in closed
    assert "Hasil akhir" in closed
    assert "12 suara" in closed
    assert "<td>Setuju</td><td>6</td><td>50,0%</td>" in closed
    client.get("/bahasa/en?next=/")
    english = client.get(f"/jajak-pendapat/{poll_id}").text
    assert "<td>Setuju</td><td>6</td><td>50.0%</td>" in english
    assert "12 ballots" in english


def test_small_breakdown_cells_are_shown_as_hidden(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """Province cells under the threshold appear as a dash, never as the count."""
    poll_id = _poll(desk, results="live")
    _votes(desk, poll_id, 24)
    _votes(desk, poll_id, 24, region="32.73")
    for number in range(3):
        desk.vote(lc.Principal.citizen(f"jateng-{number}", verified=True, region="33.74"), poll_id, [2])
    page = client.get(f"/jajak-pendapat/{poll_id}").text
    assert "Per provinsi" in page
    dash = "\N{EN DASH}"
    assert f"<tr><td>Jawa Barat</td><td>24</td><td>{dash}</td><td>12</td><td>{dash}</td></tr>" in page
    assert "Jawa Tengah" not in page


def test_an_officer_drafts_opens_and_closes_a_poll(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """The institution's poll page creates a draft from the form, opens it and closes it."""
    sign_in(client, "pemkot-jakpus")
    token = csrf(client, "/staf/jajak-pendapat")
    form = {
        "question": "Jam buka perpustakaan?",
        "options": "Pagi\nSore\n",
        "audience": "31",
        "opens_at": "2026-03-17T10:00",
        "closes_at": "2026-03-24T10:00",
        "results": "live",
        "max_choices": "1",
        "csrf_token": token,
    }
    assert client.post("/staf/jajak-pendapat", data=form).status_code == 303
    (poll,) = desk.polls(JAKPUS)
    assert poll.draft.audience == ("31",)
    assert poll.draft.opens_at.isoformat() == "2026-03-17T10:00:00+07:00"
    assert client.post(f"/staf/jajak-pendapat/{poll.id}/buka", data={"csrf_token": token}).status_code == 303
    assert client.post(f"/staf/jajak-pendapat/{poll.id}/tutup", data={"csrf_token": token}).status_code == 303
    assert desk.poll(JAKPUS, poll.id).state.value == "closed"


def test_an_invalid_poll_form_lists_every_problem(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """One option, a closing before the opening and an unknown rule are all reported; nothing is stored."""
    sign_in(client, "pemkot-jakpus")
    form = {
        "question": "",
        "options": "Hanya satu",
        "opens_at": "2026-03-20T10:00",
        "closes_at": "2026-03-18T10:00",
        "results": "kadang",
        "max_choices": "x",
        "csrf_token": csrf(client, "/staf/jajak-pendapat"),
    }
    answer = client.post("/staf/jajak-pendapat", data=form)
    assert answer.status_code == 422
    labels = {line.split(":")[0] for line in error_summary(answer.text)}
    assert labels == {
        "Pertanyaan",
        "Pilihan jawaban",
        "Waktu ditutup",
        "Penayangan hasil",
        "Jumlah pilihan per suara",
    }
    assert desk.polls(JAKPUS) == ()


def test_poll_form_errors_are_english_on_english_pages(client: TestClient) -> None:
    """With the English switch, the field names and the library's messages are English."""
    sign_in(client, "pemkot-jakpus")
    client.get("/bahasa/en?next=/")
    form = {"question": "", "options": "Ya\nTidak", "csrf_token": csrf(client, "/staf/jajak-pendapat")}
    answer = client.post("/staf/jajak-pendapat", data=form)
    assert answer.status_code == 422
    assert "Question: must not be empty" in error_summary(answer.text)


def test_only_institution_officers_manage_polls(client: TestClient) -> None:
    """Admins and supervisors get 403 on the institution's poll page."""
    for account in ("admin-demo", "ombudsman-demo"):
        sign_in(client, account)
        assert client.get("/staf/jajak-pendapat").status_code == 403


def test_an_unknown_poll_is_404(client: TestClient) -> None:
    """A poll ID that does not exist answers the not-found page."""
    assert client.get("/jajak-pendapat/tidak-ada").status_code == 404
