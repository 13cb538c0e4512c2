"""commented-out-code reports one finding per stretch of comments, however prose or blank lines
split it, and a new one after each line of live code."""

import pytest

from mldebt.rule import Invalid
from mldebt.testing import run_example

_SPLIT_BLOCK = (
    "x = 1\n# def divs(n):\n#     m = n // 2\n#     return m\n#\n#\n# class Flexi(nn.Module):\n"
    '#     """ 2D patch embedding, FIXME WIP\n#     """\n#     def __init__(self):\n#         super().__init__()\n'
    "#         self.n = 0\n\ny = 2\n"
)
_CLASS_SPLIT_BY_BLANK_LINES = (
    "import torch\n\n\n# class LogEval(Callback):\n#     def _on_eval_end(self, trainer, mode):\n#         print(mode)\n\n"
    "#     @rank_zero_only\n#     def on_test_end(self, trainer, pl_module):\n#         self._on_eval_end(trainer, 'test')\n\n"
    "#     @rank_zero_only\n#     def on_validation_end(self, trainer, pl_module):\n#         self._on_eval_end(trainer, 'val')\n"
)


def _sites(code: str) -> list[tuple[int, str]]:
    findings, _ = run_example("MLD206", Invalid(code))
    return [(f.line, f.message) for f in findings]


@pytest.mark.parametrize(("code", "line"), [(_SPLIT_BLOCK, 2), (_CLASS_SPLIT_BY_BLANK_LINES, 4)], ids=["prose", "blank-lines"])
def test_a_block_split_by_prose_or_blank_lines_is_one_finding(code, line):
    assert _sites(code) == [(line, "7 lines of commented-out code")]


def test_live_code_between_two_blocks_makes_two_findings():
    live = "x = 1\n#     @rank_zero_only\n#     def on_validation_end"
    code = _CLASS_SPLIT_BY_BLANK_LINES.replace("#     @rank_zero_only\n#     def on_validation_end", live)
    assert [line for line, _ in _sites(code)] == [4, 14]
