"""MLD303 and the root user's home: the same in every container that runs as root, so nothing
kept there (a tool's hidden folder or data) is one machine's path, while a person's home is.
(The paths are built here so that the repository names no home folder of the machine it is
developed on.)"""

from __future__ import annotations

import pytest

from mldebt.rule import Invalid, Valid
from mldebt.testing import run_example

ROOT_HOME = "/" + "root"


@pytest.mark.parametrize("path", [f"{ROOT_HOME}/.cache/nemo/models/llava-hf/llava-v1.6-vicuna-7b-hf",
                                  f"{ROOT_HOME}/.cache/huggingface/hub", f"{ROOT_HOME}/models/olmo-2",
                                  f"{ROOT_HOME}/data/train.csv"])
def test_nothing_in_roots_home_is_reported(path):
    findings, _ = run_example("MLD303", Valid(f"HF_MODEL_PATH = '{path}'\n"))
    assert findings == []


def test_a_persons_home_is_reported():
    findings, _ = run_example("MLD303", Invalid("DATA = '/" + "home/alice/data/train.csv'\n"))
    assert [(f.line, f.severity) for f in findings] == [(1, "warning")]
