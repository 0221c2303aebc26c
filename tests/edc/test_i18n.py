"""The Simplified Chinese catalogue (zh-hans) of the EDC: complete, shipped compiled, and used.

* Every message has a translation and none is fuzzy (a fuzzy one is a guess gettext ignores).
* The committed ``django.mo`` is the compiled ``django.po`` (``pip install`` does not compile
  catalogues, so the .mo is committed): recompiled with Debian's ``msgfmt`` when present,
  else read by this module's own reader, and compared as parsed catalogues.
* The catalogue is up to date with the source: ``makemessages`` run over a copy of the EDC
  finds no message without a translation (needs Debian's gettext tools).
* Pages rendered in zh-hans show none of the English messages we translate, and none of the
  sentences the core composes in English (eligibility and registration reasons, the
  design's reasons, the timeline's stop events): a Chinese page words them from their codes,
  and every code has its Chinese wording.
"""

from __future__ import annotations

import ast
import datetime as dt
import gettext
import html
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import hipectrial.edc

EDC = Path(hipectrial.edc.__file__).parent
MESSAGES = EDC / "locale" / "zh_Hans" / "LC_MESSAGES"
PO, MO = MESSAGES / "django.po", MESSAGES / "django.mo"
REMAKE = (
    "cd src/hipectrial/edc && DJANGO_SETTINGS_MODULE=hipectrial.edc.settings_test "
    "django-admin makemessages -l zh_Hans, translate, then django-admin compilemessages -l zh_Hans"
)


# -- a reader of .po files (the subset makemessages writes) ---------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    where: str = ""

    @property
    def key(self) -> str:
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"


def read_po(text: str) -> list[Entry]:
    """The entries of a .po file, the header (msgid "") first; obsolete ones (``#~``) left out."""
    entries: list[Entry] = []
    current = Entry()
    started = False
    target: tuple[str, int] | None = None

    def finish() -> None:
        nonlocal current, started, target
        if started:
            entries.append(current)
        current, started, target = Entry(), False, None

    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#~"):
            if not line and started:
                finish()
            continue
        if line.startswith("#,"):
            current.flags |= {f.strip() for f in line[2:].split(",")}
        elif line.startswith("#:"):
            current.where = current.where or line[2:].strip().split()[0]
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            if target is None:
                raise ValueError(f"line {number}: a continued string outside an entry")
            _append(current, target, ast.literal_eval(line))
        else:
            keyword, _, rest = line.partition(" ")
            if keyword in ("msgctxt", "msgid") and started and (keyword == "msgctxt" or target != ("msgctxt", 0)):
                finish()
            started = True
            match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if match:
                target = ("msgstr", int(match.group(1)))
            elif keyword in ("msgctxt", "msgid", "msgid_plural", "msgstr"):
                target = (keyword, 0)
            else:
                raise ValueError(f"line {number}: unknown keyword {keyword!r}")
            _append(current, target, ast.literal_eval(rest), new=True)
    finish()
    return entries


def _append(entry: Entry, target: tuple[str, int], text: str, new: bool = False) -> None:
    name, index = target
    if name == "msgstr":
        entry.msgstr[index] = ("" if new else entry.msgstr.get(index, "")) + text
    else:
        setattr(entry, name, ("" if new else getattr(entry, name) or "") + text)


def catalogue_of_po(entries: list[Entry]) -> dict[object, str]:
    """What ``gettext.GNUTranslations`` holds after reading the compiled ``entries``: fuzzy
    ones left out and the header without its POT-Creation-Date (as msgfmt does), plural
    forms under ``(msgid, n)``."""
    catalogue: dict[object, str] = {}
    for e in entries:
        if "fuzzy" in e.flags and e.msgid:
            continue
        if e.msgid_plural is not None:
            for n, text in e.msgstr.items():
                catalogue[(e.key, n)] = text
        elif e.msgid == "":
            lines = e.msgstr.get(0, "").splitlines(keepends=True)
            catalogue[""] = "".join(line for line in lines if not line.startswith("POT-Creation-Date:"))
        else:
            catalogue[e.key] = e.msgstr.get(0, "")
    return catalogue


def catalogue_of_mo(path: Path) -> dict[object, str]:
    with path.open("rb") as f:
        return dict(gettext.GNUTranslations(f)._catalog)  # type: ignore[attr-defined]


