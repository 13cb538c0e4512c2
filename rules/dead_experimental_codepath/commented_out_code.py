import ast
import io
import re
import textwrap
import tokenize
from dataclasses import dataclass

import libcst as cst

from mldebt.extract.sources import NOT_PYTHON
from mldebt.project.demos import DEMO_NOTEBOOK
from mldebt.rule import Category, Confidence, Invalid, PythonRule, Severity, Valid, notebook

_BLOCK_KEYWORDS = ("if ", "for ", "while ", "def ", "class ", "with ", "try:", "else:", "elif ", "except", "finally:")
_CLOSERS = {")", "]", "}", "),", "],", "},"}
#: A comment line that introduces example code (`# Usage:`, `# Example:`, `# For example,
#: run:`, `# ... E.g.:`, `# pseudocode:`, `# ... and access it with:`, `# ... used with zero padding like this:`, `# The usage is
#: as follows:`, `# at index i is [row, col], where`): the code after it, to the end of the
#: comment block, documents how to call something or what a value is.
_DOC_HEADING = re.compile(
    r"^(usage|examples?|example usage|for example|e\.g\.?|how to( use)?|to use( it)?|sample usage|run( it)? with|pseudo-?code)\b.*:$"
    r"|\b(usage|examples?|like this|as follows|(use|see) below|with|e\.g\.)\s*:$|, where:?$",
    re.IGNORECASE,
)
#: A Markdown code fence in a comment (`# ```python`): what follows is an example written for a reader.
_FENCE = re.compile(r"^(```|~~~)")
#: A folder named by a placeholder (`{{ cookiecutter.repo_name }}/`): the file is a project
#: template, whose commented code is what it offers the generated project to switch on.
_TEMPLATE_FOLDER = re.compile(r"\{\{[^/]*\}\}[^/]*/")
#: A line of algebra that is no Python (`# s * s = w * h`): the block around it is a derivation.
_EQUATION = re.compile(r"^[\w.]+( *[-+*/^] *[\w.]+)+ *= *[\w.]+( *[-+*/^] *[\w.]+)*$")
#: A prose line that says why the code beside it is kept commented (`# uncomment once X is
#: merged`, `# Update mosaic border (optional)`, `# Option1: push to the Hub`, `# alternative
#: implementation for reference`, `# Keep for future`, `# Commented out: it forces a copy`,
#: `# We comment this out to make the pipeline faster`, `# Left as example of ...`, `# ... to
#: play around with later`, `# (adjust as needed)`, `# ... to use your custom dataloader`):
#: the author made the choice and wrote it down, or offers the code to the reader.
_KEPT_ON_PURPOSE = re.compile(
    r"\buncomment|\boptional\b|\bfor reference\b|\balternative|\b(option|method) ?\d|\bkeep\b|\bkept\b|\bfor future\b"
    r"|\bcommented[ -]out\b|\bcomment(ed|ing)? (this |these |it |them )?out\b|\bcommented code\b|\bas (an )?example\b"
    r"|\bplay (around )?with\b|\bas needed\b|\byour\b|^\s*[2-9][.)]\s",
    re.IGNORECASE,
)
#: A prose line that says why the code is not run (`# this doesn't work on pytorch <= 1.13`,
#: `# Commenting the below because ...`, `# workaround for the num_workers=0 issue`, `# disabled:
#: it hangs with deepseek`, `# X is removed in ddp.py`, `# The above is equivalent to below`,
#: `# During inference prefer the entire context`, `# If you only use the LLM part, use below:`,
#: `# for this subtask the normalization should not be applied`):
#: a decision with its reason (in a `TODO` too), or an option offered to the reader.
_NOT_RUN_BECAUSE = (
    r"\b(doesn'?t|does not|won'?t|will not|did not|didn'?t) work\b|\b(not|no longer) needed\b|\bhangs?\b|\bcrash"
)
_REASON = re.compile(
    _NOT_RUN_BECAUSE + r"|\bbecause\b|\bwork ?around\b|\bremoved\b|\bequivalent\b|\bprefer\b|\bif you\b"
    r"|\bshould(n'?t| not) be\b",
    re.IGNORECASE,
)
#: The same, at the end of a commented-out line (`# dims = ...  # doesn't work on torch 1.13`);
#: only that the line does not work or is not needed: any other note there may be the old code's own.
_NOTE_REASON = re.compile(_NOT_RUN_BECAUSE, re.IGNORECASE)
#: The comment at the end of a commented-out line of code (`# x = f(y)  # slower on GPU`).
_CODE_NOTE = re.compile(r"\s#\s*(\S.*)$")
#: A Sphinx configuration module (`docs/conf.py`): its commented-out options are the template's
#: documentation of the settings available, kept on purpose.
_SPHINX_SETTING = re.compile(r"^(extensions|html_theme|master_doc|root_doc|source_suffix)\s*=", re.MULTILINE)
#: The start of a string literal: what a docstring's first line looks like.
_STRING_START = re.compile(r"^[rRuUbB]{0,2}(\"\"\"|'''|\"[^\"]*\"$|'[^']*'$)")
#: A comment at the end of (or making up) one line of a multi-line statement.
_TRAILING_COMMENT = re.compile(r"(^|\s+)#.*$")
_NOT_CODE_MARKERS = ("type:", "noqa", "pylint:", "fmt:", "mldebt:", "isort:", "pragma", ">>>", "...", "!", "-*-")


def _is_data(node: ast.expr) -> bool:
    """Literals and displays of them (dicts and sets of anything): data, not statements."""
    if isinstance(node, (ast.Constant, ast.Dict, ast.Set)):
        return True
    if isinstance(node, ast.UnaryOp):
        return _is_data(node.operand)
    return isinstance(node, (ast.Tuple, ast.List)) and all(_is_data(e) for e in node.elts)


