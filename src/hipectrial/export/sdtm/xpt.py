"""Writing and reading SAS XPORT version 5 files (one dataset per file) through pyreadstat.

:func:`write_xpt` refuses, before anything is written, what XPT v5 cannot hold
(:mod:`.limits`), then writes with ``file_format_version=5`` (pyreadstat's default is 8),
the dataset name as the member name, its label as the file label and the variables'
labels. Character widths are the longest value of each variable (pyreadstat's rule; at
least 1), numbers 8-byte IBM floats. The header's creation and modification times are set
to ``created`` (e.g. ``TrialData.generated_at``) so that the same data give the same bytes.

References
----------
SAS Institute TS-140 (XPORT v5 record layout: the library and member header records carry
``ddMMMyy:hh:mm:ss`` time stamps at fixed positions).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING

from hipectrial.errors import InputError
from hipectrial.export.sdtm.limits import require_xpt_limits
from hipectrial.export.sdtm.model import Dataset, Value, VarType
from hipectrial.export.sdtm.xpt_records import packable, records

if TYPE_CHECKING:
    import pandas as pd

# Byte offsets of the four 16-byte time stamps in an XPT v5 file: library header
# (created, modified) and member header (created, modified); 80-byte records.
_STAMPS = (144, 160, 464, 480)
_STAMP = re.compile(rb"\d\d[A-Z]{3}\d\d:\d\d:\d\d:\d\d")
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


def xpt_stamp(when: dt.datetime) -> bytes:
    """The XPT time stamp of ``when`` (``ddMMMyy:hh:mm:ss``, English month).

    >>> xpt_stamp(dt.datetime(2031, 2, 6, 9, 5, 0))
    b'06FEB31:09:05:00'
    """
    return (f"{when.day:02d}{_MONTHS[when.month - 1]}{when.year % 100:02d}:"
            f"{when.hour:02d}:{when.minute:02d}:{when.second:02d}").encode("ascii")


def write_xpt(dataset: Dataset, path: Path, *, created: dt.datetime, checked: bool = False) -> None:
    """Write ``dataset`` to ``path`` as an XPT v5 file; ``checked=True`` says the caller has
    already run :func:`~hipectrial.export.sdtm.limits.require_xpt_limits` on it (a folder's
    writer checks every dataset before writing the first), so it is not run twice.

    Raises
    ------
    InputError
        (field ``<dataset>.<variable>``) for a name, label or value XPT v5 cannot hold
        (:func:`hipectrial.export.sdtm.limits.require_xpt_limits`); nothing is written.
    """
    if not checked:
        require_xpt_limits(dataset)
    cells = list(zip(*dataset.rows, strict=True)) or [()] * len(dataset.variables)
    numbers = [c for v, c in zip(dataset.variables, cells, strict=True) if v.type is VarType.NUM]
    texts = [c for v, c in zip(dataset.variables, cells, strict=True) if v.type is VarType.CHAR]
    if dataset.rows and packable(numbers, texts):
        # pyreadstat writes the headers from one row of each column's widest value (which
        # fixes the widths); the records are packed a column at a time (.xpt_records).
        widest = [max(c, key=_length) if v.type is VarType.CHAR else None
                  for v, c in zip(dataset.variables, cells, strict=True)]
        _write_frame(dataset, path, [(value,) for value in widest])
        header = path.read_bytes()
        end = _obs_header_end(header, path)
        widths = [None if v.type is VarType.NUM else max(1, *map(_length, c))
                  for v, c in zip(dataset.variables, cells, strict=True)]
        path.write_bytes(header[:end] + records(cells, widths))
    else:
        _write_frame(dataset, path, cells)
    _set_stamps(path, xpt_stamp(created))


def _write_frame(dataset: Dataset, path: Path, cells: list[tuple[Value, ...]]) -> None:
    """pyreadstat's XPT v5 file of these columns (``cells``: one tuple per variable)."""
    import pandas as pd
    import pyreadstat

    columns: dict[str, pd.Series] = {}
    for variable, values in zip(dataset.variables, cells, strict=True):
        if variable.type is VarType.NUM:
            columns[variable.name] = pd.Series([float("nan") if v is None else float(v) for v in values],
                                               dtype="float64")
        else:
            columns[variable.name] = pd.Series(["" if v is None else v for v in values], dtype=object)
    frame = pd.DataFrame(columns, columns=[v.name for v in dataset.variables])
    pyreadstat.write_xport(frame, str(path), file_label=dataset.label,
                           column_labels=[v.label for v in dataset.variables],
                           table_name=dataset.domain, file_format_version=5)


