"""The fact collector behind reproducibility: entry points, training markers, randomness used,
seeds set, determinism switched off, and the calls each function makes (for the call graph the
project phase follows across modules, `mldebt.callgraph`).

What counts as training, random or seeding is data: `rules/knowledge/reproducibility.yaml`,
merged with `[tool.mldebt.reproducibility]` (`Settings.reproducibility_table()`).
"""

from __future__ import annotations

import fnmatch
import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Sequence
from functools import lru_cache

import libcst as cst

from mldebt.extract.bindings import bound_names, target_elements
from mldebt.extract.context import MAYBE_PASSED, UNKNOWN, Collector, FileContext, call_argument, dotted_name, literal_value
from mldebt.extract.facts import (
    EFFECT, HANDED, MAIN, EntryPoint, Facts, FunctionCalls, NondeterminismSwitch, RandomnessUse, SeedSet, StatementFlow,
    TrainingMarker,
)
from mldebt.extract.walk import nodes

#: Generator names the knowledge and `[tool.mldebt.reproducibility]` may use.
GENERATORS = ("python", "numpy", "torch", "tensorflow")
#: Libraries whose calls can be random; other qualified names skip the pattern match.
_RANDOM_HEADS = frozenset({"random", "numpy", "torch", "torchvision", "tensorflow", "keras", "sklearn"})
#: Local generator objects' own seeding (`rng.seed(0)`, `g.manual_seed(0)`) seeds no global generator.
_LOCAL_SEED_METHODS = frozenset({"seed", "manual_seed"})
_COMMAND_DECORATORS = frozenset({"click.command", "click.group"})
#: Keywords that seed the call they are passed to (`RandomForestClassifier(random_state=seed)`).
_SEED_KEYWORDS = frozenset({"seed", "random_state", "random_seed"})
#: A name that holds a seed (`seed`, `self.seed`, `random_state`, `session_seed`).
_SEED_NAME = re.compile(r"(^|_)(seed|random_state)$", re.IGNORECASE)


@lru_cache(maxsize=8)
def _anchored(patterns: tuple[str, ...]) -> re.Pattern:
    """One regex for a list of fnmatch patterns; `match.lastindex` tells which matched first."""
    return re.compile("|".join(f"({fnmatch.translate(p)})" for p in patterns))


def _literal_matches(node: cst.Call, conditions: dict) -> bool:
    """Whether the call passes every keyword of `conditions` with that literal value."""
    for keyword, expected in conditions.items():
        value = call_argument(node, keyword)
        if value is None or value is MAYBE_PASSED or literal_value(value) != expected:
            return False
    return True


