from __future__ import annotations

from collections.abc import Iterator
from fnmatch import fnmatchcase as fnmatch

from mldebt.extract.facts import RandomnessUse
from mldebt.knowledge import load_table
from mldebt.project.demos import DEMO_NOTEBOOK
from mldebt.project import Project
from mldebt.project.reproducibility import TrainingRun
from mldebt.rule import Category, Confidence, Invalid, ProjectFinding, ProjectRule, Severity, Valid
from mldebt.rules.reproducibility import GENERATOR_NAMES, NAMED_SITES, notebook, sites

_LOOP = (
    "import torch\nfrom torch.utils.data import DataLoader\n"
    "def main():\n"
    "    loader = DataLoader(dataset, batch_size=32, shuffle=True)\n"
    "    model = torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.Dropout(0.1))\n"
    "    for epoch in range(10):\n"
    "        for x, y in loader:\n"
    "            loss = model(x).sum()\n"
    "            loss.backward()\n"
    "\n"
    "if __name__ == '__main__':\n"
    "    main()\n"
)
#: A cluster launcher that runs `train.py`'s training function from its own entry point.
_LAUNCHER = ("import train\nclass Job:\n    def __call__(self):\n        train.main()\n"
             "if __name__ == '__main__':\n    submit(Job())\n")
_RANDOM_VALUES = frozenset(load_table("reproducibility")["random_values"])
_MODEL_INTERNAL = tuple(load_table("reproducibility")["model_internal"])
_SEARCH = frozenset(load_table("reproducibility")["hyperparameter_search"])
#: Random inputs reach the gradients the step applies: a demo on synthetic data.
_RANDOM_INPUTS = (
    "import torch\ndef demo(model, opt):\n    out = model(torch.randn(20, 10))\n    y = torch.randn(20, 5)\n"
    "    loss_fn(out, y).backward()\n    opt.step()\nif __name__ == '__main__':\n    demo(model, opt)\n"
)
#: A model whose own randomness is dropout and initialisation.
_MODEL = {"model.py": "import torch.nn as nn\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                      "        self.fc = nn.Linear(10, 5)\n        self.drop = nn.Dropout(0.1)\n"
                      "        nn.init.uniform_(self.fc.weight, -0.1, 0.1)\n"}
_SEED_OPTION = "import argparse\nparser = argparse.ArgumentParser()\nparser.add_argument('--seed', type=int, default=1)\n"
#: A script that only calls into another module: an entry point only when something runs it.
_RUNS_ENGINE = "from engine import run\nrun(epochs=3)\n"
_ENGINE = {"engine.py": "import torch\ndef run(epochs):\n    loader = torch.utils.data.DataLoader(ds, shuffle=True)\n"
                        "    for epoch in range(epochs):\n        model.fit(loader)\n"}
#: A run whose only other module drawing from Python's `random` is what _PORT_PICKER says.
_SERVES = "from lab.utils import pick\nfrom lab.trainer import fit\nif __name__ == '__main__':\n    fit(model, pick(items))\n"
_TRAINER = "import torch\ndef fit(model, data):\n    for epoch in range(3):\n        model(data).sum().backward()\n        opt.step()\n"
_PORT_PICKER = "import random\nimport psutil\ndef pick(items):\n    return random.choice(items)\n"
#: A Lightning tutorial: a callback that trains a probe on shuffled views in its hook.
_PROBE = ("import torch\nimport lightning as L\nclass OnlineProbe(L.Callback):\n"
          "    def on_train_batch_end(self, trainer, module, outputs, batch, batch_idx):\n"
          "        views = batch[torch.randperm(len(batch))]\n"
          "        self.loss(module, views).backward()\n        self.optimizer.step()\n"
          "probe = OnlineProbe()\ntrainer = L.Trainer(max_epochs=1, callbacks=[probe])\n"
          "trainer.fit(model, loader)\n")
#: A lesson's helper masking whole words at random, returning the batch it makes.
_MASK_WORDS = ("def mask_words(features):\n    for feature in features:\n"
               "        mask = np.random.binomial(1, 0.2, (len(feature['ids']),))\n"
               "        feature['labels'] = [i if m else -100 for i, m in zip(feature['ids'], mask)]\n"
               "    return collate(features)\n")