def _length(value: Value) -> int:
    return 0 if value is None else len(str(value))


_OBS_HEADER = b"HEADER RECORD*******OBS     HEADER RECORD!!!!!!!"


def _obs_header_end(data: bytes, path: Path) -> int:
    """The offset just past the observation header record (TS-140), where records start."""
    at = data.find(_OBS_HEADER)
    if at < 0 or at % 80:
        raise InputError("xpt", str(path), "an XPT v5 file with an observation header record (TS-140)")
    return at + 80


def _set_stamps(path: Path, stamp: bytes) -> None:
    with path.open("r+b") as stream:
        for offset in _STAMPS:
            stream.seek(offset)
            if not _STAMP.fullmatch(stream.read(16)):
                raise InputError("xpt", str(path), "an XPT v5 header with time stamps at the "
                                 "positions TS-140 gives", f"offset {offset}")
            stream.seek(offset)
            stream.write(stamp)


XptContent = tuple[str, str, tuple[tuple[str, str, VarType], ...], tuple[tuple[Value, ...], ...]]


def read_xpt(path: Path) -> XptContent:
    """The member name, file label, variables (name, label, type) and rows of an XPT file;
    empty character values and missing numbers are ``None``, whole numbers ``int``.

    Raises
    ------
    InputError
        (field ``xpt``) when the file cannot be read as SAS XPORT.
    """
    import pyreadstat

    try:
        frame, meta = pyreadstat.read_xport(str(path))
    except (pyreadstat.ReadstatError, pyreadstat.PyreadstatError, OSError, ValueError) as exc:
        raise InputError("xpt", str(path), "a SAS XPORT file", str(exc)) from None
    names = list(frame.columns)
    labels = list(meta.column_labels or [""] * len(names))
    types = meta.readstat_variable_types
    variables = tuple((name, label or "", VarType.CHAR if types[name] == "string" else VarType.NUM)
                      for name, label in zip(names, labels, strict=True))
    columns = [_column(kind, frame.iloc[:, at]) for at, (_, _, kind) in enumerate(variables)]
    rows = tuple(zip(*columns, strict=True)) if columns else ()
    return str(meta.table_name or ""), str(meta.file_label or ""), variables, rows


def _column(kind: VarType, series: pd.Series) -> list[Value]:
    """One column's values as :func:`_cell` gives them, converted a column at a time (a
    1,000-participant trial's folder has ~10 M cells); :func:`_cell` per cell for a column
    of unexpected dtype."""
    import numpy as np

    if kind is VarType.NUM and series.dtype.kind == "f":
        numbers = series.to_numpy(dtype="float64")
        missing = np.isnan(numbers).tolist()
        whole = (np.isfinite(numbers) & (numbers == np.floor(numbers))).tolist()
        return [None if gap else int(x) if integral else x
                for x, gap, integral in zip(numbers.tolist(), missing, whole, strict=True)]
    if kind is VarType.CHAR and series.dtype == object:
        return [None if v is None or v == "" else v if type(v) is str else str(v) for v in series.tolist()]
    return [_cell(kind, value) for value in series.tolist()]


def _cell(kind: VarType, value: object) -> Value:
    if kind is VarType.CHAR:
        return None if value is None or value == "" else str(value)
    if value is None or value != value:  # NaN: a missing number
        return None
    number = float(str(value)) if not isinstance(value, int | float) else float(value)
    return int(number) if number.is_integer() else number
