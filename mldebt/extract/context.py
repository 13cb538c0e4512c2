"""What rules share about the file being read: imports, qualified names and literals.

Qualified names come from an import-alias table built once per file (bandit's `Context` idea)
rather than libcst's QualifiedNameProvider, which costs several times the parse (STYLE.md §6):
`import torch as T; T.load` resolves to `torch.load`, `from pickle import load` to `pickle.load`,
and a name nothing imported (`self.model.load`, a local `load`) resolves to nothing.
"""

from __future__ import annotations

import builtins
from ast import literal_eval
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import libcst as cst

_BUILTINS = frozenset(dir(builtins))


class _Unknown:
    """The value of an expression that is not a literal: rules give it the benefit of the doubt."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()


def dotted_name(node: cst.BaseExpression) -> str | None:
    """`a.b.c` for a Name/Attribute chain, else None. (Exact classes, not `isinstance`: libcst's
    nodes are ABCs, whose failed `isinstance` goes through `ABCMeta.__instancecheck__`, and
    this runs for every call and name of a file; neither class has subclasses.)"""
    parts: list[str] = []
    while node.__class__ is cst.Attribute:
        parts.append(node.attr.value)
        node = node.value
    if node.__class__ is not cst.Name:
        return None
    parts.append(node.value)
    return ".".join(reversed(parts))


def _module_name(node: cst.BaseExpression | None, dots: int) -> str:
    name = dotted_name(node) if node is not None else ""
    return "." * dots + (name or "")


def _import_bindings(node: cst.Import | cst.ImportFrom) -> Iterable[tuple[str, str]]:
    """(local name, qualified name) pairs an import statement binds."""
    if isinstance(node, cst.Import):
        for alias in node.names:
            full = dotted_name(alias.name) or ""
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                yield alias.asname.name.value, full
            else:
                head = full.split(".", 1)[0]
                yield head, head
        return
    if isinstance(node.names, cst.ImportStar):
        return
    module = _module_name(node.module, len(node.relative))
    for alias in node.names:
        name = dotted_name(alias.name) or ""
        local = name
        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
            local = alias.asname.name.value
        yield local, f"{module}.{name}" if module and not module.endswith(".") else module + name


def _top_level_statements(body: Iterable[cst.CSTNode]) -> Iterable[cst.CSTNode]:
    """Statements that run at import time: module body and nested blocks, not def/class bodies."""
    for statement in body:
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            yield statement
            continue
        yield statement
        if isinstance(statement, cst.SimpleStatementLine):
            continue
        for child in statement.children:
            if isinstance(child, cst.BaseSuite):
                yield from _top_level_statements(child.body)
            elif isinstance(child, (cst.Else, cst.Finally, cst.ExceptHandler, cst.If)):
                yield from _top_level_statements([child])


def _module_strings(module: cst.Module) -> dict[str, str]:
    """Module-level names assigned a string literal once, and nothing else, at import time."""
    values: dict[str, list[Any]] = {}
    for statement in _top_level_statements(module.body):
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            values.setdefault(statement.name.value, []).append(UNKNOWN)
            continue
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Assign):
                single = len(small.targets) == 1
                for target in small.targets:
                    if isinstance(target.target, cst.Name):
                        value = literal_value(small.value) if single else UNKNOWN
                        values.setdefault(target.target.value, []).append(value)
            elif isinstance(small, (cst.AugAssign, cst.AnnAssign)) and isinstance(small.target, cst.Name):
                values.setdefault(small.target.value, []).append(UNKNOWN)
    return {name: v[0] for name, v in values.items() if len(v) == 1 and isinstance(v[0], str)}


class Collector(cst.BatchableCSTVisitor):
    """A fact collector: it visits in the walk, then `located()` and `located_lines()` say which
    nodes it needs the span, or only the first line, of (`mldebt.extract.positions`), and
    `fill(facts, where, module)` records its facts with `where[node]` and `where.line(node)`."""

    def located(self) -> list[cst.CSTNode]:
        return []

    def located_lines(self) -> list[cst.CSTNode]:
        """Nodes of which only the first line is used: an import's costs no code generated."""
        return []


