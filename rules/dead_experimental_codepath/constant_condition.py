import re
from dataclasses import dataclass, field

import libcst as cst

from mldebt.extract.bindings import NameBindings
from mldebt.extract.context import UNKNOWN, literal_value
from mldebt.rule import Category, Confidence, Invalid, PythonRule, Severity, Valid


#: A trailing comment that speaks to a tool (`# noqa`, `# type: ignore`, `# pragma: no cover`, a
#: test's marker of the finding it expects there, `# expect: MLD201`), not to a reader: it
#: documents nothing.
_DIRECTIVE = re.compile(r"#\s*(noqa|type:|pragma|pylint:|fmt:|nosec|mldebt:|expect:)", re.IGNORECASE)


def _documents(comment: cst.Comment | None) -> bool:
    """Whether a line's trailing comment says something to a reader (what a switch is for)."""
    return comment is not None and not _DIRECTIVE.match(comment.value)


def _header_comment(block: cst.BaseSuite) -> cst.Comment | None:
    """The comment closing the line that opens a block (`if False:  # inspect the masking`)."""
    return block.header.comment if isinstance(block, cst.IndentedBlock) else block.trailing_whitespace.comment


def _constant(test: cst.BaseExpression) -> bool | None:
    """The truth value of a literal condition (`False`, `0`, `None`, `not True`), else None."""
    negate = False
    while isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        negate, test = not negate, test.expression
    value = literal_value(test)
    if value is UNKNOWN or not (value is None or isinstance(value, (bool, int))):
        return None
    return bool(value) != negate


