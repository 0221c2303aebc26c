"""The protocol the EDC runs: ``HIPECTRIAL_PROTOCOL`` (settings), else the seed protocol.

Loaded once per process; a changed protocol file takes effect when the server restarts.
"""

from __future__ import annotations

from functools import cache

from django.conf import settings

from hipectrial.protocol import Protocol, load_protocol


@cache
def current_protocol() -> Protocol:
    return load_protocol(getattr(settings, "HIPECTRIAL_PROTOCOL", None))


def protocol_version() -> str:
    return current_protocol().study.version
