import posixpath
from collections.abc import Iterator

from packaging.utils import canonicalize_name

from mldebt.rules.dependency_management import gpu_stack, is_pinned

from mldebt.discover import FileKind
from mldebt.extract.facts import NotebookInstall, Requirement
from mldebt.extract.manifests import moving_reference
from mldebt.project import Project
from mldebt.rule import Category, Confidence, Invalid, ProjectFinding, ProjectRule, Severity, Valid, notebook

_NIGHTLY = "--extra-index-url https://download.pytorch.org/whl/nightly/cu121"
#: A CI job that runs the notebooks of a folder: they are part of what the repository ships.
_RUN_NOTEBOOKS = {".github/workflows/nb.yml": "on: push\njobs:\n  run:\n    runs-on: ubuntu-latest\n    steps:\n"
                  "      - run: pytest --nbmake .\n"}


class UnpinnedNotebookInstall(ProjectRule):
    """A notebook installs, with no version, a package whose version decides whether it runs.

    ## Why it matters
    A notebook that installs `transformers` on its first run gets whatever is newest that day;
    run again next month, the same cells give other results or fail, and nothing in the repo
    says which versions once worked. That is a risk, and reported, when:
    - the package is a deep-learning framework, a GPU library or an ML library whose API the
      notebook's code is written against (`rules/knowledge/gpu_stack.yaml`), in a notebook
      that a CI job, a script or a Makefile target runs; a notebook nothing runs (a lesson, a
      tutorial, a generated docs notebook: `mldebt.project.demos`) tracks the newest release
      on purpose, and is reported only when it imports what that release removed
      (`removed_api`: `from transformers import AdamW`, TensorFlow beside transformers 5,
      `TrainingArguments(evaluation_strategy=...)`);
    - the repository pins the package elsewhere (requirements, conda, pyproject), so the
      notebook runs another version than the one the rest of the repository was tested with;
    - the install asks for pre-release or nightly builds (`--pre`, a nightly index);
    - the version was written but the shell took it: `!pip install pkg>=1.2` unquoted is
      `pip install pkg` with its output redirected to a file named `=1.2` (a redirect to a
      target that reads as a version; `> /dev/null 2>&1` or `> install.log` is meant).

    Helpers the code barely touches (download helpers, progress bars, model summaries,
    notebook widgets, optional loggers) are not reported: pinning them makes no result more
    reproducible. Nor are the libraries beside a package the notebook installs from a branch
    head (`git+https://...` with no commit): that notebook tracks the newest code on purpose,
    and pinning the leaves around it makes nothing reproducible. Nor is the repository's own
    package (a notebook of a library's examples that installs that library, whose package the
    tree holds): the example is kept up to date with the library's newest release.

    ## Known limitations
    Reported as info, once per install line, and once per package in a notebook: a second
    loose install of it (`transformers[sentencepiece]` below `transformers`, a later cell
    installing it again) repeats the same fact and is not reported again (unless the shell
    takes its version as a redirect). `-r file` installs are the requirements rules'
    concern; a lock file that pins the package counts as a pin, and so does a version check
    guarding the install (`if torch.__version__ < ...: !pip install -U torch torchvision`). Whether a library's API matters
    is read from the table, not from how much the notebook uses it.

    ## References
    - Arpteg et al. 2018, Software Engineering Challenges of Deep Learning (dependency management)
    - pip docs, "Repeatable installs"
    """

    id = "MLD607"
    name = "unpinned-notebook-install"
    category = Category.DEPENDENCY_MANAGEMENT
    severity = Severity.INFO
    confidence = Confidence.MEDIUM
    in_tests = False
    INVALID = [
        # A module of the same name that is no package of the tree: another library.
        Invalid(notebook("!pip install -U trl\nfrom trl import SFTTrainer"), path="examples/sft.ipynb",
                files={"scripts/trl.py": "x = 1\n", **_RUN_NOTEBOOKS}),
        Invalid(notebook("!pip install -q \\\n    transformers==4.41.2 \\\n    peft datasets wget",
                         "from datasets import load_dataset\nimport peft, transformers"),
                path="finetune.ipynb", line=1, message="`peft`, `datasets` with no version", files=_RUN_NOTEBOOKS),
        # A lesson nothing runs, importing what the newest releases removed: it breaks today.
        Invalid(notebook("!pip install -q transformers datasets", "from transformers import AdamW, AutoModel\n"
                         "from datasets import load_metric"), path="course/chapter3/section4.ipynb",
                message="imports `transformers.AdamW`, which transformers 5.0 and later no longer have"),
        Invalid(notebook("!pip install transformers", "import tensorflow as tf\nfrom transformers import AutoTokenizer"),
                path="docs/tensorflow/preprocessing.ipynb", message="imports `tensorflow`"),
        Invalid(notebook("!pip install -q transformers", "from transformers import Trainer, TrainingArguments\n"
                         "args = TrainingArguments('out', evaluation_strategy='epoch')  # eval each epoch"),
                path="course/chapter7/section2.ipynb", message="passes `evaluation_strategy=`"),
        Invalid(notebook("!pip install text-unidecode\n!pip install matplotlib>=3.3.2\n"), path="tutorial.ipynb",
                line=2, message="the shell takes `>=3.3.2` as a redirect"),
        Invalid(notebook("if IS_COLAB:\n    %pip install -q -U statsmodels\n"), path="time_series.ipynb", line=2,
                message="`requirements.txt` pins `statsmodels~=0.14.0`",
                files={"requirements.txt": "numpy>=1.26\nstatsmodels~=0.14.0\n"}),
        Invalid(notebook("%pip install -q seaborn"), path="examples/plots/plots.ipynb",
                message="`examples/plots/requirements.txt` pins `seaborn==0.13.2`",
                files={"examples/plots/requirements.txt": "seaborn==0.13.2\n", "requirements.txt": "seaborn~=0.12\n"}),
        Invalid(notebook(f"!pip3 install -U --pre torch torchvision {_NIGHTLY}"), path="notebooks/setup.ipynb",
                message="pre-release builds of `torch`, `torchvision`"),
        Invalid(notebook("try:\n    import torchmetrics, mlxtend\n    assert int(mlxtend.__version__.split('.')[1]) >= 19\n"
                         "except ImportError:\n    !pip install -q torchmetrics -U mlxtend\n    import torchmetrics"),
                path="vision.ipynb", line=5, message="`torchmetrics` with no version", files=_RUN_NOTEBOOKS),
    ]
    VALID = [
        Valid(notebook("%pip install transformers==4.41.2 peft~=0.11.0\n!pip install -r requirements.txt"),
              path="finetune.ipynb"),
        Valid(notebook("!pip freeze | grep scikit-learn"), path="check.ipynb"),
        Valid(notebook("!pip install -q datasets==3.6.0 accelerate==1.9.0\n!pip install -q datasets\nimport datasets"),
              path="examples/asr/asr.ipynb", files={"examples/asr/requirements.txt": "datasets==3.6.0\n"}),
        Valid("import subprocess\nsubprocess.run(['pip', 'install', 'torch'])\n", path="setup_env.py"),
        # Helpers and optional loggers: noise even as a note.
        Valid(notebook("!pip install wget\n!pip install text-unidecode\n%pip install -q torchinfo comet_ml"),
              path="tutorial.ipynb"),
        # Output sent to a file or /dev/null is a redirect meant as one, no version the shell took.
        Valid(notebook("!pip install matplotlib > /dev/null 2>&1\n!pip install seaborn >install.log\nimport matplotlib"),
              path="lab1/music.ipynb"),
        # A quoted floor is a version, not a redirect; a floor checked in code is one too.
        Valid(notebook('!pip install "matplotlib>=3.3.2" "torch>=2.1"\nimport torch, matplotlib'), path="tutorial.ipynb"),
        Valid(notebook("try:\n    import torch\n    assert int(torch.__version__.split('.')[1]) >= 12\n"
                       "except AssertionError:\n    !pip3 install -U torch\n    import torch"), path="transfer.ipynb"),
        Valid(notebook("import torch\npt_version = torch.__version__\nif pt_version.split('.')[0] == '1':\n"
                       "    !pip3 install -U torch torchvision\nimport torchvision"), path="pytorch_2.ipynb"),
        # A lesson or generated docs notebook nothing runs tracks the newest release on purpose,
        # and imports nothing that release removed.
        Valid(notebook("!pip install transformers datasets", "# To install from source instead:\n"
                       "# !pip install git+https://github.com/huggingface/transformers.git",
                       "from transformers import AutoTokenizer, AutoModelForSequenceClassification\n"
                       "from datasets import load_dataset\n"
                       "args = TrainingArguments('out', eval_strategy='epoch')  # was evaluation_strategy='epoch'"),
              path="transformers_doc/en/training.ipynb"),
        # Installed for something else: the notebook's code never imports it.
        Valid(notebook("!pip install -q bitsandbytes transformers==4.41.2\nfrom transformers import AutoModel"),
              path="quantize.ipynb"),
        # Another example's requirements pin nothing for this notebook.
        Valid(notebook("!pip install seaborn"), path="examples/plots/plots.ipynb",
              files={"examples/other/requirements.txt": "seaborn==0.13.2\n"}),
        # Beside the library itself from its branch head, pinning the leaves makes nothing reproducible.
        Valid(notebook("!pip install transformers accelerate datasets git+https://github.com/huggingface/peft -q",
                       "import datasets, peft\nfrom transformers import AutoModel"),
              path="examples/lora.ipynb"),
        # The library's own example installs the library's newest release.
        Valid(notebook("!pip install -U trl\nfrom trl import SFTTrainer"), path="examples/notebooks/sft.ipynb",
              files={"trl/__init__.py": "", "trl/trainer.py": "class SFTTrainer:\n    pass\n"}),
        Valid(notebook("!pip install -U peft\nimport peft"), path="examples/lora.ipynb",
              files={"src/peft/__init__.py": ""}),
        Valid(notebook("BRANCH = 'main'\n!python -m pip install git+https://github.com/org/lib.git@$BRANCH#egg=lib[all]\n"
                       "!pip install torchaudio -f https://download.pytorch.org/whl/torch_stable.html\nimport torchaudio, lib"),
              path="tutorials/asr.ipynb"),
    ]

    def check(self, project: Project) -> Iterator[ProjectFinding]:
        locked = project.locked_names()
        pins = _pins(project)
        stack = gpu_stack()
        frameworks = frozenset(stack["pip_packages"]) | frozenset(stack["api_libraries"])
        for path, (kind, facts) in project.files.items():
            if kind != FileKind.NOTEBOOK:
                continue
            installs = facts.notebook_installs
            tracks_head = any(i.requirement.url and moving_reference(i.requirement.url) for i in installs)
            imported = {site.module.split(".")[0] for site in facts.imports}
            # A plain reinstall of what another line of the notebook pins is a no-op.
            pinned_here = {i.requirement.name for i in installs if is_pinned(i.requirement)}
            covering = _covering(pins, path)
            demo = project.demo(path) is not None
            removed = _removed_uses(stack["removed_api"], {site.module for site in facts.imports},
                                    set(facts.removed_keywords))
            by_line: dict[int, list[NotebookInstall]] = {}
            reported: set[str] = set()  # one fact per package: a second loose install of it repeats it
            for install in sorted(installs, key=lambda i: i.requirement.line):
                requirement = install.requirement
                if is_pinned(requirement) or requirement.name in locked | pinned_here:
                    continue
                if canonicalize_name(requirement.name) in reported and not install.redirect:
                    continue
                module = stack["import_names"].get(requirement.name, requirement.name.replace("-", "_"))
                if _own_package(project, path, module):
                    continue  # the library's own example tracks its newest release
                checked = {module, stack["lockstep"].get(requirement.name)} & set(install.version_checked)
                api = (requirement.name in frameworks and module in imported and not requirement.specifier
                       and not checked and not tracks_head and (not demo or requirement.name in removed))
                if install.redirect or install.prerelease or requirement.name in covering or api:
                    by_line.setdefault(requirement.line, []).append(install)
                    reported.add(canonicalize_name(requirement.name))
            for line, risky in by_line.items():
                redirected = [i for i in risky if i.redirect]
                yield ProjectFinding(
                    line,
                    "the notebook installs " + "; ".join(_clauses(risky, covering, removed)),
                    hint='quote the requirement (`!pip install "pkg>=X"`), or pin it' if redirected
                    else "pin what the notebook installs (`pkg==X.Y.Z`), or install from a pinned requirements file",
                    path=path,
                    related=tuple(covering[i.requirement.name][:2] for i in risky if i.requirement.name in covering),
                )