def _statement(comment: str) -> ast.stmt | None:
    """The Python statement one comment's text is, or None for prose."""
    text = re.sub(r"\s+#.*$", "", comment).strip()  # commented-out code keeps its own comments
    if not text or text.startswith(_NOT_CODE_MARKERS) or "http://" in text or "https://" in text:
        return None
    if text in _CLOSERS or (text.endswith(":") and text.startswith(_BLOCK_KEYWORDS)):
        return ast.Pass()  # a line of a statement that does not parse alone
    if re.match(r"[A-Z][a-z]*( \w+)* \(", text):
        return None  # `Download (optional)`: capitalised words before a parenthesis are a heading
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    statement = tree.body[0] if len(tree.body) == 1 else None
    if statement is None or isinstance(statement, (ast.AnnAssign, ast.Pass)):
        return None  # `TODO: fix`, `Note: ...` parse as annotations
    if isinstance(statement, ast.Expr) and _is_prose(statement.value):
        return None
    return statement


def _is_prose(node: ast.expr) -> bool:
    """A single word or literal, data documenting a format (`"torch>=2.0",`, `[400e6, 8e9],`),
    or words joined by operators (`Post-process`, `Save/log`, `train/val split`)."""
    if isinstance(node, (ast.Name, ast.Constant, ast.Attribute)) or _is_data(node):
        return True
    if isinstance(node, (ast.List, ast.Tuple)):  # `[false, true, true]`, `([word, ...], [(start, end), ...])`:
        return all(_is_prose(e) for e in node.elts)  # a drawing of a layout or of a value's shape
    if isinstance(node, ast.Subscript):  # `query_layer [sq, b, np, hn]`: a tensor's shape
        return isinstance(node.value, ast.Name) and _is_prose(node.slice)
    if isinstance(node, ast.BinOp):
        return _is_prose(node.left) and _is_prose(node.right)
    return False


def _clearly_code(statement: ast.stmt) -> bool:
    """A statement no prose parses as: an assignment, an import, a return, a block header, or a
    call with something more than bare words in it (`model.eval()`, `train(x, lr=0.1)`)."""
    if isinstance(statement, (ast.Assign, ast.AugAssign, ast.Import, ast.ImportFrom, ast.Raise, ast.Delete, ast.Pass)):
        return True
    if isinstance(statement, ast.Return):
        return statement.value is not None
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        call = statement.value
        return (
            isinstance(call.func, ast.Attribute) or bool(call.keywords)
            or any(not isinstance(a, ast.Name) for a in call.args)
        )
    return False


#: The names a value's printed form starts with (`array([198, 50])`, `tensor([0.1, 0.9])`): a
#: line of a REPL transcript that shows what an expression holds, not a call once run.
_REPR_CALLS = frozenset({"array", "tensor", "Tensor", "Parameter"})
#: Bare names that appear inside printed values (`array([nan, inf])`, `dtype=int32`).
_REPR_WORDS = re.compile(r"^(nan|inf|u?int\d+|float\d+|bool_?|bfloat16|object)$")


def _printed_value(statement: ast.stmt) -> bool:
    """`# array([  198,    50, ...])`, `# tensor([[0.1, 0.9]], dtype=float16)`: a value as a
    REPL prints it, under the expression it is the value of; the comment block is a transcript."""
    call = statement.value if isinstance(statement, ast.Expr) else None
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in _REPR_CALLS and call.args):
        return False
    return all(_printed(a) for a in call.args) and all(_printed(k.value) for k in call.keywords)


def _printed(node: ast.expr) -> bool:
    """Numbers, booleans, strings and nestings of them, and the bare words of a printed value."""
    if isinstance(node, ast.Name):
        return bool(_REPR_WORDS.match(node.id))
    if isinstance(node, (ast.List, ast.Tuple)):
        return all(_printed(e) for e in node.elts)
    if isinstance(node, ast.Attribute):  # `dtype=torch.float16`, `device=cuda:0` does not parse
        return isinstance(node.value, ast.Name) and node.value.id in ("torch", "np", "numpy")
    return _is_data(node)


def _shows_expression(lines: list[str], index: int) -> bool:
    """Whether the comment line at `index` is a bare expression (`# input_ids[0, :20]`): what a
    REPL evaluated before printing the value below it."""
    text = lines[index].strip() if 0 <= index < len(lines) else ""
    statement = _statement(textwrap.dedent(text[1:])) if text.startswith("#") else None
    return isinstance(statement, ast.Expr)


def _arithmetic(node: ast.expr) -> bool:
    """Names, dotted names and numbers joined by operators, nothing called or indexed."""
    if isinstance(node, ast.BinOp):
        return _arithmetic(node.left) and _arithmetic(node.right)
    if isinstance(node, ast.UnaryOp):
        return _arithmetic(node.operand)
    if isinstance(node, ast.Attribute):
        return _arithmetic(node.value)
    return isinstance(node, ast.Name) or (isinstance(node, ast.Constant) and isinstance(node.value, (int, float)))


def _derived_names(statement: ast.stmt) -> frozenset[str] | None:
    """For `# conv1d.weight = out_channels * (in_channels // groups) * kernel_size`, a line that
    derives a number from others: the names its right side uses; None for any other statement."""
    if not isinstance(statement, ast.Assign) or not _arithmetic(statement.value):
        return None
    return frozenset(n.id for n in ast.walk(statement.value) if isinstance(n, ast.Name))


_UNREAD = object()
#: Calls that only show or save what was computed: commented out, they switch output off
#: (debugging prints, a book's figure files), they do not park a code path.
_OUTPUT_FUNCTIONS = frozenset({"print", "pprint", "display"})
_OUTPUT_METHODS = frozenset({"savefig", "show"})
#: Clock readings (`tic = time.time()`) that only time what a print then shows.
_CLOCKS = frozenset({"time", "perf_counter", "monotonic", "default_timer"})


@dataclass(frozen=True)
class _Line:
    """One comment line of commented-out code."""

    index: int  # 0-based line index
    clear: bool  # the statement is unmistakably code
    assigns: bool  # `name = value`: inside a call's brackets, a keyword argument
    shows: bool  # `print(...)`, `plt.savefig(...)`, `tic = time.time()`: output switched off, not a code path
    printed: bool  # `array([198, 50, ...])`: a value as a REPL prints it
    derives: frozenset[str] | None  # `w = h * 4`: the names an arithmetic assignment reads
    operates: bool  # and its right side applies an operator (`w = h` alone derives nothing)

    @classmethod
    def of(cls, index: int, statement: ast.stmt) -> "_Line":
        call = statement.value if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call) else None
        func = call.func if call is not None else None
        shows = (isinstance(func, ast.Name) and func.id in _OUTPUT_FUNCTIONS) or (
            isinstance(func, ast.Attribute) and func.attr in _OUTPUT_METHODS
        ) or _reads_clock(statement)
        return cls(
            index, _clearly_code(statement), isinstance(statement, ast.Assign), shows,
            _printed_value(statement), _derived_names(statement),
            isinstance(statement, ast.Assign) and isinstance(statement.value, ast.BinOp),
        )


