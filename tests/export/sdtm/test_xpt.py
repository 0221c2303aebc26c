"""XPT v5 writing: read back with pyreadstat, refusals before anything is written.

Limits from SAS TS-140 / the FDA Study Data Technical Conformance Guide: names <= 8
characters, labels <= 40, character values <= 200 bytes, ASCII.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace

import pyreadstat
import pytest

from hipectrial.errors import InputError
from hipectrial.export.sdtm.model import Core, Dataset, Origin, Variable, VarType
from hipectrial.export.sdtm.xpt import read_xpt, write_xpt

CREATED = dt.datetime(2031, 2, 6, 9, 30, tzinfo=dt.UTC)


def _tiny(rows, *, name="XX", label="Tiny dataset", variables=None):
    variables = variables or (
        Variable("USUBJID", "Unique Subject Identifier", VarType.CHAR, Core.REQ, "Identifier",
                 Origin.DERIVED, derivation="x"),
        Variable("XXVAL", "A number", VarType.NUM, Core.PERM, "Result Qualifier", Origin.COLLECTED),
    )
    return Dataset(domain=name, label=label, observation_class="FINDINGS", structure="x",
                   keys=("USUBJID",), variables=variables, rows=tuple(rows))


def test_every_simulated_dataset_reads_back_equal(simulated_datasets, tmp_path):
    for dataset in simulated_datasets:
        path = tmp_path / f"{dataset.domain.lower()}.xpt"
        write_xpt(dataset, path, created=CREATED)
        frame, meta = pyreadstat.read_xport(str(path))
        assert meta.table_name == dataset.domain
        assert meta.file_label == dataset.label
        assert meta.column_labels == [v.label for v in dataset.variables]
        assert list(frame.columns) == [v.name for v in dataset.variables]
        assert read_xpt(path)[3] == dataset.rows, dataset.domain


def test_the_file_is_sas_transport_version_5(tmp_path):
    path = tmp_path / "xx.xpt"
    write_xpt(_tiny([("A", 1.5)]), path, created=CREATED)
    head = path.read_bytes()[:240]
    # TS-140: the first real header names SAS 6.06 (v8 files say "SAS     SAS     SASLIB  9.1"...)
    assert head.startswith(b"HEADER RECORD*******LIBRARY HEADER RECORD!!!!!!!")
    assert head[80:112] == b"SAS     SAS     SASLIB  6.06    "
    assert head[144:160] == b"06FEB31:09:30:00"


def test_character_width_is_the_longest_value(tmp_path):
    path = tmp_path / "xx.xpt"
    write_xpt(_tiny([("ABC", 1), ("ABCDEFG", 2)]), path, created=CREATED)
    _, meta = pyreadstat.read_xport(str(path))
    assert meta.variable_storage_width["USUBJID"] == 7


def test_the_same_data_give_the_same_bytes(tmp_path):
    write_xpt(_tiny([("A", 1)]), tmp_path / "a.xpt", created=CREATED)
    write_xpt(_tiny([("A", 1)]), tmp_path / "b.xpt", created=CREATED)
    assert (tmp_path / "a.xpt").read_bytes() == (tmp_path / "b.xpt").read_bytes()


def test_missing_values_read_back_missing(tmp_path):
    path = tmp_path / "xx.xpt"
    write_xpt(_tiny([("A", None), (None, 2.25)]), path, created=CREATED)
    assert read_xpt(path)[3] == (("A", None), (None, 2.25))


def _refused(dataset, tmp_path):
    path = tmp_path / "bad.xpt"
    with pytest.raises(InputError) as caught:
        write_xpt(dataset, path, created=CREATED)
    assert not path.exists()
    return caught.value


def test_refuses_a_value_longer_than_200_bytes(tmp_path):
    error = _refused(_tiny([("A", 1), ("B" * 201, 2)]), tmp_path)
    assert error.field == "XX.USUBJID"
    assert "row 2" in str(error)
    assert "200 bytes" in str(error)


def test_accepts_a_value_of_exactly_200_bytes(tmp_path):
    write_xpt(_tiny([("B" * 200, 1)]), tmp_path / "ok.xpt", created=CREATED)
    assert read_xpt(tmp_path / "ok.xpt")[3][0][0] == "B" * 200


def test_refuses_chinese_text_instead_of_mangling_it(tmp_path):
    error = _refused(_tiny([("受试者", 1)]), tmp_path)
    assert error.field == "XX.USUBJID"
    assert error.value == "受试者"
    assert "ASCII" in str(error)


def test_refuses_a_variable_name_longer_than_8_characters(tmp_path):
    variables = (Variable("USUBJIDXX", "Unique Subject Identifier", VarType.CHAR, Core.REQ,
                          "Identifier", Origin.ASSIGNED),)
    error = _refused(_tiny([("A",)], variables=variables), tmp_path)
    assert error.field == "XX.USUBJIDXX"


def test_refuses_a_variable_label_longer_than_40_characters(tmp_path):
    variables = (Variable("USUBJID", "L" * 41, VarType.CHAR, Core.REQ, "Identifier", Origin.ASSIGNED),)
    error = _refused(_tiny([("A",)], variables=variables), tmp_path)
    assert error.field == "XX.USUBJID"
    assert "40 characters" in str(error)


def test_refuses_a_dataset_label_longer_than_40_characters(tmp_path):
    error = _refused(_tiny([("A", 1)], label="D" * 41), tmp_path)
    assert error.field == "XX.(label)"


def test_refuses_a_dataset_name_longer_than_8_characters(tmp_path):
    error = _refused(_tiny([("A", 1)], name="SUPPLONGX"), tmp_path)
    assert error.field == "SUPPLONGX"


@pytest.mark.parametrize("bad", [math.nan, math.inf, "12", True])
def test_refuses_a_numeric_value_that_is_not_a_finite_number(tmp_path, bad):
    error = _refused(_tiny([("A", bad)]), tmp_path)
    assert error.field == "XX.XXVAL"


def test_says_how_many_more_problems_there_are(tmp_path):
    error = _refused(_tiny([("é", 1), ("ü", math.nan)]), tmp_path)
    assert "and 2 more problem(s)" in str(error)


def test_a_chinese_change_reason_refuses_the_exposure_dataset(hand_trial, protocol, tmp_path):
    from hipectrial.export.sdtm import study_context
    from hipectrial.export.sdtm.exposure import build

    doses = list(hand_trial.doses)
    doses[5] = replace(doses[5], change_reason="中性粒细胞减少3级，减量")
    trial = replace(hand_trial, doses=tuple(doses))
    ex, _ = build(trial=trial, protocol=protocol, study=study_context(trial, protocol))
    error = _refused(ex, tmp_path)
    assert error.field == "EX.EXADJ"
    assert "row 5" in str(error)
