"""TI (Trial Inclusion/Exclusion Criteria): one record per eligibility criterion.

``IETESTCD`` is the criterion's protocol id in capitals without punctuation (``I01``,
``E12``) when that is a valid SAS name of at most 8 characters starting with a letter;
otherwise ``INCL``/``EXCL`` and its position among the criteria of its kind
(``INCL01``). ``IETEST`` is the English text (refused, not cut, beyond 200 characters);
``TIRL`` the protocol's CEL expression, the rule the software evaluates; ``IESCAT`` names
the cohorts a criterion is limited to.

References
----------
SDTMIG 3.4 §7.4.1 (TI: IETESTCD <= 8 characters, IETEST <= 200, IECAT INCLUSION/EXCLUSION).
"""

from __future__ import annotations

import re

from hipectrial.data import TrialData
from hipectrial.errors import InputError
from hipectrial.export.sdtm.context import StudyContext
from hipectrial.export.sdtm.model import CodeList, Dataset, Origin, Value, Variable, VarType
from hipectrial.export.sdtm.terminology import terminology
from hipectrial.export.sdtm.variables import (
    GROUPING,
    PERM,
    REQ,
    RULE,
    SYNONYM,
    TOPIC,
    build_dataset,
    domain_var,
    studyid,
)
from hipectrial.protocol import Protocol

CHAR = VarType.CHAR
TEXT_MAX = 200  # SDTMIG 3.4 §7.4.1: IETEST is limited to 200 characters
_SAS_NAME = re.compile(r"[A-Z][A-Z0-9_]{0,7}")


def criterion_codes(protocol: Protocol) -> dict[str, str]:
    """Criterion id -> IETESTCD (module docstring).

    >>> from hipectrial.protocol import load_protocol
    >>> codes = criterion_codes(load_protocol())
    >>> codes["I01"], codes["E12"]
    ('I01', 'E12')

    Raises
    ------
    InputError
        (field ``IETESTCD``) when two criteria would get the same code.
    """
    found: dict[str, str] = {}
    counts = {"inclusion": 0, "exclusion": 0}
    for criterion in protocol.eligibility:
        counts[criterion.kind] += 1
        code = re.sub(r"[^A-Za-z0-9_]", "", criterion.id).upper()
        if not _SAS_NAME.fullmatch(code):
            code = f"{'INCL' if criterion.kind == 'inclusion' else 'EXCL'}{counts[criterion.kind]:02d}"
        if code in found.values():
            raise InputError("IETESTCD", code, "one code per eligibility criterion",
                             f"criterion {criterion.id} repeats it")
        found[criterion.id] = code
    return found


def build(*, trial: TrialData, protocol: Protocol, study: StudyContext) -> tuple[Dataset, ...]:
    """TI in the protocol's order of criteria."""
    codes = criterion_codes(protocol)
    cohort_labels = {c.id: c.label.en for c in protocol.cohorts}
    records: list[dict[str, Value]] = []
    for criterion in protocol.eligibility:
        text = criterion.text.en
        if len(text) > TEXT_MAX:
            raise InputError(f"eligibility[{criterion.id}].text.en", text,
                             f"at most {TEXT_MAX} characters (SDTM IETEST)", f"it has {len(text)}")
        records.append({
            "STUDYID": study.studyid, "DOMAIN": "TI", "IETESTCD": codes[criterion.id],
            "IETEST": text, "IECAT": criterion.kind.upper(),
            "IESCAT": ", ".join(cohort_labels.get(c, c) for c in criterion.cohorts) + " only"
            if criterion.cohorts else None,
            "TIRL": criterion.expression.source, "TIVERS": protocol.study.version,
        })
    order = {codes[c.id]: i for i, c in enumerate(protocol.eligibility)}
    variables = (
        studyid(), domain_var(),
        Variable("IETESTCD", "Incl/Excl Criterion Short Name", CHAR, REQ, TOPIC, Origin.DERIVED,
                 codelist="IETESTCD",
                 derivation="The protocol criterion id in capitals without punctuation, or "
                            "INCL/EXCL and its position when that is not a valid name."),
        Variable("IETEST", "Inclusion/Exclusion Criterion", CHAR, REQ, SYNONYM, Origin.PROTOCOL),
        Variable("IECAT", "Inclusion/Exclusion Category", CHAR, REQ, GROUPING, Origin.PROTOCOL,
                 codelist="IECAT"),
        Variable("IESCAT", "Inclusion/Exclusion Subcategory", CHAR, PERM, GROUPING, Origin.PROTOCOL),
        Variable("TIRL", "Inclusion/Exclusion Criterion Rule", CHAR, PERM, RULE, Origin.PROTOCOL,
                 comment="The protocol's CEL expression of the criterion."),
        Variable("TIVERS", "Protocol Criteria Versions", CHAR, PERM, RULE, Origin.PROTOCOL),
    )
    criteria = CodeList("IETESTCD", "Incl/Excl Criterion Short Name", CHAR,
                        tuple((codes[c.id], c.text.en) for c in protocol.eligibility))
    return (build_dataset(
        domain="TI", label="Trial Inclusion/Exclusion Criteria", observation_class="TRIAL DESIGN",
        structure="One record per I/E criterion", keys=("STUDYID", "IETESTCD"),
        variables=variables, records=records,
        codelists=(criteria, terminology("IECAT").codelist()),
        sort_key=lambda r: (order[str(r["IETESTCD"])],)),)
