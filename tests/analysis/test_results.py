"""Binary estimates use the exact Clopper-Pearson interval; summaries use R's quantile type 7."""

from __future__ import annotations

import pytest

from hipectrial.analysis.results import binary_estimate, binary_value, summarise


def test_binary_estimate_is_the_clopper_pearson_interval() -> None:
    # R: binom.test(4, 13)$conf.int -> 0.0909203945721 0.6142616617507
    e = binary_estimate(events=4, n=13)
    assert e.proportion == pytest.approx(4 / 13, abs=1e-12)
    assert e.ci_lower == pytest.approx(0.0909203945721, abs=1e-12)
    assert e.ci_upper == pytest.approx(0.6142616617507, abs=1e-12)
    assert e.method == "Clopper-Pearson exact"
    assert e.conf_level == 0.95


def test_binary_estimate_with_no_denominator_has_no_proportion() -> None:
    e = binary_estimate(events=0, n=0)
    assert (e.proportion, e.ci_lower, e.ci_upper) == (None, None, None)


def test_binary_value_keeps_numerator_in_denominator_order_and_refuses_strangers() -> None:
    v = binary_value(population="itt", numerator=["b"], denominator=["a", "b", "c"])
    assert v.numerator_ids == ("b",)
    assert v.denominator_ids == ("a", "b", "c")
    with pytest.raises(ValueError, match="not in the denominator"):
        binary_value(population="itt", numerator=["z"], denominator=["a"])


def test_summary_matches_r() -> None:
    # R: x <- c(-8, 0, 4, 10); mean 1.5; sd(x) 7.54983443527075; quantile(x) -8 -2 2 5.5 10
    s = summarise([-8, 0, 4, 10])
    assert (s.n, s.mean, s.median, s.q1, s.q3, s.minimum, s.maximum) == (4, 1.5, 2.0, -2.0, 5.5, -8.0, 10.0)
    assert s.sd == pytest.approx(7.54983443527075, abs=1e-12)
