"""Notebooks: one virtual module, magics neutralised in place, findings mapped to cells."""

from __future__ import annotations

from conftest import notebook, write_tree

from mldebt.engine import scan
from mldebt.extract.sources import notebook_source


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
    assert [(f.cell, f.line) for f in report.findings] == [(2, 1)]
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
