"""The English and Simplified Chinese texts the metadata carries beyond the protocol's labels:
a visit's timing, range-check messages, and what a condition means.

Every number and name comes from the protocol; only the connecting words are written here.
"""

from __future__ import annotations

from hipectrial.protocol import Protocol
from hipectrial.protocol.forms import EditCheck, FieldDef
from hipectrial.protocol.regimen import Anchor
from hipectrial.protocol.schedule import Visit

Texts = tuple[str, str]  # (English, Simplified Chinese)

_ANCHORS: dict[Anchor, Texts] = {
    Anchor.REGISTRATION: ("registration", "入组登记"),
    Anchor.HIPEC: ("the day-0 HIPEC", "第0天HIPEC"),
    Anchor.CYCLE_START: ("the cycle start", "周期开始"),
    Anchor.SURGERY: ("surgery", "手术"),
    Anchor.END_OF_TREATMENT: ("the end of treatment", "治疗结束"),
    Anchor.LAST_DOSE: ("the last dose", "末次给药"),
    Anchor.EVENT: ("the event", "事件"),
}
_BRANCHES: dict[str, Texts] = {
    "operated": ("operated participants only", "仅限接受手术的受试者"),
    "not_operated": ("participants not operated only", "仅限未接受手术的受试者"),
}
_ENDS: dict[str, Texts] = {"progression": ("progression", "疾病进展")}


def visit_timing(protocol: Protocol, visit: Visit) -> Texts:
    """When ``visit`` is due, in words: anchor, day, window, repetition, who, what ends it.

    >>> from hipectrial.protocol import load_protocol
    >>> p = load_protocol()
    >>> print(visit_timing(p, p.visit("induction-cycle"))[0])
    Day 1 of each cycle of Induction (SOX + tislelizumab ± trastuzumab) (window 3 days before
    to 3 days after).
    """
    t = visit.timing
    if t.anchor is Anchor.EVENT:
        en, zh = ["Unscheduled: recorded when the event happens."], ["计划外：事件发生时记录。"]
    else:
        if t.anchor is Anchor.CYCLE_START:
            phase = protocol.phase(t.phase or "").label if t.phase else None
            p_en, p_zh = (phase.en, phase.zh) if phase else ("the phase", "该阶段")
            if visit.repeat is not None and visit.repeat.per_cycle is not None:
                en_day, zh_day = f"Day {t.day} of each cycle of {p_en}", f"{p_zh}每周期第{t.day}天"
            else:
                en_day = f"Day {t.day} of cycle {t.cycle} of {p_en}"
                zh_day = f"{p_zh}第{t.cycle}周期第{t.day}天"
        else:
            a_en, a_zh = _ANCHORS[t.anchor]
            en_day, zh_day = f"Day {t.day} from {a_en}", f"{a_zh}后第{t.day}天"
        en = [f"{en_day} (window {t.window_before} days before to {t.window_after} days after)."]
        zh = [f"{zh_day}（窗口期：前{t.window_before}天至后{t.window_after}天）。"]
        repeat = visit.repeat
        if repeat is not None and repeat.every_days is not None:
            if repeat.until_day is not None:
                en.append(f"Repeats every {repeat.every_days} days until day {repeat.until_day}.")
                zh.append(f"每{repeat.every_days}天重复，至第{repeat.until_day}天。")
            elif repeat.until is not None:
                u_en, u_zh = _ANCHORS[repeat.until]
                en.append(f"Repeats every {repeat.every_days} days until {u_en}.")
                zh.append(f"每{repeat.every_days}天重复，直至{u_zh}。")
        for end in visit.ends_at:
            e_en, e_zh = _ENDS.get(end.value, (end.value, end.value))
            en.append(f"No longer due after {e_en}.")
            zh.append(f"{e_zh}后不再进行。")
    if visit.records_event is not None:
        r_en, r_zh = _ANCHORS[visit.records_event]
        en.append(f"Its date is the date of {r_en}.")
        zh.append(f"其日期即{r_zh}日期。")
    if visit.cohorts is not None:
        labels = [protocol_cohort(protocol, c) for c in visit.cohorts]
        en.append("Cohorts: " + ", ".join(label[0] for label in labels) + ".")
        zh.append("适用队列：" + "、".join(label[1] for label in labels) + "。")
    if visit.branch in _BRANCHES:
        b_en, b_zh = _BRANCHES[visit.branch]
        en.append(f"For {b_en}.")
        zh.append(f"{b_zh}。")
    return " ".join(en), "".join(zh)


def protocol_cohort(protocol: Protocol, cohort_id: str) -> Texts:
    for cohort in protocol.cohorts:
        if cohort.id == cohort_id:
            return cohort.label.en, cohort.label.zh
    return cohort_id, cohort_id


def bound_message(label: Texts, comparator: str, limit: str, unit: str | None) -> Texts:
    """The ErrorMessage of a range check: ``GE`` (at least) or ``LE`` (at most).

    >>> bound_message(("ANC", "中性粒细胞"), "GE", "0", "10^9/L")
    ('ANC must be at least 0 10^9/L.', '中性粒细胞不得低于0 10^9/L。')
    """
    u = f" {unit}" if unit else ""
    if comparator == "GE":
        return f"{label[0]} must be at least {limit}{u}.", f"{label[1]}不得低于{limit}{u}。"
    return f"{label[0]} must be at most {limit}{u}.", f"{label[1]}不得高于{limit}{u}。"


def exception_description(field: FieldDef, source: str) -> Texts:
    """What the collection exception of ``field`` (shown when ``source``) means; its
    FormalExpression is the negation of ``source``."""
    return (
        f"{field.label.en} ({field.id}) is collected only when the protocol's condition "
        f"«{source}» is true. ODM skips an item when its CollectionExceptionCondition is true, "
        f"so this condition is the negation, «!({source})». Conditions are evaluated in "
        f"three-valued logic: an input left blank makes «{source}» unknown, and the item is "
        "then not collected either (the exception holds whenever the condition is not true).",
        f"{field.label.zh}（{field.id}）仅在方案条件«{source}»为真时采集。ODM在"
        "CollectionExceptionCondition为真时不采集该项，故此条件为其否定«!(" + source + ")»。"
        "条件按三值逻辑求值：输入项未填写时条件为未知，此时同样不采集该项"
        "（只要条件不为真即不采集）。",
    )


def check_description(form_id: str, check: EditCheck) -> Texts:
    """What an edit check's condition means and the message it gives."""
    source = check.expression.source
    severity = ("error", "错误") if check.severity == "error" else ("warning", "警告")
    return (
        f"Edit check {check.id} of form {form_id} ({severity[0]}): the protocol requires "
        f"«{source}». This condition is its negation: when it is true the values fail the check "
        f"and the {severity[0]} says: {check.message.en} A check whose inputs are blank is not run.",
        f"表单{form_id}的核查{check.id}（{severity[1]}）：方案要求«{source}»。此条件为其否定："
        f"为真时数值未通过核查，{severity[1]}提示：{check.message.zh}输入项未填写时不执行该核查。",
    )
