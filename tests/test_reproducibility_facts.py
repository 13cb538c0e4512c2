"""The reproducibility facts one file yields: entry points, training markers, randomness,
seeds, determinism switches and the calls of each function."""

from __future__ import annotations

from conftest import notebook, write_tree

from mldebt.engine import scan
from mldebt.extract.facts import (
    EFFECT, HANDED, EntryPoint, FunctionCalls, NondeterminismSwitch, RandomnessUse, SeedSet, StatementFlow, TrainingMarker,
)
from mldebt.settings import load_settings

TRAIN = """\
import random
import numpy as np
import torch
from torch.utils.data import DataLoader, random_split
from sklearn.model_selection import train_test_split, KFold
from pkg.utils import init_seeds

class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.drop = torch.nn.Dropout(0.1)

    def forward(self, x):
        return self.head(x)

def main(ds):
    init_seeds(1)
    a, b = train_test_split(ds)
    c, d = random_split(ds, [5, 5], generator=torch.Generator().manual_seed(0))
    loader = DataLoader(ds, shuffle=True)
    plain = DataLoader(ds)
    folds = KFold(5)
    model = Net()
    opt = torch.optim.Adam(model.parameters())
    torch.backends.cudnn.benchmark = True
    for epoch in range(10):
        loss.backward()
        opt.step()
    rng = np.random.default_rng()
    random.shuffle(a)

if __name__ == "__main__":
    main(None)
"""


def _facts(tmp_path, files, path, config=""):
    if config:
        files = {**files, "pyproject.toml": config}
    root = write_tree(tmp_path, files)
    report = scan(root, load_settings(root), jobs=1)
    return next(f.facts for f in report.files if f.path == path)


def test_training_script_facts(tmp_path):
    facts = _facts(tmp_path, {"train.py": TRAIN}, "train.py")
    assert facts.entry_points == [EntryPoint("main-guard", "__main__", 32)]
    assert facts.training_markers == [
        TrainingMarker("epoch loop", "main", 26, statement_end=28),  # `main` draws: its order is kept
        TrainingMarker("opt.step()", "main", 28, statement_end=28),
    ]
    assert [(r.generator, r.api, r.function, r.line, r.argument, r.global_seed) for r in facts.randomness] == [
        ("torch", "torch.nn.Dropout", "Net.__init__", 11, "", True),
        ("numpy", "sklearn.model_selection.train_test_split", "main", 18, "random_state", True),
        ("torch", "torch.utils.data.DataLoader", "main", 20, "generator", True),
        ("numpy", "numpy.random.default_rng", "main", 29, "seed", False),
        ("python", "random.shuffle", "main", 30, "", True),
    ]  # random_split has its generator, the plain DataLoader does not shuffle, KFold does not shuffle
    # by its name only (the call graph reads pkg/utils.py when it exists); `g.manual_seed(0)`
    # seeds a local generator, no global one
    assert facts.seeds == [SeedSet(("python", "numpy", "torch", "tensorflow"), "pkg.utils.init_seeds", "main", 17, True)]
    assert facts.nondeterminism == [NondeterminismSwitch("torch.backends.cudnn.benchmark = True", "main", 25, 4)]
    calls = {c.function: c.calls for c in facts.function_calls}
    assert calls["__main__"] == ("main",) and calls[""] == ()  # the guard runs only when run
    assert calls["Net"] == ("torch.nn.Module",)  # bases: reaching a class reaches what it inherits
    assert "pkg.utils.init_seeds" in calls["main"] and "Net" in calls["main"]
    assert "pkg.utils.init_seeds" in facts.imported_modules


def test_seeds_by_generator_and_helpers_by_name(tmp_path):
    code = (
        "import random, numpy as np, torch\nimport lightning as L\nfrom mylab.tools import seed_all\n"
        "def fix(s):\n    random.seed(s)\n    np.random.seed(s)\n    torch.manual_seed(s)\n"
        "L.seed_everything(1, workers=True)\nseed_all(3)\nrng = np.random.default_rng(0)\n"
    )
    facts = _facts(tmp_path, {"seeding.py": code}, "seeding.py")
    assert facts.seeds == [
        SeedSet(("python",), "random.seed", "fix", 5), SeedSet(("numpy",), "numpy.random.seed", "fix", 6),
        SeedSet(("torch",), "torch.manual_seed", "fix", 7),
        SeedSet(("python", "numpy", "torch"), "lightning.seed_everything", "", 8),
        SeedSet(("python", "numpy", "torch", "tensorflow"), "mylab.tools.seed_all", "", 9, by_name=True),
    ]
    assert facts.randomness == []  # default_rng(0) is seeded by its argument


def test_entry_point_kinds(tmp_path):
    files = {
        "script.py": "import torch\nmodel.fit(x, y)\n",
        "lib.py": "import torch\ndef f():\n    return 1\nLOGGER = None\n",
        "runner.py": "def main():\n    pass\nmain()\n",
        "cli.py": "import click\n@click.command()\ndef train():\n    pass\n",
        "nb.ipynb": notebook(("code", "import numpy as np\nnp.random.rand(3)\n")),
    }
    assert _facts(tmp_path, files, "script.py").entry_points == [EntryPoint("script", "", 2)]
    assert _facts(tmp_path, files, "lib.py").entry_points == []
    assert _facts(tmp_path, files, "runner.py").entry_points == [EntryPoint("script", "", 1)]
    assert _facts(tmp_path, files, "cli.py").entry_points == [EntryPoint("cli-command", "train", 3)]
    nb = _facts(tmp_path, files, "nb.ipynb")
    assert nb.entry_points == [EntryPoint("notebook", "", 1)]
    assert nb.randomness == [RandomnessUse("numpy", "numpy.random.rand", "", 2, 0, location="nb.ipynb[cell 0]:2", statement_end=2)]


