"""The trial's planned arms: one per cohort and HIPEC dose level.

The study is single-arm in the clinical sense (everyone gets HIPEC, then SOX + anti-PD-1),
but SDTM's *arm* is a planned sequence of treatments, and two things change the planned
treatment a participant is assigned at registration:

- the **cohort** (HER2 status): the HER2-positive cohort also gets trastuzumab
  (``agents_for(cohort)``);
- the **dose level** of the HIPEC agent (Part A explores levels with BOIN; Part B treats at
  the recommended level).

So ``ARMCD`` names a cohort x dose level (SDTMIG 3.4 §7.2.1, TA example of a dose-escalation
trial: each dose cohort is an arm). The study *part* (A or B) does not change the treatment
planned for a given level and cohort, so it is not an arm: DM carries it in SUPPDM
(``STUDYPRT``). The operated / not-operated branch after re-evaluation is decided by the
response, not assigned, so it is a transition inside each arm (``TATRANS``), not an arm.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hipectrial.errors import InputError
from hipectrial.export.sdtm.model import CodeList, VarType
from hipectrial.protocol import Protocol

ARMCD_MAX = 20  # SDTMIG 3.4 §5.2 DM: ARMCD is limited to 20 characters


@dataclass(frozen=True, slots=True)
class Arm:
    """One planned arm: its code and description, and the cohort and dose level it stands
    for."""

    armcd: str
    arm: str
    cohort: str
    dose_level: str


def arms(protocol: Protocol) -> tuple[Arm, ...]:
    """Every planned arm: the protocol's cohorts x its dose levels, in protocol order.

    ``ARMCD`` is the cohort id in capitals without punctuation, ``_L`` and the level id
    (``HER2NEGATIVE_L1``); when that is longer than 20 characters, ``C<n>_L<level>`` with
    ``n`` the cohort's position. ``ARM`` says the cohort, the dose level, the HIPEC dose and
    the systemic agents of the cohort.

    Raises
    ------
    InputError
        (field ``ARMCD``) when two arms would get the same code.
    """
    found: list[Arm] = []
    hipec = set(protocol.hipec.agents)
    for index, cohort in enumerate(protocol.cohorts, start=1):
        systemic = [a.name for a in protocol.agents_for(cohort.id) if a.id not in hipec]
        for level in protocol.dose_finding.levels:
            code = f"{re.sub(r'[^A-Za-z0-9]', '', cohort.id).upper()}_L{level.id}"
            if len(code) > ARMCD_MAX:
                code = f"C{index}_L{level.id}"
            doses = ", ".join(f"{protocol.agent(agent).name} {_amount(dose)} {level.unit}"
                              for agent, dose in level.doses.items())
            text = f"{cohort.label.en}, dose level {level.id}: {doses}"
            if systemic:
                text += "; then " + " + ".join(systemic)
            found.append(Arm(code, text, cohort.id, level.id))
    codes = [a.armcd for a in found]
    for code in codes:
        if codes.count(code) > 1:
            raise InputError("ARMCD", code, "a code naming one cohort and dose level",
                             "two cohort ids give the same code; rename one in the protocol")
    return tuple(found)


def arm_for(protocol: Protocol, *, cohort: str, dose_level: str) -> Arm:
    """The arm of a cohort and dose level.

    Raises
    ------
    InputError
        (field ``cohort``) when the protocol has no such cohort and dose level.
    """
    for arm in arms(protocol):
        if arm.cohort == cohort and arm.dose_level == dose_level:
            return arm
    raise InputError("cohort", f"{cohort} / dose level {dose_level}",
                     "a cohort and dose level of the protocol")


def arm_codelists(protocol: Protocol) -> tuple[CodeList, CodeList]:
    """The sponsor code lists ``ARMCD`` (code -> description) and ``ARM`` of the planned arms."""
    planned = arms(protocol)
    char = VarType.CHAR
    return (CodeList("ARMCD", "Planned Arm Code", char, tuple((a.armcd, a.arm) for a in planned)),
            CodeList("ARM", "Description of Planned Arm", char, tuple((a.arm, None) for a in planned)))


def _amount(value: object) -> str:
    text = str(value)
    return text.rstrip("0").rstrip(".") if "." in text else text
