"""A field's ``show_if`` (CEL) as REDCap branching logic, or a refusal saying why not.

Meaning kept: the protocol shows a field when its ``show_if`` is TRUE in three-valued logic
(an unanswered input makes it UNKNOWN, and the field is hidden:
:mod:`hipectrial.data.form_check`). The translation is true in REDCap exactly when the CEL
expression is TRUE. It is built by pushing negation inwards (Kleene logic: ``!(a && b)`` is
TRUE when ``a`` or ``b`` is FALSE), and a comparison is TRUE only when its variables have
values, so a blank REDCap field never satisfies a condition:

========================  =====================================================
CEL                       REDCap
========================  =====================================================
``b`` (boolean)           ``[b] = '1'``; ``!b``: ``[b] = '0'``
``c == 'x'``              ``[c] = 'x'`` (``'x'`` must be one of ``c``'s codes)
``c != 'x'``              ``([c] <> '' and [c] <> 'x')``
``n >= 2.0`` (number)     ``([n] <> '' and [n] >= 2.0)`` (also ``<``, ``<=``, ``>``, ``==``, ``!=``)
``a != b`` (two fields)   ``([a] <> '' and [b] <> '' and [a] <> [b])``
``c in ['x', 'y']``       ``([c] = 'x' or [c] = 'y')``
``'x' in m`` (multi)      ``[m(x)] = '1'``; negated: ``([m(x)] = '0' and ([m(y)] = '1' or ...))``
``&&``, ``||``, ``()``    ``and``, ``or``, ``( )``
========================  =====================================================

A variable of another form is named with its event, ``[screening_arm_1][sex]``, when that
form is entered at exactly one event and does not repeat there (``[sex]`` alone when both
forms share that one event); a derived variable defined by a CEL expression is replaced by
its expression. Anything else is refused, naming the construct: function calls and macros
(``size()``, ``has()``, ``exists()``), arithmetic (including on dates), comparisons of dates,
ordering of codes, text or booleans, the conditional operator, member selection and
indexing, constant conditions, a code not in the field's code list, a string REDCap cannot
quote, a repeating form's field or one recorded at several events, and named derivations
(``age_in_years`` ...). REDCap logic syntax: REDCap 15.7.6 ``Classes/LogicLexer.php``
(``[event][field(code)]``, quoted strings without escapes, numbers ``(\\d*\\.)?\\d+``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from hipectrial.export.redcap.cel_syntax import (
    Binary,
    Call,
    CelSyntaxError,
    Conditional,
    Ident,
    Index,
    ListExpr,
    Literal,
    MapExpr,
    MessageExpr,
    Node,
    Select,
    Unary,
    parse,
    parse_expression,
)
from hipectrial.export.redcap.design import Project
from hipectrial.protocol import Protocol, ValueType
from hipectrial.protocol.forms import FieldDef, FormDef


@dataclass(frozen=True, slots=True)
class BranchingRefusal:
    """A ``show_if`` REDCap cannot express: where, the CEL source, the construct and why."""

    form: str
    field: str
    source: str
    construct: str
    reason: str

    def __str__(self) -> str:
        return (f"form {self.form}, field {self.field}: show_if {self.source!r} has no REDCap "
                f"branching logic: {self.construct}: {self.reason}")


class Untranslatable(Exception):
    """Raised inside the translation; becomes a :class:`BranchingRefusal`."""

    def __init__(self, construct: str, reason: str) -> None:
        super().__init__(f"{construct}: {reason}")
        self.construct = construct
        self.reason = reason


# -- REDCap logic terms --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _All:
    parts: tuple[_Term, ...]
    grouped: bool = False  # one CEL operation: always in parentheses


@dataclass(frozen=True, slots=True)
class _Any:
    parts: tuple[_Term, ...]
    grouped: bool = False


_Term = str | _All | _Any


def _all(parts: list[_Term], grouped: bool = False) -> _Term:
    flat: list[_Term] = []
    for p in parts:
        flat.extend(p.parts if isinstance(p, _All) and not p.grouped else (p,))
    return flat[0] if len(flat) == 1 else _All(tuple(flat), grouped)


def _any(parts: list[_Term], grouped: bool = False) -> _Term:
    flat: list[_Term] = []
    for p in parts:
        flat.extend(p.parts if isinstance(p, _Any) and not p.grouped else (p,))
    return flat[0] if len(flat) == 1 else _Any(tuple(flat), grouped)


def _render(term: _Term, nested: bool = False) -> str:
    if isinstance(term, str):
        return term
    joiner = " and " if isinstance(term, _All) else " or "
    text = joiner.join(_render(p, nested=True) for p in term.parts)
    return f"({text})" if nested or term.grouped else text


# -- the translation -----------------------------------------------------------------------

_NUMERIC = (ValueType.INT, ValueType.DECIMAL)
_MIRROR = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_NEGATE = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}
_REDCAP_OP = {"==": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_PLAIN_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")


@dataclass(frozen=True, slots=True)
class _Var:
    """A variable as REDCap names it, with its type and codes."""

    ref: str  # [field] or [event][field]
    name: str
    type: ValueType
    codes: tuple[str, ...]


class _Translator:
    def __init__(self, protocol: Protocol, project: Project, form: FormDef) -> None:
        self.protocol = protocol
        self.project = project
        self.form = form
        self.derived = {d.id: d for d in protocol.variables}
        self.expanding: tuple[str, ...] = ()

    # A node evaluated as a condition: the REDCap term true exactly when the node is
    # TRUE (want=True) or FALSE (want=False).
    def truth(self, node: Node, want: bool) -> _Term:
        if isinstance(node, Unary) and node.op == "!":
            return self.truth(node.operand, not want)
        if isinstance(node, Binary) and node.op in ("&&", "||"):
            left, right = self.truth(node.left, want), self.truth(node.right, want)
            conjunction = (node.op == "&&") == want  # De Morgan for FALSE
            return _all([left, right]) if conjunction else _any([left, right])
        if isinstance(node, Binary) and node.op in _REDCAP_OP:
            return self.comparison(node.op if want else _NEGATE[node.op], node.left, node.right)
        if isinstance(node, Binary) and node.op == "in":
            return self.membership(node, want)
        if isinstance(node, Ident):
            derived = self.derived.get(node.name)
            if derived is not None and self._field(node.name) is None:
                return self.inline(node.name, want)
            var = self.variable(node)
            if var.type is not ValueType.BOOLEAN:
                raise Untranslatable(f"variable {node.name}", f"{var.type.value} value used as a condition")
            return f"{var.ref} = '{'1' if want else '0'}'"
        if isinstance(node, Literal) and node.kind == "bool":
            raise Untranslatable(f"constant {node.text}", "a condition that does not depend on any field")
        raise Untranslatable(*_construct(node))

    def inline(self, name: str, want: bool) -> _Term:
        derived = self.derived[name]
        if derived.expression is None:
            raise Untranslatable(f"derived variable {name}",
                                 f"computed by the named derivation {derived.derivation}, not by a CEL "
                                 "expression REDCap logic could restate")
        if derived.type is not ValueType.BOOLEAN:
            raise Untranslatable(
                f"derived variable {name}", f"{derived.type.value} value used as a condition"
            )
        if name in self.expanding:
            raise Untranslatable(f"derived variable {name}", "defined in terms of itself")
        self.expanding += (name,)
        try:
            return self.truth(parse_or_refuse(derived.expression.source), want)
        finally:
            self.expanding = self.expanding[:-1]

    def _field(self, name: str) -> tuple[FormDef, FieldDef] | None:
        try:
            return self.protocol.field(name)
        except KeyError:
            return None

    def variable(self, node: Node) -> _Var:
        if not isinstance(node, Ident):
            raise Untranslatable(*_construct(node))
        found = self._field(node.name)
        if found is None:
            if node.name in self.derived:
                raise Untranslatable(f"derived variable {node.name}", "compared as a value (REDCap has no "
                                     "field for it; only a boolean derived variable used as a condition "
                                     "is restated)")
            raise Untranslatable(f"variable {node.name}", "not a field of the protocol")
        form, field = found
        codes = self.protocol.codelist(field.codelist).codes if field.codelist else ()
        return _Var(self.reference(form, field), field.id, field.type, codes)

    def reference(self, form: FormDef, field: FieldDef) -> str:
        if form.id == self.form.id:
            return f"[{field.id}]"
        if form.repeating:
            raise Untranslatable(f"variable {field.id}", f"a field of the repeating form {form.id}: REDCap "
                                 "logic cannot say which of its records")
        places = self.project.events_of(form.id)
        if len(places) != 1:
            where = ", ".join(d.event.unique_name for d in places) or "no event"
            raise Untranslatable(f"variable {field.id}", f"form {form.id} is entered at {where}; REDCap "
                                 "logic names one event (the protocol takes the latest value)")
        place = places[0]
        if place.repeating or place.event.repeats:
            raise Untranslatable(f"variable {field.id}", f"form {form.id} repeats at event "
                                 f"{place.event.unique_name}: REDCap logic cannot say which instance")
        own = {d.event.unique_name for d in self.project.events_of(self.form.id)}
        if own == {place.event.unique_name}:
            return f"[{field.id}]"
        return f"[{place.event.unique_name}][{field.id}]"

    def comparison(self, op: str, left: Node, right: Node) -> _Term:
        if _is_literal(left) and not _is_literal(right):
            left, right, op = right, left, _MIRROR[op]
        if _is_literal(left):
            raise Untranslatable(f"comparison of constants {_text(left)} and {_text(right)}",
                                 "a condition that does not depend on any field")
        var = self.variable(left)
        if _is_literal(right):
            return self.compare_value(op, var, right)
        other = self.variable(right)
        return self.compare_fields(op, var, other)

    def compare_value(self, op: str, var: _Var, node: Node) -> _Term:
        kind = var.type
        if kind in (ValueType.DATE, ValueType.DATETIME):
            raise Untranslatable(f"comparison of the {kind.value} {var.name}",
                                 "REDCap compares dates with datediff(); not translated")
        if kind is ValueType.MULTI_CHOICE:
            raise Untranslatable(
                f"comparison of the multi-choice {var.name}", "only 'code' in field is translated"
            )
        if kind is ValueType.BOOLEAN:
            value = _literal(node)
            if not isinstance(value, bool) or op not in ("==", "!="):
                raise Untranslatable(f"{var.name} {op} {_text(node)}", "a boolean compares with == or != to "
                                     "true or false")
            return f"{var.ref} = '{'1' if value == (op == '==') else '0'}'"
        if kind in _NUMERIC:
            return _all([f"{var.ref} <> ''", f"{var.ref} {_REDCAP_OP[op]} {_number(node, var.name)}"],
                        grouped=True)
        text = self.text_literal(var, node)
        if op == "==":
            return f"{var.ref} = {text}"
        if op == "!=":
            return _all([f"{var.ref} <> ''", f"{var.ref} <> {text}"], grouped=True)
        raise Untranslatable(f"{var.name} {op} {_text(node)}", f"ordering of {kind.value} values")

    def text_literal(self, var: _Var, node: Node) -> str:
        value = _literal(node)
        if not isinstance(value, str):
            raise Untranslatable(f"{var.name} compared with {_text(node)}", f"a {var.type.value} field "
                                 "compares with a string")
        if var.type is ValueType.CHOICE and value not in var.codes:
            raise Untranslatable(f"code {value!r}", f"not a code of {var.name} ({', '.join(var.codes)}); "
                                 "REDCap would never match it")
        return _quote(value)

    def compare_fields(self, op: str, a: _Var, b: _Var) -> _Term:
        kinds = {a.type, b.type}
        numeric = kinds <= set(_NUMERIC)
        if not numeric and len(kinds) != 1:
            raise Untranslatable(
                f"{a.name} {op} {b.name}", f"comparison of a {a.type.value} with a {b.type.value}"
            )
        kind = a.type
        if kind in (ValueType.DATE, ValueType.DATETIME, ValueType.MULTI_CHOICE):
            raise Untranslatable(f"{a.name} {op} {b.name}", f"comparison of {kind.value} values")
        if not numeric and op not in ("==", "!="):
            raise Untranslatable(f"{a.name} {op} {b.name}", f"ordering of {kind.value} values")
        return _all([f"{a.ref} <> ''", f"{b.ref} <> ''", f"{a.ref} {_REDCAP_OP[op]} {b.ref}"], grouped=True)

    def membership(self, node: Binary, want: bool) -> _Term:
        if isinstance(node.right, ListExpr):
            var = self.variable(node.left)
            if var.type in (ValueType.DATE, ValueType.DATETIME, ValueType.MULTI_CHOICE, ValueType.BOOLEAN):
                raise Untranslatable(f"{var.name} in a list", f"membership of a {var.type.value} value")
            if not node.right.items:
                raise Untranslatable(f"{var.name} in []", "a condition that does not depend on any field")
            if var.type in _NUMERIC:
                values = [_number(item, var.name) for item in node.right.items]
                if want:
                    return _all(
                        [f"{var.ref} <> ''", _any([f"{var.ref} = {v}" for v in values])], grouped=True
                    )
                return _all([f"{var.ref} <> ''", *[f"{var.ref} <> {v}" for v in values]], grouped=True)
            texts = [self.text_literal(var, item) for item in node.right.items]
            if want:
                return _any([f"{var.ref} = {t}" for t in texts], grouped=True)
            return _all([f"{var.ref} <> ''", *[f"{var.ref} <> {t}" for t in texts]], grouped=True)
        if isinstance(node.right, Ident) and _is_literal(node.left):
            var = self.variable(node.right)
            if var.type is not ValueType.MULTI_CHOICE:
                raise Untranslatable(
                    f"{_text(node.left)} in {var.name}", f"membership in a {var.type.value} value"
                )
            code = _literal(node.left)
            if not isinstance(code, str) or code not in var.codes:
                raise Untranslatable(f"code {_text(node.left)}", f"not a code of {var.name} "
                                     f"({', '.join(var.codes)}); REDCap would never match it")
            if want:
                return f"{_option(var, code)} = '1'"
            others = [c for c in var.codes if c != code]
            if not others:
                raise Untranslatable(f"!({_text(node.left)} in {var.name})", "never true: an answered field "
                                     "with one option holds that option")
            # FALSE needs an answer: some other option ticked (a blank checkbox is not FALSE).
            return _all([f"{_option(var, code)} = '0'", _any([f"{_option(var, c)} = '1'" for c in others])],
                        grouped=True)
        raise Untranslatable(f"{_text(node.left)} in {_text(node.right)}",
                             "only field in [constants] and 'code' in multi-choice field are translated")


def _option(var: _Var, code: str) -> str:
    return f"{var.ref[:-1]}({code})]"


def _is_literal(node: Node) -> bool:
    if isinstance(node, Unary) and node.op == "-":
        return isinstance(node.operand, Literal) and node.operand.kind in ("int", "uint", "double")
    return isinstance(node, Literal)


def _literal(node: Node) -> object:
    if isinstance(node, Unary):
        return None  # a negative number, read by _number
    return node.value if isinstance(node, Literal) else None


def _number(node: Node, name: str) -> str:
    negative = isinstance(node, Unary)
    literal = node.operand if isinstance(node, Unary) else node
    if not isinstance(literal, Literal) or literal.kind not in ("int", "uint", "double"):
        raise Untranslatable(f"{name} compared with {_text(node)}", "a number field compares with a number")
    digits = (
        literal.text.rstrip("uU") if literal.kind != "int" or literal.text.isdigit() else str(literal.value)
    )
    if not _PLAIN_NUMBER.fullmatch(digits):
        digits = format(Decimal(str(literal.value)), "f")
    return f"-{digits}" if negative else digits


def _quote(value: str) -> str:
    # REDCap strings have no escapes and lose backslashes (LogicLexer::tokenize).
    if "\\" in value or ("'" in value and '"' in value) or "\n" in value:
        raise Untranslatable(f"string {value!r}", "REDCap logic cannot quote it")
    return f'"{value}"' if "'" in value else f"'{value}'"


def _text(node: Node) -> str:
    if isinstance(node, Literal):
        return node.text
    if isinstance(node, Ident):
        return node.name
    if isinstance(node, Unary) and isinstance(node.operand, Literal):
        return f"{node.op}{node.operand.text}"
    return _construct(node)[0]


def _construct(node: Node) -> tuple[str, str]:
    """What ``node`` is, in words, and why it is refused."""
    if isinstance(node, Call):
        return f"call of {node.function}()", "REDCap branching logic has no such function"
    if isinstance(node, Binary):
        return (f"arithmetic ({node.op})", "REDCap branching logic here compares fields with values; "
                "arithmetic (on numbers or dates) is not translated")
    if isinstance(node, Unary):
        return f"unary {node.op}", "arithmetic is not translated"
    if isinstance(node, Conditional):
        return "conditional operator ?:", "REDCap branching logic has no conditional"
    if isinstance(node, Select):
        return f"member selection .{node.field}", "REDCap fields have no members"
    if isinstance(node, Index):
        return "indexing [...]", "REDCap fields have no elements"
    if isinstance(node, ListExpr):
        return "list", "a list is only translated on the right of in"
    if isinstance(node, MapExpr):
        return "map", "REDCap logic has no maps"
    if isinstance(node, MessageExpr):
        return "message construction", "REDCap logic has no messages"
    if isinstance(node, Literal):
        return f"literal {node.text}", "a value where a condition is needed"
    return f"variable {node.name}", "not usable here"


def parse_or_refuse(source: str) -> Node:
    try:
        return parse(source)
    except CelSyntaxError as exc:
        raise Untranslatable("syntax", f"not read by the translator ({exc})") from None


def branching_logic(*, protocol: Protocol, project: Project, form: FormDef, field: FieldDef) -> str:
    """The REDCap branching logic of ``field``'s ``show_if`` (``""`` when it has none).

    Raises
    ------
    Untranslatable
        naming the construct and the reason (module docstring).

    Examples
    --------
    >>> from hipectrial.protocol import load_protocol
    >>> from hipectrial.export.redcap.design import project_design
    >>> p = load_protocol()
    >>> form = p.form("biomarkers")
    >>> branching_logic(protocol=p, project=project_design(p), form=form, field=form.field("her2_ish_ratio"))
    "[her2_ihc] = 'ihc2plus'"
    """
    if field.show_if is None:
        return ""
    try:
        node = parse_expression(field.show_if)
    except CelSyntaxError as exc:
        raise Untranslatable("syntax", f"not read by the translator ({exc})") from None
    return _render(_Translator(protocol, project, form).truth(node, True))


def translate_show_ifs(
    protocol: Protocol, project: Project
) -> tuple[dict[str, str], tuple[BranchingRefusal, ...]]:
    """Every ``show_if`` of ``protocol``: the branching logic by field id, and the refusals."""
    logic: dict[str, str] = {}
    refusals: list[BranchingRefusal] = []
    for form in protocol.forms:
        for field in form.fields:
            if field.show_if is None:
                continue
            try:
                logic[field.id] = branching_logic(protocol=protocol, project=project, form=form, field=field)
            except Untranslatable as exc:
                refusals.append(
                    BranchingRefusal(form.id, field.id, field.show_if.source, exc.construct, exc.reason)
                )
    return logic, tuple(refusals)
