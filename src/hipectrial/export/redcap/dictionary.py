"""The REDCap data dictionary (the 18-column CSV REDCap uploads) of a protocol's project.

One row per variable, instruments in :mod:`hipectrial.export.redcap.design` order, the first
row ``record_id``. Field types and validation from the column type:

==============  =================================================================
column type     REDCap
==============  =================================================================
text            ``text``
integer         ``text``, validation ``integer``, min/max from the protocol
decimal         ``text``, validation ``number``, min/max; unit and decimals in the note
date            ``text``, validation ``date_ymd``
datetime        ``text`` without validation; the note asks for ISO 8601 with offset
boolean         ``yesno`` (REDCap stores ``1`` / ``0``)
code            ``radio`` (up to 6 choices) or ``dropdown``, ``code, label | ...``
codes           ``checkbox``, ``code, label | ...``
==============  =================================================================

Why ``number`` and not ``number_1dp`` ...: REDCap's fixed-decimal validations accept exactly
that many decimals (``/^-?\\d+\\.\\d$/``) and are hidden unless an administrator enables them
(REDCap 15.7.6 ``Resources/sql/install_data.sql``, ``visible`` 0); a recorded ``61`` in a
field recorded with 1 decimal is valid trial data, so the decimals go in the field note.
Why no ``datetime_seconds_ymd``: REDCap date-times hold neither a UTC offset nor fractions
of a second; the trial's times (audit times from the EDC) have both, and would not come
back unchanged. ``date_ymd`` stores what the trial records, ``YYYY-MM-DD``.

Labels are English; the Chinese labels are in REDCap's Multi-Language Management file
(:mod:`hipectrial.export.redcap.languages`). A ``show_if`` becomes branching logic
(:mod:`hipectrial.export.redcap.branching`); one REDCap cannot express leaves the field
without branching logic, says so in the field note, and is listed in the result's
``refusals`` (a ``strict`` build refuses the whole dictionary instead).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from hipectrial.errors import InputError
from hipectrial.export.redcap.branching import BranchingRefusal, translate_show_ifs
from hipectrial.export.redcap.design import RECORD_ID, Instrument, Project, Variable
from hipectrial.export.redcap.names import RECOMMENDED_VARIABLE, check_code, checkbox_column
from hipectrial.export.tables import Column, ColumnType
from hipectrial.protocol import Protocol

# The header REDCap writes and reads (REDCap 15.7.6 Classes/MetaData.php,
# getDataDictionaryHeaders; the same in a REDCap download, e.g. medizininformatik-initiative/
# INTERPOLAR R-db2frontend/db2frontend/inst/extdata/Frontend_DataDictionary.csv).
HEADER = (
    "Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
    "Choices, Calculations, OR Slider Labels", "Field Note", "Text Validation Type OR Show Slider Number",
    "Text Validation Min", "Text Validation Max", "Identifier?", "Branching Logic (Show field only if...)",
    "Required Field?", "Custom Alignment", "Question Number (surveys only)", "Matrix Group Name",
    "Matrix Ranking?", "Field Annotation",
)
RADIO_MAX = 6
# A column a system writes (its order, its provenance): read-only on a REDCap form.
_SYSTEM_COLUMNS = frozenset(
    {"seq", "entered_by", "entered_at", "protocol_version", "changed_by", "changed_at"}
)
_DATETIME_NOTE = ("ISO 8601 date-time with its UTC offset, e.g. 2025-03-01T09:30:00+08:00",
                  "ISO 8601 日期时间，含 UTC 时差，例如 2025-03-01T09:30:00+08:00")


@dataclass(frozen=True, slots=True)
class FieldText:
    """What a variable shows, in English and Chinese: label, note and choices."""

    label_en: str
    label_zh: str
    note_en: str
    note_zh: str
    choices: tuple[tuple[str, str, str], ...]  # (code, English label, Chinese label)


@dataclass(frozen=True, slots=True)
class DataDictionary:
    """The dictionary's rows (without the header), the texts of each variable, the
    ``show_if`` conditions left untranslated, and variables longer than REDCap recommends."""

    rows: tuple[tuple[str, ...], ...]
    texts: tuple[tuple[Instrument, Variable, FieldText], ...]
    refusals: tuple[BranchingRefusal, ...]
    long_names: tuple[str, ...]

    def csv_text(self) -> str:
        """The dictionary as REDCap's CSV (UTF-8 text; the file writer adds a BOM)."""
        return csv_text((HEADER, *self.rows))


