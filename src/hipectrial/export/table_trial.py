"""The one-row ``trial`` table: what the document is (protocol, version, cut-off, origin)."""

from __future__ import annotations

from typing import Any

from hipectrial.data.records import DataSource
from hipectrial.data.trial import TrialData
from hipectrial.data.vocab import SourceKind
from hipectrial.export.table_model import ColumnType
from hipectrial.export.table_parts import Coded, Part, Row, RowProblem, column


class TrialPart(Part):
    """protocol_id, protocol_version, generated_at and the data's source (kind, description;
    both empty when the source is not known)."""

    def __init__(self, sources: Coded) -> None:
        self.columns = (
            column("trial", "protocol_id", ColumnType.TEXT, key=True, required=True),
            column("trial", "protocol_version", ColumnType.TEXT, required=True),
            column("trial", "generated_at", ColumnType.DATETIME, required=True),
            column("trial", "source_kind", ColumnType.CODE, codelist=sources.codelist, codes=sources.codes),
            column("trial", "source_description", ColumnType.TEXT),
        )

    def values(self, record: Any) -> tuple[object, ...]:
        trial: TrialData = record
        source = trial.source
        return (trial.protocol_id, trial.protocol_version, trial.generated_at,
                None if source is None else source.kind.value,
                None if source is None else source.description)

    def read(self, row: Row, into: dict[str, Any]) -> None:
        into["protocol_id"] = row.get("protocol_id")
        into["protocol_version"] = row.get("protocol_version")
        into["generated_at"] = row.get("generated_at")
        kind, description = row.get("source_kind"), row.get("source_description")
        if (kind is None) != (description is None):
            missing = "source_kind" if kind is None else "source_description"
            raise RowProblem(missing, None, "a value: source_kind and source_description go together")
        into["source"] = None if kind is None else DataSource(SourceKind(kind), str(description))
