"""The SDTMIG 3.4 core designations the conformance check holds datasets to.

For each domain we emit, the **required** variables (must be present and never empty) and
the **expected** ones (must be present, may be empty), as the SDTMIG 3.4 domain
specification tables give them (columns "Variable Name" and "Core"). Permissible variables
are not listed: their absence is never a finding. ``SUPP--`` datasets follow §8.4.1.

Domains other helpers build (AE, LB, VS, TU, TR, RS, PR) list their required variables; a
domain module that adds a domain adds its row here. A domain missing from the table is
checked for the identifiers every subject-level dataset has (STUDYID, DOMAIN, USUBJID,
--SEQ) and for the core its own variables declare.

References
----------
CDISC SDTMIG 3.4 (2021-11-29): §5 (DM, SV), §6.1 (EC, EX), §6.2 (AE, DS), §6.3 (LB, VS,
TU, TR, RS), §6.1 (PR), §7.2-7.6 (TA, TE, TV, TI, TS), §8.2 (RELREC), §8.4.1 (SUPPQUAL).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

_SUPP_REQ = ("STUDYID", "RDOMAIN", "USUBJID", "QNAM", "QLABEL", "QVAL", "QORIG")
_SUPP_EXP = ("IDVAR", "IDVARVAL", "QEVAL")

# domain -> (required, expected)
_TABLE: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "DM": (("STUDYID", "DOMAIN", "USUBJID", "SUBJID", "SITEID", "SEX", "COUNTRY"),
           ("RFSTDTC", "RFENDTC", "RFXSTDTC", "RFXENDTC", "RFICDTC", "RFPENDTC", "DTHDTC", "DTHFL",
            "AGE", "AGEU", "RACE", "ARMCD", "ARM", "ACTARMCD", "ACTARM", "ARMNRS", "ACTARMUD")),
    "DS": (("STUDYID", "DOMAIN", "USUBJID", "DSSEQ", "DSTERM", "DSDECOD"),
           ("DSCAT", "DSSTDTC")),
    "SV": (("STUDYID", "DOMAIN", "USUBJID", "VISITNUM"),
           ("SVSTDTC", "SVENDTC")),
    "EX": (("STUDYID", "DOMAIN", "USUBJID", "EXSEQ", "EXTRT"),
           ("EXDOSE", "EXDOSU", "EXDOSFRM", "EXSTDTC", "EXENDTC")),
    "EC": (("STUDYID", "DOMAIN", "USUBJID", "ECSEQ", "ECTRT"),
           ("ECDOSE", "ECDOSU", "ECDOSFRM", "ECSTDTC", "ECENDTC")),
    "TA": (("STUDYID", "DOMAIN", "ARMCD", "ARM", "TAETORD", "ETCD", "EPOCH"),
           ("TABRANCH", "TATRANS")),
    "TE": (("STUDYID", "DOMAIN", "ETCD", "ELEMENT", "TESTRL"), ()),
    "TV": (("STUDYID", "DOMAIN", "VISITNUM", "TVSTRL"), ("ARMCD",)),
    "TI": (("STUDYID", "DOMAIN", "IETESTCD", "IETEST", "IECAT"), ()),
    "TS": (("STUDYID", "DOMAIN", "TSSEQ", "TSPARMCD", "TSPARM"),
           ("TSVAL", "TSVALCD", "TSVCDREF", "TSVCDVER")),
    # AE: the MedDRA hierarchy variables (AELLT ... AESOCCD) are expected only for MedDRA
    # coding (AE assumption 12); this study does not code in MedDRA.
    "AE": (("STUDYID", "DOMAIN", "USUBJID", "AESEQ", "AETERM", "AEDECOD"),
           ("AEBODSYS", "AESER", "AEACN", "AEREL", "AESTDTC", "AEENDTC")),
    "LB": (("STUDYID", "DOMAIN", "USUBJID", "LBSEQ", "LBTESTCD", "LBTEST"),
           ("LBCAT", "LBORRES", "LBORRESU", "LBORNRLO", "LBORNRHI", "LBSTRESC", "LBSTRESN", "LBSTRESU",
            "LBSTNRLO", "LBSTNRHI", "LBNRIND", "LBLOBXFL", "VISITNUM", "LBDTC")),
    "VS": (("STUDYID", "DOMAIN", "USUBJID", "VSSEQ", "VSTESTCD", "VSTEST"),
           ("VSORRES", "VSORRESU", "VSSTRESC", "VSSTRESN", "VSSTRESU", "VSLOBXFL", "VISITNUM", "VSDTC")),
    "TU": (("STUDYID", "DOMAIN", "USUBJID", "TUSEQ", "TULNKID", "TUTESTCD", "TUTEST"),
           ("TUORRES", "TUSTRESC", "TULOC", "TUMETHOD", "TULOBXFL", "TUEVAL", "VISITNUM", "TUDTC")),
    "TR": (("STUDYID", "DOMAIN", "USUBJID", "TRSEQ", "TRTESTCD", "TRTEST"),
           ("TRLNKID", "TRORRES", "TRORRESU", "TRSTRESC", "TRSTRESN", "TRSTRESU", "TRMETHOD", "TREVAL",
            "VISITNUM", "TRDTC")),
    "RS": (("STUDYID", "DOMAIN", "USUBJID", "RSSEQ", "RSTESTCD", "RSTEST"),
           ("RSCAT", "RSORRES", "RSSTRESC", "VISITNUM", "RSDTC")),
    "PR": (("STUDYID", "DOMAIN", "USUBJID", "PRSEQ", "PRTRT"), ("PRSTDTC",)),
    # RELREC (SDTMIG 3.4 §8.2): USUBJID and IDVARVAL are empty on a dataset-level relationship.
    "RELREC": (("STUDYID", "RDOMAIN", "IDVAR", "RELID"), ("USUBJID", "IDVARVAL", "RELTYPE")),
}

CORES: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = MappingProxyType(_TABLE)
# Trial design datasets: no subjects, so no USUBJID, --SEQ per subject or link to DM.
TRIAL_DESIGN = frozenset({"TA", "TE", "TV", "TI", "TS"})


def cores(domain: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(required, expected) variables of a dataset named ``domain`` (``SUPPDM`` ->
    the SUPPQUAL structure); a domain not in the table: the subject identifiers and
    ``--SEQ``, nothing expected.

    >>> cores("SUPPAE")[0][:3]
    ('STUDYID', 'RDOMAIN', 'USUBJID')
    """
    if domain.startswith("SUPP") and len(domain) > 4:
        return _SUPP_REQ, _SUPP_EXP
    if domain in CORES:
        return CORES[domain]
    return ("STUDYID", "DOMAIN", "USUBJID", f"{domain}SEQ"), ()
