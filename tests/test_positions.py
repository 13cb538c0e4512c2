"""The cheap position computation agrees with libcst's PositionProvider."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from mldebt.extract.positions import spans

SOURCES = [
    "import torch\n\n\n@decorator\n# comment\ndef f(a, b=1):\n    '''doc'''\n    if False:\n        x = torch.load(a,\n            weights_only=False)  # trailing\n    return (yield)\n",
    "class C(Base):\n    x: int = 3\n\n    async def g(self):\n        async with a as b:\n            await b.load(\n                'p'\n            )\n",
    "x = [\n    f(i) for i in range(10)\n]\r\ny = {'a': 1, **z}\r\nwhile True:\r\n    break\r\nelse:\r\n    pass\r\n",
    "try:\n    import yaml\nexcept ImportError:  # py2\n    yaml = None\nfinally:\n    lambda: (1, 2)\n",
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
