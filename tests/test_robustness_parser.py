"""Sources that would take libcst's native parser minutes or gigabytes are refused with a
diagnostic in milliseconds, and the good files of the same tree are still reported.

All cases run in one subprocess with a timeout, so that a regression fails instead of hanging
CI; the inputs are generated here, each a few KB to 150 KB.
"""

from __future__ import annotations

from conftest import scan_in_subprocess, write_tree

from mldebt.engine import scan

UNSAFE = "import pickle\npickle.load(f)\n"
N = 5000

PATHOLOGICAL = {
    "binop_lines.py": "x = (1 +\n" + " 1 +\n" * N + " 1)\n",
    "binop_backslash.py": "x = 1 + \\\n" + "1 + \\\n" * N + "1\n",
    "binop_line.py": "x = 1" + " + 1" * N + "\n",
    "attribute_backslash.py": "x = a\\\n" + ".b\\\n" * N + ".c\n",
    "call_chain_backslash.py": "x = a\\\n" + ".b(1, 2)\\\n" * N + ".c()\n",
    "subscripts.py": "x = a" + "[0]" * N + "\n",
    "calls.py": "x = f" + "()" * N + "\n",
    "power.py": "x = 2" + " ** 2" * N + "\n",
    "not.py": "x = " + "not " * N + "y\n",
    "lambda.py": "f = " + "lambda: " * N + "0\n",
    "ternary.py": "x = " + "a if b else " * N + "c\n",
    "unary_minus_15kb.py": "x = " + "-" * 15_000 + "1\n",  # took the parser to 5 GB and an abort
    "unary_minus_150kb.py": "x = " + "-" * 150_000 + "1\n",
    "nested_brackets.py": "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n",
}


def test_pathological_expressions_are_refused_quickly_and_the_rest_is_scanned(tmp_path):
    write_tree(tmp_path, {**PATHOLOGICAL, "good.py": UNSAFE})
    document = scan_in_subprocess(tmp_path, "-j", "1", timeout=90)
    assert [f["path"] for f in document["findings"]] == ["good.py"]
    refused = {d["path"]: d["kind"] for d in document["diagnostics"]}
    assert set(refused) == set(PATHOLOGICAL)
    assert set(refused.values()) <= {"too-deep", "parse-error"}


def test_long_but_ordinary_code_is_analysed(tmp_path):
    """Flat data and long formulas are cheap for the parser and must not be refused."""
    write_tree(
        tmp_path,
        {
            "table.py": "WEIGHTS = [" + ", ".join(f"-{i}.5" for i in range(5_000)) + "]\n" + UNSAFE,
            "formula.py": "y = " + " + ".join(f"w{i} * x{i}" for i in range(100)) + "\n" + UNSAFE,
            "chained.py": "df = (frame" + "".join(f"\n    .assign(c{i}=lambda d: d.a + {i})" for i in range(60)) + ")\n" + UNSAFE,
            "statements.py": "".join(f"v{i} = {i}\n" for i in range(3_000)) + UNSAFE,
        },
    )
    report = scan(tmp_path, jobs=1)
    assert report.diagnostics == []
    assert sorted({f.path for f in report.findings}) == ["chained.py", "formula.py", "statements.py", "table.py"]
