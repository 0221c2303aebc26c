"""The Part B safety-monitoring event of one participant, and a treatment-related death.

Protocol ``statistics.safety_monitoring`` (protocol-decisions.md §Study, safety monitoring in
Part B): *severe toxicity* is any grade 4 treatment-related adverse event, a
treatment-related death, or a Clavien-Dindo >= IIIb complication of HIPEC or surgery.

* **Treatment-related** (an AE): at least possibly related to any study agent (NCI CTEP
  attribution, :attr:`hipectrial.clinical.dosing.inputs.Attribution.related`).
* **Fatal** (an AE): CTCAE grade 5, or outcome ``fatal``.
* **Treatment-related death**: a death with a fatal AE at least possibly related to a study
  agent, or whose cause is :data:`TREATMENT_TOXICITY` (a code of the seed code list
  ``death-cause``).
* A related grade 5 event counts as the event; of a participant who died it is the death
  (:attr:`SevereToxicity.related_aes` then leaves it out, so a reader sees it once).

The analysis at the cut-off (:mod:`hipectrial.analysis.monitoring`, the deaths listing
:mod:`hipectrial.analysis.deaths`) and the virtual trial's safety looks
(:mod:`hipectrial.simulate.trial.safety`) decide through these functions. The inputs are
structural (:class:`typing.Protocol`): ``hipectrial.data.AdverseEvent`` and
``hipectrial.data.Surgery`` fit them as they are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol as TypingProtocol

from hipectrial.clinical.surgery.rules import ClavienDindo

# The ``death-cause`` code of a death caused by the study treatment's toxicity.
TREATMENT_TOXICITY = "treatment_toxicity"
# The AE outcome code of a fatal event (CRF field ``ae_outcome``; SDTM AEOUT "FATAL").
FATAL_OUTCOME = "fatal"


class AdverseEventFacts(TypingProtocol):
    """What the rule reads of an adverse event."""

    @property
    def grade(self) -> int: ...
    @property
    def onset_date(self) -> dt.date: ...
    @property
    def related_agents(self) -> tuple[str, ...]: ...
    @property
    def outcome(self) -> str | None: ...


class ComplicationFacts(TypingProtocol):
    """What the rule reads of a post-operative complication."""

    @property
    def grade(self) -> ClavienDindo: ...


class OperationFacts(TypingProtocol):
    """What the rule reads of an operation (day-0 laparoscopy + HIPEC, conversion surgery)."""

    @property
    def complications(self) -> Sequence[ComplicationFacts]: ...


def fatal_event(ae: AdverseEventFacts) -> bool:
    """Whether an adverse event is fatal: grade 5 or outcome ``fatal`` (CTCAE v5.0: grade 5
    is death related to the AE).

    >>> from types import SimpleNamespace as Ae
    >>> fatal_event(Ae(grade=4, outcome="fatal")), fatal_event(Ae(grade=4, outcome=None))
    (True, False)
    """
    return ae.grade == 5 or ae.outcome == FATAL_OUTCOME


@dataclass(frozen=True, slots=True)
class TreatmentRelatedDeath:
    """Why a death is treatment-related: the positions (in the order given) of the fatal AEs at
    least possibly related to a study agent, and whether the cause of death says so."""

    fatal_related: tuple[int, ...]
    by_cause: bool

    @property
    def met(self) -> bool:
        return bool(self.fatal_related) or self.by_cause


def treatment_related_death(*, adverse_events: Sequence[AdverseEventFacts],
                            cause_of_death: str | None) -> TreatmentRelatedDeath:
    """Whether a participant's death is treatment-related (module docstring); the caller
    asks only about a participant who died.

    Parameters
    ----------
    adverse_events
        The participant's adverse events.
    cause_of_death
        The ``death-cause`` code recorded, or ``None``.

    >>> from types import SimpleNamespace as Ae
    >>> treatment_related_death(adverse_events=[Ae(grade=5, outcome=None, related_agents=("sox",))],
    ...                         cause_of_death="disease_progression").met
    True
    """
    fatal_related = tuple(i for i, ae in enumerate(adverse_events)
                          if fatal_event(ae) and ae.related_agents)
    return TreatmentRelatedDeath(fatal_related, cause_of_death == TREATMENT_TOXICITY)


@dataclass(frozen=True, slots=True)
class SevereToxicity:
    """One participant's Part B monitoring event (module docstring) and why.

    ``related_aes``: positions of the grade 4 (and, for a participant alive, grade 5) AEs at
    least possibly related to a study agent; ``death``: the treatment-related death, ``None``
    when the participant did not die or the death is not treatment-related;
    ``complications``: (operation, complication) positions of the Clavien-Dindo >= IIIb
    complications.
    """

    related_aes: tuple[int, ...]
    death: TreatmentRelatedDeath | None
    complications: tuple[tuple[int, int], ...]

    @property
    def met(self) -> bool:
        return bool(self.related_aes) or self.death is not None or bool(self.complications)


def severe_toxicity(*, adverse_events: Sequence[AdverseEventFacts], operations: Sequence[OperationFacts],
                    died: bool, cause_of_death: str | None) -> SevereToxicity:
    """The protocol's Part B safety-monitoring event for one participant (module docstring).

    Parameters
    ----------
    adverse_events
        The participant's adverse events (as known at the date the rule is applied).
    operations
        The participant's operations with their complications.
    died
        Whether the participant has died.
    cause_of_death
        The ``death-cause`` code recorded, or ``None``.

    Returns
    -------
    SevereToxicity
        ``met`` says whether the participant has the event; the positions say why.

    References
    ----------
    protocol-decisions.md §Study (safety monitoring in Part B); CTCAE v5.0 (grade 5 = death).

    Examples
    --------
    >>> from types import SimpleNamespace as S
    >>> grade4 = S(grade=4, outcome=None, related_agents=("oxaliplatin",))
    >>> severe_toxicity(adverse_events=[grade4], operations=[], died=False, cause_of_death=None).met
    True
    >>> iiia = S(complications=[S(grade=ClavienDindo.IIIA)])
    >>> severe_toxicity(adverse_events=[], operations=[iiia], died=False, cause_of_death=None).met
    False
    """
    related_aes = tuple(i for i, ae in enumerate(adverse_events)
                        if ae.related_agents and (ae.grade == 4 or (ae.grade == 5 and not died)))
    death = None
    if died:
        why = treatment_related_death(adverse_events=adverse_events, cause_of_death=cause_of_death)
        death = why if why.met else None
    complications = tuple((i, j) for i, op in enumerate(operations)
                          for j, c in enumerate(op.complications) if c.grade.at_least(ClavienDindo.IIIB))
    return SevereToxicity(related_aes, death, complications)
