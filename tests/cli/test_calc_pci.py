"""``hipectrial pci``: the total and each region by name (clinical.md §5.1)."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from hipectrial.cli.calc_pci import register
from hipectrial.errors import InputError


@pytest.fixture
def run():
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """Test root: keeps ``pci`` a subcommand."""

    register(app)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args))


def test_prints_the_total_and_each_region_by_name(run):
    result = run("pci", "--regions", "0,1,2,3,0,0,0,0,0,0,0,0,1")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "PCI 7 (of 39)"
    assert len(lines) == 14
    assert lines[4].split() == ["3", "left", "upper", "3"]
    assert lines[13].split() == ["12", "lower", "ileum", "1"]


def test_spaces_around_the_scores_are_allowed(run):
    result = run("pci", "--regions", " 3, 3,3,3,3,3,3,3,3,3,3,3,3 ")
    assert result.stdout.splitlines()[0] == "PCI 39 (of 39)"


def test_json_output(run):
    result = run("pci", "--regions", ",".join(["0"] * 12 + ["2"]), "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["total"] == 2
    assert document["max"] == 39
    assert document["regions"][0] == {"region": 0, "name": "central", "score": 0}
    assert document["regions"][12] == {"region": 12, "name": "lower ileum", "score": 2}


def test_twelve_scores_name_the_missing_region(run):
    result = run("pci", "--regions", ",".join(["0"] * 12))
    assert isinstance(result.exception, InputError)
    assert result.exception.field == "pci_r12"
    assert "lower ileum" in str(result.exception)


@pytest.mark.parametrize(
    ("regions", "field", "phrase"),
    [
        ("0,0,0,4,0,0,0,0,0,0,0,0,0", "pci_r3", "a lesion-size score 0-3 for region 3 (left upper)"),
        ("0,0,x,0,0,0,0,0,0,0,0,0,0", "pci_r2", "region 2 (epigastrium)"),
        ("0,0,1.0,0,0,0,0,0,0,0,0,0,0", "pci_r2", "whole numbers"),
        ("0,0,-1,0,0,0,0,0,0,0,0,0,0", "pci_r2", "region 2"),
        ("0,,0,0,0,0,0,0,0,0,0,0,0", "pci_r1", "region 1 (right upper)"),
        (",".join(["0"] * 14), "regions", "14 were given"),
    ],
)
def test_bad_scores_are_refused_naming_the_region(run, regions, field, phrase):
    result = run("pci", "--regions", regions)
    assert isinstance(result.exception, InputError)
    assert result.exception.field == field
    assert phrase in str(result.exception)


def test_regions_are_required(run):
    result = run("pci")
    assert result.exit_code == 2
    assert "--regions" in result.output