_FITS = "for epoch in range(3):\n    for x in samples:\n        model(x).sum().backward()\n        opt.step()\n"
_SEEDS = "import random\nimport numpy as np\nimport torch\n\ndef init_seeds(seed=0):\n    random.seed(seed)\n    np.random.seed(seed)\n    torch.manual_seed(seed)\n"


class UnseededTrainingRun(ProjectRule):
    """A training entry point uses random generators it never seeds, here or in anything it calls.

    ## Why it matters
    Shuffling loaders, dropout, augmentation, random splits and estimators without a
    `random_state` draw from global generators; unseeded, two runs of the same code on the same
    data give different models, so a regression cannot be told from noise, and a result cannot
    be reproduced, compared or audited. The finding names the generators left unseeded and where
    they are used.

    ## Known limitations
    Seeds are followed through the calls the entry point makes in the repository (imports,
    functions, classes and their methods); calls on objects of unknown type are not followed,
    and a call to an unknown function named like a seed helper (`seed_all()`) counts as seeding
    everything. Inference-only scripts (no training marker reached) and tests are not checked.
    XGBoost, LightGBM and CatBoost seed themselves by default. Draws in the entry point's own
    code whose value reaches no training statement of their function (test images sampled to
    plot, before or after the training) are left out, following names from statement to
    statement: a value that reaches the training only through a global a called function reads
    is missed. A draw in a helper of that file that does not train counts only when its value
    can leave the helper: returned, written into an argument or a global, or given to a call
    made for its effect other than a display call (`display_calls`); a helper that only shows
    random rows of a dataset (a table, a print, a plot) changes nothing the run trains on. A
    value only handed back to the caller counts where the call's value, its arguments or the
    helper itself reach the training (a masking collator tried on two samples and printed,
    while the fit uses another, does not); one a helper writes to a file through a method of
    an object it made (`image.save(path)`) is missed. A value handed back to a caller that
    trains nothing counts only where it can leave that caller in turn: a Keras callback's hook
    sampling text to print after each epoch (`sys.stdout.write` is a display call) changes
    nothing the fit consumes. A module name (`np` of `np.random.shuffle(labels)`) carries no
    drawn value: what a draw made for its effect changes is its arguments, so a random baseline
    shuffling a copy of the test labels after the fit reaches no later fit. A draw inside a
    statement that trains (a loop fitting one epoch, then printing text it samples) still
    counts, and so does any loop over a variable named `epoch`. In the other modules a run reaches, a draw of Python's `random` in a module that
    neither trains, feeds or reads data, nor imports a library of arrays, tensors, images, text
    or tables (`data_libraries`: a free port, an id, a retry's jitter) is left out: a pure-Python
    augmentation that imports none of them and reads no data itself is missed. Code that times training steps (`TrainBenchmarkRunner`, `profile_step`) and
    optimizers wrapping optimizers are not training, nor is a `fit` that fits no model
    (`scipy.stats` distributions, `PIL.ImageOps.fit` cropping an image). Seed order is not checked: a seed set
    after the first random draw still counts (on the panel, every draw before a seed was a
    notebook's exploration or a script drawing its own seed).

    Notebooks nothing runs are reported at info: on real repositories their training cells are
    tutorials, demos and explorations far more often than the run a result comes from. Runs
    whose only unseeded draws fill tensors with random values (`torch.randn`: toy demos on
    random inputs, more often than noise that decides a result) are not reported, unless the
    script parses a seed option (`--seed`) and still seeds nothing: then a note says so. So are
    runs whose own file draws only such values and whose other draws are the model's dropout and
    initialisation (a batch-size search on synthetic batches, an RPC demo on random tensors);
    a shuffling loader, a split or an augmentation anywhere in the run makes it data, reported.
    A run in a hyperparameter-search script (it imports Optuna, Ray Tune, Hyperopt, ...: the
    `hyperparameter_search` list) trains throwaway models for a search that samples at random
    by design: not reported (on the panel every one read was noise even as a note), also when
    the script goes on to train a final model with the best settings. A launcher that runs
    another file's training (a Slurm or submitit wrapper calling `train.main`), with no training
    of its own and no unseeded draw that run does not reach, is reported there, not twice.

    ## References
    - Arpteg et al. 2018, Software Engineering Challenges of Deep Learning (non-determinism)
    - Breck et al. 2017, The ML Test Score, Infra 1: training is reproducible
    """

    id = "MLD701"
    name = "unseeded-training-run"
    category = Category.REPRODUCIBILITY
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    in_tests = False
    in_demos = {DEMO_NOTEBOOK: Severity.INFO}
    INVALID = [
        # The training's own entry seeds in its `__main__` block, which the launcher skips.
        Invalid(_LAUNCHER, path="launch.py", line=5,
                files={"train.py": _LOOP.replace("    main()", "    torch.manual_seed(0)\n    main()")}),
        Invalid(_LOOP, path="train.py", line=11, message="never seeds torch's generator"),
        Invalid(
            "from sklearn.model_selection import train_test_split\nfrom sklearn.ensemble import RandomForestClassifier\n"
            "X_tr, X_te, y_tr, y_te = train_test_split(X, y)\nclf = RandomForestClassifier()\nclf.fit(X_tr, y_tr)\n",
            path="fit.py", line=5, message="NumPy's global generator",
        ),
        Invalid(  # the helper exists but the entry point never calls it
            "from utils import init_seeds\n" + _LOOP, path="train.py", line=12, files={"utils.py": _SEEDS},
        ),
        Invalid(  # a library registers a class whose method seeds: registering runs nothing
            "import lab\n" + _LOOP, path="train.py", line=12, files={
                "lab/__init__.py": "from lab.registry import register\nfrom lab.tuner import Tuner\nregister(Tuner)\n",
                "lab/registry.py": "def register(cls):\n    return cls\n",
                "lab/tuner.py": "import torch\nclass Tuner:\n    def init(self):\n        torch.manual_seed(0)\n",
            },
        ),
        Invalid(  # a console script's function, no `__main__` block anywhere
            "import torch\ndef run():\n    loader = torch.utils.data.DataLoader(ds, shuffle=True)\n"
            "    for epoch in range(3):\n        model.fit(loader)\n",
            path="lab/cli.py", line=1, message="torch's generator",
            files={"pyproject.toml": "[project]\nname = 'lab'\n[project.scripts]\nlab-train = 'lab.cli:run'\n",
                   "lab/__init__.py": ""},
        ),
        Invalid(  # the draw comes before the training it shuffles, in a cell of its own
            notebook("import random\nimport torch\ntorch.manual_seed(0)\n", "random.shuffle(samples)\n",
                     "for epoch in range(3):\n    for x in samples:\n        model(x).sum().backward()\n        opt.step()\n"),
            path="train.ipynb", message="Python's `random`",
        ),
        Invalid(  # the training runs in a method the call graph cannot see from the call: the draw counts
            "import numpy as np\nimport torch\ndef negatives(y):\n    return y[np.random.permutation(len(y))]\n"
            "class Net:\n    def train(self, x):\n        for epoch in range(3):\n            self.opt.step()\n"
            "if __name__ == '__main__':\n    net = Net()\n    y_neg = negatives(y)\n    net.train(y_neg)\n",
            path="train.py", message="NumPy's global generator",
        ),
        Invalid(  # a helper's draw reaches the training through its call in the loop
            notebook("import numpy as np\nimport torch\ntorch.manual_seed(0)\n",
                     "def jitter(x):\n    return x + np.random.normal(size=x.shape)\n",
                     "for epoch in range(3):\n    model(jitter(x)).sum().backward()\n    opt.step()\n"),
            path="augment.ipynb", message="NumPy's global generator",
        ),
        Invalid(  # a real model trained without a seed: its dropout and initialisation vary
            "from model import Net\nimport torch\nif __name__ == '__main__':\n    model = Net()\n"
            "    for epoch in range(3):\n        for x, y in batches:\n            model(x).sum().backward()\n            opt.step()\n",
            path="train.py", line=3, message="`torch.nn.Dropout` at model.py", files=_MODEL,
        ),
        Invalid(  # random noise, but the data comes from a shuffling loader elsewhere
            "from data import loader\n" + _RANDOM_INPUTS, path="gan.py", message="and 1 more)",
            files={"data.py": "import torch\nloader = torch.utils.data.DataLoader(ds, shuffle=True)\n"},
        ),
        Invalid(  # random inputs only, but the script parses a seed it never uses
            _SEED_OPTION + _RANDOM_INPUTS, path="ddp.py", message="although it parses `--seed` at line 3",
        ),
        Invalid(  # a loop that draws and steps: the draw is part of the training
            "import random\nimport torch\ntorch.manual_seed(0)\nfor epoch in range(3):\n    opt.step()\n"
            "    random.shuffle(samples)\n",
            path="loop.py", line=4, message="Python's `random`",
        ),
        Invalid(  # training through a helper of another module, then a draw that feeds a second run
            "import random\nimport torch\nfrom engine import train\ndef main():\n    torch.manual_seed(0)\n"
            "    train(model, samples)\n    random.shuffle(samples)\n    train(model, samples)\nmain()\n",
            path="twice.py", message="Python's `random`",
            files={"engine.py": "def train(model, samples):\n    for epoch in range(3):\n        opt.step()\n"},
        ),
        Invalid(  # no `__main__` block and nothing defined: a Makefile target makes it a run
            _RUNS_ENGINE, path="train.py", line=1, files={"Makefile": "PY := python3\ntrain:\n\t@$(PY) train.py --epochs 3\n", **_ENGINE},
            message="run by the Makefile target at Makefile:3",
        ),
        Invalid(  # a CI job runs it from the folder its `working-directory` names
            _RUNS_ENGINE, path="src/train.py", line=1, message="run by the CI step at .github/workflows/train.yml:7",
            files={".github/workflows/train.yml": "on: push\njobs:\n  train:\n    defaults:\n      run:\n        working-directory: src\n"
                   "    steps: [{run: python train.py --cfg configs/a.yaml}]\n", "src/engine.py": _ENGINE["engine.py"]},
        ),
        Invalid(  # `python -m lab.train`: a module other modules import, run as a script
            "import torch\nloader = torch.utils.data.DataLoader(ds, shuffle=True)\nfor epoch in range(3):\n    model.fit(loader)\n",
            path="lab/train.py", line=3, files={"lab/__init__.py": "", "lab/report.py": "from lab import train\n",
                                                 "Makefile": "train:\n\tpython -m lab.train\n"},
        ),
        Invalid(  # seeds torch only; the augmentation draws from Python's random
            "import random\nimport torch\ndef augment(x):\n    return x if random.random() < 0.5 else -x\n"
            "torch.manual_seed(0)\nfor epoch in range(3):\n    model.fit(augment(x))\n",
            path="aug.py", line=6, message="Python's `random` (used by `random.random` at line 4)",
        ),
        Invalid(  # Python's `random` in a module beside an imaging library: an augmentation, data
            _SERVES, path="train.py", line=3, message="Python's `random` (used by `random.choice` at lab/utils.py:4)",
            files={"lab/__init__.py": "", "lab/trainer.py": _TRAINER,
                   "lab/utils.py": _PORT_PICKER.replace("import psutil", "from PIL import ImageOps")},
        ),
        Invalid(  # the function seeds torch with its option, but the drawn shift is no seed: NumPy's draw is the run's
            "import numpy as np\nimport torch\ndef main(seed):\n    torch.manual_seed(seed)\n"
            "    shift = np.random.randint(10)\n    for epoch in range(3):\n        model(x + shift).sum().backward()\n"
            "        opt.step()\nif __name__ == '__main__':\n    main(0)\n",
            path="train.py", message="NumPy's global generator (used by `numpy.random.randint` at line 5)",
        ),
        Invalid(_PROBE, path="lightning_examples/probe/probe.py", message="torch's generator",
                files={"Makefile": "docs:\n\tpython lightning_examples/probe/probe.py\n"}),
        Invalid(  # a helper shuffles, in place, the list the caller then trains on
            notebook("import random\nimport torch\ntorch.manual_seed(0)\n",
                     "def shuffle_rows(rows):\n    random.shuffle(rows)\n", "shuffle_rows(samples)\n", _FITS),
            path="shuffle.ipynb", message="Python's `random`",
        ),
        Invalid(  # the masking collator tried on two samples is also the one the fit's loader uses
            notebook("import numpy as np\nimport torch\ntorch.manual_seed(0)\n", _MASK_WORDS,
                     "batch = mask_words(pair)\nprint(batch)\n",
                     "loader = prepare(train_set, collate_fn=mask_words)\nmodel.fit(loader, epochs=3)\n"),
            path="mlm.ipynb", message="NumPy's global generator",
        ),
        Invalid(  # a data module's set-up splits at random into its own attributes, which the training reads
            "import torch\nfrom torch.utils.data import DataLoader, random_split\nclass Data:\n    def setup(self):\n"
            "        self.train, self.val = random_split(full, [50, 10])\n    def loader(self):\n"
            "        return DataLoader(self.train)\nif __name__ == '__main__':\n    data = Data()\n    data.setup()\n"
            "    for epoch in range(3):\n        for x in data.loader():\n            model(x).sum().backward()\n"
            "            opt.step()\n",
            path="gan.py", message="torch's generator (used by `torch.utils.data.random_split` at line 5)",
        ),
        Invalid(  # a helper refills a module's pool at random before the training reads it
            notebook("import random\nimport torch\ntorch.manual_seed(0)\nPOOL = []\n",
                     "def refill():\n    POOL.extend(random.sample(ALL, 10))\n", "refill()\n",
                     _FITS.replace("in samples", "in POOL")),
            path="pool.ipynb", message="Python's `random`",
        ),
        Invalid(  # a top-level shuffle of the indices the fit then reads
            notebook("import numpy as np\nfrom tensorflow import keras\n",
                     "order = np.arange(len(x_train))\nnp.random.shuffle(order)\n",
                     "model = keras.Sequential([keras.layers.Dense(4)])\nmodel.fit(x_train[order], y_train[order])\n"),
            path="order.ipynb", message="NumPy's global generator",
        ),
        Invalid(  # an imported list shuffled in place, then fitted on: a name a `from` import binds is a value
            notebook("import random\nfrom corpus import sentences\n", "random.shuffle(sentences)\n",
                     "model.fit(encode(sentences), labels)\n"),
            path="corpus.ipynb", message="Python's `random`",
        ),
        Invalid(  # a helper hands its draw to a caller that trains nothing but hands it on to the fit
            notebook("import numpy as np\nfrom tensorflow import keras\n",
                     "def noisy(x):\n    return x + np.random.normal(0, 0.1, x.shape)\n",
                     "def make_inputs(x):\n    batch = noisy(x)\n    return batch\n",
                     "model = keras.Sequential([keras.layers.Dense(4)])\nmodel.fit(make_inputs(x_train), y_train)\n"),
            path="noise.ipynb", message="NumPy's global generator",
        ),
    ]
    VALID = [
        Valid(  # a random baseline after the fit shuffles a copy of the test labels; a later fit never reads it
            notebook("import copy\nimport numpy as np\nfrom tensorflow import keras\n",
                     "model = keras.Sequential([keras.layers.Dense(4)])\nmodel.fit(x_train, y_train)\n",
                     "labels = copy.copy(test_labels)\nnp.random.shuffle(labels)\nprint((labels == test_labels).mean())\n",
                     "x = np.zeros((3, 4))\nwide = keras.Sequential([keras.layers.Dense(8)])\nwide.fit(x, y_train)\n"),
            path="baseline.ipynb",
        ),
        Valid(  # a generation callback samples text to print after each epoch; nothing of it reaches the fit
            notebook("import random\nimport sys\nimport numpy as np\nfrom tensorflow import keras\n",
                     "def pick(probs):\n    return np.argmax(np.random.multinomial(1, probs, 1))\n",
                     "class Writer(keras.callbacks.Callback):\n    def on_epoch_end(self, epoch, logs=None):\n"
                     "        start = random.randint(0, len(text) - 40)\n        line = text[start:start + 40]\n"
                     "        for _ in range(100):\n            token = vocab[pick(self.model.predict(encode(line))[0])]\n"
                     "            line = line[1:] + token\n            sys.stdout.write(token)\n",
                     "model = keras.Sequential([keras.layers.LSTM(16)])\nmodel.fit(x, y, epochs=5, callbacks=[Writer()])\n"),
            path="writer.ipynb",
        ),
        # A launcher of another file's training, whose run is reported there: one fact, one finding
        # (tuned after the freeze on the first-sight judging of a research repository's Slurm launcher).
        Valid(_LAUNCHER, path="launch.py", files={"train.py": _LOOP}),
        Valid(  # a helper shows random rows of the training set before the training: a table, nothing handed on
            notebook("import random\nimport pandas as pd\nimport torch\nfrom IPython.display import display, HTML\n"
                     "torch.manual_seed(0)\n",
                     "def show_rows(ds, n=5):\n    picks = []\n    for _ in range(n):\n"
                     "        picks.append(random.randint(0, len(ds) - 1))\n"
                     "    table = pd.DataFrame([ds[i] for i in picks])\n    display(HTML(table.to_html()))\n",
                     "show_rows(samples)\n", _FITS),
            path="rows.ipynb",
        ),
        Valid(  # a masking collator tried on two samples to print them; the fit's loader uses another collator
            notebook("import numpy as np\nimport torch\ntorch.manual_seed(0)\n", _MASK_WORDS,
                     "pair = [train_set[i] for i in range(2)]\nbatch = mask_words(pair)\n"
                     "for ids in batch['input_ids']:\n    print(tokenizer.decode(ids))\n",
                     "loader = prepare(train_set, collate_fn=default_collator)\nmodel.fit(loader, epochs=3)\n"),
            path="mlm.ipynb",
        ),
        Valid(  # `ImageOps.fit` crops an image to a size: a demo picking an example at random trains nothing
            notebook("import random\nfrom PIL import ImageOps\n",
                     "def load_example():\n    image = ImageOps.fit(random.choice(pictures), (512, 512))\n"
                     "    return image\n", "load_example()\n"),
            path="demo.ipynb",
        ),
        # The same tutorial with its fit commented out: the callback's hook never runs, nothing trains.
        Valid(_PROBE.replace("trainer.fit(", "# uncomment this to train the model\n# trainer.fit("),
              path="lightning_examples/probe/probe.py",
              files={"Makefile": "docs:\n\tpython lightning_examples/probe/probe.py\n"}),
        Valid(  # the library draws a session seed only when the caller gives none, then seeds with it
            "import random\nimport numpy as np\nclass Experiment:\n    def setup(self, data, session_id=None):\n"
            "        self.seed = int(random.randint(150, 9000) if session_id is None else session_id)\n"
            "        np.random.seed(self.seed)\n        self.model = fit(data, random_state=self.seed)\n"
            "    def fit(self, loader):\n        for epoch in range(3):\n            self.opt.step()\n"
            "if __name__ == '__main__':\n    Experiment().setup(data, session_id=123)\n",
            path="experiment.py",
        ),
        Valid(  # the fallback of a seed the caller can set, in the helper that seeds with it
            "from lab.setup import prepare\nif __name__ == '__main__':\n    prepare()\n"
            "    for epoch in range(3):\n        model(x).sum().backward()\n        opt.step()\n",
            path="train.py", files={"lab/__init__.py": "", "lab/setup.py": (
                "import random\nimport numpy as np\nimport torch\ndef prepare(seed=None):\n    if seed is None:\n"
                "        seed = random.randint(0, 2**31)\n    np.random.seed(seed)\n    torch.manual_seed(seed)\n")},
        ),
        Valid(  # Python's `random` only in a module with no data library that neither trains nor touches data: a port, an id
            _SERVES, path="train.py",
            files={"lab/__init__.py": "", "lab/trainer.py": _TRAINER, "lab/utils.py": _PORT_PICKER},
        ),
        Valid(  # a hyperparameter search's trials: throwaway models, a search random by design
            "import optuna\nimport torch\ndef objective(trial):\n"
            "    loader = torch.utils.data.DataLoader(ds, shuffle=True)\n    for epoch in range(3):\n        model.fit(loader)\n"
            "    return score\nif __name__ == '__main__':\n    optuna.create_study().optimize(objective, n_trials=10)\n",
            path="search.py",
        ),
        Valid(_RANDOM_INPUTS, path="ddp.py"),  # a demo on random inputs: a seed changes nothing it shows
        # Random inputs into a model whose own randomness is dropout and initialisation: still a demo.
        Valid("from model import Net\n" + _RANDOM_INPUTS.replace("demo(model, opt)\n", "demo(Net(), opt)\n"),
              path="ddp.py", files=_MODEL),
        Valid("from utils import init_seeds\n" + _LOOP.replace("def main():\n", "def main():\n    init_seeds(0)\n"),
              path="train.py", files={"utils.py": _SEEDS}),
        Valid("from pkg import seeding\n" + _LOOP.replace("def main():\n", "def main():\n    seeding.init_seeds(0)\n"),
              path="scripts/train.py", files={"pkg/seeding.py": _SEEDS, "pkg/__init__.py": ""}),
        Valid("import lightning as L\n" + _LOOP.replace("def main():\n", "def main():\n    L.seed_everything(42, workers=True)\n"),
              path="train.py"),
        Valid(
            "from transformers import Trainer, TrainingArguments\nimport torch\n"
            "args = TrainingArguments(output_dir='out', seed=42)\n"
            "trainer = Trainer(model=model, args=args, train_dataset=ds)\ntrainer.train()\n",
            path="finetune.py",
        ),
        Valid(  # a subclass of HF's Trainer seeds in its inherited __init__
            "import torch\nimport transformers\nclass DistillTrainer(transformers.Trainer):\n    pass\n"
            "loader = torch.utils.data.DataLoader(ds, shuffle=True)\n"
            "trainer = DistillTrainer(model=model, args=args, train_dataset=ds)\ntrainer.train()\n",
            path="distill.py",
        ),
        Valid(notebook("import torch\ntorch.manual_seed(0)\n", "loader = torch.utils.data.DataLoader(ds, shuffle=True)\n",
                       "for epoch in range(3):\n    for x in loader:\n        model(x).sum().backward()\n"),
              path="train.ipynb"),
        Valid(  # inference only: nothing trains
            "import torch\nfrom torch.utils.data import DataLoader\nloader = DataLoader(ds, shuffle=True)\n"
            "model.eval()\nfor x in loader:\n    print(model(x))\n",
            path="predict.py",
        ),
        Valid(_LOOP, path="tests/test_train.py"),
        Valid(  # a plotting helper picks a random colour, called only after the training, to show a mask
            notebook("import numpy as np\nimport torch\ntorch.manual_seed(0)\n",
                     "for epoch in range(3):\n    model(x).sum().backward()\n    opt.step()\n",
                     "def show_mask(mask, ax):\n    color = np.random.random(3)\n    ax.imshow(mask * color)\n",
                     "show_mask(masks[0], axes)\naxes.axis('off')\n"),
            path="persam.ipynb",
        ),
        Valid(  # `random` only picks test images to plot once the training (in another module) is over
            notebook("import random\nimport torch\nfrom engine import train\ntorch.manual_seed(0)\n",
                     "train(model)\n", "for path in random.sample(test_images, k=3):\n    plot(model, path)\n"),
            path="transfer.ipynb",
            files={"engine.py": "def train(model):\n    for epoch in range(3):\n        opt.step()\n"},
        ),
        Valid(  # before the training, `random` only picks feature maps to plot: the value never reaches it
            notebook("import random\nimport torch\nfrom engine import train\ntorch.manual_seed(0)\n",
                     "idx = random.sample(range(758), k=5)\nfor i, channel in enumerate(idx):\n    axs[i].imshow(maps[:, channel])\n",
                     "train(model, loader)\n"),
            path="features.ipynb",
            files={"engine.py": "def train(model, loader):\n    for epoch in range(3):\n        opt.step()\n"},
        ),
        Valid(  # inference that reaches an optimizer wrapper: wrapping an optimizer trains nothing
            "import torch\nfrom lab.optim import EMAOptimizer\nif __name__ == '__main__':\n"
            "    opt = EMAOptimizer(torch.optim.SGD(params))\n"
            "    loader = torch.utils.data.DataLoader(ds, shuffle=True)\n    for x in loader:\n        print(model(x))\n",
            path="predict.py",
            files={"lab/optim.py": "class EMAOptimizer:\n    def step(self):\n        self.optimizer.step()\n",
                   "lab/__init__.py": ""},
        ),
        Valid(  # fitting a distribution's parameters trains no model
            "import numpy as np\nfrom scipy.stats import expon\nif __name__ == '__main__':\n"
            "    picks = np.random.permutation(len(files))[:10]\n    _, scale = expon.fit(gaps[picks], floc=0)\n",
            path="analyse.py",
        ),
        Valid(  # a benchmark times training steps on random inputs; the model is thrown away
            "import torch\nclass TrainBenchmarkRunner:\n    def run(self):\n        x = torch.randn(8, 3)\n"
            "        for _ in range(10):\n            model(x).sum().backward()\n            self.optimizer.step()\n"
            "if __name__ == '__main__':\n    TrainBenchmarkRunner().run()\n",
            path="benchmark.py",
        ),
        Valid(_RUNS_ENGINE, path="train.py", files={"Makefile": "lint:\n\tflake8 train.py\n", **_ENGINE}),  # not run
        Valid(  # a Makefile target runs it, and it seeds through the engine's helper
            _RUNS_ENGINE.replace("import run", "import run, init_seeds\ninit_seeds(0)"), path="train.py",
            files={"Makefile": "train:\n\tpython train.py\n", "engine.py": _ENGINE["engine.py"] + _SEEDS},
        ),
        Valid(  # XGBoost seeds itself (seed=0 by default)
            "import xgboost as xgb\nbooster = xgb.train(params, dtrain, num_boost_round=10)\n", path="boost.py",
        ),
    ]

    def check(self, project: Project) -> Iterator[ProjectFinding]:
        runs = [(run, unseeded) for run in project.training_runs if (unseeded := run.unseeded())]
        for run, unseeded in runs:
            if any(_launches(run, unseeded, other, theirs) for other, theirs in runs):
                continue  # it runs another file's training, reported there: one fact, one finding
            parts = []
            related: dict[tuple[str, int], None] = dict.fromkeys([run.started_at] if run.started_at else [])
            for generator, uses in unseeded.items():
                found = sites(uses, run.path)
                related.update(((p, u.line), None) for p, u in found.values())
                named = list(found)
                examples = ", ".join(named[:NAMED_SITES])
                more = f" and {len(named) - NAMED_SITES} more" if len(named) > NAMED_SITES else ""
                parts.append(f"{GENERATOR_NAMES[generator]} (used by {examples}{more})")
            synthetic = _synthetic(run.path, [site for uses in unseeded.values() for site in uses])
            seed_option = next((o for o in project.files[run.path][1].cli_options if "seed" in o.dest.lower()), None)
            if synthetic and seed_option is None:
                continue  # a demo on random inputs: a seed changes nothing it shows
            if _searches(project, run.path):
                continue  # a search's trials: throwaway models, sampled at random by design
            started = f" ({run.started_by})" if run.started_by else ""
            if seed_option is not None:
                started += f", although it parses `{seed_option.flag or seed_option.dest}` at line {seed_option.line},"
            yield ProjectFinding(
                run.line,
                f"this training run{started} never seeds {'; '.join(parts)}"
                + (" (only to fill tensors with random values: inputs or noise, and inside the model)" if synthetic else ""),
                severity=Severity.INFO if synthetic else None,
                hint="seed every generator it uses once at start-up (e.g. `lightning.seed_everything(seed, "
                "workers=True)`, or `random.seed`, `np.random.seed`, `torch.manual_seed`), from a config value",
                path=run.path,
                related=tuple(related),
            )


