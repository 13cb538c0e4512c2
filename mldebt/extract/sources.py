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
from bisect import bisect_right
from dataclasses import dataclass, field
from json.decoder import scanstring
from json.scanner import py_make_scanner

from mldebt.bounded_read import MAX_READ_BYTES



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
    #: For notebooks: the .ipynb text, to find where a cell's line is in the file.
    notebook_text: str = ""

    @property
    def lines(self) -> list[str]:
        return physical_lines(self.text)


@dataclass
class TextSource:
    path: str
    kind: str
    text: str

    @property
    def lines(self) -> list[str]:
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


def load_json(text: str) -> object:
    """`json.loads` that reads integers of any length (as floats past Python's 4,300-digit
    limit for `int`) instead of failing on them."""
    return json.loads(text, parse_int=lambda digits: int(digits) if len(digits) < 4300 else float(digits))


def content_digest(data: bytes) -> str:
    """What identifies a file's content in the results cache."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def decode(path: str, data: bytes) -> str:
    """Decode source bytes: PEP 263 cookie or BOM, else UTF-8; refuse binary files."""
    if len(data) > MAX_READ_BYTES:
        raise SourceError(
            "too-large", f"file is {len(data) / 1e6:.1f} MB, over the {MAX_READ_BYTES // 2**20} MiB limit; skipped"
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


def _cell_lines(source: object) -> list[str]:
    if isinstance(source, list):
        text = "".join(s for s in source if isinstance(s, str))
    elif isinstance(source, str):
        text = source
    else:
        text = ""
    return physical_lines(text)


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


def notebook_source(path: str, text: str) -> PythonSource:
    """The virtual module of a notebook's code cells.

    A code cell that does not parse on its own is commented out (so the rest of the notebook is
    still analysed) and reported as a warning; a notebook that is not JSON or has no cell list
    raises `SourceError`.
    """
    try:
        document = load_json(text)
    except json.JSONDecodeError as error:
        raise SourceError("notebook-error", f"not a valid notebook: {error.msg}", error.lineno) from None
    except RecursionError:
        raise SourceError("notebook-error", "not a valid notebook: nested too deeply") from None
    cells = document.get("cells") if isinstance(document, dict) else None
    if not isinstance(cells, list):
        raise SourceError("notebook-error", "not a valid notebook: no `cells` list")
    virtual: list[str] = []
    cell_map: dict[int, CellLine] = {}
    warnings: list[SourceError] = []
    for index, cell in enumerate(cells):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        lines = _python_cell(_cell_lines(cell.get("source")))
        if not _parses(lines):
            warnings.append(SourceError("parse-error", f"cell {index} does not parse; skipped"))
            lines = [NOT_PYTHON + line for line in lines]
        for number, line in enumerate(lines, start=1):
            virtual.append(line)
            cell_map[len(virtual)] = CellLine(index, number)
    return PythonSource(path, "\n".join(virtual) + "\n" if virtual else "", cell_map, warnings, text)


class _Located(str):
    """A JSON string value that remembers the offset in the document where it starts."""

    offset = 0


def _parse_located_string(text: str, end: int, strict: bool) -> tuple[_Located, int]:
    value, after = scanstring(text, end, strict)
    located = _Located(value)
    located.offset = end
    return located, after


def notebook_file_lines(text: str) -> dict[tuple[int, int], int]:
    """(cell index, line in the cell) -> line of the .ipynb file holding it, so that code
    scanning can annotate the notebook file itself. Uses the pure-Python JSON scanner, which
    can say where each string value starts; only notebooks with findings pay for it."""
    decoder = json.JSONDecoder()
    decoder.parse_string = _parse_located_string
    decoder.scan_once = py_make_scanner(decoder)
    try:
        cells = decoder.decode(text).get("cells")
    except (ValueError, AttributeError, RecursionError):
        return {}
    newlines = [i for i, char in enumerate(text) if char == "\n"]
    mapping: dict[tuple[int, int], int] = {}
    for index, cell in enumerate(cells if isinstance(cells, list) else []):
        source = cell.get("source") if isinstance(cell, dict) else None
        elements = [source] if isinstance(source, str) else source if isinstance(source, list) else []
        joined = ""
        for element in elements:
            if not isinstance(element, _Located):
                continue
            before = len(physical_lines(joined))
            joined += element
            file_line = bisect_right(newlines, element.offset) + 1
            for line in range(before + 1, len(physical_lines(joined)) + 1):
                mapping.setdefault((index, line), file_line)
    return mapping
