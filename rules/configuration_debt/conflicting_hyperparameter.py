from collections import defaultdict
from collections.abc import Iterator

from mldebt.extract.facts import HyperparameterSite
from mldebt.rules.configuration_debt import code_sites, comparable, shown

from mldebt.project import Project
from mldebt.rule import Category, Confidence, Invalid, ProjectFinding, ProjectRule, Severity, Valid


_WIDTH = "import torch.nn as nn\nWIDTH = {}\nlayer = nn.Linear(8, WIDTH)\n"
#: Hyperparameters set per layer: two layers of one model differ on purpose.
_PER_LAYER = frozenset({"dropout"})


def _is_call(site: HyperparameterSite) -> bool:
    return site.source not in ("constant", "loop") and not site.source.startswith(".")


def same_knob(a: HyperparameterSite, b: HyperparameterSite) -> bool:
    """Whether two sites set the same knob: an LBFGS step size is not an Adam learning rate,
    and two dropout layers of one model are two knobs. Module constants and epoch loops
    compare with any call of their name."""
    if a.name in _PER_LAYER and (_is_call(a) or _is_call(b)):
        return False
    return a.source == b.source if _is_call(a) and _is_call(b) else True


class ConflictingHyperparameter(ProjectRule):
    """The same hyperparameter hard-coded with different values in different files.

    ## Why it matters
    `lr=1e-3` in `train.py` and `lr=3e-4` in `finetune.py`: either one is a copy that
    drifted, or the difference is deliberate and belongs in two named configs. Either way a
    reader cannot tell which value a result came from. Names are normalised (`lr`,
    `learning_rate`, `LEARNING_RATE`); each site is reported, naming the others. Module
    constants of any name that flow into an ML API or a decision threshold (`WIDTH = 512`
    ... `nn.Linear(d, WIDTH)`) conflict when another module of the project gives the same
    name another value flowing into the same API.

    ## Known limitations
    Reported as info: different scripts legitimately train different models. Evidence that
    two values conflict: the files are of one project (they share a package, a config file
    or a pipeline, or one imports the other) *and* one run loads both (one imports the other,
    directly or through others, or one file imports both). Not evidence: scripts that merely
    share a folder (a collection of examples), two notebooks that import one helper, a
    library that a notebook or another package uses (it keeps its own values), and two
    modules of one package that nothing imports together (a template's alternative models,
    each with its own `constants.py`, one picked by a setting). Only sites that set the same knob (the same optimizer's learning rate,
    not an LBFGS step size against Adam's; not two dropout layers); configuration modules and
    tests are not compared.

    ## References
    - Sculley et al. 2015, Hidden Technical Debt in Machine Learning Systems, sec. 7 (configuration debt)
    """

    id = "MLD103"
    name = "conflicting-hyperparameter"
    category = Category.CONFIGURATION_DEBT
    severity = Severity.INFO
    confidence = Confidence.MEDIUM
    in_tests = False
    INVALID = [
        # The same module constant, two values flowing into one ML API, in one package.
        Invalid(_WIDTH.format(512), path="pkg/model.py", line=2, message="`WIDTH` is 512 here, also 256 in pkg/head.py:2",
                files={"pkg/__init__.py": "", "pkg/head.py": _WIDTH.format(256), "pkg/net.py": "from pkg import model, head\n"}),
        Invalid("CUTOFF = 0.5\nkeep = proba > CUTOFF\n", path="serve.py", line=1, message="a decision threshold",
                files={"evaluate.py": "from serve import load\nCUTOFF = 0.7\nhits = proba > CUTOFF\n"}),
        Invalid("import torch\nopt = torch.optim.AdamW(p, lr=1e-3)\n", path="train.py", line=2,
                message="also 0.0003 in scripts/finetune.py:2",
                files={"scripts/finetune.py": "from train import build\nLEARNING_RATE = 3e-4\n"}),
        # Neither module imports the other, but one entry point of the package runs both.
        Invalid("import torch\nopt = torch.optim.AdamW(p, lr=1e-3)\n", path="pkg/train.py", line=2,
                message="also 0.0003 in pkg/finetune.py:2",
                files={"pkg/__init__.py": "", "pkg/finetune.py": "import torch\nopt = torch.optim.AdamW(p, lr=3e-4)\n",
                       "pkg/__main__.py": "from pkg import train, finetune\n"}),
        # Imports are followed through: the script uses the schedule its engine imports.
        Invalid("import engine\nimport torch\nopt = torch.optim.AdamW(p, lr=1e-3)\n", path="train.py", line=3,
                message="also 0.0003 in schedule.py:1",
                files={"engine.py": "import schedule\n", "schedule.py": "LEARNING_RATE = 3e-4\n"}),
    ]
    VALID = [
        Valid("import torch\nopt = torch.optim.AdamW(p, lr=1e-3)\n", path="train.py",
              files={"eval.py": "import torch\nopt = torch.optim.SGD(p, lr=0.001)\n"}),
        Valid("import torch\nopt = torch.optim.AdamW(p, lr=1e-3)\nsched = torch.optim.AdamW(q, lr=1e-4)\n", path="train.py"),
        Valid("import torch.nn as nn\na, b = nn.Dropout(0.25), nn.Dropout(0.5)\n", path="train_torch.py",
              files={"train_fabric.py": "import torch.nn as nn\na, b = nn.Dropout(0.25), nn.Dropout(0.5)\n"}),
        Valid("import torch\nopt = torch.optim.AdamW(p, lr=1e-3)\n", path="examples/gan/train.py",
              files={"examples/vit/train.py": "import torch\nopt = torch.optim.AdamW(p, lr=3e-4)\n"}),
        # Two scripts that import one helper are not one project for that (course chapters).
        Valid("import helpers\nimport torch\nopt = torch.optim.Adam(p, lr=1e-3)\n", path="chapter_1.py",
              files={"helpers.py": "def plot(x): pass\n",
                     "chapter_2.py": "import helpers\nimport torch\nopt = torch.optim.Adam(p, lr=1e-2)\n"}),
        # Two scripts side by side with no evidence of belonging together (independent examples).
        Valid("import torch\nopt = torch.optim.Adam(p, lr=3e-2)\n", path="rl/actor_critic.py",
              files={"rl/reinforce.py": "import torch\nopt = torch.optim.Adam(p, lr=1e-2)\n"}),
        # One project, but an LBFGS step size is not an Adam learning rate.
        Valid("import torch\nopt = torch.optim.LBFGS(p, lr=0.8)\n", path="pkg/train.py",
              files={"pkg/__init__.py": "", "pkg/finetune.py": "import torch\nopt = torch.optim.Adam(p, lr=1e-3)\n"}),
        # Alternative models of one template package (a setting picks one): nothing loads both.
        Valid("BATCH_SIZE = 40\n", path="tpl/models/keras/constants.py",
              files={"tpl/__init__.py": "", "tpl/models/__init__.py": "", "tpl/models/keras/__init__.py": "",
                     "tpl/models/estimator/__init__.py": "", "tpl/models/estimator/constants.py": "BATCH_SIZE = 64\n",
                     "tpl/models/keras/model.py": "from models.keras import constants\n",
                     "tpl/models/estimator/model.py": "from models.estimator import constants\n"}),
        # Two entry points of one package, each its own run with its own learning rate.
        Valid("import torch\nopt = torch.optim.AdamW(p, lr=1e-3)\n", path="pkg/train.py",
              files={"pkg/__init__.py": "", "pkg/finetune.py": "import torch\nopt = torch.optim.AdamW(p, lr=3e-4)\n"}),
        # Two dropout layers of one model differ on purpose.
        Valid("import torch.nn as nn\nhead = nn.Dropout(0.1)\n", path="pkg/head.py",
              files={"pkg/__init__.py": "", "pkg/body.py": "import torch.nn as nn\nbody = nn.Dropout(0.3)\n"}),
        # Flowing constants: independent examples, other APIs, or the same value.
        Valid(_WIDTH.format(512), path="examples/mlp/model.py", files={"examples/cnn/model.py": _WIDTH.format(256)}),
        Valid(_WIDTH.format(512), path="pkg/model.py",
              files={"pkg/__init__.py": "", "pkg/data.py": "import torchvision.transforms as T\nWIDTH = 256\nresize = T.Resize(WIDTH)\n"}),
        Valid(_WIDTH.format(512), path="pkg/model.py", files={"pkg/__init__.py": "", "pkg/head.py": _WIDTH.format(512)}),
        Valid("import torch\nlr = 3e-3\nopt = torch.optim.AdamW(p, lr=lr)\n", path="fsdp_example.py",
              files={"tp_example.py": "import torch\nfrom fsdp_example import log\nlr = 0.25\nopt = torch.optim.AdamW(p, lr=lr)\n"}),
    ]

    def check(self, project: Project) -> Iterator[ProjectFinding]:
        yield from self._hyperparameters(project)
        yield from self._flowing_constants(project)

    def _flowing_constants(self, project: Project) -> Iterator[ProjectFinding]:
        """Module constants of one name (`WIDTH`, `CUTOFF`) that flow into the same ML API (or
        decision threshold) with different values in files of one project. Constants by
        Python's convention: a lower-case module variable (`lr = 0.25` in a script) is that
        script's own setting."""
        by_constant = defaultdict(list)
        for path, site in code_sites(project):
            if site.via_global and not site.grouped and site.via.isupper():
                by_constant[site.via].append((path, site))
        for sites in by_constant.values():
            for path, site in sites:
                if not self.reports(path):
                    continue
                others = [
                    (p, s) for p, s in sites
                    if p != path and s.source == site.source and s.value != site.value
                    and project.same_project(p, path) and project.run_together(p, path)
                ]
                if not others:
                    continue
                named = ", ".join(f"{s.code} in {s.location}" for _, s in others[:3])
                more = f" and {len(others) - 3} more" if len(others) > 3 else ""
                into = site.source if site.source.startswith("a ") else f"the `{site.source}` call"
                yield ProjectFinding(
                    site.line,
                    f"`{site.via}` is {site.code} here, also {named}{more}: one constant of this project, "
                    f"values that differ flowing into {into}",
                    hint=f"define `{site.via}` once (or in the config) and import it, or give each variant its own name",
                    column=site.column,
                    path=path,
                    related=tuple((p, s.line) for p, s in others),
                )

    def _hyperparameters(self, project: Project) -> Iterator[ProjectFinding]:
        by_name = defaultdict(list)
        for path, site in code_sites(project):
            if comparable(site):
                by_name[site.name].append((path, site))
        for sites in by_name.values():
            values_by_file = defaultdict(set)
            for path, site in sites:
                values_by_file[path].add(site.value)
            for path, site in sites:
                if not self.reports(path):
                    continue
                # Another file conflicts only if it never uses this value (two models that both
                # use dropout 0.25 and 0.5 agree).
                others = [
                    (p, s) for p, s in sites
                    if p != path and project.same_configuration(path, p) and project.run_together(path, p)
                    and same_knob(s, site)
                    and site.value not in values_by_file[p]
                ]
                if not others:
                    continue
                named = ", ".join(f"{shown(s.value)} in {s.location}" for _, s in others[:3])
                more = f" and {len(others) - 3} more" if len(others) > 3 else ""
                yield ProjectFinding(
                    site.line,
                    f"`{site.written}` is {shown(site.value)} here, also {named}{more}",
                    hint=f"keep one `{site.name}` in the config, or name each variant as its own config",
                    column=site.column,
                    path=path,
                    related=tuple((p, s.line) for p, s in others),
                )
