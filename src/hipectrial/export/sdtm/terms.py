"""Controlled terminology of the AE, LB, VS, TU/TR/RS and PR domains: a small table of the
CDISC submission values these domains write, with the NCI codes of their code lists.

The protocol decides first: a code-list item's ``submission_value`` in the protocol is the
value written. Where the protocol gives none, the tables below map the protocol's (or the
data layer's) codes to CDISC submission values. A code the tables do not know is refused
by name, never passed through: add it here (with its source) or give the protocol a
``submission_value``.

Code list NCI codes are those printed in the SDTMIG 3.4 domain specifications; a code list
the specification names without a code (TRTESTCD, TRTEST) carries none rather than a guess.
Unlike :mod:`.terminology` (NY, EPOCH, UNIT ... with each term's NCI code, from the NCI EVS
file of SDTM CT 2025-03-25), these lists give no term codes: the values below are CDISC
submission values as the SDTMIG and CT publish them, not copied from that file. Sponsor
lists (CTCAE grades, LBCAT, the PCI lesion-size test) have no NCI code.

References
----------
CDISC SDTM Controlled Terminology 2025-03-25: OUT (C66768), NY (C66742), ACN
(C66767), EPOCH (C99079), LBTESTCD (C65047), LBTEST (C67154), UNIT (C71620), NRIND (C78736),
VSTESTCD (C66741), VSTEST (C67153), VSRESU (C66770), TUTESTCD (C96784), TUTEST (C96783),
TUIDRS (C123650), LOC (C74456), METHOD (C85492), EVAL (C78735), ONCRTSCD (C96782), ONCRTS
(C96781), ONCRSR (C96785), ND (C66789). SDTMIG 3.4 §6.2.1 AE, §6.3.5.6 LB, §6.3.13 VS, §6.3.12
TU/TR, §6.3.9.3 RS, §6.1.5 PR.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from hipectrial.clinical.engine_cache import per_protocol
from hipectrial.errors import InputError
from hipectrial.export.sdtm.model import CodeList, VarType
from hipectrial.protocol import Protocol

C = VarType.CHAR

NOT_DONE = CodeList("ND", "Not Done", C, (("NOT DONE", "Not Done"),), nci_code="C66789")
EVALUATOR = CodeList("EVAL", "Evaluator", C, (("INVESTIGATOR", "Investigator"),), extensible=True,
                     nci_code="C78735")


def _table(pairs: Iterable[tuple[str, str | None]]) -> Mapping[str, str | None]:
    return MappingProxyType(dict(pairs))


# AE outcome (protocol code list ``ae-outcome`` = data layer AeOutcome) -> OUT (C66768).
AE_OUTCOME = _table((
    ("recovered", "RECOVERED/RESOLVED"), ("recovering", "RECOVERING/RESOLVING"),
    ("not_recovered", "NOT RECOVERED/NOT RESOLVED"),
    ("recovered_with_sequelae", "RECOVERED/RESOLVED WITH SEQUELAE"), ("fatal", "FATAL"),
    ("unknown", "UNKNOWN"),
))
# NCI CTEP five-point attribution (protocol code list ``attribution``) -> the relationship
# terms SDTMIG 3.4 AE lists for AEREL from ICH E2A/E2B ("NOT RELATED", "POSSIBLY RELATED" ...).
ATTRIBUTION = _table((
    ("unrelated", "NOT RELATED"), ("unlikely", "UNLIKELY RELATED"), ("possible", "POSSIBLY RELATED"),
    ("probable", "PROBABLY RELATED"), ("definite", "DEFINITELY RELATED"),
))
# RECIST 1.1 responses (protocol code list ``recist-response``) -> ONCRSR (C96785).
RESPONSE = _table((
    ("CR", "CR"), ("PR", "PR"), ("SD", "SD"), ("PD", "PD"), ("NE", "NE"),
    ("non-CR-non-PD", "NON-CR/NON-PD"),
))
# Lesion organ (protocol code list ``lesion-organ``) -> LOC (C74456). Ascites is disease in
# the peritoneal cavity; "other" names no location, so TULOC stays empty for it.
ORGAN = _table((
    ("stomach", "STOMACH"), ("peritoneum", "PERITONEUM"), ("omentum", "OMENTUM"), ("ovary", "OVARY"),
    ("lymph_node", "LYMPH NODE"), ("liver", "LIVER"), ("lung", "LUNG"), ("pleura", "PLEURA"),
    ("bone", "BONE"), ("adrenal", "ADRENAL GLAND"), ("abdominal_wall", "ABDOMINAL WALL"),
    ("ascites", "PERITONEAL CAVITY"), ("other", None),
))
PERITONEAL_CAVITY = "PERITONEAL CAVITY"
# Assessment method (data layer AssessmentMethod; protocol code list ``assessment-method`` for
# the imaging ones) -> METHOD (C85492).
METHOD = _table((
    ("ct", "CT SCAN"), ("mri", "MRI"), ("pet_ct", "PET/CT SCAN"), ("x_ray", "X-RAY"),
    ("clinical", "PHYSICAL EXAMINATION"), ("laparoscopy", "LAPAROSCOPY"), ("laparotomy", "LAPAROTOMY"),
))
CYTOLOGY_METHOD = "CYTOLOGY"

# LBTESTCD (C65047) -> LBTEST (C67154) and the sponsor's LBCAT.
LAB_TESTS: Mapping[str, tuple[str, str]] = MappingProxyType({
    "WBC": ("Leukocytes", "HEMATOLOGY"), "NEUT": ("Neutrophils", "HEMATOLOGY"),
    "LYM": ("Lymphocytes", "HEMATOLOGY"), "HGB": ("Hemoglobin", "HEMATOLOGY"),
    "PLAT": ("Platelets", "HEMATOLOGY"),
    "ALT": ("Alanine Aminotransferase", "CHEMISTRY"), "AST": ("Aspartate Aminotransferase", "CHEMISTRY"),
    "ALP": ("Alkaline Phosphatase", "CHEMISTRY"), "BILI": ("Bilirubin", "CHEMISTRY"),
    "CREAT": ("Creatinine", "CHEMISTRY"), "K": ("Potassium", "CHEMISTRY"), "SODIUM": ("Sodium", "CHEMISTRY"),
    "ALB": ("Albumin", "CHEMISTRY"), "INR": ("Prothrombin Intl. Normalized Ratio", "COAGULATION"),
})
# VSTESTCD (C66741) -> VSTEST (C67153).
VITAL_TESTS: Mapping[str, str] = MappingProxyType({
    "HEIGHT": "Height", "WEIGHT": "Weight", "SYSBP": "Systolic Blood Pressure",
    "DIABP": "Diastolic Blood Pressure", "HR": "Heart Rate", "PULSE": "Pulse Rate",
    "TEMP": "Temperature", "RESP": "Respiratory Rate", "OXYSAT": "Oxygen Saturation",
})
# A unit as the protocol writes it -> UNIT (C71620) / VSRESU (C66770). The INR is a ratio
# without unit: its --ORRESU and --STRESU stay empty (SDTMIG 3.4 §4.5.1: a unitless result).
UNITS = _table((
    ("10^9/L", "10^9/L"), ("g/L", "g/L"), ("g/dL", "g/dL"), ("U/L", "U/L"), ("umol/L", "umol/L"),
    ("mg/dL", "mg/dL"), ("mmol/L", "mmol/L"), ("mEq/L", "mEq/L"), ("/mm3", "/mm3"), ("ratio", None),
    ("cm", "cm"), ("kg", "kg"), ("mmHg", "mmHg"), ("beats/min", "beats/min"), ("degC", "C"),
    ("breaths/min", "breaths/min"), ("%", "%"), ("mm", "mm"),
))


def submission_value(protocol: Protocol, codelist_id: str, code: str, table: Mapping[str, str | None],
                     *, variable: str) -> str | None:
    """The value written for ``code``: the protocol code list's ``submission_value`` when it
    gives one, else the table's; a code the table does not know is refused.

    ``None`` is a table's deliberate "no value" (an organ "other" has no TULOC).
    """
    given = _submission_values(protocol).get(codelist_id, {})
    if code in given:
        return given[code]
    if code not in table:
        known = ", ".join(sorted(table))
        raise InputError(variable, code, f"a code with an SDTM submission value ({known})",
                         f"give code list {codelist_id!r} a submission_value for it in the protocol, "
                         "or add it to hipectrial/export/sdtm/terms.py")
    return table[code]


def _submission_values(protocol: Protocol) -> Mapping[str, Mapping[str, str]]:
    """code list id -> code -> the submission value the protocol gives (once per protocol)."""
    def compute() -> Mapping[str, Mapping[str, str]]:
        return {c.id: {i.code: i.submission_value for i in c.items if i.submission_value is not None}
                for c in protocol.codelists}

    return per_protocol(protocol, "export.sdtm.submission_values", compute)


def unit(protocol_unit: str | None, *, variable: str, where: str) -> str | None:
    """The CDISC unit of a unit the protocol or a record writes; refused if unknown."""
    if protocol_unit is None:
        return None
    if protocol_unit not in UNITS:
        raise InputError(variable, protocol_unit, f"a unit with a CDISC UNIT submission value "
                                                  f"({', '.join(u for u in UNITS)})", where)
    return UNITS[protocol_unit]


def codelist_of(table_id: str, name: str, values: Iterable[str | None], *, nci_code: str | None,
                extensible: bool, decodes: Mapping[str, str] | None = None,
                extended: Iterable[str] = ()) -> CodeList:
    """A code list of the values a domain can write (each once, in first-seen order);
    ``extended`` names the sponsor's terms in an extensible CDISC list."""
    seen: dict[str, None] = {}
    for value in values:
        if value is not None:
            seen.setdefault(value, None)
    items = tuple((value, (decodes or {}).get(value)) for value in seen)
    return CodeList(table_id, name, C, items, extensible=extensible, nci_code=nci_code,
                    extended=tuple(v for v in extended if v in seen))


def code_text(protocol: Protocol, codelist_id: str, code: str, *, variable: str) -> str:
    """The text written for a protocol code whose SDTM value is the protocol's own wording: the
    item's ``submission_value``, else its English label; a code not in the list is refused."""
    codelist = {c.id: c for c in protocol.codelists}.get(codelist_id)
    if codelist is None:
        raise InputError(variable, code, f"a code of code list {codelist_id!r}, which the protocol "
                                         "does not have")
    for item in codelist.items:
        if item.code == code:
            return item.submission_value if item.submission_value is not None else item.label.en
    raise InputError(variable, code, f"a code of the protocol's code list {codelist_id!r} "
                                     f"({', '.join(codelist.codes)})")
