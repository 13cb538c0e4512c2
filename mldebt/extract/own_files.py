"""Files a module reads back from where it wrote them itself, for the deserialization rules
(MLD401 and MLD403 while the walk reports, MLD402 through its `CheckpointLoad` fact).

A pickle (or an object array, or a checkpoint) that a module loads from the very path it dumps
to is that module's own cache or index: the code that wrote it is the code that trusts it, and
the load is not reported. A pickle loaded from anywhere else (an argument, a download, another
program's output) may be crafted. Paths are compared as the code that computes them
(`cfg.cache_file`, `idx_fn + ".info"`), in one module, never across files. An expression with a
parameter or a variable of its function in it is the same only within that function, and only
while those variables keep their value (`mel_path` read from a manifest, then rebound to a
cache's path, is two files), so a `save(obj, path)` / `load(path)` helper pair is not taken for
a cache, nor two functions' unrelated `fp`s for one file; `self.` chains are one object across
the class's methods.

A load whose object the module reads back with the keys one of its own writes puts in it is
that module's format too: `ckpt = torch.load(args.resume)` read as `ckpt["epoch"]`,
`ckpt["optimizer"]` where the module saves `{"epoch": ..., "optimizer": ...}` resumes the run
the module checkpoints, wherever the user keeps the file. At least two keys are needed, all
of them written by one save (a `["state_dict"]` alone is any published checkpoint's).

A load in a pipeline step of a file its pipeline hands it (`_PipelineSteps`: a parameter
annotated as an upstream artifact's path, or one the module passes another task's output) reads
an intermediate another step of the same pipeline wrote: the pipeline's own file too.

The writers and the argument that names their file are in `rules/knowledge/deserialization.yaml`
(`writers`, and `readers` for the loads' keyword); a handle bound by `with open(...) as f`
stands for its path. A bare `open(path, "wb")` is no writer: it may copy a download. The same
pass gives the files a module's loads and writers name, through one call of a module-level
helper, for the project phase (`PickledFile`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING

import libcst as cst

from mldebt.extract.bindings import bound_names
from mldebt.extract.context import call_argument, literal_value
from mldebt.extract.walk import nodes, walk
from mldebt.knowledge import load_table, unsafe_call

if TYPE_CHECKING:
    from mldebt.extract.context import FileContext
    from mldebt.knowledge import Verdict
    from mldebt.rule import PythonRule

_OPEN = frozenset({"open", "io.open"})


def own_files(ctx: FileContext) -> OwnFiles:
    """The module's one `OwnFiles` pass, shared by the rules and collectors that ask."""
    found = ctx.shared.get(OwnFiles)
    if found is None:
        found = ctx.shared[OwnFiles] = OwnFiles(ctx)
    return found


def pickles(name: str, method: str | None) -> bool:
    """Whether a call (qualified `name`, or `.method` of any object) loads or writes a pickle-based
    file: only modules with such a call need the `OwnFiles` pass for their `PickledFile` facts."""
    writers, loads = _tables()
    return name in loads or name in writers or (method is not None and f".{method}" in writers)


@cache
def _tables() -> tuple[dict[str, tuple[str, int]], dict[str, str | None]]:
    """(write call or `.method` -> (keyword, position) of its file argument, each load of the
    table -> the keyword of its file argument, None when it has none)."""
    table = load_table("deserialization")
    keywords = table["readers"]
    loads = {call: keywords.get(call) for entry in table["calls"] for call in entry["calls"]}
    return {call: tuple(argument) for call, argument in table["writers"].items()}, loads


#: An expression naming a file, and the def it sits in (None: module level or a class body).
Named = tuple[cst.BaseExpression, "cst.FunctionDef | None"]


def is_parameter(node: cst.BaseExpression, function: cst.FunctionDef | None) -> bool:
    """Whether `node` is a bare name of one of `function`'s parameters."""
    if not isinstance(node, cst.Name) or function is None:
        return False
    params = function.params
    return any(p.name.value == node.value for p in (*params.posonly_params, *params.params, *params.kwonly_params))


