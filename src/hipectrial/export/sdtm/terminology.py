"""The CDISC Controlled Terminology the SDTM export uses: a small in-repo table.

Only the code lists (and, for the large extensible ones, only the terms) that our domains
emit are listed, each term with its NCI C-code, so that Define-XML can name them and the
conformance check can test values against them. The table was taken from the NCI EVS file
``SDTM Terminology.txt`` of the **SDTM CT 2025-03-25** release (columns Code, Codelist
Code, Codelist Extensible, Codelist Name, CDISC Submission Value); a newer release keeps
these codes unless CDISC retires a term (compare with the release notes when upgrading).

Note the Epoch codes of that release: SCREENING C202487 and FOLLOW-UP C202578 (older
releases gave C48262 and C99158).

Countries: ISO 3166-1, alpha-2 (``Site.country``) to alpha-3 (SDTM ``COUNTRY``), from the
ISO 3166 data of pycountry 26.2.16 (the standard's 249 current entries).

References
----------
CDISC SDTM Controlled Terminology, 2025-03-25 (NCI EVS); SDTMIG 3.4 §4.3 (controlled
terminology), §5.2 DM (COUNTRY: ISO 3166-1 alpha-3).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from hipectrial.errors import InputError
from hipectrial.export.sdtm.model import CodeList, VarType

CT_VERSION = "2025-03-25"
CT_NAME = f"SDTM CT {CT_VERSION}"


@dataclass(frozen=True, slots=True)
class Terminology:
    """One CDISC code list: its short name (``NY``), NCI code, name, whether sponsors may
    extend it, and its terms as (submission value, NCI C-code) pairs."""

    short: str
    nci_code: str
    name: str
    extensible: bool
    terms: tuple[tuple[str, str], ...]

    def code(self, value: str) -> str:
        """The NCI C-code of ``value``; ``KeyError`` when the table does not list it."""
        return dict(self.terms)[value]

    def __contains__(self, value: object) -> bool:
        return any(value == term for term, _ in self.terms)

    def codelist(self, *, values: Iterable[str] | None = None, extended: Iterable[str] = (),
                 decodes: Mapping[str, str] | None = None, codelist_id: str | None = None) -> CodeList:
        """This code list as a dataset's :class:`CodeList`: every term listed here, or the
        subset ``values`` (a subset keeps its terms in this table's order), plus sponsor
        terms ``extended`` (only for an extensible list).

        Raises
        ------
        InputError
            (field ``codelist``) for a value the table does not list, or an extension of a
            non-extensible list.
        """
        wanted = None if values is None else set(values)
        extra = tuple(dict.fromkeys(extended))
        if wanted is not None:
            unknown = sorted(wanted - {term for term, _ in self.terms} - set(extra))
            if unknown:
                raise InputError("codelist", unknown[0], f"a term of CDISC {self.short} "
                                 f"({self.nci_code}) in {CT_NAME}",
                                 "known: " + ", ".join(term for term, _ in self.terms))
        if extra and not self.extensible:
            raise InputError("codelist", extra[0], f"a term of the non-extensible CDISC {self.short}")
        listed = tuple((term, code) for term, code in self.terms if wanted is None or term in wanted)
        shown = decodes or {}
        return CodeList(
            id=codelist_id or self.short, name=self.name, data_type=VarType.CHAR,
            items=tuple((term, shown.get(term)) for term, _ in listed)
            + tuple((term, shown.get(term)) for term in extra),
            extensible=self.extensible, nci_code=self.nci_code, item_codes=listed, extended=extra,
        )


def _ct(short: str, nci_code: str, name: str, extensible: bool,
        terms: tuple[tuple[str, str], ...]) -> Terminology:
    return Terminology(short, nci_code, name, extensible, terms)


_TABLE: tuple[Terminology, ...] = (
    _ct("NY", "C66742", "No Yes Response", False, (
        ("N", "C49487"),
        ("NA", "C48660"),
        ("U", "C17998"),
        ("Y", "C49488"),
    )),
    _ct("SEX", "C66731", "Sex", False, (
        ("F", "C16576"),
        ("INTERSEX", "C45908"),
        ("M", "C20197"),
        ("U", "C17998"),
    )),
    _ct("AGEU", "C66781", "Age Unit", False, (
        ("YEARS", "C29848"),
    )),
    _ct("ROUTE", "C66729", "Route of Administration Response", True, (
        ("INTRAMUSCULAR", "C28161"),
        ("INTRAPERITONEAL", "C38258"),
        ("INTRAVENOUS", "C38276"),
        ("ORAL", "C38288"),
        ("SUBCUTANEOUS", "C38299"),
    )),
    _ct("EPOCH", "C99079", "Epoch", True, (
        ("SCREENING", "C202487"),
        ("TREATMENT", "C101526"),
        ("FOLLOW-UP", "C202578"),
    )),
    _ct("NCOMPLT", "C66727", "Completion/Reason for Non-Completion", True, (
        ("ADVERSE EVENT", "C41331"),
        ("COMPLETED", "C25250"),
        ("DEATH", "C28554"),
        ("DISEASE RELAPSE", "C38155"),
        ("LACK OF EFFICACY", "C48226"),
        ("LOST TO FOLLOW-UP", "C48227"),
        ("NON-COMPLIANCE WITH STUDY DRUG", "C49631"),
        ("PHYSICIAN DECISION", "C48250"),
        ("PREGNANCY", "C191656"),
        ("PROGRESSIVE DISEASE", "C35571"),
        ("PROTOCOL DEVIATION", "C50996"),
        ("SCREEN FAILURE", "C49628"),
        ("STUDY TERMINATED BY SPONSOR", "C49632"),
        ("WITHDRAWAL BY SUBJECT", "C49634"),
        ("WITHDRAWAL OF CONSENT", "C176342"),
    )),
    _ct("PROTMLST", "C114118", "Protocol Milestone", True, (
        ("ELIGIBILITY CRITERIA MET", "C132447"),
        ("ENTERED INTO TRIAL", "C161417"),
        ("INFORMED CONSENT OBTAINED", "C16735"),
    )),
    _ct("DSCAT", "C74558", "Category of Disposition Event", False, (
        ("DISPOSITION EVENT", "C74590"),
        ("OTHER EVENT", "C150824"),
        ("PROTOCOL MILESTONE", "C74588"),
    )),
    _ct("DSSCAT", "C170443", "Subcategory for Disposition Event", True, (
        ("STUDY PARTICIPATION", "C170569"),
        ("STUDY TREATMENT", "C170570"),
    )),
    _ct("ARMNULRS", "C142179", "Arm Null Reason", True, (
        ("ASSIGNED, NOT TREATED", "C142238"),
        ("NOT ASSIGNED", "C142239"),
        ("SCREEN FAILURE", "C49628"),
        ("UNPLANNED TREATMENT", "C142240"),
    )),
    _ct("FRM", "C66726", "Dosage Form", True, (
        ("CAPSULE", "C25158"),
        ("INJECTION", "C42946"),
        ("INJECTION, POWDER, LYOPHILIZED, FOR SOLUTION", "C42957"),
        ("INJECTION, SOLUTION", "C42945"),
        ("INJECTION, SOLUTION, CONCENTRATE", "C42899"),
        ("SOLUTION", "C42986"),
        ("TABLET", "C42998"),
    )),
    _ct("UNIT", "C71620", "Unit", True, (
        ("g", "C48155"),
        ("mg", "C28253"),
        ("mg/kg", "C67401"),
        ("mg/m2", "C67402"),
        ("mL", "C28254"),
    )),
    _ct("FREQ", "C71113", "Frequency", True, (
        ("BID", "C64496"),
        ("ONCE", "C64576"),
        ("QD", "C25473"),
        ("TID", "C64527"),
    )),
    _ct("IECAT", "C66797", "Category of Inclusion/Exclusion", False, (
        ("EXCLUSION", "C25370"),
        ("INCLUSION", "C25532"),
    )),
    _ct("BRDGMOOD", "C125923", "BRIDG Activity Mood", True, (
        ("PERFORMED", "C38000"),
        ("SCHEDULED", "C125937"),
    )),
    _ct("STYPE", "C99077", "Study Type Response", False, (
        ("EXPANDED ACCESS", "C98722"),
        ("INTERVENTIONAL", "C98388"),
        ("OBSERVATIONAL", "C16084"),
        ("PATIENT REGISTRY", "C129000"),
    )),
    _ct("TPHASE", "C66737", "Trial Phase Response", True, (
        ("EARLY PHASE I", "C54721"),
        ("NOT APPLICABLE", "C48660"),
        ("PHASE I TRIAL", "C15600"),
        ("PHASE I/II TRIAL", "C15693"),
        ("PHASE I/II/III TRIAL", "C198366"),
        ("PHASE I/III TRIAL", "C198367"),
        ("PHASE IA TRIAL", "C199990"),
        ("PHASE IB TRIAL", "C199989"),
        ("PHASE II TRIAL", "C15601"),
        ("PHASE II/III TRIAL", "C15694"),
        ("PHASE IIA TRIAL", "C49686"),
        ("PHASE IIB TRIAL", "C49688"),
        ("PHASE III TRIAL", "C15602"),
        ("PHASE IIIA TRIAL", "C49687"),
        ("PHASE IIIB TRIAL", "C49689"),
        ("PHASE IV TRIAL", "C15603"),
        ("PHASE V TRIAL", "C47865"),
    )),
    _ct("TBLIND", "C66735", "Trial Blinding Schema Response", True, (
        ("DOUBLE BLIND", "C15228"),
        ("OBSERVER BLIND", "C187674"),
        ("OPEN LABEL", "C49659"),
        ("OPEN LABEL TO TREATMENT AND DOUBLE BLIND TO IMP DOSE", "C156592"),
        ("SINGLE BLIND", "C28233"),
    )),
    _ct("TCNTRL", "C66785", "Control Type Response", True, (
        ("ACTIVE", "C49649"),
        ("DOSE RESPONSE", "C120841"),
        ("NONE", "C41132"),
        ("PLACEBO", "C49648"),
        ("SHAM", "C184727"),
    )),
    _ct("TINDTP", "C66736", "Trial Intent Type Response", True, (
        ("BASIC SCIENCE", "C15714"),
        ("CURE", "C49654"),
        ("DEVICE FEASIBILITY", "C139174"),
        ("DIAGNOSIS", "C49653"),
        ("DISEASE MODIFYING", "C170629"),
        ("HEALTH SERVICES RESEARCH", "C15245"),
        ("MITIGATION", "C49655"),
        ("PREVENTION", "C49657"),
        ("SCREENING", "C71485"),
        ("SUPPORTIVE CARE", "C71486"),
        ("TREATMENT", "C49656"),
    )),
    _ct("TTYPE", "C66739", "Trial Type Response", True, (
        ("DOSE FINDING", "C158289"),
        ("EFFICACY", "C49666"),
        ("SAFETY", "C49667"),
        ("TOLERABILITY", "C98791"),
    )),
    _ct("INTMODEL", "C99076", "Intervention Model Response", True, (
        ("CROSS-OVER", "C82637"),
        ("FACTORIAL", "C82638"),
        ("PARALLEL", "C82639"),
        ("SEQUENTIAL", "C142568"),
        ("SINGLE GROUP", "C82640"),
    )),
    _ct("INTTYPE", "C99078", "Intervention Type Response", False, (
        ("BEHAVIORAL THERAPY", "C15184"),
        ("BIOLOGIC", "C307"),
        ("COMBINATION PRODUCT", "C54696"),
        ("DEVICE", "C16830"),
        ("DIAGNOSTIC TEST", "C18020"),
        ("DIETARY SUPPLEMENT", "C1505"),
        ("DRUG", "C1909"),
        ("GENETIC", "C15238"),
        ("PROCEDURE", "C98769"),
        ("RADIATION", "C15313"),
    )),
    _ct("SEXPOP", "C66732", "Sex of Participants Response", False, (
        ("BOTH", "C49636"),
        ("F", "C16576"),
        ("M", "C20197"),
    )),
    _ct("TSPARMCD", "C66738", "Trial Summary Parameter Test Code", True, (
        ("ACTSUB", "C98703"),
        ("ADAPT", "C146995"),
        ("ADDON", "C49703"),
        ("AGEMAX", "C49694"),
        ("AGEMIN", "C49693"),
        ("DCUTDTC", "C98717"),
        ("FCNTRY", "C98770"),
        ("HLTSUBJI", "C98737"),
        ("INDIC", "C112038"),
        ("INTMODEL", "C98746"),
        ("INTTYPE", "C98747"),
        ("NARMS", "C98771"),
        ("OUTMSPRI", "C98772"),
        ("OUTMSSEC", "C98781"),
        ("PCLAS", "C98768"),
        ("PLANSUB", "C49692"),
        ("RANDOM", "C25196"),
        ("REGID", "C98714"),
        ("SDTIGVER", "C156604"),
        ("SDTMVER", "C156605"),
        ("SEXPOP", "C49696"),
        ("SPONSOR", "C70793"),
        ("SSTDTC", "C69208"),
        ("STOPRULE", "C49698"),
        ("STYPE", "C142175"),
        ("TBLIND", "C49658"),
        ("TCNTRL", "C49647"),
        ("TINDTP", "C49652"),
        ("TITLE", "C49802"),
        ("TPHASE", "C48281"),
        ("TRT", "C41161"),
        ("TTYPE", "C49660"),
    )),
)

CT: Mapping[str, Terminology] = MappingProxyType({t.short: t for t in _TABLE})

# Decodes shown in Define-XML for lists whose submission values are abbreviations.
DECODES: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "NY": MappingProxyType({"N": "No", "Y": "Yes", "U": "Unknown", "NA": "Not Applicable"}),
    "SEX": MappingProxyType({"F": "Female", "M": "Male", "U": "Unknown", "INTERSEX": "Intersex"}),
    "SEXPOP": MappingProxyType({"BOTH": "Both", "F": "Female", "M": "Male"}),
})

# TSPARMCD -> TSPARM (code list C67152, the same C-codes), for the parameters TS emits.
TSPARM: Mapping[str, str] = MappingProxyType({
    "ACTSUB": "Actual Number of Subjects", "ADAPT": "Adaptive Design",
    "ADDON": "Added on to Existing Treatments", "AGEMAX": "Planned Maximum Age of Subjects",
    "AGEMIN": "Planned Minimum Age of Subjects", "DCUTDTC": "Data Cutoff Date",
    "FCNTRY": "Planned Country of Investigational Sites", "HLTSUBJI": "Healthy Subject Indicator",
    "INDIC": "Trial Disease/Condition Indication", "INTMODEL": "Intervention Model",
    "INTTYPE": "Intervention Type", "NARMS": "Planned Number of Arms",
    "OUTMSPRI": "Primary Outcome Measure", "OUTMSSEC": "Secondary Outcome Measure",
    "PCLAS": "Pharmacologic Class", "PLANSUB": "Planned Number of Subjects",
    "RANDOM": "Trial is Randomized", "REGID": "Registry Identifier",
    "SDTIGVER": "SDTM IG Version", "SDTMVER": "SDTM Version", "SEXPOP": "Sex of Participants",
    "SPONSOR": "Clinical Study Sponsor", "SSTDTC": "Study Start Date",
    "STOPRULE": "Study Stop Rules", "STYPE": "Study Type", "TBLIND": "Trial Blinding Schema",
    "TCNTRL": "Control Type", "TINDTP": "Trial Intent Type", "TITLE": "Trial Title",
    "TPHASE": "Trial Phase Classification", "TRT": "Investigational Therapy or Treatment",
    "TTYPE": "Trial Type",
})


def terminology(short: str) -> Terminology:
    """The code list ``short`` (``NY``, ``NCOMPLT``…); ``KeyError`` if the table has none."""
    return CT[short]


# ISO 3166-1: alpha-2 followed by alpha-3, five letters per country.
_COUNTRIES = (
    "ADAND AEARE AFAFG AGATG AIAIA ALALB AMARM AOAGO AQATA ARARG ASASM ATAUT AUAUS AWABW "
    "AXALA AZAZE BABIH BBBRB BDBGD BEBEL BFBFA BGBGR BHBHR BIBDI BJBEN BLBLM BMBMU BNBRN "
    "BOBOL BQBES BRBRA BSBHS BTBTN BVBVT BWBWA BYBLR BZBLZ CACAN CCCCK CDCOD CFCAF CGCOG "
    "CHCHE CICIV CKCOK CLCHL CMCMR CNCHN COCOL CRCRI CUCUB CVCPV CWCUW CXCXR CYCYP CZCZE "
    "DEDEU DJDJI DKDNK DMDMA DODOM DZDZA ECECU EEEST EGEGY EHESH ERERI ESESP ETETH FIFIN "
    "FJFJI FKFLK FMFSM FOFRO FRFRA GAGAB GBGBR GDGRD GEGEO GFGUF GGGGY GHGHA GIGIB GLGRL "
    "GMGMB GNGIN GPGLP GQGNQ GRGRC GSSGS GTGTM GUGUM GWGNB GYGUY HKHKG HMHMD HNHND HRHRV "
    "HTHTI HUHUN IDIDN IEIRL ILISR IMIMN ININD IOIOT IQIRQ IRIRN ISISL ITITA JEJEY JMJAM "
    "JOJOR JPJPN KEKEN KGKGZ KHKHM KIKIR KMCOM KNKNA KPPRK KRKOR KWKWT KYCYM KZKAZ LALAO "
    "LBLBN LCLCA LILIE LKLKA LRLBR LSLSO LTLTU LULUX LVLVA LYLBY MAMAR MCMCO MDMDA MEMNE "
    "MFMAF MGMDG MHMHL MKMKD MLMLI MMMMR MNMNG MOMAC MPMNP MQMTQ MRMRT MSMSR MTMLT MUMUS "
    "MVMDV MWMWI MXMEX MYMYS MZMOZ NANAM NCNCL NENER NFNFK NGNGA NINIC NLNLD NONOR NPNPL "
    "NRNRU NUNIU NZNZL OMOMN PAPAN PEPER PFPYF PGPNG PHPHL PKPAK PLPOL PMSPM PNPCN PRPRI "
    "PSPSE PTPRT PWPLW PYPRY QAQAT REREU ROROU RSSRB RURUS RWRWA SASAU SBSLB SCSYC SDSDN "
    "SESWE SGSGP SHSHN SISVN SJSJM SKSVK SLSLE SMSMR SNSEN SOSOM SRSUR SSSSD STSTP SVSLV "
    "SXSXM SYSYR SZSWZ TCTCA TDTCD TFATF TGTGO THTHA TJTJK TKTKL TLTLS TMTKM TNTUN TOTON "
    "TRTUR TTTTO TVTUV TWTWN TZTZA UAUKR UGUGA UMUMI USUSA UYURY UZUZB VAVAT VCVCT VEVEN "
    "VGVGB VIVIR VNVNM VUVUT WFWLF WSWSM YEYEM YTMYT ZAZAF ZMZMB ZWZWE "
)
ALPHA3: Mapping[str, str] = MappingProxyType(
    {pair[:2]: pair[2:] for pair in _COUNTRIES.split()})


def country_alpha3(alpha2: str, *, where: str) -> str:
    """The ISO 3166-1 alpha-3 code of an alpha-2 country code (``CN`` -> ``CHN``).

    >>> country_alpha3("CN", where="sites[0].country")
    'CHN'

    Raises
    ------
    InputError
        (field ``where``) for a code ISO 3166-1 does not list.
    """
    try:
        return ALPHA3[alpha2.upper()]
    except KeyError:
        raise InputError(where, alpha2, "an ISO 3166-1 alpha-2 country code (e.g. CN)") from None
