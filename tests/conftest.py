"""Shared pytest configuration.

Hypothesis profiles: ``ci`` is derandomised so a CI run is reproducible; select it with
``pytest --hypothesis-profile=ci`` or ``HYPOTHESIS_PROFILE=ci``.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
