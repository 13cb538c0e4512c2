"""MLD406 reports one fact per repository and way of loading it in a module or notebook."""

from __future__ import annotations

from mldebt.rule import Invalid, notebook
from mldebt.testing import run_example

_LOAD = "import datasets\nds = datasets.load_dataset('org/bench', 'task', trust_remote_code=True{})\n"


def _lines(code: str, path: str = "evaluate.py") -> list[int]:
    findings, diagnostics = run_example("MLD406", Invalid(code, path=path))
    assert not diagnostics, diagnostics
    return sorted(f.line for f in findings)


def test_the_same_repository_reloaded_the_same_way_is_one_finding():
    # A notebook's later cell reloads the dataset it loaded above: one finding, at the first load.
    assert len(_lines(notebook(_LOAD.format(""), "x = 1\n", _LOAD.format("")), path="tune.ipynb")) == 1
    assert _lines(_LOAD.format("") + "test = datasets.load_dataset('org/bench', trust_remote_code=True)\n") == [2]


def test_another_repository_or_another_way_of_loading_is_another_finding():
    assert _lines(_LOAD.format("") + "other = datasets.load_dataset('org/other', trust_remote_code=True)\n") == [2, 3]
    assert _lines(_LOAD.format("") + _LOAD.format(", revision='main'").split("\n", 1)[1]) == [2, 3]
