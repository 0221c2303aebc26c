"""``hipectrial export …`` and ``hipectrial import …``: a trial's data in and out of the
standard formats (CDISC ODM, SDTM + Define-XML, REDCap, spreadsheets).

The formats themselves live in :mod:`hipectrial.export`; each format's commands are in a
module of their own (``cli/export_<format>.py``, a ``register(export_app, import_app)``
function), added to the two groups here. What they share is here too:

- :func:`read_inputs` reads ``--data`` and ``--protocol`` and refuses data that ``validate``
  finds errors in (an export of records that contradict the protocol would carry the
  contradiction into the other system);
- :func:`staged_out_dir` writes into a fresh folder beside ``--out`` and moves it into place
  only when everything was written, so a refused or failed export leaves nothing behind;
- :func:`progress_bar` shows progress on stderr (never on ``--json`` output).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from hipectrial.errors import InputError

if TYPE_CHECKING:
    from rich.progress import Progress

    from hipectrial.data import TrialData
    from hipectrial.protocol import Protocol

export_app = typer.Typer(
    help="Write a trial's data as CDISC ODM, SDTM + Define-XML, REDCap or spreadsheets.",
    no_args_is_help=True,
)
import_app = typer.Typer(
    help="Read another system's export (ODM, REDCap) into a TrialData file.",
    no_args_is_help=True,
)

# Modules that add their commands to the two groups (``register(export_app, import_app)``).
_FORMAT_MODULES: tuple[str, ...] = ("export_odm", "export_sheets", "export_sdtm", "export_redcap")


def register(app: typer.Typer) -> None:
    """Add ``export`` and ``import`` to the root command."""
    import importlib

    for name in _FORMAT_MODULES:
        importlib.import_module(f"hipectrial.cli.{name}").register(export_app, import_app)
    app.add_typer(export_app, name="export")
    app.add_typer(import_app, name="import")


def read_protocol(path: Path | None) -> Protocol:
    """The protocol at ``path``, or the seed protocol."""
    from hipectrial.protocol import load_protocol, seed_protocol_path

    return load_protocol(path if path is not None else seed_protocol_path())


def read_inputs(data: Path, protocol: Path | None) -> tuple[TrialData, Protocol]:
    """The trial at ``data`` and its protocol, refused when ``validate`` finds errors.

    Raises
    ------
    InputError
        (field ``data``) naming the number of errors and the first few, each with its record.
    """
    from hipectrial.cli.trial_file import read_trial
    from hipectrial.data import validate
    from hipectrial.data.findings import Severity

    trial = read_trial(data)
    proto = read_protocol(protocol)
    errors = [finding for finding in validate(trial, proto) if finding.severity is Severity.ERROR]
    if errors:
        shown = "; ".join(str(finding) for finding in errors[:5])
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        raise InputError(
            "data", str(data), "records that agree with the protocol",
            f"`hipectrial validate` finds {len(errors)} error(s): {shown}{more}",
        )
    return trial, proto


@contextlib.contextmanager
def staged_out_dir(out: Path) -> Iterator[Path]:
    """A fresh folder to write an export into; it becomes ``out`` when the block ends normally.

    ``out`` must not exist, or be an empty folder. On an error inside the block the staged
    folder is removed and ``out`` is left as it was.

    Raises
    ------
    InputError
        (field ``out``) when ``out`` is a file or a folder with something in it, or its parent
        cannot be written.
    """
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError("out", str(out), "a new or empty folder", "exports never overwrite files")
    parent = out.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staged = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
    except OSError as exc:
        raise InputError("out", str(out), "a folder that can be written", str(exc)) from None
    try:
        yield staged
        # mkdtemp makes the folder private (0700); the export gets the mode any new folder
        # gets here (0777 less the umask), as `mkdir out` would have given it.
        umask = os.umask(0)
        os.umask(umask)
        staged.chmod(0o777 & ~umask)
        if out.exists():
            out.rmdir()
        os.replace(staged, out)
    finally:
        if staged.exists():
            shutil.rmtree(staged)


@contextlib.contextmanager
def progress_bar(*, disable: bool) -> Iterator[Progress]:
    """A progress display on stderr, shown only while the block runs (none with ``--json``)."""
    from rich.progress import Progress

    from hipectrial.cli.output import make_console

    with Progress(console=make_console(stderr=True), transient=True, disable=disable) as bar:
        yield bar
