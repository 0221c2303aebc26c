"""``hipectrial export all``: a data transfer in every format from one reading of the data.

The data are read and validated once; each format (:data:`hipectrial.export.bundle.WRITERS`)
is written into its own sub-folder of one staged folder (``odm/``, ``sdtm/``, ``redcap/``,
``xlsx/``, ``csv/``), which becomes ``--out`` only when every format was written and passed
its checks. Where processes start by ``fork`` (Linux), up to ``--workers`` formats are
written at once, each in a child process that inherits the trial already in memory (nothing
is pickled or read again); the slowest formats start first. Elsewhere, or with
``--workers 1``, they are written one after the other in this process. A format that fails
stops the others, and nothing is left behind.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from hipectrial.cli.export import progress_bar, read_inputs, staged_out_dir
from hipectrial.errors import HipectrialError, InputError

if TYPE_CHECKING:
    from hipectrial.data import TrialData
    from hipectrial.export.bundle import FormatWritten
    from hipectrial.protocol import Protocol


def register(export_app: typer.Typer, import_app: typer.Typer) -> None:
    """Add ``export all``."""
    export_app.command("all")(export_all)


class FormatRefused(HipectrialError):
    """A format refused in a child process: its message, as the format's writer said it
    (errors travel back as text; not every error class can be rebuilt from a pickle)."""

    code = "export_refused"


@dataclass(frozen=True, slots=True)
class _Done:
    written: FormatWritten
    seconds: float


def _parse_formats(text: str | None) -> tuple[str, ...]:
    from hipectrial.export.bundle import WRITERS

    if text is None:
        return tuple(WRITERS)
    asked = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in asked if name not in WRITERS]
    if unknown or not asked:
        raise InputError("formats", text, f"a comma-separated list of {', '.join(WRITERS)}")
    return tuple(name for name in WRITERS if name in asked)  # slowest first, each once


def _write_one(name: str, trial: TrialData, protocol: Protocol, folder: Path) -> _Done:
    from hipectrial.export.bundle import write_format

    started = time.perf_counter()
    folder.mkdir()
    written = write_format(name, trial=trial, protocol=protocol, folder=folder)
    return _Done(written, time.perf_counter() - started)


def _child(name: str, trial: TrialData, protocol: Protocol, folder: Path, conn: Connection) -> None:
    """In a forked child: write one format and send back what was written, or the error's
    text: ``("ok", done)``, ``("refused", message)`` or ``("bug", report)``."""
    try:
        result: tuple[str, Any] = ("ok", _write_one(name, trial, protocol, folder))
    except HipectrialError as exc:
        result = ("refused", str(exc))
    except Exception as exc:  # noqa: BLE001 -- a bug: its report goes to the parent, which exits 70
        result = ("bug", f"{type(exc).__name__}: {exc}")
    conn.send(result)
    conn.close()


def _in_processes(formats: tuple[str, ...], workers: int, trial: TrialData, protocol: Protocol,
                  staged: Path, finished: Any) -> dict[str, _Done]:
    context = multiprocessing.get_context("fork")
    waiting = list(formats)
    running: dict[Any, tuple[str, Any, Connection]] = {}
    done: dict[str, _Done] = {}
    try:
        while waiting or running:
            while waiting and len(running) < workers:
                name = waiting.pop(0)
                receive, send = context.Pipe(duplex=False)
                process = context.Process(target=_child, args=(name, trial, protocol, staged / name, send),
                                          name=f"export {name}", daemon=True)
                process.start()
                send.close()
                running[receive] = (name, process, receive)
            for ready in wait(list(running)):
                name, process, receive = running.pop(ready)
                try:
                    result = receive.recv()
                except EOFError:
                    process.join()
                    raise RuntimeError(f"the process writing {name} ended without a result "
                                       f"(exit code {process.exitcode})") from None
                process.join()
                outcome, value = result
                if outcome == "refused":
                    raise FormatRefused(f"{name}: {value}")
                if outcome == "bug":
                    raise RuntimeError(f"writing {name}: {value}")
                done[name] = value
                finished(name)
    finally:
        for _, process, receive in running.values():
            process.kill()
            process.join()
            receive.close()
    return done


def export_all(
    data: Annotated[Path, typer.Option("--data", help="The TrialData JSON file to export.",
                                       show_default=False)],
    out: Annotated[Path, typer.Option("--out", help="A new (or empty) folder; each format goes in a "
                                      "sub-folder of it.", show_default=False)],
    protocol: Annotated[Path | None, typer.Option(
        "--protocol", help="Protocol YAML; the seed protocol when omitted.", show_default=False)] = None,
    formats: Annotated[str | None, typer.Option(
        "--formats", help="Comma-separated formats (odm, sdtm, redcap, xlsx, csv); all by default.",
        show_default=False)] = None,
    workers: Annotated[int | None, typer.Option(
        "--workers", help="Formats written at once, one process each (default: one per CPU, at most "
        "one per format; 1 writes them one after the other).", show_default=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Write the trial in every export format (or --formats) from one reading of the data."""
    from hipectrial.cli.output import echo_json, make_console

    started = time.perf_counter()
    chosen = _parse_formats(formats)
    if workers is not None and workers < 1:
        raise InputError("workers", workers, "a whole number of at least 1")
    count = min(workers or os.cpu_count() or 1, len(chosen))
    forking = count > 1 and "fork" in multiprocessing.get_all_start_methods()
    trial, proto = read_inputs(data, protocol)
    # No refresh thread while children are forked (see progress_bar); refreshed by hand.
    with progress_bar(disable=as_json, auto_refresh=False) as bar, staged_out_dir(out) as staged:
        task = bar.add_task(f"Writing {', '.join(chosen)}", total=len(chosen))
        bar.refresh()

        def finished(name: str) -> None:
            bar.advance(task)
            bar.refresh()

        if forking:
            done = _in_processes(chosen, count, trial, proto, staged, finished)
        else:
            done = {}
            for name in chosen:
                try:
                    done[name] = _write_one(name, trial, proto, staged / name)
                except HipectrialError as exc:
                    raise FormatRefused(f"{name}: {exc}") from exc
                finished(name)
    seconds = round(time.perf_counter() - started, 2)
    results = [done[name] for name in chosen]
    if as_json:
        echo_json({
            "out": str(out), "seconds": seconds, "processes": count if forking else 1,
            "formats": {r.written.name: {"files": list(r.written.files), "summary": r.written.summary,
                                         "warnings": list(r.written.warnings),
                                         "seconds": round(r.seconds, 2)} for r in results},
        })
        return
    console = make_console()
    console.print(f"Exported {proto.study.id} as {', '.join(chosen)} into {out} in {seconds} s "
                  f"({count if forking else 1} process{'es' if forking else ''}):")
    for r in results:
        files = len(r.written.files)
        console.print(f"  {r.written.name}/  {r.written.summary} ({files} file{'s' if files != 1 else ''}, "
                      f"{r.seconds:.1f} s)")
        for warning in r.written.warnings:
            console.print(f"    warning: {warning}", soft_wrap=True)
