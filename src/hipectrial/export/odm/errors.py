"""The refusal of an ODM document: every problem found, each located."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hipectrial.errors import InputError

# How many problems the message lists (all are in ``problems``).
SHOWN_PROBLEMS = 20


@dataclass(frozen=True, slots=True)
class OdmProblem:
    """One problem: ``where`` in the document (a line, or the path of keys and OIDs, e.g.
    ``SubjectData SH01-001 / StudyEventData SE.SCREENING / FormData F.LABS / ItemData
    IT.LABS.ANC``) and what is wrong, with what was expected."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class OdmError(InputError):
    """An ODM document refused whole: not well-formed, not valid against the ODM 1.3.2
    schema, or not the clinical data of the protocol given. ``problems`` holds each one;
    the message lists the first :data:`SHOWN_PROBLEMS` and says how many more there are."""

    code = "odm_invalid"

    def __init__(self, source: str, expected: str, problems: Sequence[OdmProblem]) -> None:
        if not problems:
            raise ValueError("OdmError needs at least one problem")
        self.problems: tuple[OdmProblem, ...] = tuple(problems)
        count = len(self.problems)
        lines = [str(p) for p in self.problems[:SHOWN_PROBLEMS]]
        if count > SHOWN_PROBLEMS:
            lines.append(f"... and {count - SHOWN_PROBLEMS} more")
        hint = f"{count} problem{'s' if count != 1 else ''}:\n" + "\n".join(lines)
        super().__init__("odm", source, expected, hint)
