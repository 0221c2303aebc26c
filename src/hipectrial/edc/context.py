"""What every page's template knows: the protocol's title and whether the data are simulated."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def edc(request: HttpRequest) -> dict[str, Any]:
    from hipectrial.edc.crfs.models import TrialInfo
    from hipectrial.edc.protocol_source import current_protocol

    protocol = current_protocol()
    info = TrialInfo.objects.filter(pk=1).first()
    return {
        "study": protocol.study,
        "simulated_data": info is not None and info.source_kind == "simulation",
        "data_source": info.source_description if info is not None else "",
    }
