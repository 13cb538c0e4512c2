"""Every way Python code binds a name, for visitors that need to know whether a name holds one
literal (a local flag, a hyperparameter in a variable) or may hold anything."""

from __future__ import annotations

import libcst as cst


def target_elements(target: cst.BaseExpression) -> list[cst.BaseExpression]:
    """The single targets of an assignment or loop target (`a, (self.b, *c[0])`: `a`, `self.b`, `c[0]`)."""
    if isinstance(target, (cst.Tuple, cst.List)):
        return [single for element in target.elements for single in target_elements(element.value)]
    if isinstance(target, cst.StarredElement):
        return target_elements(target.value)
    return [target]


def bound_names(target: cst.BaseExpression) -> list[str]:
    """The names an assignment or loop target binds; none for items and attributes."""
    return [single.value for single in target_elements(target) if isinstance(single, cst.Name)]


class NameBindings:
    """A visitor mix-in: calls `bind_name(name, value)` for each binding of a bare name, with
    the assigned expression for a plain `name = value` (or `name: T = value`) and None for any
    other binding (tuple unpacking, augmented assignment, loop and `with` targets, walrus,
    `except ... as`). Scopes (functions, classes) are the subclass's concern."""

    def bind_name(self, name: str, value: cst.BaseExpression | None) -> None:
        raise NotImplementedError

    def bind_target(self, target: cst.BaseExpression, value: cst.BaseExpression | None) -> None:
        for name in bound_names(target):
            self.bind_name(name, value if isinstance(target, cst.Name) else None)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self.bind_target(target.target, node.value if len(node.targets) == 1 else None)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self.bind_target(node.target, node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self.bind_target(node.target, None)

    def visit_For(self, node: cst.For) -> None:
        self.bind_target(node.target, None)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self.bind_target(node.target, None)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self.bind_target(node.asname.name, None)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self.bind_target(node.name.name, None)
