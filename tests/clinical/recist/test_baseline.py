"""RECIST 1.1 baseline selection: measurability and target selection (clinical.md §4.1).

Thresholds from Eisenhauer et al. 2009 §3.1 and §4.2; "all lymph nodes are one organ" from
the EORTC RECIST FAQ ("Paired organs"). Each case is worked by hand in its comment.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from hipectrial.clinical.recist import BaselineLesion, LesionKind, check_baseline
from hipectrial.errors import InputError


def target(id_: str, organ: str, mm: object, *, method: str = "ct", **kw: object) -> BaselineLesion:
    return BaselineLesion(id=id_, organ=organ, role="target", method=method, longest_diameter_mm=mm, **kw)


def node(id_: str, sa: object, *, role: str = "target", organ: str = "lymph_node",
         method: str = "ct") -> BaselineLesion:
    return BaselineLesion(id=id_, organ=organ, role=role, kind="node", method=method, short_axis_mm=sa)


def non_target(id_: str, organ: str, kind: str = "solid") -> BaselineLesion:
    return BaselineLesion(id=id_, organ=organ, role="non_target", kind=kind)


def only_problem(lesions: list[BaselineLesion]) -> tuple[tuple[str, ...], str, str]:
    check = check_baseline(lesions=lesions)
    assert len(check.problems) == 1, check.problems
    p = check.problems[0]
    return p.lesion_ids, p.field, p.message


class TestValidSelection:
    def test_sums_longest_diameters_and_node_short_axes(self) -> None:
        # 32 mm (liver LD) + 18 mm (node short axis) = 50 mm; non-targets add nothing.
        check = check_baseline(lesions=[
            target("T1", "liver", 32), node("T2", 18),
            non_target("NT1", "peritoneum", "peritoneal_carcinomatosis"),
            non_target("NT2", "ascites", "ascites")])
        assert check.ok
        assert check.sum_of_diameters_mm == Decimal(50)
        assert check.measurable_disease
        assert [t.id for t in check.targets] == ["T1", "T2"]
        assert [t.id for t in check.non_targets] == ["NT1", "NT2"]
        assert check.steps[-1] == "baseline sum of diameters = T1 32 mm + T2 18 mm = 50 mm"

    def test_five_targets_two_per_organ_is_allowed(self) -> None:
        check = check_baseline(lesions=[
            target("L1", "liver", 20), target("L2", "liver", 20), target("P1", "lung", 15),
            target("P2", "lung", 15), node("N1", 16)])
        assert check.ok
        assert check.sum_of_diameters_mm == Decimal(86)

    def test_non_target_only_disease_is_not_measurable_disease(self) -> None:
        check = check_baseline(lesions=[non_target("NT1", "peritoneum", "peritoneal_carcinomatosis"),
                                        non_target("NT2", "ascites", "ascites")])
        assert check.ok
        assert not check.measurable_disease
        assert check.sum_of_diameters_mm == Decimal(0)
        assert "non-measurable disease only" in check.steps[-1]

    def test_pathological_node_10_to_15_mm_is_a_valid_non_target(self) -> None:
        assert check_baseline(lesions=[target("T1", "liver", 20), node("N1", 12, role="non_target")]).ok


class TestTargetCount:
    def test_six_targets_are_rejected_naming_them_all(self) -> None:
        organs = ["liver", "lung", "adrenal", "omentum", "ovary", "abdominal_wall"]
        lesions = [target(f"T{i}", organ, 20) for i, organ in enumerate(organs, 1)]
        ids, field, message = only_problem(lesions)
        assert ids == ("T1", "T2", "T3", "T4", "T5", "T6")
        assert field == "lesions"
        assert "6 target lesions" in message
        assert "at most 5" in message

    def test_three_targets_in_one_organ_are_rejected(self) -> None:
        ids, field, message = only_problem([target("L1", "liver", 30), target("L2", "Liver", 20),
                                            target("L3", "liver", 15)])
        assert ids == ("L1", "L2", "L3")
        assert field == "lesions"
        assert "3 target lesions in liver" in message
        assert "at most 2 per organ" in message

    def test_all_lymph_nodes_count_as_one_organ(self) -> None:
        # EORTC FAQ: nodes are one organ whatever their region; three nodal targets is one too many.
        ids, _, message = only_problem([node("N1", 20, organ="mediastinal"), node("N2", 18, organ="para-aortic"),
                                        node("N3", 16)])
        assert ids == ("N1", "N2", "N3")
        assert "in lymph nodes" in message


class TestMeasurability:
    @pytest.mark.parametrize(("method", "slice_mm", "ld", "ok"), [
        ("ct", None, 10, True), ("ct", None, "9.9", False), ("ct", 5, 9, False),
        ("mri", 5, 10, True),
        ("ct", 8, 16, True), ("ct", 8, "15.9", False),     # slice > 5 mm: >= 2 x 8 = 16 mm
        ("pet_ct", None, 10, True),
        ("x_ray", None, 20, True), ("x_ray", None, 19, False),   # chest X-ray: >= 20 mm
        ("clinical", None, 10, True), ("clinical", None, 9, False),  # caliper: >= 10 mm
    ])
    def test_non_nodal_threshold_by_method(self, method: str, slice_mm: object, ld: object, ok: bool) -> None:
        lesion = target("T1", "liver", ld if not isinstance(ld, str) else Decimal(ld),
                        method=method, slice_thickness_mm=slice_mm)
        check = check_baseline(lesions=[lesion])
        assert check.ok is ok
        if not ok:
            assert check.problems[0].field == "lesions[0].longest_diameter_mm"
            assert "not measurable; record it as a non-target lesion" in check.problems[0].message

    def test_nine_mm_non_nodal_target_is_rejected(self) -> None:
        ids, field, message = only_problem([target("T1", "liver", 9)])
        assert (ids, field) == (("T1",), "lesions[0].longest_diameter_mm")
        assert message.startswith("T1 (liver): longest diameter 9 mm < 10 mm")

    def test_nodal_target_of_14_mm_is_rejected_as_non_target(self) -> None:
        ids, field, message = only_problem([node("N1", 14)])
        assert (ids, field) == (("N1",), "lesions[0].short_axis_mm")
        assert "pathological but non-measurable node; record it as a non-target lesion" in message

    def test_nodal_target_of_15_mm_is_accepted(self) -> None:
        check = check_baseline(lesions=[node("N1", 15)])
        assert check.ok
        assert check.sum_of_diameters_mm == Decimal(15)

    def test_node_under_10_mm_is_not_a_lesion(self) -> None:
        _, _, message = only_problem([node("N1", Decimal("9.9"))])
        assert "normal node, not a lesion; remove it" in message
        _, field, message = only_problem([target("T1", "liver", 20), node("N2", 9, role="non_target")])
        assert field == "lesions[1].short_axis_mm"
        assert "normal node" in message

    @pytest.mark.parametrize("kind", [k.value for k in LesionKind if not k.measurable_kind])
    def test_non_measurable_disease_cannot_be_a_target(self, kind: str) -> None:
        lesion = BaselineLesion(id="X1", organ="peritoneum", role="target", kind=kind, method="ct")
        ids, field, message = only_problem([lesion])
        assert (ids, field) == (("X1",), "lesions[0].role")
        assert "non-measurable disease" in message
        assert "non-target" in message

    def test_node_measured_on_x_ray_cannot_be_a_target(self) -> None:
        _, field, message = only_problem([node("N1", 20, method="x_ray")])
        assert field == "lesions[0].method"
        assert "CT or MRI" in message

    def test_target_without_method_or_measurement(self) -> None:
        no_method = BaselineLesion(id="T1", organ="liver", role="target", longest_diameter_mm=20)
        no_ld = BaselineLesion(id="T2", organ="lung", role="target", method="ct")
        no_sa = BaselineLesion(id="N1", organ="lymph_node", role="target", kind="node", method="ct")
        check = check_baseline(lesions=[no_method, no_ld, no_sa])
        assert [p.field for p in check.problems] == [
            "lesions[0].method", "lesions[1].longest_diameter_mm", "lesions[2].short_axis_mm"]


class TestEveryProblemListed:
    def test_lists_all_problems_not_just_the_first(self) -> None:
        check = check_baseline(lesions=[
            target("L1", "liver", 30), target("L2", "liver", 25), target("L3", "liver", 9),
            node("N1", 14), BaselineLesion(id="A1", organ="ascites", role="target", kind="ascites",
                                           method="ct"),
            target("L1", "lung", 20)])
        fields = [p.field for p in check.problems]
        assert fields == ["lesions[2].longest_diameter_mm", "lesions[3].short_axis_mm", "lesions[4].role",
                          "lesions[5].id", "lesions", "lesions"]
        assert "6 target lesions" in check.problems[4].message
        assert "3 target lesions in liver" in check.problems[5].message
        assert check.sum_of_diameters_mm is None
        assert not check.measurable_disease

    def test_require_ok_raises_with_every_problem(self) -> None:
        check = check_baseline(lesions=[target("T1", "liver", 9), node("N1", 14)])
        with pytest.raises(InputError) as err:
            check.require_ok()
        assert err.value.field == "baseline.lesions"
        assert err.value.value == ("T1", "N1")
        assert "T1 (liver): longest diameter 9 mm" in str(err.value)
        assert "N1 (lymph node): short axis 14 mm" in str(err.value)

    def test_empty_baseline_is_a_problem(self) -> None:
        ids, field, message = only_problem([])
        assert (ids, field) == ((), "lesions")
        assert "no lesion recorded" in message


class TestBadValues:
    def test_negative_diameter(self) -> None:
        with pytest.raises(InputError) as err:
            target("T1", "liver", -3.0)
        assert err.value.field == "longest_diameter_mm"
        assert str(err.value) == "longest_diameter_mm must be a number in [0, 1000]; got -3.0"

    @pytest.mark.parametrize("value", [1000.5, float("nan"), float("inf"), "12", True, [12]])
    def test_diameter_not_a_plausible_number(self, value: object) -> None:
        with pytest.raises(InputError) as err:
            target("T1", "liver", value)
        assert err.value.field == "longest_diameter_mm"
        assert "a number in [0, 1000]" in str(err.value)

    @pytest.mark.parametrize(("field", "kwargs", "phrase"), [
        ("role", {"role": "index"}, "one of target, non_target"),
        ("kind", {"kind": "nodule"}, "one of solid, node, peritoneal_carcinomatosis"),
        ("method", {"method": "ultrasound"}, "one of ct, mri, pet_ct, x_ray, clinical"),
        ("id", {"id": "  "}, "a non-empty text"),
        ("organ", {"organ": ""}, "a non-empty text"),
        ("slice_thickness_mm", {"slice_thickness_mm": 0}, "a number in (0, 20]"),
        ("short_axis_mm", {"short_axis_mm": 12}, "absent for a non-nodal lesion"),
    ])
    def test_each_bad_field_is_named(self, field: str, kwargs: dict[str, object], phrase: str) -> None:
        args: dict[str, object] = {"id": "T1", "organ": "liver", "role": "target", "method": "ct",
                                   "longest_diameter_mm": 20, **kwargs}
        if field == "short_axis_mm":
            args.pop("longest_diameter_mm")
        with pytest.raises(InputError) as err:
            BaselineLesion(**args)  # type: ignore[arg-type]
        assert err.value.field == field
        assert phrase in str(err.value)

    def test_node_given_a_longest_diameter(self) -> None:
        with pytest.raises(InputError) as err:
            BaselineLesion(id="N1", organ="lymph_node", role="target", kind="node", longest_diameter_mm=20)
        assert err.value.field == "longest_diameter_mm"
        assert "give short_axis_mm" in str(err.value)

    def test_selection_of_something_else(self) -> None:
        with pytest.raises(InputError) as err:
            check_baseline(lesions=[{"id": "T1"}])  # type: ignore[list-item]
        assert err.value.field == "lesions[0]"
        assert "a BaselineLesion" in str(err.value)
