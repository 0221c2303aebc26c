"""Every form of the seed protocol renders from its FieldDefs, in English and in Chinese."""

from __future__ import annotations

import pytest
from django.utils.html import escape
from tests.edc.crfs.conftest import form_url


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_form_of_every_visit_renders(cast, participant, client_for, language) -> None:
    from hipectrial.edc.protocol_source import current_protocol

    protocol = current_protocol()
    client = client_for(cast.coordinator, language)
    pid = participant.participant_id
    seen = set()
    for visit in protocol.visits:
        for form_id in [*visit.forms, *visit.optional_forms]:
            form = protocol.form(form_id)
            url = form_url(pid, visit.id, 1, form_id, 1 if form.repeating else None)
            response = client.get(url)
            assert response.status_code == 200, (visit.id, form_id)
            html = response.content.decode()
            label = form.label.zh if language == "zh-hans" else form.label.en
            assert escape(label) in html
            for field in form.fields:
                assert f'data-testid="field-{field.id}"' in html
                assert escape(field.label.zh if language == "zh-hans" else field.label.en) in html
                if field.codelist is not None:
                    for item in protocol.codelist(field.codelist).items:
                        assert escape(item.label.zh if language == "zh-hans" else item.label.en) in html
                if field.help is not None:
                    assert escape(field.help.zh if language == "zh-hans" else field.help.en) in html
            seen.add(form_id)
    assert seen == {f.id for f in protocol.forms}
