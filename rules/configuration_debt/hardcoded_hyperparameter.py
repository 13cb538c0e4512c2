import re
from collections.abc import Iterator

from mldebt.rules.configuration_debt import code_sites, shown

from mldebt.extract.facts import Facts, HyperparameterSite
from mldebt.extract.hyperparameters import DECISION_THRESHOLD
from mldebt.knowledge import alias_map, load_table
from mldebt.project import Project
from mldebt.project.demos import DEMO_EXAMPLE, DEMO_NOTEBOOK
from mldebt.rule import Category, Confidence, Invalid, ProjectFinding, ProjectRule, Severity, Valid, notebook


#: A book chapter's lesson: a model fitted with the values the text discusses, and no configuration.
_LESSON = ("from sklearn.linear_model import LogisticRegression\nX = load()\n"
           "lr = LogisticRegression(C=100.0, solver='lbfgs')\nlr.fit(X_train, y_train)\n")
#: A chapter's training function, which takes its epochs from the caller.
_CHAPTER = ("import torch\nopt = torch.optim.SGD(model.parameters(), lr=0.001)\ndef train(model, num_epochs, train_dl):\n"
            "    for epoch in range(num_epochs):\n        for x, y in train_dl:\n            loss_fn(model(x), y).backward()\n"
            "            opt.step()\n")
#: A notebook saved as a script by jupytext: a markdown cell, then code cells.
_SAVED = "# %% [markdown]\n# # Training a classifier\n\n# %%\nimport torch\nimport lightning as L\n"
#: A script's options for some of its hyperparameters, for examples whose other literals hide from them.
_OPTIONS = "import argparse\np = argparse.ArgumentParser()\np.add_argument('--epochs', type=int)\nargs = p.parse_args()\n"


