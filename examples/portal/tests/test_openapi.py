"""Issue 21: the OpenAPI schema tells the truth, and its documentation pages are served.

``/docs`` and ``/redoc`` answer; credentials are optional where they are; request fields carry their limits
and descriptions; each operation lists only the errors it can answer, and bad requests to every operation get
one of them; malformed JSON names the body (``$``), not a character position; a text/plain body is 415.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

import lapor_core as lc
from lapor_portal.api.docs import CDN
from portal_helpers import ADMIN, submission

TRACKING_ID = "7K3M-9QXF-2HJ-Q"


@pytest.fixture
def schema(client: TestClient) -> dict[str, Any]:
    answer = client.get("/openapi.json")
    assert answer.status_code == 200
    document: dict[str, Any] = answer.json()
    return document


def _operations(schema: dict[str, Any], prefix: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in schema["paths"].items()
        if path.startswith(prefix)
        for method, operation in item.items()
    ]


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_the_documentation_pages_are_served_with_a_policy_of_their_own(client: TestClient, path: str) -> None:
    """Both viewers answer, load from the CDN only, and any inline script is allowed by its hash alone."""
    page = client.get(path)
    assert page.status_code == 200
    assert "/openapi.json" in page.text
    policy = page.headers["content-security-policy"]
    assert f"script-src {CDN}" in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    for script in re.findall(r"<script>(.*?)</script>", page.text, re.DOTALL):
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy
    assert CDN not in client.get("/").headers["content-security-policy"]  # the pages keep the strict policy


REFERENCE = ("/api/v1/regions", "/api/v1/regions/search", "/api/v1/topics", "/api/v1/provinces.geojson")


def test_credentials_are_optional_and_reference_data_needs_none(schema: dict[str, Any]) -> None:
    """No operation claims bearer auth as required: each that reads credentials also allows none (``{}``)."""
    for method, path, operation in _operations(schema, "/api/v1/"):
        security = operation.get("security")
        if path in REFERENCE or "children" in path:
            assert security is None, (method, path)
        else:
            assert security is not None, (method, path)
            assert {} in security, (method, path)
    assert all(op.get("security") is None for _, _, op in _operations(schema, "/open311/"))


def test_request_fields_carry_descriptions_and_the_librarys_limits(
    client: TestClient, schema: dict[str, Any]
) -> None:
    """Every field of every request body is described; the documented title limit is the one enforced."""
    bodies = {name: model for name, model in schema["components"]["schemas"].items() if name.endswith("In")}
    assert {"SubmissionIn", "LocationIn", "ReporterIn", "MessageIn", "ForwardIn"} <= set(bodies)
    for name, model in bodies.items():
        for field, spec in model["properties"].items():
            assert spec.get("description"), f"{name}.{field}"
    title = bodies["SubmissionIn"]["properties"]["title"]
    assert (title["maxLength"], bodies["SubmissionIn"]["properties"]["body"]["maxLength"]) == (150, 4000)
    too_long = client.post(
        "/api/v1/complaints", json={"kind": "pengaduan", "channel": "api", "title": "x" * 151, "body": "b"}
    )
    assert too_long.json()["errors"][0]["params"]["max"] == title["maxLength"]
    location = bodies["LocationIn"]["properties"]
    assert (location["lat"]["minimum"], location["lon"]["maximum"]) == (-11.5, 141.5)


def test_each_operation_lists_only_the_errors_it_can_answer(schema: dict[str, Any]) -> None:
    """Reference data lists none; reads no 400, 403 or 415; only complaint routes 429; Open311 403 on POST."""
    for method, path, operation in _operations(schema, "/api/v1/"):
        codes = {int(code) for code in operation["responses"] if code.isdigit() and int(code) >= 400}
        if path in ("/api/v1/regions", "/api/v1/topics", "/api/v1/provinces.geojson"):
            assert codes == set(), path
        if method == "GET":
            assert not codes & {400, 403, 409, 413, 415}, path
        if "429" in operation["responses"]:
            assert "tracking_id" in path, path
    for method, path, operation in _operations(schema, "/open311/"):
        assert ("403" in operation["responses"]) == (method == "POST"), path
        assert "422" not in operation["responses"], path


def _bad_requests(path: str, method: str) -> list[dict[str, Any]]:
    """Requests that go wrong in different ways, for one operation."""
    bad: list[dict[str, Any]] = [
        {"headers": {"Authorization": "Bearer nope"}},
        {"headers": {"X-Access-Key": "AAAA-BBBB-CCCC-DDDD"}},
    ]
    if method == "POST":
        bad += [
            {"content": b'{"title": ', "headers": {"content-type": "application/json"}},
            {"content": b"hello", "headers": {"content-type": "text/plain"}},
            {"json": {"unknown": True}},
            {"json": []},
            {"content": b"[" + b"0," * 70_000 + b"0]", "headers": {"content-type": "application/json"}},
            {"json": {"message": "x", "reason": "x", "rating": 9, "unit": "x", "institution": "x"}},
            {"json": {"message": "x"}, "headers": {"Authorization": "Bearer t-citizen"}},
        ]
    else:
        bad += [{"params": {"limit": "0", "status": "nope", "group_by": "nope", "level": "x"}}]
    return bad


@pytest.mark.parametrize("known", [False, True])
def test_bad_requests_to_every_operation_get_a_documented_error(
    client: TestClient, desk: lc.ComplaintDesk, schema: dict[str, Any], known: bool
) -> None:
    """A small fuzz of every JSON API operation: never a 500, every error status one the operation lists.

    Once on an unknown complaint, once on a known public one.
    """
    tracking_id = TRACKING_ID
    if known:
        tracking_id = desk.submit(submission()).tracking_id
        desk.forward(ADMIN, tracking_id, institution="31.71")
    for method, path, operation in _operations(schema, "/api/v1/"):
        url = path.replace("{tracking_id}", tracking_id).replace("{code}", "31" if known else "99")
        documented = {int(code) for code in operation["responses"] if code.isdigit()}
        for request in _bad_requests(path, method):
            answer = client.request(method, url, **request)
            assert answer.status_code < 500, (method, path, request, answer.text)
            if answer.status_code >= 400:
                assert answer.status_code in documented, (method, path, answer.status_code, answer.text[:200])
                assert {"code", "detail", "errors"} == set(answer.json()), (method, path)


def test_malformed_json_names_the_body_and_text_plain_is_415(client: TestClient) -> None:
    """Unparseable JSON is 400 with field ``$`` (``file.not_json``); a text/plain body is 415."""
    malformed = client.post(
        "/api/v1/complaints", content=b'{"title": "x",', headers={"content-type": "application/json"}
    )
    assert malformed.status_code == 400
    assert [(e["field"], e["code"]) for e in malformed.json()["errors"]] == [("$", "file.not_json")]
    assert malformed.json()["errors"][0]["message"] == "harus berupa JSON UTF-8"
    plain = client.post("/api/v1/complaints", content=b"{}", headers={"content-type": "text/plain"})
    assert plain.status_code == 415
    assert plain.json()["code"] == "request.not_json"
    assert plain.json()["detail"] == "Isi permintaan harus berupa JSON (Content-Type: application/json)"
    vendor = client.post(
        "/api/v1/complaints",
        content=b'{"kind": "pengaduan", "channel": "api", "title": "t", "body": "b"}',
        headers={"content-type": "application/vnd.lapor+json"},
    )
    assert vendor.status_code == 201
