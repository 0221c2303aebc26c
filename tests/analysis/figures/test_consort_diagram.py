"""CONSORT flow diagram (hipectrial.analysis.figures.consort)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from hipectrial.analysis.figures import ConsortStep, Figure, consort_diagram
from hipectrial.errors import InputError

FLOW = [
    ConsortStep(label="Screened", n=120, exclusions=[
        ("Ineligible: absolute neutrophil count below 1.5 x 10^9/L at screening, confirmed on repeat", 5),
        ("Ineligible: peritoneal cancer index above 20", 4), ("Declined", 3)]),
    ConsortStep(label="Registered", n=108, exclusions=[("Clinical deterioration before HIPEC", 1)]),
    ConsortStep(label="Treated (HIPEC)", n=107, exclusions=[("Died", 2), ("Reason not recorded", 1)],
                exclusion_label="Not re-evaluated"),
    ConsortStep(label="Re-evaluated", n=104, exclusions=[("Conversion criteria not met", 40)],
                exclusion_label="Not operated"),
    ConsortStep(label="Operated", n=64, exclusions=[("R1", 6), ("R2", 2)], exclusion_label="Not R0"),
    ConsortStep(label="R0 resection", n=56),
]


@pytest.fixture(scope="module")
def figure() -> Figure:
    return consort_diagram(FLOW, title="Participant flow")


def test_renders_every_step_count_and_reason(figure: Figure, rendered: Callable[[Figure], tuple[bytes, str]]) -> None:
    _, svg = rendered(figure)
    for text in ("Participant flow", "Screened (n = 120)", "Registered (n = 108)", "Treated (HIPEC) (n = 107)",
                 "Re-evaluated (n = 104)", "Operated (n = 64)", "R0 resection (n = 56)", "Excluded (n = 12):",
                 "Not re-evaluated (n = 3):", "Not operated (n = 40):", "Not R0 (n = 8):", "Declined (n = 3)",
                 "Reason not recorded (n = 1)", "R2 (n = 2)"):
        assert text in svg


def test_long_reasons_are_wrapped_and_every_text_fits_its_box(figure: Figure) -> None:
    ax = figure.figure.axes[0]
    renderer = figure.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    boxes = [p.get_window_extent(renderer) for p in ax.patches if isinstance(p, Rectangle)]
    assert len(boxes) == 6 + 5
    texts = [t for t in ax.texts if t.get_text()]
    assert any(t.get_text().startswith("\u2022 Ineligible: absolute") and "(n = 5)" not in t.get_text()
               for t in texts), "the long reason continues on a second line"
    for text in texts:
        extent = text.get_window_extent(renderer)
        assert any(box.x0 < extent.x0 and extent.x1 < box.x1 and box.y0 < extent.y0 and extent.y1 < box.y1
                   for box in boxes), text.get_text()


def test_boxes_do_not_overlap(figure: Figure) -> None:
    ax = figure.figure.axes[0]
    renderer = figure.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    boxes = [p.get_window_extent(renderer) for p in ax.patches if isinstance(p, Rectangle)]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.overlaps(b)


def test_title_is_above_the_first_box(figure: Figure) -> None:
    renderer = figure.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    title = next(t for t in figure.figure.findobj(Text) if t.get_text() == "Participant flow")
    top_box = max(p.get_window_extent(renderer).y1 for p in figure.figure.axes[0].patches)
    assert title.get_window_extent(renderer).y0 > top_box


def test_deterministic(figure: Figure) -> None:
    again = consort_diagram(list(FLOW), title="Participant flow")
    assert again.svg() == figure.svg()
    assert again.png() == figure.png()


def test_legible(figure: Figure, legible: Callable[[Figure], None]) -> None:
    legible(figure)


def test_rejects_exclusions_that_do_not_add_up_naming_the_step() -> None:
    flow = [ConsortStep("Screened", 120, [("Ineligible", 9), ("Declined", 3)]),
            ConsortStep("Registered", 108, [("Clinical deterioration", 2)]),
            ConsortStep("Treated (HIPEC)", 107)]
    with pytest.raises(InputError, match=r"adding up to 1, the drop from 'Registered' \(n = 108\)") as caught:
        consort_diagram(flow, title="Flow")
    assert caught.value.field == "steps[1].exclusions"
    assert "they add up to 2" in str(caught.value)


def test_rejects_a_drop_without_reasons() -> None:
    with pytest.raises(InputError, match="'Screened'") as caught:
        consort_diagram([ConsortStep("Screened", 10), ConsortStep("Registered", 9)], title="Flow")
    assert caught.value.field == "steps[0].exclusions"


def test_rejects_n_increasing_down_the_flow() -> None:
    with pytest.raises(InputError, match="at most 10") as caught:
        consort_diagram([ConsortStep("Screened", 10), ConsortStep("Registered", 12)], title="Flow")
    assert caught.value.field == "steps[1].n"


def test_rejects_exclusions_after_the_last_step() -> None:
    with pytest.raises(InputError, match="empty for the last step") as caught:
        consort_diagram([ConsortStep("Screened", 10, [("Declined", 1)])], title="Flow")
    assert caught.value.field == "steps[0].exclusions"


@pytest.mark.parametrize(("step", "field", "phrase"), [
    (ConsortStep("Screened", -1), "steps[0].n", "whole number >= 0"),
    (ConsortStep("", 1), "steps[0].label", "non-blank"),
    (ConsortStep("Screened", 3, [("Declined",)]), "steps[0].exclusions[0]", r"\(reason, n\) pair"),  # type: ignore[list-item]
    (ConsortStep("Screened", 3, [("Declined", 1.0)]), "steps[0].exclusions[0].n", "whole number"),  # type: ignore[list-item]
])
def test_rejects_invalid_steps(step: ConsortStep, field: str, phrase: str) -> None:
    with pytest.raises(InputError, match=phrase) as caught:
        consort_diagram([step], title="Flow")
    assert caught.value.field == field
