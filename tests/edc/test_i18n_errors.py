"""Refusals on Chinese pages: what a service or the core refuses is said in Chinese, from its
code, beside the field or on the error page; never the core's English sentence.

Each situation goes through the real views with the test client, as a coordinator (or
investigator) of the cast who chose Simplified Chinese: a consent date in the future and a
birth date after consent (starting screening, correcting identity), an identity correction the
participant's other records contradict, an end of participation before registration or in the
future, a registration date in the future, a registration refused for a record that
contradicts the data checks, a CRF's visit date typed wrongly or before consent, a change or a
deletion without a reason, a CRF saved from a stale version, a language the pages do not
have, eligibility the engine could not recompute, and a lab value whose grade needs a missing
ULN. The histories name the records' fields by their labels.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from tests.edc.crfs.conftest import form_url
from tests.edc.participants.conftest import screen
from tests.edc.participants.screening import CONSENT, SCREENING_DAY, enter_screening
from tests.edc.test_i18n import core_english_left, visible_text

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()
TOMORROW = TODAY + dt.timedelta(days=1)
REGISTERED = dt.date(2026, 3, 5)
# The English of these refusals (their templates in hipectrial.edc.refusals,
# hipectrial.clinical.refusals, hipectrial.data.findings) must not reach a Chinese page.
ENGLISH = ("must be", "on or before today", "before the consent date", "is before", "data checks accept",
           "agree with", "a reason for the", "was changed by", "nothing was saved", "YYYY-MM-DD; got",
           "not gradable", "the site's upper limit", "eligibility not recomputed", "(as_of)",
           "got '", "records it with")


def chinese(user, client):
    user.language = "zh-hans"
    user.save(update_fields=["language"])
    client.force_login(user)
    return client


def english_left(text: str) -> list[str]:
    """The English of a refusal left in ``text``: the words above, and the fixed words of
    every reason, refusal and finding template of the core (test_i18n.core_english)."""
    return [e for e in ENGLISH if e in text] + core_english_left(text)


def element(response, testid: str, end: str = "</div>") -> str:
    page = response.content.decode()
    assert f'data-testid="{testid}"' in page, testid
    return visible_text(page.split(f'data-testid="{testid}"', 1)[1].split(end, 1)[0])


def registered(cast):
    from hipectrial.edc.participants.registration import participant_register

    p = screen(cast.coordinator, cast.site_a)
    enter_screening(cast.coordinator, p)
    participant_register(actor=cast.coordinator, participant=p, as_of=REGISTERED, expected_version=p.version)
    p.refresh_from_db()
    return p


# -- starting screening and correcting identity ------------------------------------------------


def test_screening_refuses_a_consent_date_in_the_future_in_chinese(cast, client):
    answer = chinese(cast.coordinator, client).post("/participants/screen/", {
        "site": "SH01", "consent_date": TOMORROW.isoformat(), "sex": "male", "birth_date": "1970-05-10"})
    assert answer.status_code == 400
    said = element(answer, "error-consent_date")
    assert f"知情同意日期不能晚于今天（{TODAY.isoformat()}）；填写的是 {TOMORROW.isoformat()}" in said
    assert english_left(visible_text(answer.content.decode())) == []


def test_screening_refuses_a_birth_date_after_consent_in_chinese(cast, client):
    answer = chinese(cast.coordinator, client).post("/participants/screen/", {
        "site": "SH01", "consent_date": "2026-03-02", "sex": "male", "birth_date": "2026-03-09"})
    assert answer.status_code == 400
    assert "出生日期必须早于知情同意日期（2026-03-02）；填写的是 2026-03-09" in element(answer, "error-birth_date")
    assert english_left(visible_text(answer.content.decode())) == []


def _correct(client, p, **given):
    p.refresh_from_db()
    data = {"sex": "male", "birth_date": "1970-05-10", "consent_date": CONSENT.isoformat(),
            "reason": "misread from the ID card", "version": p.version, **given}
    return client.post(f"/participants/{p.participant_id}/identity/",
                       {f"identity-{k}": v for k, v in data.items()})


def test_identity_correction_refuses_dates_in_chinese(cast, client):
    p = screen(cast.coordinator, cast.site_a)
    client = chinese(cast.coordinator, client)
    future = _correct(client, p, consent_date=TOMORROW.isoformat())
    assert future.status_code == 400
    assert f"知情同意日期不能晚于今天（{TODAY.isoformat()}）" in element(future, "error-identity-consent_date")
    late_birth = _correct(client, p, birth_date="2026-03-05")
    assert "出生日期必须早于知情同意日期（2026-03-02）；填写的是 2026-03-05" in element(
        late_birth, "error-identity-birth_date")
    for answer in (future, late_birth):
        assert english_left(visible_text(answer.content.decode())) == []


def test_a_correction_the_other_records_contradict_names_them_in_chinese(cast, client):
    # consent moved after the screening visit (2026-03-03): the visit would precede consent
    p = screen(cast.coordinator, cast.site_a)
    enter_screening(cast.coordinator, p)
    answer = _correct(chinese(cast.coordinator, client), p, consent_date="2026-03-04")
    assert answer.status_code == 400
    said = element(answer, "error-identity-consent_date")
    assert "知情同意日期改为 2026-03-04 将与该受试者的其他记录相矛盾" in said
    assert f"记录 {p.participant_id}/screening#1：访视日期（2026-03-03）早于知情同意日期（2026-03-04）" in said
    assert english_left(said) == []


# -- end of participation and registration -----------------------------------------------------


def _end(client, p, stage: str, date: dt.date, code: str):
    p.refresh_from_db()
    return client.post(f"/participants/{p.participant_id}/end/{stage}/", {
        f"{stage}-date": date.isoformat(), f"{stage}-reason_code": code, f"{stage}-reason": "见病历",
        f"{stage}-version": p.version})


def test_an_end_of_participation_before_registration_or_in_the_future_is_refused_in_chinese(cast, client):
    p = registered(cast)
    client = chinese(cast.coordinator, client)
    before = _end(client, p, "off_treatment", REGISTERED - dt.timedelta(days=1), "toxicity")
    assert before.status_code == 400
    said = element(before, "error-off_treatment-date")
    assert ("停止治疗日期 2026-03-04 未通过试验数据核查：停止治疗日期（2026-03-04）早于入组日期（2026-03-05）"
            in said)
    future = _end(client, p, "off_study", TOMORROW, "consent_withdrawn")
    assert f"退出研究日期不能晚于今天（{TODAY.isoformat()}）" in element(future, "error-off_study-date")
    for answer in (before, future):
        assert english_left(visible_text(answer.content.decode())) == []


def test_a_registration_date_in_the_future_is_refused_in_chinese(cast, client):
    p = screen(cast.coordinator, cast.site_a)
    enter_screening(cast.coordinator, p)
    p.refresh_from_db()
    answer = chinese(cast.coordinator, client).post(f"/participants/{p.participant_id}/register/", {
        "registration_date": TOMORROW.isoformat(), "eligibility_confirmed": "on", "version": p.version})
    assert answer.status_code == 400
    assert f"入组日期不能晚于今天（{TODAY.isoformat()}）" in element(answer, "error-registration_date")
    assert english_left(visible_text(answer.content.decode())) == []


def test_a_registration_refused_for_a_record_the_data_checks_refuse_says_it_in_chinese(cast, client):
    """A visit dated before consent written past the page's checks (as an import could):
    registration is refused naming the record and the finding, worded from its code."""
    from hipectrial.data import Visit
    from hipectrial.edc.crfs.models import Kind
    from hipectrial.edc.crfs.services import record_create

    p = screen(cast.coordinator, cast.site_a)
    enter_screening(cast.coordinator, p)
    record_create(actor=cast.coordinator, participant=p, kind=Kind.VISIT, protocol_version="1.0",
                  record=Visit(p.participant_id, "screening-cardiac", 1, None, dt.date(2026, 2, 20)))
    p.refresh_from_db()
    answer = chinese(cast.coordinator, client).post(f"/participants/{p.participant_id}/register/", {
        "registration_date": REGISTERED.isoformat(), "eligibility_confirmed": "on", "version": p.version})
    refused = element(answer, "registration-refused")
    assert (f"记录 {p.participant_id}/screening-cardiac#1：访视日期（2026-02-20）早于知情同意日期（2026-03-02）"
            in refused)
    assert english_left(refused) == []


# -- CRF pages -----------------------------------------------------------------------------------

VITALS = {"vs_date": "2026-03-03", "height_cm": "170.0", "weight_kg": "70.0", "systolic_bp": "120",
          "diastolic_bp": "80", "heart_rate": "70"}


def _save(client, url, *, visit_date=None, version=0, reason=None, action="complete", values=VITALS):
    data = {**values, "__action": action, "__version": str(version)}
    if visit_date is not None:
        data["__visit_date"] = visit_date
    if reason is not None:
        data["__reason"] = reason
    return client.post(url, data)


def test_a_visit_date_typed_wrongly_or_before_consent_is_refused_in_chinese(cast, client):
    p = screen(cast.coordinator, cast.site_a)
    url = form_url(p.participant_id, "screening", 1, "vital_signs")
    client = chinese(cast.coordinator, client)
    typed = _save(client, url, visit_date="3/3/2026")
    assert typed.status_code == 400
    assert "请按 YYYY-MM-DD 格式填写访视日期；填写的是 3/3/2026。" in visible_text(typed.content.decode())
    no_such = _save(client, url, visit_date="2026-02-30")
    assert "2026-02-30 不是有效日期：请按 YYYY-MM-DD 格式填写访视日期。" in visible_text(no_such.content.decode())
    early = _save(client, url, visit_date="2026-02-20")
    assert "访视日期（2026-02-20）早于知情同意日期（2026-03-02）" in visible_text(early.content.decode())
    for answer in (typed, no_such, early):
        assert english_left(visible_text(answer.content.decode())) == []


def test_a_change_and_a_deletion_without_a_reason_are_refused_in_chinese(cast, client):
    p = screen(cast.coordinator, cast.site_a)
    url = form_url(p.participant_id, "screening", 1, "vital_signs")
    client = chinese(cast.coordinator, client)
    assert _save(client, url, visit_date=SCREENING_DAY.isoformat()).status_code == 302
    changed = _save(client, url, version=1, reason="", values={**VITALS, "heart_rate": "71"})
    assert changed.status_code == 400
    assert "请填写修改原因：该记录曾保存为完成，此后的每次修改都须说明原因。" in visible_text(changed.content.decode())
    deleted = client.post(url + "delete/", {"__version": "1", "__delete_reason": " "})
    assert deleted.status_code == 400
    assert "请填写删除原因：每次删除都须说明原因。" in visible_text(deleted.content.decode())
    for answer in (changed, deleted):
        assert english_left(visible_text(answer.content.decode())) == []


def test_a_crf_saved_from_a_stale_version_says_the_conflict_in_chinese(cast, client):
    p = screen(cast.coordinator, cast.site_a)
    url = form_url(p.participant_id, "screening", 1, "vital_signs")
    assert _save(chinese(cast.investigator, client), url, visit_date=SCREENING_DAY.isoformat(),
                 action="draft").status_code == 302
    stale = _save(chinese(cast.coordinator, client), url, version=0, action="draft")
    assert stale.status_code == 409
    text = visible_text(stale.content.decode())
    assert (f"{p.participant_id}/screening#1/vital_signs 在本次修改所依据的版本 0 之后已被 inv.a 修改（当前版本 1）；"
            "本次未保存任何内容") in text
    assert english_left(text) == []


def test_a_language_the_pages_do_not_have_is_refused_on_a_chinese_error_page(cast, client):
    answer = chinese(cast.coordinator, client).post("/accounts/language/", {"language": "fr"})
    assert answer.status_code == 400
    text = visible_text(answer.content.decode())
    assert "fr 不是可选的页面语言（en 或 zh-hans）" in text
    assert english_left(text) == []


# -- what the core could not compute ---------------------------------------------------------------


def test_eligibility_not_recomputed_says_the_engines_refusal_in_chinese(cast, client):
    # ECOG assessed on 2026-03-10, after the latest screening visit (2026-03-03, the as-of date)
    p = screen(cast.coordinator, cast.site_a)
    enter_screening(cast.coordinator, p, changes={"ecog_assessment": {"ecog_date": dt.date(2026, 3, 10)}})
    page = chinese(cast.coordinator, client).get(f"/participants/{p.participant_id}/")
    note = element(page, "eligibility-note", "</p>")
    # "评估日期" is the protocol's Chinese label of ecog_date
    assert "未能重新计算入组资格：评估日期（2026-03-10）晚于本次判定所依据的日期 2026-03-03：记录中的日期不能晚于判定之日" in note
    assert english_left(note) == []


def test_a_lab_grade_needing_a_missing_uln_says_so_in_chinese(cast, client):
    # ALT 25 U/L without its ULN: every ALT grade of CTCAE v5.0 is a multiple of the ULN
    p = screen(cast.coordinator, cast.site_a)
    enter_screening(cast.coordinator, p, changes={"labs": {"alt_uln": None}}, drafts=("labs",))
    page = chinese(cast.coordinator, client).get(form_url(p.participant_id, "screening", 1, "labs"))
    row = element(page, "grade-alt", "</tr>")
    assert "无法分级：对 25 U/L 分级需要 ALT 的本中心正常值上限（ULN）（单位 U/L）" in row
    assert english_left(row) == []


# -- histories ---------------------------------------------------------------------------------------


def test_histories_name_the_records_fields_by_their_labels_beside_the_identifier(cast, client):
    p = screen(cast.coordinator, cast.site_a)
    enter_screening(cast.coordinator, p)
    client = chinese(cast.coordinator, client)
    visit = visible_text(client.get(f"/audit/record/{p.participant_id}/screening%231").content.decode())
    assert "访视 (visit_id)" in visit
    assert "访视日期 (actual_date)" in visit
    assert "受试者 (participant_id)" in visit
    form = visible_text(client.get(f"/audit/record/{p.participant_id}/screening%231/labs").content.decode())
    assert "表单 (form_id)" in form
    assert "状态 (status)" in form
    for text in (visit, form):
        assert not re.search(r"(?<![(\w])(visit_id|actual_date|form_id|participant_id)(?![)\w])", text)


def test_english_histories_name_the_fields_in_english(cast, client):
    p = screen(cast.coordinator, cast.site_a)
    enter_screening(cast.coordinator, p)
    client.force_login(cast.coordinator)
    visit = visible_text(client.get(f"/audit/record/{p.participant_id}/screening%231").content.decode())
    assert "Visit date (actual_date)" in visit


# -- English pages keep the core's sentence ---------------------------------------------------------


def test_english_pages_keep_the_english_refusal(cast, client):
    client.force_login(cast.coordinator)
    answer = client.post("/participants/screen/", {
        "site": "SH01", "consent_date": TOMORROW.isoformat(), "sex": "male", "birth_date": "1970-05-10"})
    assert (f"consent_date must be a date on or before today ({TODAY.isoformat()}); got "
            f"&#x27;{TOMORROW.isoformat()}&#x27;") in answer.content.decode()


def test_decimal_values_are_shown_as_written():
    from hipectrial.edc.refusal_wording import value_text

    assert value_text(Decimal("62.0")) == "62.0"
    assert value_text(None) == "(blank)"


# -- every code has its Chinese ----------------------------------------------------------------------


def _names(template: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", template))


def test_every_refusal_and_finding_code_has_its_chinese_wording_with_the_codes_parameters():
    """A code added to the EDC or the core without its wording here fails; so does a wording
    naming a parameter the code does not have (the refused field's label and value aside)."""
    from django.utils import translation

    from hipectrial.clinical.refusals import ENGLISH as VALUE_ENGLISH
    from hipectrial.clinical.refusals import HINTS as VALUE_HINTS
    from hipectrial.clinical.refusals import ValueRefusal
    from hipectrial.data.findings import ENGLISH as FINDING_ENGLISH
    from hipectrial.data.findings import FindingCode
    from hipectrial.edc.refusal_wording import FINDINGS, REFUSALS
    from hipectrial.edc.refusals import ENGLISH, HINTS, Refusal

    assert set(REFUSALS) == set(Refusal) | set(ValueRefusal)
    assert set(FINDINGS) == set(FindingCode)
    # one namespace: a code means one thing wherever it is looked up
    codes = [c.value for c in (*Refusal, *ValueRefusal, *FindingCode)]
    assert len(codes) == len(set(codes))
    han = re.compile(r"[\u4e00-\u9fff]")
    with translation.override("zh-hans"):
        for code, template in REFUSALS.items():
            english = {**ENGLISH, **VALUE_ENGLISH}[code]
            hint = {**HINTS, **VALUE_HINTS}.get(code, "")
            used = set(re.findall(r"%\((\w+)\)s", str(template)))
            assert used <= _names(english) | _names(hint) | {"label", "value"}, code
            assert han.search(str(template)), code
        for code, template in FINDINGS.items():
            assert set(re.findall(r"%\((\w+)\)s", str(template))) <= _names(FINDING_ENGLISH[code]), code
            assert han.search(str(template)), code


def test_every_crf_finding_code_has_its_chinese_wording():
    from django.utils import translation

    from hipectrial.data import FormFindingCode
    from hipectrial.edc.crfs.wording import FINDINGS

    # a failing edit check is said in the protocol's own words (its message in Chinese)
    assert set(FINDINGS) == set(FormFindingCode) - {FormFindingCode.EDIT_CHECK}
    with translation.override("zh-hans"):
        assert all(re.search(r"[\u4e00-\u9fff]", str(t)) for t in FINDINGS.values())


def test_every_field_of_the_trials_records_has_its_label():
    import dataclasses

    from django.utils import translation

    from hipectrial.data import FormRecord, Participant, Visit
    from hipectrial.data.assessments import FollowUp, Surgery, TumourAssessment
    from hipectrial.data.treatment import AdverseEvent, DoseAdministration, LabResult
    from hipectrial.edc.participants.labels import PARTICIPANT_FIELDS, RECORD_FIELDS

    kinds = (Participant, Visit, FormRecord, DoseAdministration, AdverseEvent, LabResult, TumourAssessment,
             Surgery, FollowUp)
    names = {f.name for kind in kinds for f in dataclasses.fields(kind)} - {"provenance"}
    assert names <= set(PARTICIPANT_FIELDS) | set(RECORD_FIELDS)
    with translation.override("zh-hans"):
        assert all(re.search(r"[\u4e00-\u9fff]", str(w)) for w in RECORD_FIELDS.values())


def test_an_expression_that_cannot_be_evaluated_is_said_in_chinese_at_the_top_of_the_form():
    """The core's not_evaluable finding (a condition that cannot run on the values, counted as
    unknown) on a Chinese page, where it used to show the core's English."""
    from hipectrial.data import FormFinding, FormFindingCode, Severity
    from hipectrial.edc.crfs.entry import Judged, messages_by_field
    from hipectrial.protocol import load_protocol

    form = load_protocol().form("vital_signs")
    finding = FormFinding(Severity.WARNING, None, "cannot evaluate 'weight_kg / 0 > 1': division by zero",
                          FormFindingCode.NOT_EVALUABLE, (("expression", "weight_kg / 0 > 1"),))
    judged = Judged(raw={}, values={}, parse_errors={}, shown=frozenset(), findings=(finding,), missing=())
    from django.utils import translation

    with translation.override("zh-hans"):
        _, top = messages_by_field(judged, form, complete=False, zh=True)
    assert top == [("warning", "条件 weight_kg / 0 > 1 无法根据当前数值计算，暂按“未知”处理")]
    _, top = messages_by_field(judged, form, complete=False, zh=False)
    assert top == [("warning", "cannot evaluate 'weight_kg / 0 > 1': division by zero")]


def test_an_error_without_a_phrase_gets_the_general_chinese_sentence_and_english_pages_the_message():
    from django.utils import translation

    from hipectrial.edc.refusal_wording import refusal_text
    from hipectrial.errors import InputError
    from hipectrial.protocol import load_protocol

    error = InputError("values.heart_rate", 300, "a number the monitor can show")
    with translation.override("zh-hans"):
        said = refusal_text(error, language="zh", protocol=load_protocol())
    assert said == "心率的值 300 不被接受：a number the monitor can show"
    assert refusal_text(error, language="en", protocol=load_protocol()) == str(error)


def test_a_registration_refused_for_missing_values_names_them_by_their_chinese_labels(cast, client):
    p = screen(cast.coordinator, cast.site_a)
    enter_screening(cast.coordinator, p, changes={"labs": {"anc": None}}, drafts=("labs",))
    p.refresh_from_db()
    answer = chinese(cast.coordinator, client).post(f"/participants/{p.participant_id}/register/", {
        "registration_date": REGISTERED.isoformat(), "eligibility_confirmed": "on", "version": p.version})
    refused = element(answer, "registration-refused")
    assert "缺失：中性粒细胞绝对值（anc），I09 需要此项" in refused
    assert "Absolute neutrophil count" not in refused


def test_lab_grades_are_said_in_chinese_by_ctcae_term(cast, client):
    # ALT 25 U/L with a ULN of 40: below CTCAE v5.0's grade 1 (> ULN - 3.0 x ULN), grade 0
    p = screen(cast.coordinator, cast.site_a)
    enter_screening(cast.coordinator, p)
    page = chinese(cast.coordinator, client).get(form_url(p.participant_id, "screening", 1, "labs"))
    row = element(page, "grade-alt", "</tr>")
    assert "丙氨酸氨基转移酶升高：0 级" in row
    assert "Alanine aminotransferase increased" not in row
    assert "grade" not in row


def test_every_ctcae_term_has_its_chinese_name():
    from django.utils import translation

    from hipectrial.clinical.labs.ctcae_tables import CtcaeTerm
    from hipectrial.edc.crfs.derived import TERM_WORDS

    assert set(TERM_WORDS) == set(CtcaeTerm)
    with translation.override("en"):
        assert {str(w) for w in TERM_WORDS.values()} == {t.value for t in CtcaeTerm}
    with translation.override("zh-hans"):
        assert str(TERM_WORDS[CtcaeTerm.NEUTROPHIL_COUNT_DECREASED]) == "中性粒细胞计数降低"
        assert all(re.search(r"[\u4e00-\u9fff]", str(w)) for w in TERM_WORDS.values())
