"""Positions of a few reported nodes, at about a tenth of the cost of `PositionProvider`.

libcst's PositionProvider computes a line and column for every node of the module, splitting
every token with a regex; measured on 150 diffusers modules it costs 1.8x the parse itself.
A rule reports a handful of nodes, so this module runs plain code generation once and only
notes the token index at which each *reported* node starts and ends, then turns those indices
into lines and columns in one pass over the generated text. The ranges are the same as
PositionProvider's (syntactic where the node records one, whitespace-inclusive otherwise);
a test checks that on every node kind rules report.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field

import libcst as cst
from libcst._nodes.internal import CodegenState

_NEWLINE = re.compile(r"\r\n?|\n")
_NOTHING = nullcontext()


@dataclass(frozen=True)
class Span:
    """1-based lines, 0-based columns, end exclusive (libcst's convention)."""

    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=False)
class _TargetState(CodegenState):
    """Keyed by `id(node)`: these hooks run for every node of the module, and a CSTNode's own
    `__hash__` is a Python-level call (measured: 28 % of the position pass)."""

    targets: set[int] = field(default_factory=set)
    #: id(node) -> (start token index, end token index)
    found: dict[int, tuple[int, int]] = field(default_factory=dict)
    _starts: dict[int, int] = field(default_factory=dict)

    def before_codegen(self, node: cst.CSTNode) -> None:
        if id(node) in self.targets:
            self._starts[id(node)] = len(self.tokens)

    def after_codegen(self, node: cst.CSTNode) -> None:
        key = id(node)
        if key in self.targets and key not in self.found:
            self.found[key] = (self._starts[key], len(self.tokens))

    def record_syntactic_position(
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> AbstractContextManager[None]:
        """libcst enters this for most nodes of the module; for the few that are not targets
        it costs one shared no-op context manager rather than a generator each (measured: a
        fifth of the position pass)."""
        if id(node) not in self.targets:
            return _NOTHING
        return self._record(node, start_node, end_node)

    @contextmanager
    def _record(self, node: cst.CSTNode, start_node: cst.CSTNode | None, end_node: cst.CSTNode | None) -> Iterator[None]:
        # The hoisted children are generated inside this block: track them too.
        self.targets.update(id(n) for n in (start_node, end_node) if n is not None)
        start = len(self.tokens)
        yield
        end = len(self.tokens)
        if start_node is not None:
            start = self.found[id(start_node)][0]
        if end_node is not None:
            end = self.found[id(end_node)][1]
        self.found[id(node)] = (start, end)


def spans(module: cst.Module, nodes: Iterable[cst.CSTNode]) -> dict[cst.CSTNode, Span]:
    """The span of each of `nodes` (all nodes of `module`)."""
    targets = {id(node): node for node in nodes}
    state = _TargetState(
        default_indent=module.default_indent, default_newline=module.default_newline, targets=set(targets)
    )
    module._codegen(state)
    indices = sorted({i for key in targets for i in state.found[key]})
    where: dict[int, tuple[int, int]] = {}
    line, column, cursor = 1, 0, 0
    for index in indices:
        chunk = "".join(state.tokens[cursor:index])
        pieces = _NEWLINE.split(chunk)
        if len(pieces) == 1:
            column += len(chunk)
        else:
            line += len(pieces) - 1
            column = len(pieces[-1])
        where[index] = (line, column)
        cursor = index
    result = {}
    for key, node in targets.items():
        start, end = state.found[key]
        result[node] = Span(*where[start], *where[end])
    return result
