"""Issue 21: JSON and webhook endpoints refuse a huge body with 413 before reading it (memory stays flat)."""

from __future__ import annotations

import asyncio
import re
import tracemalloc

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from lapor_portal.limits import JSON_BODY_LIMIT, BodyLimit

HUGE = 20 * 1024 * 1024
CHUNK = 64 * 1024


WEBHOOKS = (
    "/api/v1/integrations/31.71/events",
    "/api/sms/inbound",
    "/api/mail/inbound",
    "/api/telegram/webhook",
)


def _json_posts(app: FastAPI) -> list[str]:
    """Every POST path under /api/ (the documented JSON API and the webhooks), parameters filled in."""
    documented = [path for path, operations in app.openapi()["paths"].items() if "post" in operations]
    paths = [re.sub(r"\{[^}]+\}", "7K3M-9QXF-2HJ-Q", p) for p in documented if p.startswith("/api/")]
    return [*paths, *WEBHOOKS]


def _call(app: FastAPI, path: str, *, declare: bool) -> tuple[int, int, int]:
    """POST a 20 MB body at the ASGI level: the status, the bytes the app pulled, the peak memory it took."""
    pulled = 0
    chunk = b"x" * CHUNK
    chunks = HUGE // CHUNK
    statuses: list[int] = []
    headers = [(b"content-type", b"application/json"), (b"host", b"testserver")]
    if declare:
        headers.append((b"content-length", str(HUGE).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
        "state": {},
    }

    async def receive() -> dict[str, object]:
        nonlocal pulled
        pulled += CHUNK
        return {"type": "http.request", "body": chunk, "more_body": pulled < chunks * CHUNK}

    async def send(message: dict[str, object]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(int(str(message["status"])))

    tracemalloc.start()
    try:
        asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return statuses[0], pulled, peak


@pytest.fixture
def started(client: TestClient, app: FastAPI) -> FastAPI:
    """The app with its lifespan running (the client fixture holds it open)."""
    return app


def test_every_json_post_refuses_a_declared_20_mb_body_without_reading_it(started: FastAPI) -> None:
    """A Content-Length over the limit is 413 at once: not one chunk of the body is pulled."""
    paths = _json_posts(started)
    assert "/api/v1/complaints" in paths
    assert len(paths) >= 10
    for path in paths:
        status, pulled, _ = _call(started, path, declare=True)
        assert (path, status, pulled) == (path, 413, 0)


def test_every_json_post_stops_reading_a_streamed_20_mb_body_at_its_limit(started: FastAPI) -> None:
    """Without Content-Length the body is counted: reading stops past the limit, memory stays flat."""
    for path in _json_posts(started):
        status, pulled, peak = _call(started, path, declare=False)
        assert status == 413 or pulled <= CHUNK, (path, status)  # a route without a body never reads it
        assert pulled <= 10 * 1024 * 1024 + CHUNK, path  # the largest limit (e-mail) plus one chunk
        assert peak < 12 * 1024 * 1024, (path, peak)
    status, pulled, peak = _call(started, "/api/v1/complaints", declare=False)
    assert pulled <= JSON_BODY_LIMIT + CHUNK
    assert peak < 2 * 1024 * 1024


def test_a_json_api_413_is_a_problem_in_the_callers_language(client: TestClient) -> None:
    """The answer is the JSON API's problem shape; Indonesian unless English is preferred."""
    body = b"[" + b"1," * JSON_BODY_LIMIT + b"1]"
    indonesian = client.post("/api/v1/complaints", content=body, headers={"content-type": "application/json"})
    assert indonesian.status_code == 413
    assert indonesian.json()["code"] == "request.too_large"
    assert "65.536 bita" in indonesian.json()["detail"]
    english = client.post(
        "/api/v1/complaints",
        content=body,
        headers={"content-type": "application/json", "accept-language": "en"},
    )
    assert "65,536 bytes" in english.json()["detail"]


def test_a_body_under_the_limit_is_read_as_before(client: TestClient) -> None:
    """A normal submission still goes through the middleware untouched."""
    answer = client.post(
        "/api/v1/complaints", json={"kind": "pengaduan", "channel": "api", "title": "Lampu", "body": "Mati."}
    )
    assert answer.status_code == 201


def test_other_paths_are_not_limited() -> None:
    """Only the listed prefixes are held to a limit; the first matching prefix wins."""
    limits = BodyLimit(FastAPI(), limits=(("/api/v1/x/", 10), ("/api/v1/", 20)))
    assert (limits.limit_of("/api/v1/x/y"), limits.limit_of("/api/v1/z"), limits.limit_of("/lapor")) == (
        10,
        20,
        None,
    )
