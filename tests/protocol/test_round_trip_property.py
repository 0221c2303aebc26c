"""Property: any valid protocol survives load -> dump -> load unchanged."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from hipectrial.protocol import dump_protocol, parse_protocol

BASE: dict[str, Any] = yaml.safe_load(
    (Path(__file__).parent / "fixtures" / "minimal.yaml").read_text(encoding="utf-8")
)

text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=30
).filter(lambda s: s.strip() == s and s != "")


@st.composite
def protocols(draw: st.DrawFn) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    doses = draw(st.lists(st.integers(1, 500), min_size=1, max_size=5, unique=True).map(sorted))
    data["dose_finding"]["levels"] = [
        {"id": str(i + 1), "doses": {"ip-drug": dose}} for i, dose in enumerate(doses)
    ]
    before = draw(st.integers(0, 10))
    data["visits"][1]["timing"].update(window_before=before, window_after=draw(st.integers(0, 20 - before)))
    data["visits"][2]["repeat"]["every_days"] = draw(st.integers(15, 120))
    data["study"]["version"] = draw(text)
    data["cohorts"][0]["label"] = {"en": draw(text), "zh": draw(text)}
    data["forms"][1]["fields"][0]["max"] = draw(st.floats(1, 1e4, allow_nan=False))
    data["agents"][1]["dose"]["bands"][1]["max_m2"] = data["agents"][1]["dose"]["bands"][2]["min_m2"] = (
        draw(st.sampled_from(["1.30", "1.45", "1.50", "1.75"]))
    )
    return data


@settings(max_examples=25, deadline=None)
@given(protocols())
def test_load_dump_load_is_identity(data: dict[str, Any]) -> None:
    first = parse_protocol(yaml.safe_dump(data, allow_unicode=True), "generated.yaml")
    again = parse_protocol(dump_protocol(first), "dumped.yaml")
    assert again == first
    assert dump_protocol(again) == dump_protocol(first)
