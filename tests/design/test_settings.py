"""The one constructor of a protocol's BOIN and Simon designs (protocol-decisions.md "Study":
BOIN target 0.30, phi1 0.18, phi2 0.42, cohorts of 3, at most 6 (18), stop at 9 on the
recommended dose, elimination cut-off 0.95; Simon optimal 3/13, 12/43)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from hipectrial.design import BoundaryConvention, boin_design, boin_design_of, simon_design_of
from hipectrial.errors import InputError
from hipectrial.protocol import load_protocol

SEED = load_protocol()


def test_seed_boin_is_the_reference_design() -> None:
    assert boin_design_of(SEED.dose_finding.design) == boin_design(
        target=0.30, phi1=0.18, phi2=0.42, cutoff=0.95, min_n_eliminate=3, stop_n_at_dose=9, max_n=18)


def test_boin_follows_the_settings() -> None:
    settings = SEED.dose_finding.design.model_copy(update={"target": 0.25, "phi1": 0.15, "phi2": 0.35,
                                                           "stop_n_at_dose": 12})
    design = boin_design_of(settings)
    assert (design.target, design.phi1, design.phi2, design.stop_n_at_dose) == (0.25, 0.15, 0.35, 12)


def test_seed_simon_is_3_of_13_then_12_of_43() -> None:
    d = simon_design_of(SEED.statistics.primary)
    assert (d.r1, d.n1, d.r, d.n) == (3, 13, 12, 43)


def test_simon_settings_are_checked() -> None:
    primary = SEED.statistics.primary
    bad = primary.model_copy(update={"stage1": primary.stage1.model_copy(update={"r": 13})})
    with pytest.raises(InputError):
        simon_design_of(bad)


def test_seed_boin_counts_boundaries_as_r_boin_2_7_2() -> None:
    # the seed protocol states no boundary_convention: the model's default is R BOIN 2.7.2
    assert SEED.dose_finding.design.boundary_convention == "boin-2.7.2"
    assert boin_design_of(SEED.dose_finding.design).convention is BoundaryConvention.BOIN_2_7_2


def test_boin_follows_the_settings_boundary_convention() -> None:
    settings = SEED.dose_finding.design.model_copy(update={"boundary_convention": "paper"})
    assert boin_design_of(settings).convention is BoundaryConvention.PAPER


def test_protocol_rejects_an_unknown_boundary_convention() -> None:
    data = SEED.dose_finding.design.model_dump()
    with pytest.raises(ValidationError, match="boundary_convention"):
        type(SEED.dose_finding.design).model_validate({**data, "boundary_convention": "boin-2.6"})
