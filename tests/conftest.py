"""Shared pytest configuration: Hypothesis profiles and the real-service switch."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# CI runs derandomized with no deadline so a noisy machine cannot make a property flaky.
settings.register_profile(
    "ci",
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, max_examples=100)
settings.register_profile("thorough", deadline=None, max_examples=2_000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))
