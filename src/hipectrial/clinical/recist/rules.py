"""RECIST 1.1 rules as small pure functions: the target thresholds and the overall-response tables.

References
----------
Eisenhauer EA et al. RECIST 1.1. Eur J Cancer 2009;45:228-247, §4.3.1 (target response),
Tables 1 and 2 (overall response with and without target disease); clinical.md §4.2.
"""

from __future__ import annotations

from decimal import Decimal

from hipectrial.clinical.recist.vocab import Response, require_enum
from hipectrial.errors import InputError

# RECIST 1.1 §4.3.1: PR, a decrease of at least 30 % from the baseline sum; PD, an increase of
# at least 20 % over the smallest sum on study and of at least 5 mm.
PR_DECREASE_PCT = Decimal(30)
PD_INCREASE_PCT = Decimal(20)
PD_INCREASE_MM = Decimal(5)

_TARGET = (Response.CR, Response.PR, Response.SD, Response.PD, Response.NE)
_NON_TARGET = (Response.CR, Response.NON_CR_NON_PD, Response.PD, Response.NE)


def meets_pd(*, sum_mm: Decimal, nadir_mm: Decimal) -> bool:
    """RECIST 1.1 target PD: ``sum_mm`` >= 20 % above ``nadir_mm`` and >= 5 mm above it.

    >>> meets_pd(sum_mm=Decimal(60), nadir_mm=Decimal(50))
    True
    >>> meets_pd(sum_mm=Decimal(24), nadir_mm=Decimal(20))  # +20 % but only +4 mm
    False
    """
    increase = sum_mm - nadir_mm
    return increase * 100 >= PD_INCREASE_PCT * nadir_mm and increase >= PD_INCREASE_MM


def meets_pr(*, sum_mm: Decimal, baseline_mm: Decimal) -> bool:
    """RECIST 1.1 target PR: ``sum_mm`` at least 30 % below ``baseline_mm``.

    >>> meets_pr(sum_mm=Decimal(70), baseline_mm=Decimal(100))
    True
    >>> meets_pr(sum_mm=Decimal("70.1"), baseline_mm=Decimal(100))
    False
    """
    return (baseline_mm - sum_mm) * 100 >= PR_DECREASE_PCT * baseline_mm


def overall_response(*, target: Response | None, non_target: Response | None, new_lesion: bool) -> Response:
    """The overall timepoint response from its three parts (RECIST 1.1 Tables 1 and 2).

    ``target`` is ``None`` for disease without target lesions (Table 2, where
    non-CR/non-PD is an overall response); ``non_target`` ``None`` without non-target
    disease. A new lesion, target PD or non-target PD make PD whatever else.

    >>> overall_response(target=Response.CR, non_target=Response.NON_CR_NON_PD, new_lesion=False)
    <Response.PR: 'PR'>
    >>> overall_response(target=None, non_target=Response.NON_CR_NON_PD, new_lesion=False)
    <Response.NON_CR_NON_PD: 'non-CR-non-PD'>
    """
    if target is not None:
        target = require_enum("target", target, Response)
        if target not in _TARGET:
            raise InputError("target", target.value, "CR, PR, SD, PD or NE")
    if non_target is not None:
        non_target = require_enum("non_target", non_target, Response)
        if non_target not in _NON_TARGET:
            raise InputError("non_target", non_target.value, "CR, non-CR-non-PD, PD or NE")
    if not isinstance(new_lesion, bool):
        raise InputError("new_lesion", new_lesion, "true or false")
    if new_lesion or Response.PD in (target, non_target):
        return Response.PD
    if target is None:
        if non_target is None:
            raise InputError("target", None, "a target or non-target response", "no disease to assess")
        return non_target
    if target is Response.CR:
        return Response.CR if non_target in (None, Response.CR) else Response.PR
    return target  # PR, SD, NE (non-target is non-PD here)
