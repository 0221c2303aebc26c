"""The syntax tree of a protocol's CEL expression, for translating it into another language.

The ``cel`` package compiles and runs CEL but does not expose its syntax tree, and the REDCap
branching-logic translation (:mod:`hipectrial.export.redcap.branching`) must know exactly
which construct it is translating. This module parses the whole CEL expression grammar of
the CEL language definition (https://github.com/google/cel-spec, ``doc/langdef.md``,
"Syntax"): conditional ``?:``, ``||``, ``&&``, relations (``< <= >= > == != in``), ``+ -``,
``* / %``, unary ``!`` and ``-``, member selection, calls and indexing, list and map
literals, message construction and literals. Every construct becomes a node, so that a
translator can name what it refuses (a function call, arithmetic, a macro); nothing is
dropped. A parse is trusted only when the variables it finds are exactly those the ``cel``
package reports for the same source (:func:`parse_expression`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hipectrial.protocol import Expression


class CelSyntaxError(ValueError):
    """An expression this parser cannot read (the ``cel`` package compiled it, so this is a
    construct the parser does not know, such as a triple-quoted or raw string)."""


@dataclass(frozen=True, slots=True)
class Ident:
    name: str


@dataclass(frozen=True, slots=True)
class Literal:
    """A literal: ``kind`` is ``string``, ``int``, ``uint``, ``double``, ``bool``, ``null``
    or ``bytes``; ``text`` is the literal as written; ``value`` the decoded string (strings),
    ``int`` (int, uint), the written digits (double), ``bool`` or ``None``."""

    kind: str
    text: str
    value: object


@dataclass(frozen=True, slots=True)
class ListExpr:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class MapExpr:
    entries: tuple[tuple[Node, Node], ...]


@dataclass(frozen=True, slots=True)
class MessageExpr:
    type_name: str


@dataclass(frozen=True, slots=True)
class Unary:
    op: str  # "!" or "-"
    operand: Node


@dataclass(frozen=True, slots=True)
class Binary:
    op: str  # || && == != < <= > >= in + - * / %
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Conditional:
    condition: Node
    then: Node
    otherwise: Node


@dataclass(frozen=True, slots=True)
class Call:
    """A function or macro call: ``size(x)`` (``target`` None) or ``x.startsWith('a')``."""

    function: str
    target: Node | None
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Select:
    operand: Node
    field: str


@dataclass(frozen=True, slots=True)
class Index:
    operand: Node
    index: Node


Node = (Ident | Literal | ListExpr | MapExpr | MessageExpr | Unary | Binary | Conditional | Call
        | Select | Index)

# CEL langdef "Syntax": lexical tokens. Order matters: longer operators first.
_TOKEN = re.compile(
    r"""
    (?P<space>\s+|//[^\n]*)
  | (?P<number>0[xX][0-9a-fA-F]+[uU]?|(?:[0-9]+\.[0-9]+(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?
        |[0-9]+[eE][+-]?[0-9]+)|[0-9]+[uU]?)
  | (?P<prefixed>[rRbB]{1,2}(?='|"))
  | (?P<string>'''|\"\"\"|'|")
  | (?P<ident>[_a-zA-Z][_a-zA-Z0-9]*)
  | (?P<op>\|\||&&|==|!=|<=|>=|[-+*/%!<>?:.,()\[\]{}])
    """,
    re.VERBOSE,
)
_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
            "\\": "\\", "'": "'", '"': '"', "`": "`", "?": "?"}
_RESERVED = frozenset({"as", "break", "const", "continue", "else", "for", "function", "if", "import",
                       "let", "loop", "package", "namespace", "return", "var", "void", "while"})
# Macros bind their first argument as a new variable (``list.exists(x, x > 1)``).
_BINDING_MACROS = frozenset({"all", "exists", "exists_one", "map", "filter"})


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str  # number, string, ident, op, end
    text: str
    value: object = None


def _tokens(source: str) -> list[_Tok]:
    out: list[_Tok] = []
    pos = 0
    while pos < len(source):
        match = _TOKEN.match(source, pos)
        if match is None:
            raise CelSyntaxError(f"unexpected character {source[pos]!r} at {pos + 1}")
        kind = match.lastgroup or ""
        text = match.group()
        if kind == "prefixed":
            raise CelSyntaxError(f"raw or bytes literal ({text}...) at {pos + 1}")
        if kind == "string":
            if len(text) == 3:
                raise CelSyntaxError(f"triple-quoted string at {pos + 1}")
            value, end = _string(source, pos + 1, text)
            out.append(_Tok("string", source[pos:end], value))
            pos = end
            continue
        if kind != "space":
            out.append(_Tok(kind, text))
        pos = match.end()
    out.append(_Tok("end", ""))
    return out


def _string(source: str, pos: int, quote: str) -> tuple[str, int]:
    """Decode a quoted string whose body starts at ``pos``; returns (value, end)."""
    chars: list[str] = []
    while pos < len(source):
        char = source[pos]
        if char == quote:
            return "".join(chars), pos + 1
        if char == "\n":
            break
        if char == "\\":
            escape = source[pos + 1:pos + 2]
            if escape in _ESCAPES:
                chars.append(_ESCAPES[escape])
                pos += 2
                continue
            raise CelSyntaxError(f"string escape \\{escape} at {pos + 1}")
        chars.append(char)
        pos += 1
    raise CelSyntaxError("unterminated string")


class _Parser:
    def __init__(self, source: str) -> None:
        self.toks = _tokens(source)
        self.i = 0

    def peek(self, offset: int = 0) -> _Tok:
        return self.toks[min(self.i + offset, len(self.toks) - 1)]

    def take(self, text: str | None = None) -> _Tok:
        tok = self.toks[self.i]
        if text is not None and tok.text != text:
            raise CelSyntaxError(f"expected {text!r}, found {tok.text or 'the end'!r}")
        self.i += 1
        return tok

    def accept(self, text: str) -> bool:
        if self.peek().kind == "op" and self.peek().text == text:
            self.i += 1
            return True
        return False

    def expr(self) -> Node:
        condition = self.binary(0)
        if self.accept("?"):
            then = self.binary(0)
            self.take(":")
            return Conditional(condition, then, self.expr())
        return condition

    # Precedence levels, loosest first (langdef "Syntax"); all are left-associative.
    _LEVELS: tuple[frozenset[str], ...] = (
        frozenset({"||"}), frozenset({"&&"}), frozenset({"<", "<=", ">=", ">", "==", "!=", "in"}),
        frozenset({"+", "-"}), frozenset({"*", "/", "%"}),
    )

    def binary(self, level: int) -> Node:
        if level == len(self._LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        ops = self._LEVELS[level]
        while self.peek().text in ops and self.peek().kind in ("op", "ident"):
            op = self.take().text
            left = Binary(op, left, self.binary(level + 1))
        return left

    def unary(self) -> Node:
        tok = self.peek()
        if tok.kind == "op" and tok.text in ("!", "-"):
            self.take()
            return Unary(tok.text, self.unary())
        return self.member()

    def member(self) -> Node:
        node = self.primary()
        while True:
            if self.accept("."):
                name = self.take().text
                node = Call(name, node, self.arguments(")")) if self.accept("(") else Select(node, name)
            elif self.accept("["):
                index = self.expr()
                self.take("]")
                node = Index(node, index)
            else:
                return node

    def arguments(self, close: str) -> tuple[Node, ...]:
        items: list[Node] = []
        while not self.accept(close):
            items.append(self.expr())
            if not self.accept(","):
                self.take(close)
                break
        return tuple(items)

    def primary(self) -> Node:
        tok = self.take()
        if tok.kind == "number":
            return _number(tok.text)
        if tok.kind == "string":
            return Literal("string", tok.text, tok.value)
        if tok.kind == "op" and tok.text == "(":
            inner = self.expr()
            self.take(")")
            return inner
        if tok.kind == "op" and tok.text == "[":
            return ListExpr(self.arguments("]"))
        if tok.kind == "op" and tok.text == "{":
            return self.map_literal()
        if tok.kind == "op" and tok.text == ".":
            return self.identifier(self.take())
        if tok.kind == "ident":
            return self.identifier(tok)
        raise CelSyntaxError(f"unexpected {tok.text or 'end'!r}")

    def identifier(self, tok: _Tok) -> Node:
        if tok.text in ("true", "false"):
            return Literal("bool", tok.text, tok.text == "true")
        if tok.text == "null":
            return Literal("null", tok.text, None)
        if tok.text in _RESERVED or tok.kind != "ident":
            raise CelSyntaxError(f"reserved word {tok.text!r}")
        if self.accept("("):
            return Call(tok.text, None, self.arguments(")"))
        if self.peek().text == "{":
            self.take("{")
            depth = 1
            while depth:  # message construction: the fields are not needed to refuse it
                text = self.take().text
                depth += {"{": 1, "}": -1}.get(text, 0)
                if not text:
                    raise CelSyntaxError("unterminated message construction")
            return MessageExpr(tok.text)
        return Ident(tok.text)

    def map_literal(self) -> Node:
        entries: list[tuple[Node, Node]] = []
        while not self.accept("}"):
            key = self.expr()
            self.take(":")
            entries.append((key, self.expr()))
            if not self.accept(","):
                self.take("}")
                break
        return MapExpr(tuple(entries))


def _number(text: str) -> Literal:
    if text[-1] in "uU":
        return Literal("uint", text, int(text[:-1], 0))
    if text[:2] in ("0x", "0X"):
        return Literal("int", text, int(text, 16))
    if any(c in text for c in ".eE"):
        return Literal("double", text, text)
    return Literal("int", text, int(text))


def parse(source: str) -> Node:
    """The syntax tree of the CEL expression ``source``.

    Raises
    ------
    CelSyntaxError
        For a construct this parser does not read (see the module docstring).

    Examples
    --------
    >>> parse("sex == 'female'")
    Binary(op='==', left=Ident(name='sex'), right=Literal(kind='string', text="'female'", value='female'))
    >>> parse("!a && b")
    Binary(op='&&', left=Unary(op='!', operand=Ident(name='a')), right=Ident(name='b'))
    """
    parser = _Parser(source)
    node = parser.expr()
    if parser.peek().kind != "end":
        raise CelSyntaxError(f"unexpected {parser.peek().text!r} after the expression")
    return node


def variables(node: Node) -> frozenset[str]:
    """The free variables of ``node`` (names a macro binds are not free)."""
    found: set[str] = set()
    _collect(node, frozenset(), found)
    return frozenset(found)


def _collect(node: Node, bound: frozenset[str], found: set[str]) -> None:
    if isinstance(node, Ident):
        if node.name not in bound:
            found.add(node.name)
    elif isinstance(node, ListExpr):
        for item in node.items:
            _collect(item, bound, found)
    elif isinstance(node, MapExpr):
        for key, value in node.entries:
            _collect(key, bound, found)
            _collect(value, bound, found)
    elif isinstance(node, Unary):
        _collect(node.operand, bound, found)
    elif isinstance(node, Binary):
        _collect(node.left, bound, found)
        _collect(node.right, bound, found)
    elif isinstance(node, Conditional):
        for part in (node.condition, node.then, node.otherwise):
            _collect(part, bound, found)
    elif isinstance(node, Call):
        inner = bound
        args = node.args
        if (
            node.target is not None
            and node.function in _BINDING_MACROS
            and args
            and isinstance(args[0], Ident)
        ):
            inner = bound | {args[0].name}
            args = args[1:]
        if node.target is not None:
            _collect(node.target, bound, found)
        for arg in args:
            _collect(arg, inner, found)
    elif isinstance(node, Select | Index):
        _collect(node.operand, bound, found)
        if isinstance(node, Index):
            _collect(node.index, bound, found)


def parse_expression(expression: Expression) -> Node:
    """The syntax tree of a compiled protocol expression, checked against the ``cel`` package:
    the variables found must be those the package reports.

    Raises
    ------
    CelSyntaxError
        When the parser cannot read the expression or reads other variables than ``cel``.
    """
    node = parse(expression.source)
    mine = variables(node)
    if mine != expression.variables:
        raise CelSyntaxError(
            f"read variables {sorted(mine)}, but the CEL engine reports {sorted(expression.variables)}")
    return node
