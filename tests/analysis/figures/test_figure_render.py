"""The shared Figure result (hipectrial.analysis.figures.render) and the palette (style)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import matplotlib
import pytest

from hipectrial.analysis.figures import Figure, WaterfallBar, waterfall_plot
from hipectrial.analysis.figures.style import assign_styles, contrasting_text, max_series
from hipectrial.errors import InputError


@pytest.fixture(scope="module")
def figure() -> Figure:
    bars = [WaterfallBar(participant_id="SH-001", best_change_pct=-40.0, category="PR"),
            WaterfallBar(participant_id="SH-002", best_change_pct=5.0, category="SD")]
    return waterfall_plot(bars, title="Waterfall")


def test_png_has_no_software_or_time_chunk(figure: Figure,
                                           chunks: Callable[[bytes], list[bytes]]) -> None:
    types = chunks(figure.png())
    assert types[0] == b"IHDR"
    assert types[-1] == b"IEND"
    assert b"tIME" not in types
    assert b"Matplotlib" not in figure.png()


def test_svg_has_no_date_and_keeps_text_as_text(figure: Figure) -> None:
    svg = figure.svg().decode()
    assert "<dc:date>" not in svg
    assert "<text" in svg
    assert "SH-001" in svg


def test_exporting_twice_gives_identical_bytes(figure: Figure) -> None:
    assert figure.png() == figure.png()
    assert figure.svg() == figure.svg()


def test_save_writes_png_and_svg_with_the_suffixes_added(figure: Figure, tmp_path: Path) -> None:
    png_path, svg_path = figure.save(tmp_path / "waterfall.v1")
    assert (png_path.name, svg_path.name) == ("waterfall.v1.png", "waterfall.v1.svg")
    assert png_path.read_bytes() == figure.png()
    assert svg_path.read_bytes() == figure.svg()


def test_save_rejects_a_path_with_a_suffix(figure: Figure, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"without \.png or \.svg") as caught:
        figure.save(tmp_path / "waterfall.png")
    assert caught.value.field == "path"


def test_save_rejects_a_missing_directory(figure: Figure, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="existing directory") as caught:
        figure.save(tmp_path / "missing" / "waterfall")
    assert caught.value.field == "path"


def test_building_and_saving_leave_global_settings_alone() -> None:
    before = dict(matplotlib.rcParams)
    bars = [WaterfallBar(participant_id="SH-001", best_change_pct=-40.0, category="PR")]
    result = waterfall_plot(bars, title="Waterfall")
    result.png()
    result.svg()
    assert dict(matplotlib.rcParams) == before


def test_size_properties_agree_with_the_png(figure: Figure) -> None:
    width_in, height_in = figure.size_in
    assert figure.size_px == (round(width_in * 150), round(height_in * 150))


@pytest.mark.parametrize(("luminance", "text"), [(0.0, "white"), (0.3, "white"), (0.5, "black"), (1.0, "black")])
def test_text_contrasts_with_its_background(luminance: float, text: str) -> None:
    assert contrasting_text(luminance=luminance) == text


def test_every_style_differs_in_marker_hatch_and_line() -> None:
    styles = list(assign_styles(field="f", categories=[str(i) for i in range(max_series())]).values())
    assert len({s.marker for s in styles}) == len(styles)
    assert len({s.hatch for s in styles}) == len(styles)
    assert len({str(s.linestyle) for s in styles}) == len(styles)


def test_preferred_categories_keep_their_style_whatever_the_order() -> None:
    one = assign_styles(field="f", categories=["PD", "CR", "PR"], preferred=["CR", "PR", "PD"])
    two = assign_styles(field="f", categories=["PR", "PD", "CR"], preferred=["CR", "PR", "PD"])
    assert one == two


def test_too_many_categories_are_rejected() -> None:
    with pytest.raises(InputError, match="at most") as caught:
        assign_styles(field="bars.category", categories=[str(i) for i in range(max_series() + 1)])
    assert caught.value.field == "bars.category"
