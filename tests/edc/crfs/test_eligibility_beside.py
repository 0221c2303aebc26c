"""A screening form of a participant in screening shows the eligibility panel beside it
(loaded from the participants app); other visits' forms and registered participants don't."""

from __future__ import annotations

from tests.edc.crfs.conftest import form_url


def test_screening_form_loads_the_eligibility_panel_beside_it(participant, client_for, cast) -> None:
    page = client_for(cast.coordinator).get(form_url(participant.participant_id, "screening", 1, "labs"))
    text = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="crf-eligibility"' in text
    assert f'hx-get="/participants/{participant.participant_id}/eligibility/"' in text
    panel = client_for(cast.coordinator).get(f"/participants/{participant.participant_id}/eligibility/")
    assert panel.status_code == 200


def test_a_form_of_another_visit_has_no_eligibility_panel(participant, client_for, cast) -> None:
    page = client_for(cast.coordinator).get(
        form_url(participant.participant_id, "day0-laparoscopy-hipec", 1, "hipec_procedure"))
    assert 'data-testid="crf-eligibility"' not in page.content.decode()
