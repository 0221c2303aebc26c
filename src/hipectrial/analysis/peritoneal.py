"""Peritoneal response: PCI change from first to second look, and cytology conversion.

Rules (protocol-decisions.md §Endpoints; clinical.md §5.1, §6; conventions "Peritoneum"):

* **PCI change** — second-look PCI minus first-look PCI, in ITT participants with both
  explorations fully scored. The first look is the ``laparoscopy`` assessment on the day-0
  date; the second look the one at the re-evaluation (``reevaluation`` visit date), else the
  first later laparoscopy up to conversion surgery. The PCI is
  :func:`hipectrial.clinical.peritoneal_cancer_index` of the 13 region scores. Participants
  without both are listed.
* **Cytology conversion** — among ITT participants with CY1 at the first look: CY0 at the
  second look. A participant without a second-look cytology (or CYX) stays in the
  denominator as not converted and is listed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from hipectrial.analysis.facts import Facts
from hipectrial.analysis.results import (
    BinaryValue,
    ContinuousValue,
    ParticipantNote,
    ParticipantValue,
    binary_value,
    summarise,
)
from hipectrial.clinical import peritoneal_cancer_index
from hipectrial.data import Cytology, TumourAssessment


def pci_total(assessment: TumourAssessment | None) -> int | None:
    """The PCI of an exploration with all 13 regions scored; ``None`` otherwise."""
    if assessment is None or any(score is None for score in assessment.pci):
        return None
    return peritoneal_cancer_index(scores=[int(score or 0) for score in assessment.pci]).total


def pci_change_value(population: str, ids: Sequence[str], facts: Mapping[str, Facts]) -> ContinuousValue:
    values, notes = [], []
    for pid in ids:
        f = facts[pid]
        first_look, second_look = f.first_look, f.second_look
        first, second = pci_total(first_look), pci_total(second_look)
        if first_look is None or second_look is None or first is None or second is None:
            missing = [name for name, v in (("first look", first), ("second look", second)) if v is None]
            notes.append(ParticipantNote(
                pid, f"no fully scored {' and '.join(missing)}: PCI change not computed"))
            continue
        values.append(ParticipantValue(pid, float(second - first),
                                       f"PCI {first} on {first_look.date.isoformat()} -> {second} on "
                                       f"{second_look.date.isoformat()}"))
    return ContinuousValue(population, summarise([v.value for v in values]), tuple(values), tuple(notes))


def cytology_conversion_value(population: str, cy1: Sequence[str], facts: Mapping[str, Facts],
                              conf_level: float) -> BinaryValue:
    converted, notes = [], []
    reasons: dict[str, str] = {}
    for pid in cy1:
        look = facts[pid].second_look
        cytology = look.cytology if look is not None else None
        if look is not None and cytology is not None:
            reasons[pid] = f"{cytology.value} at the second look on {look.date.isoformat()}"
        else:
            reasons[pid] = "no second-look cytology"
        if cytology is Cytology.CY0:
            converted.append(pid)
        elif cytology is not Cytology.CY1:
            shown = cytology.value if cytology is not None else "no second-look cytology"
            notes.append(ParticipantNote(pid, f"{shown}: counted as not converted"))
    return binary_value(population=population, numerator=converted, denominator=cy1, notes=notes,
                        conf_level=conf_level, reasons=reasons)
