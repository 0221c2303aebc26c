"""The front door stays light: building the CLI, and running a bedside command, imports none
of the heavy libraries (pandas, matplotlib, SciPy, statsmodels). Not timed — the figures are
``benchmarks/startup.py``; this test keeps an eager import from creeping back in.

Each case runs in a fresh interpreter, since this test process has imported everything.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("pandas", "matplotlib", "scipy", "statsmodels")
SCREENING = Path(__file__).parents[2] / "examples" / "screening.json"

# Run `hipectrial ARGS` as the console script does, then print which heavy modules were loaded
# (after the command's own SystemExit) and the exit code.
_RUN = """
import json, sys
from hipectrial.cli.main import main
watched = json.loads(sys.argv[2])
sys.argv = ["hipectrial", *json.loads(sys.argv[1])]
code = 0
try:
    main()
except SystemExit as exc:
    code = exc.code or 0
heavy = sorted(m for m in watched if m in sys.modules)
print(json.dumps({"code": code, "heavy": heavy}), file=sys.stderr)
"""


def _loaded(args: list[str], modules: tuple[str, ...] = HEAVY) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", _RUN, json.dumps(args), json.dumps(modules)],
                          capture_output=True, text=True, check=False)
    result: dict[str, object] = json.loads(done.stderr.strip().splitlines()[-1])
    return result


def test_importing_the_cli_imports_no_heavy_library_nor_the_protocol():
    modules = (*HEAVY, "numpy", "pydantic", "cel", "hipectrial.protocol", "importlib.metadata")
    code = f"import json, sys, hipectrial.cli.main\nprint(json.dumps(sorted(set({modules!r}) & set(sys.modules))))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []


@pytest.mark.parametrize(
    "args",
    [
        ["--version"],
        ["--help"],
        ["calc", "--help"],
        ["calc", "bsa", "--height-cm", "170", "--weight-kg", "65"],
        ["calc", "bsa", "--height-cm", "170", "--weight-kg", "65", "--json"],
        ["calc", "crcl", "--age", "60", "--sex", "male", "--weight-kg", "65", "--creatinine", "80",
         "--unit", "umol/L"],
        ["calc", "dose", "--cohort", "HER2-negative", "--dose-level", "1", "--height-cm", "170",
         "--weight-kg", "65", "--creatinine", "80", "--unit", "umol/L", "--age", "60", "--sex", "male"],
        ["calc", "ctcae", "--test", "anc", "--value", "0.8", "--unit", "10^9/L"],
        ["calc", "pci", "--regions", "0,1,2,3,0,1,2,3,0,1,2,3,0"],
        ["eligibility", "--file", str(SCREENING), "--as-of", "2026-11-20"],
        ["design", "boin", "boundaries", "--target", "0.3"],
    ],
)
def test_a_bedside_command_imports_no_heavy_library(args):
    assert _loaded(args) == {"code": 0, "heavy": []}


def test_the_boin_boundaries_import_neither_numpy_nor_the_simulator():
    loaded = _loaded(["design", "boin", "boundaries", "--target", "0.25", "--json"],
                     ("numpy", "hipectrial.design.boin_sim"))
    assert loaded == {"code": 0, "heavy": []}


def test_a_command_that_needs_a_heavy_library_still_gets_it():
    # The check above would pass vacuously if the subprocess never reached the command.
    loaded = _loaded(["design", "simon", "--p0", "0.2", "--p1", "0.4", "--alpha", "0.05", "--power", "0.8",
                      "--nmax", "60", "--json"])
    assert loaded == {"code": 0, "heavy": ["scipy"]}