def _removed_uses(removed_api: dict, imported: set[str], keywords: set[str]) -> dict[str, tuple[str, str]]:
    """Package -> (what the notebook imports or passes that its newest releases no longer have:
    `transformers.AdamW`, `evaluation_strategy=`; the release that removed it), from
    `removed_api` in `rules/knowledge/gpu_stack.yaml`."""
    found = {}
    for package, releases in removed_api.items():
        for release, names in releases.items():
            hits = sorted(f"{name[:-1]}=" for name in names if name.endswith("=") and name[:-1] in keywords)
            hits += sorted(m for name in names if not name.endswith("=") for m in imported if _names(name, m))
            if hits and package not in found:
                found[package] = (hits[0], release)
    return found


def _names(pattern: str, module: str) -> bool:
    """`module` is what `pattern` names: itself or a submodule, or any name with its prefix
    when it ends in `*`."""
    if pattern.endswith("*"):
        return module.startswith(pattern[:-1])
    return module == pattern or module.startswith(pattern + ".")


def _own_package(project: Project, notebook: str, module: str) -> bool:
    """The repository holds the package the notebook would import by that name (`trl/` in the
    trl repository, `src/peft/`): the notebook is the library's own example."""
    found = project.module_file(notebook, module)
    return found is not None and found.endswith("/__init__.py")


