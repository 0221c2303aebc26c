"""Endpoint derivation and statistics over TrialData.

:func:`analyze_trial` derives every endpoint of a trial's data as the protocol defines it
(:class:`TrialAnalysis`); the survival building blocks are :func:`kaplan_meier`
(:class:`KaplanMeier`), :func:`logrank` (:class:`LogRankResult`) and :func:`cox`
(:class:`CoxResult`). Endpoint value types, tables and figures stay in their modules
(``analysis.results``, ``analysis.figures``…); import them from there.

The names below are imported on first use (PEP 562): importing one module of the package
does not import pandas, statsmodels or matplotlib with the others.
"""

from typing import TYPE_CHECKING

from hipectrial._lazy import lazy_exports

if TYPE_CHECKING:
    from hipectrial.analysis.cox import CoxResult, CoxTerm, ModelTest, cox
    from hipectrial.analysis.km import (
        KaplanMeier,
        KaplanMeierRow,
        MedianSurvival,
        RestrictedMean,
        SurvivalAt,
        kaplan_meier,
    )
    from hipectrial.analysis.logrank import LogRankResult, logrank
    from hipectrial.analysis.trial_analysis import TrialAnalysis, analyze_trial

__all__ = [
    "CoxResult",
    "CoxTerm",
    "KaplanMeier",
    "KaplanMeierRow",
    "LogRankResult",
    "MedianSurvival",
    "ModelTest",
    "RestrictedMean",
    "SurvivalAt",
    "TrialAnalysis",
    "analyze_trial",
    "cox",
    "kaplan_meier",
    "logrank",
]

_EXPORTS = {
    "hipectrial.analysis.cox": ("CoxResult", "CoxTerm", "ModelTest", "cox"),
    "hipectrial.analysis.km": ("KaplanMeier", "KaplanMeierRow", "MedianSurvival", "RestrictedMean",
                               "SurvivalAt", "kaplan_meier"),
    "hipectrial.analysis.logrank": ("LogRankResult", "logrank"),
    "hipectrial.analysis.trial_analysis": ("TrialAnalysis", "analyze_trial"),
}

if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
