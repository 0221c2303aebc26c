"""What a SAS XPORT version 5 file can hold, checked before writing (and by the conformance
check): nothing is truncated or re-encoded silently.

- dataset and variable names: at most 8 characters, a capital letter then capitals, digits
  or underscores;
- dataset and variable labels: at most 40 characters, ASCII, not empty;
- character values: ASCII only (Chinese text is refused, never mangled) and at most 200
  bytes; numeric values: finite numbers (``None`` is a missing value);
- every row has one value per variable, of the variable's type.

pyreadstat does not enforce these (it cuts labels beyond 40 characters, accepts 300-byte
values and writes non-ASCII text as UTF-8 bytes), hence this module.

References
----------
SAS Institute, TS-140 "The record layout of a data set in SAS transport (XPORT) format";
FDA Study Data Technical Conformance Guide §3.3.1 (XPT v5, variable names <= 8, labels
<= 40, values <= 200 bytes, ASCII).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

from hipectrial.errors import InputError
from hipectrial.export.sdtm.model import Dataset, VarType

NAME_MAX = 8
LABEL_MAX = 40
VALUE_MAX = 200
_NAME = re.compile(r"[A-Z][A-Z0-9_]{0,7}")


@dataclass(frozen=True, slots=True)
class LimitProblem:
    """One thing an XPT v5 file cannot hold: where (dataset, variable, 1-based row), the
    value and what was expected."""

    dataset: str
    variable: str | None
    row: int | None
    value: object
    expected: str

    @property
    def field(self) -> str:
        return f"{self.dataset}.{self.variable}" if self.variable else self.dataset

    def __str__(self) -> str:
        where = self.field + (f" row {self.row}" if self.row is not None else "")
        return f"{where}: {self.expected}; got {self.value!r}"

    def error(self, more: int = 0) -> InputError:
        hint = f"row {self.row}" if self.row is not None else None
        if more:
            hint = (hint + "; " if hint else "") + f"and {more} more problem(s)"
        return InputError(self.field, self.value, self.expected, hint)


def _text_problem(text: str, limit: int | None) -> str | None:
    if not text.isascii():
        return "ASCII text (XPT v5 holds no other characters; export English text)"
    if limit is not None and len(text) > limit:
        return f"at most {limit} characters (XPT v5)"
    return None


def xpt_problems(dataset: Dataset) -> Iterator[LimitProblem]:
    """Every value, name or label of ``dataset`` that an XPT v5 file cannot hold, in order."""
    name = dataset.domain
    if not _NAME.fullmatch(name):
        yield LimitProblem(name, None, None, name, f"a dataset name of 1 to {NAME_MAX} capitals/digits")
    problem = _text_problem(dataset.label, LABEL_MAX) if dataset.label else "a non-empty dataset label"
    if problem:
        yield LimitProblem(name, "(label)", None, dataset.label, problem)
    seen: set[str] = set()
    for variable in dataset.variables:
        if not _NAME.fullmatch(variable.name):
            yield LimitProblem(name, variable.name, None, variable.name,
                               f"a variable name of 1 to {NAME_MAX} capitals, digits or _")
        if variable.name in seen:
            yield LimitProblem(name, variable.name, None, variable.name, "one variable of that name")
        seen.add(variable.name)
        problem = _text_problem(variable.label, LABEL_MAX) if variable.label else "a non-empty label"
        if problem:
            yield LimitProblem(name, variable.name, None, variable.label, "a label of " + problem)
    if _rows_fit(dataset):
        return
    yield from _row_problems(dataset)


def _rows_fit(dataset: Dataset) -> bool:
    """Whether no row has a problem of :func:`_row_problems`, checked a column at a time in
    C loops (a 1,000-participant trial has ~10 M cells): the types of a column at once, one
    ``isascii`` over a Char column's joined text, and, ASCII text having one byte per
    character, ``len`` as the byte length. When it says no, :func:`_row_problems` finds the
    offending rows cell by cell."""
    width = len(dataset.variables)
    if not all(len(row) == width for row in dataset.rows):
        return False
    if not dataset.rows:
        return True
    for variable, column in zip(dataset.variables, zip(*dataset.rows, strict=True), strict=True):
        kinds = set(map(type, column))
        kinds.discard(type(None))
        if variable.type is VarType.CHAR:
            if not kinds <= {str}:
                return False
            values = [value for value in column if value is not None]
            if not "".join(values).isascii() or max(map(len, values), default=0) > VALUE_MAX:
                return False
        elif not kinds <= {int, float} or not all(
                map(math.isfinite, (value for value in column if type(value) is float))):
            return False
    return True


def _row_problems(dataset: Dataset) -> Iterator[LimitProblem]:
    """Every row problem, cell by cell in row order (naming the first offending rows)."""
    name = dataset.domain
    width = len(dataset.variables)
    for number, row in enumerate(dataset.rows, start=1):
        if len(row) != width:
            yield LimitProblem(name, None, number, len(row), f"{width} values per row")
            continue
        for variable, value in zip(dataset.variables, row, strict=True):
            if value is None:
                continue
            if variable.type is VarType.CHAR:
                if not isinstance(value, str):
                    yield LimitProblem(name, variable.name, number, value, "text (a Char variable)")
                    continue
                problem = _text_problem(value, None)
                if problem is None and len(value.encode("ascii")) > VALUE_MAX:
                    problem = f"at most {VALUE_MAX} bytes (XPT v5)"
                if problem:
                    yield LimitProblem(name, variable.name, number, value, problem)
            elif isinstance(value, bool) or not isinstance(value, int | float):
                yield LimitProblem(name, variable.name, number, value, "a number (a Num variable)")
            elif isinstance(value, float) and not math.isfinite(value):
                yield LimitProblem(name, variable.name, number, value, "a finite number")


def require_xpt_limits(dataset: Dataset) -> None:
    """Raise for the first thing of ``dataset`` an XPT v5 file cannot hold.

    Raises
    ------
    InputError
        (field ``<dataset>.<variable>``) naming the row, the value and what was expected,
        and how many more problems there are.
    """
    problems = list(xpt_problems(dataset))
    if problems:
        raise problems[0].error(more=len(problems) - 1)
