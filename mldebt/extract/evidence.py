"""ML Test Score evidence from Python code: the imports of each file, and the code the detectors
of `rules/knowledge/ml_test_score.yaml` look for (calls, distinctive methods, base classes, test
names, data assertions, quality gates), collected in the same traversal as every rule."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

import libcst as cst

from mldebt.discover import is_test_path
from mldebt.extract.context import Collector, FileContext, call_argument, dotted_name, literal_value
from mldebt.extract.facts import EvidenceSite, Facts, ImportSite
from mldebt.knowledge import detectors, load_table

_ORDERINGS = (cst.LessThan, cst.LessThanEqual, cst.GreaterThan, cst.GreaterThanEqual)
#: A metric compared with one of these is checkpoint selection (`val_acc > best_acc`), not a gate.
_RUNNING_BEST = re.compile(r"(?i)(^|_)(best|prev|previous|last|old|lowest|highest|running)(_|$)|^best|min_loss|max_acc")


def _label(node: cst.BaseExpression) -> str | None:
    """The name an expression reads a value under: `auc`, `self.auc`, `m["f1"]`, `f1_score(...)`."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    if isinstance(node, cst.Subscript):
        key = literal_value(node.slice[0].slice.value) if isinstance(node.slice[0].slice, cst.Index) else None
        return key if isinstance(key, str) else _label(node.value)
    if isinstance(node, cst.Call):
        return _label(node.func)
    return None


def _comparisons(node: cst.CSTNode, depth: int = 0) -> Iterator[cst.Comparison]:
    """The comparisons in a condition (through `not`, `and`, `or`), without a full traversal."""
    if depth > 20:
        return
    if isinstance(node, cst.Comparison):
        yield node
    elif isinstance(node, cst.UnaryOperation):
        yield from _comparisons(node.expression, depth + 1)
    elif isinstance(node, cst.BooleanOperation):
        yield from _comparisons(node.left, depth + 1)
        yield from _comparisons(node.right, depth + 1)


_EXITS = frozenset({"sys.exit", "exit", "quit", "os._exit"})


def _stops(body: cst.BaseSuite) -> bool:
    """Whether a block ends the run or the function: `raise`, `return`, `sys.exit(...)`."""
    statements = body.body if isinstance(body, cst.IndentedBlock) else [body]
    for statement in statements:
        small = statement.body if isinstance(statement, (cst.SimpleStatementLine, cst.SimpleStatementSuite)) else []
        for item in small:
            if isinstance(item, (cst.Raise, cst.Return)):
                return True
            if isinstance(item, cst.Expr) and isinstance(item.value, cst.Call):
                func = item.value.func
                if dotted_name(func) in _EXITS:
                    return True
    return False


@cache
def _call_screen() -> tuple[frozenset[str], frozenset[str], tuple[str, ...]]:
    """The methods, exact call names and call-name prefixes of every detector: most calls of a
    file match none, and are then let go without asking each detector."""
    found = detectors().values()
    calls = [p for d in found for p in d.calls]
    return (
        frozenset(m for d in found for m in d.methods),
        frozenset(p.call for p in calls if not p.prefix),
        tuple(p.call for p in calls if p.prefix),
    )


