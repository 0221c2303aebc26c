"""The Chinese labels as a REDCap Multi-Language Management (MLM) language file.

REDCap keeps one set of labels in the data dictionary (English here); other languages are
MLM languages, which a project imports from a JSON file (Multi-Language Management, "Add a
new language", "Import from file"). REDCap accepts a file whose ``creator`` is
``REDCap MLM`` and reads from it the language key and display name, ``formTranslations``
(instrument names), ``eventTranslations`` (by unique event name), and ``fieldTranslations``
(label, note and each choice's label by code); a translation without a ``hash`` is taken as
current (REDCap 15.7.6 ``Resources/js/MultiLanguage.js``, ``readFile``,
``mergeLanguageFromFileOrSystem``, ``set_dd``). The key ``zh-Hans`` passes REDCap's
language-key check (same file, ``validateLanguage``).
"""

from __future__ import annotations

import json
from typing import Any

from hipectrial.export.redcap.design import Project
from hipectrial.export.redcap.dictionary import DataDictionary

LANGUAGE_KEY = "zh-Hans"
LANGUAGE_DISPLAY = "简体中文"


def mlm_language(*, project: Project, dictionary: DataDictionary) -> dict[str, Any]:
    """The Simplified Chinese MLM language of the project (module docstring)."""
    forms = [{"id": i.name, "active": True, "name": {"translation": i.label_zh}} for i in project.instruments]
    events = [
        {"id": e.unique_name, "custom_event_label": {"translation": e.label_zh}} for e in project.events
    ]
    fields: list[dict[str, Any]] = []
    for instrument, variable, text in dictionary.texts:
        item: dict[str, Any] = {"id": variable.name, "form": instrument.name,
                                "label": {"translation": text.label_zh}}
        if text.note_zh:
            item["note"] = {"translation": text.note_zh}
        if text.choices:
            item["enum"] = [{"id": code, "translation": zh} for code, _, zh in text.choices]
        fields.append(item)
    return {
        "creator": "REDCap MLM",
        "key": LANGUAGE_KEY,
        "display": LANGUAGE_DISPLAY,
        "rtl": False,
        "sort": "",
        "formTranslations": forms,
        "eventTranslations": events,
        "fieldTranslations": fields,
    }


def mlm_json(*, project: Project, dictionary: DataDictionary) -> str:
    """:func:`mlm_language` as JSON text (keys in a fixed order, UTF-8 characters kept)."""
    return (
        json.dumps(mlm_language(project=project, dictionary=dictionary), ensure_ascii=False, indent=1) + "\n"
    )
