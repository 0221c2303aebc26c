"""The demonstration database of ``hipectrial serve --demo``: sites, one user per role, and
participants of a virtual trial imported through the services (with audit entries).

The virtual trial is the seed protocol's default scenario moved in time so that the trial
opened 18 months before today and its data are cut off today: the demo shows a trial in
progress, with participants in screening, on treatment and in follow-up, and open to a new
registration (Part B at the dose Part A selected). Should the simulated trial be closed
to registration today (Part B full, or waiting for a cohort's DLT windows), the trial is
opened 15, then 12 months before today instead (the first open one is taken; the same day
always gives the same demo). Every page says the data are simulated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from hipectrial.data import TrialData
from hipectrial.edc.accounts.models import User
from hipectrial.edc.accounts.roles import Role
from hipectrial.edc.accounts.services import role_grant, user_create
from hipectrial.edc.sites.models import Site

DEMO_SEED = 1
# months before today the demo trial opened, tried in turn until registration is open today
DEMO_MONTHS_OPEN = (18, 15, 12)


@dataclass(frozen=True, slots=True)
class DemoLogin:
    username: str
    password: str
    role: str
    sites: str


def demo_trial(today: dt.date, seed: int = DEMO_SEED) -> TrialData:
    """The default scenario's virtual trial, cut off on ``today`` and opened the first of
    ``DEMO_MONTHS_OPEN`` months before it at which registration is open today (the last
    one tried when none is)."""
    from hipectrial.analysis.assignment import next_assignment
    from hipectrial.protocol import load_protocol
    from hipectrial.simulate.scenario.world import Cutoff, load_scenario
    from hipectrial.simulate.trial.run import simulate

    protocol = load_protocol()
    scenario = load_scenario("default")
    for months in DEMO_MONTHS_OPEN:
        opened = _months_before(today, months)
        moved = scenario.model_copy(update={"start_date": opened, "cutoff": Cutoff(date=today)})
        trial = simulate(protocol, moved, seed)
        if next_assignment(protocol=protocol, trial=trial, as_of=today).open:
            break
    return trial


def _months_before(day: dt.date, months: int) -> dt.date:
    """The same day of the month ``months`` earlier (the month's last day when shorter)."""
    import calendar

    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _password(role: Role) -> str:
    # Printed on the console for the demonstration; a real database gets its users from
    # `hipectrial createuser`, with passwords the people choose.
    return f"demo-{role.value.replace('_', '-')}-2026"


def seed_demo(*, trial: TrialData, progress: Callable[[int, int], None] | None = None) -> list[DemoLogin]:
    """Create the demo administrator, import ``trial`` with it (sites, participants and
    their records), then one demo user per other role at the first sites; the database
    must be empty."""
    from hipectrial.edc.snapshot import import_trial

    actor = "serve --demo"

    def person(role: Role, at: list[Site | None], name: str | None = None) -> tuple[User, DemoLogin]:
        name = name or f"demo-{role.value.replace('_', '-')}"
        user = user_create(actor=actor, username=name, password=_password(role),
                           full_name=f"Demo {role.label.title()}", check_password=False)
        for site in at:
            role_grant(actor=actor, user=user, role=role, site=site)
        where = ", ".join(s.code if s else "every site" for s in at)
        return user, DemoLogin(name, _password(role), role.value, where)

    administrator, admin_login = person(Role.ADMINISTRATOR, [None])
    import_trial(actor=administrator, trial=trial, progress=progress)
    sites = list(Site.objects.order_by("id"))
    first, second = sites[0], sites[1] if len(sites) > 1 else sites[0]
    where: dict[Role, list[Site | None]] = {
        Role.INVESTIGATOR: [first], Role.COORDINATOR: [first], Role.PHARMACIST: [first],
        Role.MONITOR: [first, second], Role.DATA_MANAGER: [None], Role.STATISTICIAN: [None],
    }
    logins = [person(role, at)[1] for role, at in where.items()]
    logins.append(admin_login)
    logins.append(person(Role.COORDINATOR, [second], "demo-coordinator-2")[1])
    return logins


def demo_logins() -> list[DemoLogin]:
    """The demo users of a database seeded before (their passwords are the demo ones)."""
    out = []
    for user in User.objects.filter(username__startswith="demo-").prefetch_related("memberships__site"):
        for m in user.memberships.all():
            role = Role(m.role)
            out.append(
                DemoLogin(user.username, _password(role), role.value, m.site.code if m.site else "every site")
            )
    return out
