"""One traversal of a libcst tree for all rules, without rebuilding it.

libcst's own traversal (`visit_batched`) reconstructs every node on the way back up ("TODO:
provide traversal where children are not replaced" in `CSTNode.visit`); measured on 150
diffusers modules it costs 0.56x the parse. This walker reads children straight from the
node's dataclass fields, iteratively (no recursion limit), and skips pure-whitespace nodes:
0.18x the parse.

It also descends only where a visited node can be: libcst's field annotations say which node
types a field can hold, so parentheses, commas, operators, numbers and any subtree that can
hold no type a visitor asks for are never entered (a fifth of the nodes, on pytorch-lightning).
Children are met in the order their node declares its fields, which is source order except in
a few nodes (an argument's value comes before its keyword).

Rules use `visit_<Node>` and `leave_<Node>` methods; libcst's attribute visitors
(`visit_<Node>_<field>`) are not supported, and the registry test enforces that.
"""

from __future__ import annotations

import dataclasses
import inspect
import typing
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack
from functools import cache

import libcst as cst
from libcst.metadata import MetadataWrapper

_VISITOR_NAMES: dict[type, tuple[str, ...]] = {}


@cache
def _node_types() -> tuple[type, ...]:
    """Every concrete libcst node type."""
    found, stack = [], [cst.CSTNode]
    while stack:
        node_type = stack.pop()
        stack.extend(node_type.__subclasses__())
        if dataclasses.is_dataclass(node_type) and not inspect.isabstract(node_type):
            found.append(node_type)
    return tuple(found)


@cache
def _bits() -> dict[type, int]:
    """A bit per concrete node type: the plan's sets of types are ints."""
    return {node_type: 1 << index for index, node_type in enumerate(_node_types())}


@cache
def _subtypes(base: type) -> int:
    """The concrete node types that are `base` or derive from it. (By their MRO: `issubclass`
    on libcst's abstract bases fills every ABC's subclass caches, 25 MiB for all the pairs.)"""
    mask = 0
    for node_type, bit in _bits().items():
        if base in node_type.__mro__:
            mask |= bit
    return mask


def _admitted(annotation: object) -> int:
    """The concrete node types a field annotated `annotation` can hold (`Sequence[Arg]`,
    `Optional[BaseExpression]`, ...)."""
    if isinstance(annotation, type):
        return _subtypes(annotation) if cst.CSTNode in annotation.__mro__ else 0
    mask = 0
    for argument in typing.get_args(annotation):
        mask |= _admitted(argument)
    return mask


@cache
def _field_types(node_type: type) -> tuple[tuple[str, int], ...]:
    """(field, node types it can hold) for each field of `node_type`, in declaration order."""
    hints = typing.get_type_hints(node_type)
    return tuple((f.name, _admitted(hints[f.name])) for f in dataclasses.fields(node_type))


@cache
def _plan(wanted: frozenset[str]) -> dict[type, tuple[str, ...]]:
    """node type -> the fields to descend into, for the types that are named in `wanted` or
    can hold one (directly or further down); a type absent from the plan is never entered."""
    bits = _bits()
    useful = 0
    for node_type, bit in bits.items():
        if node_type.__name__ in wanted:
            useful |= bit
    grown = True
    while grown:
        grown = False
        for node_type, bit in bits.items():
            if not useful & bit and any(types & useful for _, types in _field_types(node_type)):
                useful |= bit
                grown = True
    return {
        t: tuple(name for name, types in _field_types(t) if types & useful) for t, bit in bits.items() if useful & bit
    }


def _children(node: cst.CSTNode, plan: dict[type, tuple[str, ...]]) -> list[cst.CSTNode]:
    """The children of `node` the plan enters, in source order."""
    children = []
    for field in plan.get(node.__class__, ()):
        value = getattr(node, field)
        value_type = value.__class__
        if value_type is list or value_type is tuple:
            children.extend(c for c in value if c.__class__ in plan)
        elif value_type in plan:
            children.append(value)
    return children


def _visitor_names(visitor_type: type) -> tuple[str, ...]:
    """The `visit_X`/`leave_X` methods a visitor class overrides (libcst's `get_visitors`
    answers the same through `inspect.getmembers`, per instance, at 3 ms a call)."""
    names = _VISITOR_NAMES.get(visitor_type)
    if names is None:
        default = cst.BatchableCSTVisitor
        names = _VISITOR_NAMES[visitor_type] = tuple(
            name
            for name in dir(visitor_type)
            if name.startswith(("visit_", "leave_")) and getattr(visitor_type, name) is not getattr(default, name, None)
        )
    return names


