"""Positions of a few reported nodes, without libcst's `PositionProvider` and, mostly, without
generating the code of the whole module.

libcst's PositionProvider computes a line and column for every node of the module, splitting
every token with a regex; measured on 150 diffusers modules it costs 1.8x the parse itself.
A rule reports a handful of nodes, so this module runs code generation, noting only the token
index at which each *reported* node starts and ends, then turns those indices into lines and
columns. The ranges are the same as PositionProvider's (syntactic where the node records one,
whitespace-inclusive otherwise); a test checks that on every node kind rules report.

Generating the whole module still cost 0.28x the parse (on pytorch-lightning), for nodes that
sit in a few statements. So when the walk said which statement holds each node (`walk`'s
owners), only those statements are generated, each alone at its indentation, and CPython's
own parser (`ast`, a few times faster than libcst's) says on which line each statement starts.
Each generated statement is checked against the source text at that line; any doubt (a
statement the two parsers split differently, a node the walk did not meet, a text that does
not match) falls back to generating the whole module, so the answer is always the same.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator, Sequence
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


class Positions(dict):
    """node -> its `Span`; and `line(node)`, also for the nodes of which only the first line
    was asked (`spans(lines=...)`)."""

    def __init__(self, found: dict | None = None, lines: dict[int, int] | None = None) -> None:
        super().__init__(found or {})
        #: id(node) -> first line, for `lines` nodes placed from `ast` without generating code
        self.lines = lines or {}

    def line(self, node: cst.CSTNode) -> int:
        first = self.lines.get(id(node))
        return first if first is not None else self[node].line


#: Statements that begin with their keyword: `ast` and libcst agree on the line they start on,
#: so an import's line needs no code generated (a `;` before it included).
_KEYWORD_STATEMENTS = (cst.Import, cst.ImportFrom)


class _Enough(Exception):
    """Every target of a statement has its tokens: the rest of it need not be generated."""


@dataclass(frozen=False)
class _TargetState(CodegenState):
    """Keyed by `id(node)`: these hooks run for every node of the module, and a CSTNode's own
    `__hash__` is a Python-level call (measured: 28 % of the position pass)."""

    targets: set[int] = field(default_factory=set)
    #: id(node) -> (start token index, end token index)
    found: dict[int, tuple[int, int]] = field(default_factory=dict)
    _starts: dict[int, int] = field(default_factory=dict)
    #: Targets (also in `targets`) of which only the syntactic start is wanted: it goes to
    #: `opened`, and their code need not be generated further.
    openings: set[int] = field(default_factory=set)
    opened: dict[int, int] = field(default_factory=dict)
    #: The targets and openings still to find before generating can stop (`_Enough`); None:
    #: never stop.
    pending: set[int] | None = None

    def _done(self, key: int) -> None:
        if self.pending is not None:
            self.pending.discard(key)
            if not self.pending:
                raise _Enough

    def before_codegen(self, node: cst.CSTNode) -> None:
        if id(node) in self.targets:
            self._starts[id(node)] = len(self.tokens)

    def after_codegen(self, node: cst.CSTNode) -> None:
        key = id(node)
        if key in self.targets:
            if key not in self.found:
                self.found[key] = (self._starts[key], len(self.tokens))
            self._done(key)

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
        if id(node) in self.openings:
            self.opened[id(node)] = start
            self._done(id(node))
        yield
        end = len(self.tokens)
        if start_node is not None:
            start = self.found[id(start_node)][0]
        if end_node is not None:
            end = self.found[id(end_node)][1]
        self.found[id(node)] = (start, end)


def spans(
    module: cst.Module,
    nodes: Iterable[cst.CSTNode],
    text: str | None = None,
    owners: dict[int, cst.CSTNode | None] | None = None,
    lines: Iterable[cst.CSTNode] = (),
) -> Positions:
    """The span of each of `nodes` (all nodes of `module`), and the first line of each of
    `lines`; with the module's `text` and the walk's `owners`, by generating only the
    statements that hold them, and none for an import of `lines` (its line is `ast`'s)."""
    targets = {id(node): node for node in nodes}
    if text is not None and owners is not None:
        found = _by_statement(module, targets, text, owners, {id(node): node for node in lines})
        if found is not None:
            return found
    targets.update((id(node), node) for node in lines)
    state = _TargetState(
        default_indent=module.default_indent, default_newline=module.default_newline, targets=set(targets)
    )
    module._codegen(state)
    where = _lines_and_columns(state.tokens, {i for key in targets for i in state.found[key]}, 1)
    return Positions({node: Span(*where[state.found[key][0]], *where[state.found[key][1]]) for key, node in targets.items()})


def _lines_and_columns(tokens: list[str], indices: Iterable[int], first_line: int) -> dict[int, tuple[int, int]]:
    """(line, column) at each token index of `tokens`, generated from column 0 of `first_line`."""
    where: dict[int, tuple[int, int]] = {}
    line, column, cursor = first_line, 0, 0
    for index in sorted(indices):
        chunk = "".join(tokens[cursor:index])
        pieces = _NEWLINE.split(chunk)
        if len(pieces) == 1:
            column += len(chunk)
        else:
            line += len(pieces) - 1
            column = len(pieces[-1])
        where[index] = (line, column)
        cursor = index
    return where


#: Where a statement starts: (the statement, its first line, the indentation tokens of the
#: blocks around it, whether it is an `elif`).
_Start = tuple[cst.CSTNode, int, tuple[str, ...], bool]


def _by_statement(
    module: cst.Module, targets: dict[int, cst.CSTNode], text: str, owners: dict[int, cst.CSTNode | None],
    lines: dict[int, cst.CSTNode] | None = None,
) -> Positions | None:
    """`spans` from the statements that hold the targets, or None where that is in doubt.

    A compound statement's span runs from its keyword to the end of the last statement of its
    last block: it is taken from its header and from that last statement, not from generating
    all of it (facts locate whole `if`s and loops of a function body)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    starts: dict[int, _Start] = {}
    small_lines: dict[int, int] = {}
    if not _pair(module.body, tree.body, (), module.default_indent, starts, small_lines):
        return None
    lines = lines or {}
    first_lines = {
        key: small_lines[key] for key, node in lines.items() if key in small_lines and isinstance(node, _KEYWORD_STATEMENTS)
    }
    targets = {**targets, **{key: node for key, node in lines.items() if key not in first_lines}}
    # statement id -> (ids of the targets in it, ids of the compound statements whose start is wanted)
    units: dict[int, tuple[list[int], list[int]]] = {}
    #: compound target -> the node whose end is its end
    ends: dict[int, int] = {}
    for key, node in targets.items():
        owner = owners.get(key)
        if owner is None:
            return None
        if owner is node and not isinstance(node, cst.SimpleStatementLine):
            last = _last_statement(node)
            if last is None:
                return None
            units.setdefault(key, ([], []))[1].append(key)
            units.setdefault(id(last[0]), ([], []))[0].append(id(last[1]))
            ends[key] = id(last[1])
        else:
            units.setdefault(id(owner), ([], []))[0].append(key)
    line_offsets = [0] + [match.end() for match in _NEWLINE.finditer(text)]
    # id(node) -> (line, column) of its start and of its end
    first: dict[int, tuple[int, int]] = {}
    after: dict[int, tuple[int, int]] = {}
    for unit, (keys, openings) in units.items():
        start = starts.get(unit)
        if start is None or not 0 < start[1] <= len(line_offsets):
            return None
        statement, first_line, indents, is_elif = start
        state = _TargetState(
            default_indent=module.default_indent, default_newline=module.default_newline,
            targets={*keys, *openings}, openings=set(openings), indent_tokens=list(indents), pending={*keys, *openings},
        )
        try:
            statement._codegen(state, is_elif=True) if is_elif else statement._codegen(state)
        except _Enough:
            pass
        if state.pending or not _matches(text, line_offsets[first_line - 1], state.tokens):
            return None
        indices = {i for key in keys for i in state.found[key]} | set(state.opened.values())
        where = _lines_and_columns(state.tokens, indices, first_line)
        for key in keys:
            first[key], after[key] = where[state.found[key][0]], where[state.found[key][1]]
        for key in openings:
            first[key] = where[state.opened[key]]
    return Positions({node: Span(*first[key], *after[ends.get(key, key)]) for key, node in targets.items()}, first_lines)


def _last_statement(compound: cst.CSTNode) -> tuple[cst.CSTNode, cst.CSTNode] | None:
    """(the statement to generate, the node in it) whose end ends `compound`'s span: libcst
    ends each compound statement's syntactic range at its last clause, each clause at its
    block, each block at its last statement; a simple statement line, or a suite on a header's
    line, ends the chain."""
    statement = node = compound
    while True:
        if isinstance(node, cst.SimpleStatementLine):
            return node, node
        if isinstance(node, cst.SimpleStatementSuite):
            return statement, node
        if isinstance(node, cst.BaseCompoundStatement):
            statement = node
        if isinstance(node, (cst.If, cst.For, cst.While)):
            node = node.body if node.orelse is None else node.orelse
        elif isinstance(node, (cst.Try, cst.TryStar)):
            node = node.finalbody or node.orelse or (node.handlers[-1] if node.handlers else node.body)
        elif isinstance(node, cst.Match):
            node = node.cases[-1]
        elif isinstance(node, cst.IndentedBlock) and node.body:
            node = node.body[-1]
        elif isinstance(
            node, (cst.Else, cst.Finally, cst.ExceptHandler, cst.ExceptStarHandler, cst.MatchCase, cst.FunctionDef,
                   cst.ClassDef, cst.With),
        ):
            node = node.body
        else:
            return None


def _matches(text: str, offset: int, tokens: list[str]) -> bool:
    """Whether the generated `tokens` are the source at `offset` (the last statement of a
    module without a final newline generates one the module's code drops)."""
    generated = "".join(tokens)
    if text.startswith(generated, offset):
        return True
    if not tokens or _NEWLINE.fullmatch(tokens[-1]) is None:
        return False
    kept = generated[: -len(tokens[-1])]
    return offset + len(kept) == len(text) and text.endswith(kept)


#: The ast statements each compound libcst statement parses as.
_AST_TYPES: dict[type, tuple[type, ...]] = {
    cst.FunctionDef: (ast.FunctionDef, ast.AsyncFunctionDef), cst.ClassDef: (ast.ClassDef,), cst.If: (ast.If,),
    cst.For: (ast.For, ast.AsyncFor), cst.While: (ast.While,), cst.With: (ast.With, ast.AsyncWith),
    cst.Try: (ast.Try,), cst.TryStar: (ast.TryStar,), cst.Match: (ast.Match,),
}


def _pair(
    body: Sequence[cst.BaseStatement], ast_body: list[ast.stmt], indents: tuple[str, ...], default_indent: str,
    starts: dict[int, _Start], small_lines: dict[int, int],
) -> bool:
    """Record where each statement of a block starts, from the ast statements of the same
    block, and in `small_lines` the line of each statement of a simple statement line; False
    when the two do not line up one to one (a simple statement line holds as many ast
    statements as it has statements separated by `;`)."""
    index = 0
    for statement in body:
        if isinstance(statement, cst.SimpleStatementLine):
            count = len(statement.body)
            if count == 0 or index + count > len(ast_body):
                return False
            starts[id(statement)] = (statement, ast_body[index].lineno - len(statement.leading_lines), indents, False)
            for small, ast_small in zip(statement.body, ast_body[index:index + count]):
                small_lines[id(small)] = ast_small.lineno
            index += count
        elif index >= len(ast_body) or not _pair_compound(
            statement, ast_body[index], indents, default_indent, starts, small_lines, False
        ):
            return False
        else:
            index += 1
    return index == len(ast_body)


def _pair_compound(
    statement: cst.BaseStatement, node: ast.stmt, indents: tuple[str, ...], default_indent: str,
    starts: dict[int, _Start], small_lines: dict[int, int], is_elif: bool,
) -> bool:
    if not isinstance(node, _AST_TYPES.get(type(statement), ())):
        return False
    first_line, leading = node.lineno, len(statement.leading_lines)
    decorators = getattr(statement, "decorators", ())
    if decorators:  # the statement's code starts at its first decorator
        first_line = node.decorator_list[0].lineno
        leading += len(decorators[0].leading_lines)
    starts[id(statement)] = (statement, first_line - leading, indents, is_elif)
    inner = indents
    if isinstance(statement, cst.Match):  # its cases are indented, then their blocks
        inner = (*indents, default_indent if statement.indent is None else statement.indent)
    for block, ast_block in _blocks(statement, node):
        if isinstance(block, cst.If):  # an `elif`: at the `if`'s indentation
            if len(ast_block) != 1 or not _pair_compound(
                block, ast_block[0], indents, default_indent, starts, small_lines, True
            ):
                return False
        elif isinstance(block, cst.IndentedBlock):
            indent = default_indent if block.indent is None else block.indent
            if not _pair(block.body, ast_block, (*inner, indent), default_indent, starts, small_lines):
                return False
        elif block is None and ast_block:
            return False
        # a suite on the header's line (`if x: y = 1`) is generated with its statement
    return True


def _blocks(statement: cst.BaseStatement, node: ast.stmt) -> list[tuple[cst.CSTNode | None, list]]:
    """The blocks of a compound statement, each with the ast statements it holds, in order."""
    if isinstance(statement, cst.Match):
        if len(statement.cases) != len(node.cases):
            return [(None, [None])]  # never lines up
        return [(c.body, a.body) for c, a in zip(statement.cases, node.cases)]
    blocks: list[tuple[cst.CSTNode | None, list]] = [(statement.body, node.body)]
    if isinstance(statement, (cst.Try, cst.TryStar)):
        if len(statement.handlers) != len(node.handlers):
            return [(None, [None])]  # never lines up
        blocks += [(h.body, a.body) for h, a in zip(statement.handlers, node.handlers)]
        blocks.append((statement.orelse.body if statement.orelse else None, node.orelse))
        blocks.append((statement.finalbody.body if statement.finalbody else None, node.finalbody))
    elif isinstance(statement, (cst.If, cst.For, cst.While)):
        orelse = statement.orelse
        blocks.append((orelse if isinstance(orelse, cst.If) else orelse.body if orelse else None, node.orelse))
    return blocks