def test_self_calls_and_star_imports(tmp_path):
    code = "from .helpers import *\nclass T:\n    def fit(self):\n        self.step()\n        seed_it(1)\n"
    facts = _facts(tmp_path, {"pkg/t.py": code}, "pkg/t.py")
    assert FunctionCalls("T.fit", ("T.step", "seed_it")) in facts.function_calls
    assert "*.helpers" in facts.imported_modules


def test_team_training_and_seed_apis_from_config(tmp_path):
    config = (
        "[tool.mldebt.reproducibility]\ntraining-calls = ['lab.run_training']\n"
        "seeds = {'lab.determinism' = ['torch']}\n"
    )
    code = "import lab\nlab.determinism()\nlab.run_training()\n"
    facts = _facts(tmp_path, {"go.py": code}, "go.py", config)
    assert facts.seeds == [SeedSet(("torch",), "lab.determinism", "", 2)]
    assert facts.training_markers == [TrainingMarker("lab.run_training", "", 3)]
    assert facts.entry_points == [EntryPoint("script", "", 3)]


def test_optimizer_wrappers_and_speed_measurements_are_not_training(tmp_path):
    code = (
        "import torch\n"
        "class EMAOptimizer(torch.optim.Optimizer):\n    def step(self):\n        self.optimizer.step()\n"
        "class GradScaler:\n    def _maybe_opt_step(self, optimizer):\n        optimizer.step()\n"
        "class TrainBenchmarkRunner:\n    def run(self):\n        for epoch in range(3):\n            self.optimizer.step()\n"
        "def profile_step(model, opt):\n    opt.step()\n"
        "class Lookahead(torch.optim.Optimizer):\n    def step(self):\n        self._base_optimizer.step()\n"
        "class OptunaTrainer:\n    def train_step(self):\n        self.optimizer.step()\n"
        "def train(model, opt):\n    for epoch in range(3):\n        opt.step()\n"
    )
    facts = _facts(tmp_path, {"lab.py": code}, "lab.py")
    # the trainer's own step and the plain loop train; the wrappers and the benchmark do not
    assert facts.training_markers == [
        TrainingMarker("optimizer.step()", "OptunaTrainer.train_step", 19),
        TrainingMarker("epoch loop", "train", 21),
        TrainingMarker("opt.step()", "train", 22),
    ]


def test_fitting_a_distribution_is_not_training(tmp_path):
    code = "from scipy.stats import expon\nimport sklearn.linear_model as lm\n_, scale = expon.fit(gaps, floc=0)\nlm.Ridge().fit(X, y)\n"
    assert _facts(tmp_path, {"stats.py": code}, "stats.py").training_markers == [TrainingMarker(".fit()", "", 4)]


def test_statement_flows_of_a_function_that_draws(tmp_path):
    code = (
        "import random\nfrom engine import train\n"
        "def main(paths):\n    picks = random.sample(paths, k=3)\n    for i, p in enumerate(picks):\n        show(p)\n"
        "    model = train(paths)\n"
        "def quiet():\n    return 1\n"
    )
    facts = _facts(tmp_path, {"run.py": code}, "run.py")
    assert facts.statement_flows == [  # only `main` draws
        StatementFlow("main", 4, reads=("paths",), writes=("picks",), calls=("random.sample",)),  # `random` a module
        StatementFlow("main", 6, reads=("enumerate", "p", "picks", "show"), writes=("i", "p"), leaves=EFFECT),
        StatementFlow("main", 7, reads=("paths", "train"), writes=("model",), calls=("engine.train",)),
    ]


def test_how_a_drawn_value_leaves_its_function(tmp_path):
    """Kept in the function's own objects and shown: it stays; returned or written into what the
    caller passed (through a loop variable or an item of it): handed back; written into a global
    or given to a call made for its effect: an effect."""
    code = (
        "import random\nimport numpy as np\nimport pandas as pd\nfrom IPython.display import display, HTML\n"
        "import torch\nROWS = []\n"
        "def show(ds):\n    picks = []\n    picks.append(random.randint(0, 9))\n    df = pd.DataFrame(ds[picks])\n"
        "    df['a'] = 1\n    display(HTML(df.to_html()))\n    print(picks)\n"
        "def mask(features):\n    for feature in features:\n        ids = feature['ids']\n"
        "        ids[0] = np.random.binomial(1, 0.2)\n"
        "def crop(x):\n    return x[random.randint(0, 9):]\n"
        "def keep():\n    ROWS.append(random.random())\n"
        "def shuffle(rows):\n    random.shuffle(rows)\n"
        "def save(x):\n    np.save('x.npy', x * np.random.rand())\n"
        "def split(self):\n    self.train, self.val = torch.utils.data.random_split(full, [50, 10])\n"
    )
    flows = _facts(tmp_path, {"run.py": code}, "run.py").statement_flows
    leaves = {(f.function, f.end): f.leaves for f in flows}
    assert [leaves[("show", line)] for line in range(8, 14)] == ["", "", "", "", "", ""]
    assert leaves[("mask", 17)] == HANDED
    assert leaves[("crop", 19)] == HANDED
    assert leaves[("keep", 21)] == EFFECT
    assert leaves[("shuffle", 23)] == HANDED
    assert leaves[("save", 25)] == EFFECT
    assert leaves[("split", 27)] == HANDED