def _dispatch(visitors: Sequence[cst.BatchableCSTVisitor]) -> tuple[dict, dict]:
    visit: dict[str, list[Callable]] = defaultdict(list)
    leave: dict[str, list[Callable]] = defaultdict(list)
    for visitor in visitors:
        for name in _visitor_names(type(visitor)):
            kind, _, node_name = name.partition("_")
            (visit if kind == "visit" else leave)[node_name].append(getattr(visitor, name))
    return dict(visit), dict(leave)


#: The statements `walk` can name as the owner of a node: what `positions` generates code for,
#: one at a time (a simple statement line, or a compound statement for its header).
STATEMENTS = frozenset({"SimpleStatementLine", "FunctionDef", "ClassDef", "If", "For", "While", "With", "Try", "TryStar", "Match"})


def walk(
    module: cst.Module, visitors: Sequence[cst.BatchableCSTVisitor], owners: dict[int, cst.CSTNode | None] | None = None
) -> None:
    """Call every visitor's `visit_X` on entering and `leave_X` on leaving each node of type X,
    in source order, after resolving the metadata the visitors declare (and nothing more).
    With `owners`, record for each node met (by id) the innermost of `STATEMENTS` holding it
    (itself for a statement; None outside any)."""
    with ExitStack() as stack:
        dependents = [v for v in visitors if isinstance(v, cst.MetadataDependent)]
        dependencies = set().union(*(v.get_inherited_dependencies() for v in dependents))
        if dependencies:
            wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
            wrapper.resolve_many(dependencies)
            for visitor in dependents:
                stack.enter_context(visitor.resolve(wrapper))
        _walk(module, *_dispatch(visitors), {} if owners is None else owners)


#: Literals no visitor visits but facts locate (a hyperparameter's value): entered for `owners`.
_LOCATED_LEAVES = frozenset({"Integer", "Float", "Imaginary"})

#: What the walk does on meeting a node of one type: (the `visit_X` methods, the `leave_X`
#: methods, whether it is one of `STATEMENTS`, the fields to descend into).
_Step = tuple[tuple[Callable, ...], tuple[Callable, ...], bool, tuple[str, ...]]


def _steps(visit: dict, leave: dict) -> dict[type, _Step]:
    """One entry per node type the walk enters, looked up once per node: a node costs one
    dictionary lookup whatever the number of visitors, and types absent are never entered."""
    plan = _plan(frozenset(visit) | frozenset(leave) | _LOCATED_LEAVES)
    return {
        t: (tuple(visit.get(t.__name__, ())), tuple(leave.get(t.__name__, ())), t.__name__ in STATEMENTS, fields)
        for t, fields in plan.items()
    }


def _walk(module: cst.Module, visit: dict, leave: dict, owners: dict[int, cst.CSTNode | None]) -> None:
    steps = _steps(visit, leave)
    pending: list = [module]
    owner = None
    while pending:
        node = pending.pop()
        node_type = node.__class__
        if node_type is tuple:  # (node, leave methods) marks the point to leave it
            for method in node[1]:
                method(node[0])
            continue
        if node_type is list:  # [statement]: the owner again once a statement is left
            owner = node[0]
            continue
        visits, leaves, statement, fields = steps[node_type]
        if statement:
            pending.append([owner])
            owner = node
        owners[id(node)] = owner
        for method in visits:
            method(node)
        if leaves:
            pending.append((node, leaves))
        # The children, pushed last first so that they are met in order.
        for field in reversed(fields):
            value = getattr(node, field)
            value_type = value.__class__
            if value_type is list or value_type is tuple:
                pending.extend(c for c in reversed(value) if c.__class__ in steps)
            elif value_type in steps:
                pending.append(value)


def nodes(
    root: cst.CSTNode, wanted: Iterable[str], enter: Callable[[cst.CSTNode], bool] | None = None
) -> Iterator[cst.CSTNode]:
    """The nodes of the types named in `wanted` under `root` (itself included), in the
    walker's order, without rebuilding the tree as libcst's `visit` does (it costs half a
    parse); a node for which `enter` returns False is given but not entered."""
    plan = _plan(frozenset(wanted))
    names = frozenset(wanted)
    pending = [root]
    while pending:
        node = pending.pop()
        if node.__class__.__name__ in names:
            yield node
            if enter is not None and not enter(node):
                continue
        pending.extend(reversed(_children(node, plan)))
