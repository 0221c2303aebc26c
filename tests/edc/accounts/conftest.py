"""Each test starts and ends in English: a request leaves its language active in the thread
(Django's LocaleMiddleware and ours activate it and nothing deactivates it), which would
otherwise carry a Chinese page's language into the next test's messages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_between_tests() -> Iterator[None]:
    translation.deactivate()
    yield
    translation.deactivate()