class HardcodedHyperparameter(ProjectRule):
    """A hyperparameter literal passed to an ML API (`AdamW(params, lr=3e-4)`, `DataLoader(batch_size=64)`, `for epoch in range(30)`).

    ## Why it matters
    A learning rate typed into the optimizer call is configuration hidden in code: changing it
    means editing and committing code, runs cannot be compared by their config files, and a
    sweep cannot reach it. Which calls and arguments count is a table
    (`rules/knowledge/hyperparameters.yaml`): optimizers, schedulers, data loaders, dropout,
    scikit-learn / XGBoost / LightGBM / CatBoost estimators, Keras `fit`, `TrainingArguments`,
    Lightning `Trainer`, optax, `xgb.train`, Albumentations `p=`; positional arguments
    (`SGD(params, 0.1)`), arithmetic of literals (`3e-4 * 2`), tuples that mix names and
    literals (`betas=(beta1, 0.999)`) and a variable assigned one literal (`lr = 3e-3 ...
    AdamW(p, lr=lr)`) included. Also reported, with low confidence: a keyword named like a
    hyperparameter in any other call, the repo's own helpers included
    (`build_optimizer(model, lr=0.01)`), a module constant passed to an ML library
    (`nn.Linear(d, WIDTH)`) or compared with a model output (`proba > CUTOFF`); and dicts of
    several hyperparameters or optimizer param groups (`{"params": head, "lr": 1e-3}`), once per dict,
    and the probabilities of one pipeline of transforms (`A.Compose([...])`), once per pipeline.

    ## Known limitations
    Reported as info: hard-coding is often deliberate in tutorials and one-off scripts. In a
    demo notebook (one that nothing runs but to render it, also one saved as a script:
    `mldebt.project.demos`) only a literal beside configuration is reported: typed in a
    function, or a method of a class, that passes other hyperparameters from configuration
    (`SGD(p, lr=self.hparams.lr, momentum=0.9)`, `betas=(args.beta1, 0.999)`, a model
    class whose `__init__` takes its dropout); elsewhere there the cell is the
    configuration, edited and re-run by the reader. A notebook a pipeline runs
    (`papermill`, `pytest --nbmake`) is checked like a script.
    Values read from a config, args or the environment, function defaults (and fallbacks for a
    parameter the caller left out: `optim or AdamW(p, lr=1e-4)`), names assigned
    more than once, the defaults of a command line (`parser.set_defaults(epochs=10)`), loop variables, `0`/`1`/`-1`/`None`, literal layer widths, generic keywords
    (`alpha=`, `p=`, `threshold=`) outside the table, seeds, devices and class counts, index,
    padding and activation-slope constants, model-summary depths, dataset `.map()` batch sizes,
    normalization layers' momentum and eps (also through `functools.partial`), a `Trainer` in
    a module that neither trains nor calls anything named for training (one set up to load a
    checkpoint and generate), and likewise a batch size, depth or step count passed to a call
    the table does not list (`get_token_cnt(batchsize=1000)`, `summarize(max_depth=2)`,
    `generate(num_steps=35)`); in a script nothing imports and nothing in it trains (an
    inference, export or probe script), its batch sizes and what it passes to model layers;
    batch sizes in code that evaluates (`model.eval()`, `torch.no_grad()`) and does not
    train; evaluation thresholds passed to a call (`val.run(iou_thres=0.6)`); settings blocks
    (consecutive `name = literal` statements naming two hyperparameters, or one among four
    settings or more: a script's or a notebook cell's configuration, in one place), toy
    runs (a module that trains on random values only and reads no data, or for twenty steps
    or fewer: a demo of an API, whose settings only need to run), an example's validation
    split, the dropout of a script's own model when the script takes no dropout option, a
    dict of defaults that the caller's values update (`defaults.update(flags)`); in a
    script with no configuration for hyperparameters (no option, config class field or config
    file named for one), a config object built of literals (`GRPOConfig(learning_rate=1e-5)`,
    its settings in one place) and its validation split, a config object of a class the
    repository defines itself (`OptimizerConfig(weight_decay=0.05)`: its configuration is
    written in code on purpose), class and output counts (`n_outputs = 10`), configuration modules (`configs/`, `config.py`, ..., and modules that build Fiddle or
    NeMo-Run configs: `run.Config(...)`, `fdl.Partial(...)`) and tests are never reported.

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
        # A notebook CI runs is part of the pipeline: its literals are configuration in code.
        Invalid(notebook("import torch\nopt = torch.optim.AdamW(model.parameters(), lr=3e-4)\n"), path="lesson.ipynb",
                message="`lr=0.0003`", files={".github/workflows/nb.yml": "on: push\njobs:\n  run:\n    runs-on: ubuntu-latest\n    steps:\n      - run: papermill lesson.ipynb out.ipynb\n"}),
        # An example script of a library still hard-codes what it could read from its arguments.
        Invalid("import torch\nopt = torch.optim.AdamW(model.parameters(), lr=3e-4)\n", path="examples/train.py",
                message="`lr=0.0003`", files={"setup.py": "from setuptools import setup\nsetup(name='lib', packages=['lib'])\n", "lib/__init__.py": ""}),
        Invalid("from torch.optim import SGD\nopt = SGD(params, 0.1, momentum=0.9)\n", path="train.py", message="`lr=0.1`"),
        # In a lesson saved as a script, a literal beside the hparams its function reads hides from them.
        Invalid(_SAVED + "class Lit(L.LightningModule):\n    def configure_optimizers(self):\n"
                "        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr, momentum=0.9)\n"
                "trainer.fit(Lit(lr=0.1))\n", path="course/lesson.py", message="`momentum=0.9`"),
        Invalid(_SAVED + "class Lit(L.LightningModule):\n    def __init__(self, dropout):\n        self.drop = torch.nn.Dropout(dropout)\n"
                "    def configure_optimizers(self):\n        return torch.optim.SGD(self.parameters(), lr=0.1)\n"
                "trainer.fit(Lit(0.2))\n", path="course/lesson.py", message="`lr=0.1`"),
        Invalid("from torch.utils.data import DataLoader\nloader = DataLoader(ds, batch_size=64, num_workers=8)\n"
                "for epoch in range(args.epochs):\n    train_one_epoch(model, loader)\n", path="train.py",
                message="`batch_size=64`"),
        # A training loop that also validates still batches its training data.
        Invalid("import torch\nfrom torch.utils.data import DataLoader\ndef fit(model, opt, ds, val):\n"
                "    loader = DataLoader(ds, batch_size=64, shuffle=True)\n    for x, y in loader:\n"
                "        model.train()\n        loss_fn(model(x), y).backward()\n        opt.step()\n"
                "    model.eval()\n    with torch.no_grad():\n        score(model, val)\n",
                path="train.py", message="`batch_size=64`"),
        Invalid("import torch.nn as nn\nhead = nn.Dropout(0.3)\n", path="model.py", message="`p=0.3`"),
        Invalid(_OPTIONS + "for epoch in range(30):\n    train_one_epoch(args)\n", path="train.py", message="30"),
        Invalid("import torch\nopt = torch.optim.Adam([{'params': p}], lr=3e-4 * 2)\n", path="train.py", message="0.0006"),
        Invalid(_OPTIONS + "model.fit(x, y, epochs=20, batch_size=32)\n", path="train.py", message="`epochs=20`"),
        Invalid("from xgboost import XGBClassifier\nclf = XGBClassifier(n_estimators=500, max_depth=6)\n", path="train.py"),
        Invalid(_OPTIONS + "from transformers import TrainingArguments\n"
                "targs = TrainingArguments('out', learning_rate=2e-5, num_train_epochs=args.epochs)\n", path="train.py"),
        Invalid(_OPTIONS + "from helpers import build_optimizer\nopt = build_optimizer(model, lr=0.01, momentum=0.9)\n"
                "for x in loader:\n    loss(x).backward()\n    opt.step()\n",
                path="train.py", line=6, message="`lr=0.01` is hard-coded in the `helpers.build_optimizer` call"),
        # A batch size of the repo's own loader, in a module that trains (also through a call named for it).
        Invalid(_OPTIONS + "from data import build_loader\nloader = build_loader(ds, batch_size=64)\ntrainer.fit(model, loader)\n",
                path="train.py", message="`batch_size=64` is hard-coded in the `data.build_loader` call"),
        Invalid("from energon import get_train_dataset\nfrom engine import train_model\n"
                "data = get_train_dataset(path, batch_size=4)\ntrain_model(model, data)\n",
                path="train.py", message="`batch_size=4`"),
        # One hyperparameter among other settings is not a settings block.
        Invalid("import torch\ndef main():\n    model_name = 't5-base'\n    lr = 1e-3\n    seed = 0\n"
                "    opt = torch.optim.AdamW(params, lr=lr)\n", path="train.py", message="`lr = 1e-3`"),
        # A data-preparation script's split is the data pipeline's setting.
        Invalid(_OPTIONS + "from sklearn.model_selection import StratifiedShuffleSplit\n"
                "split = StratifiedShuffleSplit(n_splits=1, test_size=0.1)\n", path="prepare.py", message="`test_size=0.1`"),
        Invalid("import torch\nopt = torch.optim.Adam(p, lr=args.lr, betas=(args.beta1, 0.999))\n", path="train.py",
                message="`betas=(args.beta1, 0.999)`"),
        Invalid("import torch\ndef train(params):\n    lr = 3e-3\n    return torch.optim.AdamW(params, lr=lr)\n",
                path="train.py", line=3, message="`lr = 3e-3` is hard-coded and passed to the `torch.optim.AdamW` call"),
        # Noise drawn in a training loop over real data (a GAN) is not a toy run's input.
        Invalid("import torch\nfrom torch.utils.data import DataLoader\nopt = torch.optim.Adam(G.parameters(), lr=2e-4)\n"
                "for x in DataLoader(ds, batch_size=args.bs, shuffle=True):\n    z = torch.randn(x.size(0), 100)\n"
                "    loss(D(G(z)), D(x)).backward()\n    opt.step()\n", path="gan.py", message="`lr=0.0002`"),
        Invalid(_OPTIONS + "from transformers import Trainer, TrainingArguments\n"
                "targs = TrainingArguments('out', learning_rate=2e-4, max_steps=5000)\n"
                "Trainer(model=model, args=targs, train_dataset=ds).train()\n", path="finetune.py", message="`learning_rate"),
        # A script that takes a dropout option and fixes another layer's; a library's layer.
        Invalid("import argparse\nimport torch.nn as nn\np = argparse.ArgumentParser()\n"
                "p.add_argument('--dropout', type=float, default=0.1)\nargs = p.parse_args()\n"
                "head = nn.Sequential(nn.Dropout(args.dropout), nn.Linear(8, 2), nn.Dropout(0.3))\n"
                "if __name__ == '__main__':\n    model.fit(x, y)\n", path="train.py", message="`p=0.3`"),
        # A validation split outside examples (a package's training entry point).
        Invalid(_OPTIONS + "from sklearn.model_selection import train_test_split\ntrain, val = train_test_split(df, test_size=0.2)\n",
                path="pkg/train.py", message="`test_size=0.2`", files={"pkg/__init__.py": "", "setup.py": "setup()\n"}),
        # A config object's literal beside options for other hyperparameters hides from them.
        Invalid("import argparse\nfrom transformers import TrainingArguments\np = argparse.ArgumentParser()\n"
                "p.add_argument('--lr', type=float)\nargs = p.parse_args()\n"
                "targs = TrainingArguments('out', learning_rate=args.lr, weight_decay=0.01)\ntrainer.train()\n",
                path="finetune.py", message="`weight_decay=0.01`"),
        # A library's own example: its config class beside command-line values in one call.
        Invalid("import argparse\nfrom trl.experimental import AsyncGRPOConfig\np = argparse.ArgumentParser()\n"
                "p.add_argument('--learning_rate', type=float)\nargs = p.parse_args()\n"
                "config = AsyncGRPOConfig(per_device_train_batch_size=4, learning_rate=args.learning_rate)\ntrainer.train()\n",
                path="examples/grpo.py", message="`per_device_train_batch_size=4`", files={
                    "trl/__init__.py": "", "trl/experimental/__init__.py": "from .config import AsyncGRPOConfig\n",
                    "trl/experimental/config.py": ("from dataclasses import dataclass\n\n@dataclass\nclass AsyncGRPOConfig:\n"
                                                   "    per_device_train_batch_size: int = 8\n    learning_rate: float = 1e-6\n")}),
        # A library's config class stays the library's where another script subclasses it under its name.
        Invalid("import argparse\nfrom transformers import TrainingArguments\np = argparse.ArgumentParser()\n"
                "p.add_argument('--lr', type=float)\nargs = p.parse_args()\n"
                "targs = TrainingArguments('out', learning_rate=args.lr, weight_decay=0.01)\ntrainer.train()\n",
                path="finetune.py", message="`weight_decay=0.01`", files={"corda/finetune.py": (
                    "import transformers\nfrom dataclasses import dataclass\n\n@dataclass\n"
                    "class TrainingArguments(transformers.TrainingArguments):\n    lora_r: int = 8\n")}),
        # Noise drawn while training on a dataset (a VAE's reparameterisation) is no toy run.
        Invalid(_OPTIONS + "import torch\nfrom torchvision import datasets\n"
                "opt = torch.optim.Adam(model.parameters(), lr=1e-3)\n"
                "loader = torch.utils.data.DataLoader(datasets.MNIST('data'), batch_size=128, **kwargs)\n"
                "for epoch in range(args.epochs):\n    for x in loader:\n        eps = torch.randn_like(x)\n"
                "        loss(model(x + eps)).backward()\n        opt.step()\n", path="vae.py", message="`lr=0.001`"),
        # A command's parameters are its options: the split typed beside them hides from them.
        Invalid("import typer\nfrom sklearn.model_selection import train_test_split\napp = typer.Typer()\n"
                "@app.command()\ndef train(num_epochs: int = 1):\n    tr, va = train_test_split(df, test_size=0.2)\n"
                "    model.fit(tr)\n", path="train.py", message="`test_size=0.2`"),
        # A model module the training imports.
        Invalid("import torch.nn as nn\nWIDTH = 512\nlayer = nn.Linear(768, WIDTH)\n", path="model.py", line=2,
                message="`WIDTH = 512`", files={"train.py": "from model import layer\n"}),
        Invalid("CUTOFF = 0.35\ndef decide(model, x):\n    proba = model.predict_proba(x)[:, 1]\n    return proba > CUTOFF\n",
                path="serve.py", line=1, message="decision threshold"),
        Invalid("import torch\nopt = torch.optim.SGD([{'params': head, 'lr': 1e-3}, {'params': body}], lr=args.lr)\n",
                path="train.py", message="`lr=0.001` is hard-coded in a dict of hyperparameters"),
        Invalid(_OPTIONS + "import xgboost as xgb\nparams = {'learning_rate': 0.1, 'max_depth': 6, 'objective': 'reg:squarederror'}\n"
                "booster = xgb.train(params, dtrain, num_boost_round=100, early_stopping_rounds=20)\n",
                path="train.py", line=6, message="`learning_rate=0.1`, `max_depth=6` are hard-coded"),
        Invalid(_OPTIONS + "import xgboost as xgb\nbooster = xgb.train(params, dtrain, num_boost_round=100)\n", path="train.py",
                message="`num_boost_round=100`"),
        Invalid("from sklearn.linear_model import Lasso\nmodel = Lasso(0.01)\n", path="train.py", message="`alpha=0.01`"),
        Invalid(_OPTIONS + "from sklearn.model_selection import train_test_split\nparts = train_test_split(X, y, test_size=0.2)\n",
                path="prepare.py", message="`test_size=0.2`"),
        Invalid("import albumentations as A\naug = A.Compose([A.Blur(p=0.01), A.CLAHE(p=0.05)])\n", path="augment.py",
                message="`p=0.01`"),
        Invalid("import torch\nfrom torch.distributed.optim import ZeroRedundancyOptimizer\n"
                "opt = ZeroRedundancyOptimizer(p, optimizer_class=torch.optim.SGD, lr=0.01)\n", path="train.py"),
        # `or` on something other than a parameter is no default.
        Invalid("import torch\ndef build(model):\n    opt = model.optimizer or torch.optim.AdamW(model.parameters(), lr=1e-4)\n",
                path="train.py", message="`lr=0.0001`"),
        # `functools.partial` passes its keywords to the callable it wraps.
        Invalid("import functools, torch\nmake_opt = functools.partial(torch.optim.AdamW, lr=1e-3)\n", path="train.py",
                message="`lr=0.001` is hard-coded in the `torch.optim.AdamW` call"),
        # A Trainer whose module trains (here through a call named for it).
        Invalid(_OPTIONS + "import lightning as L\ntrainer = L.Trainer(max_epochs=30)\ntrainer.fit(model, dm)\n", path="train.py",
                message="`max_epochs=30`"),
        Invalid("from nemo import lightning as nl\nfrom nemo.collections import llm\ndef main():\n"
                "    trainer = nl.Trainer(max_steps=500)\n    llm.finetune(model, data, trainer=trainer)\n",
                path="finetune.py", message="`max_steps=500`"),
        # A script with no configuration of its own is still reported where something else makes it
        # configuration: a module others import, a flow of an orchestrator, a run that logs its parameters.
        Invalid(_LESSON, path="lib/fit.py", message="`C=100`", files={"run.py": "from lib.fit import X\nprint(X)\n"}),
        Invalid("from prefect import flow\n" + _LESSON, path="flows/train.py", message="`C=100`"),
        Invalid("import mlflow\nmlflow.log_params({'solver': 'lbfgs'})\n" + _LESSON, path="train.py", message="`C=100`"),
        # A settings block whose second hyperparameter is 1 is configuration: the lr typed elsewhere hides from it.
        Invalid("import torch\nimport lightning as L\nclass LitModel(L.LightningModule):\n"
                "    def configure_optimizers(self):\n        return torch.optim.AdamW(self.parameters(), lr=2e-4)\n"
                "if __name__ == '__main__':\n    batch_size = 8\n    accumulate_grad_batches = 1\n"
                "    data.connect(batch_size=batch_size)\n"
                "    trainer = L.Trainer(max_epochs=2, accumulate_grad_batches=accumulate_grad_batches)\n"
                "    trainer.fit(LitModel(), data)\n", path="tutorials/ptl_small.py", message="`lr=0.0002`"),
        # A function whose parameter its caller reads from elsewhere (the environment) is configured.
        Invalid("import os\n" + _CHAPTER + "hist = train(model, int(os.environ['EPOCHS']), train_dl)\n",
                path="train.py", message="`lr=0.001`"),
        # A pipeline of transforms is one recipe: its probabilities are one finding.
        Invalid(_OPTIONS + "import albumentations as A\naug = A.Compose([\n    A.HorizontalFlip(p=0.5),\n"
                "    A.OneOf([A.Blur(p=0.1), A.MotionBlur(p=0.2)], p=0.3),\n    A.RandomGamma(p=0.2),\n])\n",
                path="augment.py", line=7,
                message="`p=0.5`, `p=0.3`, `p=0.1`, `p=0.2` and 1 more are hard-coded in one pipeline of transforms"),
        # A settings block at the top is configuration: a literal typed below it hides from it.
        Invalid("import torch\nBATCH_SIZE = 8\nMAX_STEPS = 1000\nloader = torch.utils.data.DataLoader(ds, batch_size=BATCH_SIZE)\n"
                "opt = torch.optim.AdamW(model.parameters(), lr=3e-3)\nfor step in range(MAX_STEPS):\n    opt.step()\n",
                path="tutorials/finetune.py", message="`lr=0.003`"),
        # So does a configurator that overrides the script's globals from the command line.
        Invalid("import torch\nfrom model import GPT\ndevice = 'cuda'\nexec(open('configurator.py').read())\n"
                "opt = GPT().configure_optimizers(weight_decay=1e-2, learning_rate=1e-4)\nopt.step()\n",
                path="bench.py", message="`weight_decay=0.01`"),
        # So does a value read from the options (`args.beta1`), even with the parser in a helper.
        Invalid("import torch\nfrom utils import get_args\nargs = get_args()\n"
                "opt = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(args.beta1, 0.999))\nopt.step()\n",
                path="gan/train.py", message="`lr=0.0002`"),
    ]
    VALID = [
        # A lesson, a book chapter, a minimal example: a script that is a whole program and keeps none
        # of its hyperparameters anywhere but in its calls. The literal is the lesson, not a hidden setting.
        Valid(_LESSON, path="ch03/ch03.py"),
        # A settings block in which one hyperparameter is 1 (in a script with options for others).
        Valid(_OPTIONS + "import torch\nbatch_size = 8\naccumulate_grad_batches = 1\n"
              "loader = torch.utils.data.DataLoader(ds, batch_size=batch_size)\n"
              "for epoch in range(args.epochs):\n    train_one_epoch(model, loader, accumulate_grad_batches)\n", path="train.py"),
        # A click command whose only option is a data path configures no hyperparameter (a homework script).
        Valid("import click\nfrom sklearn.ensemble import RandomForestRegressor\n@click.command()\n"
              "@click.option('--data_path', default='./output')\ndef run_train(data_path: str):\n"
              "    X, y = load(data_path)\n    RandomForestRegressor(max_depth=10).fit(X, y)\n"
              "if __name__ == '__main__':\n    run_train()\n", path="homework/train.py"),
        # A lesson's function given the lesson's own setting (`num_epochs = 20 ... train(model, num_epochs)`).
        Valid(_CHAPTER + "num_epochs = 20\nhist = train(model, num_epochs, train_dl)\n", path="ch14/ch14_part1.py"),
        Valid("import torch\nbatch_size = 64\nloader = torch.utils.data.DataLoader(ds, batch_size=batch_size)\n"
              "opt = torch.optim.Adam(model.parameters(), lr=0.001)\nfor x in loader:\n    opt.step()\n", path="ch14/ch14_part1.py"),
        Valid("import torch\nimport lightning as L\nclass LitModel(L.LightningModule):\n"
              "    def configure_optimizers(self):\n        return torch.optim.AdamW(self.parameters(), lr=2e-4, betas=(0.9, 0.95))\n"
              "if __name__ == '__main__':\n    trainer = L.Trainer(max_epochs=2, accumulate_grad_batches=8)\n"
              "    trainer.fit(LitModel(), data)\n", path="tutorials/ptl_medium.py"),
        Valid("import torch\nopt = torch.optim.AdamW(model.parameters(), lr=cfg.lr)\n", path="train.py"),
        # A lesson's or a scratchpad's cell: the literal is what the reader edits and re-runs.
        Valid(notebook("import torch\nopt = torch.optim.AdamW(model.parameters(), lr=3e-4)\n"), path="lesson.ipynb"),
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
        # A NeMo-Run recipe: Python that builds the run's configuration.
        Valid("import nemo_run as run\nfrom recipes.optim import cosine_adam\n\ndef pretrain():\n"
              "    optim = cosine_adam(max_lr=3e-4, warmup_steps=2000)\n"
              "    return run.Partial(train, optim=optim, trainer=run.Config(Trainer, max_steps=1000))\n",
              path="recipes/llama.py"),
        Valid("import torch\nopt = torch.optim.AdamW(p, lr=3e-4)\n", path="tests/test_train.py"),
        Valid("for i in range(10):\n    print(i)\n", path="utils.py"),
        Valid("from torch.utils.data import DataLoader\nloader = DataLoader(ds, batch_size=1, shuffle=False)\n", path="infer.py"),
        Valid("import torch.nn as nn\nfc = nn.Linear(512, 10)\n", path="model.py"),
        # A normalization layer's running-statistics momentum belongs to the architecture.
        Valid("import torch.nn as nn\nbn = nn.BatchNorm2d(64, eps=0.001, momentum=0.1)\n", path="model.py"),
        Valid("import torch.nn as nn\nBN_MOMENTUM = 0.1\nbn = nn.BatchNorm2d(64, momentum=BN_MOMENTUM)\n", path="model.py"),
        Valid("import tensorflow as tf\ndef layer(x):\n    return tf.compat.v1.layers.batch_normalization(x, momentum=0.95)\n",
              path="model.py"),
        # An inference pipeline's batches.
        Valid("from transformers import pipeline\nscore = pipeline('sentiment-analysis', batch_size=256)\ntrainer.train()\n",
              path="rl.py"),
        Valid("import functools\nimport torch.nn as nn\nnorm = functools.partial(nn.BatchNorm2d, eps=0.001, momentum=0.1)\n",
              path="model.py"),
        # Display settings, dataset preprocessing batches, index conventions, activation shapes.
        Valid("from lightning.pytorch.callbacks import ModelSummary\ncb = ModelSummary(max_depth=3)\n", path="train.py"),
        Valid("def setup(ds):\n    return ds.map(fmt, batched=True, batch_size=1000)\n", path="data.py"),
        Valid("import torch.nn.functional as F\nIGNORE_IDX = -100\nLRELU_SLOPE = 0.2\n"
              "def f(x, y):\n    return F.pad(y, (0, 4), value=IGNORE_IDX), F.leaky_relu(x, LRELU_SLOPE)\n", path="model.py"),
        # A Trainer built to load a checkpoint and generate: nothing trains, so it never steps.
        Valid("from nemo import lightning as nl\nfrom transformers import AutoProcessor\ndef main(args):\n"
              "    trainer = nl.Trainer(devices=1, max_steps=1000)\n    proc = AutoProcessor.from_pretrained(args.name)\n"
              "    return generate(trainer.to_fabric(), proc)\n", path="scripts/generate.py"),
        # A fallback for a parameter the caller left out is a default, like the parameter's own.
        Valid("import torch\nclass Model:\n    def __init__(self, optim=None):\n"
              "        self.optim = optim or torch.optim.AdamW(self.parameters(), lr=1e-4)\n", path="model.py"),
        Valid("import matplotlib.pyplot as plt\nplt.plot(x, y, alpha=0.5)\nplt.hist(v, bins=30, alpha=0.3)\n",
              path="plot.py"),
        Valid("import numpy as np\nnp.set_printoptions(threshold=10000)\n", path="train.py"),
        Valid("import torch\nfor lr in [0.1, 0.01]:\n    opt = torch.optim.SGD(p, lr=lr)\n", path="sweep.py"),
        Valid("import torch\nlr = 0.1\nif args.fast:\n    lr = 0.5\nopt = torch.optim.SGD(p, lr=lr)\n", path="train.py"),
        Valid("import torch\ngrad_clip = 1.0\nexec(open('configurator.py').read())\n"
              "torch.nn.utils.clip_grad_norm_(model.parameters(), grad_clip)\n", path="train.py"),
        Valid("import torch\nimport torch.nn as nn\nSEED = 1234\nNUM_CLASSES = 10\ntorch.manual_seed(SEED)\n"
              "head = nn.Linear(512, NUM_CLASSES)\n", path="model.py"),
        Valid("LIMIT = 10\ndef head(items):\n    if len(items) > LIMIT:\n        items = items[:LIMIT]\n    return items\n",
              path="utils.py"),
        Valid("import torch\nclass Net:\n    lr = 0.1\n    def opt(self, p, lr):\n        return torch.optim.SGD(p, lr=lr)\n",
              path="model.py"),
        Valid("wandb.log({'lr': lr, 'loss': 0.5})\n", path="train.py"),
        # An evaluation's thresholds measure the result: they do not train.
        Valid("results = validate.run(data, iou_thres=0.65 if is_coco else 0.60)\ntrainer.fit(model)\n", path="train.py"),
        # How deep a model summary prints.
        Valid("import lightning as L\nclass LM(L.LightningModule):\n    def setup(self, stage):\n"
              "        self.summarize(max_depth=2)\n", path="model.py"),
        Valid("from lightning.pytorch.utilities.model_summary import summarize\ndef show(model):\n"
              "    print(summarize(model, max_depth=4))\n", path="utils/summary.py"),
        # Batches of a helper that counts tokens, and a placeholder size probing an export's
        # dynamic shapes, where nothing trains.
        Valid("def count(files, tok):\n    return get_token_cnt(files, tok, batchsize=1000)\n", path="tokenizer_utils.py"),
        Valid("class Decoder:\n    def setup(self):\n        dynamic_dim = 257\n"
              "        self.states = self._initial_states(batch_size=dynamic_dim)\n", path="decoding.py"),
        # A smoke test that prints a few training batches trains nothing.
        Valid("from energon import get_train_dataset\nif __name__ == '__main__':\n"
              "    for batch in get_train_dataset(path, batch_size=4):\n        print(batch)\n", path="data/encoder.py"),
        # A script nothing imports that trains nothing: its layers are a probe, its loader batches inference.
        Valid("import torch.nn as nn\nfrom torch.utils.data import DataLoader\nHIDDEN_DIM = 64\n"
              "probe = nn.Linear(HIDDEN_DIM, HIDDEN_DIM)\nfor x in DataLoader(ds, batch_size=32):\n    print(probe(x))\n",
              path="scripts/capabilities.py"),
        # An evaluation helper of a training script: its batch size changes speed, not the result.
        Valid("import torch\nfrom torch.utils.data import DataLoader\ndef evaluate(model, ds):\n    model.eval()\n"
              "    loader = DataLoader(ds, batch_size=8)\n    with torch.no_grad():\n"
              "        return sum(model(x) for x in loader)\nfor epoch in range(args.epochs):\n"
              "    train_one_epoch(model)\n    evaluate(model, val)\n", path="train.py"),
        Valid("import torch\nfrom torch.utils.data import DataLoader\n@torch.no_grad()\ndef perplexity(model, ds):\n"
              "    return [model(x) for x in DataLoader(ds, batch_size=2)]\nmodel.fit(x, y)\n", path="train.py"),
        # A settings block: named settings side by side are the script's configuration in one place.
        Valid("import torch\ndef main():\n    model_name = 't5-base'\n    lr = 1e-3\n    num_epochs = 5\n"
              "    batch_size = 8\n    opt = torch.optim.AdamW(params, lr=lr)\n"
              "    loader = torch.utils.data.DataLoader(ds, batch_size=batch_size)\n"
              "    for epoch in range(num_epochs):\n        train_one_epoch(model, loader, opt)\n", path="train.py"),
        # The dropout of a script's own small model, in a script that exposes no architecture option.
        Valid("import torch.nn as nn\nclass Net(nn.Module):\n    def __init__(self):\n"
              "        super().__init__()\n        self.drop = nn.Dropout(0.25)\n"
              "if __name__ == '__main__':\n    for epoch in range(args.epochs):\n        train(Net())\n", path="mnist/main.py"),
        # An example's validation split is part of what it shows.
        Valid("from datasets import load_dataset\nds = load_dataset('beans')['train'].train_test_split(test_size=0.1)\n",
              path="examples/finetune.py", files={"pkg/__init__.py": "", "pyproject.toml": "[project]\nname = 'pkg'\n"}),
        # Toy runs: a demo trains on random inputs, or for a handful of steps.
        Valid("import torch\nmodel = Net()\nopt = torch.optim.AdamW(model.parameters(), lr=1e-2)\n"
              "x = torch.randint(0, 100, (8, 16))\nfor _ in range(10):\n    model(x).sum().backward()\n    opt.step()\n",
              path="fsdp_example.py"),
        Valid("from transformers import Trainer, TrainingArguments\n"
              "args = TrainingArguments('out', learning_rate=2e-4, warmup_steps=10, max_steps=20)\n"
              "Trainer(model=model, args=args, train_dataset=ds).train()\n", path="finetune_demo.py"),
        # A minimal script with no options: its config object is its settings, its split its own.
        Valid("from trl import GRPOConfig, GRPOTrainer\nfrom sklearn.model_selection import train_test_split\n"
              "train, val = train_test_split(rows, test_size=0.1)\n"
              "args = GRPOConfig(output_dir='out', learning_rate=1e-5, gradient_accumulation_steps=2)\n"
              "GRPOTrainer(model='Qwen/Qwen2-0.5B', args=args, train_dataset=train).train()\n", path="rloo.py"),
        # Class and output counts are facts of the data, not knobs.
        Valid(_OPTIONS + "from tensorflow import keras\nn_outputs = 10\nmodel = keras.Sequential([keras.layers.Dense(n_outputs)])\n"
              "model.fit(x, y, epochs=args.epochs)\n", path="keras_mnist.py"),
        # The project's own config class filled in code: that is where its configuration lives.
        Valid(_OPTIONS + "import torch\nfrom olmo.config import OptimizerConfig\n"
              "cfg = OptimizerConfig(learning_rate=3e-4, weight_decay=0.05)\n"
              "opt = torch.optim.AdamW(model.parameters(), lr=cfg.learning_rate)\nfor epoch in range(args.epochs):\n"
              "    model(x).backward()\n    opt.step()\n", path="scripts/ladder.py",
              files={"olmo/__init__.py": "", "olmo/config.py": (
                  "from dataclasses import dataclass\n\n@dataclass\nclass OptimizerConfig:\n"
                  "    learning_rate: float = 1e-4\n    weight_decay: float = 0.0\n")}),
        # The defaults of a command line are its configuration.
        Valid(_OPTIONS + "p.set_defaults(epochs=10, batch_size=128, lr=0.001)\nargs = p.parse_args()\n"
              "for epoch in range(args.epochs):\n    train(model, args.lr, args.batch_size)\n", path="eval/linear.py"),
        # A table of defaults the caller's values update.
        Valid("def create_hparams(flags):\n    defaults = {'learning_rate': 0.001, 'epochs': 10, 'max_grad_norm': 2}\n"
              "    defaults.update(flags)\n    return defaults\n", path="pkg/utils.py"),
        # A lesson saved as a script (jupytext), even one CI executes to publish it: its cells are its configuration.
        Valid(_SAVED + "from torch.utils.data import DataLoader\nloader = DataLoader(ds, batch_size=64, shuffle=True)\n"
              "opt = torch.optim.SGD(model.parameters(), lr=0.1)\ntrainer.fit(model, loader)\n", path="course/lesson.py",
              files={".github/workflows/ci.yml": "on: push\njobs:\n  run:\n    runs-on: ubuntu-latest\n    steps:\n"
                     "      - run: python course/lesson.py\n"}),
        # A notebook's settings cell, in a notebook CI runs.
        Valid(notebook("model_name = 'meta-llama/Llama-3.2-1B'\nstrategy = ''\nmax_steps = 100\nnum_devices = 2\n",
                       "import lightning as L\ntrainer = L.Trainer(max_steps=max_steps, devices=num_devices)\n"
                       "trainer.fit(model)\n"), path="lesson.ipynb",
              files={".github/workflows/nb.yml": "on: push\njobs:\n  run:\n    runs-on: ubuntu-latest\n    steps:\n"
                     "      - run: papermill lesson.ipynb out.ipynb\n"}),
    ]

    def check(self, project: Project) -> Iterator[ProjectFinding]:
        group: list = []
        trains: dict[str, bool | None] = {}  # None: a toy run
        own_configs = {c.name for _, facts in project.files.values() for c in facts.config_classes}
        for path, site in code_sites(project):
            if not self.reports(path):
                continue
            if site.source == "constant":
                continue  # the scattered-constant rule's concern
            if project.demo(path) == DEMO_NOTEBOOK and not site.beside_configuration:
                continue  # a lesson's cell is its configuration, edited and re-run by the reader
            if site.in_settings or (site.evaluating and site.name == "batch_size"):
                continue  # a settings block is configuration; an evaluation's batch size changes no result
            if (site.in_config_call or site.name == "test_size") and not _configured(project.files[path][1]):
                continue  # a script with no options: its config object and its split are its configuration
            if site.in_config_call and _own_config(project, path, site.source, own_configs) and not _beside_options(
                site, project.files[path][1]
            ):
                continue  # the project's own config class, filled in code: that is where its configuration lives
            if site.name == "test_size" and project.demo(path) == DEMO_EXAMPLE:
                continue  # an example's validation split is part of what it shows
            if site.name == "dropout" and site.known and _own_model(project.files[path][1]):
                continue  # the architecture of a script's own small model, which exposes none
            if path not in trains:
                facts = project.files[path][1]
                trains[path] = None if _toy_run(facts) or _unconfigured_script(project, path) else _trains(facts)
            if trains[path] is None:
                continue  # a demo of an API, or a script with no configuration: its literals are its settings
            if not trains[path] and _needs_training(site, project.standalone(path)):
                continue  # nothing here trains what the value sets
            if site.grouped and group and group[-1][0] == path and group[-1][1].grouped == site.grouped:
                group.append((path, site))
                continue
            if group:
                yield _dict_finding(group)
                group = []
            if site.grouped:
                group = [(path, site)]
                continue
            yield ProjectFinding(
                site.line,
                _message(site),
                hint=f"read `{site.name}` from the experiment config (or a CLI option) instead",
                column=site.column,
                end_line=site.end_line,
                end_column=site.end_column,
                confidence=None if site.known else Confidence.LOW,
                path=path,
            )
        if group:
            yield _dict_finding(group)


_TABLE = load_table("hyperparameters")
#: Values a grouped finding names before `and N more`.
_SHOWN = 4
_ALIASES = alias_map(_TABLE)
#: Hyperparameters whose names also name what is not trained (`training_only` in the table).
_TRAINING_ONLY = frozenset(_TABLE["training_only"])
#: A call's name trains when its first word says so (`train_model`, `fit`, `finetune`,
#: `pretrain`), also after a verb that runs it (`run_training`, `do_train`), unless the next
#: word is what training reads (`train_test_split`, `train_dataloader`); a name that gets the
#: data or the trainer (`get_train_dataset`, `build_trainer`) or loads (`from_pretrained`) does not.
_RUNNING_WORDS = frozenset({"run", "do", "start", "launch", "main"})
_TRAINING_WORDS = frozenset({"train", "training", "fit", "finetune", "finetuning", "pretrain", "pretraining", "retrain"})
_DATA_WORDS = frozenset({
    "test", "val", "valid", "validation", "eval", "data", "dataset", "datasets", "loader", "dataloader", "set",
    "split", "sampler", "transform", "transforms", "ds", "df", "file", "files", "path", "ids", "indices", "size",
    "samples", "examples", "features", "iter", "images", "labels",
})
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def _needs_training(site: HyperparameterSite, standalone: bool) -> bool:
    """Whether the value is a hyperparameter only where something trains: a Trainer's step
    bounds; an unlisted call's batch size, depth or step count (they also batch inference,
    bound what a summary prints or a sampler); and in a script nothing imports, a batch size or
    what an unlisted call or a model layer takes (what it builds, it runs for inference, an
    export or a probe). A decision threshold decides wherever it is."""
    if site.source.rpartition(".")[2] == "Trainer" or (not site.known and site.name in _TRAINING_ONLY):
        return True
    return standalone and (site.name == "batch_size" or not site.known) and site.source != DECISION_THRESHOLD


def _named_for_training(call: str) -> bool:
    words = "_".join(w.lower() for w in _WORD.findall(call.rpartition(".")[2])).replace("fine_tun", "finetun").split("_")
    while words and words[0] in _RUNNING_WORDS:
        words = words[1:]
    return bool(words) and words[0] in _TRAINING_WORDS and (len(words) == 1 or words[1] not in _DATA_WORDS)


#: Draws that only fill tensors with random values (`random_values` of the reproducibility table).
_RANDOM_VALUES = frozenset(load_table("reproducibility")["random_values"])
#: A run bounded to this many steps or fewer is a smoke test or a demo.
_SMOKE_STEPS = 20


def _toy_run(facts: Facts) -> bool:
    """A module whose training is a demo of an API, not an experiment: it trains on random
    values (its only draws fill tensors, `torch.randn`, and it loads no data), or for a
    handful of steps (`max_steps=10`). Its settings only need to run: none was tuned."""
    if any(s.name == "max_steps" and _number(s.value) and float(s.value) <= _SMOKE_STEPS for s in facts.hyperparameters):
        return True
    return bool(
        facts.training_markers and facts.randomness and not facts.feeds_data
        and all(use.api in _RANDOM_VALUES for use in facts.randomness)
        and not any(access.mode == "read" for access in facts.data_access)
    )


def _number(value: str) -> bool:
    """A site's value is one number (not a tuple)."""
    return not value.startswith("(")


