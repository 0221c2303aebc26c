"""``hipectrial simulate``: run a virtual trial and write its ``TrialData`` JSON.

The simulation is :func:`hipectrial.simulate.simulate_trial`; this module parses options,
shows a progress bar on stderr when the run takes more than a second (not with
``--json``, nor when stderr is not a terminal), writes the file atomically (a temporary
file in the same folder, then a rename) and prints a summary: people screened, registered
per part and dose level, the RP2D, the Simon stage-1 look, the cut-off and where the file
is. Errors (a scenario that does not load, a bad seed, an unwritable path) exit 2 with the
message.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import Progress
from rich.text import Text

from hipectrial.cli.output import echo_json, make_console
from hipectrial.errors import InputError

if TYPE_CHECKING:  # the simulator is imported when the command runs (CLI start-up)
    from hipectrial.simulate.trial.result import SimulatedTrial


@contextlib.contextmanager
def _progress(enabled: bool, delay_s: float = 1.0) -> Iterator[Callable[[int, int], None] | None]:
    """A progress callback whose bar (on stderr) appears once ``delay_s`` has passed."""
    if not enabled or not make_console(stderr=True).is_terminal:
        yield None
        return
    start = time.monotonic()
    state: dict[str, Progress] = {}

    def update(done: int, total: int) -> None:
        if "bar" not in state and time.monotonic() - start > delay_s:
            bar = Progress(console=make_console(stderr=True), transient=True)
            bar.start()
            bar.add_task("Registering participants", total=total)
            state["bar"] = bar
        if "bar" in state:
            state["bar"].update(state["bar"].task_ids[0], completed=done, total=total)

    try:
        yield update
    finally:
        if "bar" in state:
            state["bar"].stop()


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename,
    so that a reader never sees a half-written file."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError("out", str(path), "a file in an existing folder", f"no folder {folder}")
    # open(..., "x") rather than tempfile.mkstemp: the file gets the usual permissions (umask)
    # instead of mkstemp's owner-only 0600 (as the report's files do), and never reuses a file
    temporary = folder / f".{path.name}.{secrets.token_hex(8)}.tmp"
    try:
        stream = temporary.open("x", encoding="utf-8")
    except OSError as exc:
        raise InputError("out", str(path), "a writable path", exc.strerror) from None
    try:
        with stream:
            stream.write(text)
        os.replace(temporary, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise InputError("out", str(path), "a writable path", exc.strerror) from None


def _print_summary(result: SimulatedTrial, out: Path) -> None:
    console = make_console()
    s = result.summary()
    console.print(Text(f"Simulated trial: scenario {result.scenario}, seed {result.seed}", style="bold"))
    console.print(f"Screened {s['screened']} ({s['screen_failures']} screen failures); "
                  f"registered {s['registered']}")
    by_part = s["registered_by_part_and_level"]
    if isinstance(by_part, dict):
        for key, count in by_part.items():
            part, _, level = str(key).partition(" level ")
            console.print(f"  {part.replace('_', ' ').title()}, dose level {level}: {count}")
    console.print(f"Part A: {len(result.cohorts)} cohorts; ended: {result.part_a_end}")
    for c in result.cohorts:
        after = f"next level {c.next_dose_level}" if c.next_dose_level else \
            f"selected {c.selected_dose_level or 'no dose'}"
        console.print(f"  cohort {c.number} at level {c.dose_level}: {c.dlts} DLT / "
                      f"{c.evaluable} evaluable -> {c.action} ({after})")
    console.print("RP2D: " + (f"dose level {result.rp2d}" if result.rp2d else "none (no Part B)"))
    if result.simon is not None:
        look = result.simon
        console.print(f"Simon stage 1 ({look.look_date}): {look.responses} R0 among the first "
                      f"{look.n1} (stop if <= {look.r1}) -> {look.action}")
    elif result.rp2d:
        console.print("Simon stage 1: no look (participants target, or not reached by the cut-off)")
    if result.safety_looks:
        last = result.safety_looks[-1]
        verdict = "stop: Part B registration closed" if last.stopped else "go on"
        console.print(f"Safety monitoring: {len(result.safety_looks)} looks; last ({last.look_date}): "
                      f"{last.events} severe toxicity among the first {last.n} treated "
                      f"(stop if >= {last.stop_at}; P(rate > threshold) {last.posterior:.3f}) -> {verdict}")
    elif result.rp2d:
        console.print("Safety monitoring: no look (participants target, or not reached by the cut-off)")
    console.print(f"R0 resections: {s['r0_resections']}; deaths: {s['deaths']}")
    console.print(f"Data cut-off: {result.cutoff}")
    console.print(f"Written: {out}")


def simulate(
    seed: Annotated[int, typer.Option("--seed", help="Random seed (a whole number >= 0).",
                                      show_default=False)],
    out: Annotated[Path, typer.Option("--out", help="Where to write the TrialData JSON.",
                                      show_default=False)],
    scenario: Annotated[str, typer.Option("--scenario", help="A shipped scenario name "
                                          "(default, toxic, ineffective) or a YAML file.")] = "default",
    participants: Annotated[int | None, typer.Option(
        "--participants",
        help="Register this many in total (Part B fills up; no Simon stop, no safety looks).",
        show_default=False)] = None,
    protocol_file: Annotated[Path | None, typer.Option(
        "--protocol", help="Protocol YAML; the seed protocol when omitted.",
        show_default=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Simulate a virtual trial from the protocol and a scenario; write its data as JSON."""
    from hipectrial.protocol import load_protocol, seed_protocol_path
    from hipectrial.simulate.scenario.world import load_scenario
    from hipectrial.simulate.trial.run import simulate_trial

    loaded_scenario = load_scenario(scenario)
    protocol = load_protocol(protocol_file if protocol_file is not None else seed_protocol_path())
    with _progress(enabled=not as_json) as update:
        result = simulate_trial(protocol, loaded_scenario, seed, participants=participants,
                                progress=update)
    write_atomically(out, result.trial.to_json())
    if as_json:
        echo_json({**result.summary(), "file": str(out)})
        return
    _print_summary(result, out)


def register(app: typer.Typer) -> None:
    """Add the ``simulate`` command to ``app``."""
    app.command("simulate")(simulate)
