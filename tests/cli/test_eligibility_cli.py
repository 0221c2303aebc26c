"""``hipectrial eligibility --file screening.json``: verdicts, cohort, what is missing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from hipectrial.cli.eligibility import register
from hipectrial.cli.main import _Group
from hipectrial.errors import InputError, ProtocolError

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "screening.json"
SOX_MINI = Path(__file__).parent / "fixtures" / "sox-mini.yaml"
AS_OF = "2026-11-23"


def make_app(cls=None) -> typer.Typer:
    app = typer.Typer(cls=cls) if cls else typer.Typer()

    @app.callback()
    def _root() -> None:
        """Test root: keeps ``eligibility`` a subcommand."""

    register(app)
    return app


@pytest.fixture
def run():
    app, runner = make_app(), CliRunner()
    return lambda *args: runner.invoke(app, list(args))


@pytest.fixture
def record() -> dict[str, object]:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


@pytest.fixture
def write(tmp_path):
    def to_file(document: object, text: str | None = None) -> str:
        path = tmp_path / "screening.json"
        path.write_text(text if text is not None else json.dumps(document), encoding="utf-8")
        return str(path)

    return to_file


def test_the_shipped_example_is_eligible(run):
    result = run("eligibility", "--file", str(EXAMPLE), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Cohort: HER2-negative" in out
    assert "Verdict: ELIGIBLE" in out
    assert "I09  inclusion  met       ANC >= 1.5 x 10^9/L  [anc=3.80]" in out
    assert "E03  exclusion  absent    Systemic corticosteroids" in out
    assert "I17  inclusion  n/a       HER2-positive only: LVEF >= 50%" in out
    assert "crcl = 81.5 mL/min" in out  # (140 - 58) x 61.5 / (72 x 76 / 88.4) = 81.47


def test_json_output_carries_every_criterion(run):
    result = run("eligibility", "--file", str(EXAMPLE), "--as-of", AS_OF, "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["protocol"] == "HIPEC-PD1-SOX"
    assert document["status"] == "eligible"
    assert document["as_of"] == AS_OF
    assert document["cohort"]["cohort"] == "HER2-negative"
    i09 = next(c for c in document["criteria"] if c["id"] == "I09")
    assert i09["status"] == "met"
    assert i09["values"] == {"anc": 3.8}
    assert len(document["criteria"]) == 31


def test_missing_values_are_listed_with_their_labels(run, write, record):
    record["anc"] = None
    del record["platelets"]
    result = run("eligibility", "--file", write(record), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert "Verdict: INCOMPLETE" in result.stdout
    assert "anc (Absolute neutrophil count) - needed by I09" in result.stdout
    assert "platelets (Platelets) - needed by I10" in result.stdout


def test_her2_2plus_without_ish_shows_the_cohort_unknown(run, write, record):
    record["her2_ihc"] = "ihc2plus"
    result = run("eligibility", "--file", write(record), "--as-of", AS_OF, "--json")
    document = json.loads(result.stdout)
    assert document["status"] == "incomplete"
    assert document["cohort"]["cohort"] is None
    assert [m["variable"] for m in document["missing"]] == ["her2_ish_ratio", "lvef"]


def test_an_exclusion_present_is_shown_and_fails(run, write, record):
    record["prior_checkpoint_inhibitor"] = True
    result = run("eligibility", "--file", write(record), "--as-of", AS_OF)
    assert "E01  exclusion  PRESENT" in result.stdout
    assert "Verdict: INELIGIBLE" in result.stdout
    assert "Not met (inclusion false or exclusion present): E01" in result.stdout


def test_another_protocol_file_can_be_given(run, write):
    # sox-mini: age is a recorded field, HER2 IHC an int, LVEF >= 50 % for HER2-positive only
    path = write({"age": 40, "her2_ihc": 3, "lvef_pct": 45})
    result = run("eligibility", "--file", path, "--as-of", AS_OF, "--protocol", str(SOX_MINI), "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["protocol"] == "SOX-MINI"
    assert document["cohort"]["cohort"] == "HER2-positive"
    assert document["status"] == "ineligible"
    assert document["failed"] == ["I02"]


def test_an_unreadable_protocol_file_is_a_protocol_error(run):
    result = run("eligibility", "--file", str(EXAMPLE), "--as-of", AS_OF, "--protocol", "no/such.yaml")
    assert isinstance(result.exception, ProtocolError)


@pytest.mark.parametrize(
    ("change", "field", "phrase"),
    [
        ({"anc": "3.8"}, "anc", "a JSON number in 10^9/L"),
        ({"ecog": 1}, "ecog", 'write it in quotes: "1"'),
        ({"consent_date": "16/11/2026"}, "consent_date", "a date written YYYY-MM-DD"),
        ({"consent_date": "2026-11-24"}, "consent_date", "on or before 2026-11-23"),
        ({"age": 58}, "age", "derived, not entered"),
        ({"neutrophils": 3.8}, "neutrophils", "a variable the protocol declares"),
        ({"platelets": 246000}, "platelets", "a number in [0, 3000] 10^9/L"),
    ],
)
def test_bad_values_name_the_field(run, write, record, change, field, phrase):
    result = run("eligibility", "--file", write({**record, **change}), "--as-of", AS_OF)
    assert isinstance(result.exception, InputError)
    assert result.exception.field == field
    assert phrase in str(result.exception)


@pytest.mark.parametrize(
    ("text", "field", "phrase"),
    [
        ('{"anc": 3.8,}', "file", "valid JSON"),
        ('{"anc": 3.8, "anc": 3.9}', "anc", "the key appears twice"),
        ('[1, 2]', "screening record", "a JSON object"),
    ],
)
def test_malformed_files_are_refused(run, write, text, field, phrase):
    result = run("eligibility", "--file", write(None, text), "--as-of", AS_OF)
    assert isinstance(result.exception, InputError)
    assert result.exception.field == field
    assert phrase in str(result.exception)


def test_a_missing_file_is_refused(run, tmp_path):
    result = run("eligibility", "--file", str(tmp_path / "none.json"), "--as-of", AS_OF)
    assert isinstance(result.exception, InputError)
    assert result.exception.field == "file"


def test_a_bad_as_of_is_refused(run):
    result = run("eligibility", "--file", str(EXAMPLE), "--as-of", "2026-11-31")
    assert isinstance(result.exception, InputError)
    assert result.exception.field == "as_of"


def test_under_the_root_group_an_input_error_exits_2_with_its_message(write, record):
    app = make_app(_Group)
    result = CliRunner().invoke(app, ["eligibility", "--file", write({**record, "ecog": 1}), "--as-of", AS_OF])
    assert result.exit_code == 2
    assert "error: ecog must be a code written as text; got 1" in result.stderr
