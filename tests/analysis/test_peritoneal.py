"""PCI change from the first to the second look, and cytology conversion CY1 -> CY0."""

from __future__ import annotations

import pytest

from hipectrial.analysis.results import BinaryValue, ContinuousValue
from hipectrial.analysis.trial_analysis import analyze_trial
from hipectrial.data import Cytology
from hipectrial.protocol import Protocol
from hipectrial.protocol.endpoints import Population

from .builders import TrialBuilder


def test_pci_change_and_cytology_conversion(protocol: Protocol) -> None:
    t = TrialBuilder()
    t.participant(1).hipec(pci=12, cytology=Cytology.CY1).second_look(78, pci=4, cytology=Cytology.CY0)
    t.participant(2).hipec(pci=10, cytology=Cytology.CY1).second_look(78, pci=10, cytology=Cytology.CY1)
    t.participant(3).hipec(pci=8, cytology=Cytology.CY1)                      # no second look
    t.participant(4).hipec(pci=6, cytology=Cytology.CY0).second_look(78, pci=2, cytology=Cytology.CY0)
    a = analyze_trial(trial=t.build(), protocol=protocol)

    pci = a.endpoint("pci-change").value
    assert isinstance(pci, ContinuousValue)
    # Changes: 001 4 - 12 = -8; 002 10 - 10 = 0; 004 2 - 6 = -4; 003 has no second look.
    assert {v.participant_id: v.value for v in pci.values} == {"SH01-001": -8.0, "SH01-002": 0.0, "SH01-004": -4.0}
    # R: x <- c(-8, 0, -4); mean(x) -4; sd(x) 4; median -4
    assert pci.summary.mean == pytest.approx(-4.0)
    assert pci.summary.sd == pytest.approx(4.0)
    assert pci.summary.median == -4.0
    assert [n.participant_id for n in pci.notes] == ["SH01-003"]

    assert a.populations[Population.CY1_BASELINE] == ("SH01-001", "SH01-002", "SH01-003")
    cy = a.endpoint("cytology-conversion").value
    assert isinstance(cy, BinaryValue)
    # 001 converted; 002 still CY1; 003 no second-look cytology (not converted, listed): 1/3.
    # R: binom.test(1, 3)$conf.int -> 0.00840375865961 0.90570067594975
    assert (cy.numerator_ids, cy.estimate.n) == (("SH01-001",), 3)
    assert cy.estimate.ci_upper == pytest.approx(0.90570067594975, abs=1e-12)
    assert [n.participant_id for n in cy.notes] == ["SH01-003"]
