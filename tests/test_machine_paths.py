"""MLD303 and the root user's home: the same in every container that runs as root, so a tool's
hidden folder there is not one machine's path, while data kept there is. (The paths are built
here so that the repository names no home folder of the machine it is developed on.)"""

from __future__ import annotations

import pytest

from mldebt.rule import Invalid, Valid
from mldebt.testing import run_example

ROOT_HOME = "/" + "root"


@pytest.mark.parametrize("path", [f"{ROOT_HOME}/.cache/nemo/models/llava-hf/llava-v1.6-vicuna-7b-hf",
                                  f"{ROOT_HOME}/.cache/huggingface/hub"])
def test_a_tools_folder_in_roots_home_is_not_reported(path):
    findings, _ = run_example("MLD303", Valid(f"HF_MODEL_PATH = '{path}'\n"))
    assert findings == []


def test_data_in_roots_home_is_reported():
    findings, _ = run_example("MLD303", Invalid(f"DATA = '{ROOT_HOME}/data/train.csv'\n"))
    assert [(f.line, f.severity) for f in findings] == [(1, "warning")]
