"""commented-out-code reports one finding per comment block, however prose splits it."""

from mldebt.rule import Invalid
from mldebt.testing import run_example

_SPLIT_BLOCK = (
    "x = 1\n# def divs(n):\n#     m = n // 2\n#     return m\n#\n#\n# class Flexi(nn.Module):\n"
    '#     """ 2D patch embedding, FIXME WIP\n#     """\n#     def __init__(self):\n#         super().__init__()\n'
    "#         self.n = 0\n\ny = 2\n"
)


def test_a_block_split_by_prose_is_one_finding():
    findings, _ = run_example("MLD206", Invalid(_SPLIT_BLOCK))
    assert [(f.line, f.message) for f in findings] == [(2, "7 lines of commented-out code")]


_CLASS_SPLIT_BY_BLANK_LINES = (
    "import torch\n\n\n# class LogEval(Callback):\n#     def _on_eval_end(self, trainer, mode):\n#         print(mode)\n\n"
    "#     @rank_zero_only\n#     def on_test_end(self, trainer, pl_module):\n#         self._on_eval_end(trainer, 'test')\n\n"
    "#     @rank_zero_only\n#     def on_validation_end(self, trainer, pl_module):\n#         self._on_eval_end(trainer, 'val')\n"
)


def test_a_commented_out_class_split_by_blank_lines_is_one_finding():
    findings, _ = run_example("MLD206", Invalid(_CLASS_SPLIT_BY_BLANK_LINES))
    assert [(f.line, f.message) for f in findings] == [(4, "7 lines of commented-out code")]


def test_live_code_between_two_blocks_makes_two_findings():
    code = _CLASS_SPLIT_BY_BLANK_LINES.replace("#     @rank_zero_only\n#     def on_validation_end", "x = 1\n#     @rank_zero_only\n#     def on_validation_end")
    findings, _ = run_example("MLD206", Invalid(code))
    assert [f.line for f in findings] == [4, 14]
