"""Turn the bytes of a file into the text a rule reads, or a diagnostic saying why not.

Python modules and notebooks both become a `PythonSource`: a notebook's code cells are joined
into one virtual module, with IPython magics and shell escapes neutralised in place so that
every line keeps its number, and a line map that takes a virtual line back to (cell, line).
Manifests become a `TextSource`: the decoded lines, nothing more.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from json.decoder import scanstring

from mldebt.bounded_read import MAX_READ_BYTES, read_cap


class SourceError(Exception):
    """A file that cannot become source text; the message is the user-facing reason."""

    def __init__(self, kind: str, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.line = line


@dataclass
class CellLine:
    """Where a virtual line of a notebook came from: cell index (markdown counted) and line."""

    cell: int
    line: int


@dataclass
class PythonSource:
    path: str
    text: str
    #: For notebooks: virtual line (1-based) -> origin; empty for plain modules.
    cell_map: dict[int, CellLine] = field(default_factory=dict)
    #: Problems that did not stop the scan (e.g. a notebook cell that does not parse).
    warnings: list[SourceError] = field(default_factory=list)
    #: For notebooks: the .ipynb text and its cells, to find where a cell's line is in the file.
    notebook_text: str = ""
    notebook_cells: list[_Cell] = field(default_factory=list)

    @cached_property
    def lines(self) -> list[str]:
        """Split once: the analysis, the suppressions and the rules all read them."""
        return physical_lines(self.text)

    @cached_property
    def notebook_lines(self) -> dict[tuple[int, int], int]:
        """(cell index, line in the cell) -> line of the .ipynb file holding it, so that code
        scanning can annotate the notebook file itself; computed once, from the cells the
        notebook was read into (the JSON is not walked again)."""
        return _file_lines(self.notebook_text, self.notebook_cells)

    @property
    def markdown_lines(self) -> list[str]:
        """The lines of a notebook's markdown cells: the prose that tells its reader what to fetch."""
        return [line for cell in self.notebook_cells if cell.kind == "markdown"
                for line in physical_lines("".join(value for value, _ in cell.source))]


@dataclass
class TextSource:
    path: str
    kind: str
    text: str

    @cached_property
    def lines(self) -> list[str]:
        """Split once: the analysis, the suppressions and the rules all read them."""
        return physical_lines(self.text)


_BINARY_SNIFF = 8192
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def physical_lines(text: str) -> list[str]:
    """The lines of a file as Python and libcst number them: broken at `\\n`, `\\r\\n` and
    `\\r` only. (`str.splitlines` also breaks at form feeds, U+2028 and other separators, which
    moved findings and suppressions to the wrong line.)"""
    lines = _LINE_BREAK.split(text)
    if lines[-1] == "":
        lines.pop()
    return lines


def _json_int(digits: str) -> int | float:
    return int(digits) if len(digits) < 4300 else float(digits)


def load_json(text: str) -> object:
    """`json.loads` that reads integers of any length (as floats past Python's 4,300-digit
    limit for `int`) instead of failing on them."""
    return json.loads(text, parse_int=_json_int)


