import ast
import re
import textwrap
from dataclasses import dataclass

import libcst as cst

from mldebt.rule import Category, Confidence, Invalid, PythonRule, Severity

_BLOCK_KEYWORDS = ("if ", "for ", "while ", "def ", "class ", "with ", "try:", "else:", "elif ", "except", "finally:")
_CLOSERS = {")", "]", "}", "),", "],", "},"}
#: A comment line that introduces example code (`# Usage:`, `# Example:`, `# For example,
#: run:`): the code after it, to the end of the comment block, documents how to call something.
_DOC_HEADING = re.compile(
    r"^(usage|examples?|example usage|for example|e\.g\.?|how to( use)?|to use( it)?|sample usage|run( it)? with)\b.*:$",
    re.IGNORECASE,
)
_NOT_CODE_MARKERS = ("type:", "noqa", "pylint:", "fmt:", "mldebt:", "isort:", "pragma", ">>>", "...", "!", "-*-")


def _is_data(node: ast.expr) -> bool:
    """Literals and displays of them (dicts and sets of anything): data, not statements."""
    if isinstance(node, (ast.Constant, ast.Dict, ast.Set)):
        return True
    if isinstance(node, ast.UnaryOp):
        return _is_data(node.operand)
    return isinstance(node, (ast.Tuple, ast.List)) and all(_is_data(e) for e in node.elts)


def _is_code(comment: str) -> bool:
    """Whether one comment's text is a Python statement rather than prose."""
    text = re.sub(r"\s+#.*$", "", comment).strip()  # commented-out code keeps its own comments
    if not text or text.startswith(_NOT_CODE_MARKERS) or "http://" in text or "https://" in text:
        return False
    if text in _CLOSERS or (text.endswith(":") and text.startswith(_BLOCK_KEYWORDS)):
        return True
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    statement = tree.body[0] if len(tree.body) == 1 else None
    if statement is None or isinstance(statement, (ast.AnnAssign, ast.Pass)):
        return False  # `TODO: fix`, `Note: ...` parse as annotations
    if isinstance(statement, ast.Expr) and isinstance(statement.value, (ast.Name, ast.Constant, ast.Attribute)):
        return False  # a single word or literal
    if isinstance(statement, ast.Expr) and _is_data(statement.value):
        return False  # `"torch>=2.0",`, `[400e6, 8e9],`, `{"ids": ids},`: data documenting a format
    return True


class CommentedOutCode(PythonRule):
    """A block of consecutive comment lines that are Python code.

    ## Why it matters
    Commented-out code is an experiment nobody dared to delete: it does not run, is not
    tested, rots as the code around it changes, and every reader has to decide again whether
    it matters. Version control keeps the history; the file should not.

    ## Known limitations
    A block is reported when at least `min-lines` consecutive comment lines each parse as a
    Python statement (prose, `TODO:` notes, URLs, doctest `>>>` lines and tool pragmas do
    not). Example code under a `# Usage:` or `# Example:` heading is documentation, to the
    end of its comment block. A file's leading comment block (license headers) is never
    reported.

    ## References
    - Sculley et al. 2015, Hidden Technical Debt in Machine Learning Systems, sec. 5 (dead experimental codepaths)
    """

    id = "MLD206"
    name = "commented-out-code"
    category = Category.DEAD_EXPERIMENTAL_CODEPATH
    severity = Severity.INFO
    confidence = Confidence.MEDIUM
    in_tests = False

    @dataclass(frozen=True)
    class Options:
        #: The fewest consecutive lines of commented-out code worth a finding.
        min_lines: int = 3

    INVALID = [
        Invalid("import torch\n\ndef train(model):\n    # scaler = torch.cuda.amp.GradScaler()\n"
                "    # with torch.autocast('cuda'):\n    #     loss = model(x)\n    #     scaler.scale(loss).backward()\n"
                "    return model\n", line=4, message="4 lines"),
        Invalid("x = 1\n# Usage:\n#   run(model)\n\n# for epoch in range(10):\n#     train(epoch)\n#     evaluate(epoch)\n",
                line=5),
        Invalid("x = 1\n# for epoch in range(10):\n#     train(epoch)\n#\n#     evaluate(epoch)\n", line=2),
    ]
    VALID = [
        "x = 1\n# Load the model from the checkpoint and move it\n# to the right device before we start training.\n# See the README for details.\n",
        "# Copyright 2024 The Authors.\n# Licensed under the Apache License, Version 2.0\n# you may not use this file except in compliance.\nimport os\n",
        "x = 1\n# TODO: fix the scheduler\n# NOTE: warmup\n# FIXME: this\n",
        "def f(x):\n    # >>> f(1)\n    # 2\n    # >>> f(2)\n    # 3\n    return x + 1\n",
        "x = 1\n# a = 1\n# b = 2\n",
        "x = 1  # type: int\ny = 2  # noqa: E501\nz = 3  # pylint: disable=x\n",
        "x = 1\n# expected layout:\n#   {'input_ids': ids, 'mask': mask},\n#   {'input_ids': ids2, 'mask': mask2},\n#   [400e6, 8e9],\n",
        "x = 1\n# Usage:\n#   model = Net()\n#   trainer = Trainer(model, lr=1e-3)\n#   trainer.fit(loader)\n",
        "x = 1\n# Example usage:\n#\n# with open(path) as f:\n#     cfg = load(f)\n#     run(cfg)\n",
        "import os\n# /// script\n# requires-python = '>=3.10'\n# dependencies = [\n#     'torch>=2.0',\n#     'numpy',\n# ]\n# ///\n",
    ]

    def visit_Module(self, node: cst.Module) -> None:
        lines = self.ctx.lines
        start = next((i for i, line in enumerate(lines) if not line.lstrip().startswith("#")), len(lines))
        run: list[int] = []
        metadata = False  # inside a PEP 723 `# /// script` block
        documenting = False  # after a `# Usage:` heading, in the same comment block
        for index in range(start, len(lines) + 1):
            text = lines[index].strip() if index < len(lines) else ""
            if text.startswith("# ///"):
                metadata = text != "# ///"
                continue
            if not text.startswith("#"):
                documenting = False
            elif _DOC_HEADING.match(text[1:].strip()):
                documenting = True
            if text.startswith("#") and not metadata and not documenting:
                body = text[1:]
                if _is_code(textwrap.dedent(body)):
                    run.append(index)
                    continue
                if not body.strip() and run:
                    continue  # an empty comment line inside a block
            self._flush(run)
            run = []

    def _flush(self, run: list[int]) -> None:
        if len(run) >= self.options.min_lines:
            self.report_line(
                run[0] + 1,
                f"{len(run)} lines of commented-out code",
                "delete them: version control keeps the history",
            )
