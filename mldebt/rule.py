"""What a rule is: its metadata, its examples, and the four kinds of rule the engine runs.

A rule's class attributes are the single source of truth: the registry validates them, the
example tests run them, `mldebt explain` and the README catalogue print them, and SARIF's
`rules[]` is built from them.
"""

from __future__ import annotations

import dataclasses
import enum
import inspect
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    import libcst as cst

    from mldebt.extract.context import FileContext
    from mldebt.extract.sources import TextSource
    from mldebt.project import Project
    from mldebt.report import Finding, RelatedSite
    from mldebt.suppress import SuppressionComment


class Category(enum.Enum):
    """The fixed category vocabulary of DESIGN.md; the value is the public JSON name."""

    CONFIGURATION_DEBT = "configuration-debt"
    DEAD_EXPERIMENTAL_CODEPATH = "dead-experimental-codepath"
    UNVERSIONED_DATA = "unversioned-data"
    UNSAFE_DESERIALIZATION = "unsafe-deserialization"
    UNDECLARED_CONSUMER = "undeclared-consumer"
    FEEDBACK_LOOP = "feedback-loop"
    DEPENDENCY_MANAGEMENT = "dependency-management"
    REPRODUCIBILITY = "reproducibility"
    GLUE_CODE = "glue-code"


#: The id prefix of each category (`MLD` + digit); two categories may share a digit.
CATEGORY_PREFIX: dict[Category, str] = {
    Category.CONFIGURATION_DEBT: "MLD1",
    Category.DEAD_EXPERIMENTAL_CODEPATH: "MLD2",
    Category.UNVERSIONED_DATA: "MLD3",
    Category.UNSAFE_DESERIALIZATION: "MLD4",
    Category.UNDECLARED_CONSUMER: "MLD5",
    Category.FEEDBACK_LOOP: "MLD5",
    Category.DEPENDENCY_MANAGEMENT: "MLD6",
    Category.REPRODUCIBILITY: "MLD7",
    Category.GLUE_CODE: "MLD8",
}


