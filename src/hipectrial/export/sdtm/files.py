"""Writing an SDTM export folder: one ``<dataset>.xpt`` per dataset (lower-case names) and
``define.xml`` describing them.

Every file is checked before it is written (XPT v5 limits; define.xml against its schema),
so a refusal names what could not be written; the CLI writes into a staged folder and
moves it into place only after :func:`hipectrial.export.sdtm.check.check_sdtm` passes on it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path

from hipectrial.errors import InputError
from hipectrial.export.sdtm.define import define_xml, validate_define, xpt_file_name
from hipectrial.export.sdtm.folder import DEFINE
from hipectrial.export.sdtm.limits import require_xpt_limits
from hipectrial.export.sdtm.model import Dataset
from hipectrial.export.sdtm.xpt import write_xpt
from hipectrial.protocol import Protocol


def write_sdtm(datasets: Sequence[Dataset], folder: Path, *, protocol: Protocol, created: dt.datetime,
               progress: Callable[[str], None] | None = None) -> tuple[Path, ...]:
    """Write ``datasets`` and their define.xml into ``folder`` (which must exist); the paths
    written, define.xml last.

    Raises
    ------
    InputError
        (field ``<dataset>.<variable>``) for a value XPT v5 cannot hold — checked for every
        dataset before the first file is written — or (field ``define.xml``) when the
        Define-XML does not validate.
    """
    from hipectrial import __version__

    for dataset in datasets:
        require_xpt_limits(dataset)
    document = define_xml(datasets, study_id=protocol.study.id, study_name=protocol.study.short_title,
                          description=f"SDTM datasets of {protocol.study.id}, protocol version "
                                      f"{protocol.study.version}",
                          created=created, source_version=__version__)
    errors = validate_define(document)
    if errors:
        raise InputError(DEFINE, errors[0], "a document valid against the Define-XML 2.1 schema",
                         f"{len(errors)} schema error(s)")
    written: list[Path] = []
    for dataset in datasets:
        path = folder / xpt_file_name(dataset)
        write_xpt(dataset, path, created=created, checked=True)  # checked above
        written.append(path)
        if progress is not None:
            progress(dataset.domain)
    define = folder / DEFINE
    define.write_bytes(document)
    written.append(define)
    return tuple(written)
