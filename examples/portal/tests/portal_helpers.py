"""Helpers for the portal's tests: constants, and functions that drive the pages like a browser would."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from fastapi.testclient import TestClient

import lapor_core as lc

WIB = timezone(timedelta(hours=7))
START = datetime(2026, 3, 17, 10, tzinfo=WIB)  # Tuesday 17 March 2026, 10:00 WIB
PEPPER = "portal test pepper, 32 bytes long"
TOKENS = {
    "t-admin": "admin-demo",
    "t-jakpus": "pemkot-jakpus",
    "t-unit": "dinas-pu-jakpus",
    "t-bandung": "pemkot-bandung",
    "t-ombudsman": "ombudsman-demo",
    "t-citizen": "warga-demo",
}
OPEN311_KEY = "open311-test-key"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_SUMMARY = re.compile(r'<div class="errors" role="alert">(.*?)</div>', re.DOTALL)
_ITEM = re.compile(r"<li>(.*?)</li>", re.DOTALL)
_RECEIPT = re.compile(r'id="tracking-id">([^<]+)</code>.*id="access-key">([^<]+)</code>', re.DOTALL)


def csrf(client: TestClient, path: str = "/lacak") -> str:
    """The CSRF token of the client's session, read from a page's form."""
    page = client.get(path)
    found = _CSRF.search(page.text)
    assert found, f"no CSRF field on {path}"
    return found.group(1)


def error_summary(page: str) -> list[str]:
    """The lines of a page's error summary ("Judul: tidak boleh kosong"), HTML entities left as they are."""
    found = _SUMMARY.search(page)
    return [item.strip() for item in _ITEM.findall(found.group(1))] if found else []


def sign_in(client: TestClient, account: str) -> None:
    """Sign the client in as a demonstration account."""
    answer = client.post("/masuk", data={"account": account, "csrf_token": csrf(client, "/masuk")})
    assert answer.status_code == 303


def submit(client: TestClient, **fields: str) -> lc.Receipt:
    """Submit the form with sensible defaults and read the receipt page."""
    data = {"kind": "pengaduan", "title": "Jalan berlubang", "body": "Di depan SDN 3.", **fields}
    answer = client.post("/lapor", data={**data, "csrf_token": csrf(client, "/lapor")})
    assert answer.status_code == 200, answer.text
    found = _RECEIPT.search(answer.text)
    assert found, "no receipt"
    return lc.Receipt(tracking_id=found.group(1), access_key=found.group(2))


def submission(**fields: object) -> lc.Submission:
    """A submission with sensible defaults."""
    data: dict[str, object] = {"kind": "pengaduan", "channel": "web", "title": "Lampu mati", "body": "Gelap."}
    return lc.Submission.from_dict({**data, **fields})


ADMIN = lc.Principal.admin("admin-demo")
JAKPUS = lc.Principal.institution_officer("pemkot-jakpus", institution="31.71")
