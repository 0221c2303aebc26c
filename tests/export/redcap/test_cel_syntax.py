"""The CEL syntax tree the REDCap translation reads: precedence and associativity as the CEL
language definition states them (cel-spec ``doc/langdef.md``, "Syntax"), and a parse trusted
only when its variables are the CEL engine's."""

from __future__ import annotations

import pytest

from hipectrial.export.redcap.cel_syntax import (
    Binary,
    Call,
    CelSyntaxError,
    Conditional,
    Ident,
    Index,
    ListExpr,
    Literal,
    Select,
    Unary,
    parse,
    parse_expression,
    variables,
)
from hipectrial.protocol import Expression

a, b, c = Ident("a"), Ident("b"), Ident("c")


def test_and_binds_tighter_than_or() -> None:
    assert parse("a || b && c") == Binary("||", a, Binary("&&", b, c))


def test_relations_bind_tighter_than_and_and_arithmetic_tighter_still() -> None:
    assert parse("a + 1 < b && c") == Binary(
        "&&", Binary("<", Binary("+", a, Literal("int", "1", 1)), b), c)


def test_not_applies_to_the_member_next_to_it() -> None:
    assert parse("!a == b") == Binary("==", Unary("!", a), b)


def test_binary_operators_are_left_associative() -> None:
    assert parse("a - b - c") == Binary("-", Binary("-", a, b), c)


def test_conditional_is_loosest_and_right_nested() -> None:
    assert parse("a ? b : c ? a : b") == Conditional(a, b, Conditional(c, a, b))


def test_literals() -> None:
    assert parse("'it\\'s'") == Literal("string", "'it\\'s'", "it's")
    assert parse('"x"') == Literal("string", '"x"', "x")
    assert parse("2.0") == Literal("double", "2.0", "2.0")
    assert parse("7u") == Literal("uint", "7u", 7)
    assert parse("0x1F") == Literal("int", "0x1F", 31)
    assert parse("true") == Literal("bool", "true", True)
    assert parse("null") == Literal("null", "null", None)


def test_calls_member_calls_selection_and_indexing() -> None:
    assert parse("size(a) > 2") == Binary(">", Call("size", None, (a,)), Literal("int", "2", 2))
    assert parse("a.startsWith('x')") == Call("startsWith", a, (Literal("string", "'x'", "x"),))
    assert parse("a.b[0]") == Index(Select(a, "b"), Literal("int", "0", 0))
    assert parse("a in ['x', 'y']") == Binary("in", a, ListExpr((Literal("string", "'x'", "x"),
                                                                 Literal("string", "'y'", "y"))))


def test_a_macro_binds_its_variable() -> None:
    assert variables(parse("xs.exists(v, v > limit)")) == {"xs", "limit"}


@pytest.mark.parametrize("source", ["'''long'''", "r'raw'", "b'bytes'", "a +", "(a"])
def test_what_the_parser_does_not_read_is_an_error(source: str) -> None:
    with pytest.raises(CelSyntaxError):
        parse(source)


def test_a_parse_is_checked_against_the_cel_engine() -> None:
    expression = Expression("sex == 'female' && !pregnant")
    assert variables(parse_expression(expression)) == {"sex", "pregnant"}
