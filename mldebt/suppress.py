"""Inline suppressions: `# mldebt: ignore[MLD401]` and `# mldebt: ignore-file[MLD4]`.

The same comment syntax works in Python, notebooks, requirements files, Dockerfiles, YAML and
TOML, because all of them use `#` comments. A suppression sits on the finding's first line or
on a comment-only line directly above it; codes are mandatory and may be ids, id prefixes or
rule slugs. The syntax avoids `noqa` so that other linters never see unknown codes.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_COMMENT = re.compile(r"#\s*mldebt:\s*ignore(?P<file>-file)?\[(?P<codes>[^\]]*)\]")


def _codes(text: str) -> frozenset[str]:
    return frozenset(c.strip() for c in text.split(",") if c.strip())


class Suppressions:
    """The suppression comments of one file, parsed once, only for files with findings."""

    def __init__(self, lines: list[str], same_block: Callable[[int, int], bool] | None = None) -> None:
        """`same_block(a, b)` says whether two 1-based lines may suppress each other
        (a notebook's line above a cell's first line belongs to another cell)."""
        self._by_line: dict[int, frozenset[str]] = {}
        self._comment_only: set[int] = set()
        self._file: frozenset[str] = frozenset()
        self._same_block = same_block or (lambda a, b: True)
        for number, line in enumerate(lines, start=1):
            if "mldebt:" not in line:
                continue
            for match in _COMMENT.finditer(line):
                codes = _codes(match.group("codes"))
                if match.group("file"):
                    self._file |= codes
                else:
                    self._by_line[number] = self._by_line.get(number, frozenset()) | codes
            if line.lstrip().startswith("#"):
                self._comment_only.add(number)

    @staticmethod
    def _matches(codes: frozenset[str], rule_id: str, slug: str) -> bool:
        return any(rule_id.startswith(code.upper()) or code == slug for code in codes)

    def covers(self, rule_id: str, slug: str, line: int) -> bool:
        if self._matches(self._file, rule_id, slug):
            return True
        if self._matches(self._by_line.get(line, frozenset()), rule_id, slug):
            return True
        above = line - 1
        return (
            above in self._comment_only
            and self._same_block(above, line)
            and self._matches(self._by_line.get(above, frozenset()), rule_id, slug)
        )
