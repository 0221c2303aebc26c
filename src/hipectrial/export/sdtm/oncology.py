"""TU, TR and RS: the tumour domains, built together because their links (TULNKID = TRLNKID,
TRLNKGRP = RSLNKGRP) come from one index of the assessments (:mod:`.tumour`).

:func:`relrec` states those links as SDTMIG 3.4 describes them (TU assumption 2, TR
assumption 2, RS assumption 4): two dataset-level relationships, TU TULNKID (ONE) to TR
TRLNKID (MANY), relation ``TUTR``, and RS RSLNKGRP (ONE) to TR TRLNKGRP (MANY), relation
``TRRS``; a relationship is written only when both datasets hold linked records.
:func:`build` returns RELREC after RS; its rows have no USUBJID (SDTMIG 3.4 §8.3, Relating Datasets), which
the conformance check (:mod:`.check`) accepts on dataset-level RELREC rows only.
"""

from __future__ import annotations

from hipectrial.data import TrialData
from hipectrial.export.sdtm.context import StudyContext
from hipectrial.export.sdtm.kit import EXP, REQ, C
from hipectrial.export.sdtm.model import CodeList, Dataset, Origin, Value, Variable
from hipectrial.export.sdtm.rs import build_rs
from hipectrial.export.sdtm.tr import build_tr
from hipectrial.export.sdtm.tu import build_tu
from hipectrial.export.sdtm.tumour import subject_tumours
from hipectrial.export.sdtm.visit_match import visit_index
from hipectrial.protocol import Protocol

_LINKS = (  # (relation, one side, many side): (domain, variable) pairs
    ("TUTR", ("TU", "TULNKID"), ("TR", "TRLNKID")),
    ("TRRS", ("RS", "RSLNKGRP"), ("TR", "TRLNKGRP")),
)


def _linked(dataset: Dataset, variable: str) -> bool:
    return any(value is not None for value in dataset.column(variable))


def relrec(studyid: str, datasets: dict[str, Dataset]) -> Dataset:
    """RELREC of the tumour domains' dataset-level relationships (see module)."""
    rows: list[tuple[Value, ...]] = []
    for relation, (one, one_var), (many, many_var) in _LINKS:
        if _linked(datasets[one], one_var) and _linked(datasets[many], many_var):
            rows.append((studyid, one, None, one_var, None, "ONE", relation))
            rows.append((studyid, many, None, many_var, None, "MANY", relation))
    assigned = Origin.ASSIGNED
    variables = (
        Variable("STUDYID", "Study Identifier", C, REQ, "Identifier", Origin.PROTOCOL),
        Variable("RDOMAIN", "Related Domain Abbreviation", C, REQ, "Identifier", assigned),
        Variable("USUBJID", "Unique Subject Identifier", C, EXP, "Identifier", assigned),
        Variable("IDVAR", "Identifying Variable", C, REQ, "Identifier", assigned),
        Variable("IDVARVAL", "Identifying Variable Value", C, EXP, "Identifier", assigned),
        Variable("RELTYPE", "Relationship Type", C, EXP, "Record Qualifier", assigned, codelist="RELTYPE"),
        Variable("RELID", "Relationship Identifier", C, REQ, "Record Qualifier", assigned),
    )
    reltype = CodeList("RELTYPE", "Relationship Type", C, (("ONE", "One"), ("MANY", "Many")))
    return Dataset(domain="RELREC", label="Related Records", observation_class="RELATIONSHIP",
                   structure="One record per related record, group of records or dataset",
                   keys=("STUDYID", "RDOMAIN", "USUBJID", "IDVAR", "IDVARVAL", "RELID"),
                   variables=variables, rows=tuple(rows), codelists=(reltype,))


def build(*, trial: TrialData, protocol: Protocol, study: StudyContext) -> tuple[Dataset, ...]:
    """TU, TR, RS (see :mod:`.tu`, :mod:`.tr`, :mod:`.rs` for every derivation) and the
    RELREC of their links (:func:`relrec`)."""
    subjects = subject_tumours(trial, visit_index(trial, protocol))
    ordered = [subjects[p.id] for p in trial.participants if p.id in subjects]
    tu = build_tu(protocol, study, ordered)
    tr = build_tr(protocol, study, ordered)
    rs = build_rs(trial, protocol, study, subjects)
    return tu, tr, rs, relrec(study.studyid, {"TU": tu, "TR": tr, "RS": rs})
