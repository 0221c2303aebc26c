"""The statistician's download: the trial's data as a TrialData JSON file (``/snapshot.json``).

The same snapshot as ``hipectrial snapshot`` (:func:`hipectrial.edc.snapshot.build_snapshot`),
for users holding the trial-wide ``SNAPSHOT`` permission; every download is audited as an
export, like the command line's.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from hipectrial.edc.accounts.permissions import check
from hipectrial.edc.accounts.roles import Action
from hipectrial.edc.snapshot import build_snapshot, record_export


@login_required
@require_GET
def snapshot_download(request: HttpRequest) -> HttpResponse:
    check(request.user, Action.SNAPSHOT)  # refused: a 403 page (hipectrial.edc.errors)
    now = timezone.now()
    trial = build_snapshot(generated_at=now)
    name = f"{trial.protocol_id}-{now:%Y%m%dT%H%M%SZ}.json"
    # audited before the data leave: no download without its entry
    record_export(actor=request.user.get_username(), trial=trial, destination=f"download {name}", now=now)
    response = HttpResponse(trial.to_json().encode("utf-8"), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