def _own_config(project: Project, path: str, call: str, own_configs: set[str]) -> bool:
    """Whether `call` builds a config class the repository defines (`OptimizerConfig` of the
    file, `olmo.OptimizerConfig` of its own package), not a library's of the same name
    (`transformers.TrainingArguments`, which example scripts subclass under that name)."""
    module, _, name = call.rpartition(".")
    return name in own_configs and (not module or project.module_file(path, module) is not None)


def _beside_options(site: HyperparameterSite, facts: Facts) -> bool:
    """Whether the config call that takes the literal also takes command-line values
    (`AsyncGRPOConfig(per_device_train_batch_size=4, learning_rate=args.learning_rate)`): the
    literal hides from the options its neighbours come from."""
    options = {option.dest for option in facts.cli_options} | set(facts.command_parameters)
    return bool(options & set(site.config_call_reads))


def _configured(facts: Facts) -> bool:
    """Whether a module has configuration for hyperparameters: a command-line option (an
    argparse option or a click/typer command's parameter) or a config class field named like
    one, or a config file it loads (a command whose only option is a data path configures no
    hyperparameter, as an argparse `--data_path` does not). In one that has none, a config object built of literals
    (`GRPOConfig(learning_rate=1e-5, ...)`) is its settings, in one place; where it has some,
    a literal beside them hides from them."""
    return bool(facts.config_loads) or any(
        name.lower() in _ALIASES
        for name in (
            *(option.dest for option in facts.cli_options),
            *facts.command_parameters,
            *(f.name for config in facts.config_classes for f in config.fields),
        )
    )


