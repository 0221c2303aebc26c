"""``recist --file assessments.json [--json]``, registered on a bare Typer app as the lead will on `calc`.

The example file is worked by hand: baseline 24 + 18 + 17 = 59 mm; 2025-03-14: 15 + 10 + 11 =
36 mm, -23 mm = -38.98 % (shown -38.9 %), PR; 2025-04-01: 12 + 5 (too small) + 9 = 26 mm,
-55.9 % from baseline, -27.7 % from the nadir 36: PR; the two PRs are 18 days apart, so not
confirmed; surgery 2025-04-18 excludes the 2025-07-11 scan; day 67 >= 35: BOR SD.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner, Result

from hipectrial.cli.calc_recist import register
from hipectrial.errors import InputError

EXAMPLE = Path(__file__).parents[2] / "examples" / "recist-assessments.json"


def make_app(cls: Any = None) -> typer.Typer:
    app = typer.Typer(cls=cls) if cls else typer.Typer()

    @app.callback()
    def _calc() -> None:
        """calc"""

    register(app)
    return app


def run(*args: str, app: typer.Typer | None = None) -> Result:
    return CliRunner().invoke(app or make_app(), ["recist", *args], env={"COLUMNS": None})


def example() -> dict[str, Any]:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def write(tmp_path: Path, document: object) -> str:
    path = tmp_path / "assessments.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document), encoding="utf-8")
    return str(path)


def error_of(result: Result) -> InputError:
    assert isinstance(result.exception, InputError), (result.exception, result.output)
    return result.exception


class TestExample:
    def test_text_shows_each_assessment_and_the_bor_with_its_working(self) -> None:
        result = run("--file", str(EXAMPLE))
        assert result.exit_code == 0, result.output
        out = result.stdout
        assert "baseline sum of diameters = T1 24 mm + T2 18 mm + T3 17 mm = 59 mm" in out
        assert "2025-03-14   36       -23 mm (-38.9 %)" in out
        assert "-10 mm (-27.7 %)" in out
        assert "T2 (omentum): too small to measure: 5 mm" in out
        assert "Excluded (after the cut-off): 2025-07-11" in out
        assert "Best overall response: SD (2025-03-14)" in out
        assert "not confirmed: no CR or PR >= 28 days later" in out

    def test_json(self) -> None:
        result = run("--file", str(EXAMPLE), "--json")
        assert result.exit_code == 0, result.output
        doc = json.loads(result.stdout)
        assert doc["baseline"]["sum_of_diameters_mm"] == 59
        assert doc["baseline"]["measurable_disease"] is True
        first, second = doc["assessments"]
        assert (first["sum_of_diameters_mm"], first["change_from_baseline_pct"]) == (36, -38.9)
        assert (second["nadir_sum_mm"], second["change_from_nadir_pct"]) == (36, -27.7)
        assert [a["overall_response"] for a in doc["assessments"]] == ["PR", "PR"]
        assert doc["excluded"] == ["2025-07-11"]
        bor = doc["best_overall_response"]
        assert (bor["response"], bor["date"], bor["confirmation_date"]) == ("SD", "2025-03-14", None)
        assert bor["objective_response"] is False
        assert bor["disease_control"] is True
        assert bor["steps"][-1] == "best overall response: SD (2025-03-14)"

    def test_confirmed_pr_without_surgery(self, tmp_path: Path) -> None:
        doc = example()
        del doc["cutoff_date"]
        later = json.loads(json.dumps(doc["assessments"][1]))
        later["date"] = "2025-04-29"  # 46 days after the first PR
        doc["assessments"][2] = later
        result = run("--file", write(tmp_path, doc), "--json")
        assert result.exit_code == 0, result.output
        bor = json.loads(result.stdout)["best_overall_response"]
        assert (bor["response"], bor["date"], bor["confirmation_date"]) == ("PR", "2025-03-14", "2025-04-29")


class TestRootErrorHandling:
    def test_input_error_exits_2_with_the_message_and_no_traceback(self, tmp_path: Path) -> None:
        from hipectrial.cli.main import _Group

        doc = example()
        doc["baseline"]["lesions"][0]["longest_diameter_mm"] = -3.0
        result = run("--file", write(tmp_path, doc), app=make_app(_Group))
        assert result.exit_code == 2
        assert result.stdout == ""
        assert ("error: baseline.lesions[0].longest_diameter_mm must be a number in [0, 1000]; got -3.0"
                in result.stderr)
        assert "Traceback" not in result.output


def edited(tmp_path: Path, edit: Any) -> str:
    doc = example()
    edit(doc)
    return write(tmp_path, doc)


def set_in(path: list[Any], value: Any) -> Any:
    def edit(doc: Any) -> None:
        node = doc
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return edit


def drop(path: list[Any]) -> Any:
    def edit(doc: Any) -> None:
        node = doc
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]
    return edit


class TestBadInput:
    @pytest.mark.parametrize(("edit", "field", "phrase"), [
        (drop(["reference_date"]), "reference_date", "must be given; got nothing"),
        (set_in(["confirmation_days"], "28"), "confirmation_days", "a whole number; got '28'"),
        (set_in(["confirmation_days"], 28.5), "confirmation_days", "a whole number"),
        (set_in(["confirmation_days"], 0), "confirmation_days", "a whole number in [1, 366]"),
        (set_in(["sd_minimum_days"], -7), "sd_minimum_days", "a whole number in [0, 366]"),
        (set_in(["reference_date"], "2025-13-06"), "reference_date", "a date (YYYY-MM-DD)"),
        (set_in(["cutoff_date"], "next week"), "cutoff_date", "a date (YYYY-MM-DD)"),
        (set_in(["colour"], "red"), "colour", "must be absent"),
        (set_in(["baseline", "lesions"], {}), "baseline.lesions", "a list"),
        (set_in(["baseline", "lesions", 0, "size"], 12), "baseline.lesions[0].size", "must be absent"),
        (drop(["baseline", "lesions", 1, "organ"]), "baseline.lesions[1].organ", "must be given"),
        (set_in(["baseline", "lesions", 0, "longest_diameter_mm"], -3.0),
         "baseline.lesions[0].longest_diameter_mm", "a number in [0, 1000]; got -3.0"),
        (set_in(["baseline", "lesions", 0, "longest_diameter_mm"], "24"),
         "baseline.lesions[0].longest_diameter_mm", "a number in [0, 1000]; got '24'"),
        (set_in(["baseline", "lesions", 2, "kind"], "lymph"), "baseline.lesions[2].kind", "one of solid, node"),
        (set_in(["baseline", "lesions", 0, "role"], "index"), "baseline.lesions[0].role",
         "one of target, non_target"),
        (set_in(["baseline", "method"], "ultrasound"), "baseline.method", "one of ct, mri"),
        (set_in(["baseline", "slice_thickness_mm"], 0), "baseline.slice_thickness_mm", "a number in (0, 20]"),
        (set_in(["assessments", 0, "targets", 1, "status"], "gone"), "assessments[0].targets[1].status",
         "one of measured, too_small"),
        (set_in(["assessments", 0, "targets", 0, "lesion_id"], "T9"), "assessments[0].targets[0].lesion_id",
         "one of the baseline target lesions (T1, T2, T3)"),
        (set_in(["assessments", 0, "targets", 2, "longest_diameter_mm"], 11),
         "assessments[0].targets[2].short_axis_mm", "absent when longest_diameter_mm is given"),
        (drop(["assessments", 0, "non_targets", 1]), "assessments[0].non_targets",
         "an entry for every baseline non-target lesion"),
        (set_in(["assessments", 0, "non_targets", 0, "status"], "stable"), "assessments[0].non_targets[0].status",
         "one of present, disappeared"),
        (set_in(["assessments", 0, "tumour_markers_normal"], "yes"), "assessments[0].tumour_markers_normal",
         "true, false or absent"),
        (set_in(["assessments", 0, "new_lesions"], [""]), "assessments[0].new_lesions[0]", "a non-empty text"),
        (set_in(["assessments", 1, "date"], "2025-03-14"), "assessments[1].date", "a date no other assessment has"),
        (set_in(["assessments", 0, "date"], "2025-01-05"), "assessments[0].date", "after the reference date"),
    ])
    def test_names_the_field(self, tmp_path: Path, edit: Any, field: str, phrase: str) -> None:
        error = error_of(run("--file", edited(tmp_path, edit)))
        assert error.field == field
        assert phrase in str(error)

    def test_baseline_problems_are_listed_together(self, tmp_path: Path) -> None:
        def edit(doc: Any) -> None:
            lesions = doc["baseline"]["lesions"]
            lesions[1]["longest_diameter_mm"] = 9
            lesions[2]["short_axis_mm"] = 14
        error = error_of(run("--file", edited(tmp_path, edit)))
        assert error.field == "baseline.lesions"
        assert error.value == ("T2", "T3")
        message = str(error)
        assert "baseline.lesions[1].longest_diameter_mm: T2 (omentum): longest diameter 9 mm < 10 mm" in message
        assert "baseline.lesions[2].short_axis_mm: T3 (lymph node): short axis 14 mm" in message

    def test_missing_file(self, tmp_path: Path) -> None:
        error = error_of(run("--file", str(tmp_path / "none.json")))
        assert error.field == "--file"
        assert "a readable UTF-8 JSON file" in str(error)

    def test_invalid_json_says_where(self, tmp_path: Path) -> None:
        error = error_of(run("--file", write(tmp_path, '{"reference_date": "2025-01-06",\n  oops}')))
        assert error.field == "--file"
        assert "valid JSON" in str(error)
        assert "line 2, column 3" in str(error)

    def test_duplicate_key(self, tmp_path: Path) -> None:
        text = EXAMPLE.read_text(encoding="utf-8").replace('"sd_minimum_days": 35,',
                                                          '"sd_minimum_days": 35, "sd_minimum_days": 42,')
        error = error_of(run("--file", write(tmp_path, text)))
        assert error.field == "sd_minimum_days"
        assert "given once in its object" in str(error)

    def test_top_level_must_be_an_object(self, tmp_path: Path) -> None:
        error = error_of(run("--file", write(tmp_path, "[]")))
        assert error.field == "--file"
        assert "an object" in str(error)

    def test_file_option_is_required(self) -> None:
        result = run()
        assert result.exit_code == 2
        assert "--file" in result.output


def test_confirmation_and_sd_minimum_default_to_the_protocol(tmp_path: Path) -> None:
    # The seed protocol's response_assessment: confirmation >= 28 days, SD >= 35 days
    # (protocol-decisions.md, Endpoints).
    document = example()
    del document["confirmation_days"]
    del document["sd_minimum_days"]
    result = run("--file", write(tmp_path, document), "--json")
    assert result.exit_code == 0, result.output
    settings = json.loads(result.stdout)["settings"]
    assert (settings["confirmation_days"], settings["sd_minimum_days"]) == (28, 35)


def test_file_settings_override_the_protocol(tmp_path: Path) -> None:
    document = example()
    document["confirmation_days"] = 14
    result = run("--file", write(tmp_path, document), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["settings"]["confirmation_days"] == 14
