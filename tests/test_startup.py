"""Commands that do not scan start light: they import neither libcst nor networkx (a pre-commit
hook or an editor integration pays the start-up on every call)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("libcst", "networkx")
PROBE = """
import json, sys
sys.argv = ["mldebt", *json.loads(sys.argv[1])]
from mldebt.cli import main
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})), file=sys.stderr)
"""


def _imported(args: list[str]) -> list[str]:
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(args)], capture_output=True, text=True, check=True)
    return json.loads(done.stderr.splitlines()[-1])


@pytest.mark.parametrize(
    "args", [["--version"], ["--help"], ["scan", "--help"], ["rules"], ["explain", "MLD402"]], ids=" ".join
)
def test_commands_that_do_not_scan_import_neither_libcst_nor_networkx(args):
    imported = _imported(args)
    assert "mldebt" in imported and "click" in imported  # the probe ran the command
    assert [m for m in HEAVY if m in imported] == []


def test_import_mldebt_is_light():
    code = "import sys, mldebt; mldebt.__version__; print(sorted(m for m in sys.modules if m.split('.')[0] in %r))" % (HEAVY,)
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "[]\n"


def test_a_scan_does_import_them(tmp_path):
    """The probe can see an import: a scan's help is light, a scan is not."""
    (tmp_path / "train.py").write_text("import pickle\n")
    assert set(HEAVY) <= set(_imported(["scan", "--no-cache", "-f", "json", str(tmp_path)]))
