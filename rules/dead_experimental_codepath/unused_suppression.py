from collections.abc import Callable, Iterator, Sequence

from mldebt.registry import all_rules
from mldebt.rule import Category, Confidence, Invalid, Severity, SuppressionRule, TextFinding, Valid
from mldebt.suppress import SuppressionComment, names


class UnusedSuppression(SuppressionRule):
    """A `# mldebt: ignore[...]` comment, or one of its codes, that suppressed nothing.

    ## Why it matters
    A suppression outlives the finding it was written for: the code is fixed, moved or
    deleted and the comment stays, telling every reader that something here is wrong and
    silencing whatever the rule would find on that line next. A suppression that suppresses
    nothing is a dead annotation, like commented-out code; removing it costs nothing. This
    is ruff's unused-`noqa` (RUF100) for mldebt's own comments.

    ## Known limitations
    A code is reported only when every rule it names ran on the file: a rule deselected by
    `--select`/`--ignore`, `select`/`ignore`/`per-file-ignores` in the config, or one that does
    not run on test code may still need the comment. A comment that names this rule (for
    instance `MLD208` or the prefix `MLD2`) is never reported itself. A suppression whose
    finding is hidden by a baseline still counts as used: suppressions apply first. With
    files as arguments, only the comments of those files are checked. Suppressions without
    codes or naming no rule are not findings but `suppression` diagnostics.

    ## References
    - ruff, RUF100 unused-noqa: https://docs.astral.sh/ruff/rules/unused-noqa/
    """

    id = "MLD208"
    name = "unused-suppression"
    category = Category.DEAD_EXPERIMENTAL_CODEPATH
    severity = Severity.INFO
    confidence = Confidence.HIGH

    INVALID = [
        Invalid("import json\nconfig = json.load(f)  # mldebt: ignore[MLD401]\n", line=2, message="suppresses nothing here"),
        Invalid(
            "import pickle\nmodel = pickle.load(f)  # mldebt: ignore[MLD401, MLD402]\n",
            line=2, message="`MLD402` in `# mldebt: ignore[MLD401, MLD402]`",
        ),
        Invalid("# mldebt: ignore-file[MLD4]\nimport json\n", line=1, message="in this file"),
        Invalid("numpy==1.26.4  # mldebt: ignore[unpinned-gpu-framework]\n", line=1, path="requirements.txt"),
    ]
    VALID = [
        "import pickle\nmodel = pickle.load(f)  # mldebt: ignore[MLD401]\n",
        # Naming this rule keeps a comment: the user asked for it to stay.
        "import json\nconfig = json.load(f)  # mldebt: ignore[MLD401, MLD208]\n",
        # MLD401 does not run on test code: the comment may be needed when that changes.
        Valid("import json\nconfig = json.load(f)  # mldebt: ignore[MLD401]\n", path="tests/test_io.py"),
        # Deselected for this file by the config: not judged.
        Valid(
            "import json\nconfig = json.load(f)  # mldebt: ignore[MLD401]\n", path="scripts/io.py",
            files={"pyproject.toml": '[tool.mldebt.per-file-ignores]\n"scripts/**" = ["MLD4"]\n'},
        ),
    ]

    def check(
        self, comments: Sequence[SuppressionComment], used: set[tuple[int, str]], runs: Callable[[str], bool]
    ) -> Iterator[TextFinding]:
        for comment in comments:
            named = {code: [r for r in all_rules() if names(code, r.id, r.name)] for code in comment.codes}
            if any(rule is type(self) for rules in named.values() for rule in rules):
                continue
            # Unknown codes are `suppression` diagnostics already; a rule that did not run may need it.
            unused = [
                code for code, rules in named.items()
                if rules and all(runs(r.id) for r in rules) and (comment.line, code) not in used
            ]
            if not unused:
                continue
            kind = "ignore-file" if comment.whole_file else "ignore"
            written = f"`# mldebt: {kind}[{', '.join(comment.codes)}]`"
            where = "in this file" if comment.whole_file else "here"
            if len(unused) == len(comment.codes):
                message, hint = f"{written} suppresses nothing {where}", "remove the comment"
            else:
                listed = ", ".join(f"`{code}`" for code in unused)
                message, hint = f"{listed} in {written} suppresses nothing {where}", f"remove {listed} from the comment"
            yield TextFinding(
                comment.line, message, hint + "; a stale suppression would hide the next finding there",
                column=comment.column, end_column=comment.end_column,
            )
