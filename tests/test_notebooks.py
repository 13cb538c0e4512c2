"""Notebooks: one virtual module, magics neutralised in place, findings mapped to cells."""

from __future__ import annotations

import json

import pytest

from conftest import notebook, write_tree

from mldebt import bounded_read
from mldebt.bounded_read import MAX_READ_BYTES
from mldebt.engine import scan
from mldebt.extract.sources import SourceError, notebook_source


def test_findings_carry_cell_index_counting_markdown_and_line_within_cell(tmp_path):
    write_tree(
        tmp_path,
        {
            "nb.ipynb": notebook(
                ("markdown", "# Title"),
                ("code", "import torch\n%matplotlib inline"),
                ("markdown", "text"),
                ("code", "!nvidia-smi\nx = 1\nstate = torch.load(CKPT, weights_only=False)"),
            )
        },
    )
    report = scan(tmp_path, jobs=1)
    [finding] = report.findings
    assert (finding.path, finding.cell, finding.line, finding.column) == ("nb.ipynb", 3, 3, 9)
    assert report.diagnostics == []


def test_imports_reach_across_cells_and_magics_keep_line_numbers():
    source = notebook_source(
        "nb.ipynb",
        notebook(
            ("code", "import pickle as pk"),
            ("code", "files = !ls data\n%time y = 2\nfor f in files:\n    !echo $f\n    obj = pk.load(f)"),
            ("code", "%%bash\nrm -rf /\nls"),
            ("code", "%%time\nz = pk.loads(b)"),
            ("code", "model?"),
            ("code", "!pip install -q \\\n    torch \\\n    peft\nw = 1"),
        ),
    )
    lines = source.text.splitlines()
    assert lines[1] == "files = None  # !ls data"
    assert lines[4] == "    pass  # !echo $f"
    assert lines[6:9] == ["#| %%bash", "#| rm -rf /", "#| ls"]
    assert lines[10] == "z = pk.loads(b)"
    assert source.cell_map[6].cell == 1 and source.cell_map[6].line == 5
    assert lines[12:16] == ["pass  # !pip install -q \\", "#|     torch \\", "#|     peft", "w = 1"]
    assert source.warnings == []


def test_a_cell_that_does_not_parse_is_skipped_and_the_rest_analysed(tmp_path):
    write_tree(
        tmp_path,
        {"nb.ipynb": notebook(("code", "import pickle"), ("code", "def broken(:"), ("code", "pickle.load(f)"))},
    )
    report = scan(tmp_path, jobs=1)
    assert [(f.cell, f.line) for f in report.findings] == [(2, 1)]
    assert [(d.kind, d.message) for d in report.diagnostics] == [("parse-error", "cell 1 does not parse; skipped")]


def test_suppression_inside_a_cell_and_not_across_cells(tmp_path):
    write_tree(
        tmp_path,
        {
            "nb.ipynb": notebook(
                ("code", "import pickle\n# mldebt: ignore[MLD401]\na = pickle.load(f)"),
                ("code", "# mldebt: ignore[MLD401]"),
                ("code", "b = pickle.load(f)"),
            )
        },
    )
    report = scan(tmp_path, jobs=1)
    # The comment alone in cell 1 suppresses nothing: it is itself reported as unused.
    assert [(f.rule, f.cell, f.line) for f in report.findings] == [("MLD208", 1, 1), ("MLD401", 2, 1)]
    assert report.suppressed == 1


def test_string_sources_and_empty_notebook(tmp_path):
    write_tree(
        tmp_path,
        {
            "a.ipynb": '{"cells": [{"cell_type": "code", "source": "import pickle\\npickle.load(f)"}]}',
            "empty.ipynb": '{"cells": []}',
        },
    )
    report = scan(tmp_path, jobs=1)
    assert [(f.path, f.cell, f.line) for f in report.findings] == [("a.ipynb", 0, 2)]
    assert report.diagnostics == []


def _with_image_output(code: str, megabytes: float) -> str:
    """A notebook whose one code cell has a PNG output of about `megabytes` (base64 text)."""
    document = json.loads(notebook(("code", code)))
    image = "iVBORw0KGgo" + "A" * int(megabytes * 2**20)
    document["cells"][0]["outputs"] = [{"output_type": "display_data", "metadata": {}, "data": {"image/png": image}}]
    return json.dumps(document)


def test_outputs_and_images_do_not_count_against_the_size_limit(tmp_path):
    """3 MiB of plotted output around two lines of code: the code is analysed."""
    write_tree(tmp_path, {"plots.ipynb": _with_image_output("import pickle\nobj = pickle.load(f)", 3)})
    assert (tmp_path / "plots.ipynb").stat().st_size > MAX_READ_BYTES
    report = scan(tmp_path, jobs=1)
    assert [(f.rule, f.cell, f.line) for f in report.findings] == [("MLD401", 0, 2)]
    assert report.diagnostics == []


def test_code_cells_over_the_limit_are_skipped_with_a_diagnostic(tmp_path):
    code = "import pickle\nobj = pickle.load(f)\n" + "x = 1\n" * (MAX_READ_BYTES // 6 + 1)
    write_tree(tmp_path, {"generated.ipynb": notebook(("code", code))})
    report = scan(tmp_path, jobs=1)
    assert report.findings == []
    [diagnostic] = report.diagnostics
    assert (diagnostic.path, diagnostic.kind) == ("generated.ipynb", "too-large")
    assert "code cells hold" in diagnostic.message and "MiB limit" in diagnostic.message


def test_a_notebook_file_over_its_raw_cap_is_skipped_with_a_diagnostic(tmp_path, monkeypatch):
    monkeypatch.setattr(bounded_read, "MAX_NOTEBOOK_BYTES", 3 * 2**20)
    write_tree(tmp_path, {"huge.ipynb": _with_image_output("import pickle\nobj = pickle.load(f)", 4)})
    report = scan(tmp_path, jobs=1)
    assert report.findings == []
    assert [(d.path, d.kind) for d in report.diagnostics] == [("huge.ipynb", "too-large")]
    assert "3 MiB limit" in report.diagnostics[0].message


def test_file_lines_of_cells_are_found_past_outputs_that_repeat_the_code():
    """nbformat sorts keys, so a cell's outputs come before its source in the file."""
    document = json.loads(notebook(("markdown", "# t"), ("code", "x = 1\nprint(x)")))
    document["cells"][1]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["x = 1\n", "print(x)\n"]}]
    text = json.dumps(document, indent=1, sort_keys=True)
    lines = text.splitlines()
    mapping = notebook_source("t.ipynb", text).notebook_lines
    assert lines[mapping[(1, 1)] - 1].strip() == '"x = 1\\n",'
    assert mapping[(1, 1)] > next(i for i, line in enumerate(lines, 1) if '"outputs"' in line)
    assert lines[mapping[(1, 2)] - 1].strip() == '"print(x)"'
    with pytest.raises(SourceError):
        notebook_source("t.ipynb", '{"cells": [')
