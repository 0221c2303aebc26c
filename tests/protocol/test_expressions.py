"""CEL expressions: compilation, typed binding and three-valued (Kleene) evaluation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hipectrial.errors import ExpressionError, InputError
from hipectrial.protocol import Expression, Scope, Truth, ValueType, Variable

SCOPE = Scope(
    [
        Variable("anc", ValueType.DECIMAL, "10^9/L"),
        Variable("age", ValueType.INT, "years"),
        Variable("a", ValueType.BOOLEAN),
        Variable("b", ValueType.BOOLEAN),
        Variable("sex", ValueType.CHOICE, codes=("male", "female")),
        Variable("sites", ValueType.MULTI_CHOICE, codes=("liver", "lung", "bone")),
        Variable("consent_date", ValueType.DATE),
        Variable("registration_date", ValueType.DATE),
        Variable("note", ValueType.TEXT),
        Variable("drawn_at", ValueType.DATETIME),
    ]
)


def truth(source: str, **values: object) -> Truth:
    return SCOPE.truth(Expression(source), values).truth


def test_threshold_at_below_and_above() -> None:
    assert truth("anc >= 1.5", anc=Decimal("1.5")) is Truth.TRUE
    assert truth("anc >= 1.5", anc=Decimal("1.49")) is Truth.FALSE
    assert truth("anc >= 1.5", anc=2) is Truth.TRUE  # an int is a valid decimal value


def test_missing_value_is_unknown_and_named() -> None:
    verdict = SCOPE.truth(Expression("anc >= 1.5"), {})
    assert verdict.truth is Truth.UNKNOWN
    assert verdict.missing == ("anc",)


def test_none_counts_as_missing() -> None:
    assert truth("anc >= 1.5", anc=None) is Truth.UNKNOWN


def test_false_conjunct_decides_despite_missing() -> None:
    verdict = SCOPE.truth(Expression("anc >= 1.5 && age <= 75"), {"age": 80})
    assert verdict.truth is Truth.FALSE
    assert verdict.missing == ("anc",)
    assert verdict.used == {"age": 80}


def test_true_disjunct_decides_despite_missing() -> None:
    assert truth("anc >= 1.5 || age <= 75", age=70) is Truth.TRUE


def test_negation_of_unknown_is_unknown() -> None:
    assert truth("!(anc >= 1.5)") is Truth.UNKNOWN


_KLEENE_AND = {
    (Truth.TRUE, Truth.TRUE): Truth.TRUE,
    (Truth.TRUE, Truth.FALSE): Truth.FALSE,
    (Truth.TRUE, Truth.UNKNOWN): Truth.UNKNOWN,
    (Truth.FALSE, Truth.FALSE): Truth.FALSE,
    (Truth.FALSE, Truth.UNKNOWN): Truth.FALSE,
    (Truth.UNKNOWN, Truth.UNKNOWN): Truth.UNKNOWN,
}


def _kleene_and(x: Truth, y: Truth) -> Truth:
    return _KLEENE_AND.get((x, y)) or _KLEENE_AND[(y, x)]


def _kleene_not(x: Truth) -> Truth:
    return {Truth.TRUE: Truth.FALSE, Truth.FALSE: Truth.TRUE, Truth.UNKNOWN: Truth.UNKNOWN}[x]


def _value(t: Truth) -> bool | None:
    return None if t is Truth.UNKNOWN else t is Truth.TRUE


truths = st.sampled_from(list(Truth))


@given(truths, truths)
def test_and_or_follow_kleene_logic(x: Truth, y: Truth) -> None:
    values = {"a": _value(x), "b": _value(y)}
    assert SCOPE.truth(Expression("a && b"), values).truth is _kleene_and(x, y)
    expected_or = _kleene_not(_kleene_and(_kleene_not(x), _kleene_not(y)))
    assert SCOPE.truth(Expression("a || b"), values).truth is expected_or


def test_choice_and_multi_choice() -> None:
    assert truth("sex == 'female'", sex="female") is Truth.TRUE
    assert truth("'liver' in sites", sites=("lung", "liver")) is Truth.TRUE
    assert truth("size(sites) == 0", sites=()) is Truth.TRUE


def test_choice_value_outside_its_codes_is_refused() -> None:
    with pytest.raises(InputError) as info:
        truth("sex == 'female'", sex="F")
    assert info.value.field == "sex"
    assert "one of male, female" in str(info.value)


def test_dates_compare_and_count_days() -> None:
    values = {"consent_date": dt.date(2026, 1, 1), "registration_date": dt.date(2026, 1, 8)}
    assert SCOPE.truth(Expression("days_between(consent_date, registration_date) == 7"), values).truth is Truth.TRUE
    assert SCOPE.truth(Expression("consent_date < registration_date"), values).truth is Truth.TRUE


def test_wrong_python_type_is_refused_with_the_field_named() -> None:
    with pytest.raises(InputError) as info:
        truth("anc >= 1.5", anc="1.5")
    assert info.value.field == "anc"
    assert "a value of type decimal" in str(info.value)


def test_bool_is_not_an_int() -> None:
    with pytest.raises(InputError, match="age must be a value of type int"):
        truth("age >= 18", age=True)


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(InputError, match="with a time zone"):
        truth("drawn_at < drawn_at", drawn_at=dt.datetime(2026, 1, 1, 8, 0))


def test_undeclared_variable_in_values_is_refused() -> None:
    with pytest.raises(InputError, match="a variable the protocol declares"):
        truth("anc >= 1.5", anc=2.0, ancc=1.0)


def test_error_not_caused_by_a_missing_value_raises() -> None:
    with pytest.raises(ExpressionError, match="division by zero"):
        SCOPE.evaluate(Expression("age / 0 > 1"), {"age": 3})


def test_non_boolean_result_raises_in_truth() -> None:
    with pytest.raises(ExpressionError, match="must give true or false"):
        truth("age + 1", age=3)


def test_compile_lists_variables_without_comprehension_variables() -> None:
    e = Expression("sites.exists(s, s == 'liver') && age > 1")
    assert e.variables == {"sites", "age"}


@pytest.mark.parametrize(
    ("source", "where"),
    [("anc >= ", "1:8"), ("anc >= 1.5 &&\n (age >", "2:8"), ("a ===b", "1:5")],
)
def test_syntax_error_is_located_inside_the_expression(source: str, where: str) -> None:
    with pytest.raises(ValueError, match=f"CEL syntax error at {where} of"):
        Expression(source)


def test_empty_expression_is_refused() -> None:
    with pytest.raises(ValueError, match="non-empty"):
        Expression("  ")


def test_type_probe_finds_a_date_compared_with_a_number() -> None:
    problems = SCOPE.type_problems(Expression("consent_date > 3"), boolean=True)
    assert len(problems) == 1
    assert problems[0].startswith("cannot be evaluated with consent_date=")


def test_type_probe_accepts_a_well_typed_rule() -> None:
    assert SCOPE.type_problems(Expression("anc >= 1.5 && age <= 75 && sex == 'male'"), boolean=True) == []


def test_code_check_finds_a_literal_outside_the_code_list() -> None:
    assert SCOPE.code_problems(Expression("sex == 'M'")) == [
        "'M' is not a code of sex; its codes: male, female"
    ]


LIMITS = Scope(
    [
        Variable("inr", ValueType.DECIMAL, "ratio"),
        Variable("inr_uln", ValueType.DECIMAL, "ratio"),
        Variable("bilirubin", ValueType.DECIMAL, "umol/L"),
        Variable("bilirubin_uln", ValueType.DECIMAL, "umol/L"),
    ]
)


def test_doubles_misjudge_a_value_exactly_at_a_uln_multiple() -> None:
    # Why ratio() exists: an INR of exactly 1.5 x ULN (ULN 1.2) fails the double product.
    assert not 1.8 <= 1.5 * 1.2


@pytest.mark.parametrize(
    ("inr", "expected"),
    [("1.8", Truth.TRUE), ("1.79", Truth.TRUE), ("1.81", Truth.FALSE), ("0", Truth.TRUE)],
)
def test_ratio_judges_uln_limits_exactly(inr: str, expected: Truth) -> None:
    values = {"inr": Decimal(inr), "inr_uln": Decimal("1.2")}
    assert LIMITS.truth(Expression("ratio(inr, inr_uln) <= 1.5"), values).truth is expected


@pytest.mark.parametrize(
    ("bilirubin", "uln", "expected"),
    # 1.5 x 17.1 = 25.65 and 1.5 x 0.7 = 1.05: at the limit is eligible, 0.01 above is not.
    [("25.65", "17.1", Truth.TRUE), ("25.66", "17.1", Truth.FALSE),
     ("1.05", "0.7", Truth.TRUE), ("1.06", "0.7", Truth.FALSE)],
)
def test_ratio_at_and_just_above_bilirubin_limit(bilirubin: str, uln: str, expected: Truth) -> None:
    values = {"bilirubin": Decimal(bilirubin), "bilirubin_uln": Decimal(uln)}
    assert LIMITS.truth(Expression("ratio(bilirubin, bilirubin_uln) <= 1.5"), values).truth is expected


def test_ratio_with_missing_uln_is_unknown() -> None:
    verdict = LIMITS.truth(Expression("ratio(inr, inr_uln) <= 1.5"), {"inr": Decimal("1.1")})
    assert (verdict.truth, verdict.missing) == (Truth.UNKNOWN, ("inr_uln",))


def test_ratio_with_zero_reference_raises_a_clear_error(capfd: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ExpressionError, match=r"division by zero \(reference is 0\)"):
        LIMITS.truth(Expression("ratio(inr, inr_uln) <= 1.5"), {"inr": Decimal("1"), "inr_uln": Decimal("0")})
    assert capfd.readouterr().err == ""  # nothing leaks onto the user's terminal


@pytest.mark.parametrize(("source", "values", "expected"), [
    ("anc >= 1.5", {"anc": Decimal("1.5")}, Truth.TRUE),
    ("anc >= 1.5", {"anc": Decimal("1.49")}, Truth.FALSE),
    ("anc >= 1.5 && age <= 75", {"age": 70}, Truth.UNKNOWN),   # anc missing decides it
    ("anc >= 1.5 && age <= 75", {"age": 80}, Truth.FALSE),     # false whatever anc is
])
def test_truth_value_is_the_truth_of_the_full_verdict(source: str, values: dict[str, object],
                                                      expected: Truth) -> None:
    expression = Expression(source)
    assert SCOPE.truth_value(expression, values) is expected
    assert SCOPE.truth(expression, values).truth is expected


def test_truth_value_refuses_an_expression_that_is_not_boolean() -> None:
    with pytest.raises(ExpressionError, match="must give true or false"):
        SCOPE.truth_value(Expression("age + 1"), {"age": 70})
