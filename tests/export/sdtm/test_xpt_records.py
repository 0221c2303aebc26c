"""XPT v5 observation records packed a column at a time: IBM floats as TS-140 defines them,
and the very bytes pyreadstat writes when it writes every record itself."""

from __future__ import annotations

import datetime as dt

import pytest

from hipectrial.export.sdtm import xpt
from hipectrial.export.sdtm.model import Core, Dataset, Origin, Variable, VarType
from hipectrial.export.sdtm.xpt_records import ibm_floats, records

CREATED = dt.datetime(2031, 2, 6, 9, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(("value", "expected"), [
    (1.0, "4110000000000000"),       # 1/16 x 16**1
    (-118.625, "C276A00000000000"),  # the IBM hexadecimal floating-point example (0x76A = 118.625 x 16)
    (0.5, "4080000000000000"),
    (100.0, "4264000000000000"),     # 0x64 x 16**0 with exponent 66
    (0, "0000000000000000"),
    (None, "2E00000000000000"),      # SAS missing value "."
])
def test_packs_numbers_as_ibm_hexadecimal_floats(value, expected):
    assert ibm_floats([value]).hex().upper() == expected


def test_pads_text_with_blanks_and_records_to_80_bytes():
    packed = records([("AB", None, "C"), (1.0, None, 0)], [3, None])
    assert packed[:11] == b"AB " + bytes.fromhex("4110000000000000")
    assert packed[11:22] == b"   " + bytes.fromhex("2E00000000000000")
    assert len(packed) == 80
    assert packed[33:] == b" " * 47


def _mixed():
    variables = (
        Variable("USUBJID", "Unique Subject Identifier", VarType.CHAR, Core.REQ, "Identifier", Origin.ASSIGNED),
        Variable("XXORRES", "Result", VarType.CHAR, Core.PERM, "Result Qualifier", Origin.COLLECTED),
        Variable("XXSTRESN", "Numeric Result", VarType.NUM, Core.PERM, "Result Qualifier", Origin.COLLECTED),
        Variable("XXDY", "Study Day", VarType.NUM, Core.PERM, "Timing", Origin.COLLECTED),
    )
    rows = [("S-001", "12.5", 12.5, 1), ("S-002", None, None, -3), ("S-003", "", 0.1, None),
            ("S-004", "x" * 200, -1e-9, 123456789), ("S-005", "trailing  ", 3.14159265358979, 0)]
    return Dataset(domain="XX", label="Mixed", observation_class="FINDINGS", structure="x",
                   keys=("USUBJID",), variables=variables, rows=tuple(rows))


def test_a_packed_file_is_byte_for_byte_what_pyreadstat_writes(tmp_path, monkeypatch):
    packed = tmp_path / "packed.xpt"
    xpt.write_xpt(_mixed(), packed, created=CREATED)
    monkeypatch.setattr(xpt, "packable", lambda numbers, texts: False)  # pyreadstat writes every record
    reference = tmp_path / "reference.xpt"
    xpt.write_xpt(_mixed(), reference, created=CREATED)
    assert packed.read_bytes() == reference.read_bytes()
