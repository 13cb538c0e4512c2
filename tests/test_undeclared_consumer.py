"""`undeclared-artifact-consumer` reports one missing pipeline edge once, however many files
travel along it (a prepare step's train/dev/test splits), and two edges twice."""

from __future__ import annotations

import json

from conftest import write_tree

from mldebt.engine import scan

_PREPARE = (
    "import pickle\n"
    "pickle.dump(a, open('out/train.pkl', 'wb'))\npickle.dump(b, open('out/dev.pkl', 'wb'))\n"
    "pickle.dump(c, open('out/test.pkl', 'wb'))\n"
)
_FIT = (
    "import pickle\n"
    "train = pickle.load(open('out/train.pkl', 'rb'))\ndev = pickle.load(open('out/dev.pkl', 'rb'))\n"
    "test = pickle.load(open('out/test.pkl', 'rb'))\n"
)


def _consumer_findings(tmp_path, files):
    write_tree(tmp_path, files)
    return [f for f in scan(tmp_path, jobs=1).findings if f.rule == "MLD501"]


def test_the_splits_of_one_producer_are_one_finding(tmp_path):
    (finding,) = _consumer_findings(tmp_path, {"prepare.py": _PREPARE, "fit.py": _FIT})
    assert (finding.path, finding.line) == ("fit.py", 2)
    assert "and 2 more files it hands over" in finding.message


def test_two_producers_are_two_findings(tmp_path):
    found = _consumer_findings(tmp_path, {
        "prepare.py": _PREPARE.replace("out/test.pkl", "other.pkl"),
        "split.py": "import pickle\npickle.dump(c, open('out/test.pkl', 'wb'))\n",
        "fit.py": _FIT,
    })
    assert sorted((f.line, f.related[0].path) for f in found) == [(2, "prepare.py"), (4, "split.py")]


def _exercise(blank_cell: str) -> str:
    """A notebook whose first cell (an exercise's blank) does not parse and whose second reads
    the samples a solution script writes."""
    return json.dumps({"cells": [
        {"cell_type": "code", "metadata": {}, "source": blank_cell},
        {"cell_type": "code", "metadata": {}, "source": "import pickle as pkl\nsamples = pkl.load(open('train_samples.pkl', 'rb'))\n"},
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


_SOLUTION = "import pickle as pkl\nwith open('train_samples.pkl', 'wb') as f:\n    pkl.dump(samples, f)\n"


def test_a_notebook_cell_that_does_not_parse_may_write_the_file_it_quotes(tmp_path):
    blank = "samples = train(D, G, # TODO: fill in\nwith open('train_samples.pkl', 'wb') as f:\n    pkl.dump(samples, f)\n"
    assert _consumer_findings(tmp_path, {"gan/exercise.ipynb": _exercise(blank), "gan/solution.py": _SOLUTION}) == []


def test_a_notebook_cell_that_does_not_parse_and_names_another_file_writes_nothing_read(tmp_path):
    blank = "losses = train(D, G, # TODO: fill in\nplot(losses, 'curve.png')\n"
    (finding,) = _consumer_findings(tmp_path, {"gan/exercise.ipynb": _exercise(blank), "gan/solution.py": _SOLUTION})
    assert finding.path == "gan/exercise.ipynb" and "written by gan/solution.py:2" in finding.message