def _unconfigured_script(project: Project, path: str) -> bool:
    """A script that is a whole program by itself (an entry point that nothing imports, no CI
    step, pipeline stage or Makefile target runs, in no project with other files, and no
    orchestrator's flow) and that keeps none of its hyperparameters anywhere but in its calls:
    a lesson, a book chapter, a minimal example. Its literals hide from no configuration, they
    are its configuration. The same literal is reported beside any configuration the script
    has: a hyperparameter option or config file (`_configured`), a configurator that
    overrides its globals (`exec(open('configurator.py').read())`), a settings block or an
    upper-case module constant (one `batch_size = 64` named where the loader is built is the
    lesson's step, not a block), hyperparameters it logs to a tracker (`mlflow.log_params`), a value read
    from an object or a function parameter (`betas=(args.beta1, 0.999)`,
    `Facts.reads_hyperparameters`); and in a module others import, or in a script a pipeline
    runs."""
    facts = project.files[path][1]
    return (
        any(entry.kind in ("main-guard", "script") for entry in facts.entry_points)
        and project.standalone(path)
        and path not in project.automation.runs
        and not any(site.module.split(".")[0] in _ORCHESTRATORS for site in facts.imports)
        and not _configured(facts)
        and not facts.overrides_globals
        and not any(_HYPERPARAMETER_WORD.search(option.dest) for option in facts.cli_options)
        and not facts.reads_hyperparameters
        and not any(site.in_settings or site.source == "constant" for site in facts.hyperparameters)
        and not any(call in _TRACKED for calls in facts.function_calls for call in calls.calls)
    )


