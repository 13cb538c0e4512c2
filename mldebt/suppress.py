"""Inline suppressions: `# mldebt: ignore[MLD401]` and `# mldebt: ignore-file[MLD4]`.

The same comment syntax works in Python, notebooks, requirements files, Dockerfiles, YAML and
TOML, because all of them use `#` comments. A suppression sits on the finding's first line or
on a comment-only line directly above it; codes are mandatory and may be ids, id prefixes or
rule slugs. The syntax avoids `noqa` so that other linters never see unknown codes.

A suppression that cannot work (no codes, or a code naming no rule) is a diagnostic, never
silence. `Suppressions` records which code of which comment suppressed something, so that
rule MLD208 (`unused-suppression`, ruff's unused-`noqa`) can report the stale ones.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from mldebt.registry import all_rules

_COMMENT = re.compile(r"#\s*mldebt:\s*ignore(?P<file>-file)?(?:\[(?P<codes>[^\]]*)\])?")


@dataclass(frozen=True)
class SuppressionComment:
    """One `# mldebt: ignore[...]` comment: its 1-based line and codes (empty when bare)."""

    line: int
    codes: tuple[str, ...]
    whole_file: bool = False
    comment_only: bool = False
    #: 0-based columns of the comment's `# mldebt: ...` text in its line (end exclusive).
    column: int = 0
    end_column: int = 0
    #: For notebooks, where `line` (a line of the virtual module) is: cell index and line.
    cell: int | None = None
    cell_line: int | None = None

    def where(self) -> tuple[int | None, str]:
        """The line a diagnostic names, and a message prefix for notebooks."""
        if self.cell is None:
            return self.line, ""
        return None, f"cell {self.cell}, line {self.cell_line}: "


def _python_comment_starts(lines: list[str]) -> dict[int, int] | None:
    """line -> column where its `#` comment starts, from Python's tokenizer (a string that
    quotes `# mldebt: ignore` is not a comment); None when the text does not tokenize."""
    try:
        tokens = tokenize.generate_tokens(io.StringIO("\n".join(lines) + "\n").readline)
        return {t.start[0]: t.start[1] for t in tokens if t.type == tokenize.COMMENT}
    except (tokenize.TokenError, SyntaxError, ValueError):
        return None


def parse_comments(lines: list[str], python: bool = False) -> list[SuppressionComment]:
    """The suppression comments of a file's lines; in Python (`python`), only real comments."""
    comments = []
    starts = _python_comment_starts(lines) if python else None
    for number, line in enumerate(lines, start=1):
        if "mldebt:" not in line:
            continue
        comment_only = line.lstrip().startswith("#")
        for match in _COMMENT.finditer(line):
            if starts is not None and not (number in starts and starts[number] <= match.start()):
                continue
            codes = tuple(c.strip() for c in (match.group("codes") or "").split(",") if c.strip())
            comments.append(
                SuppressionComment(number, codes, bool(match.group("file")), comment_only, match.start(), match.end())
            )
    return comments


def names(code: str, rule_id: str, slug: str) -> bool:
    """Whether one code of a suppression (an id, an id prefix or a rule slug) names the rule."""
    return rule_id.startswith(code.upper()) or code == slug


def _known(code: str) -> bool:
    return any(names(code, rule.id, rule.name) for rule in all_rules())


def invalid_comments(comments: list[SuppressionComment]) -> Iterable[tuple[SuppressionComment, str]]:
    """(line, message) for suppressions that cannot suppress anything as written."""
    for comment in comments:
        kind = "ignore-file" if comment.whole_file else "ignore"
        if not comment.codes:
            yield comment, (
                f"`# mldebt: {kind}` without rule codes suppresses nothing; name the rules, "
                f"e.g. `# mldebt: {kind}[MLD401]`"
            )
        for code in comment.codes:
            if not _known(code):
                yield comment, f"`{code}` in `# mldebt: {kind}[...]` names no rule; see `mldebt rules`"


class Suppressions:
    """The suppression comments of one file, and which of their codes were used."""

    def __init__(self, lines: list[str], same_block: Callable[[int, int], bool] | None = None) -> None:
        """`same_block(a, b)` says whether two 1-based lines may suppress each other
        (a notebook's line above a cell's first line belongs to another cell)."""
        self.comments = parse_comments(lines)
        self._same_block = same_block or (lambda a, b: True)
        #: (comment line, code) of every code that suppressed at least one finding.
        self.used: set[tuple[int, str]] = set()

    def covers(self, rule_id: str, slug: str, line: int) -> bool:
        """Whether a comment suppresses the rule's finding on `line`. Every comment and code
        that covers it counts as used (a line's own comment next to an `ignore-file` is not
        stale: removing the file-wide one would need it)."""
        covered = False
        for comment in self.comments:
            placed = comment.whole_file or comment.line == line or (
                comment.line == line - 1 and comment.comment_only and self._same_block(comment.line, line)
            )
            if placed:
                for code in comment.codes:
                    if names(code, rule_id, slug):
                        self.used.add((comment.line, code))
                        covered = True
        return covered