class FileContext:
    """Per-file state shared by the rules of one batched traversal (read-only to rules)."""

    def __init__(
        self, path: str, kind: str, module: cst.Module, lines: list[str] | None = None, cell_map: dict | None = None
    ) -> None:
        self.path = path
        self.kind = kind
        self.module = module
        #: The source lines (a notebook's virtual module), for rules that read comments.
        self.lines = lines if lines is not None else []
        self._cell_map = cell_map or {}
        self.imports: dict[str, str] = {}
        #: id(node) -> (node, its qualified name): a CSTNode's own `__hash__` is a Python-level
        #: call, and several rules ask about every call of the file. The node is kept so that
        #: its id is not reused while the memo lives.
        self._qualnames: dict[int, tuple[cst.CSTNode, str | None]] = {}
        #: Names a module-level def or class binds: a local `load` is not `pickle.load`.
        self._shadowed: set[str] = set()
        self._module_strings: dict[str, str] | None = None
        #: Analyses of the whole module that several rules or collectors ask for after the
        #: walk, made once, keyed by their class (`mldebt.extract.own_files.own_files`).
        self.shared: dict[type, Any] = {}
        for statement in _top_level_statements(module.body):
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    if isinstance(small, (cst.Import, cst.ImportFrom)):
                        self.add_import(small)
            elif isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
                self._shadowed.add(statement.name.value)
                self.imports.pop(statement.name.value, None)

    def close(self) -> None:
        """Let go of the tree once the file is done. Analyses in `shared` refer back to this
        context, and some rules to their helpers and back: without this, such a cycle keeps
        the whole tree until the cycle collector walks it (5 % of a file's time, measured on
        pytorch-lightning) instead of its being freed by reference counts."""
        self.module = None
        self.shared.clear()
        self._qualnames.clear()

    def constant_string(self, node: cst.BaseExpression | None) -> Any:
        """A literal, or the string a module-level name is assigned exactly once at import time
        (`MODEL_ID = "org/model"`), else `UNKNOWN`."""
        if isinstance(node, cst.Name) and node.value not in ("True", "False", "None"):
            if self._module_strings is None:
                self._module_strings = _module_strings(self.module)
            return self._module_strings.get(node.value, UNKNOWN)
        return literal_value(node)

    def cell_line(self, line: int) -> tuple[int | None, int]:
        """(cell, line in that cell) of a notebook's virtual line; (None, line) elsewhere."""
        origin = self._cell_map.get(line)
        return (origin.cell, origin.line) if origin else (None, line)

    def location(self, line: int) -> str:
        """`path:line` as a user reads it: `nb.ipynb[cell 3]:2` for a notebook's virtual line."""
        cell, line = self.cell_line(line)
        return f"{self.path}[cell {cell}]:{line}" if cell is not None else f"{self.path}:{line}"

    def add_import(self, node: cst.Import | cst.ImportFrom) -> None:
        for local, qualified in _import_bindings(node):
            if local not in self._shadowed and local not in self.imports:
                self.imports[local] = qualified
                # A name the memo resolved to nothing may resolve now: a pass made before the
                # walk met this (nested) import must not fix the answers the walk gets.
                self._qualnames.clear()

    def qualname(self, node: cst.BaseExpression) -> str | None:
        """The qualified name of a Name/Attribute chain whose head was imported (or a builtin),
        by the imports met so far.

        Memoised per node (several rules ask about the same call in one traversal) until an
        import binds a new name.
        """
        memo = self._qualnames.get(id(node))
        if memo is None:
            memo = self._qualnames[id(node)] = (node, self._resolve(node))
        return memo[1]

    def _resolve(self, node: cst.BaseExpression) -> str | None:
        dotted = dotted_name(node)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        qualified = self.imports.get(head)
        if qualified is None:
            return dotted if head in _BUILTINS and not rest else None
        return f"{qualified}.{rest}" if rest else qualified


#: Literals up to this long are evaluated once per worker and text: a file's strings are asked
#: about by several rules and collectors, and libcst's `evaluated_value` runs `ast.literal_eval`
#: (a compile) on every call; repeated texts (`"cpu"`, `"train"`) are common across files too.
_MEMO_CHARS = 200


@lru_cache(maxsize=8192)
def _literal(text: str) -> Any:
    return literal_eval(text)


def evaluated(node: cst.SimpleString | cst.ConcatenatedString | cst.BaseNumber) -> Any:
    """`node.evaluated_value`, short literals evaluated once per text (the value is immutable)."""
    if node.__class__ is cst.ConcatenatedString:
        return node.evaluated_value
    text = node.value
    return _literal(text) if len(text) <= _MEMO_CHARS else literal_eval(text)


_NUMBERS = frozenset({cst.Integer, cst.Float, cst.Imaginary})
_STRINGS = frozenset({cst.SimpleString, cst.ConcatenatedString})
_SIGNS = frozenset({cst.Minus, cst.Plus})
_CONSTANTS = {"True": True, "False": False, "None": None}


def literal_value(node: cst.BaseExpression | None) -> Any:
    """The Python value of a literal expression (numbers, strings, True/False/None, tuples,
    lists, unary minus), `UNKNOWN` for anything computed at run time."""
    node_type = node.__class__  # exact classes: see `dotted_name`
    if node_type in _NUMBERS:
        return evaluated(node)
    if node_type in _STRINGS:
        value = evaluated(node)
        return value if value is not None else UNKNOWN
    if node_type is cst.Name:
        return _CONSTANTS.get(node.value, UNKNOWN)
    if node_type is cst.UnaryOperation and node.operator.__class__ in _SIGNS:
        inner = literal_value(node.expression)
        if isinstance(inner, (int, float, complex)) and not isinstance(inner, bool):
            return -inner if node.operator.__class__ is cst.Minus else inner
        return UNKNOWN
    if node_type is cst.Tuple or node_type is cst.List:
        values = [literal_value(e.value) for e in node.elements if e.__class__ is cst.Element]
        if len(values) != len(node.elements) or any(v is UNKNOWN for v in values):
            return UNKNOWN
        return tuple(values) if node_type is cst.Tuple else values
    return UNKNOWN


#: What `call_argument` returns when a `*args`/`**kwargs` may or may not carry the argument.
MAYBE_PASSED: Any = type("MaybePassed", (), {"__repr__": lambda self: "MAYBE_PASSED"})()


def call_argument(call: cst.Call, keyword: str | None, position: int | None = None) -> Any:
    """The expression passed for a parameter, None when it is certainly absent, or
    `MAYBE_PASSED` when star-arguments could carry it."""
    starred = False
    index = 0
    for arg in call.args:
        if arg.star:
            starred = True
            continue
        if arg.keyword is None:
            if position is not None and index == position:
                return arg.value
            index += 1
        elif keyword is not None and arg.keyword.value == keyword:
            return arg.value
    return MAYBE_PASSED if starred else None
