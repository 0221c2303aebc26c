"""The DSMB report's baseline table: ITT participants by study part and in total."""

from __future__ import annotations

from hipectrial.analysis.baseline import BaselineTable
from hipectrial.report import numbers as fmt
from hipectrial.report.document import Column, Table
from hipectrial.report.dsmb_common import L, labelled_columns


def baseline(table: BaselineTable) -> Table:
    sizes = [c.n for c in table.columns]
    rows: list[tuple[str, ...]] = []
    for variable in table.variables:
        if variable.summaries is not None:
            rows.append((variable.name, "median (range)",
                         *(fmt.median_range(s, digits=0) for s in variable.summaries)))
        else:
            rows.append((variable.name, "", *("" for _ in sizes)))
            for row in variable.categories:
                counts = (fmt.count_of(k, n) for k, n in zip(row.counts, sizes, strict=True))
                rows.append(("", row.category, *counts))
        if any(variable.missing):
            rows.append(("", "missing", *(str(m) for m in variable.missing)))
    return Table(
        columns=(Column("Characteristic", L), Column("Category", L),
                 *labelled_columns([c.label for c in table.columns], [c.n for c in table.columns])),
        rows=tuple(rows),
        caption="Baseline characteristics of the ITT population, by study part",
        note="Counts with percentages of the column's participants; continuous values as median "
        "(minimum–maximum).",
        id="table-baseline",
    )
