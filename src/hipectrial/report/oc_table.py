"""The operating-characteristics comparison table: one row per figure, one cell per scenario,
each ``value (Monte-Carlo SE)``. The CLI prints these rows and the report shows them, so the
screen and the page cannot differ.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from hipectrial.analysis.oc_summary import OcSummary
from hipectrial.design.boin_sim import McEstimate

__all__ = ["comparison_rows"]


def _pct(e: McEstimate | None) -> str:
    if e is None or math.isnan(e.value):
        return "–"
    return f"{e.value:.1f} ({e.se:.1f})" if not math.isnan(e.se) else f"{e.value:.1f}"


def _num(e: McEstimate | None, digits: int = 1) -> str:
    if e is None or math.isnan(e.value):
        return "–"
    return f"{e.value:.{digits}f} ({e.se:.{digits}f})" if not math.isnan(e.se) else f"{e.value:.{digits}f}"


def _rate(e: McEstimate | None) -> str:
    if e is None or math.isnan(e.value):
        return "–"
    return f"{100 * e.value:.1f} ({100 * e.se:.1f})" if not math.isnan(e.se) else f"{100 * e.value:.1f}"


def comparison_rows(summaries: Sequence[OcSummary]) -> list[tuple[str, list[str]]]:
    """The comparison table's rows: a label and one cell per scenario (``value (MC SE)``);
    the same rows the report's table shows."""
    first = summaries[0]
    rows: list[tuple[str, list[str]]] = [
        ("Trials held (of requested)", [f"{s.trials:,} of {s.trials_requested:,}" for s in summaries])]
    for j, label in enumerate(first.level_labels):
        rows.append((f"Dose level {label} selected, %", [_pct(s.pct_selected[j]) for s in summaries]))
    rows += [
        ("No dose selected, %", [_pct(s.pct_no_dose) for s in summaries]),
        ("Part A participants, mean", [_num(s.part_a_size) for s in summaries]),
    ]
    for j, label in enumerate(first.level_labels):
        rows.append((f"  at level {label}: participants, mean (SE); DLTs, mean",
                     [f"{_num(s.part_a_patients[j])}; {s.part_a_dlts[j].value:.2f}" for s in summaries]))
    rows += [
        ("DLT rate among DLT-evaluable, % (pooled)", [_rate(s.dlt_rate) for s in summaries]),
        ("Part B opened, %", [_pct(s.pct_part_b) for s in summaries]),
        ("Simon stage-1 look stopped Part B (futility), %", [_pct(s.pct_stage1_stop) for s in summaries]),
        ("H0 rejected (Simon final analysis), %", [_pct(s.pct_reject_h0) for s in summaries]),
        ("Safety monitoring closed Part B, %", [_pct(s.pct_safety_stop) for s in summaries]),
        ("Safety rule met at the cut-off analysis, %", [_pct(s.pct_safety_rule_met) for s in summaries]),
    ]
    if all(s.part_b_ends is not None for s in summaries):
        rows.append(("How Part B ended (each trial once; rows above may overlap), %:",
                     ["" for _ in summaries]))
        for k, (name, _) in enumerate(first.part_b_ends or ()):
            rows.append((f"  {name}", [_pct((s.part_b_ends or ())[k][1]) for s in summaries]))
    rows += [
        ("Registered, mean", [_num(s.registered) for s in summaries]),
        ("  in Part B, mean", [_num(s.part_b_registered) for s in summaries]),
        ("Screened, mean", [_num(s.screened) for s in summaries]),
        ("Months, first consent to cut-off, mean", [_num(s.duration_months) for s in summaries]),
        ("  10th / 50th / 90th percentile", ["{:.1f} / {:.1f} / {:.1f}".format(*s.duration_months_quantiles)
                                              for s in summaries]),
        ("Months of accrual, mean", [_num(s.accrual_months) for s in summaries]),
        ("R0 rate pooled over all trials' Part B ITT (the true rate's estimate), %",
         [_rate(s.r0_true_rate) for s in summaries]),
        ("R0 estimate per trial, mean %", [_rate(s.r0_estimate_mean) for s in summaries]),
        ("  spread (SD), %", ["–" if s.r0_estimate_sd is None else f"{100 * s.r0_estimate_sd:.1f}"
                              for s in summaries]),
        ("Exact 95 % CI covers the pooled rate, % of trials with an estimate",
         [f"{_pct(s.pct_exact_ci_covers)}; {s.r0_trials} trials" for s in summaries]),
        ("Simon-adjusted 95 % CI covers it, % of trials with a Simon verdict",
         [f"{_pct(s.pct_simon_ci_covers)}; {s.simon_ci_trials} trials" for s in summaries]),
        ("Grade ≥ 3 AE, % of safety population (pooled)", [_rate(s.grade3_rate) for s in summaries]),
    ]
    return rows
