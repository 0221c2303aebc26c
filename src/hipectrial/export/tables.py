"""TrialData as tables, and back: the one flattening every export format is made from.

A trial's records become rows of tables: one row ``trial`` (protocol, version, cut-off,
origin), ``sites``, ``participants``, ``visits``, one table per CRF (``form_<form id>``,
one column per protocol field), and one per typed record collection (``doses``,
``adverse_events``, ``lab_results``, ``tumour_assessments`` with its child ``lesions``,
``surgeries`` with its child ``complications``, ``follow_ups``). Values stay typed (``str``,
``int``, ``Decimal``, ``date``, ``datetime``, ``bool``, ``tuple[str, ...]``, ``None``);
:func:`to_text` and :func:`from_text` give each its one canonical text for text formats.

Export is :func:`table_rows` then the format; import is the format, then rows, then
:func:`trial_from_tables`. Nothing is lost: for every trial that :func:`table_rows`
accepts, ``trial_from_tables(p, ((t.id, dict(zip(t.names, row))) for t, row in
table_rows(x, p))) == canonical(x)`` (and their JSON texts are identical).

Keys: participant-scoped tables start with ``participant_id``; CRF tables add
``visit_id``, ``visit_repeat`` and (repeating forms only) ``repeat``; typed tables add
``seq`` (1-based per participant and kind); child tables carry their parent's ``seq``
(``assessment_seq``, ``surgery_seq``) and their own. Visits and CRF records also carry a
``seq`` (not part of the key; for CRF records numbered across all the participant's forms)
so that their order survives; an importer that cannot give it may leave it out. Every
table of records with provenance ends with ``entered_by``, ``entered_at``,
``protocol_version``, ``changed_by``, ``changed_at``.

Labels come from the protocol (forms, fields, code lists, visits, phases, cohorts) and, for
the typed tables, from :mod:`hipectrial.export.table_labels`.
"""

from hipectrial.export.table_defs import table_defs
from hipectrial.export.table_model import (
    Code,
    Column,
    ColumnType,
    TableDef,
    TableProblem,
    TablesError,
)
from hipectrial.export.table_read import trial_from_tables
from hipectrial.export.table_text import CODES_SEPARATOR, from_text, to_text
from hipectrial.export.table_write import canonical, table_rows

__all__ = [
    "CODES_SEPARATOR",
    "Code",
    "Column",
    "ColumnType",
    "TableDef",
    "TableProblem",
    "TablesError",
    "canonical",
    "from_text",
    "table_defs",
    "table_rows",
    "to_text",
    "trial_from_tables",
]
