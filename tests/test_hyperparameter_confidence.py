"""How sure MLD101 is depends on where the literal goes: an ML API the knowledge table lists
(medium) or a call that merely names a keyword like a hyperparameter (low)."""

from __future__ import annotations

from mldebt.rule import Invalid
from mldebt.testing import run_example


#: An option for the script's epochs: its other literals hide from a configuration it has.
_OPTIONS = "import argparse\np = argparse.ArgumentParser()\np.add_argument('--epochs', type=int)\n"


def _confidences(code: str) -> dict[str, str]:
    findings, diagnostics = run_example("MLD101", Invalid(_OPTIONS + code, path="train.py"))
    assert not diagnostics
    return {f.message.split("`")[1]: f.confidence for f in findings}


def test_table_call_is_medium_and_own_helper_is_low():
    code = (
        "import torch\nfrom helpers import build_optimizer\n"
        "opt = torch.optim.SGD(p, lr=0.1)\nopt2 = build_optimizer(model, lr=0.01)\nopt2.step()\n"
    )
    assert _confidences(code) == {"lr=0.1": "medium", "lr=0.01": "low"}


def test_constant_into_ml_library_is_low():
    assert _confidences("import torch.nn as nn\nWIDTH = 512\nfc = nn.Linear(10, WIDTH)\nmodel.fit(x, y)\n") == {"WIDTH = 512": "low"}


def test_one_finding_per_dict_of_hyperparameters():
    code = "params = {\n    'learning_rate': 0.1,\n    'max_depth': 6,\n    'reg_alpha': 0.02,\n}\n"
    assert _confidences(code) == {"learning_rate=0.1": "medium"}


def test_scheduler_positional_named_by_the_class_called():
    """One positional literal is one finding, under the parameter name of the scheduler called:
    `OneCycleLR(opt, 0.1)` is `max_lr`, not also `step_size` and `T_max` of other schedulers."""
    code = (
        "from torch.optim.lr_scheduler import OneCycleLR, StepLR, ExponentialLR\n"
        "a = OneCycleLR(opt, 0.1, epochs=args.epochs)\nb = StepLR(opt, 30)\nc = ExponentialLR(opt, 0.95)\n"
    )
    findings, _ = run_example("MLD101", Invalid(_OPTIONS + code, path="train.py"))
    assert sorted(f.message.split("`")[1] for f in findings) == ["gamma=0.95", "max_lr=0.1", "step_size=30"]
