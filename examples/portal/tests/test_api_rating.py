"""The JSON API's rating: 1 to 5 with an optional comment, once, by the reporter only."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

import lapor_core as lc
from portal_helpers import ADMIN, JAKPUS, submission


def _closed(desk: lc.ComplaintDesk, **fields: object) -> tuple[str, dict[str, str]]:
    """A complaint its reporter has closed, and the header that opens it as that reporter."""
    receipt = desk.submit(submission(**fields))
    tid = receipt.tracking_id
    desk.forward(ADMIN, tid, institution="31.71")
    desk.follow_up(JAKPUS, tid, "Lampu sudah diganti.")
    desk.close_complaint(desk.authenticate(tid, receipt.access_key), tid)
    return tid, {"X-Access-Key": receipt.access_key}


def test_a_rating_with_a_comment_is_on_the_timeline(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """The rating and its comment (line breaks kept) are stored; the comment is the rating's message."""
    tid, key = _closed(desk)
    answer = client.post(
        f"/api/v1/complaints/{tid}/rate",
        json={"rating": 4, "comment": "Cepat ditangani.\nTerima kasih."},
        headers=key,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["rating"] == 4
    last = answer.json()["timeline"][-1]
    assert last["message"] == "Cepat ditangani.\nTerima kasih."
    assert desk.view(ADMIN, tid).rating == 4


def test_a_rating_without_a_comment_still_works(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """The comment is optional; null is the same as leaving it out."""
    tid, key = _closed(desk)
    answer = client.post(f"/api/v1/complaints/{tid}/rate", json={"rating": 2, "comment": None}, headers=key)
    assert answer.status_code == 200, answer.text
    assert answer.json()["rating"] == 2


def test_a_comment_over_500_characters_is_422_and_nothing_is_rated(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """501 characters are refused on ``comment`` with the library's limit; 500 are accepted."""
    tid, key = _closed(desk)
    too_long = client.post(
        f"/api/v1/complaints/{tid}/rate", json={"rating": 5, "comment": "a" * 501}, headers=key
    )
    assert too_long.status_code == 422
    [problem] = too_long.json()["errors"]
    assert (problem["field"], problem["code"]) == ("comment", "text.too_long")
    assert problem["params"]["max"] == 500
    assert "a" * 501 not in too_long.text
    assert desk.view(ADMIN, tid).rating is None
    just_fits = client.post(
        f"/api/v1/complaints/{tid}/rate", json={"rating": 5, "comment": "a" * 500}, headers=key
    )
    assert just_fits.status_code == 200


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"rating": 5, "comment": 5}, "comment", "value.not_string"),
        ({"rating": 5, "comment": ["bagus"]}, "comment", "value.not_string"),
        ({"rating": "5"}, "rating", "value.not_integer"),
        ({"rating": 6, "comment": "Bagus."}, "rating", "rating.out_of_range"),
        ({"rating": 5, "komentar": "Bagus."}, "komentar", "field.unknown"),
    ],
)
def test_a_wrongly_typed_rating_body_is_422_on_its_field(
    client: TestClient, desk: lc.ComplaintDesk, body: dict[str, object], field: str, code: str
) -> None:
    """Nothing is coerced: a number for the comment, text for the rating, unknown keys are refused."""
    tid, key = _closed(desk)
    answer = client.post(f"/api/v1/complaints/{tid}/rate", json=body, headers=key)
    assert answer.status_code == 422
    assert [(e["field"], e["code"]) for e in answer.json()["errors"]] == [(field, code)]
    assert desk.view(ADMIN, tid).rating is None


def test_a_second_rating_is_422_already_given_and_the_first_stays(
    client: TestClient, desk: lc.ComplaintDesk
) -> None:
    """A rating once given cannot change: the usual problem body, Indonesian unless English is asked."""
    tid, key = _closed(desk)
    assert client.post(f"/api/v1/complaints/{tid}/rate", json={"rating": 1}, headers=key).status_code == 200
    again = client.post(
        f"/api/v1/complaints/{tid}/rate", json={"rating": 5, "comment": "Ternyata bagus."}, headers=key
    )
    assert again.status_code == 422
    body = again.json()
    assert body["code"] == "error.validation"
    [problem] = body["errors"]
    assert (problem["field"], problem["code"]) == ("rating", "rating.already_given")
    assert problem["message"] == lc.FieldError("rating", "rating.already_given").message("id")
    english = client.post(
        f"/api/v1/complaints/{tid}/rate", json={"rating": 5}, headers={**key, "Accept-Language": "en"}
    )
    assert english.json()["errors"][0]["message"] == lc.FieldError("rating", "rating.already_given").message(
        "en"
    )
    assert desk.view(ADMIN, tid).rating == 1


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 403),  # the public sees the public complaint but may not rate it
        ({"Authorization": "Bearer t-citizen"}, 403),  # another citizen
        ({"Authorization": "Bearer t-jakpus"}, 403),  # the institution
        ({"Authorization": "Bearer t-admin"}, 403),  # the admin
        ({"X-Access-Key": "salah"}, 404),  # a wrong access key looks like an unknown complaint
    ],
)
def test_only_the_reporter_may_rate(
    client: TestClient, desk: lc.ComplaintDesk, headers: dict[str, str], status: int
) -> None:
    """Anyone but the reporter is refused, and the complaint stays unrated."""
    tid, _ = _closed(desk)
    answer = client.post(
        f"/api/v1/complaints/{tid}/rate", json={"rating": 5, "comment": "Bagus."}, headers=headers
    )
    assert answer.status_code == status
    assert desk.view(ADMIN, tid).rating is None


def test_another_complaints_access_key_cannot_rate(client: TestClient, desk: lc.ComplaintDesk) -> None:
    """The access key of one complaint does not open another (404), even for a closed confidential one."""
    tid, _ = _closed(desk, confidential=True)
    _, other_key = _closed(desk)
    answer = client.post(f"/api/v1/complaints/{tid}/rate", json={"rating": 5}, headers=other_key)
    assert answer.status_code == 404
    assert desk.view(ADMIN, tid).rating is None


def test_the_openapi_schema_documents_the_comment_and_its_limit(client: TestClient) -> None:
    """The rating body's comment is optional, described, and limited to the library's 500 characters."""
    schema = client.get("/openapi.json").json()["components"]["schemas"]["RatingIn"]
    comment = schema["properties"]["comment"]
    assert comment["maxLength"] == 500
    assert comment["description"]
    assert schema["required"] == ["rating"]
