"""English and Simplified Chinese labels of the typed tables, their columns and the data
layer's vocabularies: the one table of labels the exports use where the protocol has none.

CRF tables take their labels from the protocol (forms, fields, code lists); so do codes
that a protocol code list also holds (see :mod:`hipectrial.export.table_defs`).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from hipectrial.clinical.surgery.peritoneum import PCI_REGION_NAMES
from hipectrial.data.vocab import (
    AeOutcome,
    AssessmentMethod,
    Attribution,
    CcScore,
    ClavienDindo,
    Cytology,
    LesionRole,
    LesionStatus,
    ResidualTumour,
    Sex,
    SourceKind,
    VitalStatus,
)

Labels = tuple[str, str]  # (English, Simplified Chinese)

TABLE_LABELS: Mapping[str, Labels] = MappingProxyType({
    "trial": ("Trial", "试验"),
    "sites": ("Sites", "研究中心"),
    "participants": ("Participants", "受试者"),
    "visits": ("Visits", "访视"),
    "doses": ("Dose administrations", "给药记录"),
    "adverse_events": ("Adverse events", "不良事件"),
    "lab_results": ("Laboratory results", "实验室检查结果"),
    "tumour_assessments": ("Tumour assessments", "肿瘤评估"),
    "lesions": ("Lesions (RECIST 1.1)", "病灶（RECIST 1.1）"),
    "surgeries": ("Operations", "手术"),
    "complications": ("Post-operative complications", "术后并发症"),
    "follow_ups": ("Follow-up contacts", "随访"),
})

# Column labels by column name; COLUMN_LABELS_IN gives a table's own wording where a name
# means something more precise there.
COLUMN_LABELS: Mapping[str, Labels] = MappingProxyType({
    "protocol_id": ("Protocol ID", "方案编号"),
    "protocol_version": ("Protocol version", "方案版本"),
    "generated_at": ("Data cut-off (time the data were taken)", "数据截止时间（数据提取时间）"),
    "source_kind": ("Data source", "数据来源"),
    "source_description": ("Data source description", "数据来源说明"),
    "site_id": ("Site ID", "研究中心编号"),
    "name": ("Site name", "研究中心名称"),
    "country": ("Country (ISO 3166-1 alpha-2)", "国家（ISO 3166-1 二字母代码）"),
    "city": ("City", "城市"),
    "principal_investigator": ("Principal investigator", "主要研究者"),
    "activation_date": ("Site activation date", "中心启动日期"),
    "participant_id": ("Participant ID", "受试者编号"),
    "seq": ("Sequence number", "序号"),
    "sex": ("Sex", "性别"),
    "birth_date": ("Date of birth", "出生日期"),
    "consent_date": ("Date of informed consent", "签署知情同意书日期"),
    "registration_date": ("Registration date", "入组日期"),
    "cohort": ("Cohort", "队列"),
    "dose_level": ("Dose level", "剂量水平"),
    "off_treatment_date": ("End of treatment date", "治疗结束日期"),
    "off_treatment_reason": ("Reason for end of treatment", "治疗结束原因"),
    "off_study_date": ("End of study date", "研究结束日期"),
    "off_study_reason": ("Reason for end of study", "研究结束原因"),
    "visit_id": ("Visit", "访视"),
    "visit_repeat": ("Visit occurrence", "访视次数"),
    "repeat": ("Record number within the visit", "本次访视内记录序号"),
    "planned_date": ("Planned date", "计划日期"),
    "actual_date": ("Actual date", "实际日期"),
    "agent": ("Agent", "药物"),
    "date": ("Date", "日期"),
    "prescribed": ("Dose prescribed", "处方剂量"),
    "given": ("Dose given", "实际给药剂量"),
    "unit": ("Unit", "单位"),
    "phase": ("Treatment phase", "治疗阶段"),
    "cycle": ("Cycle", "周期"),
    "day": ("Day of cycle", "周期内第几天"),
    "change_reason": ("Reason for dose change", "剂量调整原因"),
    "term": ("Adverse event term (CTCAE v5.0)", "不良事件术语（CTCAE 5.0版）"),
    "grade": ("CTCAE grade", "CTCAE分级"),
    "onset_date": ("Onset date", "发生日期"),
    "resolution_date": ("Resolution date", "结束日期"),
    "serious": ("Serious adverse event", "严重不良事件"),
    "dlt": ("Dose-limiting toxicity", "剂量限制性毒性"),
    "immune_related": ("Immune-related", "免疫相关"),
    "led_to_discontinuation": ("Led to discontinuation of study treatment", "导致停止研究治疗"),
    "outcome": ("Outcome", "转归"),
    "test_code": ("Test code (CDISC LBTESTCD)", "检查项目代码（CDISC LBTESTCD）"),
    "value": ("Result", "结果"),
    "reference_lower": ("Reference range, lower limit", "参考范围下限"),
    "reference_upper": ("Reference range, upper limit", "参考范围上限"),
    "method": ("Assessment method", "评估方法"),
    "cytology": ("Peritoneal lavage cytology", "腹腔灌洗液细胞学"),
    "assessment_seq": ("Tumour assessment sequence number", "肿瘤评估序号"),
    "lesion_id": ("Lesion ID", "病灶编号"),
    "site": ("Lesion site (organ)", "病灶部位（器官）"),
    "role": ("RECIST 1.1 role", "RECIST 1.1 病灶类别"),
    "nodal": ("Lymph node lesion", "淋巴结病灶"),
    "measurement_mm": ("Measurement (longest diameter; short axis for a node)",
                       "测量值（最长径；淋巴结为短径）"),
    "status": ("Lesion status", "病灶状态"),
    "procedure": ("Operation", "手术名称"),
    "r_status": ("Residual tumour (R classification)", "残留肿瘤（R分类）"),
    "cc_score": ("Completeness of cytoreduction (CC score)", "细胞减灭完全程度（CC评分）"),
    "pathology": ("Pathology of the specimen recorded", "已记录标本病理结果"),
    "pathology_ypt": ("Pathology: ypT category", "病理：ypT分期"),
    "pathology_ypn": ("Pathology: ypN category", "病理：ypN分期"),
    "pathology_regression_grade": ("Pathology: tumour regression grade", "病理：肿瘤退缩分级"),
    "pathology_pcr": ("Pathology: pathological complete response", "病理：病理完全缓解"),
    "surgery_seq": ("Operation sequence number", "手术序号"),
    "description": ("Complication", "并发症"),
    "vital_status": ("Vital status", "生存状态"),
    "progression_date": ("Date of progression", "疾病进展日期"),
    "death_date": ("Date of death", "死亡日期"),
    "cause_of_death": ("Cause of death", "死亡原因"),
    "entered_by": ("Entered by", "录入人"),
    "entered_at": ("Entered at", "录入时间"),
    "changed_by": ("Last changed by", "最后修改人"),
    "changed_at": ("Last changed at", "最后修改时间"),
})

COLUMN_LABELS_IN: Mapping[tuple[str, str], Labels] = MappingProxyType({
    ("visits", "repeat"): ("Occurrence of the visit", "访视次数"),
    ("doses", "date"): ("Date given", "给药日期"),
    ("lab_results", "date"): ("Sample date", "采样日期"),
    ("tumour_assessments", "date"): ("Assessment date", "评估日期"),
    ("surgeries", "date"): ("Operation date", "手术日期"),
    ("follow_ups", "date"): ("Contact date", "随访日期"),
    ("complications", "grade"): ("Clavien-Dindo grade", "Clavien-Dindo分级"),
    ("complications", "onset_date"): ("Onset date", "发生日期"),
})

# Provenance's protocol version is the one the record was entered under (the trial
# table's protocol_version is the document's).
PROVENANCE_PROTOCOL_VERSION: Labels = ("Protocol version at entry", "录入时的方案版本")

# Sugarbaker's 13 PCI regions (clinical.md §5.1), in the order of PCI_REGION_NAMES.
PCI_REGION_ZH: tuple[str, ...] = (
    "中央区", "右上腹", "上腹部", "左上腹", "左侧腹", "左下腹", "盆腔",
    "右下腹", "右侧腹", "空肠上段", "空肠下段", "回肠上段", "回肠下段",
)
if len(PCI_REGION_ZH) != len(PCI_REGION_NAMES):  # pragma: no cover - a broken table
    raise RuntimeError("PCI_REGION_ZH must name every PCI region")


def pci_labels(region: int) -> Labels:
    """The labels of the column of PCI region ``region`` (0-12)."""
    return (f"PCI region {region} ({PCI_REGION_NAMES[region]}): lesion-size score 0-3",
            f"PCI第{region}区（{PCI_REGION_ZH[region]}）：病灶大小评分0-3")


def attribution_labels(agent_name: str) -> Labels:
    """The labels of an AE's attribution column for one agent."""
    return f"Relationship to {agent_name}", f"与{agent_name}的相关性"


