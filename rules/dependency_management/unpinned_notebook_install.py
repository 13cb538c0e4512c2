from collections.abc import Iterator

from mldebt.rules.dependency_management import is_pinned

from mldebt.discover import FileKind
from mldebt.project import Project
from mldebt.rule import Category, Confidence, Invalid, ProjectFinding, ProjectRule, Severity, Valid


class UnpinnedNotebookInstall(ProjectRule):
    """A notebook installs packages with `!pip install` / `%pip install` and no version.

    ## Why it matters
    A notebook that installs `transformers` on its first run gets whatever is newest that day;
    run again next month, the same cells give other results or fail, and nothing in the repo
    says which versions once worked. Pin what the notebook installs, or install from a pinned
    requirements file.

    ## Known limitations
    Reported as info, once per install line, naming its unpinned packages. `-r file` installs
    are the requirements rules' concern; a lock file that pins the package counts as a pin.

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
        Invalid('{"cells": [{"cell_type": "code", "source": ["%pip install -qr requirements.txt comet_ml\\n",'
                ' "import torch"]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
                path="tutorial.ipynb", line=1, message="`comet_ml`"),
        Invalid('{"cells": [{"cell_type": "code", "source": ["!pip install -q \\\\\\n", "    transformers==4.41.2 \\\\\\n",'
                ' "    peft datasets"]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
                path="finetune.ipynb", message="`peft`, `datasets`"),
    ]
    VALID = [
        Valid('{"cells": [{"cell_type": "code", "source": ["%pip install transformers==4.41.2 peft~=0.11.0\\n",'
              ' "!pip install -r requirements.txt"]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
              path="finetune.ipynb"),
        Valid('{"cells": [{"cell_type": "code", "source": ["!pip freeze | grep scikit-learn"]}], "metadata": {},'
              ' "nbformat": 4, "nbformat_minor": 5}', path="check.ipynb"),
        Valid("import subprocess\nsubprocess.run(['pip', 'install', 'torch'])\n", path="setup_env.py"),
    ]

    def check(self, project: Project) -> Iterator[ProjectFinding]:
        locked = project.locked_names()
        for path, (kind, facts) in project.files.items():
            if kind != FileKind.NOTEBOOK:
                continue
            by_line: dict[int, list[str]] = {}
            for requirement in facts.notebook_installs:
                if not is_pinned(requirement) and requirement.name not in locked:
                    by_line.setdefault(requirement.line, []).append(requirement.text or requirement.name)
            for line, names in by_line.items():
                shown = ", ".join(f"`{n}`" for n in names)
                yield ProjectFinding(
                    line,
                    f"the notebook installs {shown} with no version",
                    hint="pin what the notebook installs (`pkg==X.Y.Z`), or install from a pinned requirements file",
                    path=path,
                )
