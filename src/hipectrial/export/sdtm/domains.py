"""The registry of SDTM domain builders and :func:`build_sdtm`, which runs them all.

Each builder (:data:`hipectrial.export.sdtm.model.Builder`) takes the trial, its protocol
and the per-subject reference dates, and returns its dataset(s). :data:`BUILDERS` is the
order the datasets are written and described in Define-XML; a new domain module adds its
``build`` at the end of the tuple.
"""

from __future__ import annotations

from hipectrial.data import TrialData
from hipectrial.errors import InputError
from hipectrial.export.sdtm import (
    ae,
    dm,
    ds,
    exposure,
    lb,
    oncology,
    pr,
    sv,
    trial_arms,
    trial_criteria,
    trial_summary,
    trial_visits,
    vs,
)
from hipectrial.export.sdtm.context import study_context
from hipectrial.export.sdtm.model import Builder, Dataset
from hipectrial.protocol import Protocol

BUILDERS: tuple[Builder, ...] = (
    trial_arms.build,       # TA, TE
    trial_visits.build,     # TV
    trial_criteria.build,   # TI
    trial_summary.build,    # TS
    dm.build,               # DM, SUPPDM
    ds.build,               # DS
    sv.build,               # SV
    exposure.build,         # EX, EC
    ae.build,               # AE, SUPPAE
    pr.build,               # PR, SUPPPR
    lb.build,               # LB
    vs.build,               # VS
    oncology.build,         # TU, TR, RS, RELREC
)


def build_sdtm(trial: TrialData, protocol: Protocol,
               builders: tuple[Builder, ...] = BUILDERS) -> tuple[Dataset, ...]:
    """Every SDTM dataset of ``trial``, in the order of ``builders``.

    Examples
    --------
    >>> from hipectrial.protocol import load_protocol
    >>> from hipectrial.simulate import load_scenario, simulate
    >>> trial = simulate(load_protocol(), load_scenario("default"), seed=1, participants=2)
    >>> [d.domain for d in build_sdtm(trial, load_protocol())][:7]
    ['TA', 'TE', 'TV', 'TI', 'TS', 'DM', 'SUPPDM']

    Raises
    ------
    InputError
        (field ``domain``) when two builders make a dataset of the same name; a builder's
        own ``InputError`` names the record and value it could not export.
    """
    study = study_context(trial, protocol)
    datasets: list[Dataset] = []
    for builder in builders:
        datasets.extend(builder(trial=trial, protocol=protocol, study=study))
    names = [d.domain for d in datasets]
    for name in names:
        if names.count(name) > 1:
            raise InputError("domain", name, "one dataset per domain name")
    return tuple(datasets)