class UnsafeLoads:
    """The unsafe loads a rule found in one file, reported when the walk is over (call `add`
    from `visit_Call`, `report` from `leave_Module`): whether a load reads back a file the
    module writes takes a pass over the whole module, and a pass made during the walk would
    resolve names before the walk had seen the imports further down (and keep those answers)."""

    def __init__(self, rule: PythonRule, table: str) -> None:
        self.rule, self.table = rule, table
        self._loads: list[tuple[cst.Call, Verdict]] = []

    def add(self, node: cst.Call) -> None:
        verdict = unsafe_call(self.rule, node, self.table)  # names resolved as the walk sees them
        if verdict is not None:
            self._loads.append((node, verdict))

    def report(self) -> None:
        files = own_files(self.rule.ctx)
        reported: set[tuple[int, str, str | None]] = set()
        for node, verdict in self._loads:
            if files.reads_own_file(node) or not files.first_load(node, reported):
                continue  # the module's own cache, or a second load of a file already reported
            self.rule.report(node, verdict.message, verdict.hint, severity=verdict.severity, confidence=verdict.confidence)


class OwnFiles(cst.BatchableCSTVisitor):
    """One pass over a module, in source order: the path key of each load's file argument, and
    the keys of every file the module writes. The pass runs when it is first asked, after the
    walk (`UnsafeLoads`)."""

    def __init__(self, ctx: FileContext) -> None:
        super().__init__()
        self.ctx = ctx
        self._writers, self._loads = _tables()
        self._written: set[str] = set()
        #: id(call) -> (call, path key of the file it loads); the call is kept so its id stays unique.
        self._reads: dict[int, tuple[cst.Call, str]] = {}
        self._handles: dict[str, str] = {}  # handle name -> path key, latest binding wins
        self._handle_paths: dict[str, cst.BaseExpression] = {}  # handle name -> its path expression
        self._functions: list[cst.FunctionDef | None] = []  # the enclosing defs (None: a class body)
        #: (load or write call, the expression naming its file, the def it sits in), in source order.
        self._paths: dict[str, list[tuple[cst.Call, cst.BaseExpression, cst.FunctionDef | None]]] = {"read": [], "write": []}
        self._helpers: dict[str, cst.FunctionDef] = {}  # module-level defs by name
        #: (id of a def, variable) -> the text of what the walk last saw bound to it there.
        self._values: dict[tuple[int, str], str] = {}
        self._calls: dict[str, list[tuple[cst.Call, cst.FunctionDef | None]]] = {}  # calls of a bare name, by name
        #: id(load) -> the expression naming its file, and the def the load sits in.
        self._read_paths: dict[int, tuple[cst.BaseExpression, cst.FunctionDef | None]] = {}
        self._through: set[str] | None = None
        #: What each write stores, with its def: the keys of the objects saved (`_saved_keys`).
        self._saved: list[tuple[cst.BaseExpression, cst.FunctionDef | None]] = []
        #: (id of a def, variable) -> the string keys of the dict literals bound to it, or set in it.
        self._dict_keys: dict[tuple[int, str], set[str]] = {}
        #: (id of a def, variable) -> the string keys read from it (`ckpt["epoch"]`, `ckpt.get("epoch")`).
        self._keys_read: dict[tuple[int, str], set[str]] = {}
        #: id(load) -> (id of its def, the variable its result is bound to), or the keys read off the call itself.
        self._load_targets: dict[int, tuple[int, str]] = {}
        self._loaded: set[tuple[int, str]] = set()  # variables bound to a load: a format read, not made
        self._stores: set[int] = set()  # ids of subscripts assigned to (`state["epoch"] = ...`)
        #: id(load) -> the defs around it, outermost first.
        self._enclosing: dict[int, tuple[cst.FunctionDef, ...]] = {}
        self._steps = _PipelineSteps(ctx)
        #: top-level name -> how many times the module binds it (2 for a binding of unknown value)
        self._top_level_bindings: Counter[str] = Counter()
        self._done = False

    def _run(self) -> None:
        if not self._done:
            self._done = True
            walk(self.ctx.module, [self])  # the shared walker: libcst's `visit` rebuilds every node

    def first_load(self, call: cst.Call, reported: set[tuple[int, str, str | None]]) -> bool:
        """Whether `call` is the first of the unsafe loads in `reported` (updated here) to read
        its file in its def with the same call: a retry of the same load under `except
        ModuleNotFoundError:`, or the other branch of `map_location` choices, is one finding for
        one file. At the top level (a notebook's cells) the loads compare when every name their
        path reads is bound exactly once in the module: the same downloaded file loaded on the
        CPU, then on the GPU. A name bound again, or not bound there at all, may name another
        file at each load, so both loads count."""
        self._run()
        read = self._reads.get(id(call))
        if read is None or read[0] is not call:
            return True  # no key to compare
        path, function = self._read_paths[id(call)]
        if function is None and any(self._top_level_bindings[name] != 1 for name in _names(path)):
            return True  # a top-level name bound elsewhere or again: the loads may read different files
        where = (id(function), read[1], self.ctx.qualname(call.func))  # a URL fetch is not a file load
        if where in reported:
            return False
        reported.add(where)
        return True

    def reads_own_file(self, call: cst.Call) -> bool:
        """Whether `call` loads a file this module writes at the same path. A helper's path
        parameter stands for what the module's calls of the helper pass (`convert(args.out)`
        saves where `reload(args.out)` loads), on both sides."""
        self._run()
        read = self._reads.get(id(call))
        if read is None or read[0] is not call:
            return False
        if read[1] in self._written or self._round_trip(call) or self._steps.hands(read[1], self._enclosing[id(call)]):
            return True
        keys = self._callers_keys(*self._read_paths[id(call)])
        return bool(keys) and keys <= self._written_through()

    def _round_trip(self, call: cst.Call) -> bool:
        """Whether the loaded object is read with two or more keys, all of which one of the
        module's writes stores: the module's own format (a resumed checkpoint)."""
        target = self._load_targets.get(id(call))
        read = self._keys_read.get(target, set()) if target is not None else set()
        return len(read) >= 2 and any(read <= keys for keys in self._saved_keys())

    def _saved_keys(self) -> Iterator[set[str]]:
        """The string keys of each object a write stores: a dict literal, a variable bound to
        one in the same def, or what the module's calls pass to a helper's parameter. A loaded
        object the module edits and saves again (a converter) is another program's format."""
        for saved, function in self._saved:
            for value, scope in self._callers_paths(saved, function) or []:
                if isinstance(value, cst.Dict):
                    yield _literal_keys(value)
                elif isinstance(value, cst.Name) and (id(scope), value.value) not in self._loaded:
                    yield self._dict_keys.get((id(scope), value.value), set())  # not a loaded checkpoint re-saved

    def _written_through(self) -> set[str]:
        """The keys of what callers pass to helpers' written path parameters, once."""
        if self._through is None:
            self._through = set()
            for _, path, function in self._paths["write"]:
                self._through |= self._callers_keys(path, function)
        return self._through

    def _callers_keys(self, path: cst.BaseExpression, function: cst.FunctionDef | None) -> set[str]:
        """The keys of what the module's calls pass for a helper's path parameter; empty when
        `path` is no such parameter, or a call passes something that names a variable of its
        own def (its value when the call ran is not known after the walk)."""
        if not is_parameter(path, function):
            return set()
        passed = self._callers_paths(path, function) or []
        if not passed or any(fn is not None and _names(arg) & {n for f, n in self._values if f == id(fn)} for arg, fn in passed):
            return set()
        return {self._text(arg, fn) for arg, fn in passed}

    def file_paths(self, mode: str) -> list[tuple[cst.Call, list[Named] | None]]:
        """Each load (`read`) or pickle-based write (`write`) and the expressions that name its
        file, each with the def it sits in. A parameter of a module-level helper (`def
        load_pickle(filename)`) stands for what each call of the helper in this module passes
        (`load_pickle(os.path.join(d, "train.pkl"))`); None when a call passes nothing
        readable or nothing calls it (the helper loads whatever it is given)."""
        self._run()
        return [(call, self._callers_paths(path, function)) for call, path, function in self._paths[mode]]

    def _callers_paths(self, path: cst.BaseExpression, function: cst.FunctionDef | None) -> list[Named] | None:
        if function is None or not is_parameter(path, function):
            return [(path, function)]
        if self._helpers.get(function.name.value) is not function:
            return None  # a method or a nested def: its callers are not bare-name calls of this module
        names = [p.name.value for p in (*function.params.posonly_params, *function.params.params)]
        position = names.index(path.value) if path.value in names else None
        passed = [(call_argument(call, path.value, position), caller) for call, caller in self._calls.get(function.name.value, [])]
        if not passed or not all(isinstance(arg, cst.BaseExpression) for arg, _ in passed):
            return None
        return passed

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if not self._functions:
            self._helpers[node.name.value] = node
        self._functions.append(node)
        self._steps.define(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._functions.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._functions.append(None)  # a method is not a module-level helper

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._functions.pop()

    def _file_path(self, node: cst.BaseExpression) -> cst.BaseExpression:
        """The expression naming the file: a handle's `open` argument, else `node` itself."""
        if isinstance(node, cst.Call) and self.ctx.qualname(node.func) in _OPEN:
            path = call_argument(node, "file", 0)
            return path if isinstance(path, cst.BaseExpression) else node
        if isinstance(node, cst.Name) and node.value in self._handle_paths:
            return self._handle_paths[node.value]
        return node

    def _key(self, node: cst.BaseExpression) -> str | None:
        """The path a file argument names, as code; a handle stands for the path it was opened on."""
        if isinstance(node, cst.Call) and self.ctx.qualname(node.func) in _OPEN:
            path = call_argument(node, "file", 0)
            return self._key(path) if isinstance(path, cst.BaseExpression) else None
        if isinstance(node, cst.Name) and node.value in self._handles:
            return self._handles[node.value]
        return self._text(node, self._functions[-1] if self._functions else None)

    def _text(self, node: cst.BaseExpression, function: cst.FunctionDef | None) -> str:
        """`node` as code, a helper's path parameter scoped to its def, and each variable of the
        def in it followed by what it was last bound to (`idx_fn+'.info'|idx_fn=fn+'.idx'`)."""
        code = re.sub(r"\s+", "", self.ctx.module.code_for_node(node))
        if function is None:
            return code
        if is_parameter(node, function) and code not in ("self", "cls"):
            return f"{id(function)}:{code}"  # a helper's path: whatever each caller gives
        local = sorted(name for name in _names(node) if (id(function), name) in self._values)
        return code + "".join(f"|{name}={self._values[(id(function), name)]}" for name in local)

    def _bound(self, target: cst.CSTNode, by: cst.CSTNode, value: cst.BaseExpression | None = None) -> None:
        """A name the current def binds: to the text of `value` (`x = ...`), or to this binding
        alone when its value is unknown (`for x in`, `as x`, unpacking)."""
        function = self._functions[-1] if self._functions else None
        if function is None:  # top level: how often each name is bound (unpacked, looped, augmented: unknown)
            for name in bound_names(target):
                self._top_level_bindings[name] += 1 if value is not None and isinstance(target, cst.Name) else 2
            return
        if isinstance(target, cst.Name):
            text = self._text(value, function) if value is not None else f"#{id(by)}"
            self._values[(id(function), target.value)] = text
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bound(element.value, by)

    def visit_For(self, node: cst.For) -> None:
        self._bound(node.target, node)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._bound(node.target, node, node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._bound(node.target, node)  # `path += ".bak"`: another file

    def _bind(self, target: cst.BaseExpression | None, value: cst.BaseExpression) -> None:
        """`f = open(path, mode)` or `with open(path, mode) as f`: `f` stands for `path`."""
        if isinstance(target, cst.Name) and isinstance(value, cst.Call) and self.ctx.qualname(value.func) in _OPEN:
            key = self._key(value)
            if key is not None:
                self._handles[target.value] = key
                self._handle_paths[target.value] = self._file_path(value)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._bound(node.asname.name, node)
        self._bind(node.asname.name if node.asname else None, node.item)

    def visit_Assign(self, node: cst.Assign) -> None:
        self._steps.assign(node)
        for target in node.targets:
            self._bound(target.target, node, node.value if len(node.targets) == 1 else None)
            self._bind(target.target, node.value)
            self._record_keys(target.target, node.value)

    def _record_keys(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        """`state = {"model": ...}`, `state["epoch"] = ...` (keys a write may store), and
        `ckpt = torch.load(...)` (a load whose keys `_round_trip` reads)."""
        scope = id(self._functions[-1] if self._functions else None)
        if isinstance(target, cst.Name):
            if isinstance(value, cst.Dict):
                self._dict_keys[(scope, target.value)] = _literal_keys(value)
            elif isinstance(value, cst.Call) and self.ctx.qualname(value.func) in self._loads:
                self._load_targets[id(value)] = (scope, target.value)
                self._loaded.add((scope, target.value))
        elif isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name):
            self._stores.add(id(target))  # a key written, not read
            key = _subscript_key(target)
            if key is not None:
                self._dict_keys.setdefault((scope, target.value.value), set()).add(key)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if isinstance(node.value, cst.Name) and id(node) not in self._stores:
            key = _subscript_key(node)
            if key is not None:
                self._read_key(node.value.value, key)

    def _read_key(self, name: str, key: str) -> None:
        scope = id(self._functions[-1] if self._functions else None)
        self._keys_read.setdefault((scope, name), set()).add(key)

    def visit_Call(self, node: cst.Call) -> None:
        name = self.ctx.qualname(node.func) or ""
        method = f".{node.func.attr.value}" if isinstance(node.func, cst.Attribute) else ""
        argument = self._writers.get(name, self._writers.get(method))
        function = self._functions[-1] if self._functions else None
        if isinstance(node.func, cst.Name):
            self._calls.setdefault(node.func.value, []).append((node, function))
        self._steps.call(node, name)
        if isinstance(node.func, cst.Attribute) and isinstance(node.func.value, cst.Name) and node.func.attr.value == "get":
            key = literal_value(call_argument(node, None, 0))
            if isinstance(key, str):
                self._read_key(node.func.value.value, key)  # `ckpt.get("epoch", 0)`
        if argument is not None:  # (a bare `open(path, "wb")` may copy a download: no evidence)
            target = call_argument(node, *argument)
            key = self._key(target) if isinstance(target, cst.BaseExpression) else None
            if key is not None:
                self._written.add(key)
                self._paths["write"].append((node, self._file_path(target), function))
            saved = _saved_object(node, argument[1])
            if saved is not None:
                self._saved.append((saved, function))
        elif name in self._loads:
            source = call_argument(node, self._loads[name], 0)
            key = self._key(source) if isinstance(source, cst.BaseExpression) else None
            if key is not None:
                path = self._file_path(source)
                self._reads[id(node)] = (node, key)
                self._paths["read"].append((node, path, function))
                self._read_paths[id(node)] = (path, function)
                self._enclosing[id(node)] = tuple(f for f in self._functions if f is not None)


class _PipelineSteps:
    """The parameters through which a module's pipeline steps are handed files by their
    pipeline (`pipeline_steps` in `rules/knowledge/deserialization.yaml`): those annotated as an
    upstream artifact's path (`data: InputPath()`, `data: Input[Dataset]`), and those of a
    function made a step (`@dsl.component`, `op = func_to_container_op(func=f)`) that a call
    of the step passes another task's output (`op(prep_task.outputs["data"])`). What a step is
    handed any other way (a pipeline parameter the user fills) stays a file from outside."""

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        table = load_table("deserialization")["pipeline_steps"]
        self._inputs, self._components = frozenset(table["inputs"]), frozenset(table["components"])
        self._loaders = frozenset(table["loaders"])
        self._annotated: dict[int, set[str]] = {}  # id(def) -> its parameters annotated as inputs
        self._defs: dict[str, cst.FunctionDef] = {}  # the module's defs by name
        self._steps: dict[str, str] = {}  # a step's or its op's name -> the def's name
        self._calls: list[tuple[str, cst.Call]] = []  # calls of a bare name
        self._tasks: dict[str, str] = {}  # a name bound to a call's result -> the name called

    def define(self, node: cst.FunctionDef) -> None:
        self._defs[node.name.value] = node
        params = (*node.params.posonly_params, *node.params.params, *node.params.kwonly_params)
        annotated = {p.name.value for p in params if p.annotation is not None and self._input(p.annotation.annotation)}
        if annotated:
            self._annotated[id(node)] = annotated
        if any(self._component(d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator) for d in node.decorators):
            self._steps[node.name.value] = node.name.value

    def _input(self, annotation: cst.BaseExpression) -> bool:
        """`InputPath()`, `InputPath("CSV")`, `Input[Dataset]`, as qualified names."""
        if isinstance(annotation, cst.Call):
            annotation = annotation.func
        elif isinstance(annotation, cst.Subscript):
            annotation = annotation.value
        return self.ctx.qualname(annotation) in self._inputs

    def _component(self, node: cst.BaseExpression) -> bool:
        return self.ctx.qualname(node) in self._components

    def _made_step(self, node: cst.BaseExpression) -> str | None:
        """The def a `func_to_container_op(func=f)` call makes a step of."""
        if isinstance(node, cst.Call) and self._component(node.func):
            made = call_argument(node, "func", 0)
            if isinstance(made, cst.Name):
                return made.value
        return None

    def assign(self, node: cst.Assign) -> None:
        made, called = self._made_step(node.value), _called_name(node.value)
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                if made is not None:
                    self._steps[target.target.value] = made
                elif isinstance(node.value, cst.Call) and self.ctx.qualname(node.value.func) in self._loaders:
                    self._steps[target.target.value] = ""  # an op from a component spec: no def here
                if called is not None:
                    self._tasks[target.target.value] = called  # `task = op(...).add_pvolumes(...)`

    def call(self, node: cst.Call, name: str) -> None:
        made = self._made_step(node)
        if made is not None:
            self._steps.setdefault(made, made)
        if isinstance(node.func, cst.Name):
            self._calls.append((node.func.value, node))

    def hands(self, key: str, enclosing: tuple[cst.FunctionDef, ...]) -> bool:
        """Whether a load's path (`key`, as `OwnFiles` writes it, with the variables it was
        built from) comes from a parameter a step's pipeline hands a file through, read in the
        step's own body: the step runs right after the one that wrote it. A def nested in the
        step (a route of a server the step starts) loads it later, on each request, for as
        long as the service runs: that stays reported."""
        words = set(re.findall(r"[A-Za-z_]\w*", key))
        return bool(enclosing) and bool(words & self._handed(enclosing[-1]))

    def _handed(self, function: cst.FunctionDef) -> set[str]:
        handed = set(self._annotated.get(id(function), ()))
        if self._defs.get(function.name.value) is not function:
            return handed
        names = [p.name.value for p in (*function.params.posonly_params, *function.params.params)]
        for callee, call in self._calls:
            if self._steps.get(callee) != function.name.value:
                continue
            for position, arg in enumerate(call.args):
                if arg.keyword is None and position < len(names) and self._task_output(arg.value):
                    handed.add(names[position])
                elif arg.keyword is not None and self._task_output(arg.value):
                    handed.add(arg.keyword.value)
        return handed

    def _task_output(self, node: cst.BaseExpression) -> bool:
        """`task.outputs["data"]`, `task.output` of a task a step's call made: what another
        step of the pipeline produced (not `args.output`, a path the user gives)."""
        if isinstance(node, cst.Subscript):
            node = node.value
        if not (isinstance(node, cst.Attribute) and node.attr.value in ("output", "outputs")):
            return False
        task = node.value
        return isinstance(task, cst.Name) and self._tasks.get(task.value) in self._steps


def _called_name(node: cst.BaseExpression) -> str | None:
    """`op` for `op(...)` or `op(...).add_pvolumes(...)`: the bare name a call chain starts with."""
    while isinstance(node, cst.Call):
        if isinstance(node.func, cst.Name):
            return node.func.value
        node = node.func.value if isinstance(node.func, cst.Attribute) else None
    return None


def _saved_object(call: cst.Call, file_position: int) -> cst.BaseExpression | None:
    """The object a write stores (`torch.save(obj, f)`, `pickle.dump(obj, file)`,
    `joblib.dump(value, filename)`): the keyword, else the first positional argument that is
    not the file."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value in ("obj", "value"):
            return arg.value
    found = call_argument(call, None, 1 if file_position == 0 else 0)
    return found if isinstance(found, cst.BaseExpression) else None


def _literal_keys(node: cst.Dict) -> set[str]:
    keys = (literal_value(e.key) for e in node.elements if isinstance(e, cst.DictElement))
    return {k for k in keys if isinstance(k, str)}


def _subscript_key(node: cst.Subscript) -> str | None:
    """`"epoch"` in `ckpt["epoch"]`; None for a computed or sliced index."""
    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
        return None
    key = literal_value(node.slice[0].slice.value)
    return key if isinstance(key, str) else None


#: The nodes `_names` looks at; it enters none of them (the walker goes down to them).
_NAMING = frozenset({"Name", "Attribute", "Arg"})


def _names(node: cst.CSTNode) -> set[str]:
    """The names an expression reads (`cfg` in `cfg.cache_file`, not `cache_file`). (Through
    the shared walker: libcst's `children` rebuilds each node it lists, and this runs for the
    value of every assignment in a def.)"""
    found: set[str] = set()
    for named in nodes(node, _NAMING, enter=_never):
        if named.__class__ is cst.Name:
            found.add(named.value)
        else:  # an attribute's or a keyword argument's value, not the attribute or keyword
            found |= _names(named.value)
    return found


def _never(node: cst.CSTNode) -> bool:
    return False
