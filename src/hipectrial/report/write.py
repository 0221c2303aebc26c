"""Write a report as ``report.html`` and ``report.pdf``, atomically."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from hipectrial.report.document import Report
from hipectrial.report.html import render_html
from hipectrial.report.pdf import render_pdf

HTML_NAME = "report.html"
PDF_NAME = "report.pdf"


def _temporary_copy(path: Path, data: bytes) -> Path:
    """``data`` written and flushed to disk in a new hidden temporary file beside ``path``."""
    # open(..., "x") rather than tempfile.mkstemp: the file gets the usual permissions
    # (umask) instead of mkstemp's owner-only 0600, and "x" never reuses an existing file
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    stream = temporary.open("xb")
    try:
        with stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def write_report(*, report: Report, out_dir: Path) -> tuple[Path, Path]:
    """Render ``report`` and write ``report.html`` and ``report.pdf`` into ``out_dir``.

    Both documents are rendered in memory first, so a rendering failure writes nothing;
    both are then written to hidden temporary files in ``out_dir`` (flushed to disk) and
    only then renamed into place, so no reader ever sees a half-written file and a failure
    before the renames leaves any previous files untouched. Existing files are replaced.

    Parameters
    ----------
    report : Report
        The report to write.
    out_dir : Path
        The directory to write into; created (with its parents) when missing.

    Returns
    -------
    tuple of Path
        The paths of the HTML and the PDF file.

    Raises
    ------
    OSError
        When the directory or the files cannot be written; no temporary file is left.
    """
    contents = {HTML_NAME: render_html(report=report).encode("utf-8"), PDF_NAME: render_pdf(report=report)}
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    temporaries: dict[Path, Path] = {}
    try:
        for name, data in contents.items():
            temporaries[out_dir / name] = _temporary_copy(out_dir / name, data)
        for final, temporary in temporaries.items():
            os.replace(temporary, final)
    finally:
        for temporary in temporaries.values():
            temporary.unlink(missing_ok=True)
    return out_dir / HTML_NAME, out_dir / PDF_NAME
