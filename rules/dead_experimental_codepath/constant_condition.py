import libcst as cst

from mldebt.extract.context import UNKNOWN, literal_value
from mldebt.rule import Category, Confidence, Invalid, PythonRule, Severity, Valid


def _constant(test: cst.BaseExpression) -> bool | None:
    """The truth value of a literal condition (`False`, `0`, `None`, `not True`), else None."""
    negate = False
    while isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        negate, test = not negate, test.expression
    value = literal_value(test)
    if value is UNKNOWN or not (value is None or isinstance(value, (bool, int))):
        return None
    return bool(value) != negate


class ConstantCondition(PythonRule):
    """A branch behind a literal condition (`if False:`, `if 0:`, `while False:`, the `else` of `if True:`).

    ## Why it matters
    `if False:` is how an experiment gets switched off in a hurry; months later nobody knows
    whether the code inside still works, still matters, or would break production if someone
    flipped it back. Delete the dead block, or turn it into a real, tested option.

    ## Known limitations
    Only literal conditions; flags are the `never-toggled-flag` rule's job. `while True:` is
    a loop, not a dead branch, and is not reported. Test code is not checked.

    ## References
    - Sculley et al. 2015, Hidden Technical Debt in Machine Learning Systems, sec. 5 (dead experimental codepaths)
    """

    id = "MLD201"
    name = "constant-condition"
    category = Category.DEAD_EXPERIMENTAL_CODEPATH
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    in_tests = False
    INVALID = [
        Invalid("if False:\n    model = add_mixup(model)\n", line=2, message="`if False:`"),
        Invalid("x = 1\nif 0:\n    x = 2\n", line=3),
        Invalid("while False:\n    step()\n", line=2),
        Invalid("if True:\n    a = 1\nelse:\n    a = 2\n", line=4, message="`else`"),
        Invalid("if x:\n    pass\nelif False:\n    y = 1\n", line=4),
        Invalid("if not True:\n    y = 1\n", line=2),
    ]
    VALID = [
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import torch\n",
        "if __name__ == '__main__':\n    main()\n",
        "if __debug__:\n    check()\n",
        "import sys\nif sys.version_info >= (3, 11):\n    import tomllib\n",
        "while True:\n    if step():\n        break\n",
        "if True:\n    x = 1\n",
        "if USE_MIXUP:\n    x = 1\n",
        Valid("if False:\n    x = 1\n", path="tests/test_skip.py"),
    ]

    def visit_If(self, node: cst.If) -> None:
        value = _constant(node.test)
        if value is False and node.body.body:
            self.report(node.body.body[0], f"`if {self._text(node.test)}:` block never runs", self._hint)
        elif value is True and node.orelse is not None:
            dead = node.orelse if isinstance(node.orelse, cst.If) else node.orelse.body.body[0]
            self.report(dead, f"`else` branch of `if {self._text(node.test)}:` never runs", self._hint)

    def visit_While(self, node: cst.While) -> None:
        if _constant(node.test) is False and node.body.body:
            self.report(node.body.body[0], f"`while {self._text(node.test)}:` loop never runs", self._hint)

    _hint = "delete the dead block, or make it a real option that a config or CLI flag switches"

    def _text(self, node: cst.BaseExpression) -> str:
        return self.ctx.module.code_for_node(node)
