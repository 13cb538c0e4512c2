"""Where a module's namespace of parsed options goes (`args = parser.parse_args()`).

An option is unread only if nothing reads `args.<dest>`; mldebt can say so only where it sees
every reader. The namespace stays in code it can follow when each use of it as a bare value
goes to the module's own functions and classes (whose parameters it then follows), to a
function imported from a module of the repository (`Project.module_file` decides, later), to a
display (`print`, logging, `str`, f-strings), or to another name that is followed in turn.
Any other hand-off (a call of a library, of something unresolved, a tuple or list element, a
lambda) lets the options be read by name where mldebt cannot look: it cannot tell.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import libcst as cst

from mldebt.extract.bindings import target_elements
from mldebt.extract.context import FileContext, dotted_name

#: Methods of an argparse parser that return the namespace (first of a pair for `parse_known_args`).
_PARSE_METHODS = frozenset({"parse_args", "parse_known_args", "parse_intermixed_args"})
#: Parameter names that, in a module declaring options, hold the parsed namespace.
_NAMESPACE_PARAMETERS = frozenset({"args", "opt", "opts", "options", "hparams", "flags", "namespace", "cli_args"})
#: Calls that only display, test or inspect a namespace; `vars` is counted as a wholesale read elsewhere.
_LOOKING_CALLS = frozenset({
    "print", "str", "repr", "format", "len", "isinstance", "hasattr", "getattr", "setattr", "delattr", "vars",
    "type", "id", "bool", "pprint.pprint", "pprint.pformat",
})
#: Logger methods (`logger.info(args)`, `logging.info(args)`): they display what they are given.
_LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "critical", "exception", "log"})
#: Parents in which a bare namespace is tested or shown, not handed on.
_LOOKING_PARENTS = (
    cst.FormattedStringExpression, cst.Comparison, cst.ComparisonTarget, cst.If, cst.While, cst.Assert,
    cst.UnaryOperation, cst.BooleanOperation, cst.BinaryOperation, cst.Del, cst.Expr, cst.IfExp,
)
#: Parents in which a name is no namespace at all (a namespace is neither subscripted, iterated
#: nor called): another `args` of the module, a tuple of positional arguments.
_OTHER_VALUE_PARENTS = (cst.Subscript, cst.For, cst.CompFor, cst.Call, cst.StarredElement)


@dataclass
class NamespaceUse:
    """`leaves`: some use hands the namespace where mldebt cannot follow it. `callees`: the
    qualified names of imported functions given it, to be told apart (repository or library)
    once the project is known."""

    leaves: bool = False
    callees: set[str] = field(default_factory=set)


def _walk(node: cst.CSTNode, parent: cst.CSTNode | None = None) -> Iterator[tuple[cst.CSTNode, cst.CSTNode | None]]:
    stack = [(node, parent)]
    while stack:
        current, above = stack.pop()
        yield current, above
        stack.extend((child, current) for child in reversed(current.children))


def _is_parse_call(node: cst.BaseExpression | None) -> bool:
    """`parser.parse_args()`, or `parser.parse_known_args()[0]`."""
    if isinstance(node, cst.Subscript):
        node = node.value
    return isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value in _PARSE_METHODS


class _Follower:
    def __init__(self, ctx: FileContext, module: cst.Module) -> None:
        self.ctx = ctx
        self.pairs = list(_walk(module))
        self.parents = {id(child): parent for child, parent in self.pairs}
        self.functions: dict[str, cst.FunctionDef] = {}
        self.classes: dict[str, cst.ClassDef] = {}
        for node, _ in self.pairs:
            if isinstance(node, cst.FunctionDef):
                self.functions.setdefault(node.name.value, node)
            elif isinstance(node, cst.ClassDef):
                self.classes.setdefault(node.name.value, node)
        self.bound: set[int] = set()  # ids of names an assignment, a loop or a parameter binds
        for node, _ in self.pairs:
            if isinstance(node, cst.AssignTarget):
                self.bound.update(id(t) for t in target_elements(node.target))
            elif isinstance(node, (cst.AnnAssign, cst.AugAssign)):
                self.bound.add(id(node.target))
            elif isinstance(node, (cst.For, cst.CompFor)):
                self.bound.update(id(t) for t in target_elements(node.target))
        self.names = self._seeds()
        self.use = NamespaceUse()

    def _seeds(self) -> set[str]:
        """`args = parser.parse_args()`, `args, rest = parser.parse_known_args()`, the result of a
        local function returning one, and a parameter named as a namespace (`def main(args)`: a
        module that declares options but parses them elsewhere is handed its namespace so)."""
        returning = {
            name for name, function in self.functions.items()
            if any(isinstance(n, cst.Return) and _is_parse_call(n.value) for n, _ in _walk(function))
        }
        seeds = {
            param.name.value for function in self.functions.values()
            for param in (*function.params.params, *function.params.kwonly_params) if param.name.value in _NAMESPACE_PARAMETERS
        }
        for node, _ in self.pairs:
            if not isinstance(node, cst.Assign):
                continue
            value = node.value
            local = isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value in returning
            if _is_parse_call(value) or local:
                for target in node.targets:
                    first = target.target.elements[0].value if isinstance(target.target, cst.Tuple) else target.target
                    name = dotted_name(first)
                    if name:
                        seeds.add(name)
        return seeds

    def follow(self) -> NamespaceUse:
        done: set[str] = set()
        while self.names - done:  # a name found to hold the namespace may be used before its binding is met
            done |= self.names
            for node, parent in self.pairs:
                if isinstance(node, (cst.Name, cst.Attribute)) and id(node) not in self.bound and dotted_name(node) in self.names:
                    self._used(node, parent)
        return self.use

    def _used(self, node: cst.BaseExpression, parent: cst.CSTNode | None) -> None:
        if isinstance(parent, cst.Attribute):
            return  # `args.lr` (a read by name), or `x.args` (another object's attribute)
        if isinstance(parent, (cst.Param, cst.NameItem, cst.ImportAlias, cst.FunctionDef, cst.ClassDef)):
            return  # a binding or a declaration, not a use
        if isinstance(parent, cst.Arg):
            if parent.keyword is node:
                return  # `f(args=...)`: the keyword's name
            call = self.parents.get(id(parent))
            if isinstance(call, cst.Call) and parent.star == "":
                self._handed(call, parent)
                return
            if parent.star:
                return  # `f(*args)`: a tuple of positional arguments, not a namespace
        elif isinstance(parent, _LOOKING_PARENTS):
            return
        elif isinstance(parent, _OTHER_VALUE_PARENTS):
            return
        elif isinstance(parent, cst.Return) or self._returned(parent):
            return  # to the caller (`return args`, `return cfg, args`): a local one binds the result as a seed
        elif isinstance(parent, cst.Assign) and parent.value is node:
            self.names.update(dotted_name(t.target) or "" for t in parent.targets)  # `self.args = args`: followed
            self.names.discard("")
            return
        self.use.leaves = True

    def _returned(self, parent: cst.CSTNode | None) -> bool:
        """An element of a tuple a function returns (`return cfg, args`)."""
        container = self.parents.get(id(parent)) if isinstance(parent, cst.Element) else None
        return isinstance(container, cst.Tuple) and isinstance(self.parents.get(id(container)), cst.Return)

    def _handed(self, call: cst.Call, arg: cst.Arg) -> None:
        func = call.func
        qualified = self.ctx.qualname(func)
        method = func.attr.value if isinstance(func, cst.Attribute) else None
        if qualified in _LOOKING_CALLS or (qualified or "").startswith("logging.") or method in _LOG_METHODS:
            return
        if isinstance(func, cst.Attribute) and dotted_name(func.value) in self.names:
            self._dispatched(func.attr.value, call, arg)
            return
        local = func.value if isinstance(func, cst.Name) else None
        if method and isinstance(func.value, cst.Name) and func.value.value in ("self", "cls"):
            local = method
        if local in self.functions or local in self.classes:
            self._bind(self._callee(local), call, arg)
        elif qualified and qualified.startswith("."):
            return  # a relative import: the repository's own module, read by the whole-repository search
        elif qualified and (dotted_name(func) or "").split(".", 1)[0] in self.ctx.imports:
            self.use.callees.add(qualified)  # imported: the repository's own module or a library's
        else:
            self.use.leaves = True

    def _dispatched(self, attribute: str, call: cst.Call, arg: cst.Arg) -> None:
        """`args.func(args)`: argparse's subcommand idiom calls what `set_defaults(func=...)` put
        in the namespace; followed when each is the module's own function."""
        handlers = [
            a.value for node, _ in self.pairs if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
            and node.func.attr.value == "set_defaults" for a in node.args if a.keyword and a.keyword.value == attribute
        ]
        if not handlers or not all(isinstance(h, cst.Name) and h.value in self.functions for h in handlers):
            self.use.leaves = True
            return
        for handler in handlers:
            self._bind(self.functions[handler.value], call, arg)

    def _callee(self, name: str) -> cst.FunctionDef | None:
        if name in self.functions:
            return self.functions[name]
        body = self.classes[name].body.body
        return next((s for s in body if isinstance(s, cst.FunctionDef) and s.name.value == "__init__"), None)

    def _bind(self, function: cst.FunctionDef | None, call: cst.Call, arg: cst.Arg) -> None:
        """The parameter of a local function that receives the namespace is followed too."""
        if function is None:
            self.use.leaves = True  # a class without `__init__` of its own: maybe a library's subclass
            return
        params = [p for p in function.params.params if p.name.value not in ("self", "cls")]
        if arg.keyword is not None:
            self.names.add(arg.keyword.value)
            return
        position = [a for a in call.args if a.keyword is None].index(arg)
        if position < len(params):
            self.names.add(params[position].name.value)
        else:
            self.use.leaves = True  # into `*args`


def namespace_use(ctx: FileContext, module: cst.Module) -> NamespaceUse:
    """Where the module's parsed namespace goes (see the module docstring)."""
    return _Follower(ctx, module).follow()
