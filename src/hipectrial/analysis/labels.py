"""What a reader sees instead of a code: the protocol's own labels, in one place.

Codes are identifiers (``continue_systemic``, ``hipec-paclitaxel``, ``itt``); a report, a
listing or a reason shown to people uses the protocol's English label for each: code-list
labels for coded values, agent names, visit names, cohort labels, eligibility criterion
texts, and the population names below. Typed ``TrialData`` fields that hold codes name their
code list here (``FIELD_CODELISTS``), so nothing else has to know which list a field uses.

A code the protocol does not list is shown as ``<code> (not in code list <id>)`` — visible,
never silently passed off as a label (:func:`hipectrial.data.validate` reports it too).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from hipectrial.data.vocab import CODED_FIELDS
from hipectrial.protocol import Protocol
from hipectrial.protocol.endpoints import Population

# Typed TrialData fields that hold a code of a protocol code list (the data layer's list), and
# the facts read from CRF fields or protocol ids that have one.
FIELD_CODELISTS: Mapping[str, str] = MappingProxyType({
    **CODED_FIELDS,
    "mdt_decision": "mdt-decision",
    "phase": "phase",
})

POPULATION_NAMES: Mapping[Population, str] = MappingProxyType({
    Population.ITT: "ITT",
    Population.SAFETY: "Safety",
    Population.PER_PROTOCOL: "Per protocol",
    Population.OPERATED: "Operated",
    Population.MEASURABLE: "Measurable disease",
    Population.DLT_EVALUABLE: "DLT-evaluable",
    Population.CY1_BASELINE: "CY1 at baseline",
})


# Populations the analysis forms from the protocol's (analysis.primary: the Simon design's and
# Part A by level, "part_a_itt_level_<id>"; analysis.safety: "dlt_evaluable, level <id>").
SIMON_POPULATION = "part_b_itt_rp2d"
PART_A_LEVEL = "part_a_itt_level_"
ANALYSIS_POPULATIONS: Mapping[str, str] = MappingProxyType({SIMON_POPULATION: "Part B ITT at the RP2D"})

# RECIST 1.1's own abbreviations (clinical.recist.Response values), as RECIST writes them.
RESPONSE_NAMES: Mapping[str, str] = MappingProxyType({"non-CR-non-PD": "Non-CR/non-PD"})


class Labels:
    """Labels of one protocol's codes and ids (English).

    >>> from hipectrial.protocol import load_protocol
    >>> labels = Labels(load_protocol())
    >>> labels.field("mdt_decision", "continue_systemic")
    'Continue systemic therapy (not operated)'
    >>> labels.agent("hipec-paclitaxel"), labels.population("cy1_baseline")
    ('Paclitaxel (HIPEC)', 'CY1 at baseline')
    >>> labels.code("death-cause", "asteroid")
    'asteroid (not in code list death-cause)'
    """

    def __init__(self, protocol: Protocol) -> None:
        self.protocol = protocol
        self._codes = {cl.id: {item.code: item.label.en for item in cl.items} for cl in protocol.codelists}
        self._field_lists = {fd.id: fd.codelist for form in protocol.forms for fd in form.fields
                             if fd.codelist is not None}

    def code(self, codelist_id: str, code: str) -> str:
        """The label of ``code`` in code list ``codelist_id``."""
        items = self._codes.get(codelist_id)
        if items is None:
            raise KeyError(f"the protocol has no code list {codelist_id!r}")
        return items.get(code, f"{code} (not in code list {codelist_id})")

    def field(self, field_id: str, code: str) -> str:
        """The label of a coded value of a CRF field or of a typed field in ``FIELD_CODELISTS``."""
        codelist = FIELD_CODELISTS.get(field_id) or self._field_lists.get(field_id)
        if codelist is None:
            raise KeyError(f"field {field_id!r} has no code list")
        return self.code(codelist, code)

    def agent(self, agent_id: str) -> str:
        for agent in self.protocol.agents:
            if agent.id == agent_id:
                return agent.name
        return f"{agent_id} (not an agent of the protocol)"

    def visit(self, visit_id: str) -> str:
        for visit in self.protocol.visits:
            if visit.id == visit_id:
                return visit.name.en
        return f"{visit_id} (not a visit of the protocol)"

    def cohort(self, cohort_id: str) -> str:
        for cohort in self.protocol.cohorts:
            if cohort.id == cohort_id:
                return cohort.label.en
        return f"{cohort_id} (not a cohort of the protocol)"

    def criterion(self, criterion_id: str) -> str:
        """``I07: ECOG performance status 0 or 1``."""
        for criterion in self.protocol.eligibility:
            if criterion.id == criterion_id:
                return f"{criterion.id}: {criterion.text.en}"
        return f"{criterion_id} (not a criterion of the protocol)"

    @staticmethod
    def population(population: Population | str) -> str:
        return POPULATION_NAMES[Population(population)]

    @staticmethod
    def population_name(population: str) -> str:
        """The name of a population an analysis value counts: a protocol population, or one the
        analysis forms from it (the Simon design's, Part A by level, DLT-evaluable by level).

        >>> [Labels.population_name(p) for p in ("itt", "part_b_itt_rp2d", "part_a_itt_level_1",
        ...                                        "dlt_evaluable, level 2")]
        ['ITT', 'Part B ITT at the RP2D', 'Part A ITT, level 1', 'DLT-evaluable, level 2']
        """
        if population in ANALYSIS_POPULATIONS:
            return ANALYSIS_POPULATIONS[population]
        if population.startswith(PART_A_LEVEL):
            return f"Part A ITT, level {population.removeprefix(PART_A_LEVEL)}"
        head, _, level = population.partition(", ")
        if head not in {p.value for p in Population}:
            return population
        name = POPULATION_NAMES[Population(head)]
        return f"{name}, {level}" if level else name

    @staticmethod
    def response(code: str) -> str:
        """A RECIST 1.1 response as RECIST writes it: ``CR``, ``PR``, ``SD``, ``Non-CR/non-PD``,
        ``PD``, ``NE``.

        >>> Labels.response("non-CR-non-PD"), Labels.response("PR")
        ('Non-CR/non-PD', 'PR')
        """
        return RESPONSE_NAMES.get(code, code)
