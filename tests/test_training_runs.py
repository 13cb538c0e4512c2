"""The severity MLD701 reports a training run at: info for notebooks nothing runs, for runs on
random values; none for a hyperparameter search's trials."""

from __future__ import annotations

from conftest import write_tree

from mldebt.rule import Invalid
from mldebt.rules.reproducibility import notebook
from mldebt.testing import run_example

_TRAIN = "import torch\nloader = torch.utils.data.DataLoader(ds, shuffle=True)\nfor epoch in range(3):\n    model.fit(loader)\n"


def test_an_unseeded_notebook_nothing_runs_is_info_and_a_script_or_a_notebook_ci_runs_a_warning():
    (in_notebook,), _ = run_example("MLD701", Invalid(notebook(_TRAIN), path="train.ipynb"))
    (in_script,), _ = run_example("MLD701", Invalid(_TRAIN, path="train.py"))
    ci = {".github/workflows/nb.yml": "on: push\njobs:\n  nb:\n    steps: [{run: papermill train.ipynb out.ipynb}]\n"}
    (in_ci,), _ = run_example("MLD701", Invalid(notebook(_TRAIN), path="train.ipynb", files=ci))
    assert (in_notebook.severity, in_script.severity, in_ci.severity) == ("info", "warning", "warning")


def test_a_run_drawing_only_random_values_is_a_note_only_when_it_parses_a_seed():
    demo = "import torch\nx = torch.randn(64, 8)\nfor epoch in range(3):\n    model(x).sum().backward()\n    opt.step()\n"
    assert run_example("MLD701", Invalid(demo, path="demo.py"))[0] == []
    seeded_cli = "import argparse\np = argparse.ArgumentParser()\np.add_argument('--seed', type=int)\n" + demo
    (finding,), _ = run_example("MLD701", Invalid(seeded_cli, path="demo.py"))
    assert finding.severity == "info" and "random values" in finding.message and "`--seed`" in finding.message
    shuffling = demo.replace("for epoch in range(3):\n    model(x)", "loader = torch.utils.data.DataLoader(x, shuffle=True)\nfor epoch in range(3):\n  for b in loader:\n    model(b)")
    (shuffled,), _ = run_example("MLD701", Invalid(shuffling, path="demo.py"))
    assert shuffled.severity == "warning" and "random values" not in shuffled.message


def test_a_hyperparameter_search_is_not_reported_and_a_plain_run_is(scan_json, tmp_path):
    """The same unseeded training in an Optuna objective is not reported (the search samples at
    random by design, each trial's model is thrown away); in a plain script it is a warning."""
    body = (
        "import torch\ndef objective(trial):\n    loader = torch.utils.data.DataLoader(ds, shuffle=True)\n"
        "    for epoch in range(3):\n        model.fit(loader)\n    return 0.0\n"
    )
    write_tree(tmp_path, {
        "search.py": "import optuna\n" + body + "if __name__ == '__main__':\n    optuna.create_study().optimize(objective)\n",
        "train.py": body + "if __name__ == '__main__':\n    objective(None)\n",
    })
    _, document = scan_json(tmp_path, "--select", "MLD701", "--no-cache")
    found = {f["path"]: f for f in document["findings"]}
    assert "search.py" not in found, found
    assert found["train.py"]["severity"] == "warning"


def test_determinism_switched_off_twice_in_one_function_is_one_finding_and_in_two_functions_two():
    """MLD703: `cudnn.benchmark = True` beside `cudnn.deterministic = False` is one speed choice."""
    seeded = "import torch\ntorch.manual_seed(0)\n"
    train = "for epoch in range(3):\n    loss.backward()\n"
    block = "torch.backends.cudnn.benchmark = True\ntorch.backends.cudnn.deterministic = False\n"
    (finding,), _ = run_example("MLD703", Invalid(seeded + block + train, path="train.py"))
    assert finding.line == 3 and "`torch.backends.cudnn.deterministic = False` make " in finding.message
    two_helpers = (
        seeded + "def fast():\n    torch.backends.cudnn.benchmark = True\n"
        "def loose():\n    torch.use_deterministic_algorithms(False)\nfast()\nloose()\n" + train
    )
    found, _ = run_example("MLD703", Invalid(two_helpers, path="train.py"))
    assert [f.line for f in found] == [4, 6]
