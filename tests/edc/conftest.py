"""The fixed cast of the EDC tests: two sites and one user per role at the first site (a
monitor assigned to both), a coordinator at the second site, and the trial-wide roles.

Permission tests read like sentences: ``coordinator`` may enter data at ``site_a`` and may
not see ``site_b``'s participants.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import translation

PASSWORD = "correct-horse-battery-staple"


@dataclass
class Cast:
    site_a: Any
    site_b: Any
    investigator: Any
    coordinator: Any
    pharmacist: Any
    monitor: Any
    data_manager: Any
    statistician: Any
    administrator: Any
    coordinator_b: Any
    outsider: Any  # logged in, no role anywhere

    def by_role(self) -> dict[str, Any]:
        return {"investigator": self.investigator, "coordinator": self.coordinator,
                "pharmacist": self.pharmacist, "monitor": self.monitor, "data_manager": self.data_manager,
                "statistician": self.statistician, "administrator": self.administrator}


def make_cast() -> Cast:
    from hipectrial.edc.accounts.services import role_grant, user_create
    from hipectrial.edc.sites.services import site_add

    when = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)
    a = site_add(actor="test", code="SH01", name="Shanghai General Hospital", country="CN", city="Shanghai", now=when)
    b = site_add(actor="test", code="BJ02", name="Beijing Cancer Hospital", country="CN", city="Beijing", now=when)

    def person(name: str, role: str | None, *sites: Any) -> Any:
        user = user_create(actor="test", username=name, password=PASSWORD, check_password=False, now=when)
        for s in sites or ((None,) if role else ()):
            role_grant(actor="test", user=user, role=role, site=s, now=when)
        return user

    return Cast(
        site_a=a, site_b=b,
        investigator=person("inv.a", "investigator", a),
        coordinator=person("coord.a", "coordinator", a),
        pharmacist=person("pharm.a", "pharmacist", a),
        monitor=person("monitor.ab", "monitor", a, b),
        data_manager=person("dm", "data_manager"),
        statistician=person("stat", "statistician"),
        administrator=person("admin", "administrator"),
        coordinator_b=person("coord.b", "coordinator", b),
        outsider=person("nobody", None),
    )


@pytest.fixture
def cast(db: None) -> Cast:
    return make_cast()


@pytest.fixture(autouse=True)
def _english_between_tests() -> Iterator[None]:
    """Each test starts and ends in English: a request leaves its language active in the
    thread (Django's LocaleMiddleware and ours activate it and nothing deactivates it),
    which would otherwise carry a Chinese page's language into the next test's messages."""
    translation.deactivate()
    yield
    translation.deactivate()
