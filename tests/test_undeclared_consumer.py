"""`undeclared-artifact-consumer` reports one missing pipeline edge once, however many files
travel along it (a prepare step's train/dev/test splits), and two edges twice."""

from __future__ import annotations

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
