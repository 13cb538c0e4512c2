"""MLD607 reports one fact once: a package installed loose twice in a notebook is one finding."""

from __future__ import annotations

from mldebt.rule import Invalid, notebook
from mldebt.testing import run_example

_RUN = {"requirements.txt": "transformers==4.41.2\ntorch==2.3.1\n"}


def _lines(*cells: str) -> list[int]:
    findings, diagnostics = run_example("MLD607", Invalid(notebook(*cells), path="train.ipynb", files=_RUN))
    assert not diagnostics, diagnostics
    return sorted(f.line for f in findings)


def test_second_install_of_one_package_is_not_reported_again():
    assert _lines("!pip install transformers\n!pip install transformers[sentencepiece]",
                  "import transformers") == [1]


def test_a_later_cell_installing_it_again_is_the_same_fact():
    assert _lines("!pip install transformers", "import transformers", "!pip install -U transformers") == [1]


def test_each_package_is_still_reported_at_its_first_install():
    assert _lines("!pip install transformers\n!pip install torch transformers", "import transformers, torch") == [1, 2]