class Severity(enum.IntEnum):
    """Ordered so that a gate is a comparison; names match SARIF levels."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.upper()]


class Confidence(enum.IntEnum):
    LOW = 1
    MEDIUM = 2
    HIGH = 3

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Valid:
    """Code the rule must stay silent on, scanned as a file named `path`; `files` adds other
    files of the same little repository (for rules that read several files)."""

    code: str
    path: str = "example.py"
    files: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Invalid:
    """Code the rule must flag in `path`; `line` (1-based) and `message` (a substring of the
    message or hint) are checked if given. `files` as for `Valid`."""

    code: str
    line: int | None = None
    message: str | None = None
    path: str = "example.py"
    files: dict[str, str] = field(default_factory=dict)


def notebook(*cells: str) -> str:
    """A notebook's JSON with these code cells, for rule examples that are notebooks."""
    code = [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": c} for c in cells]
    return json.dumps({"cells": code, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


@dataclass(frozen=True)
class RawFinding:
    """A finding before positions and suppressions are resolved; stays inside the worker."""

    rule_id: str
    message: str
    hint: str | None
    severity: Severity
    confidence: Confidence
    node: cst.CSTNode | None = None
    line: int = 1
    column: int = 0
    end_line: int | None = None
    end_column: int | None = None
    #: The other sites a project finding names, as the report shows them (`RelatedSite`).
    related: tuple[RelatedSite, ...] = ()


class _RuleMeta:
    """Metadata shared by all kinds of rule; concrete rules set every attribute."""

    id: ClassVar[str]
    name: ClassVar[str]
    category: ClassVar[Category]
    severity: ClassVar[Severity]
    confidence: ClassVar[Confidence]
    VALID: ClassVar[Sequence[Valid | str]] = ()
    INVALID: ClassVar[Sequence[Invalid | str]] = ()
    #: Whether the rule runs on test code (`discover.is_test_path`). Most ML-debt rules do
    #: not: tests hard-code values, pickle what they just produced and read fixtures on purpose.
    in_tests: ClassVar[bool] = True
    #: What the rule's findings are worth in demo code (`Project.demo`: `notebook` for a
    #: notebook nothing runs, `example` for an example of a package shipped from elsewhere): the
    #: severity they are reported at there, or None for not reported. A kind not listed keeps
    #: the rule's severity. A lesson's literal learning rate is the lesson, not debt.
    in_demos: ClassVar[Mapping[str, Severity | None]] = {}
    #: For rules that report loads of files: False when a load of a file the repository's own
    #: code writes, or commits, is not worth a finding (`mldebt.project.handoffs`).
    reports_own_files: ClassVar[bool] = True

    @classmethod
    def holds_in(cls, project: Project, finding: Finding) -> bool:
        """Whether a finding of one file still holds given what the whole project shows (the
        images its Dockerfiles build, say); a per-file rule whose evidence may lie in other
        files overrides it. Called once every file is analysed, after suppressions."""
        return True

    @dataclass(frozen=True)
    class Options:
        """Per-rule options; override in a rule, set from `[tool.mldebt.rules.<ID>]`."""

    @classmethod
    def doc(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def summary(cls) -> str:
        return cls.doc().split("\n", 1)[0]

    @classmethod
    def doc_section(cls, title: str) -> str:
        """The body of a `## title` section of the docstring, or '' if absent."""
        lines = cls.doc().splitlines()
        body: list[str] = []
        inside = False
        for line in lines:
            if line.startswith("## "):
                inside = line[3:].strip().lower() == title.lower()
                continue
            if inside:
                body.append(line)
        return "\n".join(body).strip()

    @classmethod
    def valid_examples(cls) -> list[Valid]:
        return [v if isinstance(v, Valid) else Valid(v) for v in cls.VALID]

    @classmethod
    def invalid_examples(cls) -> list[Invalid]:
        return [i if isinstance(i, Invalid) else Invalid(i) for i in cls.INVALID]

    @classmethod
    def option_names(cls) -> list[str]:
        return [f.name.replace("_", "-") for f in dataclasses.fields(cls.Options)]


class PythonRule(_RuleMeta):
    """A per-file rule over the libcst tree of a module or a notebook's virtual module.

    Rules are batched into one traversal with every other enabled rule, so a rule never walks
    the tree itself; it reads what it needs from `self.ctx` and reports nodes. Positions are
    resolved after the traversal, only when something was reported. Its `visit_<Node>` and
    `leave_<Node>` methods are called by `extract.walk` (not by libcst's visitor machinery,
    so that the catalogue of rules loads without libcst).
    """

    def __init__(self, ctx: FileContext, options: Any) -> None:
        self.ctx = ctx
        self.options = options
        self.findings: list[RawFinding] = []

    def report(
        self,
        node: cst.CSTNode,
        message: str,
        hint: str | None = None,
        *,
        severity: Severity | None = None,
        confidence: Confidence | None = None,
    ) -> None:
        self.findings.append(
            RawFinding(
                rule_id=self.id,
                message=message,
                hint=hint,
                severity=severity or self.severity,
                confidence=confidence or self.confidence,
                node=node,
            )
        )

    def report_line(self, line: int, message: str, hint: str | None = None) -> None:
        """Report a whole source line (for what has no node, such as comments)."""
        text = self.ctx.lines[line - 1] if 0 < line <= len(self.ctx.lines) else ""
        column = len(text) - len(text.lstrip())
        self.findings.append(
            RawFinding(self.id, message, hint, self.severity, self.confidence, None, line, column, line, len(text))
        )


@dataclass(frozen=True)
class TextFinding:
    """What a text rule yields: a 1-based line and 0-based columns in the file."""

    line: int
    message: str
    hint: str | None = None
    column: int = 0
    end_line: int | None = None
    end_column: int | None = None
    severity: Severity | None = None
    confidence: Confidence | None = None


class TextRule(_RuleMeta):
    """A per-file rule over a manifest (requirements, Dockerfile, pyproject, ...), line based.

    `kinds` names the file kinds (see `discover.FileKind`) the rule reads.
    """

    kinds: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, options: Any) -> None:
        self.options = options

    def check(self, source: TextSource) -> Iterator[TextFinding]:
        raise NotImplementedError


@dataclass(frozen=True)
class ProjectFinding(TextFinding):
    """What a project rule yields: a `TextFinding` in the file at `path`, with the other sites
    it names as `related` (path, 1-based line) pairs."""

    path: str = ""
    related: tuple[tuple[str, int], ...] = ()


class ProjectRule(_RuleMeta):
    """A rule over the whole repository's facts, run once after every file was analysed
    (CUDA versions that disagree across files, a dependency no lock file pins, ...)."""

    def __init__(self, options: Any, reported: Callable[[str], bool] | None = None) -> None:
        self.options = options
        self._reported = reported

    def check(self, project: Project) -> Iterator[ProjectFinding]:
        raise NotImplementedError

    def reports(self, path: str) -> bool:
        """Whether findings at `path` can reach the report. A scan of a few files (`scan FILE`,
        a pre-commit hook) prints only their findings, and the score reads no finding of a rule
        whose category it does not weigh (`mldebt.project.rubric.reads_findings_of`): such a
        rule is told the paths asked for and may skip the work of every other path. Only an
        optimisation: what a rule yields at a path it skips would be dropped anyway."""
        return self._reported is None or self._reported(path)


class SuppressionRule(_RuleMeta):
    """A rule over one file's suppression comments, run last, when every other rule's findings
    are known and so is which code of which comment suppressed one. Its examples run with
    every rule selected (`mldebt.testing`): a suppression is judged against the others."""

    def __init__(self, options: Any) -> None:
        self.options = options

    def check(
        self, comments: Sequence[SuppressionComment], used: set[tuple[int, str]], runs: Callable[[str], bool]
    ) -> Iterator[TextFinding]:
        """Findings on `comments`; `used` holds (comment line, code) of the codes that
        suppressed a finding, `runs(rule_id)` whether that rule ran on the file."""
        raise NotImplementedError


RULE_KINDS: tuple[type, ...] = (PythonRule, TextRule, ProjectRule, SuppressionRule)