def _reads_clock(statement: ast.stmt) -> bool:
    """`tic = time.time()`: a timestamp for a print of the time taken, not a step of the code."""
    value = statement.value if isinstance(statement, ast.Assign) else None
    return isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr in _CLOCKS and (
        isinstance(value.func.value, ast.Name) and value.func.value.id in ("time", "timeit")
    )


def _comment_depths(source: str) -> dict[int, int] | None:
    """0-based line -> bracket depth of the live code there, for lines that are whole-line
    comments (a `#` line inside a string literal is text, not a comment); None if the source
    does not tokenize."""
    depths: dict[int, int] = {}
    depth = 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.OP and token.string in "([{":
                depth += 1
            elif token.type == tokenize.OP and token.string in ")]}":
                depth -= 1
            elif token.type == tokenize.COMMENT and not token.line[: token.start[1]].strip():
                depths[token.start[0] - 1] = depth
    except (tokenize.TokenError, SyntaxError, ValueError):
        return None
    return depths


def _heads_docstring(lines: list[str], index: int, before: str) -> bool:
    """Whether the comment block ending at `index` opens a function or class, above its
    docstring: a header note (`# targets = [cls, xyxy]`), since code there would make the
    docstring none."""
    following = next((line.strip() for line in lines[index:] if line.strip()), "")
    return before.endswith(":") and bool(_STRING_START.match(following))


def _noted_why(line: str) -> bool:
    """Whether a commented-out line ends with a note that it does not work or is not needed."""
    note = _CODE_NOTE.search(line.strip()[1:])
    return note is not None and bool(_NOTE_REASON.search(note.group(1)))


def _assigned(code: str) -> set[str]:
    """The targets a line of code assigns (`self.normalize`, `y`), none if it is no assignment."""
    try:
        tree = ast.parse(re.sub(r"\s+#.*$", "", code.strip()))
    except (SyntaxError, ValueError):
        return set()
    statement = tree.body[0] if len(tree.body) == 1 else None
    return {ast.unparse(t) for t in statement.targets} if isinstance(statement, ast.Assign) else set()


def _labelled_alternatives(lines: list[str], end: int, found: list[list["_Line"]]) -> bool:
    """Whether the comment block ending before `end` lists variants of the live line right beside
    it, each labelled (`y = torch.cat(y, 1)  # nms ensemble` under `# y = ...mean(0)  # mean
    ensemble`): every commented line and that live line carry a note, and they assign the same
    target. Documented alternatives, not a leftover."""
    code = [line for run in found for line in run]
    if not all(_CODE_NOTE.search(lines[line.index].strip()[1:]) for line in code):
        return False
    start = code[0].index
    while start > 0 and lines[start - 1].strip().startswith("#"):
        start -= 1
    beside = [lines[i] for i in (start - 1, end) if 0 <= i < len(lines) and lines[i].strip()]
    targets = set().union(*(_assigned(lines[line.index].strip()[1:]) for line in code))
    return any(_CODE_NOTE.search(live.strip()) and targets & _assigned(live) for live in beside)


def _introduced(lines: list[str], index: int) -> bool:
    """Whether the live line at `index` closes a string literal whose last line introduces what
    follows (`You can also load adapters from the Hub with the commands below:`, a notebook's
    markdown cell exported as a string): the comment block after it is example code."""
    if index < 0 or lines[index].strip() not in ('"""', "'''"):
        return False
    text = next((line.strip() for line in reversed(lines[max(0, index - 30):index]) if line.strip()), "")
    return text.endswith(":")


def _open_brackets(text: str) -> int:
    """How many brackets a line leaves open (strings not considered: an approximation)."""
    return sum(text.count(c) for c in "([{") - sum(text.count(c) for c in ")]}")


_SETTINGS = (
    "CONF_SOURCE = 'conf'\n# Class that manages storing session data.\n# from kedro.framework.session.store import BaseSessionStore\n"
    "# SESSION_STORE_CLASS = BaseSessionStore\n# SESSION_STORE_ARGS = {\n#     'path': './sessions'\n# }\n"
)


