"""RECIST 1.1 baseline: is each lesion measurable, and is the target selection allowed?

:func:`check_baseline` lists every problem of a baseline selection, each naming its
lesion(s), rather than stopping at the first; response evaluation refuses a baseline with
problems (:meth:`BaselineCheck.require_ok`).

References
----------
Eisenhauer EA et al. RECIST 1.1. Eur J Cancer 2009;45:228-247, §3.1 (measurability),
§4.2 (target selection: at most 5, at most 2 per organ).
EORTC RECIST working group, questions and clarifications: "Paired organs" and "Two target
lesions" — all lymph nodes together are one organ (recist.eortc.org/faq/paired-organs/).
shared/reference/clinical.md §4.1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from hipectrial.clinical.recist.vocab import (
    LesionKind,
    LesionRole,
    MeasurementMethod,
    fmt_mm,
    require_enum,
    require_mm,
    require_text,
)
from hipectrial.errors import InputError

MAX_TARGETS = 5
MAX_TARGETS_PER_ORGAN = 2
# RECIST 1.1 §3.1.1: measurable non-nodal lesion, longest diameter >= 10 mm on CT/MRI (slice
# <= 5 mm; else >= 2 x slice thickness), >= 20 mm on chest X-ray, >= 10 mm by caliper.
MIN_LD_CROSS_SECTIONAL_MM = Decimal(10)
MAX_STANDARD_SLICE_MM = Decimal(5)
MIN_LD_X_RAY_MM = Decimal(20)
MIN_LD_CALIPER_MM = Decimal(10)
# RECIST 1.1 §3.1.1 and Schwartz et al. 2009 (lymph nodes): short axis >= 15 mm measurable;
# 10 to < 15 mm pathological, non-measurable; < 10 mm normal, not a lesion.
MIN_NODE_TARGET_SA_MM = Decimal(15)
MIN_NODE_PATHOLOGICAL_SA_MM = Decimal(10)
MAX_SLICE_THICKNESS_MM = Decimal(20)
NODES_AS_ONE_ORGAN = "lymph nodes"


@dataclass(frozen=True, slots=True)
class BaselineLesion:
    """One lesion recorded at baseline, with the role the investigator gave it.

    Parameters
    ----------
    id
        Lesion identifier, kept for the whole study (``T1``, ``NT2``).
    organ
        Organ (the seed code list ``lesion-organ``: ``liver``, ``peritoneum`` …); the
        "at most 2 targets per organ" rule counts by it, and counts every lymph node as
        one organ whatever is written here.
    role
        :class:`LesionRole` (or its code).
    kind
        :class:`LesionKind`; ``NODE`` for a lymph node, ``SOLID`` for a discrete non-nodal
        lesion, another kind for non-measurable disease.
    method
        :class:`MeasurementMethod` the lesion was measured with; needed for a target.
    longest_diameter_mm, short_axis_mm
        A non-nodal lesion is measured by its longest diameter, a node by its short axis,
        in mm; the other axis must be absent. Non-target lesions need no measurement.
        Ints and floats are accepted and kept as Decimal.
    slice_thickness_mm
        CT/MRI slice thickness; above 5 mm the non-nodal threshold becomes 2 x slice.
        ``None`` when not given (the standard <= 5 mm is then assumed, and said so).

    Raises
    ------
    InputError
        For a value that is not of its type or range, or the wrong axis for the kind.

    Examples
    --------
    >>> BaselineLesion(id="T1", organ="liver", role="target", method="ct",
    ...                longest_diameter_mm=32).measurement_mm
    Decimal('32')
    >>> BaselineLesion(id="N1", organ="lymph_node", role="target", kind="node",
    ...                longest_diameter_mm=20)
    Traceback (most recent call last):
    ...
    hipectrial.errors.InputError: longest_diameter_mm must be absent for a lymph node; got 20 (...)
    """

    id: str
    organ: str
    role: LesionRole
    kind: LesionKind = LesionKind.SOLID
    method: MeasurementMethod | None = None
    longest_diameter_mm: Decimal | None = None
    short_axis_mm: Decimal | None = None
    slice_thickness_mm: Decimal | None = None

    def __post_init__(self) -> None:
        put = object.__setattr__
        put(self, "id", require_text("id", self.id))
        put(self, "organ", require_text("organ", self.organ))
        put(self, "role", require_enum("role", self.role, LesionRole))
        kind = require_enum("kind", self.kind, LesionKind)
        put(self, "kind", kind)
        if self.method is not None:
            put(self, "method", require_enum("method", self.method, MeasurementMethod))
        if self.longest_diameter_mm is not None:
            if kind is LesionKind.NODE:
                raise InputError("longest_diameter_mm", self.longest_diameter_mm,
                                 "absent for a lymph node",
                                 "a node is measured by its short axis: give short_axis_mm")
            put(self, "longest_diameter_mm", require_mm("longest_diameter_mm", self.longest_diameter_mm))
        if self.short_axis_mm is not None:
            if kind is not LesionKind.NODE:
                raise InputError("short_axis_mm", self.short_axis_mm, "absent for a non-nodal lesion",
                                 "only lymph nodes (kind node) are measured by their short axis; "
                                 "give longest_diameter_mm")
            put(self, "short_axis_mm", require_mm("short_axis_mm", self.short_axis_mm))
        if self.slice_thickness_mm is not None:
            put(self, "slice_thickness_mm",
                require_mm("slice_thickness_mm", self.slice_thickness_mm,
                           high=MAX_SLICE_THICKNESS_MM, low_open=True))

    @property
    def nodal(self) -> bool:
        return self.kind is LesionKind.NODE

    @property
    def measurement_mm(self) -> Decimal | None:
        """What enters the sum of diameters: the short axis of a node, else the longest diameter."""
        return self.short_axis_mm if self.nodal else self.longest_diameter_mm

    @property
    def organ_group(self) -> str:
        """The organ the per-organ limit counts by: all lymph nodes are one organ (EORTC FAQ)."""
        return NODES_AS_ONE_ORGAN if self.nodal else self.organ.casefold()

    def describe(self) -> str:
        """``T1 (liver)``, ``N1 (lymph node, para-aortic)``, ``NT1 (peritoneum, ascites)``."""
        if self.kind is LesionKind.SOLID:
            return f"{self.id} ({self.organ})"
        if self.nodal:
            return f"{self.id} (lymph node)" if self.organ == "lymph_node" \
                else f"{self.id} (lymph node, {self.organ})"
        return f"{self.id} ({self.organ}, {self.kind.label})"


@dataclass(frozen=True, slots=True)
class BaselineProblem:
    """One reason a baseline selection cannot be used, naming the lesion(s) and the field.

    ``field`` is the path into the lesion list (``lesions[2].longest_diameter_mm``), or
    ``lesions`` for a problem of the selection as a whole.
    """

    lesion_ids: tuple[str, ...]
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


@dataclass(frozen=True, slots=True)
class BaselineCheck:
    """The verdict on a baseline selection: the lesions, every problem, the working.

    ``sum_of_diameters_mm`` is the baseline sum of diameters of the target lesions (0 for
    disease without targets), ``None`` while the selection has problems.
    """

    lesions: tuple[BaselineLesion, ...]
    problems: tuple[BaselineProblem, ...]
    sum_of_diameters_mm: Decimal | None
    steps: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def targets(self) -> tuple[BaselineLesion, ...]:
        return tuple(les for les in self.lesions if les.role is LesionRole.TARGET)

    @property
    def non_targets(self) -> tuple[BaselineLesion, ...]:
        return tuple(les for les in self.lesions if les.role is LesionRole.NON_TARGET)

    @property
    def measurable_disease(self) -> bool:
        """At least one valid target lesion: the population for ORR and DCR (clinical.md §4.1)."""
        return self.ok and bool(self.targets)

    def require_ok(self, field: str = "baseline.lesions") -> None:
        """Raise InputError listing every problem when the selection cannot be used."""
        if self.problems:
            ids = tuple(dict.fromkeys(i for p in self.problems for i in p.lesion_ids))
            raise InputError(field, ids, "a RECIST 1.1 baseline selection without problems",
                             "; ".join(str(p) for p in self.problems))


def _min_longest_diameter(lesion: BaselineLesion) -> tuple[Decimal, str]:
    """The smallest measurable longest diameter for a non-nodal lesion, and why."""
    method = lesion.method
    if method is MeasurementMethod.X_RAY:
        return MIN_LD_X_RAY_MM, "chest X-ray"
    if method is MeasurementMethod.CLINICAL:
        return MIN_LD_CALIPER_MM, "caliper"
    name = method.value.upper().replace("_", "-") if method else "CT"
    slice_mm = lesion.slice_thickness_mm
    if slice_mm is None:
        return MIN_LD_CROSS_SECTIONAL_MM, f"{name}, slice thickness not given: taken as <= 5 mm"
    if slice_mm > MAX_STANDARD_SLICE_MM:
        return 2 * slice_mm, f"{name}, slice {fmt_mm(slice_mm)} > 5 mm: 2 x slice thickness"
    return MIN_LD_CROSS_SECTIONAL_MM, f"{name}, slice {fmt_mm(slice_mm)}"


def _check_target(index: int, lesion: BaselineLesion) -> tuple[str | None, BaselineProblem | None]:
    """(step, problem) for one lesion given the target role."""
    at = f"lesions[{index}]"
    name = lesion.describe()

    def problem(field: str, message: str) -> tuple[None, BaselineProblem]:
        return None, BaselineProblem((lesion.id,), f"{at}.{field}" if field else at, f"{name}: {message}")

    if not lesion.kind.measurable_kind:
        return problem("role", f"{lesion.kind.label} is non-measurable disease (RECIST 1.1 §3.1.2); "
                               "record it as a non-target lesion")
    if lesion.method is None:
        return problem("method", "a target lesion needs the method it was measured with "
                                 "(ct, mri, pet_ct, x_ray or clinical) to judge measurability")
    if lesion.nodal:
        sa = lesion.short_axis_mm
        if not lesion.method.cross_sectional:
            return problem("method", f"a lymph node is measured by its short axis on CT or MRI; "
                                     f"{lesion.method.value} cannot make it a target")
        if sa is None:
            return problem("short_axis_mm", "a target lymph node needs its short axis (short_axis_mm)")
        if sa < MIN_NODE_PATHOLOGICAL_SA_MM:
            return problem("short_axis_mm", f"short axis {fmt_mm(sa)} < 10 mm is a normal node, "
                                            "not a lesion; remove it")
        if sa < MIN_NODE_TARGET_SA_MM:
            return problem("short_axis_mm", f"short axis {fmt_mm(sa)} (10 to < 15 mm) is a pathological "
                                            "but non-measurable node; record it as a non-target lesion")
        return f"{name}: short axis {fmt_mm(sa)} >= 15 mm: measurable, target", None
    ld = lesion.longest_diameter_mm
    if ld is None:
        return problem("longest_diameter_mm", "a target lesion needs its longest diameter "
                                              "(longest_diameter_mm)")
    threshold, why = _min_longest_diameter(lesion)
    if ld < threshold:
        return problem("longest_diameter_mm", f"longest diameter {fmt_mm(ld)} < {fmt_mm(threshold)} "
                                              f"({why}): not measurable; record it as a non-target lesion")
    return f"{name}: longest diameter {fmt_mm(ld)} >= {fmt_mm(threshold)} ({why}): measurable, target", None


def _check_non_target(index: int, lesion: BaselineLesion) -> tuple[str | None, BaselineProblem | None]:
    name = lesion.describe()
    sa = lesion.short_axis_mm
    if lesion.nodal and sa is not None and sa < MIN_NODE_PATHOLOGICAL_SA_MM:
        return None, BaselineProblem(
            (lesion.id,), f"lesions[{index}].short_axis_mm",
            f"{name}: short axis {fmt_mm(sa)} < 10 mm is a normal node, not a lesion; remove it")
    if not lesion.kind.measurable_kind:
        return f"{name}: non-measurable disease, non-target", None
    return f"{name}: non-target", None


def check_baseline(*, lesions: Sequence[BaselineLesion]) -> BaselineCheck:
    """Check a baseline lesion selection against RECIST 1.1 and report every problem.

    Each target must be measurable: a non-nodal lesion with a longest diameter of at least
    10 mm on CT/MRI (at least 2 x the slice thickness when slices are thicker than 5 mm),
    20 mm on chest X-ray or 10 mm by caliper; a lymph node with a short axis of at least
    15 mm on CT/MRI. Non-measurable disease (carcinomatosis, ascites, effusions …) and nodes
    of 10 to < 15 mm may only be non-targets; a node under 10 mm is normal, not a lesion.
    At most 5 targets in all and 2 per organ, all lymph nodes counting as one organ.

    Parameters
    ----------
    lesions
        Every lesion recorded at baseline, target and non-target.

    Returns
    -------
    BaselineCheck
        ``problems`` empty when the selection is valid; ``steps`` show each lesion's verdict
        and the baseline sum of diameters.

    Raises
    ------
    InputError
        When ``lesions`` holds something other than :class:`BaselineLesion`.

    References
    ----------
    Eisenhauer 2009 (RECIST 1.1) §3.1, §4.2; clinical.md §4.1.

    Examples
    --------
    >>> ct = dict(role="target", method="ct")
    >>> check = check_baseline(lesions=[
    ...     BaselineLesion(id="T1", organ="liver", longest_diameter_mm=32, **ct),
    ...     BaselineLesion(id="T2", organ="lymph_node", kind="node", short_axis_mm=18, **ct),
    ...     BaselineLesion(id="T3", organ="liver", longest_diameter_mm=9, **ct),
    ...     BaselineLesion(id="NT1", organ="peritoneum", role="non_target",
    ...                    kind="peritoneal_carcinomatosis")])
    >>> for problem in check.problems:
    ...     print(problem)
    lesions[2].longest_diameter_mm: T3 (liver): longest diameter 9 mm < 10 mm (CT, ...): not measurable; ...
    """
    lesions = tuple(lesions)
    for index, lesion in enumerate(lesions):
        if not isinstance(lesion, BaselineLesion):
            raise InputError(f"lesions[{index}]", lesion, "a BaselineLesion")
    problems: list[BaselineProblem] = []
    steps: list[str] = []
    if not lesions:
        problems.append(BaselineProblem((), "lesions", "no lesion recorded at baseline; RECIST 1.1 "
                                                       "needs at least one (target or non-target)"))
    seen: dict[str, int] = {}
    for index, lesion in enumerate(lesions):
        if lesion.id in seen:
            problems.append(BaselineProblem(
                (lesion.id,), f"lesions[{index}].id",
                f"{lesion.id} is used by lesions[{seen[lesion.id]}] too; lesion ids must be unique"))
        seen.setdefault(lesion.id, index)
        check = _check_target if lesion.role is LesionRole.TARGET else _check_non_target
        step, problem = check(index, lesion)
        if step:
            steps.append(step)
        if problem:
            problems.append(problem)

    targets = [les for les in lesions if les.role is LesionRole.TARGET]
    if len(targets) > MAX_TARGETS:
        ids = tuple(t.id for t in targets)
        problems.append(BaselineProblem(ids, "lesions", f"{len(targets)} target lesions ({', '.join(ids)}); "
                                                        f"RECIST 1.1 allows at most {MAX_TARGETS}"))
    by_organ: dict[str, list[str]] = {}
    for target in targets:
        by_organ.setdefault(target.organ_group, []).append(target.id)
    for organ, ids_in_organ in by_organ.items():
        if len(ids_in_organ) > MAX_TARGETS_PER_ORGAN:
            problems.append(BaselineProblem(
                tuple(ids_in_organ), "lesions",
                f"{len(ids_in_organ)} target lesions in {organ} ({', '.join(ids_in_organ)}); RECIST 1.1 "
                f"allows at most {MAX_TARGETS_PER_ORGAN} per organ (all lymph nodes are one organ)"))

    total: Decimal | None = None
    if not problems:
        parts = [(t.id, t.measurement_mm) for t in targets]
        total = sum((mm for _, mm in parts if mm is not None), Decimal(0))
        if parts:
            terms = " + ".join(f"{i} {fmt_mm(mm)}" for i, mm in parts if mm is not None)
            steps.append(f"baseline sum of diameters = {terms} = {fmt_mm(total)}")
        else:
            steps.append("no target lesion: non-measurable disease only (non-target lesions); "
                         "not in the measurable-disease population")
    return BaselineCheck(lesions, tuple(problems), total, tuple(steps))
