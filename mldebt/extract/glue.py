"""The line classifier behind the glue-code share: every statement of a module is model code,
glue or neutral, by the calls it makes (`rules/knowledge/glue_code.yaml`)."""

from __future__ import annotations

import fnmatch
import re
from collections import Counter
from functools import cache, lru_cache

import libcst as cst

from mldebt.extract.context import Collector, FileContext
from mldebt.extract.facts import Facts, GlueLines
from mldebt.knowledge import load_table

MODEL = "model"
OTHER = "other"  # plotting and display: neutral, but not glue either
#: Glue statements a function needs, in number and as a share of its statements, before its
#: plain lines count as glue too.
MIN_GLUE_TO_SPREAD = 2
MIN_GLUE_SHARE_TO_SPREAD = 0.25
#: Statements that are not code lines (exact classes: `isinstance` on libcst's ABCs is slow when
#: it fails, and this runs for every statement line).
_NOT_CODE = frozenset({cst.Import, cst.ImportFrom, cst.Pass})
_DOCSTRINGS = frozenset({cst.SimpleString, cst.ConcatenatedString})


@cache
def _classifier() -> tuple[re.Pattern, list[str], dict[str, str], frozenset[str]]:
    """(pattern over qualified calls, the class of each alternative, method -> class, model bases)."""
    table = load_table("glue_code")
    patterns: list[str] = []
    classes: list[str] = []
    methods: dict[str, str] = {}
    for kind, entry in table["glue"].items():
        patterns += entry["calls"]
        classes += [kind] * len(entry["calls"])
        for method in entry["methods"]:
            methods.setdefault(method, kind)
    for kind in (OTHER, MODEL):
        patterns += table[kind]["calls"]
        classes += [kind] * len(table[kind]["calls"])
        for method in table[kind]["methods"]:
            methods.setdefault(method, kind)
    regex = re.compile("|".join(f"({fnmatch.translate(p)})" for p in patterns))
    return regex, classes, methods, frozenset(table["model"]["bases"])


@lru_cache(maxsize=8192)
def _call_kind(name: str) -> str | None:
    """The class of a qualified call, once per name and worker: the pattern is an alternation
    of every call in the table, and the same few hundred names come back in every file."""
    regex, classes = _classifier()[:2]
    match = regex.match(name)
    return classes[match.lastindex - 1] if match else None


class _Statement:
    __slots__ = ("model", "other", "glue")

    def __init__(self, model: bool = False) -> None:
        self.model = model
        self.other = False
        self.glue: str | None = None


class GlueCollector(Collector):
    """Counts a module's statements by class; statements in a model class count as model code."""

    def __init__(self, ctx: FileContext) -> None:
        super().__init__()
        self.ctx = ctx
        _, _, self._methods, self._bases = _classifier()
        self._open: list[_Statement] = []
        self._model_classes = 0  # how many enclosing classes derive from a model base
        self._model_class_flags: list[bool] = []
        #: Statement counts per enclosing function, the module's own at the bottom.
        self._frames: list[Counter[str]] = [Counter()]

    def _push(self) -> None:
        self._open.append(_Statement(model=self._model_classes > 0))

    def _pop(self) -> None:
        statement = self._open.pop()
        if statement.model:
            key = MODEL
        elif statement.glue:
            key = f"kind:{statement.glue}"
        else:
            key = OTHER if statement.other else "neutral"
        self._frames[-1][key] += 1

    def _leave_function(self) -> None:
        """A function whose library calls are all glue is glue, its loops and record reshaping
        included (and likewise for model code); a mixed function keeps its plain lines neutral."""
        frame = self._frames.pop()
        kinds = Counter({k: n for k, n in frame.items() if k.startswith("kind:")})
        neutral = frame.pop("neutral", 0)
        glue = sum(kinds.values())
        all_glue = frame[MODEL] == 0 and frame[OTHER] == 0 and glue >= MIN_GLUE_TO_SPREAD
        if neutral and all_glue and glue >= MIN_GLUE_SHARE_TO_SPREAD * (glue + neutral):
            frame[kinds.most_common(1)[0][0]] += neutral
        elif neutral and frame[MODEL] and not kinds:
            frame[MODEL] += neutral
        else:
            frame["neutral"] = neutral
        self._frames[-1].update(frame)

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self._push()

    def leave_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        if all(s.__class__ in _NOT_CODE for s in node.body) or (
            len(node.body) == 1 and node.body[0].__class__ is cst.Expr and node.body[0].value.__class__ in _DOCSTRINGS
        ):
            self._open.pop()  # imports, `pass` and docstrings are not code lines
            return
        self._pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        is_model = any(self.ctx.qualname(base.value) in self._bases for base in node.bases)
        self._model_class_flags.append(is_model)
        self._model_classes += is_model
        self._push()

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self._pop()
        self._model_classes -= self._model_class_flags.pop()

    # the header of a compound statement is one line, classified by the calls in it
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._push()
        self._frames.append(Counter())

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._pop()  # the `def` line belongs to the function
        self._leave_function()

    def visit_If(self, node: cst.If) -> None:
        self._push()

    def leave_If(self, node: cst.If) -> None:
        self._pop()

    def visit_For(self, node: cst.For) -> None:
        self._push()

    def leave_For(self, node: cst.For) -> None:
        self._pop()

    def visit_While(self, node: cst.While) -> None:
        self._push()

    def leave_While(self, node: cst.While) -> None:
        self._pop()

    def visit_With(self, node: cst.With) -> None:
        self._push()

    def leave_With(self, node: cst.With) -> None:
        self._pop()

    def visit_Try(self, node: cst.Try) -> None:
        self._push()

    def leave_Try(self, node: cst.Try) -> None:
        self._pop()

    def visit_Call(self, node: cst.Call) -> None:
        if not self._open:
            return
        statement = self._open[-1]
        if statement.model:
            return
        name = self.ctx.qualname(node.func)
        kind = None
        if name is not None:
            kind = _call_kind(name)
        elif isinstance(node.func, cst.Attribute):
            kind = self._methods.get(node.func.attr.value)
        if kind == MODEL:
            statement.model = True
        elif kind == OTHER:
            statement.other = True
        elif kind is not None and statement.glue is None:
            statement.glue = kind

    def located(self) -> list[cst.CSTNode]:
        return []

    def fill(self, facts: Facts, where: dict, module: cst.Module) -> None:
        counts = self._frames[0]
        kinds = {k.split(":", 1)[1]: n for k, n in sorted(counts.items()) if k.startswith("kind:") and n}
        facts.glue_lines = GlueLines(counts[MODEL], sum(kinds.values()), counts["neutral"] + counts[OTHER], kinds)

