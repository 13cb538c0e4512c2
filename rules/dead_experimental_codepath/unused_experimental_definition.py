import posixpath
import re
from collections.abc import Iterator

from mldebt.discover import is_test_path
from mldebt.project import Project
from mldebt.rule import Category, Confidence, Invalid, ProjectFinding, ProjectRule, Severity, Valid


class UnusedExperimentalDefinition(ProjectRule):
    """A function or class named like an experiment (`*_v2`, `*_old`, `try_*`, `exp_*`) that nothing references.

    ## Why it matters
    `train_step_v2`, `loss_old`, `try_cosine_schedule`: experiments leave variants behind,
    and the unused ones look exactly like the live ones. Whole-repository, two-phase (every
    definition minus every name mentioned anywhere, as vulture does), reported only for names
    that mark an experiment so that a library's public API is not reported.

    ## Known limitations
    Decorated definitions (registries, routes, fixtures, hooks), dunder names, test code and
    names mentioned anywhere (including strings and `__all__`) are never reported. "Nothing
    references it" holds only over the files mldebt reads: a module beside YAML files it does
    not read (task files outside config folders, extension-less templates such as
    `_default_template_yaml`, whose `!function utils.process_v2` names a function of the
    module beside them) is not reported. Names used only by code outside the repository are
    reported.

    ## References
    - Sculley et al. 2015, Hidden Technical Debt in Machine Learning Systems, sec. 5 (dead experimental codepaths)
    - vulture (jendrikseipp/vulture): whole-program dead-code detection
    """

    id = "MLD205"
    name = "unused-experimental-definition"
    category = Category.DEAD_EXPERIMENTAL_CODEPATH
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    in_tests = False
    INVALID = [
        Invalid("def train_step(b):\n    return b\n\ndef train_step_v2(b):\n    return b * 2\n", path="train.py", line=4,
                message="`train_step_v2`", files={"main.py": "from train import train_step\ntrain_step(1)\n"}),
        Invalid("class TryCosine:\n    pass\n\ndef try_cosine_schedule(opt):\n    return opt\n", path="sched.py",
                message="`try_cosine_schedule`"),
        # YAML mldebt reads (a config folder's) names no function here; one in another folder names none of this module.
        Invalid("def score_v3(doc):\n    return {}\n", path="tasks/qa/utils.py", message="`score_v3`",
                files={"configs/qa.yaml": "lr: 0.1\n", "docs/site.yml": "nav: []\n", "mkdocs.yml": "nav: []\n"}),
        Invalid("def score_v3(doc):\n    return {}\n", path="utils.py", message="`score_v3`",
                files={"mkdocs.yml": "nav: []\n", ".github/dependabot.yml": "version: 2\n"}),
    ]
    VALID = [
        Valid("def loss_v2(x):\n    return x\n", path="losses.py", files={"train.py": "from losses import loss_v2\n"}),
        Valid("@register('v2')\ndef model_v2():\n    pass\n", path="models.py"),
        Valid("__all__ = ['resnet_v2']\ndef resnet_v2():\n    pass\n", path="models.py"),
        Valid("def compute_loss(x):\n    return x\n", path="losses.py"),
        Valid("def helper_old():\n    pass\n", path="tests/test_old.py"),
        Valid("def loss_old(x):\n    return x\nLOSSES = {'old': loss_old}\n", path="losses.py"),
        # A task's YAML outside config folders (unread) may name the module's functions: `!function utils.score_v3`.
        Valid("def score_v3(doc, results):\n    return {}\n", path="tasks/qa/utils.py",
              files={"tasks/qa/_template_yaml": "process_results: !function utils.score_v3\n"}),
        Valid("def score_v3(doc, results):\n    return {}\n", path="tasks/qa/utils.py",
              files={"tasks/qa/qa.yaml": "process_results: !function utils.score_v3\n"}),
    ]

    def check(self, project: Project) -> Iterator[ProjectFinding]:
        unread = None
        for path, (_, facts) in project.files.items():
            if not facts.definitions or is_test_path(path) or not self.reports(path):
                continue
            if unread is None:  # computed once, when a reported file has definitions
                read, unread = project.names_read, _unread_yaml_folders(project)
            if posixpath.dirname(path) in unread:
                continue
            for definition in facts.definitions:
                name = definition.name
                if definition.decorated or name.startswith("__") or name in read:  # facts hold experiment-named ones only
                    continue
                yield ProjectFinding(
                    definition.line,
                    f"`{name}` looks like an experiment's leftover and nothing in the repository references it",
                    hint="delete it (version control remembers), or give it a name that says what it is for",
                    column=definition.column,
                    path=path,
                )


#: A YAML file by its name: `task.yaml`, `x.yml`, or an extension-less template (`_default_template_yaml`).
_YAML_NAME = re.compile(r"[._]ya?ml$", re.IGNORECASE)


def _unread_yaml_folders(project: Project) -> set[str]:
    """Sub-folders holding YAML files that mldebt does not read (not experiment configs by
    their folder or name): what they name cannot be known, so the modules beside them may be
    used. The root's and hidden YAML is the tools' (`mkdocs.yml`, `.pre-commit-config.yaml`)."""
    return {
        folder for path in project.present
        if path not in project.files and _YAML_NAME.search(path.rsplit("/", 1)[-1])
        and (folder := posixpath.dirname(path)) and not any(part.startswith(".") for part in path.split("/"))
    }