def content_digest(data: bytes) -> str:
    """What identifies a file's content in the results cache."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def decode(path: str, data: bytes) -> str:
    """Decode source bytes: PEP 263 cookie or BOM, else UTF-8; refuse binary files."""
    if len(data) > read_cap(path):
        raise SourceError(
            "too-large", f"file is {len(data) / 1e6:.1f} MB, over the {read_cap(path) // 2**20} MiB limit; skipped"
        )
    if b"\x00" in data[:_BINARY_SNIFF]:
        raise SourceError("binary", "file looks binary (NUL bytes); skipped")
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise SourceError("binary", "NUL byte in the file (binary or corrupted?); skipped", line)
    encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    if path.endswith((".py", ".pyw")):
        for line in data.split(b"\n", 2)[:2]:
            match = re.match(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", line)
            if match:
                encoding = match.group(1).decode("ascii")
                break
    try:
        return data.decode(encoding)
    except LookupError:
        raise SourceError("decode-error", f"unknown encoding `{encoding}` declared") from None
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise SourceError(
            "decode-error", f"cannot decode as {encoding} at byte {error.start}", line
        ) from None
    except (UnicodeError, ValueError, TypeError):  # codecs such as `undefined` refuse any input
        raise SourceError("decode-error", f"encoding `{encoding}` declared cannot decode source text") from None


# --- notebooks -------------------------------------------------------------------------------

#: Cell magics whose body is still Python; any other `%%magic` cell is not Python at all.
_PYTHON_CELL_MAGICS = {"time", "timeit", "capture", "prun", "debug", "pypy", "python", "python3"}
_ASSIGNED_MAGIC = re.compile(r"^(\s*[\w.,\s\[\]]+=\s*)([!%].*)$")
_LINE_MAGIC = re.compile(r"^(\s*)([!%].*)$")
_HELP_SUFFIX = re.compile(r"^(\s*)([\w.]+\?\??)\s*$")


#: Prefix of a notebook line that is not Python (the body of a `%%bash` or `%%writefile` cell,
#: a shell line's continuation, a cell that does not parse): a comment, but not commented-out code.
NOT_PYTHON = "#| "


def _neutralise(line: str) -> str:
    """Replace an IPython-only line by Python of the same line count and indentation."""
    match = _ASSIGNED_MAGIC.match(line)
    if match:
        return f"{match.group(1)}None  # {match.group(2)}"
    match = _LINE_MAGIC.match(line) or _HELP_SUFFIX.match(line)
    if match:
        return f"{match.group(1)}pass  # {match.group(2)}"
    return line


def _neutralise_lines(lines: list[str]) -> list[str]:
    """Neutralise magics line by line; a shell or magic line ending in `\\` continues on the
    next lines, which become comments."""
    result = []
    continued = False
    for line in lines:
        if continued:
            result.append(NOT_PYTHON + line)
        else:
            result.append(_neutralise(line))
            if result[-1] is line:
                continue
        continued = line.rstrip().endswith("\\")
    return result


def _python_cell(lines: list[str]) -> list[str]:
    if lines and lines[0].lstrip().startswith("%%"):
        magic = lines[0].lstrip()[2:].split(maxsplit=1)
        if not magic or magic[0] not in _PYTHON_CELL_MAGICS:
            return [NOT_PYTHON + line for line in lines]
        return ["pass  # " + lines[0].lstrip()] + _neutralise_lines(lines[1:])
    return _neutralise_lines(lines)


def _parses(lines: list[str]) -> bool:
    try:
        ast.parse("\n".join(lines) + "\n")
    except SyntaxError as error:  # CPython's limit on long integer literals is not libcst's
        return "integer string conversion" in str(error.msg)
    except (ValueError, RecursionError, MemoryError):
        return False
    return True


#: A notebook saved as a Python script by jupytext opens with its header (`# ---`) or its first
#: cell (`# %%`, `# +` in the light format) and has a markdown cell (`# %% [markdown]`, `# +
#: [markdown]`); one saved by `nbconvert --to script` has its cell prompts (`# In[3]:`). Plain
#: `# %%` cells are not enough: editors run scripts cell by cell with them, and a script with
#: no prose cell was not written to be read. (A template in a string holds such lines too, but
#: does not open the file with them.)
_JUPYTEXT_START = re.compile(r"(?:[ \t]*\n)*# (?:---|%%|\+)")
_MARKDOWN_CELL = re.compile(r"^# (?:%%|\+).*\[(?:markdown|md)\]|^#\s+jupytext:", re.MULTILINE)
_NBCONVERT_PROMPT = re.compile(r"^# In\[[\d ]*\]:[ \t]*$", re.MULTILINE)


def saved_notebook(text: str) -> bool:
    """Whether a Python file is a notebook saved as a script (jupytext, `nbconvert --to script`)."""
    if _JUPYTEXT_START.match(text) and _MARKDOWN_CELL.search(text):
        return True
    return _NBCONVERT_PROMPT.search(text) is not None


def notebook_source(path: str, text: str) -> PythonSource:
    """The virtual module of a notebook's code cells.

    A code cell that does not parse on its own is commented out (so the rest of the notebook is
    still analysed) and reported as a warning; a notebook that is not JSON or has no cell list,
    or whose code cells hold more source than `MAX_READ_BYTES` (the size limit is on the code
    mldebt parses, not on outputs and images), raises `SourceError`.
    """
    try:
        cells = _cells(text)
    except json.JSONDecodeError as error:
        raise SourceError("notebook-error", f"not a valid notebook: {error.msg}", error.lineno) from None
    except _NotJson as error:
        line = text.count("\n", 0, error.at) + 1
        raise SourceError("notebook-error", f"not a valid notebook: {error}", line) from None
    except RecursionError:
        raise SourceError("notebook-error", "not a valid notebook: nested too deeply") from None
    if cells is None:
        raise SourceError("notebook-error", "not a valid notebook: no `cells` list")
    virtual: list[str] = []
    cell_map: dict[int, CellLine] = {}
    warnings: list[SourceError] = []
    size = 0  # characters of code so far: what parsing them costs
    for index, cell in enumerate(cells):
        if cell.kind != "code":
            continue
        lines = _python_cell(physical_lines("".join(value for value, _ in cell.source)))
        size += sum(len(line) + 1 for line in lines)
        if size > MAX_READ_BYTES:
            raise SourceError(
                "too-large",
                f"code cells hold {size / 1e6:.1f} MB of source, over the {MAX_READ_BYTES // 2**20} MiB limit; skipped",
            )
        if not _parses(lines):
            warnings.append(SourceError("parse-error", f"cell {index} does not parse; skipped"))
            lines = [NOT_PYTHON + line for line in lines]
        for number, line in enumerate(lines, start=1):
            virtual.append(line)
            cell_map[len(virtual)] = CellLine(index, number)
    return PythonSource(path, "\n".join(virtual) + "\n" if virtual else "", cell_map, warnings, text, cells)


_BLANK = re.compile(r"[ \t\n\r]*")


def _blank(text: str, at: int) -> int:
    return _BLANK.match(text, at).end()


class _NotJson(ValueError):
    def __init__(self, message: str, at: int) -> None:
        super().__init__(message)
        self.at = at


def _expect(text: str, at: int, char: str) -> None:
    if not text.startswith(char, at):
        raise _NotJson(f"expecting `{char}`", at)


def _json_object(text: str, at: int, visit: Callable[[str, int], int]) -> int:
    """Walk the JSON object at `at`: `visit(key, offset of the value)` returns where the value
    ends; returns the offset after the object."""
    _expect(text, at, "{")
    at = _blank(text, at + 1)
    if text.startswith("}", at):
        return at + 1
    while True:
        _expect(text, at, '"')
        key, at = scanstring(text, at + 1)
        at = _blank(text, at)
        _expect(text, at, ":")
        at = _blank(text, visit(key, _blank(text, at + 1)))
        if text.startswith("}", at):
            return at + 1
        _expect(text, at, ",")
        at = _blank(text, at + 1)


def _json_array(text: str, at: int, visit: Callable[[int], int]) -> int:
    """Walk the JSON array at `at` as `_json_object` walks an object."""
    _expect(text, at, "[")
    at = _blank(text, at + 1)
    if text.startswith("]", at):
        return at + 1
    while True:
        at = _blank(text, visit(at))
        if text.startswith("]", at):
            return at + 1
        _expect(text, at, ",")
        at = _blank(text, at + 1)


@dataclass
class _Cell:
    kind: str | None = None
    #: The strings of its `source`, each with the offset in the notebook's text where it starts.
    source: list[tuple[str, int]] = field(default_factory=list)


def _cells(text: str) -> list[_Cell] | None:
    """The cells of a notebook's JSON (None when it has no `cells` list): their type and source.

    Walks the JSON structure with the C scanner down to what mldebt reads: every other value
    (outputs, images) is decoded one at a time and dropped, so a notebook of big outputs costs
    about what reading it costs. (`json.loads` of a 28 MB notebook of outputs held 100 MB; a
    pure-Python scanner over it, to know where each source line is, took over a minute.)
    Raises ValueError (`json.JSONDecodeError` or `_NotJson`) where the text is not JSON."""
    skip = json.JSONDecoder(parse_int=_json_int).raw_decode
    cells: list[_Cell] | None = None

    def string(at: int) -> int:
        if not text.startswith('"', at):
            return skip(text, at)[1]
        value, end = scanstring(text, at + 1)
        cells[-1].source.append((value, at + 1))
        return end

    def member(key: str, at: int) -> int:
        if key == "source":
            return _json_array(text, at, string) if text.startswith("[", at) else string(at)
        if key == "cell_type" and text.startswith('"', at):
            cells[-1].kind, end = scanstring(text, at + 1)
            return end
        return skip(text, at)[1]

    def cell(at: int) -> int:
        cells.append(_Cell())
        return _json_object(text, at, member) if text.startswith("{", at) else skip(text, at)[1]

    def top(key: str, at: int) -> int:
        nonlocal cells
        if key == "cells" and text.startswith("[", at):
            cells = []  # the last `cells` counts, as with json.loads
            return _json_array(text, at, cell)
        return skip(text, at)[1]

    start = _blank(text, 0)
    if not text.startswith("{", start):
        skip(text, start)  # valid JSON that is not an object has no cells; invalid JSON raises
        return None
    end = _blank(text, _json_object(text, start, top))
    if end != len(text):
        raise _NotJson("extra data", end)
    return cells


def _file_lines(text: str, cells: list[_Cell]) -> dict[tuple[int, int], int]:
    """See `PythonSource.notebook_lines`: the offsets `_cells` kept, turned into file lines."""
    mapping: dict[tuple[int, int], int] = {}
    file_line, counted = 1, 0  # newlines before offset `counted`: offsets only grow
    for index, elements in enumerate(cell.source for cell in cells):
        breaks, tail, lines = 0, "", 0  # `tail`: the last character, for a `\r` + `\n` split in two
        for element, offset in elements:
            before = lines
            chunk = tail + element
            breaks += len(_LINE_BREAK.findall(chunk)) - len(_LINE_BREAK.findall(tail))
            tail = chunk[-1:]
            lines = breaks + (1 if tail and tail not in "\r\n" else 0)  # as `physical_lines` counts
            file_line += text.count("\n", counted, offset)
            counted = offset
            for line in range(before + 1, lines + 1):
                mapping.setdefault((index, line), file_line)
    return mapping
