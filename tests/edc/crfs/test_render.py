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


def test_form_posts_its_values_to_the_live_endpoint_as_the_user_types(cast, participant, client_for) -> None:
    from tests.edc.crfs.conftest import live_url

    pid = participant.participant_id
    html = client_for(cast.coordinator).get(form_url(pid, "screening", 1, "biomarkers")).content.decode()
    assert f'hx-post="{live_url(pid, "screening", 1, "biomarkers")}"' in html
    assert 'hx-trigger="change, keyup changed delay:400ms"' in html
    assert 'hx-target="#crf-live"' in html
    # a decimal field: a text input for numbers with its unit and the protocol's range beside it
    ratio = html.split('data-testid="field-her2_ish_ratio"')[1].split("</div>")[0]
    assert 'type="text" inputmode="decimal"' in ratio
    assert '<span class="unit">ratio</span>' in ratio
    assert "range 0–30 ratio" in ratio
    # hidden until IHC 2+ is chosen (the page's first answer: nothing chosen yet)
    assert "#field-her2_ish_ratio" in html.split('<div id="crf-live"')[1].split("</style>")[0]
