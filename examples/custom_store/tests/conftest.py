"""Test set-up for the Redis store example: its package on the import path, and a Redis on 127.0.0.1.

A missing Redis skips these tests, except under ``CI=true`` or ``LAPOR_REQUIRE_SERVICES=1``: it fails them.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

try:
    import redis
except ImportError:  # the example's own dependency; its absence is reported by the fixture below
    redis = None

EXAMPLE = Path(__file__).resolve().parents[1]
if str(EXAMPLE / "src") not in sys.path:
    sys.path.insert(0, str(EXAMPLE / "src"))

REDIS_URL = "redis://127.0.0.1:6379/0"


def _unavailable(reason: str) -> None:
    required = (
        os.environ.get("CI", "").lower() in {"true", "1", "yes"}
        or os.environ.get("LAPOR_REQUIRE_SERVICES") == "1"
    )
    if required:
        pytest.fail(f"{reason}; CI=true or LAPOR_REQUIRE_SERVICES=1 requires it", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A store URL with a key prefix of its own; every key under it is deleted afterwards."""
    if redis is None:
        _unavailable("the redis package is not installed (pip install redis)")
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as e:
        client.close()
        _unavailable(f"Redis on 127.0.0.1:6379 is not reachable ({type(e).__name__})")
    prefix = f"lapor-test-{secrets.token_hex(6)}"
    try:
        yield f"{REDIS_URL}?prefix={prefix}"
    finally:
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()
