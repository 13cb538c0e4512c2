from collections.abc import Iterator

from mldebt.discover import FileKind, is_test_path
from mldebt.extract.facts import FlagDefinition
from mldebt.project import Project
from mldebt.rule import Category, Confidence, Invalid, ProjectFinding, ProjectRule, Severity, Valid


class NeverToggledFlag(ProjectRule):
    """A branch behind a module-level flag that nothing in the repository ever changes.

    ## Why it matters
    `USE_MIXUP = False` plus `if USE_MIXUP:` is an experiment switched off by hand. When no
    code reassigns the flag, no config file has a key of that name, no CLI option or
    environment variable sets it, and the defining module does not load overrides
    (`exec(open(config).read())`, `globals().update(...)`), the branch is dead code that
    still has to be read, kept compiling and feared.

    ## Known limitations
    Only UPPER_CASE module-level booleans; flags set from shell launch scripts that mldebt
    does not read are not seen. Test code and notebooks (whose flags are knobs the reader
    edits by hand) are not checked.

    ## References
    - Sculley et al. 2015, Hidden Technical Debt in Machine Learning Systems, sec. 5 (dead experimental codepaths)
    """

    id = "MLD202"
    name = "never-toggled-flag"
    category = Category.DEAD_EXPERIMENTAL_CODEPATH
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    in_tests = False
    INVALID = [
        Invalid("USE_MIXUP = False\n\ndef train(x):\n    if USE_MIXUP:\n        x = mixup(x)\n    return x\n",
                path="train.py", line=4, message="`USE_MIXUP` is False at train.py:1"),
        Invalid("from exp.flags import USE_EMA\nif not USE_EMA:\n    pass\nelse:\n    ema.update()\n",
                path="train.py", line=4, files={"exp/__init__.py": "", "exp/flags.py": "USE_EMA = False\n"}),
        Invalid("import exp.flags as flags\nif flags.FAST:\n    go()\n", path="train.py", line=2,
                files={"exp/flags.py": "FAST = False\n"}),
    ]
    VALID = [
        Valid("USE_MIXUP = True\nif USE_MIXUP:\n    x = 1\n", path="train.py"),
        Valid("USE_MIXUP = False\nif USE_MIXUP:\n    x = 1\n", path="train.py", files={"launch.py": "import train\ntrain.USE_MIXUP = True\n"}),
        Valid("USE_AMP = False\nexec(open('configurator.py').read())\nif USE_AMP:\n    x = 1\n", path="train.py"),
        Valid("USE_AMP = False\nif USE_AMP:\n    x = 1\n", path="train.py", files={"configs/exp.yaml": "use_amp: true\n"}),
        Valid("import argparse\nUSE_AMP = False\np = argparse.ArgumentParser()\np.add_argument('--use-amp')\nif USE_AMP:\n    x = 1\n", path="train.py"),
        Valid("import os\nDEBUG = False\nDEBUG = os.environ.get('DEBUG') == '1'\nif DEBUG:\n    x = 1\n", path="train.py"),
        Valid("USE_AMP = False\ndef enable():\n    global USE_AMP\n    USE_AMP = True\nif USE_AMP:\n    x = 1\n", path="train.py"),
    ]

    def check(self, project: Project) -> Iterator[ProjectFinding]:
        guarded = [
            (path, facts) for path, (kind, facts) in project.files.items()
            # a notebook's flags are knobs its reader edits by hand
            if facts.flag_guards and not is_test_path(path) and kind != FileKind.NOTEBOOK and self.reports(path)
        ]
        if not guarded:
            return
        changed: set[str] = set()
        overridden: set[str] = set()
        for path, (_, facts) in project.files.items():
            changed |= facts.names_assigned | facts.strings_used
            changed |= {key.name.upper() for key in facts.config_keys}
            changed |= {option.dest.upper() for option in facts.cli_options}
            if facts.overrides_globals:
                overridden.add(path)
        for path, facts in guarded:
            for guard in facts.flag_guards:
                home = path if not guard.module else project.module_file(path, guard.module)
                if home is None or home in overridden or guard.name in changed:
                    continue
                definition = self._definition(project, home, guard.name)
                if definition is None or definition.value == guard.runs_when:
                    continue
                yield ProjectFinding(
                    guard.line,
                    f"`{guard.name}` is {definition.value} at {home}:{definition.line} and nothing in the "
                    "repository changes it: this branch never runs",
                    hint="delete the branch and the flag, or make the flag a real config or CLI option",
                    column=guard.column,
                    path=path,
                    related=((home, definition.line),),
                )

    @staticmethod
    def _definition(project: Project, path: str, name: str) -> FlagDefinition | None:
        return next((d for d in project.files[path][1].flag_definitions if d.name == name), None)
