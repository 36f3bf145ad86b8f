"""A small safe parser for validation-rule expressions (no `eval`).

Grammar::

    expr    := term (("+" | "-") term)*
    term    := factor (("*" | "/") factor)*
    factor  := NUMBER | ref | "(" expr ")" | "-" factor
    ref     := CODE ("[" OPTION ("." OPTION)* "]")?

`VS_CLIENTS` is the element summed over all its columns; `VS_CLIENTS[female]` sums the
columns whose options include `female`; `VS_CLIENTS[female.18-25]` narrows further. A
value is looked up through a callable, so the parser knows nothing of the database.

>>> expr = parse("CLIENTS - CLIENTS[female] - CLIENTS[male]")
>>> sorted(references(expr))
[('CLIENTS', ()), ('CLIENTS', ('female',)), ('CLIENTS', ('male',))]
>>> evaluate(parse("2 * (A + 1)"), lambda code, options: 3)
Decimal('8')
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, DivisionByZero, InvalidOperation

TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d+)?)|(?P<code>[A-Za-z][A-Za-z0-9_]*)"
    r"|\[(?P<options>[^\]]*)\]|(?P<op>[-+*/()]))"
)
OPTION = re.compile(r"^[A-Za-z0-9_+\-]+$")


class ExpressionError(ValueError):
    """A malformed expression; the message says where (character position) and what."""


@dataclass(frozen=True)
class Ref:
    code: str
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Num:
    value: Decimal


@dataclass(frozen=True)
class BinOp:
    op: str
    left: "Node"
    right: "Node"


@dataclass(frozen=True)
class Neg:
    operand: "Node"


Node = Ref | Num | BinOp | Neg


def _tokens(text: str) -> list[tuple[str, str, int]]:
    tokens, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        match = TOKEN.match(text, pos)
        if not match:
            raise ExpressionError(f"unexpected {text[pos:].strip()[:10]!r} at position {pos + 1}")
        kind = match.lastgroup
        tokens.append((kind, match.group(kind), match.start(kind)))
        pos = match.end()
    return tokens


def parse(text: str) -> Node:
    """The expression tree of `text`; ExpressionError with a position when malformed."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("the expression is empty")
    tokens = _tokens(text)
    node, pos = _expr(tokens, 0)
    if pos != len(tokens):
        raise ExpressionError(f"unexpected {tokens[pos][1]!r} at position {tokens[pos][2] + 1}")
    return node


def _expr(tokens, pos):
    node, pos = _term(tokens, pos)
    while pos < len(tokens) and tokens[pos][1] in ("+", "-"):
        op = tokens[pos][1]
        right, pos = _term(tokens, pos + 1)
        node = BinOp(op, node, right)
    return node, pos


def _term(tokens, pos):
    node, pos = _factor(tokens, pos)
    while pos < len(tokens) and tokens[pos][1] in ("*", "/"):
        op = tokens[pos][1]
        right, pos = _factor(tokens, pos + 1)
        node = BinOp(op, node, right)
    return node, pos


def _factor(tokens, pos):
    if pos >= len(tokens):
        raise ExpressionError("the expression ends too early: a value or element code is missing")
    kind, text, where = tokens[pos]
    if kind == "number":
        return Num(Decimal(text)), pos + 1
    if kind == "code":
        options: tuple[str, ...] = ()
        if pos + 1 < len(tokens) and tokens[pos + 1][0] == "options":
            raw = tokens[pos + 1][1].strip()
            options = tuple(o.strip() for o in raw.split("."))
            if not raw or not all(OPTION.match(o) for o in options):
                raise ExpressionError(f"bad option list [{raw}] at position {where + 1}")
            pos += 1
        return Ref(text, options), pos + 1
    if text == "(":
        node, pos = _expr(tokens, pos + 1)
        if pos >= len(tokens) or tokens[pos][1] != ")":
            raise ExpressionError(f"the bracket opened at position {where + 1} is not closed")
        return node, pos + 1
    if text == "-":
        node, pos = _factor(tokens, pos + 1)
        return Neg(node), pos
    raise ExpressionError(f"unexpected {text!r} at position {where + 1}")


def references(node: Node) -> set[tuple[str, tuple[str, ...]]]:
    """Every (element code, options) the expression reads."""
    if isinstance(node, Ref):
        return {(node.code, node.options)}
    if isinstance(node, BinOp):
        return references(node.left) | references(node.right)
    if isinstance(node, Neg):
        return references(node.operand)
    return set()


def evaluate(
    node: Node, lookup: Callable[[str, tuple[str, ...]], Decimal | int | None]
) -> Decimal | None:
    """The value of the expression; None when a division by zero makes it undefined.

    `lookup(code, options)` returns the summed value (blank cells count as 0 there).
    """
    try:
        return _eval(node, lookup)
    except (DivisionByZero, InvalidOperation, ZeroDivisionError):
        return None


def _eval(node, lookup) -> Decimal:
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Ref):
        return Decimal(lookup(node.code, node.options) or 0)
    if isinstance(node, Neg):
        return -_eval(node.operand, lookup)
    left, right = _eval(node.left, lookup), _eval(node.right, lookup)
    if node.op == "+":
        return left + right
    if node.op == "-":
        return left - right
    if node.op == "*":
        return left * right
    if right == 0:
        raise DivisionByZero
    return left / right


COMPARE = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def modified_z(value: float, history: list[float]) -> float | None:
    """Iglewicz–Hoaglin modified z-score 0.6745·(x − median)/MAD of `value` against
    `history`; None with fewer than 4 past values or when the MAD is 0 and x equals the
    median. A MAD of 0 with x ≠ median falls back to the mean absolute deviation (×1.253314),
    as in the IBM/SPSS convention, so a jump after a flat history is still seen.

    >>> round(modified_z(30, [10, 11, 9, 10, 12, 10]), 2)
    26.98
    """
    if len(history) < 4:
        return None
    ordered = sorted(history)
    n = len(ordered)
    median = (ordered[(n - 1) // 2] + ordered[n // 2]) / 2
    deviations = sorted(abs(x - median) for x in ordered)
    mad = (deviations[(n - 1) // 2] + deviations[n // 2]) / 2
    if mad > 0:
        return 0.6745 * (value - median) / mad
    meanad = sum(deviations) / n
    if meanad == 0:
        return None if value == median else float("inf") * (1 if value > median else -1)
    return (value - median) / (1.253314 * meanad)
