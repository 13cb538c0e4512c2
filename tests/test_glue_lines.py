"""Statement classes behind the glue-code share: model code, glue by kind, neutral."""

from __future__ import annotations

from conftest import write_tree

from mldebt.engine import scan
from mldebt.extract.facts import GlueLines
from mldebt.settings import load_settings

MODULE = '''\
import os, json
import torch
import pandas as pd
import matplotlib.pyplot as plt

class Net(torch.nn.Module):
    def forward(self, x):
        y = x * 2
        return y

def load(path):
    """Docstrings and imports are not statements."""
    df = pd.read_csv(os.path.join(path, "a.csv"))
    rows = df.to_dict("records")
    keep = [r for r in rows if r["ok"]]
    return json.dumps(keep)

def mixed(path):
    model = torch.nn.Linear(2, 2)
    out = os.path.join(path, "m.pt")
    n = 1
    return model, out, n

def show(path):
    data = json.loads(open(path).read())
    plt.plot(data)
    return data
'''


def _lines(tmp_path, files, path):
    root = write_tree(tmp_path, files)
    report = scan(root, load_settings(root), jobs=1)
    return report, next(f.facts.glue_lines for f in report.files if f.path == path)


def test_statement_classes(tmp_path):
    _, lines = _lines(tmp_path, {"m.py": MODULE}, "m.py")
    # model: the nn.Module class (4 statements) and `torch.nn.Linear`; glue: all 5 of `load`
    # (its `def` line and record filtering too: every library call in it is glue, mostly
    # conversion), `out = os.path.join` and the json line of `show`; neutral: the other lines
    # of `mixed` (it also calls a model API) and of `show` (it also plots)
    assert lines == GlueLines(
        model=5, glue=7, neutral=6, glue_kinds={"file-shuffling": 2, "format-conversion": 5}
    )


def test_metrics_leave_tests_out_and_name_the_heaviest_modules(tmp_path):
    report, _ = _lines(tmp_path, {"m.py": MODULE, "tests/test_m.py": "import json\nx = json.loads('1')\n"}, "m.py")
    glue = report.metrics()["glue_code"]
    assert glue["statements"] == {"model": 5, "glue": 7, "neutral": 6}
    assert glue["share"] == round(7 / 18, 3)
    assert glue["modules"] == [{"path": "m.py", "glue": 7, "statements": 18, "share": round(7 / 18, 3)}]