# The data layer's vocabularies, code -> labels.
CODE_LABELS: Mapping[type[StrEnum], Mapping[str, Labels]] = MappingProxyType({
    Sex: {"male": ("Male", "男"), "female": ("Female", "女")},
    Attribution: {
        "unrelated": ("Unrelated", "无关"), "unlikely": ("Unlikely", "可能无关"),
        "possible": ("Possible", "可能有关"), "probable": ("Probable", "很可能有关"),
        "definite": ("Definite", "肯定有关"),
    },
    CcScore: {
        "CC-0": ("CC-0: no visible residual tumour", "CC-0：无肉眼可见残留肿瘤"),
        "CC-1": ("CC-1: residual nodules < 2.5 mm", "CC-1：残留结节<2.5 mm"),
        "CC-2": ("CC-2: residual nodules 2.5 mm to 2.5 cm", "CC-2：残留结节2.5 mm~2.5 cm"),
        "CC-3": ("CC-3: residual nodules > 2.5 cm", "CC-3：残留结节>2.5 cm"),
    },
    Cytology: {
        "CY0": ("CY0: negative", "CY0：阴性"), "CY1": ("CY1: cancer cells found", "CY1：发现癌细胞"),
        "CYX": ("CYX: not done", "CYX：未检查"),
    },
    ResidualTumour: {
        "R0": ("R0: no residual tumour", "R0：无残留肿瘤"),
        "R1": ("R1: microscopic residual tumour", "R1：镜下残留肿瘤"),
        "R2": ("R2: macroscopic residual tumour", "R2：肉眼残留肿瘤"),
        "RX": ("RX: cannot be assessed", "RX：无法评估"),
    },
    ClavienDindo: {
        "I": ("Grade I", "I级"), "II": ("Grade II", "II级"), "IIIa": ("Grade IIIa", "IIIa级"),
        "IIIb": ("Grade IIIb", "IIIb级"), "IVa": ("Grade IVa", "IVa级"),
        "IVb": ("Grade IVb", "IVb级"), "V": ("Grade V (death)", "V级（死亡）"),
    },
    AeOutcome: {
        "recovered": ("Recovered", "痊愈"), "recovering": ("Recovering", "好转中"),
        "not_recovered": ("Not recovered", "未恢复"),
        "recovered_with_sequelae": ("Recovered with sequelae", "痊愈伴后遗症"),
        "fatal": ("Fatal", "死亡"), "unknown": ("Unknown", "不详"),
    },
    AssessmentMethod: {
        "ct": ("CT", "CT"), "mri": ("MRI", "磁共振成像（MRI）"), "pet_ct": ("PET-CT", "PET-CT"),
        "x_ray": ("X-ray", "X线"), "laparoscopy": ("Laparoscopy", "腹腔镜探查"),
        "laparotomy": ("Laparotomy", "剖腹探查"), "clinical": ("Clinical examination", "临床检查"),
    },
    LesionRole: {
        "target": ("Target lesion", "靶病灶"), "non_target": ("Non-target lesion", "非靶病灶"),
        "new": ("New lesion", "新病灶"),
    },
    LesionStatus: {
        "measured": ("Measured", "已测量"), "present": ("Present (not measured)", "存在（未测量）"),
        "too_small": ("Too small to measure", "太小无法测量"), "disappeared": ("Disappeared", "消失"),
        "split": ("Split", "分裂"), "coalesced": ("Coalesced", "融合"),
        "unequivocal_progression": ("Unequivocal progression", "明确进展"),
        "not_evaluated": ("Not evaluated", "未评估"),
    },
    SourceKind: {
        "simulation": ("Simulation (virtual participants)", "模拟数据（虚拟受试者）"),
        "edc": ("EDC database snapshot", "EDC数据库快照"),
        "import": ("Import from another system", "从其他系统导入"),
    },
    VitalStatus: {"alive": ("Alive", "存活"), "dead": ("Dead", "死亡"), "unknown": ("Unknown", "不详")},
})