#: Calls that record a run's hyperparameters with an experiment tracker: the script treats them as configuration.
_TRACKED = frozenset(_TABLE["tracked_hyperparameters"])
#: Workflow orchestrators: a module that imports one is a pipeline's step or flow, whose pasted values are configuration.
_ORCHESTRATORS = frozenset(_TABLE["orchestrators"])
#: An option named for what training reads, beyond the table's aliases (`--steps`, `--beta1`).
_HYPERPARAMETER_WORD = re.compile(
    r"(?:^|_)(?:lr|epochs?|steps|iters?|batch|beta\d?|momentum|decay|dropout|warmup|gamma|rate|depth|estimators)(?:_|$|\d)",
    re.IGNORECASE,
)


def _own_model(facts: Facts) -> bool:
    """A script that defines and trains its own model (an entry point and training in one file)
    and takes no dropout option: its layers' rates are the architecture it shows."""
    return (
        any(entry.kind in ("main-guard", "script") for entry in facts.entry_points)
        and bool(facts.training_markers)
        and not any(_ALIASES.get(option.dest.lower()) == "dropout" for option in facts.cli_options)
    )


def _trains(facts: Facts) -> bool:
    """Whether a module trains: a training call or loop (`Facts.training_markers`), or a call
    named for training that may reach one elsewhere (`llm.finetune(model, data, trainer)`)."""
    return bool(facts.training_markers) or any(
        _named_for_training(call) for calls in facts.function_calls for call in calls.calls
    )


