"""Issue 21: an unexpected failure answers 500 in the format of where it happened, never a bare text."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from test_open311 import assert_errors


def _boom() -> None:
    raise RuntimeError("a bug")


@pytest.fixture
def failing(app: FastAPI) -> Iterator[TestClient]:
    """The portal with three routes that fail: a page, a JSON API one and an Open311 one."""
    for path in ("/rusak", "/api/v1/rusak", "/open311/v2/rusak.json", "/open311/v2/rusak.xml"):
        app.add_api_route(path, _boom)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_answers_a_failure_with_its_error_list(failing: TestClient, fmt: str) -> None:
    """GeoReport clients read the error list on every 4xx and 5xx."""
    (description,) = assert_errors(failing.get(f"/open311/v2/rusak.{fmt}"), 500, fmt)
    assert description.startswith("Terjadi kesalahan di server")


def test_the_api_answers_a_failure_with_its_problem(failing: TestClient) -> None:
    """The JSON API's problem body, in the caller's language; nothing of the error itself."""
    answer = failing.get("/api/v1/rusak", headers={"Accept-Language": "en"})
    assert answer.status_code == 500
    assert answer.json() == {
        "code": None,
        "detail": "Something went wrong on the server. Please try again later.",
        "errors": [],
    }


def test_a_page_failure_is_a_page_in_indonesian(failing: TestClient) -> None:
    """A person gets the portal's page saying what happened, not 'Internal Server Error'."""
    answer = failing.get("/rusak")
    assert answer.status_code == 500
    assert "text/html" in answer.headers["content-type"]
    assert "Terjadi kesalahan" in answer.text
    assert "a bug" not in answer.text