def csv_text(rows: Iterator[tuple[str, ...]] | tuple[tuple[str, ...], ...]) -> str:
    """Rows as CSV: comma-separated, quoted where needed, ``\\n`` line ends."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows(rows)
    return out.getvalue()


def data_dictionary(*, protocol: Protocol, project: Project, strict: bool = False) -> DataDictionary:
    """The data dictionary of ``project`` (module docstring).

    Parameters
    ----------
    protocol
        The protocol the project was made from.
    project
        :func:`hipectrial.export.redcap.design.project_design` of ``protocol``.
    strict
        Refuse the dictionary when a ``show_if`` has no REDCap translation.

    Raises
    ------
    InputError
        A choice code REDCap does not accept, a label with ``|`` (REDCap's choice
        separator), two checkbox options with one export column, or (``strict``) a
        ``show_if`` without translation.
    """
    logic, refusals = translate_show_ifs(protocol, project)
    if strict and refusals:
        raise InputError("show_if", refusals[0].source, "a condition REDCap branching logic can express",
                         "; ".join(str(r) for r in refusals))
    refused = {r.field: r for r in refusals}
    rows: list[tuple[str, ...]] = []
    texts: list[tuple[Instrument, Variable, FieldText]] = []
    for instrument, variable in project.variables():
        text = field_text(instrument, variable, refused.get(variable.name))
        rows.append(_row(instrument, variable, text, logic.get(variable.name, "")))
        texts.append((instrument, variable, text))
    long_names = tuple(v.name for _, v in project.variables() if len(v.name) > RECOMMENDED_VARIABLE)
    return DataDictionary(rows=tuple(rows), texts=tuple(texts), refusals=refusals, long_names=long_names)


def field_text(instrument: Instrument, variable: Variable, refusal: BranchingRefusal | None) -> FieldText:
    """The label, note and choices of ``variable``, in English and Chinese."""
    column = variable.column
    if column is None:
        return FieldText("Participant ID (the study's own record: the study ID)",
                         "受试者编号（研究本身的记录：研究编号）", "", "", ())
    notes_en: list[str] = []
    notes_zh: list[str] = []
    if column.unit:
        notes_en.append(f"Unit: {column.unit}.")
        notes_zh.append(f"单位：{column.unit}。")
    if column.type is ColumnType.DECIMAL and column.decimals is not None:
        notes_en.append(f"Recorded with {column.decimals} decimal{'s' if column.decimals != 1 else ''}.")
        notes_zh.append(f"记录到小数点后 {column.decimals} 位。")
    if column.type is ColumnType.DATETIME:
        notes_en.append(_DATETIME_NOTE[0] + ".")
        notes_zh.append(_DATETIME_NOTE[1] + "。")
    field = column.field
    if field is not None and field.help is not None:
        notes_en.append(field.help.en)
        notes_zh.append(field.help.zh)
    if refusal is not None:
        notes_en.append(f"Answer only if: {refusal.source} (protocol condition; REDCap shows the field "
                        f"always: {refusal.construct}, {refusal.reason}).")
        notes_zh.append(
            f"仅在以下条件成立时填写：{refusal.source}（方案条件；REDCap 无法表达，始终显示此字段）。"
        )
    choices: tuple[tuple[str, str, str], ...] = ()
    if column.type in (ColumnType.CODE, ColumnType.CODES):
        choices = tuple((c.code, c.label_en, c.label_zh) for c in column.codes)
        _check_choices(instrument, variable, choices)
    return FieldText(column.label_en, column.label_zh, " ".join(notes_en), "".join(notes_zh), choices)


def _check_choices(
    instrument: Instrument, variable: Variable, choices: tuple[tuple[str, str, str], ...]
) -> None:
    where = f"{instrument.table.id}.{variable.name}"
    columns: dict[str, str] = {}
    for code, label_en, label_zh in choices:
        check_code(code, source=f"{where} code")
        for label in (label_en, label_zh):
            if "|" in label:
                raise InputError(
                    f"{where} code {code} label", label, "a label without '|' (REDCap's choice separator)"
                )
        if variable.checkbox:
            exported = checkbox_column(variable.name, code)
            if exported in columns:
                raise InputError(
                    f"{where} code {code}",
                    code,
                    "checkbox codes with distinct REDCap export columns",
                    f"{columns[exported]!r} and {code!r} both become {exported}",
                )
            columns[exported] = code


def _row(instrument: Instrument, variable: Variable, text: FieldText, logic: str) -> tuple[str, ...]:
    column = variable.column
    field_type, validation, low, high = "text", "", "", ""
    choices = " | ".join(f"{code}, {en}" for code, en, _ in text.choices)
    annotation: list[str] = []
    required = ""
    if column is not None:
        field_type, validation, low, high = _type(column)
        required = "y" if column.required or (column.field is not None and column.field.required) else ""
        annotation.append(f"hipectrial {instrument.table.id}.{column.name}")
        if column.field is not None and column.field.show_if is not None:
            annotation.append(f"show_if (CEL): {column.field.show_if.source}")
        if column.name in _SYSTEM_COLUMNS and not column.key:
            annotation.insert(0, "@READONLY")
    else:
        annotation.append(f"hipectrial: participant_id (record {RECORD_ID})")
    return (
        variable.name, instrument.name, "", field_type, text.label_en, choices, text.note_en, validation,
        low, high, "", logic, required, "", "", "", "", " ".join(annotation),
    )


def _type(column: Column) -> tuple[str, str, str, str]:
    """Field type, validation, min and max of a column."""
    kind = column.type
    if kind is ColumnType.INTEGER:
        return "text", "integer", _bound(column.min), _bound(column.max)
    if kind is ColumnType.DECIMAL:
        return "text", "number", _bound(column.min), _bound(column.max)
    if kind is ColumnType.DATE:
        return "text", "date_ymd", "", ""
    if kind is ColumnType.BOOLEAN:
        return "yesno", "", "", ""
    if kind is ColumnType.CODE:
        return ("radio" if len(column.codes) <= RADIO_MAX else "dropdown"), "", "", ""
    if kind is ColumnType.CODES:
        return "checkbox", "", "", ""
    return "text", "", "", ""  # TEXT and DATETIME


def _bound(value: float | None) -> str:
    """A protocol bound as REDCap's plain number (``10000000000``, ``0.5``)."""
    if value is None:
        return ""
    text = format(Decimal(repr(value)).normalize(), "f")
    return text