#: Pins by folder: manifest folder -> package -> (manifest, line, requirement).
Pins = dict[str, dict[str, tuple[str, int, Requirement]]]


def _pins(project: Project) -> Pins:
    """Packages the manifests of each folder pin (exactly or with an upper bound), the first
    manifest by path for each."""
    pins: Pins = {}
    for path, requirement in sorted(project.requirements(), key=lambda item: (item[0], item[1].line)):
        if is_pinned(requirement) and not requirement.url:
            folder = pins.setdefault(posixpath.dirname(path), {})
            folder.setdefault(canonicalize_name(requirement.name), (path, requirement.line, requirement))
    return pins


def _covering(pins: Pins, notebook: str) -> dict[str, tuple[str, int, Requirement]]:
    """The pins of the manifests that cover `notebook`: those of the folders enclosing it, the
    deepest first (an example's own requirements before the repository's). Another example's
    requirements say nothing about this notebook."""
    folder = posixpath.dirname(notebook)
    enclosing = sorted((f for f in pins if not f or folder == f or folder.startswith(f + "/")), key=len)
    return {name: pin for f in enclosing for name, pin in pins[f].items()}


def _clauses(risky: list[NotebookInstall], pins: dict[str, tuple[str, int, Requirement]],
             removed: dict[str, tuple[str, str]]) -> list[str]:
    """What is wrong with each install of one line, the most specific reason first."""
    redirects, pinned, prerelease, broken, loose = [], [], [], [], []
    for install in risky:
        requirement = install.requirement
        name = f"`{requirement.name if install.redirect else requirement.text or requirement.name}`"
        if install.redirect:
            redirects.append(f"`{requirement.text}{install.redirect}` unquoted: the shell takes `{install.redirect}`"
                             f" as a redirect, and pip gets {name} with no version")
        elif requirement.name in pins:
            path, _, pin = pins[requirement.name]
            pinned.append(f"{name} with no version while `{path}` pins `{pin.text or pin.name}`")
        elif install.prerelease:
            prerelease.append(name)
        elif requirement.name in removed:
            gone, release = removed[requirement.name]
            uses = "passes" if gone.endswith("=") else "imports"
            broken.append(f"{name} with no version while the code here {uses} `{gone}`, which "
                          f"{requirement.name} {release} and later no longer have")
        else:
            loose.append(name)
    clauses = redirects + pinned
    if prerelease:
        clauses.append(f"pre-release builds of {', '.join(prerelease)}: whatever was built that day")
    clauses += broken
    if loose:
        clauses.append(f"{', '.join(loose)} with no version (the code here uses an API that changes between releases)")
    return clauses