def untranslated(entries: list[Entry]) -> list[str]:
    return [
        f"{e.where}: {e.msgid!r}" + (" (fuzzy)" if "fuzzy" in e.flags else "")
        for e in entries
        if "fuzzy" in e.flags or not e.msgstr or any(not s for s in e.msgstr.values())
    ]


# -- the committed catalogue ---------------------------------------------------------------


def test_the_reader_reads_contexts_plurals_continuations_and_flags():
    text = '''msgid ""
msgstr ""
"Language: zh_Hans\\n"

#: a.html:1
#, fuzzy, python-format
msgid "one "
"line"
msgstr "一行"

msgctxt "month"
msgid "May"
msgstr "五月"

msgid "%(n)s form"
msgid_plural "%(n)s forms"
msgstr[0] "%(n)s 份表"

#~ msgid "gone"
#~ msgstr "没了"
'''
    entries = read_po(text)
    assert [e.key for e in entries] == ["", "one line", "month\x04May", "%(n)s form"]
    assert entries[0].msgstr == {0: "Language: zh_Hans\n"}
    assert entries[1].flags == {"fuzzy", "python-format"}
    assert entries[1].where == "a.html:1"
    assert entries[3].msgid_plural == "%(n)s forms"
    assert entries[3].msgstr == {0: "%(n)s 份表"}
    assert catalogue_of_po(entries) == {
        "": "Language: zh_Hans\n", "month\x04May": "五月", ("%(n)s form", 0): "%(n)s 份表",
    }
    assert untranslated(entries) == ["a.html:1: 'one line' (fuzzy)"]


def test_every_message_has_a_chinese_translation_and_none_is_fuzzy():
    entries = read_po(PO.read_text(encoding="utf-8"))
    header, messages = entries[0], entries[1:]
    assert header.msgid == ""
    assert "fuzzy" not in header.flags
    assert "Language: zh_Hans" in header.msgstr[0]
    assert len(messages) > 10
    assert untranslated(messages) == [], f"translate these in {PO} ({REMAKE})"
    han = re.compile(r"[\u4e00-\u9fff]")
    assert [e.msgid for e in messages if not any(han.search(s) for s in e.msgstr.values())] == []


def test_the_committed_mo_is_the_compiled_po(tmp_path):
    """Compared with Debian's msgfmt when it is installed, and always with this module's reader
    of the .po (so a machine without gettext still checks the .mo)."""
    committed = catalogue_of_mo(MO)
    read = catalogue_of_po(read_po(PO.read_text(encoding="utf-8")))
    assert committed == read, f"{MO} is not {PO} compiled: {REMAKE}"
    msgfmt = shutil.which("msgfmt")
    if msgfmt is not None:
        compiled = tmp_path / "django.mo"
        subprocess.run([msgfmt, "--check", "-o", str(compiled), str(PO)], check=True, capture_output=True)
        assert catalogue_of_mo(compiled) == committed


