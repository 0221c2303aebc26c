"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

* The browser is ``/usr/bin/chromium`` (Debian's package), never one downloaded by
  ``playwright install`` (stack.md §6). Without it the tests skip and say why; ``.ci/run``
  installs it.
* Each test runs against ``live_server`` in a transactional database (the server thread must
  see the fixtures' rows), and saves at least one screenshot under pytest-playwright's
  output folder (``--output``, default ``test-results/``): the ``shot`` fixture for named
  steps, and a last one when the test ends.
* Playwright's sync API keeps an event loop running in the main thread for the rest of the
  session once the browser has started, so Django would refuse the tests' (and any later
  test's) ORM calls as "async-unsafe". ``DJANGO_ALLOW_ASYNC_UNSAFE`` is therefore set from
  the first browser test to the end of the session, and only when browser tests run.
* Data are built through the services (``participant_screen``, ``record_create``) in
  fixtures; the browser drives only the flow under test. Log-ins other than the log-in
  flow itself are a session cookie (``login``), which is quicker than typing.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
MISSING = (
    f"{CHROMIUM} is missing: the browser tests need Debian's chromium package "
    "(apt-get install chromium fonts-wqy-zenhei; .ci/run installs them)"
)
HERE = Path(__file__).parent
TIMEOUT_S = 60  # per browser test, set-up included (the first one starts the browser and server)
ACTION_TIMEOUT_MS = 10_000  # a missing element fails in 10 s, not Playwright's default 30 s


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives Chromium through Playwright (tests/edc/browser)")


@pytest.hookimpl(tryfirst=True)  # before pytest-django orders transactional tests last
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.timeout(TIMEOUT_S))
            item.add_marker(pytest.mark.django_db(transaction=True))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not CHROMIUM.exists():
        pytest.skip(MISSING)
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session", autouse=True)
def _async_unsafe_allowed() -> Iterator[None]:
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if before is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture(scope="session")
def base_url(live_server: Any) -> str:
    return str(live_server.url)


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any], base_url: str) -> dict[str, Any]:
    # English unless a test asks otherwise: the log-in page follows Accept-Language.
    return {**browser_context_args, "base_url": base_url, "locale": "en-GB"}


@pytest.fixture
def context(context: Any) -> Any:
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    return context


@pytest.fixture
def shot(page: Any, output_path: str) -> Callable[[str], Path]:
    """``shot("locked-out")`` saves ``NN-locked-out.png`` in this test's output folder."""
    taken: list[Path] = []

    def take(name: str) -> Path:
        path = Path(output_path) / f"{len(taken) + 1:02d}-{name}.png"
        page.screenshot(path=path, full_page=True)
        taken.append(path)
        return path

    return take


@pytest.fixture(autouse=True)
def _last_screenshot(shot: Callable[[str], Path]) -> Iterator[None]:
    """Every browser test leaves at least a picture of where it ended."""
    yield
    shot("end")


@pytest.fixture
def login(page: Any, base_url: str) -> Callable[[Any], None]:
    """Log ``user`` in by giving the browser a session cookie made by Django's test client."""
    from django.conf import settings
    from django.test import Client

    def as_user(user: Any) -> None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])

    return as_user


@pytest.fixture
def participant(cast: Any) -> Any:
    """SH01-001: a woman screened at site A (consent 5 January 2026), through the service."""
    import datetime as dt

    from hipectrial.edc.participants.services import participant_screen
    from hipectrial.edc.protocol_source import protocol_version

    return participant_screen(
        actor=cast.coordinator, site=cast.site_a, sex="female", birth_date=dt.date(1970, 5, 2),
        consent_date=dt.date(2026, 1, 5), protocol_version=protocol_version(),
        now=dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC),
    )
