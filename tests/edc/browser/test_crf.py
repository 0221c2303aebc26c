"""Entering a CRF in the browser: an out-of-range value is refused with the core's message and
everything typed is kept; once corrected it is saved as complete; a later change needs a
reason, and the record's history shows the old and new values with that reason."""

from __future__ import annotations

from playwright.sync_api import expect

VITALS = {"vs_date": "2026-01-06", "height_cm": "230.1", "weight_kg": "70.0", "systolic_bp": "120",
          "diastolic_bp": "80", "heart_rate": "70"}


def test_an_out_of_range_height_is_refused_kept_corrected_and_a_later_change_has_its_reason(
        page, cast, participant, login, shot):
    login(cast.coordinator)
    pid = participant.participant_id
    page.goto(f"/participants/{pid}/visits/screening/1/vital_signs/")
    expect(page.get_by_test_id("form-title")).to_have_text("Vital signs, height and weight")
    page.get_by_test_id("visit-date").fill("2026-01-06")
    for name, value in VITALS.items():
        page.locator(f"#id_{name}").fill(value)
    page.get_by_test_id("save-complete").click()

    # refused: the core's range message beside the field, nothing lost
    expect(page.get_by_test_id("error-height_cm")).to_contain_text(
        "height_cm = 230.1 cm is outside the range the protocol allows, [100, 230] cm")
    expect(page.get_by_test_id("form-messages")).to_contain_text("Nothing was saved")
    expect(page.locator("#id_height_cm")).to_have_value("230.1")
    expect(page.locator("#id_weight_kg")).to_have_value("70.0")
    expect(page.get_by_test_id("visit-date")).to_have_value("2026-01-06")
    expect(page.get_by_test_id("record-status")).to_contain_text("Not entered yet")
    shot("out-of-range-refused")

    page.locator("#id_height_cm").fill("170.0")
    page.get_by_test_id("save-complete").click()
    expect(page.get_by_test_id("record-status")).to_contain_text("Complete")
    expect(page.get_by_test_id("error-height_cm")).to_have_count(0)
    expect(page.locator("#id_height_cm")).to_have_value("170.0")
    shot("corrected-and-complete")

    # a completed form changes only with a reason
    page.locator("#id_weight_kg").fill("72.5")
    page.get_by_test_id("save-complete").click()
    expect(page.get_by_test_id("error-reason")).to_be_visible()
    expect(page.locator("#id_weight_kg")).to_have_value("72.5")
    page.get_by_test_id("reason").fill("transcription error: the source document says 72.5 kg")
    page.get_by_test_id("save-complete").click()
    expect(page.get_by_test_id("record-status")).to_contain_text("version 2")
    expect(page.locator("#id_weight_kg")).to_have_value("72.5")
    shot("changed-with-reason")

    page.get_by_test_id("history-link").click()
    change = page.locator('[data-testid=history-row][data-field="values.weight_kg"]').last
    expect(change).to_contain_text("change")
    expect(change.locator(".old")).to_have_text("70.0")
    expect(change.locator(".new")).to_have_text("72.5")
    expect(change.locator(".reason")).to_have_text("transcription error: the source document says 72.5 kg")
    shot("history")
