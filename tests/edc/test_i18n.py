"""The Simplified Chinese catalogue (zh-hans) of the EDC: complete, shipped compiled, and used.

* Every message has a translation and none is fuzzy (a fuzzy one is a guess gettext ignores).
* The committed ``django.mo`` is the compiled ``django.po`` (``pip install`` does not compile
  catalogues, so the .mo is committed): recompiled with Debian's ``msgfmt`` when present,
  else read by this module's own reader, and compared as parsed catalogues.
* The catalogue is up to date with the source: ``makemessages`` run over a copy of the EDC
  finds no message without a translation (needs Debian's gettext tools).
* Pages rendered in zh-hans show none of the English messages we translate.
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


@pytest.fixture
def chinese_pages(cast, client, gettext_misses):
    """Every kind of page there is, rendered for Chinese-speaking users: the log-in and
    lock-out pages for a browser asking for zh-CN; the list, screening, a participant in
    screening (eligibility with missing values), one refused registration, one registered
    (timeline), a visit, a CRF refused and one needing a reason, the histories, and the 403
    and 404 pages."""
    from django.test import Client
    from tests.edc.participants.conftest import screen
    from tests.edc.participants.screening import SCREENING_DAY, enter_screening

    from hipectrial.edc.participants.registration import participant_register

    anonymous = Client(HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    pages = {"log-in": anonymous.get("/accounts/login/")}
    for _ in range(5):
        locked = anonymous.post("/accounts/login/", {"username": "inv.a", "password": "wrong-password"})
    pages["locked out"] = locked

    incomplete, ineligible, registered = (screen(cast.coordinator, cast.site_a) for _ in range(3))
    enter_screening(cast.coordinator, incomplete, leave_out=("labs",), drafts=("ecog_assessment",))
    enter_screening(cast.coordinator, ineligible, changes={"ecog_assessment": {"ecog": "3"}})
    enter_screening(cast.coordinator, registered)
    registered.refresh_from_db()
    on = SCREENING_DAY + dt.timedelta(days=2)
    participant_register(actor=cast.investigator, participant=registered, as_of=on,
                         expected_version=registered.version)
    for user in (cast.coordinator, cast.coordinator_b):
        user.language = "zh-hans"
        user.save(update_fields=["language"])
    client.force_login(cast.coordinator)
    vitals = f"/participants/{incomplete.participant_id}/visits/screening/1/vital_signs/"
    pages |= {
        "participants": client.get("/"),
        "start screening": client.get("/participants/screen/"),
        "participant in screening": client.get(f"/participants/{incomplete.participant_id}/"),
        "registration refused": client.post(
            f"/participants/{ineligible.participant_id}/register/",
            {"registration_date": on.isoformat(), "eligibility_confirmed": "on", "version": ineligible.version}),
        "registered participant": client.get(f"/participants/{registered.participant_id}/"),
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
                        "CRF refused": 400, "not found": 404, "not allowed": 403}
    for name, response in chinese_pages.items():
        page = response.content.decode()
        assert '<html lang="zh-hans">' in page, name
        text = visible_text(page)
        assert re.search(r"[\u4e00-\u9fff]{2}", text), name
        assert english_left(text, entries) == [], f"English left on the {name} page"
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
