from __future__ import annotations

from collections.abc import Iterator

from mldebt.project import Project
from mldebt.rule import Category, Confidence, Invalid, ProjectFinding, ProjectRule, Severity, Valid

_SPLIT = "from sklearn.model_selection import train_test_split\nX_tr, X_te, y_tr, y_te = train_test_split(X, y)\nmodel.fit(X_tr, y_tr)\n"
_OWN = "import numpy as np\nnp.random.seed(0)\nrng = np.random.default_rng()\nfor epoch in range(3):\n    model.fit(rng.permutation(X))\n"


class UnseededRandomCall(ProjectRule):
    """A training run makes a random generator of its own (`np.random.default_rng()`, `random.Random()`) without a seed.

    ## Why it matters
    `np.random.default_rng()`, `np.random.RandomState()` and `random.Random()` without a seed
    draw from fresh OS entropy, and no global seed reaches them: `np.random.seed(0)` at start-up
    leaves such a generator unseeded, so two runs shuffle, split or augment differently however
    carefully the script seeds. Passing the seed from the run's config makes it repeatable.

    ## Known limitations
    Reported only in code a training entry point reaches. A call that draws from a global
    generator without its own seed argument (a `DataLoader(shuffle=True)` without `generator=`,
    `train_test_split` without `random_state`) is not reported here: when the run seeds that
    generator the call is repeatable, and when it does not, the run's `unseeded-training-run`
    finding names the generator, and one seed at start-up fixes both (one fact, one finding).
    An argument computed at run time counts as a seed.

    ## References
    - NumPy documentation, "Random Generator" (`default_rng` seeding)
    - PyTorch notes, "Reproducibility"
    """

    id = "MLD702"
    name = "unseeded-random-call"
    category = Category.REPRODUCIBILITY
    severity = Severity.INFO
    confidence = Confidence.MEDIUM
    in_tests = False
    INVALID = [
        Invalid(_OWN, path="train.py", line=3, message="`numpy.random.default_rng` gets no `seed` and makes its own generator"),
        Invalid(  # an augmentation helper of another module that the run reaches
            "import random\nclass Augment:\n    def __init__(self, rng=None):\n"
            "        self.rng = random.Random() if rng is None else rng\n", path="aug.py", line=4,
            message="no global seed reaches",
            files={"train.py": "import random\nfrom aug import Augment\nrandom.seed(0)\naug = Augment()\n"
                               "for epoch in range(3):\n    model.fit(aug.rng.random())\n"},
        ),
    ]
    VALID = [
        # The run never seeds NumPy: its MLD701 finding names the generator and every call on it.
        Valid(_SPLIT, path="train.py"),
        Valid(_SPLIT.replace("(X, y)\n", "(X, y)\nA, B = train_test_split(X)\nC, D = train_test_split(Y)\n").replace(
            "fit(X_tr, y_tr)", "fit(X_tr + A + C, y_tr + B + D)"), path="train.py"),
        Valid(  # a loader without `generator=`, reached from the run: the same fact as its MLD701
            "import torch\nfrom torch.utils.data import random_split\n"
            "def split(ds):\n    return random_split(ds, [0.8, 0.2])\n", path="data.py",
            files={"train.py": "import torch\nfrom data import split\ntrain, val = split(ds)\n"
                               "a = torch.utils.data.DataLoader(train, shuffle=True)\nfor epoch in range(3):\n"
                               "    for x in a:\n        opt.step()\n"},
        ),
        Valid(_SPLIT.replace("(X, y)", "(X, y, random_state=0)"), path="train.py"),
        Valid("import numpy as np\nnp.random.seed(0)\n" + _SPLIT, path="train.py"),
        Valid(_OWN.replace("default_rng()", "default_rng(cfg.seed)"), path="train.py"),
        Valid("import numpy as np\nrng = np.random.default_rng()\nprint(rng.permutation(X))\n", path="explore.py"),  # nothing trains
        Valid(_OWN, path="tests/test_split.py"),
    ]

    def check(self, project: Project) -> Iterator[ProjectFinding]:
        reported: set[tuple[str, int, int]] = set()
        for run in project.training_runs:
            for path, use in run.randomness:
                key = (path, use.line, use.column)
                # A call on a global generator is seeded, or the run's MLD701 names its generator.
                if not use.argument or use.global_seed or key in reported:
                    continue
                reported.add(key)
                yield ProjectFinding(
                    use.line,
                    f"`{use.api}` gets no `{use.argument}` and makes its own generator, which no global seed reaches",
                    hint=f"pass `{use.argument}=` a seed from the run's config",
                    path=path, column=use.column,
                )
