"""The EDC from the command line: ``serve``, ``createuser``, ``site add``, ``snapshot``, ``audit verify``.

Django is imported only when one of these runs (:func:`hipectrial.edc.bootstrap.setup`),
so other commands start as quickly as before. Every command takes ``--data-dir`` (default
``$HIPECTRIAL_DATA_DIR`` or ``./hipectrial-data``; ``serve --demo`` uses
``./hipectrial-demo``) and follows ``DATABASE_URL`` when it names PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from hipectrial.cli.output import echo_json
from hipectrial.errors import InputError

DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="The EDC's data directory (SQLite database, keys). Default: $HIPECTRIAL_DATA_DIR "
        "or ./hipectrial-data.",
        show_default=False,
    ),
]

DEMO_DIR = Path("hipectrial-demo")
EXIT_TAMPERED = 1


def _setup(data_dir: Path | None, default: Path | None = None) -> Path:
    from hipectrial.edc.bootstrap import setup

    chosen = data_dir or (
        Path(os.environ["HIPECTRIAL_DATA_DIR"])
        if os.environ.get("HIPECTRIAL_DATA_DIR")
        else default or Path("hipectrial-data")
    )
    setup(chosen)
    return chosen.resolve()


def _cli_actor() -> str:
    return f"cli:{getpass.getuser()}"


def _where(data_dir: Path) -> str:
    from hipectrial.edc.serving import database_description

    return database_description()


def serve(
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="Create (once) and serve a demonstration database: "
            "demo sites, one user per role, simulated participants.",
        ),
    ] = False,
    data_dir: DataDir = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="gunicorn worker processes.")] = 2,
    threads: Annotated[int, typer.Option(help="Threads per worker.")] = 4,
    prepare_only: Annotated[
        bool, typer.Option("--prepare-only", help="Create, migrate and seed, then exit without serving.")
    ] = False,
) -> None:
    """Serve the web EDC with gunicorn; with --demo, first build the demonstration database."""
    where = _setup(data_dir, DEMO_DIR if demo else None)
    from hipectrial.edc import serving

    typer.echo(f"Data directory: {where}")
    serving.migrate()
    typer.echo(f"Database: {_where(where)} (migrations applied)")
    if demo:
        from hipectrial.edc import demo as demo_module

        if serving.is_empty():
            today = dt.date.today()
            typer.echo(
                f"Seeding the demonstration database: a virtual trial (default scenario, seed "
                f"{demo_module.DEMO_SEED}) cut off today ({today})…"
            )
            trial = demo_module.demo_trial(today)
            logins = demo_module.seed_demo(trial=trial)
            opened = min((s.activation_date for s in trial.sites if s.activation_date), default=today)
            typer.echo(
                f"Imported {len(trial.sites)} sites (the first opened {opened}) and "
                f"{len(trial.participants)} participants, every record with its audit entry."
            )
        else:
            logins = demo_module.demo_logins()
            typer.echo("The demonstration database exists; serving it as it is.")
        typer.echo("Demo logins (user name / password — role at sites):")
        for login in logins:
            typer.echo(f"  {login.username:22} {login.password:28} {login.role} at {login.sites}")
    elif serving.is_empty():
        typer.echo(
            "The database has no users yet: add one with `hipectrial createuser NAME --role "
            "administrator` (and sites with `hipectrial site add`)."
        )
    if prepare_only:
        return
    typer.echo(f"Open http://{host}:{port}/ in a browser (Ctrl+C stops the server).")
    sys.stdout.flush()
    serving.serve(host=host, port=port, workers=workers, threads=threads)


def createuser(
    username: Annotated[str, typer.Argument(help="The new user's login name.")],
    role: Annotated[
        str,
        typer.Option(
            help="investigator, coordinator, pharmacist, monitor, data_manager, "
            "statistician or administrator."
        ),
    ],
    site: Annotated[
        list[str] | None,
        typer.Option(
            help="Site code where the role holds (repeat for a monitor of several sites); none: every site."
        ),
    ] = None,
    full_name: Annotated[str, typer.Option("--name", help="The person's name.")] = "",
    email: Annotated[str, typer.Option(help="E-mail address.")] = "",
    language: Annotated[str, typer.Option(help="en or zh-hans.")] = "en",
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin",
            help="Read the password from the first line of standard input instead of asking.",
        ),
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Create a user with a role at one or more sites (or at every site)."""
    _setup(data_dir)
    from hipectrial.edc import serving
    from hipectrial.edc.accounts.services import user_create_with_roles
    from hipectrial.edc.sites.models import Site

    serving.migrate()
    sites = []
    for code in site or []:
        found = Site.objects.filter(code=code).first()
        if found is None:
            known = ", ".join(Site.objects.values_list("code", flat=True)) or "none yet"
            raise InputError("site", code, f"a site code of this database ({known})")
        sites.append(found)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"Password for {username}: ")
        if getpass.getpass("Again: ") != password:
            raise InputError("password", "(hidden)", "the same password twice")
    user_create_with_roles(
        actor=_cli_actor(),
        username=username,
        password=password,
        full_name=full_name,
        email=email,
        language=language,
        role=role,
        sites=sites or [None],
    )
    typer.echo(f"Created {username}: {role} at {', '.join(s.code for s in sites) or 'every site'}")


