"""constant-condition: a literal `if False:` is a warning, a local flag set by hand a note."""

from mldebt.rule import Invalid
from mldebt.testing import run_example


def _severities(code: str) -> list[tuple[int, str]]:
    findings, _ = run_example("MLD201", Invalid(code))
    return [(f.line, f.severity) for f in findings]


def test_a_literal_condition_is_a_warning():
    assert _severities("if False:\n    model = add_mixup(model)\n") == [(1, "warning")]


def test_a_local_flag_is_a_note():
    code = "def main():\n    do_test = False\n    train()\n    if do_test:\n        evaluate()\n"
    assert _severities(code) == [(4, "info")]