def _message(site: HyperparameterSite) -> str:
    if site.via:
        if site.source == "loop":
            use = "bounds an epoch loop"
        elif site.source == DECISION_THRESHOLD:
            use = "used as a decision threshold"
        else:
            use = f"passed to the `{site.source}` call"
        return f"`{site.via} = {site.code}` is hard-coded and {use}"
    where = "an epoch loop" if site.source == "loop" else f"the `{site.source}` call"
    return f"`{site.written}={site.code or shown(site.value)}` is hard-coded in {where}"


def _dict_finding(group: list) -> ProjectFinding:
    """One finding for a dict of hyperparameters, or for a pipeline of transforms (an
    augmentation recipe, `A.Compose([A.HorizontalFlip(p=0.5), ...])`): one setting, one note."""
    path, first = group[0]
    values = ", ".join(f"`{s.written}={shown(s.value)}`" for _, s in group[:_SHOWN])
    values += f" and {len(group) - _SHOWN} more" if len(group) > _SHOWN else ""
    verb = "are" if len(group) > 1 else "is"
    if first.source == "a dict of hyperparameters":
        message, hint = f"{values} {verb} hard-coded in a dict of hyperparameters", "a literal dict"
    else:
        message, hint = f"{values} {verb} hard-coded in one pipeline of transforms (`{first.source}`, ...)", "literals"
    return ProjectFinding(
        first.line,
        message,
        hint=f"load the hyperparameters from the experiment config instead of {hint}",
        column=first.column,
        end_line=group[-1][1].end_line,
        end_column=group[-1][1].end_column,
        path=path,
    )