site_app = typer.Typer(help="The trial's sites.", no_args_is_help=True)


@site_app.command("add")
def site_add_command(
    code: Annotated[
        str, typer.Argument(help="Site code, capitals and digits (SH01); participant ids start with it.")
    ],
    name: Annotated[str, typer.Option(help="The hospital's name.")],
    country: Annotated[str, typer.Option(help="ISO 3166-1 alpha-2 country code (CN).")],
    city: Annotated[str | None, typer.Option(help="City.")] = None,
    pi: Annotated[str | None, typer.Option("--pi", help="Principal investigator.")] = None,
    activation_date: Annotated[str | None, typer.Option(help="Date the site opens, YYYY-MM-DD.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Add a participating site."""
    day = None
    if activation_date is not None:
        try:
            day = dt.date.fromisoformat(activation_date)
        except ValueError:
            raise InputError("activation_date", activation_date, "a date YYYY-MM-DD") from None
    _setup(data_dir)
    from hipectrial.edc import serving
    from hipectrial.edc.sites.services import site_add

    serving.migrate()
    site = site_add(
        actor=_cli_actor(),
        code=code,
        name=name,
        country=country,
        city=city,
        principal_investigator=pi,
        activation_date=day,
    )
    typer.echo(f"Added site {site.code}: {site.name}")


def snapshot(
    out: Annotated[Path, typer.Option("--out", help="Where to write the TrialData JSON.")],
    data_dir: DataDir = None,
) -> None:
    """Write the database's data as TrialData JSON (for `hipectrial report --data` and exports)."""
    _setup(data_dir)
    from hipectrial.cli.simulate import write_atomically
    from hipectrial.data import Severity, validate
    from hipectrial.edc.protocol_source import current_protocol
    from hipectrial.edc.snapshot import build_snapshot, record_export

    trial = build_snapshot()
    errors = [f for f in validate(trial, current_protocol()) if f.severity is Severity.ERROR]
    # audited first: no data leave the EDC without their entry
    record_export(actor=_cli_actor(), trial=trial, destination=str(out))
    write_atomically(out, trial.to_json())
    typer.echo(f"Written: {out} ({len(trial.participants)} participants, {len(trial.sites)} sites)")
    if errors:
        typer.echo(
            f"warning: {len(errors)} records contradict the protocol; `hipectrial validate --data {out}` "
            "lists them",
            err=True,
        )


audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)


@audit_app.command("verify")
def audit_verify(
    data_dir: DataDir = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Recompute the audit trail's seals; name the first entry edited, deleted or inserted.

    Exits 0 when the chain is intact, 1 when it is not.
    """
    _setup(data_dir)
    from hipectrial.edc.audit.selectors import verify_chain

    result = verify_chain()
    if as_json:
        echo_json(
            {
                "ok": result.ok,
                "checked": result.checked,
                "entry_id": result.entry_id,
                "problem": result.problem,
                "head_seal": result.head_seal,
            }
        )
    elif result.ok:
        typer.echo(f"The audit trail is intact: {result.checked} entries, last seal {result.head_seal[:16]}…")
    else:
        typer.echo(f"The audit trail was tampered with: {result.problem}")
    if not result.ok:
        raise typer.Exit(EXIT_TAMPERED)


def register(app: typer.Typer) -> None:
    """Add the EDC commands to the root command."""
    app.command("serve")(serve)
    app.command("createuser")(createuser)
    app.command("snapshot")(snapshot)
    app.add_typer(site_app, name="site")
    app.add_typer(audit_app, name="audit")
