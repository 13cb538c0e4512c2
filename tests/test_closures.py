"""Reachability shared between starts (`mldebt.project.closures`) and the call graph's runs built
on it: the same nodes as a walk of each start's own closure, whatever order starts are asked in."""

from __future__ import annotations

import random

import pytest
from conftest import write_tree

from mldebt.engine import scan
from mldebt.project import callgraph
from mldebt.project.callgraph import CallGraph
from mldebt.project.closures import Closures, Numbering
from mldebt.project.model import Project


def _walk(successors, start, excluded=None) -> set:
    seen = {start} if excluded is None else {start, excluded}
    queue = [start]
    while queue:
        for nxt in successors(queue.pop()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen - {excluded}


def _random_graph(rng: random.Random, size: int) -> dict[int, list[int]]:
    """Sparse enough to leave sinks and chains, dense enough for cycles of every size."""
    return {node: rng.sample(range(size), min(size, rng.choice((0, 1, 1, 2, 3)))) for node in range(size)}


def test_closures_equal_each_start_s_own_walk_on_random_graphs_with_and_without_a_node():
    rng = random.Random(10)
    for _ in range(60):
        edges = _random_graph(rng, rng.randint(1, 40))
        numbering = Numbering()
        whole = Closures(edges.__getitem__, numbering)
        without = {x: Closures(edges.__getitem__, numbering, x, whole) for x in rng.sample(sorted(edges), min(3, len(edges)))}
        asked = [(x, node) for node in edges for x in [None, *without]]
        rng.shuffle(asked)  # later starts reuse what earlier ones discovered
        for excluded, start in asked:
            if start == excluded:
                continue
            closures = whole if excluded is None else without[excluded]
            assert set(numbering.members(closures.of(start))) == _walk(edges.__getitem__, start, excluded)


def test_the_nodes_of_a_cycle_share_one_closure_and_forgotten_closures_come_back_the_same():
    edges = {"a": ["b"], "b": ["c"], "c": ["a", "d"], "d": []}
    closures = Closures(edges.__getitem__, Numbering())
    assert closures.of("a") is closures.of("b") is closures.of("c")
    assert set(closures.numbering.members(closures.of("d"))) == {"d"}
    first, size = closures.of("a"), closures.size
    closures.forget()
    assert closures.size == 0 and closures.of("b") == first and closures.size == size


@pytest.mark.parametrize("budget", [callgraph.CLOSURES_BUDGET, 0])
def test_a_run_reaches_what_a_walk_from_its_start_reaches_callbacks_of_its_own_top_level_included(tmp_path, monkeypatch, budget):
    """Also with no memory for closures kept between questions: each is computed again."""
    monkeypatch.setattr(callgraph, "CLOSURES_BUDGET", budget)
    root = write_tree(tmp_path, {
        "lab/__init__.py": "from lab.registry import register\nfrom lab.tuner import Tuner\nregister(Tuner)\n",
        "lab/registry.py": "def register(cls):\n    return cls\n",
        "lab/tuner.py": "from lab.registry import register\nclass Tuner:\n    def fit(self):\n        helper()\n"
                        "def helper():\n    return register(Tuner)\n",
        "train.py": "from lab.tuner import Tuner, helper\nimport lab\n\ndef main():\n    run(helper)\n\n"
                    "def run(callback):\n    callback()\n\nschedule(main)\nif __name__ == '__main__':\n    main()\n",
        "cli.py": "from train import main\nmain()\n",
    })
    report = scan(root, jobs=1)
    project = Project({r.path: (r.kind, r.facts) for r in report.files})
    graph = CallGraph(project)
    nodes = [(path, function) for path, functions in graph.functions.items() for function in functions]
    assert ("train.py", "") in nodes and ("lab/tuner.py", "Tuner.fit") in nodes
    for start in nodes:
        for around in (None, ("train.py", ""), ("lab/__init__.py", "")):

            def successors(node, start=start):
                return graph.successors(node, bool(node[1]) or node[0] == start[0])

            expected = _walk(successors, start, None if around == start else around)
            assert set(graph.numbering.members(graph.reach(start, around))) == expected, (start, around)
    fresh = CallGraph(project)
    fresh.reach(("cli.py", ""))
    graph.reach(("cli.py", ""))
    held = sum(c.size for c in graph._closures.values())
    needed = sum(c.size for c in fresh._closures.values())
    assert held > needed if budget else held == needed  # kept between questions, or only the last one's


def test_successors_read_from_the_per_file_indexes_name_what_the_files_say(tmp_path):
    """A class reaches its own methods and no other class's (the per-file member index), a top
    level the files its imports name (the per-file import homes): a name two folders each hold
    means the importer's own folder's file; a third-party name, none."""
    root = write_tree(tmp_path, {
        "a/__init__.py": "", "a/utils.py": "def seed():\n    pass\n",
        "b/__init__.py": "", "b/utils.py": "def seed():\n    pass\n",
        "a/train.py": "import torch.nn\nimport utils\nfrom .utils import seed\n\nclass Net:\n"
                      "    def fit(self):\n        def step():\n            seed()\n        step()\n\n"
                      "    def save(self):\n        pass\n\nclass Other:\n    def fit(self):\n        pass\n",
    })
    report = scan(root, jobs=1)
    graph = CallGraph(Project({r.path: (r.kind, r.facts) for r in report.files}))
    assert graph.import_homes("a/train.py") == ("a/utils.py", "a/utils.py")
    assert set(graph.successors(("a/train.py", ""), False)) >= {("a/utils.py", "")}
    assert ("b/utils.py", "") not in graph.successors(("a/train.py", ""), False)
    members = {n for n in graph.successors(("a/train.py", "Net"), True) if n[0] == "a/train.py"}
    assert members == {("a/train.py", ""), *[("a/train.py", f) for f in graph.functions["a/train.py"] if f.startswith("Net.")]}
    assert ("a/train.py", "Net.fit") in members and ("a/train.py", "Other.fit") not in members
    assert graph.imported_files() == {"a/utils.py"}
