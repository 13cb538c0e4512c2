"""The engine's walker meets the nodes visitors ask for exactly as entering every node would,
although it enters only the subtrees that can hold them."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import libcst as cst
import pytest

from mldebt.extract.walk import nodes, walk

SOURCES = [
    "import torch as T\n@dec(x=[1, 2])\nasync def f(a: 'Cfg', *b, c=lambda: (yield)) -> int:\n"
    "    with open(p) as h, g() as (i, j):\n        T.load(h, **{'k': f'{a!r:>{c}}'})\n"
    "    return [x async for x in y if x] or {k: v for k, v in z.items()}\n",
    "class C(Base, metaclass=M):\n    x: int = 3\n    match cmd:\n        case [Point(x=0) as p, *rest] if p:\n"
    "            del x[1:2, ::3]\n        case {'k': 1, **kw}:\n            global g; nonlocal n\n",
    "try:\n    assert a == b, 'msg'\nexcept* (E, F) as e:\n    raise X from e\nelse:\n    while not a:\n"
    "        a @= b if c else d\n",
]


def _entering_everything(module: cst.Module, names: set[str]) -> list[tuple[str, str]]:
    """What the walker met before it learnt to prune: every node entered, fields in
    declaration order (libcst's own `visit` goes in source order, which differs for a few
    nodes: an argument's keyword comes before its value there)."""
    events: list[tuple[str, str]] = []

    def enter(node: cst.CSTNode) -> None:
        name = type(node).__name__
        if name in names:
            events.append(("visit", name))
        for field in dataclasses.fields(node):
            value = getattr(node, field.name)
            for child in value if isinstance(value, (list, tuple)) else [value]:
                if isinstance(child, cst.CSTNode):
                    enter(child)
        if name in names:
            events.append(("leave", name))

    enter(module)
    return events


def _recorder(names: set[str], events: list) -> cst.BatchableCSTVisitor:
    methods = {}
    for name in names:
        methods[f"visit_{name}"] = lambda self, node: events.append(("visit", type(node).__name__))
        methods[f"leave_{name}"] = lambda self, node: events.append(("leave", type(node).__name__))
    return type("Recorder", (cst.BatchableCSTVisitor,), methods)()


@pytest.mark.parametrize("code", SOURCES + [Path(__file__).read_text()])
@pytest.mark.parametrize(
    "names",
    [
        {"Name"},
        {"Call", "SimpleString", "FunctionDef"},
        {"Comma", "Param", "Arg", "MatchAs", "Decorator"},
        {"Integer", "FormattedStringExpression", "Lambda", "ExceptStarHandler", "Del"},
    ],
)
def test_walk_meets_what_entering_every_node_meets(code, names):
    module = cst.parse_module(code)
    expected = _entering_everything(module, names)
    got: list = []
    walk(module, [_recorder(names, got)])
    assert got == expected
    assert len(expected) > 0


def test_nodes_yields_in_walk_order_and_skips_what_it_does_not_enter():
    module = cst.parse_module("def f():\n    '''doc'''\n    g(a, key='x')\n    h(b)\n")
    not_a_docstring = lambda n: not (isinstance(n, cst.Expr) and isinstance(n.value, cst.SimpleString))  # noqa: E731
    found = [
        n.value for n in nodes(module, ("Name", "SimpleString", "Expr"), not_a_docstring)
        if isinstance(n, (cst.Name, cst.SimpleString))
    ]
    assert found == ["f", "g", "a", "'x'", "key", "h", "b"]
