"""Every way Python code binds a name, for visitors that need to know whether a name holds one
literal (a local flag, a hyperparameter in a variable) or may hold anything."""

from __future__ import annotations

import libcst as cst


class NameBindings:
    """A visitor mix-in: calls `bind_name(name, value)` for each binding of a bare name, with
    the assigned expression for a plain `name = value` (or `name: T = value`) and None for any
    other binding (tuple unpacking, augmented assignment, loop and `with` targets, walrus,
    `except ... as`). Scopes (functions, classes) are the subclass's concern."""

    def bind_name(self, name: str, value: cst.BaseExpression | None) -> None:
        raise NotImplementedError

    def bind_target(self, target: cst.BaseExpression, value: cst.BaseExpression | None) -> None:
        if isinstance(target, cst.Name):
            self.bind_name(target.value, value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self.bind_target(element.value, None)
        elif isinstance(target, cst.StarredElement):
            self.bind_target(target.value, None)

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
