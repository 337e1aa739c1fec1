"""Hypothesis settings for the property tests: no deadline (a loaded CI machine is slow, not
wrong) and no example database written into the work tree."""

from __future__ import annotations

from hypothesis import settings

settings.register_profile("reverie", deadline=None, database=None, derandomize=False)
settings.load_profile("reverie")
