"""Reading the ``--data`` file that ``analyze``, ``report`` and ``validate`` take."""

from __future__ import annotations

from pathlib import Path

from hipectrial.data import TrialData
from hipectrial.errors import InputError


def read_trial(path: Path) -> TrialData:
    """The ``TrialData`` document at ``path``.

    Raises
    ------
    InputError
        A missing or unreadable file (field ``data``).
    DocumentError
        A file that is not a TrialData document, naming the first problem and its place.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("data", str(path), "an existing TrialData JSON file",
                         "write one with `hipectrial simulate --out trial.json`") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError("data", str(path), "a readable UTF-8 JSON file", str(exc)) from None
    return TrialData.from_json(text)
