"""The conformance check of an SDTM export: our own, since CDISC CORE cannot run offline here.

:func:`check_sdtm` takes the datasets in memory, or a folder written by the export (its
``.xpt`` files read back and its ``define.xml`` read for the metadata and validated against
the Define-XML 2.1 schema), and returns every finding. The checks (``Finding.check``):

- ``required-missing`` / ``expected-missing``: a required or expected SDTMIG 3.4 variable of
  the domain (:mod:`.sdtmig`) is not in the dataset;
- ``required-empty``: a required variable (SDTMIG, or declared Req) is empty on a row;
- ``duplicate-key``: two rows share the dataset's key values;
- ``not-in-codelist``: a value outside its variable's code list (value-level lists too);
- ``not-iso8601``: a date variable whose value is not an ISO 8601 date or date-time;
- ``study-day``: a ``--DY``/``--STDY``/``--ENDY`` that disagrees with its date and the
  subject's ``RFSTDTC`` in DM (no day 0; empty without RFSTDTC);
- ``duplicate-seq``: ``--SEQ`` not unique within a subject (within a parameter in TS);
- ``usubjid-not-in-dm``: a subject not in DM (an empty USUBJID too, except on a RELREC
  row relating whole datasets, which SDTMIG 3.4 §8.3 leaves without USUBJID);
- ``visit-not-one-to-one``: a ``VISITNUM`` with a second ``VISIT``, or a ``VISIT`` with a
  second ``VISITNUM``, across every dataset (TV, SV, the findings domains…): VISIT is the
  name of VISITNUM (its synonym qualifier, SDTMIG 3.4 SV); each such pair is reported once,
  at its first row;
- ``epoch``: an ``EPOCH`` value not in the CDISC Epoch code list as the trial uses it;
- ``xpt-limit``: a name, label or value an XPT v5 file cannot hold (:mod:`.limits`);
- for a folder also ``define-invalid`` (schema errors), ``define-mismatch`` (a dataset or
  variable that define.xml and the .xpt files do not both describe alike) and
  ``unreadable``.

What it does not check: the CDISC CORE / FDA validator rule sets (cross-domain rules,
MedDRA and other dictionaries, value-level consistency beyond code lists).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from hipectrial.export.sdtm.limits import xpt_problems
from hipectrial.export.sdtm.model import Core, Dataset, Value
from hipectrial.export.sdtm.sdtmig import TRIAL_DESIGN, cores
from hipectrial.export.sdtm.terminology import Terminology, terminology

_ISO_DATE = re.compile(r"(\d{4})(-(\d{2})(-(\d{2}))?)?")
_ISO_DATETIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2})(:(\d{2})(:(\d{2})(\.\d+)?)?)?"
                           r"(Z|[+-]\d{2}:\d{2})?")
_DAY = re.compile(r"([A-Z]{2})(ST|EN)?DY")


@dataclass(frozen=True, slots=True)
class Finding:
    """One conformance problem: which check, where (dataset, variable, 1-based row), the
    value and what is wrong."""

    check: str
    dataset: str
    variable: str | None
    row: int | None
    value: object
    message: str

    def __str__(self) -> str:
        where = self.dataset + (f".{self.variable}" if self.variable else "")
        where += f" row {self.row}" if self.row is not None else ""
        return f"{where}: [{self.check}] {self.message}" + (
            f" (value {self.value!r})" if self.value is not None else "")

    def to_dict(self) -> dict[str, object]:
        return {"check": self.check, "dataset": self.dataset, "variable": self.variable,
                "row": self.row, "value": self.value if isinstance(self.value, str | int | float)
                else None if self.value is None else str(self.value), "message": self.message}


def check_sdtm(source: Sequence[Dataset] | Path) -> tuple[Finding, ...]:
    """Every finding of the checks (module docstring) on datasets in memory or a folder."""
    if isinstance(source, Path):
        from hipectrial.export.sdtm.folder import read_folder

        datasets, found = read_folder(source)
        return tuple(found) + tuple(_check_datasets(datasets))
    return tuple(_check_datasets(source))


def _check_datasets(datasets: Sequence[Dataset]) -> Iterator[Finding]:
    dm = next((d for d in datasets if d.domain == "DM"), None)
    starts: dict[str, dt.date | None] = {}
    if dm is not None and "USUBJID" in _names(dm) and "RFSTDTC" in _names(dm):
        for record in dm.records():
            starts[str(record["USUBJID"])] = _date(record["RFSTDTC"])
    visits = _VisitNames()
    for dataset in datasets:
        yield from visits.findings(dataset)
        yield from _presence(dataset)
        yield from _values(dataset)
        yield from _keys(dataset)
        yield from _sequence(dataset)
        yield from _subjects(dataset, dm, starts)
        for problem in xpt_problems(dataset):
            yield Finding("xpt-limit", problem.dataset, problem.variable, problem.row, problem.value,
                          problem.expected)


def _names(dataset: Dataset) -> set[str]:
    return {v.name for v in dataset.variables}


def _presence(dataset: Dataset) -> Iterator[Finding]:
    required, expected = cores(dataset.domain)
    names = _names(dataset)
    for name in required:
        if name not in names:
            yield Finding("required-missing", dataset.domain, name, None, None,
                          "an SDTMIG 3.4 required variable of the domain is missing")
    for name in expected:
        if name not in names:
            yield Finding("expected-missing", dataset.domain, name, None, None,
                          "an SDTMIG 3.4 expected variable of the domain is missing")


def _values(dataset: Dataset) -> Iterator[Finding]:
    required, _ = cores(dataset.domain)
    lists = {c.id: c for c in dataset.codelists}
    terms = {c.id: c.values() for c in dataset.codelists}  # once per list, not per cell
    epochs = terminology("EPOCH")
    levels = {(lv.variable, lv.where_value): lv for lv in dataset.value_levels}
    where = {lv.variable: dataset.index(lv.where_variable) for lv in dataset.value_levels
             if lv.where_variable in _names(dataset)}
    width = len(dataset.variables)
    even = all(len(row) == width for row in dataset.rows)
    for position, variable in enumerate(dataset.variables):
        must = variable.name in required or variable.core is Core.REQ
        codelist = lists.get(variable.codelist) if variable.codelist else None
        if variable.codelist and codelist is None:
            yield Finding("not-in-codelist", dataset.domain, variable.name, None, variable.codelist,
                          "the variable names a code list the dataset does not define")
        if even and variable.name not in where and _column_passes(
                dataset, position, must=must, allowed=terms.get(codelist.id) if codelist else None,
                epochs=epochs if variable.name == "EPOCH" else None, iso8601=variable.iso8601):
            continue
        for number, row in enumerate(dataset.rows, start=1):
            if len(row) != width:
                continue  # reported by xpt-limit
            value = row[position]
            if value is None or value == "":
                if must:
                    yield Finding("required-empty", dataset.domain, variable.name, number, None,
                                  "a required variable is empty")
                continue
            active = codelist
            if variable.name in where:
                level = levels.get((variable.name, str(row[where[variable.name]])))
                if level is not None and level.item.codelist:
                    active = lists.get(level.item.codelist)
            if active is not None and not _in_list(terms[active.id], value):
                yield Finding("not-in-codelist", dataset.domain, variable.name, number, value,
                              f"not a term of code list {active.id} ({active.name})")
            if variable.name == "EPOCH" and value not in epochs:
                yield Finding("epoch", dataset.domain, variable.name, number, value,
                              "not a term of the CDISC Epoch code list (C99079) the trial uses")
            if variable.iso8601 and not _iso8601(str(value)):
                yield Finding("not-iso8601", dataset.domain, variable.name, number, value,
                              "not an ISO 8601 date or date-time")


def _column_passes(dataset: Dataset, position: int, *, must: bool, allowed: frozenset[str] | None,
                   epochs: Terminology | None, iso8601: bool) -> bool:
    """Whether the row-by-row checks of :func:`_values` find nothing in a text column,
    judged on its distinct values (a 1,000-participant trial has millions of cells and far
    fewer distinct values); ``False`` sends the column through the row-by-row checks, which
    name the rows. Only for columns of text: ``1`` and ``1.0`` are one set member but
    differ as code list terms. Every row must have one value per variable."""
    distinct = {row[position] for row in dataset.rows}
    if not set(map(type, distinct)) <= {str, type(None)}:
        return False
    if must and (None in distinct or "" in distinct):
        return False
    distinct.discard(None)
    distinct.discard("")
    texts = {str(value) for value in distinct}
    return ((allowed is None or texts <= allowed)
            and (epochs is None or all(text in epochs for text in texts))
            and (not iso8601 or all(map(_iso8601, texts))))


def _in_list(values: frozenset[str], value: Value) -> bool:
    if value in values:
        return True
    return isinstance(value, int | float) and str(value) in values


def _iso8601(text: str) -> bool:
    match = _ISO_DATE.fullmatch(text)
    if match:
        year, month, day = match.group(1), match.group(3), match.group(5)
        try:
            dt.date(int(year), int(month or 1), int(day or 1))
        except ValueError:
            return False
        return True
    match = _ISO_DATETIME.fullmatch(text)
    if not match:
        return False
    try:
        dt.datetime.fromisoformat(text.replace("Z", "+00:00") if match.group(4) else text[:10])
    except ValueError:
        return False
    return True


def _date(value: Value) -> dt.date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None  # empty or partial: no study day can be computed
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _keys(dataset: Dataset) -> Iterator[Finding]:
    names = _names(dataset)
    keys = [k for k in dataset.keys if k in names]
    if not keys:
        return
    positions = [dataset.index(k) for k in keys]
    seen: dict[tuple[Value, ...], int] = {}
    for number, row in enumerate(dataset.rows, start=1):
        if len(row) != len(dataset.variables):
            continue
        key = tuple(row[p] for p in positions)
        if key in seen:
            yield Finding("duplicate-key", dataset.domain, ", ".join(keys), number, " / ".join(map(str, key)),
                          f"the same key values as row {seen[key]}")
        else:
            seen[key] = number


def _sequence(dataset: Dataset) -> Iterator[Finding]:
    name = f"{dataset.domain}SEQ"
    names = _names(dataset)
    by = "TSPARMCD" if dataset.domain == "TS" else "USUBJID"
    if name not in names or by not in names:
        return
    seq, group = dataset.index(name), dataset.index(by)
    seen: dict[tuple[Value, Value], int] = {}
    for number, row in enumerate(dataset.rows, start=1):
        if len(row) != len(dataset.variables):
            continue
        key = (row[group], row[seq])
        if key in seen:
            yield Finding("duplicate-seq", dataset.domain, name, number, row[seq],
                          f"{name} repeats within {by} {row[group]} (row {seen[key]})")
        else:
            seen[key] = number


def _subjects(dataset: Dataset, dm: Dataset | None,
              starts: dict[str, dt.date | None]) -> Iterator[Finding]:
    names = _names(dataset)
    if dataset.domain in TRIAL_DESIGN or "USUBJID" not in names:
        return
    subject = dataset.index("USUBJID")
    days = []
    for variable in dataset.variables:
        match = _DAY.fullmatch(variable.name)
        if not match or variable.name == "VISITDY":
            continue
        date_name = f"{match.group(1)}{match.group(2) or ''}DTC"
        if date_name in names:
            days.append((dataset.index(variable.name), dataset.index(date_name), variable.name, date_name))
    for number, row in enumerate(dataset.rows, start=1):
        if len(row) != len(dataset.variables):
            continue
        if dataset.domain == "RELREC" and _dataset_level(dataset, row):
            continue  # SDTMIG 3.4 §8.3: a dataset-level relationship names no subject
        usubjid = str(row[subject])
        if dm is not None and dataset is not dm and usubjid not in starts:
            yield Finding("usubjid-not-in-dm", dataset.domain, "USUBJID", number, usubjid,
                          "a subject that DM does not have")
            continue
        start = starts.get(usubjid)
        for day_position, date_position, day_name, date_name in days:
            when = _date(row[date_position])
            expected = None
            if when is not None and start is not None:
                delta = (when - start).days
                expected = delta + 1 if delta >= 0 else delta
            value = row[day_position]
            if (value is None) != (expected is None) or (value is not None and value != expected):
                yield Finding("study-day", dataset.domain, day_name, number, value,
                              f"{date_name} and RFSTDTC give {expected} (no day 0)")


def _dataset_level(relrec: Dataset, row: tuple[Value, ...]) -> bool:
    """Whether a RELREC row relates whole datasets (SDTMIG 3.4 §8.3, Relating Datasets):
    USUBJID and IDVARVAL both empty, IDVAR naming the linking variable and RELTYPE (used
    only for such relationships) ONE or MANY. Only there may USUBJID be empty; a
    record-level row without USUBJID is still a subject missing from DM."""
    names = _names(relrec)
    return (row[relrec.index("USUBJID")] in (None, "")
            and "IDVARVAL" in names and row[relrec.index("IDVARVAL")] in (None, "")
            and "IDVAR" in names and row[relrec.index("IDVAR")] not in (None, "")
            and "RELTYPE" in names and row[relrec.index("RELTYPE")] in ("ONE", "MANY"))


class _VisitNames:
    """The VISITNUM / VISIT pairs seen so far, across datasets, for ``visit-not-one-to-one``
    (the only state of the check: it is built and used within one :func:`_check_datasets`)."""

    def __init__(self) -> None:
        self._names: dict[Value, tuple[Value, str, int]] = {}    # VISITNUM -> VISIT, where
        self._numbers: dict[Value, tuple[Value, str, int]] = {}  # VISIT -> VISITNUM, where

    def findings(self, dataset: Dataset) -> Iterator[Finding]:
        names = _names(dataset)
        if "VISITNUM" not in names or "VISIT" not in names:
            return
        at_number, at_visit, width = dataset.index("VISITNUM"), dataset.index("VISIT"), len(dataset.variables)
        first: dict[tuple[Value, Value], int] = {}  # each distinct pair -> its first row
        for row_number, row in enumerate(dataset.rows, start=1):
            if len(row) == width:  # a short row is reported by xpt-limit
                first.setdefault((row[at_number], row[at_visit]), row_number)
        for (number, visit), first_row in first.items():
            if number is None or visit in (None, ""):
                continue
            known = self._names.setdefault(number, (visit, dataset.domain, first_row))
            if known[0] != visit:
                yield Finding("visit-not-one-to-one", dataset.domain, "VISIT", first_row, visit,
                              f"VISITNUM {number} is also VISIT {known[0]!r} ({known[1]} row {known[2]})")
            known = self._numbers.setdefault(visit, (number, dataset.domain, first_row))
            if known[0] != number:
                yield Finding("visit-not-one-to-one", dataset.domain, "VISITNUM", first_row, number,
                              f"VISIT {visit!r} is also VISITNUM {known[0]} ({known[1]} row {known[2]})")