def _draws(unseeded: dict[str, list[tuple[str, RandomnessUse]]]) -> set[tuple[str, str, int]]:
    return {(generator, path, use.line) for generator, uses in unseeded.items() for path, use in uses}


def _launches(run: TrainingRun, unseeded: dict, other: TrainingRun, theirs: dict) -> bool:
    """`run` is a launcher of `other`'s training (a submitit or Slurm wrapper calling
    `main_dino.train_dino`): it trains nothing in its own file, everything it trains `other`
    trains in its own, and every unseeded draw it reaches `other` reaches too. The finding at
    `other` says all there is to say."""
    if other.path == run.path or any(path == run.path for path, _ in run.markers):
        return False
    if not any(path == other.path for path, _ in other.markers):
        return False
    return set(run.markers) <= set(other.markers) and _draws(unseeded) <= _draws(theirs)


def _synthetic(path: str, uses: list[tuple[str, RandomnessUse]]) -> bool:
    """The unseeded draws only make synthetic inputs: every one fills tensors with random values
    (`torch.randn`), or those of the run's own file do and the rest are the model's own dropout
    and initialisation, reached through the model it builds (a batch-size search, a toy RPC
    demo). A loader's shuffle, a split or an augmentation anywhere is data: not synthetic."""
    if all(use.api in _RANDOM_VALUES for _, use in uses):
        return True
    own = [use for where, use in uses if where == path]
    return bool(own) and all(use.api in _RANDOM_VALUES for use in own) and all(
        use.api in _RANDOM_VALUES or any(fnmatch(use.api, pattern) for pattern in _MODEL_INTERNAL)
        for where, use in uses if where != path
    )


def _searches(project: Project, path: str) -> str | None:
    """The hyperparameter-search library the run's own file imports (`optuna`, `ray.tune`)."""
    for site in project.files[path][1].imports:
        for library in _SEARCH:
            if site.module == library or site.module.startswith(library + "."):
                return library
    return None
