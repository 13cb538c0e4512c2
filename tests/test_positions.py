"""The cheap position computation agrees with libcst's PositionProvider."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from mldebt.extract import positions
from mldebt.extract.positions import spans
from mldebt.extract.walk import walk

SOURCES = [
    "import torch\n\n\n@decorator\n# comment\ndef f(a, b=1):\n    '''doc'''\n    if False:\n        x = torch.load(a,\n            weights_only=False)  # trailing\n    return (yield)\n",
    "class C(Base):\n    x: int = 3\n\n    async def g(self):\n        async with a as b:\n            await b.load(\n                'p'\n            )\n",
    "x = [\n    f(i) for i in range(10)\n]\r\ny = {'a': 1, **z}\r\nwhile True:\r\n    break\r\nelse:\r\n    pass\r\n",
    "try:\n    import yaml\nexcept ImportError:  # py2\n    yaml = None\nfinally:\n    lambda: (1, 2)\n",
]

#: Statement shapes the by-statement path must place: elif chains, suites on a header's line,
#: tab and mixed indentation, comments before clauses and in block footers, `;`, match, a
#: decorator after comments, and no final newline.
STATEMENT_SOURCES = [
    "if a:\n    x = f(1)\n# before elif\nelif b: y = g(2)\nelif c:\n  z = 3\n  # footer\nelse:\n    pass\n\n",
    "class C:\n\tdef f(self):\n\t\tfor i in x: y(i); z = 2\n\t\telse:\n\t\t    w = 'v'\n\n\t# done\n\n@d\n# c\n@e(1)\n"
    "def g(): return [h(i) for i in j]\n",
    "try:\n    a = 1\nexcept* E:\n    b()\nelse:\n    c = {'k': 2}\n\nmatch cmd:\n    case [1, *r]:\n        go(r)\n"
    "    case _:\n        while q: q.pop()\nwith open(p) as h, g() as k: x = h.read()",
    "async def f():\n    async with a as b:\n        async for c in b:\n            await c\n    return (\n        1\n    )",
]


def _all_nodes(module: cst.Module) -> list[cst.CSTNode]:
    nodes: list[cst.CSTNode] = []

    class Collect(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            nodes.append(node)
            return True

    module.visit(Collect())
    return nodes


@pytest.mark.parametrize("code", SOURCES + [Path(__file__).read_text()])
def test_spans_match_position_provider(code):
    module = cst.parse_module(code)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    nodes = [n for n in _all_nodes(module) if isinstance(n, (cst.BaseExpression, cst.BaseStatement, cst.BaseSmallStatement))]
    assert len(nodes) > 10
    got = spans(module, nodes)
    for node in nodes:
        want = expected[node]
        assert (got[node].line, got[node].column, got[node].end_line, got[node].end_column) == (
            want.start.line, want.start.column, want.end.line, want.end.column,
        ), type(node).__name__


def _owners(module: cst.Module, nodes: list[cst.CSTNode]) -> dict:
    """The owners the engine's walk records, with a visitor asking for every node kind given."""
    names = {type(n).__name__ for n in nodes}
    visitor = type("Every", (cst.BatchableCSTVisitor,), {f"visit_{name}": lambda self, node: None for name in names})()
    owners: dict = {}
    walk(module, [visitor], owners)
    return owners


@pytest.mark.parametrize("code", SOURCES + STATEMENT_SOURCES + [Path(__file__).read_text()])
def test_spans_by_statement_match_position_provider(code):
    """Generating only the statements that hold the nodes gives libcst's positions, and does
    not fall back to the whole module on any of these shapes."""
    module = cst.parse_module(code)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    nodes = [n for n in _all_nodes(module) if isinstance(n, (cst.BaseExpression, cst.BaseStatement, cst.BaseSmallStatement))]
    owners = _owners(module, nodes)
    targets = {id(n): n for n in nodes}
    assert positions._by_statement(module, targets, code, owners) is not None
    for chosen in (nodes, nodes[::7], [n for n in nodes if isinstance(n, cst.BaseCompoundStatement)]):
        got = spans(module, chosen, code, owners)
        for node in chosen:
            want = expected[node]
            assert (got[node].line, got[node].column, got[node].end_line, got[node].end_column) == (
                want.start.line, want.start.column, want.end.line, want.end.column,
            ), type(node).__name__


@pytest.mark.parametrize(
    "code",
    [
        "@ \\\n  dec()\ndef f():\n    return g(1)\n",  # the decorator's line is not the `@`'s
        "x = f(1)\ntype T = int\ny = g(2)\n",  # syntax this Python's `ast` may not read
    ],
)
def test_spans_by_statement_fall_back_to_the_whole_module_when_in_doubt(code):
    try:
        module = cst.parse_module(code)
    except cst.ParserSyntaxError:
        pytest.skip("libcst cannot parse it either")
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    nodes = [n for n in _all_nodes(module) if isinstance(n, cst.Call)]
    owners = _owners(module, nodes)
    assert positions._by_statement(module, {id(n): n for n in nodes}, code, owners) is None
    got = spans(module, nodes, code, owners)
    assert [(got[n].line, got[n].column) for n in nodes] == [(expected[n].start.line, expected[n].start.column) for n in nodes]


@pytest.mark.parametrize(
    "code",
    [
        "import os\nx = 1; import sys\nif x:\n    from a import (\n        b,\n    )\n    y = 2; \\\n  import c\n",
        "if True: import d\nclass K:\n    # note\n\n    import e as f; from . import g\n",  # a suite: generated
        SOURCES[0],
        "x = f(1)\ntype T = int\nimport h\n",  # no `ast` on older Pythons: the whole module is generated
    ],
)
def test_first_lines_of_imports_match_position_provider(code):
    """Imports asked only for their first line take it from `ast`, without generating them,
    and agree with libcst's; what is also asked for its span gets that too."""
    try:
        module = cst.parse_module(code)
    except cst.ParserSyntaxError:
        pytest.skip("libcst cannot parse it either")
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    imports = [n for n in _all_nodes(module) if isinstance(n, (cst.Import, cst.ImportFrom))]
    calls = [n for n in _all_nodes(module) if isinstance(n, cst.Call)]
    owners = _owners(module, imports + calls)
    got = spans(module, calls + imports[:1], code, owners, imports)
    assert [got.line(n) for n in imports] == [expected[n].start.line for n in imports]
    for node in calls + imports[:1]:
        assert (got[node].line, got[node].column) == (expected[node].start.line, expected[node].start.column)


def test_first_lines_of_imports_need_no_code_generated():
    code = "import os\n\n\ndef f():\n    from a import b; import c\n    return 1\n"
    module = cst.parse_module(code)
    imports = [n for n in _all_nodes(module) if isinstance(n, (cst.Import, cst.ImportFrom))]
    got = spans(module, [], code, _owners(module, imports), imports)
    assert got.lines == {id(imports[0]): 1, id(imports[1]): 5, id(imports[2]): 5}
    assert dict(got) == {}  # no span generated