def _has_word(name: str, words: tuple[str, ...]) -> bool:
    """Whether a word of an identifier (`EMAOptimizer`: `ema`, `optimizer`) is one of `words` or,
    for words of five letters or more, starts with one (`optim` names `optimizer`; `opt` only
    itself, not `optuna`)."""
    parts = (p.lower() for p in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+", name))
    return any(part == word or (len(word) >= 5 and part.startswith(word)) for part in parts for word in words)


_TARGET_HOLDERS = frozenset({cst.AssignTarget, cst.AnnAssign, cst.For, cst.CompFor})


class _Names:
    """The names a statement reads, and those it assigns (targets of assignments, `for` loops,
    `with ... as`, comprehensions); a name only assigned is not read, nor are attribute and
    keyword names."""

    #: The node types `see` looks at.
    SEEN = ("AssignTarget", "AnnAssign", "For", "CompFor", "AsName", "Attribute", "Arg", "Name", "Call")

    def __init__(self, statement: cst.CSTNode) -> None:
        self.reads: set[str] = set()
        self.writes: set[str] = set()
        self._targets: set[int] = set()  # Name nodes that are not reads
        #: It computes gradients (`loss.backward()`): part of a training step where one steps.
        self.backward = False
        for node in nodes(statement, self.SEEN):  # outer nodes first: a target before its names
            self._see(node)

    def _target(self, node: cst.CSTNode | None) -> None:
        if isinstance(node, cst.Name):
            self.writes.add(node.value)
            self._targets.add(id(node))
        elif isinstance(node, (cst.Tuple, cst.List)):
            for element in node.elements:
                self._target(element.value)
        elif isinstance(node, cst.StarredElement):
            self._target(node.value)

    def _see(self, node: cst.CSTNode) -> None:
        node_type = node.__class__  # exact classes: `SEEN` are all concrete
        if node_type is cst.Name:
            if id(node) not in self._targets:
                self.reads.add(node.value)
        elif node_type is cst.Attribute:
            self._targets.add(id(node.attr))  # `x.sample` reads `x`, not a name `sample`
        elif node_type in _TARGET_HOLDERS:
            self._target(node.target)
        elif node_type is cst.AsName:
            self._target(node.name)
        elif node_type is cst.Arg:
            if node.keyword is not None:
                self._targets.add(id(node.keyword))
        elif node_type is cst.Call and node.func.__class__ is cst.Attribute and node.func.attr.value == "backward":
            self.backward = True


#: Values a name assigned from them holds as the function's own object, no alias of another's.
_FRESH = (
    cst.List, cst.Dict, cst.Set, cst.Tuple, cst.ListComp, cst.DictComp, cst.SetComp, cst.GeneratorExp, cst.Call,
    cst.SimpleString, cst.FormattedString, cst.ConcatenatedString, cst.Integer, cst.Float, cst.BinaryOperation,
)


class _Leaving:
    """How a value can leave one function, statement by statement of its body (`StatementFlow.leaves`).

    A statement hands a value back when it returns or yields, or changes in place (an item or
    attribute assigned, a method called for its effect) an object the caller passed, directly
    or through a name bound to part of it (`for feature in features`, `ids = feature["input_ids"]`).
    It has an effect elsewhere when it declares a global, changes in place an object the function
    did not make nor was given (a module's list), or calls a function for its effect that is not a
    display call (`display_calls`: print, `display`, plotting). Changing the function's own objects
    (`picks.append(pick)`, `df[column] = ...` of a `df` it built) and showing values stays in."""

    def __init__(
        self, body: Sequence[cst.BaseStatement], parameters: set[str],
        qualname: Callable[[cst.BaseExpression], str | None], display: re.Pattern,
    ) -> None:
        self.qualname = qualname
        self.display = display
        #: name -> the outside names (parameters, globals) it may be bound to part of; own objects: none
        self.roots: dict[str, set[str]] = {name: {name} for name in parameters}
        bindings: list[tuple[str, set[str]]] = []
        for statement in body:
            for node in nodes(statement, ("Assign", "AnnAssign", "For", "WithItem")):
                if isinstance(node, cst.For):
                    targets, value = [node.target], node.iter
                elif isinstance(node, cst.WithItem):
                    targets, value = [node.asname.name] if node.asname else [], node.item
                elif isinstance(node, cst.Assign):
                    targets, value = [t.target for t in node.targets], node.value
                else:
                    targets, value = [node.target], node.value
                fresh = value is None or isinstance(value, _FRESH) and not isinstance(node, cst.For)
                sources = set() if fresh else _Names(value).reads
                bindings.extend((name, sources) for target in targets for name in bound_names(target))
        for name, _ in bindings:
            self.roots.setdefault(name, set())
        changed = True
        while changed:  # a name bound to part of another shares its roots
            changed = False
            for name, sources in bindings:
                grown = set().union(*(self.roots.get(s, {s}) for s in sources))  # unassigned: a global
                if not grown <= self.roots[name]:
                    self.roots[name] |= grown
                    changed = True
        self.parameters = parameters

    @staticmethod
    def _owner(target: cst.BaseExpression) -> str | None:
        """The name whose object an item or attribute target changes (`feature` of `feature["labels"]`)."""
        while isinstance(target, (cst.Attribute, cst.Subscript)):
            target = target.value
        return target.value if isinstance(target, cst.Name) else None

    def statement(self, statement: cst.CSTNode) -> tuple[tuple[str, ...], str]:
        """The names `statement` changes in place, and how a value reaching it leaves."""
        owners: list[str | None] = []
        effect = handed = False
        for node in nodes(statement, ("Return", "Yield", "Global", "Nonlocal", "AssignTarget", "AugAssign", "Expr")):
            if isinstance(node, (cst.Global, cst.Nonlocal)):
                effect = True
            elif isinstance(node, (cst.Return, cst.Yield)):
                handed = handed or node.value is not None
            elif isinstance(node, (cst.AssignTarget, cst.AugAssign)):
                targets = target_elements(node.target)  # `self.train, self.val = random_split(...)`
                owners.extend(self._owner(t) for t in targets if isinstance(t, (cst.Attribute, cst.Subscript)))
            elif isinstance(node.value, cst.Call):  # a call made for its effect
                func = node.value.func
                written = self.qualname(func) or dotted_name(func) or ""
                if self.display.match(written):
                    continue
                if written.startswith(("random.", "numpy.random.")):  # `random.shuffle(rows)` changes `rows`
                    owners.extend(self._owner(arg.value) for arg in node.value.args)
                elif isinstance(func, cst.Attribute):  # `picks.append(pick)` changes `picks`
                    owners.append(self._owner(func.value))
                else:
                    effect = True  # a file written, state kept elsewhere
        for owner in owners:
            roots = self.roots.get(owner, {owner}) if owner is not None else {""}
            if roots - self.parameters:
                effect = True
            elif roots:
                handed = True
        return tuple(sorted({o for o in owners if o})), EFFECT if effect else HANDED if handed else ""


def is_main_guard(test: cst.BaseExpression) -> bool:
    """`__name__ == "__main__"`: the test of a module's `__main__` block."""
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    if not isinstance(test.comparisons[0].operator, cst.Equal):
        return False
    sides = (test.left, test.comparisons[0].comparator)
    names = [s.value for s in sides if isinstance(s, cst.Name)]
    strings = [literal_value(s) for s in sides if isinstance(s, (cst.SimpleString, cst.ConcatenatedString))]
    return names == ["__name__"] and strings == ["__main__"]


class ReproducibilityCollector(Collector):
    """Records the reproducibility facts of one Python module or notebook."""

    def __init__(self, ctx: FileContext, table: dict) -> None:
        """`table` is the reproducibility knowledge (`Settings.reproducibility_table()`)."""
        super().__init__()
        self.ctx = ctx
        training = table["training"]
        self._training_calls = frozenset(training["calls"])
        self._training_methods = frozenset(training["methods"])
        self._receiver_methods = {m: tuple(words) for m, words in training["receiver_methods"].items()}
        self._epoch_variables = frozenset(training["epoch_variables"])
        self._measuring_words = tuple(training["measuring_words"])
        self._not_training = _anchored(tuple(training["not_models"]))
        self._seeds = table["seeds"]
        self._random_entries = list(table["randomness"].values())
        self._random_patterns = _anchored(tuple(table["randomness"]))
        self._seed_helper = re.compile(table["seed_helper"])
        self._display = _anchored(tuple(table["display_calls"]))
        nondeterminism = table["nondeterminism"]
        self._switch_assignments = nondeterminism["assignments"]
        self._switch_calls = nondeterminism["calls"]
        #: Enclosing definitions, outermost first: ("class"|"def", name).
        self._scope: list[tuple[str, str]] = []
        self._calls: dict[str, set[str]] = {"": set()}
        self._references: dict[str, set[str]] = {"": set()}
        #: Parameter names of the enclosing functions: a parameter shadows an imported name.
        self._parameters: list[set[str]] = []
        self.markers: list[tuple[str, str, cst.CSTNode]] = []
        self.random_uses: list[tuple[str, str, str, bool, str, cst.CSTNode]] = []
        #: The targets of the assignments being visited, innermost last, and the draws made in
        #: each function's assignment to a name: a draw assigned to what then seeds is a seed.
        self._assigning: list[tuple[str, ...]] = []
        self._drawn_into: dict[int, tuple[str, ...]] = {}
        #: function -> the names it seeds with (`np.random.seed(self.seed)`, `random_state=seed`).
        self._seeded_with: dict[str, set[str]] = defaultdict(set)
        self.seed_sets: list[tuple[tuple[str, ...], str, str, bool, cst.CSTNode]] = []
        self.switches: list[tuple[str, str, cst.CSTNode]] = []
        self.guards: list[cst.CSTNode] = []
        self.commands: list[tuple[str, cst.CSTNode]] = []
        #: `*pkg.utils` for `from pkg.utils import *`: its names may be called bare.
        self.star_imports: set[str] = set()
        #: function -> the statements of its body, and the (recorded name, node) of its calls:
        #: where a draw sits relative to the training of its function.
        self._bodies: dict[str, Sequence[cst.BaseStatement]] = {}
        #: function -> its parameters, for the functions `_bodies` holds
        self._signatures: dict[str, set[str]] = {}
        #: Names `import x` / `import x as y` binds: a module carries no drawn value
        #: (`np` of `np.random.shuffle(rows)`: the draw changes `rows`, not `np`).
        self._modules: set[str] = set()
        self._call_sites: dict[str, list[tuple[str, cst.CSTNode]]] = defaultdict(list)
        #: class -> the last names of its bases (`Lookahead(torch.optim.Optimizer)`: `Optimizer`).
        self._bases: dict[str, tuple[str, ...]] = {}

    # --- where we are ------------------------------------------------------------------------

    @property
    def function(self) -> str:
        """'' at module level, `f`, `C`, `C.m`; deeper definitions count as their parent."""
        return ".".join(name for _, name in self._scope[:2])

    def _class(self) -> str | None:
        return self._scope[0][1] if self._scope and self._scope[0][0] == "class" else None

    def _named_for(self, words: tuple[str, ...]) -> bool:
        """Whether an enclosing class (or a class it derives from) or function is named with
        one of `words`."""
        return any(
            _has_word(name, words)
            for kind, own in self._scope if kind != "guard"
            for name in (own, *(self._bases.get(own, ()) if kind == "class" else ()))
        )

    def _marker(self, api: str, node: cst.CSTNode, receiver_words: tuple[str, ...] = ()) -> None:
        """Record a training marker, unless the code around it measures speed (`TrainBenchmarkRunner`,
        `profile_step`): a model trained to be timed is thrown away, its seeds do not matter; or
        it is an optimizer's own code calling the optimizer it wraps (`EMAOptimizer.step`,
        `GradScaler._maybe_opt_step`, `Lookahead(Optimizer).step`): that trains only when a training loop steps the wrapper,
        and the loop is the marker."""
        if not self._named_for(self._measuring_words) and not (receiver_words and self._named_for(receiver_words)):
            self.markers.append((api, self.function, node))

    def _enter(self, kind: str, name: str, body: cst.BaseSuite | None = None) -> None:
        self._scope.append((kind, name))
        self._calls.setdefault(self.function, set())
        self._references.setdefault(self.function, set())
        if len(self._scope) <= 2 and isinstance(body, cst.IndentedBlock):
            self._bodies.setdefault(self.function, body.body)

    def visit_Module(self, node: cst.Module) -> None:
        self._bodies[""] = node.body

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._bases[node.name.value] = tuple(
            written.rsplit(".", 1)[-1] for base in node.bases if (written := dotted_name(base.value))
        )
        self._enter("class", node.name.value, node.body)
        for base in node.bases:
            name = self._call_name(base.value)
            if name in self._seeds:  # a subclass of a trainer that seeds itself seeds too
                self.seed_sets.append((tuple(self._seeds[name]), name, self.function, False, base))

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self._scope.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if not self._scope:
            for decorator in node.decorators:
                target = decorator.decorator.func if isinstance(decorator.decorator, cst.Call) else decorator.decorator
                written = dotted_name(target) or ""
                if self.ctx.qualname(target) in _COMMAND_DECORATORS or written.endswith(".command"):
                    self.commands.append((node.name.value, node))
                    break
        self._enter("def", node.name.value, node.body)
        params = node.params
        self._parameters.append({
            p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)
        } | {p.name.value for p in (params.star_arg, params.star_kwarg) if isinstance(p, cst.Param)})
        self._signatures.setdefault(self.function, self._parameters[-1])

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._scope.pop()
        self._parameters.pop()

    def visit_If(self, node: cst.If) -> None:
        if not self._scope and is_main_guard(node.test):
            self.guards.append(node)
            self._enter("guard", MAIN, node.body)

    def leave_If(self, node: cst.If) -> None:
        if self._scope and self._scope[-1] == ("guard", MAIN) and node is self.guards[-1]:
            self._scope.pop()

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            local = alias.asname.name if alias.asname is not None else alias.name
            self._modules.add((dotted_name(local) or "").partition(".")[0])

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            module = dotted_name(node.module) if node.module is not None else ""
            self.star_imports.add("*" + "." * len(node.relative) + (module or ""))

    # --- calls ---------------------------------------------------------------------------------

    def _call_name(self, func: cst.BaseExpression, reference: bool = False) -> str | None:
        """The name a call (or, with `reference`, a name passed as an argument) is recorded
        under, if it may be the repository's own; returns the qualified name when known."""
        qualified = self.ctx.qualname(func)
        recorded = None
        if qualified is not None:
            if "." in qualified or qualified in self.ctx.imports:
                recorded = qualified
        elif (written := dotted_name(func)) is not None:
            head, _, rest = written.partition(".")
            if head in ("self", "cls") and rest and "." not in rest and self._class():
                recorded = f"{self._class()}.{rest}"
            elif not rest:
                recorded = written
        if recorded is not None:
            (self._references if reference else self._calls)[self.function].add(recorded)
            if not reference:
                self._call_sites[self.function].append((recorded, func))
        return qualified

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        name = self._call_name(func)
        seeds_before = len(self.seed_sets)
        for arg in node.args:  # functions handed over: `mp.spawn(worker)`, `fire.Fire(main)`
            value = arg.value
            if isinstance(value, cst.Attribute) or (
                isinstance(value, cst.Name) and not any(value.value in names for names in self._parameters)
            ):
                self._call_name(value, reference=True)
        if name is not None:
            self._known_call(node, name)
        method = func.attr.value if isinstance(func, cst.Attribute) else None
        if method is None:
            if isinstance(func, cst.Name) and name is None and self._seed_helper.search(func.value):
                self.seed_sets.append((GENERATORS, func.value, self.function, True, node))
            self._seeding_values(node, seeds_before)
            return
        if method in self._training_methods:
            if name is None or not self._not_training.match(name):
                self._marker(f".{method}()", node)
        elif method in self._receiver_methods:
            receiver = (dotted_name(func.value) or "").rsplit(".", 1)[-1].lower()
            words = self._receiver_methods[method]
            if any(word in receiver for word in words):
                self._marker(f"{receiver}.{method}()", node, words)
        if name is None and method not in _LOCAL_SEED_METHODS and self._seed_helper.search(method):
            self.seed_sets.append((GENERATORS, dotted_name(func) or f".{method}", self.function, True, node))
        self._seeding_values(node, seeds_before)

    def _seeding_values(self, node: cst.Call, seeds_before: int) -> None:
        """Record the names a call seeds with: every argument of a seeding call, and the value
        of a seed keyword of any call (`train_test_split(..., random_state=seed)`)."""
        seeding = len(self.seed_sets) > seeds_before
        for arg in node.args:
            if seeding or (arg.keyword is not None and arg.keyword.value in _SEED_KEYWORDS):
                value = arg.value
                if value.__class__ is cst.Call and len(value.args) == 1:  # `np.random.seed(int(seed))`
                    value = value.args[0].value
                if (written := dotted_name(value)) is not None:
                    self._seeded_with[self.function].add(written)

    def _known_call(self, node: cst.Call, name: str) -> None:
        """A call whose qualified name is known: training, seeding, randomness, a switch."""
        if name in self._training_calls:
            self._marker(name, node)
        if name in self._seeds:
            self.seed_sets.append((tuple(self._seeds[name]), name, self.function, False, node))
            return
        if name in self._switch_calls:
            keyword, position, off = self._switch_calls[name]
            value = call_argument(node, keyword, position)
            if value is not None and value is not MAYBE_PASSED and literal_value(value) == off:
                self.switches.append((f"{name}({off})", self.function, node))
            return
        match = self._random_patterns.match(name) if name.split(".", 1)[0] in _RANDOM_HEADS else None
        entry = self._random_entries[match.lastindex - 1] if match else None
        if entry is None or entry["generator"] == "none":
            if self._seed_helper.search(name.rsplit(".", 1)[-1]):
                self.seed_sets.append((GENERATORS, name, self.function, True, node))
            return
        if "when" in entry and not _literal_matches(node, entry["when"]):
            return
        if "unless" in entry and _literal_matches(node, entry["unless"]):
            return
        keyword = ""
        if "argument" in entry:
            keyword, position = entry["argument"]
            value = call_argument(node, keyword, position)
            if value is MAYBE_PASSED:
                return
            if value is not None and literal_value(value) is not None:
                return  # seeded by its own argument (a literal or a value computed at run time)
        self.random_uses.append((entry["generator"], name, keyword, entry.get("global", True), self.function, node))
        if self._assigning:
            self._drawn_into[id(node)] = self._assigning[-1]

    # --- loops and assignments -----------------------------------------------------------------

    def visit_For(self, node: cst.For) -> None:
        if isinstance(node.target, cst.Name) and node.target.value.lower() in self._epoch_variables:
            self._marker("epoch loop", node.target)

    def visit_Assign(self, node: cst.Assign) -> None:
        self._assigning.append(tuple(written for t in node.targets if (written := dotted_name(t.target)) is not None))
        for target in node.targets:
            setting = self.ctx.qualname(target.target) if isinstance(target.target, cst.Attribute) else None
            if setting in self._switch_assignments:
                value = literal_value(node.value)
                if value is not UNKNOWN and value == self._switch_assignments[setting]:
                    self.switches.append((f"{setting} = {value}", self.function, target.target))

    def leave_Assign(self, original_node: cst.Assign) -> None:
        self._assigning.pop()

    def _draws_a_seed(self, function: str, node: cst.CSTNode) -> bool:
        """Whether a draw only makes a seed: it is assigned to a name that holds a seed
        (`seed = random.randint(0, 2**31)` under `if seed is None:`), or to one its function
        then seeds with (`self.seed = randint(150, 9000) if session_id is None else session_id`,
        then `np.random.seed(self.seed)`). That is seeding code, the fallback of a seed the
        caller can set, not unseeded randomness."""
        targets = self._drawn_into.get(id(node), ())
        return any(
            _SEED_NAME.search(target.rsplit(".", 1)[-1]) or target in self._seeded_with.get(function, ())
            for target in targets
        )

    # --- results -------------------------------------------------------------------------------

    def _flowing(self) -> set[str]:
        """The functions whose statements the project phase follows: those that draw, and the
        functions of this module that call one of them (a plotting helper drawing a colour is
        followed from where the notebook calls it)."""
        drawing = {fn for *_, fn, _ in self.random_uses}
        return drawing | {caller for caller, sites in self._call_sites.items() if drawing & {name for name, _ in sites}}

    def located(self) -> list[cst.CSTNode]:
        drawing = self._flowing()
        return (
            [n for *_, n in self.markers] + [n for *_, n in self.random_uses] + [n for *_, n in self.seed_sets]
            + [n for *_, n in self.switches] + self.guards + [n for _, n in self.commands]
            + [n for fn in drawing for n in self._bodies.get(fn, ())]
            + [n for fn in drawing for _, n in self._call_sites[fn]]
        )

    def _statement_ends(self, where: dict) -> dict[str, Callable[[int], int]]:
        """function -> the last line of the statement of its body that holds a given line, for
        the functions that draw random numbers and those that call them."""
        ends: dict[str, Callable[[int], int]] = {}
        for function in self._flowing():
            lasts = sorted(where[n].end_line for n in self._bodies.get(function, ()))
            ends[function] = lambda at, lasts=lasts: lasts[min(bisect_left(lasts, at), len(lasts) - 1)] if lasts else at
        return ends

    def _flows(
        self, where: dict, end: Callable[[str, cst.CSTNode], int], known: Callable[[set[str]], tuple[str, ...]]
    ) -> list[StatementFlow]:
        """The statements of the functions that draw, with the names each reads and assigns
        and the calls it makes."""
        flows = []
        for function in sorted(self._flowing()):
            calls: dict[int, set[str]] = defaultdict(set)
            for name, node in self._call_sites[function]:
                calls[end(function, node)].add(name)
            body = self._bodies.get(function, ())
            # how values leave matters only for functions a run calls, not its own top level
            leaving = None if function in ("", MAIN) else _Leaving(
                body, self._signatures.get(function, set()), self.ctx.qualname, self._display,
            )
            for statement in body:
                names = _Names(statement)
                last = where[statement].end_line
                reads = names.reads - self._modules
                flows.append(StatementFlow(
                    function, last, tuple(sorted(reads)), tuple(sorted(names.writes)), known(calls[last]),
                    names.backward, *(leaving.statement(statement) if leaving else ()),
                ))
        return flows

    def fill(self, facts: Facts, where: dict, module: cst.Module) -> None:
        ends = self._statement_ends(where)

        def end(function: str, node: cst.CSTNode) -> int:  # 0 in functions that draw nothing
            return ends[function](where[node].line) if function in ends else 0

        facts.training_markers = [TrainingMarker(api, fn, where[n].line, end(fn, n)) for api, fn, n in self.markers]
        facts.randomness = [
            RandomnessUse(
                generator, api, fn, where[n].line, where[n].column, keyword, covered, self.ctx.location(where[n].line),
                end(fn, n),
            )
            for generator, api, keyword, covered, fn, n in self.random_uses
            if not self._draws_a_seed(fn, n)
        ]
        facts.seeds = [SeedSet(g, api, fn, where[n].line, by_name) for g, api, fn, by_name, n in self.seed_sets]
        facts.nondeterminism = [
            NondeterminismSwitch(setting, fn, where[n].line, where[n].column) for setting, fn, n in self.switches
        ]
        defined = {fn for fn in self._calls if fn and "." not in fn and fn != MAIN}
        def known(names: set[str]) -> tuple[str, ...]:
            return tuple(sorted(c for c in names if "." in c or c in defined or self.star_imports))

        facts.function_calls = [
            FunctionCalls(fn, known(calls), known(self._references[fn] - calls)) for fn, calls in sorted(self._calls.items())
        ]
        facts.statement_flows = self._flows(where, end, known)
        facts.imported_modules = sorted(set(self.ctx.imports.values()) | self.star_imports)
        entry_points = [EntryPoint("main-guard", MAIN, where[g].line) for g in self.guards]
        if self.ctx.kind == "notebook":
            entry_points.append(EntryPoint("notebook", "", 1))
        elif not self.guards:
            top_level = [m for m in facts.training_markers if m.function == ""]
            if top_level or self._calls[""] & defined:
                line = top_level[0].line if top_level else 1
                entry_points.append(EntryPoint("script", "", line))
        entry_points += [EntryPoint("cli-command", name, where[n].line) for name, n in self.commands]
        facts.command_parameters = [p.name.value for _, n in self.commands for p in (*n.params.params, *n.params.kwonly_params)]
        facts.entry_points = entry_points
