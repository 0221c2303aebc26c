"""The operating-characteristics page (HTML and PDF): the comparison table, two figures and
how every figure is computed.

Nothing is computed here: the table rows are :func:`hipectrial.report.oc_table.comparison_rows`
(what ``hipectrial oc`` prints), the figures draw the summaries' own percentages and the
trials' own months.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from hipectrial.analysis.figures.oc import SelectionGroup, duration_plot, selection_plot
from hipectrial.analysis.oc_outcome import TrialOutcome
from hipectrial.analysis.oc_summary import OcSummary
from hipectrial.clinical.numbers import DAYS_PER_MONTH
from hipectrial.protocol import Protocol
from hipectrial.report.document import (
    Align,
    BulletList,
    Column,
    Figure,
    Paragraph,
    Report,
    Section,
    Table,
)
from hipectrial.report.oc_table import comparison_rows

__all__ = ["oc_report"]

PAGE_WIDTH_IN = 6.5

METHODS = (
    "Each trial is one whole virtual trial of the protocol (BOIN Part A with its DLT-window waits, "
    "Simon Part B with its stage-1 look and the Part B safety looks, dropout, missed visits), read by "
    "the same analysis the DSMB report uses; trial *i* has the *i*-th seed spawned from the root seed, "
    "the same in every scenario.",
    "Every percentage is of all trials held. Stage-1 stop: the Simon stage-1 look stopped Part B for "
    "futility. Safety monitoring closed Part B: a safety look during the trial met the stopping rule and "
    "registration closed that day. These rows may overlap (a trial closed by a safety look can still "
    "have its stage-1 look on the people registered before); *How Part B ended* counts each trial once, "
    "in the order things happened.",
    "Percentages of trials: SE = sample SD of the 0/1 indicator / √k. Means per trial: SE = sample "
    "SD / √k. Pooled rates (DLT, grade ≥ 3, R0): sum of events / sum of denominators, with the ratio "
    "estimator's SE (Cochran 1977, §6.3).",
    "A scenario states R0 through a chain of probabilities, so its true rate is estimated by the pooled "
    "rate over every trial's Part B ITT participants at the RP2D (whichever level each trial selected; "
    "estimated from the same trials); coverage is the share of trials with an estimate (or with a Simon "
    "verdict) whose 95 % interval contains it.",
    "H0 rejected: the Simon final analysis rejects H0 (more than r R0 among the first n Part B ITT). "
    "Safety rule met at the cut-off: a planned look of the Part B safety monitoring, analysed with "
    "everything known at the cut-off, meets the stopping rule.",
)


def oc_report(*, protocol: Protocol, summaries: Sequence[OcSummary],
              outcomes: Sequence[Sequence[TrialOutcome]], generated_at: dt.datetime) -> Report:
    """The page for ``summaries`` (one per scenario) and their trials' ``outcomes``."""
    first = summaries[0]
    columns = [Column("Figure: value (Monte-Carlo SE)"),
               *(Column(s.scenario, Align.RIGHT) for s in summaries)]
    rows = tuple((label, *cells) for label, cells in comparison_rows(summaries))
    table = Table(columns=tuple(columns), rows=rows,
                  caption=f"Operating characteristics, {first.trials_requested:,} trials per scenario, "
                          f"root seed {first.seed}", id="oc-table")
    categories = [*first.levels, "none"]
    groups = [SelectionGroup(s.scenario, tuple(e.value for e in (*s.pct_selected, s.pct_no_dose)),
                             tuple(e.se for e in (*s.pct_selected, s.pct_no_dose))) for s in summaries]
    selection = selection_plot(groups, categories=categories, title="Dose selected as RP2D")
    months = [(s.scenario, [o.duration_days / DAYS_PER_MONTH for o in trials if o.duration_days is not None])
              for s, trials in zip(summaries, outcomes, strict=True)]
    duration = duration_plot(months, title="Trial duration")
    failed = [f"{s.scenario}: trial {f.index} (seed {f.seed}) failed on every attempt — {f.error}"
              for s in summaries for f in s.failed]
    blocks: list[Paragraph | Table | Figure | BulletList] = [
        Paragraph(f"{len(summaries)} scenario(s): {', '.join(s.scenario for s in summaries)}; "
                  f"{first.trials_requested:,} virtual trials each, root seed {first.seed}. Every trial's "
                  "figures are in trials.csv beside this page."),
        table,
    ]
    if failed:
        blocks.append(BulletList(tuple(failed)))
    return Report(
        title="Operating characteristics of the protocol", subtitle="Simulated trials",
        trial_id=protocol.study.id, protocol_version=protocol.study.version,
        data_cutoff=None, generated_at=generated_at,
        confidentiality="Simulation: no participant data",
        data_notice="Simulated trials (hipectrial oc): not patient data.",
        sections=(
            Section(id="summary", title="Summary", blocks=tuple(blocks)),
            Section(id="figures", title="Figures", blocks=(
                Figure(id="oc-selection", caption="Trials selecting each dose level as RP2D, with 95 % "
                       "Monte-Carlo intervals (± 1.96 SE)", png=selection.png(), svg=selection.svg(),
                       width_in=PAGE_WIDTH_IN),
                Figure(id="oc-duration", caption="Months from the first consent to the data cut-off "
                       "(box: quartiles; whiskers: 5th and 95th percentiles)", png=duration.png(),
                       svg=duration.svg(), width_in=PAGE_WIDTH_IN))),
            Section(id="methods", title="How the figures are computed", blocks=(BulletList(METHODS),)),
        ))
