from collections.abc import Iterator

from mldebt.rules.configuration_debt import code_sites, shown

from mldebt.project import Project
from mldebt.rule import Category, Confidence, Invalid, ProjectFinding, ProjectRule, Severity, Valid


class HardcodedHyperparameter(ProjectRule):
    """A hyperparameter literal passed to an ML API (`AdamW(params, lr=3e-4)`, `DataLoader(batch_size=64)`, `for epoch in range(30)`).

    ## Why it matters
    A learning rate typed into the optimizer call is configuration hidden in code: changing it
    means editing and committing code, runs cannot be compared by their config files, and a
    sweep cannot reach it. Which calls and arguments count is a table
    (`rules/knowledge/hyperparameters.yaml`): optimizers, schedulers, data loaders, dropout,
    scikit-learn / XGBoost / LightGBM / CatBoost estimators, Keras `fit`, `TrainingArguments`,
    Lightning `Trainer`, optax; positional arguments (`SGD(params, 0.1)`) and arithmetic of
    literals (`3e-4 * 2`) included.

    ## Known limitations
    Reported as info: hard-coding is often deliberate in tutorials and one-off scripts.
    Values read from a config, args or the environment, function defaults, `0`/`1`/`-1`/`None`,
    layer widths, configuration modules (`configs/`, `config.py`, ...) and tests are never
    reported.

    ## References
    - Sculley et al. 2015, Hidden Technical Debt in Machine Learning Systems, sec. 7 (configuration debt)
    - Breck et al. 2017, The ML Test Score (Infra 1, Model 1: hyperparameters tuned, config reviewed)
    """

    id = "MLD101"
    name = "hardcoded-hyperparameter"
    category = Category.CONFIGURATION_DEBT
    severity = Severity.INFO
    confidence = Confidence.MEDIUM
    in_tests = False
    INVALID = [
        Invalid("import torch\nopt = torch.optim.AdamW(model.parameters(), lr=3e-4, betas=(0.9, 0.95))\n",
                path="train.py", line=2, message="`lr=0.0003`"),
        Invalid("from torch.optim import SGD\nopt = SGD(params, 0.1, momentum=0.9)\n", path="train.py", message="`lr=0.1`"),
        Invalid("from torch.utils.data import DataLoader\nloader = DataLoader(ds, batch_size=64, num_workers=8)\n",
                path="train.py", message="`batch_size=64`"),
        Invalid("import torch.nn as nn\nhead = nn.Dropout(0.3)\n", path="model.py", message="`p=0.3`"),
        Invalid("for epoch in range(30):\n    train_one_epoch()\n", path="train.py", message="30"),
        Invalid("import torch\nopt = torch.optim.Adam([{'params': p}], lr=3e-4 * 2)\n", path="train.py", message="0.0006"),
        Invalid("model.fit(x, y, epochs=20, batch_size=32)\n", path="train.py", message="`epochs=20`"),
        Invalid("from xgboost import XGBClassifier\nclf = XGBClassifier(n_estimators=500, max_depth=6)\n", path="train.py"),
        Invalid("from transformers import TrainingArguments\nargs = TrainingArguments('out', learning_rate=2e-5, num_train_epochs=3)\n",
                path="train.py"),
    ]
    VALID = [
        Valid("import torch\nopt = torch.optim.AdamW(model.parameters(), lr=cfg.lr)\n", path="train.py"),
        Valid("import torch\nopt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0)\n", path="train.py"),
        Valid("import os, torch\nopt = torch.optim.SGD(p, lr=float(os.environ['LR']))\n", path="train.py"),
        Valid("import torch\ndef make(params, lr=3e-4):\n    return torch.optim.AdamW(params, lr=lr)\n", path="train.py"),
        Valid("import argparse\np = argparse.ArgumentParser()\np.add_argument('--lr', type=float, default=3e-4)\n", path="train.py"),
        Valid("from dataclasses import dataclass\n@dataclass\nclass TrainConfig:\n    lr: float = 3e-4\n    batch_size: int = 64\n",
              path="train.py"),
        Valid("import click\n@click.command()\n@click.option('--lr', default=3e-4)\ndef main(lr):\n    run(lr)\n", path="cli.py"),
        Valid("from absl import flags\nflags.DEFINE_float('lr', 3e-4, 'learning rate')\n", path="train.py"),
        Valid("from pydantic import BaseModel\nclass Hparams(BaseModel):\n    lr: float = 3e-4\n    epochs: int = 20\n", path="train.py"),
        Valid("import attrs\n@attrs.define\nclass Hparams:\n    lr: float = 3e-4\n", path="train.py"),
        Valid("import ml_collections\nconfig = ml_collections.ConfigDict()\nconfig.learning_rate = 3e-4\n", path="train.py"),
        Valid("import hydra\n@hydra.main(config_path='conf')\ndef main(cfg):\n    run(cfg.optim.lr)\n", path="train.py"),
        Valid("import torch\nopt = torch.optim.AdamW(p, lr=3e-4)\n", path="configs/optim.py"),
        Valid("import torch\nopt = torch.optim.AdamW(p, lr=3e-4)\n", path="tests/test_train.py"),
        Valid("for i in range(10):\n    print(i)\n", path="utils.py"),
        Valid("from torch.utils.data import DataLoader\nloader = DataLoader(ds, batch_size=1, shuffle=False)\n", path="infer.py"),
        Valid("import torch.nn as nn\nfc = nn.Linear(512, 10)\n", path="model.py"),
    ]

    def check(self, project: Project) -> Iterator[ProjectFinding]:
        for path, site in code_sites(project):
            if site.source == "constant":
                continue  # the scattered-constant rule's concern
            where = "an epoch loop" if site.source == "loop" else f"the `{site.source}` call"
            yield ProjectFinding(
                site.line,
                f"`{site.written}={shown(site.value)}` is hard-coded in {where}",
                hint=f"read `{site.name}` from the experiment config (or a CLI option) instead",
                column=site.column,
                end_line=site.end_line,
                end_column=site.end_column,
                path=path,
            )
