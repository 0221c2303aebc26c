"""Configure Django for a command-line use of the EDC (``hipectrial serve``, ``snapshot``…)."""

from __future__ import annotations

import os
from pathlib import Path


def setup(data_dir: Path | None = None) -> None:
    """Point Django at the EDC settings (and ``data_dir``) and set it up; idempotent."""
    if data_dir is not None:
        os.environ["HIPECTRIAL_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hipectrial.edc.settings")
    import django

    django.setup()
