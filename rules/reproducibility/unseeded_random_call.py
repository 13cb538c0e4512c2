from __future__ import annotations

from collections.abc import Iterator

from mldebt.project import Project
from mldebt.rule import Category, Confidence, Invalid, ProjectFinding, ProjectRule, Severity, Valid
from mldebt.rules.reproducibility import GENERATOR_NAMES, NAMED_SITES, sites

_SPLIT = "from sklearn.model_selection import train_test_split\nX_tr, X_te, y_tr, y_te = train_test_split(X, y)\nmodel.fit(X_tr, y_tr)\n"


class UnseededRandomCall(ProjectRule):
    """A call in a training run that takes its own seed (`random_state`, `generator`, `seed`) gets none, and nothing else seeds it.

    ## Why it matters
    scikit-learn splits and estimators with `random_state=None` draw from NumPy's global
    generator, `random_split` and shuffling `DataLoader`s without `generator=` from torch's, and
    `np.random.default_rng()` without a seed from fresh OS entropy that no global seed reaches.
    Passing the seed to the call makes it repeatable on its own, wherever it is called from.

    ## Known limitations
    Reported only in code a training entry point reaches, and only where the entry point does
    not seed the global generator the call reads, except the calls the run's MLD701 finding
    already names (`np.random.seed` covers sklearn,
    `torch.manual_seed` covers `random_split`); generators that no global seed reaches
    (`default_rng()`, `random.Random()`) are always reported. An argument computed at run time
    counts as a seed.

    ## References
    - scikit-learn user guide, "Controlling randomness"
    - PyTorch notes, "Reproducibility"
    """

    id = "MLD702"
    name = "unseeded-random-call"
    category = Category.REPRODUCIBILITY
    severity = Severity.INFO
    confidence = Confidence.MEDIUM
    in_tests = False
    INVALID = [
        Invalid(  # the run's MLD701 names the first two splits; the third is this rule's
            _SPLIT.replace("(X, y)\n", "(X, y)\nA, B = train_test_split(X)\nC, D = train_test_split(Y)\n").replace(
                "fit(X_tr, y_tr)", "fit(X_tr + A + C, y_tr + B + D)"),
            path="train.py", line=4, message="no `random_state`",
        ),
        Invalid(
            "import numpy as np\nnp.random.seed(0)\nrng = np.random.default_rng()\nfor epoch in range(3):\n    model.fit(rng.permutation(X))\n",
            path="train.py", line=3, message="no global seed reaches",
        ),
        Invalid(
            "import torch\nfrom torch.utils.data import random_split\n"
            "def split(ds):\n    return random_split(ds, [0.8, 0.2])\n", path="data.py", line=4,
            files={"train.py": "import torch\nfrom data import split\ntrain, val = split(ds)\n"
                               "a = torch.utils.data.DataLoader(train, shuffle=True)\n"
                               "b = torch.utils.data.DataLoader(val, shuffle=True)\nfor epoch in range(3):\n"
                               "    for x in a:\n        opt.step()\n    for y in b:\n        evaluate(y)\n"},
        ),
    ]
    VALID = [
        Valid(_SPLIT, path="train.py"),  # the run's MLD701 names this split: one fact, one finding
        Valid(_SPLIT.replace("(X, y)", "(X, y, random_state=0)"), path="train.py"),
        Valid("import numpy as np\nnp.random.seed(0)\n" + _SPLIT, path="train.py"),
        Valid(_SPLIT.replace("model.fit(X_tr, y_tr)\n", "print(len(X_tr))\n"), path="explore.py"),
        Valid(_SPLIT, path="tests/test_split.py"),
    ]

    def check(self, project: Project) -> Iterator[ProjectFinding]:
        reported: set[tuple[str, int, int]] = set()
        for run in project.training_runs:
            seeded = run.seeded
            for uses in run.unseeded().values():  # the run's MLD701 names these: the same fact
                reported |= {(p, u.line, u.column) for p, u in list(sites(uses, run.path).values())[:NAMED_SITES]}
            for path, use in run.randomness:
                key = (path, use.line, use.column)
                if not use.argument or key in reported or (use.global_seed and use.generator in seeded):
                    continue
                reported.add(key)
                if use.global_seed:
                    why = f"draws from {GENERATOR_NAMES[use.generator]}, which this training run never seeds"
                else:
                    why = "makes its own generator, which no global seed reaches"
                yield ProjectFinding(
                    use.line,
                    f"`{use.api}` gets no `{use.argument}` and {why}",
                    hint=f"pass `{use.argument}=` a seed from the run's config",
                    path=path, column=use.column,
                )
