"""Write a report as ``report.html``, ``report.pdf`` and its listings as CSV, atomically.

Layout of the output folder::

    report.html
    report.pdf
    listings/<name>.csv      one per Listing of the report, every row

:func:`check_out_dir` says at once whether a folder can take a report, before any work.
"""

from __future__ import annotations

import csv
import io
import os
import secrets
from pathlib import Path

from hipectrial.errors import InputError
from hipectrial.report.document import LISTINGS_DIR, Listing, Report, cell_text, listings
from hipectrial.report.html import render_html
from hipectrial.report.pdf import render_pdf

HTML_NAME = "report.html"
PDF_NAME = "report.pdf"


def listing_csv(listing: Listing) -> bytes:
    """The whole listing as CSV: RFC 4180, UTF-8 without a byte-order mark.

    The header row is the column names; each cell is its text as the report shows it
    (:func:`~hipectrial.report.document.cell_text`: empty for ``None``); records end in
    CRLF; a field is quoted only when it holds a comma, a double quote, CR or LF, a quote
    doubled inside it (RFC 4180, section 2). No BOM: it would become part of the first
    column's name in R's ``read.csv`` and in pandas' default ``utf-8`` reading.

    >>> from hipectrial.report.document import Column, Table
    >>> table = Table(columns=(Column(name="Participant"), Column(name="Term")), caption="AEs",
    ...               rows=(("SH01-001", "Rash, maculo-papular"), ("SH01-002", None)))
    >>> listing_csv(Listing(table=table, name="ae"))
    b'Participant,Term\\r\\nSH01-001,"Rash, maculo-papular"\\r\\nSH01-002,\\r\\n'
    """
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([column.name for column in listing.table.columns])
    writer.writerows([cell_text(value) for value in row] for row in listing.table.rows)
    return buffer.getvalue().encode("utf-8")


def check_out_dir(path: Path) -> Path:
    """``path`` as a folder a report can be written into, or an InputError at once.

    Nothing is created or changed. The folder may exist (it must then be a writable
    directory whose ``report.html``, ``report.pdf`` and ``listings`` are not of the wrong
    kind) or not (its nearest existing ancestor must then be a writable directory, so that
    :func:`write_report` can create it).

    Parameters
    ----------
    path : Path
        The intended output folder (``report --out``).

    Returns
    -------
    Path
        ``path`` made absolute (symbolic links are not resolved).

    Raises
    ------
    InputError
        ``out``: the path, or one of its ancestors, is not a directory, or the folder
        cannot be created or written by this user.
    """
    out = Path(os.path.abspath(path))
    if out.exists():
        if not out.is_dir():
            raise InputError("out", str(path), "a folder to write the report into",
                             hint=f"{out} exists and is a file, not a folder")
        _check_writable(out, path, what="the folder")
        for name, want_dir in ((HTML_NAME, False), (PDF_NAME, False), (LISTINGS_DIR, True)):
            inside = out / name
            if inside.exists() and inside.is_dir() != want_dir:
                kind = "a folder" if want_dir else "a file"
                raise InputError("out", str(path), "a folder to write the report into",
                                 hint=f"{inside} exists and is not {kind}; move it away")
        listing_dir = out / LISTINGS_DIR
        if listing_dir.is_dir():
            _check_writable(listing_dir, path, what="its listings folder")
        return out
    ancestor = out.parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise InputError("out", str(path), "a folder that can be created",
                         hint=f"{ancestor} is a file, not a folder")
    _check_writable(ancestor, path, what=f"the folder that would hold it ({ancestor})")
    return out


def _check_writable(directory: Path, given: Path, *, what: str) -> None:
    # os.access asks the kernel with the real uid: permissions, ACLs and read-only mounts
    if not os.access(directory, os.W_OK | os.X_OK):
        raise InputError("out", str(given), "a folder this user can write into",
                         hint=f"no permission to write into {what}: {directory}")


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
    """Render ``report`` and write ``report.html``, ``report.pdf`` and ``listings/*.csv``.

    Everything is rendered in memory first, so a rendering failure writes nothing; every
    file is then written to a hidden temporary file beside its final place (flushed to
    disk) and only then renamed into place, so no reader ever sees a half-written file
    and a failure before the renames leaves any previous files untouched. Existing files
    are replaced; CSV files in ``listings/`` that the report no longer has are removed
    after the renames, so the folder never offers a listing of an earlier report.

    Parameters
    ----------
    report : Report
        The report to write.
    out_dir : Path
        The directory to write into; created (with its parents) when missing.

    Returns
    -------
    tuple of Path
        The paths of the HTML and the PDF file; listing ``name`` is at
        ``out_dir / "listings" / f"{name}.csv"``.

    Raises
    ------
    OSError
        When the directory or the files cannot be written; no temporary file is left.
    """
    contents: dict[str, bytes] = {HTML_NAME: render_html(report=report).encode("utf-8"),
                                  PDF_NAME: render_pdf(report=report)}
    csv_files = {listing.csv_path: listing_csv(listing) for listing in listings(report)}
    contents.update(csv_files)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    listing_dir = out_dir / LISTINGS_DIR
    made_listing_dir = bool(csv_files) and not listing_dir.exists()
    if made_listing_dir:
        listing_dir.mkdir()
    temporaries: dict[Path, Path] = {}
    try:
        for name, data in contents.items():
            temporaries[out_dir / name] = _temporary_copy(out_dir / name, data)
        for final, temporary in temporaries.items():
            os.replace(temporary, final)
    except BaseException:
        for temporary in temporaries.values():
            temporary.unlink(missing_ok=True)
        if made_listing_dir and not any(listing_dir.iterdir()):
            listing_dir.rmdir()  # the failed write leaves the folder as it found it
        raise
    if listing_dir.is_dir():
        for stale in sorted(listing_dir.glob("*.csv")):
            if f"{LISTINGS_DIR}/{stale.name}" not in csv_files:
                stale.unlink()
    return out_dir / HTML_NAME, out_dir / PDF_NAME
