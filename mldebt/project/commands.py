"""What the repository's commands run: the scripts CI jobs start (also through the shell
scripts and job manifests a step names, in the folder its `working-directory` or a leading `cd`
sets), the scripts of DVC stages and those of Makefile targets.

One reading of commands for everyone who asks: the ML Test Score counts what runs without a
person (CI jobs, DVC stages), and training runs start at every script a command starts (a person
types `make train`, but the target still names the script that trains).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from mldebt.discover import FileKind
from mldebt.extract.facts import CiCommand
from mldebt.extract.shell import command_parts, join_path
from mldebt.knowledge import load_table

if TYPE_CHECKING:
    from mldebt.project.model import Project

#: Files a command names (`bash scripts/test.sh`, `anyscale jobs submit deploy/job.yaml`).
_NAMED_FILE = re.compile(r"[\w./-]+\.(?:sh|ya?ml)\b")
#: GitHub events that make a workflow CI rather than a scheduled job.
CI_EVENTS = frozenset({"push", "pull_request", "pull_request_target", "merge_group"})


class Commands:
    """The commands of CI workflows (with the files they reach), DVC stages and Makefiles, and
    the repository scripts they run."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.script_patterns = [re.compile(p) for p in load_table("ml_test_score")["script_commands"]]
        #: CI workflow -> line of its schedule; those with no push/PR trigger are scheduled jobs.
        self.scheduled: dict[str, int] = {}
        self.scheduled_jobs: set[str] = set()
        #: (file, command, the CI workflow it runs in), through named scripts and manifests.
        self.commands: list[tuple[str, CiCommand, str]] = []
        #: file -> why it runs without a person: a CI step runs it (a shell script or job
        #: manifest a step names, a script a step starts) or a DVC stage does.
        self.automated: dict[str, str] = {}
        #: script -> the Makefile target that runs it: run by a person, but a run all the same.
        self.by_hand: dict[str, str] = {}
        #: file -> (path, line) of the command, stage or target that runs it, as named in
        #: `automated` (first) or `by_hand`.
        self._started_at: dict[str, tuple[str, int]] = {}
        self._follow_ci()
        for path, command, _ in self.commands:
            for target in self.scripts_in(command.text, command.directory):
                self._start(self.automated, target, f"run by the CI step at {path}:{command.line}", (path, command.line))
        for path, (kind, facts) in project.files.items():
            for stage in facts.pipeline_stages:
                for script in project.stage_scripts(stage):
                    if script in project.files:
                        self._start(self.automated, script, f"run by the DVC stage `{stage.name}` ({path}:{stage.line})", (path, stage.line))
            if kind == FileKind.MAKEFILE:
                folder = path.rsplit("/", 1)[0] if "/" in path else ""
                for command in facts.ci_commands:
                    for target in self.scripts_in(command.text, folder):
                        self._start(self.by_hand, target, f"run by the Makefile target at {path}:{command.line}", (path, command.line))

    def _follow_ci(self) -> None:
        """Every CI workflow's commands, and those of the shell scripts and job manifests they name."""
        project = self.project
        queue = [(p, p) for p, (kind, _) in project.files.items() if kind == FileKind.CI_WORKFLOW]
        reached = {p for p, _ in queue}
        while queue:
            path, origin = queue.pop(0)
            facts = project.files[path][1]
            if path == origin and facts.ci_schedule:
                self.scheduled[path] = facts.ci_schedule
                if not CI_EVENTS & set(facts.ci_events):
                    self.scheduled_jobs.add(path)
            for command in facts.ci_commands:
                self.commands.append((path, command, origin))
                for named in _NAMED_FILE.findall(command.text):
                    target = self.file_of(named, path, command.directory)
                    if target and target not in reached and project.kind(target) in (FileKind.SHELL, FileKind.DEPLOYMENT):
                        reached.add(target)
                        queue.append((target, origin))
                        self._start(self.automated, target, f"run by the CI step at {path}:{command.line}", (path, command.line))

    def _start(self, table: dict[str, str], target: str, why: str, site: tuple[str, int]) -> None:
        """Record the first reason `target` runs in `table`, and where (`site`) for
        `started_at`: an automated start over one by hand, as in `run_files`."""
        if target not in table:
            table[target] = why
            if table is self.automated or target not in self._started_at:
                self._started_at[target] = site

    def started_at(self, target: str) -> tuple[str, int] | None:
        """Where the command that runs `target` (`run_files()[target]`) is."""
        return self._started_at.get(target)

    def run_files(self) -> dict[str, str]:
        """Every repository file a command runs -> why (CI and DVC first, then Makefile targets)."""
        return {**self.by_hand, **self.automated}

    def scripts_in(self, command: str, folder: str = "") -> Iterable[str]:
        """Repository files a shell command runs (`python src/train.py`, `python -m pkg.train`),
        from `folder` (a CI step's `working-directory`, a Makefile's folder) or the root."""
        for here, part in command_parts(command, folder):
            for pattern in self.script_patterns:
                for match in pattern.finditer(part):
                    target = match.group(1)
                    resolved = self.file_of(target, "", here) if target.endswith(".py") else self.project.run_module(here, target)
                    if resolved:
                        yield resolved

    def file_of(self, script: str, near: str, folder: str = "") -> str | None:
        """The repository file a command names: from `folder` if given, else beside `near`, else
        from the root."""
        here = folder if folder else (near.rsplit("/", 1)[0] if "/" in near else "")
        for candidate in (join_path(here, script), join_path("", script)):
            if candidate in self.project.files:
                return candidate
        return None