class EvidenceCollector(Collector):
    """Imports, and the code the ML Test Score detectors look for (`rules/knowledge/ml_test_score.yaml`):
    calls, distinctive methods, base classes, test names, data assertions and quality gates."""

    def __init__(self, ctx: FileContext) -> None:
        super().__init__()
        self.ctx = ctx
        self._detectors = list(detectors().values())
        gate = load_table("ml_test_score")["quality_gate"]
        self._gate_metric, self._gate_threshold = re.compile(gate["metric"]), re.compile(gate["threshold"])
        self._gate_calls, self._gate_methods = frozenset(gate["calls"]), frozenset(gate["methods"])
        self._gate_detectors = [d.name for d in self._detectors if d.quality_gate]
        self._in_tests = is_test_path(ctx.path)
        self.imports: list[tuple[str, cst.CSTNode]] = []
        self.sites: list[tuple[str, cst.CSTNode]] = []
        #: Per enclosing function (the module first): (guards that stop the run when a metric
        #: misses its threshold, the save/register/push calls after them).
        self._scopes: list[tuple[list[cst.CSTNode], list[cst.CSTNode]]] = [([], [])]
        #: Per enclosing `if`: its metric-versus-threshold comparison, or None.
        self._gates: list[cst.Comparison | None] = []
        self._assert: cst.Assert | None = None

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            self.imports.append((dotted_name(alias.name) or "", node))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        module = "." * len(node.relative) + (dotted_name(node.module) or "" if node.module else "")
        if module.strip("."):
            self.imports.append((module, node))
        if not isinstance(node.names, cst.ImportStar):
            for alias in node.names:
                joiner = "" if module.endswith(".") or not module else "."
                self.imports.append((f"{module}{joiner}{dotted_name(alias.name) or ''}", node))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._scopes.append(([], []))
        if self._in_tests and node.name.value.startswith("test"):
            for d in self._detectors:
                if d.test_functions is not None and d.test_functions.search(node.name.value):
                    self.sites.append((d.name, node))

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._close_scope(self._scopes.pop())

    def _close_scope(self, scope: tuple[list[cst.CSTNode], list[cst.CSTNode]]) -> None:
        comparisons, actions = scope
        if comparisons and actions:
            self.sites += [(name, (comparisons[0], actions)) for name in self._gate_detectors]  # type: ignore[misc]

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        bases = [self.ctx.qualname(b.value) for b in node.bases]
        for d in self._detectors:
            for base, name in d.bases:
                if base in bases and (name is None or name.search(node.name.value)):
                    self.sites.append((d.name, node))
                    break

    def visit_Assert(self, node: cst.Assert) -> None:
        self._assert = node
        comparison = self._gate_comparison(node.test)
        if comparison is not None:
            self._scopes[-1][0].append(comparison)

    def leave_Assert(self, node: cst.Assert) -> None:
        self._assert = None

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if self._assert is not None and self.ctx.qualname(node.value) is None:  # `df.isna()`, not `pd.isna`
            for d in self._detectors:
                if node.attr.value in d.assert_methods:
                    self.sites.append((d.name, self._assert))
                    self._assert = None  # one piece of evidence per assertion
                    return

    def visit_If(self, node: cst.If) -> None:
        comparison = self._gate_comparison(node.test)
        self._gates.append(comparison)
        if comparison is not None and _stops(node.body):
            self._scopes[-1][0].append(comparison)  # `if auc < 0.8: raise ...`, then register

    def leave_If(self, node: cst.If) -> None:
        self._gates.pop()

    def _gate_comparison(self, test: cst.BaseExpression) -> cst.Comparison | None:
        """The comparison of a metric with a threshold (a literal or a threshold name) in a condition."""
        for comparison in _comparisons(test):
            left = comparison.left
            for target in comparison.comparisons:
                if isinstance(target.operator, _ORDERINGS) and self._is_gate(left, target.comparator):
                    return comparison
                left = target.comparator
        return None

    def _is_gate(self, a: cst.BaseExpression, b: cst.BaseExpression) -> bool:
        for metric, bound in ((a, b), (b, a)):
            label = _label(metric)
            if label is None or not self._gate_metric.search(label) or _RUNNING_BEST.search(label):
                continue
            value = literal_value(bound)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return True
            bound_label = _label(bound)
            if bound_label and self._gate_threshold.search(bound_label) and not _RUNNING_BEST.search(bound_label):
                return True
        return False

    def visit_Call(self, node: cst.Call) -> None:
        name = self.ctx.qualname(node.func)
        method = node.func.attr.value if isinstance(node.func, cst.Attribute) else None
        if name in self._gate_calls or (method in self._gate_methods and name is None):
            self._scopes[-1][1].append(node)
            gate = next((g for g in reversed(self._gates) if g is not None), None)
            if gate is not None:  # `if f1 >= threshold: model.push_to_hub(...)`
                self.sites += [(detector, gate) for detector in self._gate_detectors]
        methods, exact, prefixes = _call_screen()
        if method not in methods and not (name and (name in exact or name.startswith(prefixes))):
            return
        for d in self._detectors:
            if method in d.methods or (name and any(p.matches(name) and self._arguments_match(p, node) for p in d.calls)):
                self.sites.append((d.name, node))

    def _arguments_match(self, pattern, node: cst.Call) -> bool:
        if pattern.keyword is not None:
            value = call_argument(node, pattern.keyword)
            return isinstance(value, cst.BaseExpression) and literal_value(value) == pattern.value
        if pattern.argument is not None:
            first = next((a.value for a in node.args if a.keyword is None and not a.star), None)
            return first is not None and bool(pattern.argument.search(cst.Module([]).code_for_node(first)))
        return True

    def leave_Module(self, node: cst.Module) -> None:
        self._close_scope(self._scopes.pop())

    def located_lines(self) -> list[cst.CSTNode]:
        return [n for _, n in self.imports]

    def located(self) -> list[cst.CSTNode]:
        nodes = []
        for _, site in self.sites:
            nodes += [site[0], *site[1]] if isinstance(site, tuple) else [site]
        return nodes

    def fill(self, facts: Facts, where: dict, module: cst.Module) -> None:
        facts.imports = sorted({ImportSite(name, where.line(n)) for name, n in self.imports}, key=lambda s: (s.line, s.module))
        found = set()
        for name, site in self.sites:
            if isinstance(site, tuple):  # a gate: the comparison must come before the action it guards
                comparison, actions = site
                if not any(where[comparison].line <= where[a].line for a in actions):
                    continue
                site = comparison
            cell, line = self.ctx.cell_line(where[site].line)
            found.add(EvidenceSite(name, line, cell))
        facts.evidence = sorted(found, key=lambda e: (-1 if e.cell is None else e.cell, e.line, e.detector))
