"""``hipectrial export redcap`` and ``hipectrial import redcap``: files written whole (or not
at all), the same bytes every time, a record file read back or refused with its reasons."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

from export.redcap.small_trial import small_trial
from hipectrial.data import TrialData
from hipectrial.export.tables import canonical
from hipectrial.protocol import seed_protocol_path

from .conftest import Invoke

FILES = ["redcap_data_dictionary.csv", "redcap_arms.csv", "redcap_events.csv",
         "redcap_instrument_event_mapping.csv", "redcap_repeating_instruments_events.csv",
         "redcap_mlm_zh-Hans.json", "README.txt", "redcap_records.csv"]


def _data(tmp_path: Path) -> Path:
    path = tmp_path / "trial.json"
    path.write_text(small_trial().to_json(), encoding="utf-8")
    return path


def test_export_then_import_gives_the_trial_back(invoke: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "redcap"
    result = invoke("export", "redcap", "--data", str(_data(tmp_path)), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    assert "2 records (1 participants and the study record), 12 rows" in result.stdout
    assert (out / "redcap_records.csv").read_bytes().startswith(b"\xef\xbb\xbfrecord_id,redcap_event_name,")
    back = tmp_path / "back.json"
    result = invoke("import", "redcap", str(out / "redcap_records.csv"), "--out", str(back))
    assert result.exit_code == 0, result.output
    assert TrialData.from_json(back.read_text(encoding="utf-8")) == canonical(small_trial())


def test_the_same_trial_gives_the_same_bytes(invoke: Invoke, tmp_path: Path) -> None:
    data = _data(tmp_path)
    for name in ("one", "two"):
        assert invoke("export", "redcap", "--data", str(data), "--out", str(tmp_path / name)).exit_code == 0
    for name in FILES:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name


def test_json_output(invoke: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "redcap"
    result = invoke("export", "redcap", "--data", str(_data(tmp_path)), "--out", str(out), "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert [f["name"] for f in document["files"]] == FILES
    assert (document["records"], document["rows"], document["branching_refusals"]) == (2, 12, [])
    assert document["files"][-1]["bytes"] == (out / "redcap_records.csv").stat().st_size
    back = invoke("import", "redcap", str(out / "redcap_records.csv"), "--out", str(tmp_path / "b.json"), "--json")
    assert json.loads(back.stdout)["participants"] == 1


def test_a_malformed_record_file_is_refused_and_nothing_is_written(invoke: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "redcap"
    assert invoke("export", "redcap", "--data", str(_data(tmp_path)), "--out", str(out)).exit_code == 0
    records = out / "redcap_records.csv"
    records.write_text(records.read_text(encoding="utf-8-sig").replace(",female,", ",woman,"), encoding="utf-8")
    back = tmp_path / "back.json"
    result = invoke("import", "redcap", str(records), "--out", str(back))
    assert result.exit_code == 2
    assert "REDCap record file refused" in result.stderr
    assert "instrument rec_participants, variable par_sex: expected a code of " in result.stderr
    assert not back.exists()


def test_an_import_never_overwrites(invoke: Invoke, tmp_path: Path) -> None:
    back = tmp_path / "back.json"
    back.write_text("{}", encoding="utf-8")
    result = invoke("import", "redcap", str(tmp_path / "none.csv"), "--out", str(back))
    assert result.exit_code == 2
    assert "imports never overwrite files" in result.stderr
    assert back.read_text(encoding="utf-8") == "{}"


def _protocol_with_untranslatable_show_if(tmp_path: Path) -> Path:
    document = yaml.safe_load(seed_protocol_path().read_text(encoding="utf-8"))
    form = next(f for f in document["forms"] if f["id"] == "adverse_events")
    next(f for f in form["fields"] if f["id"] == "ae_steroids")["show_if"] = "size(ae_term) > 3"
    path = tmp_path / "protocol.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_an_untranslatable_show_if_is_a_warning_or_with_strict_a_refusal(invoke: Invoke, tmp_path: Path) -> None:
    data, protocol = _data(tmp_path), _protocol_with_untranslatable_show_if(tmp_path)
    result = invoke("export", "redcap", "--data", str(data), "--protocol", str(protocol), "--out",
                    str(tmp_path / "lenient"))
    assert result.exit_code == 0, result.output
    assert ("warning: form adverse_events, field ae_steroids: show_if 'size(ae_term) > 3' has no REDCap branching "
            "logic: call of size()") in result.stdout
    strict = tmp_path / "strict"
    result = invoke("export", "redcap", "--data", str(data), "--protocol", str(protocol), "--out", str(strict),
                    "--strict")
    assert result.exit_code == 2
    assert "call of size()" in result.stderr
    assert not strict.exists()


def test_export_redcap_help_imports_no_heavy_library() -> None:
    code = ("import sys\nfrom hipectrial.cli.main import main\nsys.argv = ['hipectrial', 'export', 'redcap', '--help']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('pandas', 'scipy', 'lxml', 'hipectrial.export.tables') if m in sys.modules),"
            " file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stderr.strip().splitlines()[-1] == "[]"