class CommentedOutCode(PythonRule):
    """A block of consecutive comment lines that are Python code.

    ## Why it matters
    Commented-out code is an experiment nobody dared to delete: it does not run, is not
    tested, rots as the code around it changes, and every reader has to decide again whether
    it matters. Version control keeps the history; the file should not.

    ## Known limitations
    A block is reported when at least `min-lines` consecutive comment lines each parse as a
    Python statement (prose, `TODO:` notes, URLs, doctest `>>>` lines and tool pragmas do
    not; a statement may span several lines), or when `min-clear-lines` lines are all
    unmistakably code: assignments, imports, block headers, calls on an object. Words
    joined by operators (`# Post-process`, `# Save/log`) and a word before a parenthesis
    (`# Download (optional)`) are prose. Example code under a `# Usage:` or `# Example:`
    heading or a Markdown fence (`# ```python`) is documentation, to the end of its comment block, and so is a comment block that
    shows an interactive session (`# >>> print(cfg)` and its output, or an expression
    followed by its printed value: `# input_ids[0, :20]` then `# array([198, 50, ...])`), and a
    derivation: a block whose every line assigns arithmetic of names the live code never uses
    (`# conv1d.weight = out_channels * (in_channels // groups) * kernel_size`, words of an
    explanation, not variables of a step that once ran). A file's leading comment
    block (license headers) is never reported, nor a Sphinx `conf.py` (its commented options
    are the template's documentation of the settings), nor a file of a project template (under a
    `{{ cookiecutter.repo_name }}/` folder: it offers commented settings for the generated project). Nor is a notebook that nothing runs: a lesson
    offers optional steps as commented code for the reader to enable (`# uncomment for the
    full summary`).

    Not dead code paths either, and not reported: keyword arguments commented out inside a
    live call (`# limit_train_batches=0.25,` in `Trainer(...)`: an alternative value; layers
    commented out of a live `nn.Sequential(...)` still count), a comment block whose prose says
    why the code is kept (`uncomment once ...`, `(optional)`, `for reference`, `alternative`,
    `Option 1:`, `Method 2`, `2.` in a list of ways, `we comment this out to ...`, `left as
    example`, `(adjust as needed)`, `use your own ...`, `should not be applied`, variants of the live line beside them that
    are labelled like it (`# y = x.mean(0)  # mean ensemble` above `y = cat(x)  # nms ensemble`), `keep for future`, `commented out because
    ...`, `workaround for ...`, `it hangs with X`, `the above is equivalent to ...`, `if you only
    need X, use below:`, or a line ending `# doesn't work on torch 1.13`; a `TODO` that gives
    such a reason too), example code that a string just above introduces (a closing `\"\"\"`
    after `with the commands below:`, a notebook exported as a script), a note at the head of a
    function above its docstring, rows of bare words drawing a layout (`# [false, true,
    true]`) or a value's shape (`# ([word, ...], [(start, end), ...]),`), the closing brackets of
    a data format drawn in comments (`# }` under JSON no line of which is code), output switched off (`# print(x)`, `# plt.savefig("figures/04_08.png")`,
    `# plt.show()` only, and the clock readings they print: `# tic = time.time()`), and `#` lines inside a string literal. Comment blocks split only by blank lines
    (a commented-out class and its methods) are one finding.

    ## References
    - Sculley et al. 2015, Hidden Technical Debt in Machine Learning Systems, sec. 5 (dead experimental codepaths)
    """

    id = "MLD206"
    name = "commented-out-code"
    category = Category.DEAD_EXPERIMENTAL_CODEPATH
    severity = Severity.INFO
    confidence = Confidence.MEDIUM
    in_tests = False
    in_demos = {DEMO_NOTEBOOK: None}

    @dataclass(frozen=True)
    class Options:
        #: The fewest consecutive lines of commented-out code worth a finding.
        min_lines: int = 3
        #: The fewest lines worth a finding when every one is unmistakably code.
        min_clear_lines: int = 2

    INVALID = [
        # A notebook a CI job runs is code like any other.
        Invalid(notebook("x = 1\n# summary(model, input_size=(32, 3, 224, 224),\n#         col_names=['input_size', 'output_size'])\n#print(model)\n"), path="report.ipynb", files={".github/workflows/nb.yml": "on: push\njobs:\n  run:\n    runs-on: ubuntu-latest\n    steps:\n      - run: papermill report.ipynb out.ipynb\n"}),
        # One block, split by a prose line, is one finding counting all its code.
        Invalid("x = 1\n# def divs(n):\n#     m = n // 2\n#     return m\n#     A helper, kept for later\n"
                "# class Flexi(nn.Module):\n#     def __init__(self):\n#         super().__init__()\n", line=2,
                message="6 lines"),
        Invalid("import torch\n\ndef train(model):\n    # scaler = torch.cuda.amp.GradScaler()\n"
                "    # with torch.autocast('cuda'):\n    #     loss = model(x)\n    #     scaler.scale(loss).backward()\n"
                "    return model\n", line=4, message="4 lines"),
        Invalid("x = 1\n# Usage:\n#   run(model)\n\n# for epoch in range(10):\n#     train(epoch)\n#     evaluate(epoch)\n",
                line=5),
        Invalid("x = 1\n# for epoch in range(10):\n#     train(epoch)\n#\n#     evaluate(epoch)\n", line=2),
        Invalid("def f(y):\n    # Update mosaic border (per epoch)\n    # b = int(random.uniform(0.25 * s, 0.75 * s))\n"
                "    # dataset.border = [b - s, -b]\n    return y\n", line=3, message="2 lines"),
        Invalid("x = 1\n# sched = OneCycleLR(opt, max_lr=lr0, total_steps=epochs,\n#                  pct_start=0.1)\n",
                line=2, message="2 lines"),
        Invalid("x = 1\n# raw = [\n#     [400e6, 8e9],\n#     [1e9, 20.2e9],\n# ]\n", line=2, message="4 lines"),
        # Layers disabled inside a live call are a dead code path, unlike a keyword argument.
        Invalid("import torch.nn as nn\nnet = nn.Sequential(\n    nn.Conv2d(3, 8, 3),\n    # nn.BatchNorm2d(8),\n"
                "    # nn.Dropout(0.1),\n    # nn.ReLU(),\n    nn.Flatten(),\n)\n", line=4, message="3 lines"),
        # Arithmetic on the file's own variables is a step that once ran, not a derivation.
        Invalid("lr = 0.1\nworld_size = 8\n# lr = lr * world_size\n# warmup = lr / 10\nrun(lr)\n", line=3,
                message="2 lines"),
        # Names handed on without arithmetic are steps, even in words the live code does not use.
        Invalid("x = 1\n# dataloader = set_your_dataloader\n# recipe.data = dataloader\nrun(x)\n", line=2,
                message="2 lines"),
        # A printed value assigned, or built by a call on a module, is code, not a transcript.
        Invalid("x = 1\n# ids = batch[0]\n# mask = array([1, 0, 1])\n# ids = ids * mask\n", line=2, message="3 lines"),
        Invalid("x = 1\n# model.eval()\n# np.array([1, 0, 1])\n# model(ids)\n", line=2, message="3 lines"),
        # A `#` line inside a docstring is text; the real comment below it is code.
        Invalid('def f(x):\n    """Doc.\n    # y = x + 1\n    """\n    # x = x.squeeze()\n    # y = y.squeeze()\n    return x\n',
                line=5, message="2 lines"),
        # A comment inside the commented-out call is part of it, not a reason for keeping it.
        Invalid("def shard(self):\n    # TODO: tricky with a non-parallel encoder\n    # for m in self.layers:\n"
                "    #     parallelize_module(\n    #         m,\n    #         # Optional: shard the output\n"
                "    #         mesh,\n    #     )\n    return 1\n", line=3, message="6 lines"),
        # A clock reading beside real steps is part of the commented-out code.
        Invalid("def fit(model, x):\n    # tic = time.time()\n    # model.fit(x, epochs=3)\n    # model.save('m.h5')\n    return model\n",
                line=2, message="3 lines"),
        # Prints inside a commented-out block are part of its code.
        Invalid("plt.plot(x, y)\n# plt.savefig('a.png')\n# model.fit(x, y)\n# model.save('m.h5')\nplt.show()\n", line=2),
        Invalid("def log(self, y):\n    # print('---')\n    # self.logger.log({'y': y})\n    # print('---')\n    return y\n",
                line=2, message="3 lines"),
        # A heading that names the step, not why it is kept.
        Invalid("def step(self):\n    # Reset access registry\n    # if Access.is_enabled():\n    #     Access.reset(self)\n"
                "    return 1\n", line=3),
        # A TODO that gives no reason is work parked; a plain note names the variant, not why it is off.
        Invalid("def apply(self):\n    # TODO: Make it work with lazy init\n"
                "    # with torch.device('meta'):\n    #     target = self.init()\n    return self.init()\n", line=3),
        # A string above that introduces nothing (it ends a sentence, not with a colon).
        Invalid('"""Helpers.\n\nTrains the model.\n"""\n# model = load(a)\n# model.eval()\n', line=5),
        Invalid("def forward(self, x):\n    y = [m(x) for m in self]\n    # y = torch.stack(y).max(0)[0]  # max ensemble\n"
                "    # y = torch.stack(y).mean(0)  # mean ensemble\n    return torch.cat(y, 1)\n", line=3),
        # Labelled lines that assign something else than the labelled live line beside them.
        Invalid("def f(labels):\n    weights = np.bincount(labels)  # occurrences per class\n"
                "    # gpi = (320 / 32) ** 2 * 3  # gridpoints per image\n"
                "    # scale = np.hstack([gpi, weights]) ** 0.5  # prepend gridpoints\n    return weights\n", line=3),
        # A reason holds for its stretch of comments, not past the live code that ends it.
        Invalid("def f(y):\n    # 2. With scikit-learn\n    # a = fit(y)\n    # b = score(a)\n    y = y + 1\n"
                "    # c = slow(y)\n    # d = g(c)\n    return y\n", line=6, message="2 lines"),
        # A fence documents its own comment block only: code commented out in the next one is still reported.
        Invalid("def f(y):\n    # ```python\n    # f(1)\n    # ```\n    y = y + 1\n"
                "    # x = slow(y)\n    # z = g(x)\n    # w = h(z)\n    return y\n", line=6),
        # The same settings commented out in a project itself (no template placeholder) are reported.
        Invalid(_SETTINGS, path="src/pkg/settings.py", line=3),
        # A heading that names old code is no introduction to an example.
        Invalid("def f(y):\n    # Old implementation:\n    # x = slow(y)\n    # z = g(x)\n    return y\n", line=3),
        # A `conf.py` that is no Sphinx configuration is code like any other.
        Invalid("lr = 0.1\n# lr = 0.01\n# epochs = 90\n", path="experiments/conf.py", line=2),
        # After the docstring, the same comments are code left in the body.
        Invalid('def perspective(im, targets=()):\n    """Warp an image."""\n'
                "    # torchvision.transforms.RandomAffine(degrees=(-10, 10))\n    # targets = [cls, xyxy]\n    return im\n", line=3),
        # Code above the closing brackets: they close commented-out code.
        Invalid("x = 1\n# for run in runs:\n#     log(run)\n# }\n# }\ny = 2\n", line=2),
    ]
    VALID = [
        # A lesson's optional step, commented for the reader to enable.
        Valid(notebook("x = 1\n# summary(model, input_size=(32, 3, 224, 224),\n#         col_names=['input_size', 'output_size'])\n#print(model)\n"), path="lesson.ipynb"),
        "x = 1\n# Load the model from the checkpoint and move it\n# to the right device before we start training.\n# See the README for details.\n",
        "# Copyright 2024 The Authors.\n# Licensed under the Apache License, Version 2.0\n# you may not use this file except in compliance.\nimport os\n",
        "x = 1\n# TODO: fix the scheduler\n# NOTE: warmup\n# FIXME: this\n",
        # A file format drawn in a comment: the closing brackets close data, not code (tuned after
        # the freeze on the first-sight judging of a serving repository's endpoint-file format).
        "import json\n\n# Format of the endpoints file:\n# {\n#   \"local\": {\n#     \"url\": \"localhost\",\n"
        "#     \"retry\": false\n#   }\n# }\nendpoints = {}\n",
        "def f(x):\n    # >>> f(1)\n    # 2\n    # >>> f(2)\n    # 3\n    return x + 1\n",
        # The code of a reproduction, shown with the session's output, explains a workaround.
        "def load(cls):\n    # the following issue:\n    #\n    # from peft import AdaLoraConfig, PeftConfig\n"
        "    # peft_config = AdaLoraConfig()\n    # print(peft_config)\n    # >>> AdaLoraConfig(r=8)\n"
        "    # peft_config.save_pretrained('./test_config')\n    # peft_config = PeftConfig.from_pretrained('./test_config')\n"
        "    return cls\n",
        "x = 1\n# Post-process\n# Save/log\n# Download (optional)\n",
        "x = 1\n# train(x)\n# evaluate\n",
        "x = 1\n# print(x)\n# run(y)\n",
        "x = 1\n# Compute metrics (slow)\n# Evaluate (per class)\n# Export (onnx, coreml)\n",
        "x = 1  # type: int\ny = 2  # noqa: E501\nz = 3  # pylint: disable=x\n",
        "x = 1\n# expected layout:\n#   {'input_ids': ids, 'mask': mask},\n#   {'input_ids': ids2, 'mask': mask2},\n#   [400e6, 8e9],\n",
        "x = 1\n# Usage:\n#   model = Net()\n#   trainer = Trainer(model, lr=1e-3)\n#   trainer.fit(loader)\n",
        "x = 1\n# Example usage:\n#\n# with open(path) as f:\n#     cfg = load(f)\n#     run(cfg)\n",
        "import os\n# /// script\n# requires-python = '>=3.10'\n# dependencies = [\n#     'torch>=2.0',\n#     'numpy',\n# ]\n# ///\n",
        # Keyword arguments commented out inside a live call: alternative values, not dead code.
        "trainer = Trainer(\n    max_epochs=3,\n    # limit_train_batches=0.25,\n    # limit_val_batches=0.25,\n)\n",
        "cfgs = {\n    'vit.b': _cfg(\n        hf_hub_id='timm/',\n        # hf_hub_id='facebook/vit-b',\n"
        "        # hf_hub_filename='vit_b.pt',\n        # custom_load='hf',\n    ),\n}\n",
        # `#` lines of a docstring are text.
        'def gen_kernel(k=15):\n    """\n    # min_var = 0.175 * sf\n    # max_var = 2.5 * sf\n    # noise = 0\n    """\n    return k\n',
        # Code kept on purpose, with the reason beside it.
        "class Data:\n    x = 1\n    # uncomment once the fabric API is merged\n    # def fabric_setup(self, fabric):\n"
        "    #     del fabric\n    #     self.ds = build()\n",
        "def f(y):\n    # Update mosaic border (optional)\n    # b = int(random.uniform(0.25 * s, 0.75 * s))\n"
        "    # dataset.border = [b - s, -b]\n    return y\n",
        "x = 1\n# Option1: Pushing the model to the Hub\n# model.push_to_hub(\n#     name,\n#     token='hf_...',\n# )\n"
        "# Option2: Saving the model locally\nmodel.save_pretrained(name)\n",
        "def f(z):\n    # NOTE: keeping an alternative implementation for reference (slower)\n"
        "    # e = torch.einsum('bi,bi->b', z, z)\n    # e = e.abs() + eps\n    return z\n",
        "def scores(self, v, k):\n    # Commented out code causes a synchronous copy, see pytorch issue #105641\n"
        "    # self.scores[self.idx, :] = v\n    # self.labels[self.idx, :] = k\n    self.scores.index_copy_(0, self.idx, v)\n",
        "def gate(self, y, x):\n    # Note: Keep for future, in case we improve WER from doing so.\n"
        "    # if self.context_window >= 0:\n    #     y = F.interpolate(y, size=x.shape[-1])\n    return y\n",
        # The reason the code is not run, in the block or at the end of its line.
        "def embed(self, x, flag):\n    # Commenting the below because speech needs every channel\n"
        "    # keep = (x.sum(dim=1) > 0).float()\n    # x = x * keep.unsqueeze(0)\n    return x\n",
        "def norm(x, k):\n    if torch.jit.is_scripting():\n        # ndim = len(x.shape)\n"
        "        # dims = list(range(ndim - k, ndim))  # this doesn't work on pytorch <= 1.13.x\n"
        "        v = x.mean(-1)\n    return x\n",
        "def main(cfg):\n    ###### the workaround for the num_workers=0 issue #####\n"
        "    # import torch.multiprocessing as mp\n    # mp.set_start_method('spawn', force=True)\n"
        "    #####################################################\n    return cfg\n",
        "import_ckpt(model=Llama4(), source=src)\n# If you only convert the language model, use below:\n"
        "# import_ckpt(\n#     model=LlamaModel(Llama4Experts16Config()),\n#     source=src,\n# )\n",
        "def step(self, loss):\n    # Log any MoE losses.\n    # @dev: disabling this as it hangs with deepseek.\n"
        "    # for name, value in moe_losses().items():\n    #     self.log(name, value)\n    return loss\n",
        "def setup(self):\n    # TODO: Distributing embeddings with TP is tricky\n    #       because we add a non-parallel output.\n"
        "    # for m in (self.embed, self.audio):\n    #     parallelize(m, mesh)\n    # self.tp = True\n    return self\n",
        "def forward(self, x):\n    ### Following code is not used but kept for future reference\n    #\n"
        "    # noise = x.new_zeros(x.shape)\n    # x = x + noise\n    return x\n",
        # Alternatives listed side by side: a second method, the second item of a list of ways.
        "def path(p):\n    p = next_free(p)\n    # Method 2 (deprecated)\n    # dirs = glob.glob(f'{p}*')\n"
        "    # n = len(dirs) + 1\n    return p\n",
        "def end(self, preds):\n    # 1. With the W&B method\n    self.log(cm(preds))\n"
        "    # 2. With scikit-learn\n    # data = confusion_matrix(labels, preds)\n    # self.log(data)\n\n"
        "    # self.logger.log(\n    #     {'roc': roc_curve(labels, preds)}\n    # )\n",
        # Variants of the live line beside them, each labelled like it: documented alternatives.
        "def forward(self, x):\n    y = [m(x) for m in self]\n    # y = torch.stack(y).max(0)[0]  # max ensemble\n"
        "    # y = torch.stack(y).mean(0)  # mean ensemble\n    y = torch.cat(y, 1)  # nms ensemble\n    return y\n",
        # A string above introduces the commented commands (a notebook exported as a script).
        'x = 1\n"""## Load adapters from the Hub\n\nYou can load adapters using the commands below:\n"""\n\n'
        "# config = PeftConfig.from_pretrained(model_id)\n# model = load(config.base_model)\n",
        # An example that the sentence above introduces with its last words, `E.g.:`.
        "from .model import copy_model\n\n# Deprecated. Name the saved files with the API\n# version in mind. E.g.:\n"
        "# api_v1_model_file_name = 'saved_model.pkl'\n# api_v2_model_file_name = 'torch_model.pth'\nSAVE_NAMESPACE = 'saved_model'\n",
        # An example in a Markdown fence, written for the reader of the comment.
        "def decode(field, dtype):\n    # dtype is required, as in\n    #\n    # ```python\n    # import numpy as np\n    #\n"
        "    # @svc.api(input=NumpyNdarray(dtype=np.float16))\n    # def predict(x):\n    #     return x\n    # ```\n"
        "    return np.frombuffer(field, dtype=dtype)\n",
        # Documentation introduced by its last words, and a derivation.
        "_C.VIS_PERIOD = 0\n# global config is for quick hack purposes,\n# and access it with:\n#\n"
        "# from detectron2.config import global_cfg\n# print(global_cfg.HACK)\n#\n# Do not commit configs into it.\n_C.GLOBAL = 1\n",
        "x = 1\n# Therefore `paste_old` is often used with zero padding around the masks like this:\n"
        "# masks, scale = pad_masks(masks[:, 0, :, :], 1)\n# boxes = scale_boxes(boxes.tensor, scale)\n",
        "def grid(n):\n    rows = torch.arange(n)\n    # at index `i` contains [row, col], where\n    # row = i // n\n"
        "    # col = i % n\n    return rows\n",
        "def layer(x):\n    # pseudocode:\n    # x = x + attn(ln1(x))\n    # x = x + mlp(ln2(x))\n    return x\n",
        "def anchors(area, ratio):\n    # s * s = w * h\n    # a = h / w\n    # ... some algebra ...\n"
        "    # w = sqrt(s * s / a)\n    # h = a * w\n    w = math.sqrt(area / ratio)\n    return w\n",
        # A Sphinx configuration keeps the template's options commented, as documentation.
        Valid("project = 'Lib'\nextensions = ['sphinx.ext.autodoc']\n# html_theme_options = {\n"
              "#     'logo_only': True,\n# }\n# html_logo = 'logo.png'\n", path="docs/source/conf.py"),
        # A project template documents optional settings as commented defaults.
        Valid(_SETTINGS, path="starter/{{ cookiecutter.repo_name }}/src/{{ cookiecutter.python_package }}/settings.py"),
        # A note at the head of a function, above its docstring, documents it.
        'def perspective(im, targets=()):\n    # torchvision.transforms.RandomAffine(degrees=(-10, 10))\n'
        '    # targets = [cls, xyxy]\n    """Warp an image."""\n    return im\n',
        # Tensor shapes written as subscripts document the code below them.
        "def attend(q, k):\n    # query_layer [sq, b, np, hn]\n    # key_layer   [sk, b, np, hn]\n"
        "    # attention_mask [b, 1, sq, sk]\n    return q @ k\n",
        # Debugging output commented out is not a code path.
        "def load(rank):\n    # print('---')\n    # print(os.getpid(), rank)\n    # print('---')\n    return rank\n",
        # A figure's file left unwritten: output switched off, as a print.
        "plt.plot(x, y)\n#plt.savefig('figures/04_08.png', dpi=300,\n#            bbox_inches='tight', pad_inches=0.2)\n"
        "#plt.savefig('figures/04_09.png', dpi=300)\n\nplt.show()\n",
        # A drawing of a mask, row by row.
        "x = 1\n# [false, true,  true, true]\n# [false, false, true, true]\n# [true,  true,  false, true]\n",
        # Timing output switched off: the clock reading and the print of it.
        "def evaluate(self):\n    # tic = time.time()\n    # print('Running per image evaluation...')\n    p = self.params\n"
        "    # toc = time.time()\n    # print('DONE (t={:0.2f}s).'.format(toc - tic))\n    return p\n",
        # A workaround spelled in two words explains the code it stands for.
        "def pad(tensor_list):\n    # work around for\n    # pad_img[: img.shape[0], : img.shape[1]].copy_(img)\n"
        "    # m[: img.shape[1], :img.shape[2]] = False\n    # which is not yet supported in onnx\n    return tensor_list\n",
        # A drawing of a generator's output: nested brackets of bare words.
        "def pairs(seqs):\n    # Generator of pairs of word and index ngrams\n    # (\n"
        "    #   ([word, word, ...], [(start,end), (start,end), ...]),\n    #   ...\n    # )\n"
        "    return (zip(*s) for s in seqs)\n",
        # A REPL transcript: an expression, then its value as printed.
        "def collate(examples):\n    ids = stack(examples)\n    # input_ids[0,:20]\n"
        "    # array([  198,    50,    30, 12532,\n    #         0,  1780])\n    # label_mask[0,:4]\n"
        "    # tensor([ True,  True,\n    #     False,  True])\n    return ids\n",
        # A derivation of a parameter count in the words of the layer, above the live sum.
        "d_inner = 2 * d_model\n# conv1d.weight = out_channels * (in_channels // groups) * kernel_size\n"
        "# conv1d.bias = out_channels\nconv1d = d_inner * d_conv + d_inner\n",
        # The prose says the block is off on purpose, or offers it to the reader.
        "def scrape(urls):\n    # We comment this out to make this pipeline faster\n    # for url in urls:\n"
        "    #     pages.extend(crawl(url, depth=2))\n    #     seen.add(url)\n    return urls\n",
        "def tokenizer(name):\n    # NOTE: Left as example of loading a custom tokenizer from file for experimentation\n"
        "    # if name.endswith('.json'):\n    #     tok = Tokenizer.from_file(name)\n    #     return tok\n    return load(name)\n",
        "def main(recipe):\n    # Overwrite the dataloader in the recipe to use your custom dataloader.\n"
        "    # recipe.data = run.Config(MyDataModule, seq_length=2048)\n    # recipe.data.path = '/data'\n    return recipe\n",
        "def score(doc, pred):\n    # for the OOT subtask this normalization should not be applied\n"
        "    # pred = normalize(pred)\n    # gold = normalize(doc['gold'])\n    return pred == doc['gold']\n",
    ]

    def __init__(self, ctx, options) -> None:
        super().__init__(ctx, options)
        #: Bracket depth per comment line, tokenized only once a block is worth reporting.
        self._depths: dict[int, int] | None | object = _UNREAD
        #: The words of the file's live lines, read only once a block could be a derivation.
        self._live_words: frozenset[str] | None = None

    def visit_Module(self, node: cst.Module) -> None:
        lines = self.ctx.lines
        if self.ctx.path.rsplit("/", 1)[-1] == "conf.py" and _SPHINX_SETTING.search("\n".join(lines)):
            return
        if _TEMPLATE_FOLDER.search(self.ctx.path):
            return
        start = next((i for i, line in enumerate(lines) if not line.lstrip().startswith("#")), len(lines))
        run: list[_Line] = []
        found: list[list[_Line]] = []  # runs worth reporting in this comment block
        stretch: list[list[_Line]] = []  # those of comment blocks split only by blank lines
        excused = False  # a block of the stretch says why its code is kept: so for all of it
        metadata = False  # inside a PEP 723 `# /// script` block
        documenting = False  # after a `# Usage:` heading, in the same comment block
        transcript = False  # the comment block shows an interactive session (`# >>> ...`)
        explained = False  # a prose line of the block says why the code is kept (`# optional`)
        coded = False  # the comment block has had a line of code
        before = ""  # the last code line before the comment block
        before_index = -1  # and its index
        index = start
        while index <= len(lines):
            text = lines[index].strip() if index < len(lines) else ""
            index += 1
            if text.startswith("# ///"):
                metadata = text != "# ///"
                continue
            if not text.startswith("#"):
                documenting = False
            elif _DOC_HEADING.search(text[1:].strip()) or _FENCE.match(text[1:].strip()):
                documenting = True
            if text[1:].strip().startswith(">>>"):
                transcript = True
            commented = text.startswith("#") and not text.startswith(NOT_PYTHON.strip())
            if commented and not metadata and not documenting:
                body = textwrap.dedent(text[1:])
                taken = self._statement_lines(lines, index - 1, body)
                if taken and not run and body.strip() in _CLOSERS:
                    taken = []  # a bracket closing no code above it closes a drawing of data (a JSON format)
                if taken:
                    coded = True
                    transcript = transcript or (taken[0].printed and _shows_expression(lines, taken[0].index - 1))
                    explained = explained or any(_noted_why(lines[t.index]) for t in taken)
                    run.extend(taken)
                    index = taken[-1].index + 1
                    continue
                if not body.strip() and run:
                    continue  # an empty comment line inside a block
                # (a comment or an indented line inside the commented-out code is part of that
                # code, not a reason for keeping it; `# # note` is inside, a `#####` banner and
                # the indented continuation of a note above the code are not)
                inside = (coded and text[1:].startswith("  ")) or (body.startswith("#") and not body.startswith("##"))
                explained = explained or (not inside and bool(
                    _KEPT_ON_PURPOSE.search(body) or _REASON.search(body) or _EQUATION.match(body.strip())
                ))
            if self._qualifies(run):
                found.append(run)
            run = []
            if not commented:  # the comment block ends
                if found and not (
                    transcript or explained or _heads_docstring(lines, index - 1, before) or _introduced(lines, before_index)
                    or _labelled_alternatives(lines, index - 1, found) or self._derivation(found)
                ):
                    if stretch and self.ctx.cell_line(stretch[0][0].index + 1)[0] != self.ctx.cell_line(found[0][0].index + 1)[0]:
                        self._report(stretch, excused)  # a notebook cell ends the stretch
                        stretch, excused = [], False
                    stretch.extend(found)
                excused = excused or explained
                found, transcript, explained, coded = [], False, False, False
                if text and not text.startswith("#"):  # live code ends the stretch: one finding for it
                    self._report(stretch, excused)
                    stretch, excused, before, before_index = [], False, text, index - 1
        self._report(stretch, excused)

    def _derivation(self, found: list[list[_Line]]) -> bool:
        """Whether every commented line derives a number from names the live code of the file never
        mentions (`# conv1d.weight = out_channels * (in_channels // groups) * kernel_size` above
        the live `conv1d = d_inner * d_conv`): the words of an explanation, not variables of a
        step that once ran."""
        lines = [line for run in found for line in run]
        if any(not line.derives for line in lines) or not any(line.operates for line in lines):
            return False  # `# epochs = 90` is a value, `# data = loader` a step: neither derives a number
        if self._live_words is None:
            self._live_words = frozenset(
                word for line in self.ctx.lines if not line.lstrip().startswith("#")
                for word in re.findall(r"\w+", line.split(" #", 1)[0])
            )
        return not any(line.derives & self._live_words for line in lines)

    @staticmethod
    def _statement_lines(lines: list[str], index: int, body: str) -> list[_Line]:
        """The comment lines, from `index`, that hold one statement (several when its brackets
        stay open), each marked with what kind of statement it is."""
        statement = _statement(body)
        if statement is not None:
            return [_Line.of(index, statement)]
        if _open_brackets(body) <= 0:
            return []
        joined, taken = body, [index]
        for following in range(index + 1, min(index + 30, len(lines))):
            text = lines[following].strip()
            if not text.startswith("#"):
                return []
            joined += "\n" + textwrap.dedent(text[1:])
            taken.append(following)
            if _open_brackets(joined) <= 0:
                # one line, without the comments the commented-out code had inside its brackets
                statement = _statement(" ".join(_TRAILING_COMMENT.sub("", part.strip()) for part in joined.splitlines()))
                return [_Line.of(i, statement) for i in taken] if statement is not None else []
        return []

    def _qualifies(self, run: list[_Line]) -> bool:
        if all(line.shows for line in run):
            return False  # output switched off (`# print("---")`, `# plt.savefig(...)`) is no code path
        return len(run) >= self.options.min_lines or (
            len(run) >= self.options.min_clear_lines and all(line.clear for line in run)
        )

    def _report(self, found: list[list[_Line]], excused: bool = False) -> None:
        """One finding per stretch of comments between two lines of live code, at its first run
        of code, counting all its code lines (a commented-out class whose methods blank lines or
        a docstring split is one finding, not eight). A stretch one of whose blocks says why
        its code is kept (`# 2. With scikit-learn`, then more ways below) is `excused` whole.

        Only real comments count (a `#` line of a docstring is text), and not keyword
        arguments commented out inside a live call (`# limit_train_batches=0.25,` in
        `Trainer(...)`): an alternative value for the call, not a dead code path."""
        if excused or not found:
            return
        if self._depths is _UNREAD:
            self._depths = _comment_depths("\n".join(self.ctx.lines) + "\n")
        depths = self._depths
        if depths is not None:
            found = [
                kept for kept in (
                    [line for line in run if line.index in depths and not (depths[line.index] > 0 and line.assigns)]
                    for run in found
                ) if self._qualifies(kept)
            ]
        if found:
            self.report_line(
                found[0][0].index + 1,
                f"{sum(len(run) for run in found)} lines of commented-out code",
                "delete them: version control keeps the history",
            )
