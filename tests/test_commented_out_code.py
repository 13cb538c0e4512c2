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