def test_the_catalogue_has_every_message_of_the_templates_and_python(tmp_path, settings):
    """makemessages over a copy of the EDC adds no message without a translation."""
    from django.core.management import call_command

    missing = [tool for tool in ("xgettext", "msgmerge", "msguniq") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"Debian's gettext tools are not installed ({', '.join(missing)}): makemessages cannot run")
    copy = tmp_path / "edc"
    shutil.copytree(EDC, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "static"))
    settings.LOCALE_PATHS = [copy / "locale"]
    here = Path.cwd()
    os.chdir(copy)
    try:
        call_command("makemessages", locale=["zh_Hans"], verbosity=0)
    finally:
        os.chdir(here)
    remade = read_po((copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8"))
    assert untranslated(remade[1:]) == [], f"messages new in the source, not in {PO}: {REMAKE}"


# -- pages rendered in Chinese ---------------------------------------------------------------


def visible_text(page: str) -> str:
    """The page's text, less scripts, styles and ``<details>`` (the core's step-by-step
    computation traces, formulas in English like the variable names they show)."""
    page = re.sub(r"(?is)<(script|style|details)\b.*?</\1>", " ", page)
    page = re.sub(r"(?s)<!--.*?-->", " ", page)
    page = re.sub(r"(?s)<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", html.unescape(page))


def english_left(text: str, entries: list[Entry]) -> list[str]:
    """The translated messages of two words or more whose English still shows in ``text``
    (a message typed into a page without ``{% translate %}``). Single words and messages
    with placeholders are left to :func:`gettext_misses`, which sees every lookup."""
    left = []
    for e in entries:
        if not e.msgid or e.msgstr.get(0) == e.msgid or re.search(r"%\(\w+\)|%[sd]", e.msgid):
            continue
        message = " ".join(e.msgid.split())
        if len(message.split()) >= 2 and re.search(rf"(?<![A-Za-z]){re.escape(message)}(?![A-Za-z])", text):
            left.append(message)
    return left


def core_english() -> list[str]:
    """The English the core composes for people and a Chinese page must word from its code:
    the fixed words of each reason template (eligibility, derived values, screening notes,
    Part A cohorts, registration) and of each refusal and finding template (the EDC's
    services, the clinical functions, the data layer's checks) of three words or more, the
    design's reasons, and the timeline's stop events in their sentence (``stopped at death``)."""
    from hipectrial.analysis.reasons import ENGLISH as ASSIGNMENT_ENGLISH
    from hipectrial.analysis.screening import ENGLISH as SCREENING_ENGLISH
    from hipectrial.clinical.eligibility import ENGLISH as ELIGIBILITY_ENGLISH
    from hipectrial.clinical.records.derived import ENGLISH as DERIVED_ENGLISH
    from hipectrial.clinical.refusals import ENGLISH as VALUE_ENGLISH
    from hipectrial.clinical.refusals import HINTS as VALUE_HINTS
    from hipectrial.data.findings import ENGLISH as FINDING_ENGLISH
    from hipectrial.design.boin import BoinReason
    from hipectrial.design.dose_finding import StopReason
    from hipectrial.edc.refusals import ENGLISH as REFUSAL_ENGLISH
    from hipectrial.edc.refusals import HINTS as REFUSAL_HINTS
    from hipectrial.protocol.schedule import ScheduleEnd

    pieces = []
    templates = (*ELIGIBILITY_ENGLISH.values(), *DERIVED_ENGLISH.values(), *SCREENING_ENGLISH.values(),
                 *ASSIGNMENT_ENGLISH.values(), *VALUE_ENGLISH.values(), *VALUE_HINTS.values(),
                 *FINDING_ENGLISH.values(), *REFUSAL_ENGLISH.values(), *REFUSAL_HINTS.values())
    for template in templates:
        for piece in re.split(r"\{\w+\}", template):
            piece = " ".join(piece.split()).strip(" .,;:()")
            if len(re.findall(r"[A-Za-z]{2,}", piece)) >= 3:
                pieces.append(piece)
    pieces += [str(r) for r in (*StopReason, *BoinReason)]
    pieces += [f"stopped at {e.value.replace('_', ' ')}" for e in ScheduleEnd]
    return sorted(set(pieces))


def core_english_left(text: str) -> list[str]:
    """The pieces of :func:`core_english` found in ``text``."""
    return [p for p in core_english() if re.search(rf"(?<![A-Za-z]){re.escape(p)}(?![A-Za-z])", text)]


def without_stored_reasons(page: str) -> str:
    """A history page less its reason column: the reasons stored in the audit trail (typed
    by people, or the registration's, in English) are shown as stored."""
    return re.sub(r'(?s)<td[^>]*class="reason"[^>]*>.*?</td>', " ", page)


def test_core_english_has_the_fixed_words_of_the_cores_sentences():
    pieces = core_english()
    assert "applies to" not in pieces  # two words: left to the pages' own checks
    assert {"only; the cohort is unknown", "no cohort rule holds", "lowest dose too toxic",
            "stopped at off study", "is complete, and the next dose is decided only once every DLT outcome "
            "is known (the DLT windows closed). DLT outcome pending for"} <= set(pieces)
    assert core_english_left("I17 · 仅适用于 HER2阳性 · the cohort is unknown!") == []
    assert core_english_left("(only; the cohort is unknown)") == ["only; the cohort is unknown"]


@pytest.fixture
def gettext_misses(monkeypatch):
    """The messages looked up in zh-hans and not found (returned in English), while the
    pages render: Django's translation object, recording."""
    from django.utils.translation.trans_real import DjangoTranslation

    misses: set[str] = set()
    gettext, ngettext = DjangoTranslation.gettext, DjangoTranslation.ngettext

    def note(self, message: str, result: str, *english: str) -> str:
        if self.language() == "zh-hans" and result in english and re.search(r"[A-Za-z]{2}", message):
            misses.add(message.replace("\x04", " | "))
        return result

    monkeypatch.setattr(DjangoTranslation, "gettext", lambda self, m: note(self, m, gettext(self, m), m))
    monkeypatch.setattr(DjangoTranslation, "ngettext",
                        lambda self, s, p, n: note(self, s, ngettext(self, s, p, n), s, p))
    return misses


def _record(actor, participant, kind, record):
    from hipectrial.edc.crfs.services import record_create

    record_create(actor=actor, participant=participant, kind=kind, protocol_version="1.0", record=record)


def died(actor, participant, on: dt.date) -> None:
    """A follow-up contact on ``on`` learning of the participant's death that day."""
    from hipectrial.data import FollowUp, VitalStatus

    pid = participant.participant_id
    _record(actor, participant, "follow_ups", FollowUp(pid, on, VitalStatus.DEAD, death_date=on))


def progressed(actor, participant, hipec: dt.date, cycle_1: dt.date, on: dt.date) -> None:
    """HIPEC and induction cycle 1 given (the pre-operative tumour assessments, every 6
    weeks from cycle 1 day 43, are scheduled), then progression documented on ``on``."""
    from decimal import Decimal

    from hipectrial.data import DoseAdministration, FollowUp, VitalStatus

    pid = participant.participant_id
    _record(actor, participant, "doses",
            DoseAdministration(pid, "hipec-paclitaxel", hipec, Decimal(140), Decimal(140), "mg"))
    _record(actor, participant, "doses", DoseAdministration(pid, "oxaliplatin", cycle_1, Decimal(230),
                                                            Decimal(230), "mg", "induction", 1, 1))
    _record(actor, participant, "follow_ups", FollowUp(pid, on, VitalStatus.ALIVE, progression_date=on))


@pytest.fixture
def chinese_pages(cast, client, gettext_misses):
    """Every kind of page there is, rendered for Chinese-speaking users: the log-in and
    lock-out pages for a browser asking for zh-CN; the list, screening, a participant in
    screening (eligibility with missing values), one whose cohort is unknown (no HER2
    result), one without screening forms yet, a minor (CrCl not computed), one refused registration for a criterion not met and one refused while
    cohort 1's DLT windows are open (and the registration section saying so), registered
    participants (timeline; one who died, one who progressed; off treatment entered from an old
    version), a visit, a CRF refused and one
    needing a reason, the histories (a CRF with coded values, a registered participant), and
    the 403 and 404 pages."""
    from django.test import Client
    from tests.edc.participants.conftest import screen
    from tests.edc.participants.screening import SCREENING_DAY, enter_screening

    from hipectrial.edc.participants.registration import participant_register

    anonymous = Client(HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    pages = {"log-in": anonymous.get("/accounts/login/")}
    for _ in range(5):
        locked = anonymous.post("/accounts/login/", {"username": "inv.a", "password": "wrong-password"})
    pages["locked out"] = locked

    incomplete, ineligible, registered, her2_unknown, dead, progressing, waiting = (
        screen(cast.coordinator, cast.site_a) for _ in range(7))
    enter_screening(cast.coordinator, incomplete, leave_out=("labs",), drafts=("ecog_assessment",))
    enter_screening(cast.coordinator, ineligible, changes={"ecog_assessment": {"ecog": "3"}})
    enter_screening(cast.coordinator, her2_unknown, leave_out=("biomarkers",))
    on = SCREENING_DAY + dt.timedelta(days=2)
    for person in (registered, dead, progressing):  # cohort 1 of Part A, at dose level 1
        enter_screening(cast.coordinator, person)
        person.refresh_from_db()
        participant_register(actor=cast.investigator, participant=person, as_of=on,
                             expected_version=person.version)
    died(cast.investigator, dead, on + dt.timedelta(days=3))
    progressed(cast.investigator, progressing, hipec=on + dt.timedelta(days=1), cycle_1=on + dt.timedelta(days=22),
               on=on + dt.timedelta(days=60))
    enter_screening(cast.coordinator, waiting)
    waiting.refresh_from_db()
    just_screened = screen(cast.coordinator, cast.site_a)
    minor = screen(cast.coordinator, cast.site_a, birth=dt.date(2008, 6, 1))  # 17 at consent
    enter_screening(cast.coordinator, minor)
    for user in (cast.coordinator, cast.coordinator_b):
        user.language = "zh-hans"
        user.save(update_fields=["language"])
    client.force_login(cast.coordinator)
    vitals = f"/participants/{incomplete.participant_id}/visits/screening/1/vital_signs/"
    pages |= {
        "participants": client.get("/"),
        "start screening": client.get("/participants/screen/"),
        "participant in screening": client.get(f"/participants/{incomplete.participant_id}/"),
        "cohort unknown": client.get(f"/participants/{her2_unknown.participant_id}/"),
        "just screened": client.get(f"/participants/{just_screened.participant_id}/"),
        "minor": client.get(f"/participants/{minor.participant_id}/"),
        "minor's labs (CrCl not computed)": client.get(f"/participants/{minor.participant_id}/visits/screening/1/labs/"),
        "registration refused": client.post(
            f"/participants/{ineligible.participant_id}/register/",
            {"registration_date": on.isoformat(), "eligibility_confirmed": "on", "version": ineligible.version}),
        "registration waits": client.get(f"/participants/{waiting.participant_id}/assignment/"),
        "registration refused while waiting": client.post(
            f"/participants/{waiting.participant_id}/register/",
            {"registration_date": on.isoformat(), "eligibility_confirmed": "on", "version": waiting.version}),
        "registered participant": client.get(f"/participants/{registered.participant_id}/"),
        "off treatment from a stale version": client.post(
            f"/participants/{registered.participant_id}/end/off_treatment/",
            {"off_treatment-date": (on + dt.timedelta(days=30)).isoformat(), "off_treatment-reason_code": "other",
             "off_treatment-reason": "测试", "off_treatment-version": "0"}),
        "participant who died": client.get(f"/participants/{dead.participant_id}/"),
        "participant who progressed": client.get(f"/participants/{progressing.participant_id}/"),
        "coded record history": client.get(f"/audit/record/{registered.participant_id}/screening%231/biomarkers"),
        "registered participant's history": client.get(f"/audit/record/{registered.participant_id}"),
        "visit": client.get(f"/participants/{incomplete.participant_id}/visits/screening/1/"),
        "completed CRF": client.get(vitals),
        "CRF refused": client.post(vitals, {
            "vs_date": "2026-03-02", "height_cm": "230.1", "weight_kg": "70.0", "systolic_bp": "90",
            "diastolic_bp": "95", "heart_rate": "72", "__action": "complete", "__version": "1", "__reason": ""}),
        "repeating CRF": client.get(f"/participants/{incomplete.participant_id}/visits/screening/1/recist_lesions/"),
        "record history": client.get(f"/audit/record/{incomplete.participant_id}/screening%231/vital_signs"),
        "participant history": client.get(f"/audit/participant/{incomplete.participant_id}/"),
        "not found": client.get("/participants/XX99-999/"),
    }
    client.force_login(cast.coordinator_b)
    pages["not allowed"] = client.get(f"/participants/{incomplete.participant_id}/")
    return pages


def test_pages_in_chinese_show_no_english_of_the_translated_messages(chinese_pages, gettext_misses):
    entries = read_po(PO.read_text(encoding="utf-8"))[1:]
    statuses = {name: r.status_code for name, r in chinese_pages.items()}
    assert statuses == {**dict.fromkeys(statuses, 200), "locked out": 429, "registration refused": 400,
                        "registration refused while waiting": 400, "off treatment from a stale version": 400,
                        "CRF refused": 400, "not found": 404, "not allowed": 403}
    for name, response in chinese_pages.items():
        page = response.content.decode()
        if name != "registration waits":  # an htmx fragment of the participant's page
            assert '<html lang="zh-hans">' in page, name
        text = visible_text(page)
        assert re.search(r"[\u4e00-\u9fff]{2}", text), name
        assert english_left(text, entries) == [], f"English left on the {name} page"
        assert core_english_left(visible_text(without_stored_reasons(page))) == [], (
            f"the core's English on the {name} page")
    assert sorted(gettext_misses) == [], f"looked up in zh-hans, not in {PO}: {REMAKE}"


def test_english_left_finds_a_message_of_two_words_or_more_typed_without_translate():
    entries = [Entry(msgid="Dose level", msgstr={0: "剂量水平"}), Entry(msgid="Log in", msgstr={0: "登录"}),
               Entry(msgid="range", msgstr={0: "范围"}), Entry(msgid="%(n)s visits overdue", msgstr={0: "%(n)s 次访视逾期"})]
    assert english_left("受试者 Dose level 3 · 2 visits overdue · Login · range", entries) == ["Dose level"]


def test_gettext_misses_records_what_zh_hans_does_not_translate(gettext_misses):
    from django.utils import translation

    with translation.override("zh-hans"):
        assert translation.gettext("Dose level") == "剂量水平"
        assert translation.gettext("No such message here") == "No such message here"
        assert translation.ngettext("%(n)s apple", "%(n)s apples", 2) == "%(n)s apples"
        assert translation.pgettext("fruit", "Pear") == "Pear"
    with translation.override("en"):
        translation.gettext("Not recorded in English")
    assert gettext_misses == {"No such message here", "%(n)s apple", "fruit | Pear"}


def test_every_lab_grade_flag_has_its_words_in_both_languages():
    from django.utils import translation

    from hipectrial.clinical.labs.ctcae import GradeFlag
    from hipectrial.edc.crfs.derived import FLAG_WORDS

    assert set(FLAG_WORDS) == set(GradeFlag)
    with translation.override("en"):
        assert {str(w) for w in FLAG_WORDS.values()} == {f.value.replace("_", " ") for f in GradeFlag}
    with translation.override("zh-hans"):
        assert str(FLAG_WORDS[GradeFlag.SYMPTOMS_DECIDE]) == "需根据症状判定"
        assert all(re.search(r"[\u4e00-\u9fff]", str(w)) for w in FLAG_WORDS.values())



def _element(response, testid: str, end: str) -> str:
    """The visible text of the page's element ``data-testid=testid``, to its first ``end`` tag."""
    page = response.content.decode()
    return visible_text(page.split(f'data-testid="{testid}"', 1)[1].split(end, 1)[0])


def test_chinese_pages_word_the_cores_reasons_with_the_protocols_chinese_labels(chinese_pages):
    # the engine's reasons: a criterion for HER2-positive only, the cohort known or unknown
    screening = chinese_pages["participant in screening"]
    assert "仅适用于 HER2阳性；受试者所属队列为 HER2阴性" in _element(screening, "criterion-I17", "</tr>")
    assert "符合 HER2阴性 队列的分组规则" in visible_text(screening.content.decode())
    unknown = visible_text(chinese_pages["cohort unknown"].content.decode())
    assert "(HER2阴性、HER2阳性 队列的分组规则无法判定；缺少 HER2免疫组化评分)" in unknown
    for english in ("applies to HER2-positive only", "rule of HER2", "HER2-negative, HER2-positive"):
        assert english not in visible_text(screening.content.decode()) + unknown
    # why eligibility cannot be evaluated yet, and why CrCl is not computed for a minor
    assert "尚无筛选表记录" in _element(chinese_pages["just screened"], "eligibility-note", "</p>")
    assert ("签署知情同意时年龄 为 17" in
            _element(chinese_pages["minor"], "missing-crcl", "</li>"))
    assert "Cockcroft-Gault 公式仅适用于 18-120 岁的成人" in _element(chinese_pages["minor"], "missing-crcl", "</li>")
    labs = _element(chinese_pages["minor's labs (CrCl not computed)"], "derived-crcl", "</tr>")
    assert "Cockcroft-Gault 公式仅适用于 18-120 岁的成人；签署知情同意时年龄 为 17" in labs
    # registration waiting for cohort 1's DLT windows (SH01-003, -005 and -006 registered on
    # 2026-03-05; SH01-005 died, SH01-006 started induction: only SH01-003's outcome is open today)
    waits = visible_text(chinese_pages["registration waits"].content.decode())
    assert ("入组等待中：第 1 个队列（剂量水平1 - 75 mg/m2）已满，须待所有 DLT 结局明确（剂量限制性毒性 (DLT) "
            "观察期结束）后才能决定下一剂量。DLT 结局待定：SH01-003（第 1 个队列）。SH01-003 的 DLT 观察期尚不确定"
            "（诱导治疗第 1 周期尚未开始）。") in waits
    refused = _element(chinese_pages["registration refused while waiting"], "registration-refused", "</div>")
    assert "DLT 结局待定：SH01-003（第 1 个队列）、SH01-005（第 1 个队列）、SH01-006（第 1 个队列）。" in refused
    for english in ("Registration waits", "cohort 1", "dose level 1", "DLT outcome pending"):
        assert english not in waits + refused
    # a change of the participant made from an old version (someone else changed it meanwhile)
    conflict = _element(chinese_pages["off treatment from a stale version"], "conflict", "</p>")
    assert "在版本 0 之后已被 inv.a 修改" in conflict
    assert "nothing was saved" not in conflict
    # the timeline's stop events
    dead = _element(chinese_pages["participant who died"], "timeline-stopped", "</ul>")
    assert "第0天 - 诊断性腹腔镜探查及HIPEC：1 次访视不再需要（已于 2026-03-08 因死亡停止）" in dead
    progressed = _element(chinese_pages["participant who progressed"], "timeline-stopped", "</ul>")
    assert "（已于 2026-05-04 因疾病进展停止）" in progressed
    assert not re.search(r"death|progression|off study", dead + progressed)


def test_chinese_histories_show_a_codes_protocol_label_beside_the_stored_code(chinese_pages):
    biomarkers = visible_text(chinese_pages["coded record history"].content.decode())
    assert "HER2免疫组化评分 (her2_ihc) — IHC 1+ (ihc1plus)" in biomarkers
    assert "错配修复状态 (mmr_status) — 错配修复功能完整（pMMR） (pmmr)" in biomarkers
    assert "完成 (complete)" in biomarkers
    person = visible_text(chinese_pages["registered participant's history"].content.decode())
    assert "性别 (sex) — 男 (male)" in person
    assert "队列 (cohort) — HER2阴性 (HER2-negative)" in person
    assert "剂量水平 (dose_level) — 剂量水平1 - 75 mg/m2 (1)" in person


def test_english_histories_show_the_english_label_beside_the_stored_code(cast, client):
    from tests.edc.participants.conftest import screen

    person = screen(cast.coordinator, cast.site_a)
    client.force_login(cast.coordinator)
    page = visible_text(client.get(f"/audit/record/{person.participant_id}").content.decode())
    assert "Sex (sex) — Male (male)" in page


def _imported_part_b_or_closed(cast, client, scenario: str, seed: int):
    """A simulated trial (``scenario``, ``seed``; opened 2024-06-01, cut off 2025-05-27)
    imported, and a new eligible participant: their registration section and, when
    registration is not open, their registration refused; in Chinese."""
    from tests.edc.participants.conftest import screen
    from tests.edc.participants.screening import enter_screening

    from hipectrial.edc.participants.selectors import next_assignment_now
    from hipectrial.edc.snapshot import import_trial
    from hipectrial.protocol import load_protocol
    from hipectrial.simulate.scenario.world import Cutoff, load_scenario
    from hipectrial.simulate.trial.run import simulate

    opened, cutoff = dt.date(2024, 6, 1), dt.date(2025, 5, 27)
    world = load_scenario(scenario).model_copy(update={"start_date": opened, "cutoff": Cutoff(date=cutoff)})
    import_trial(actor=cast.administrator, trial=simulate(load_protocol(), world, seed))
    consent = cutoff - dt.timedelta(days=5)
    p = screen(cast.coordinator, cast.site_a, consent=consent)
    enter_screening(cast.coordinator, p, consent=consent, screening_day=consent + dt.timedelta(days=1))
    p.refresh_from_db()
    cast.coordinator.language = "zh-hans"
    cast.coordinator.save(update_fields=["language"])
    client.force_login(cast.coordinator)
    section = client.get(f"/participants/{p.participant_id}/assignment/")
    refused = client.post(f"/participants/{p.participant_id}/register/", {
        "registration_date": cutoff.isoformat(), "eligibility_confirmed": "on", "version": p.version})
    from django.utils import timezone

    return next_assignment_now(timezone.localdate()), visible_text(section.content.decode()), refused


def test_part_b_open_registration_is_worded_in_chinese(cast, client, gettext_misses):
    assignment, section, _ = _imported_part_b_or_closed(cast, client, "default", 1)
    assert (assignment.open, assignment.reason_code) == (True, "part_b")  # the premise
    level = {"1": "剂量水平1 - 75 mg/m2", "2": "剂量水平2 - 125 mg/m2", "3": "剂量水平3 - 175 mg/m2"}[
        assignment.dose_level]
    assert f"B部分，{level}：A部分选定 {level} 为推荐II期剂量（设计在第" in section
    assert "Part B at" not in section
    assert "recommended phase II dose" not in section
    assert core_english_left(section) == []
    assert sorted(gettext_misses) == []


@pytest.mark.parametrize(("scenario", "seed", "code", "chinese"), [
    ("toxic", 2, "closed_no_dose", "入组关闭：A部分在第"),
    ("toxic", 1, "closed_futility", "入组关闭：Simon 第一阶段分析"),
])
def test_closed_registration_is_worded_in_chinese(cast, client, gettext_misses, scenario, seed, code, chinese):
    assignment, section, refused = _imported_part_b_or_closed(cast, client, scenario, seed)
    assert (assignment.open, assignment.reason_code) == (False, code)  # the premise
    assert chinese in section
    assert refused.status_code == 400
    refusal = _element(refused, "registration-refused", "</div>")
    assert chinese in refusal
    for text in (section, refusal):
        assert "Registration closed" not in text
        assert core_english_left(text) == []
    assert sorted(gettext_misses) == []


def test_every_reason_code_has_its_chinese_wording_with_the_cores_parameters():
    """A code added to the core without its wording here fails; so does a wording whose
    placeholders are not the parameters of the core's English template."""
    from django.utils import translation

    from hipectrial.analysis.reasons import ENGLISH as ASSIGNMENT_ENGLISH
    from hipectrial.analysis.reasons import AssignmentReason, CohortDecisionReason, ReasonPart
    from hipectrial.analysis.screening import ENGLISH as SCREENING_ENGLISH
    from hipectrial.analysis.screening import ScreeningNote
    from hipectrial.clinical.eligibility import ENGLISH as ELIGIBILITY_ENGLISH
    from hipectrial.clinical.eligibility import CohortReason, CriterionReason
    from hipectrial.clinical.records.derived import ENGLISH as DERIVED_ENGLISH
    from hipectrial.clinical.records.derived import DerivedReason
    from hipectrial.design.boin import BoinReason
    from hipectrial.design.dose_finding import Action, StopReason
    from hipectrial.edc.participants.timeline import STOP_EVENTS
    from hipectrial.edc.participants.wording import (
        ACTIONS,
        ASSIGNMENT,
        DERIVED,
        DESIGN,
        ELIGIBILITY,
        SCREENING,
    )
    from hipectrial.protocol.schedule import ScheduleEnd

    assert set(ELIGIBILITY) == set(CriterionReason) | set(CohortReason) == set(ELIGIBILITY_ENGLISH)
    assert set(DERIVED) == set(DerivedReason) == set(DERIVED_ENGLISH)
    assert set(SCREENING) == set(ScreeningNote) == set(SCREENING_ENGLISH)
    assert set(ASSIGNMENT) == set(AssignmentReason) | set(ReasonPart) | set(CohortDecisionReason)
    assert set(ASSIGNMENT) == set(ASSIGNMENT_ENGLISH)
    assert set(DESIGN) == set(StopReason) | set(BoinReason)
    assert set(ACTIONS) == set(Action)
    assert set(STOP_EVENTS) == set(ScheduleEnd)
    han = re.compile(r"[\u4e00-\u9fff]")
    with translation.override("zh-hans"):
        pairs = ((ELIGIBILITY, ELIGIBILITY_ENGLISH), (DERIVED, DERIVED_ENGLISH), (SCREENING, SCREENING_ENGLISH),
                 (ASSIGNMENT, ASSIGNMENT_ENGLISH))
        for templates, english in pairs:
            for code, template in templates.items():
                names = set(re.findall(r"\{(\w+)\}", english[code]))
                assert set(re.findall(r"%\((\w+)\)s", str(template))) == names, code
                if code != CohortDecisionReason.DESIGN:  # the design's reason, worded by DESIGN
                    assert han.search(str(template)), code
        for words in (*DESIGN.values(), *ACTIONS.values(), *STOP_EVENTS.values()):
            assert han.search(str(words)), words