class ConstantCondition(NameBindings, PythonRule):
    """A branch behind a literal condition (`if False:`, `if 0:`, `while False:`, the `else` of `if True:`).

    ## Why it matters
    `if False:` is how an experiment gets switched off in a hurry; months later nobody knows
    whether the code inside still works, still matters, or would break production if someone
    flipped it back. Delete the dead block, or turn it into a real, tested option.

    Also a local flag: a name a function assigns `True` or `False` once and never changes
    (`use_ema = False` ... `if use_ema:`), with medium confidence and at info: such a switch
    is usually set by hand on purpose (`do_test = False` in an example), so the note says what
    never runs rather than warning about it. A flag whose assignment carries a comment
    (`plot2 = False  # plot additional results`, `drift_detected = False  # would be the
    result of a real comparison`) is a switch its author documents: not reported; so is a
    literal condition whose line says what the block is for (`if False:  # Inspect and check
    the correctness of masking`), a debug switch kept on purpose. A tool directive (`# noqa`,
    `# pragma: no cover`) documents nothing.

    ## Known limitations
    Literal conditions and local flags only; module-level flags are the `never-toggled-flag`
    rule's job. A local flag that is a parameter, is assigned twice (a fallback in `except:`,
    a loop that sets it) or is declared `global`/`nonlocal` is not constant. `while True:` is
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
        Invalid("if False:\n    model = add_mixup(model)\n", line=1, message="`if False:`"),
        Invalid("x = 1\nif 0:\n    x = 2\n", line=2),
        # A tool directive on the line documents nothing; nor does a comment inside the block.
        Invalid("if False:  # pragma: no cover\n    old_loss()\n", line=1),
        Invalid("if False:\n    # old loss\n    old_loss()\n", line=1),
        Invalid("def train(model):\n    use_ema = False  # noqa: F841\n    if use_ema:\n        model.update_ema()\n", line=3),
        Invalid("while False:\n    step()\n", line=1),
        Invalid("if True:\n    a = 1\nelse:\n    a = 2\n", line=3, message="`else`"),
        Invalid("if x:\n    pass\nelif False:\n    y = 1\n", line=3),
        Invalid("if not True:\n    y = 1\n", line=1),
        Invalid("def train(model):\n    use_ema = False\n    for step in range(10):\n        if use_ema:\n"
                "            model.update_ema()\n    return model\n", line=4, message="`use_ema` is always False in `train()`"),
        Invalid("def run():\n    fast = True\n    if not fast:\n        slow_path()\n", line=3),
        # One local flag guarding two blocks is one finding, at the first.
        Invalid("def plot():\n    plot2 = False\n    if plot2:\n        a()\n    b()\n    if plot2:\n        c()\n",
                line=3, message="this block and 1 more it guards never run"),
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
        "def train(use_ema=False):\n    if use_ema:\n        ema()\n",
        "def train(batches):\n    found = False\n    for b in batches:\n        if b:\n            found = True\n"
        "    if found:\n        report()\n",
        "def load():\n    try:\n        import apex\n        has_apex = True\n    except ImportError:\n"
        "        has_apex = False\n    if has_apex:\n        use(apex)\n",
        "def outer():\n    done = False\n    def stop():\n        nonlocal done\n        done = True\n"
        "    stop()\n    if done:\n        finish()\n",
        "use_ema = False\nif use_ema:\n    ema()\n",
        "def f():\n    debug = True\n    if debug:\n        print('x')\n",
        # A switch documented where it is set: its author knows what it turns off.
        "def plot():\n    plot2 = False  # plot additional results\n    if plot2:\n        extra()\n",
        # A literal switch whose line says what the block is for: a debug check kept on purpose.
        "def tokenize(targets, mask):\n    if False:  # inspect the labels after masking\n        print(targets[mask])\n"
        "    return targets\n",
        "while 0:  # enable to trace the queue\n    trace()\n",
    ]

    def __init__(self, ctx, options) -> None:
        super().__init__(ctx, options)
        self._functions: list[_FunctionFlags] = []
        self._commented = False  # the statement being visited has a trailing comment

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self._commented = _documents(node.trailing_whitespace.comment)

    def leave_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self._commented = False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self._functions:
            self._functions[-1].bind(node.name.value, None)
        scope = _FunctionFlags(node.name.value)
        params = node.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params, params.star_arg, params.star_kwarg):
            if isinstance(param, cst.Param):
                scope.bind(param.name.value, None)
        self._functions.append(scope)

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        scope = self._functions.pop()
        dead: dict[str, list[cst.CSTNode]] = {}
        for test, name, dead_when in scope.guards:
            values = scope.bindings.get(name, [])
            if name not in scope.dynamic and len(values) == 1 and values[0] is not None and values[0] == dead_when:
                dead.setdefault(name, []).append(test)
        # One flag, one finding: at its first dead block, counting the others.
        for name, tests in dead.items():
            blocks = f"this block and {len(tests) - 1} more it guards never run" if len(tests) > 1 else "this block never runs"
            self.report(
                tests[0],
                f"`{name}` is always {scope.bindings[name][0]} in `{scope.name}()`: {blocks}",
                self._hint,
                severity=Severity.INFO,
                confidence=Confidence.MEDIUM,
            )

    def bind_name(self, name: str, value: cst.BaseExpression | None) -> None:
        if self._functions:
            flag = literal_value(value) if value is not None and not self._commented else None
            self._functions[-1].bind(name, flag if isinstance(flag, bool) else None)

    def visit_Global(self, node: cst.Global) -> None:
        if self._functions:
            self._functions[-1].dynamic.update(n.name.value for n in node.names)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        for scope in self._functions:
            scope.dynamic.update(n.name.value for n in node.names)

    def visit_If(self, node: cst.If) -> None:
        value = _constant(node.test)
        if value is False and node.body.body:
            if _documents(_header_comment(node.body)):
                return  # a debug switch whose line says what it is for
            self.report(node.test, f"`if {self._text(node.test)}:` block never runs", self._hint)
        elif value is True and node.orelse is not None:
            dead = node.orelse.test if isinstance(node.orelse, cst.If) else node.orelse
            self.report(dead, f"`else` branch of `if {self._text(node.test)}:` never runs", self._hint)
        elif self._functions:
            test, dead_when = node.test, False
            if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
                test, dead_when = test.expression, True
            if isinstance(test, cst.Name):
                self._functions[-1].guards.append((node.test, test.value, dead_when))

    def visit_While(self, node: cst.While) -> None:
        if _constant(node.test) is False and node.body.body and not _documents(_header_comment(node.body)):
            self.report(node.test, f"`while {self._text(node.test)}:` loop never runs", self._hint)

    _hint = "delete the dead block, or make it a real option that a config or CLI flag switches"

    def _text(self, node: cst.BaseExpression) -> str:
        return self.ctx.module.code_for_node(node)


@dataclass
class _FunctionFlags:
    """One function's bindings (a bool literal, or None for any other binding) and the
    `if name:` tests it makes, to find flags it sets once and never changes."""

    name: str
    bindings: dict[str, list[bool | None]] = field(default_factory=dict)
    dynamic: set[str] = field(default_factory=set)
    guards: list[tuple[cst.BaseExpression, str, bool]] = field(default_factory=list)

    def bind(self, name: str, binding: bool | None) -> None:
        self.bindings.setdefault(name, []).append(binding)
