"""Commands that do not scan start light (a pre-commit hook or an editor integration pays the
start-up on every call): they import neither the engine's libraries (libcst, networkx) nor the
settings' (yaml, pathspec, packaging), and only `rules` prints with rich."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("libcst", "networkx")
#: Imported by the commands that scan or read a config, never by those below.
SCAN_ONLY = (*HEAVY, "yaml", "pathspec", "packaging", "rich")
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
    "args, allowed",
    [
        (["--version"], ()),
        (["--help"], ()),
        (["scan", "--help"], ()),
        (["rules"], ("rich",)),
        (["rules", "--format", "markdown"], ()),
        (["explain", "MLD402"], ()),
        (["explain", "MLD4"], ()),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else "+".join(value) or "-",
)
def test_commands_that_do_not_scan_import_nothing_heavy(args, allowed):
    imported = _imported(args)
    assert "mldebt" in imported and "click" in imported  # the probe ran the command
    assert [m for m in SCAN_ONLY if m in imported and m not in allowed] == []


def test_import_mldebt_is_light():
    code = "import sys, mldebt; mldebt.__version__; print(sorted(m for m in sys.modules if m.split('.')[0] in %r))" % (SCAN_ONLY,)
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "[]\n"


def test_a_scan_does_import_them(tmp_path):
    """The probe can see an import: a scan's help is light, a scan is not."""
    (tmp_path / "train.py").write_text("import pickle\n")
    assert set(SCAN_ONLY) - {"rich"} <= set(_imported(["scan", "--no-cache", "-f", "json", str(tmp_path)]))
    assert "rich" in _imported(["rules"])


def test_the_per_file_analysis_does_not_import_networkx():
    """Only the project phase needs the graph library: a one-file scan imports it while its
    forked child analyses the file (`engine.AnalysisAside`), not before the fork."""
    code = (
        "import sys; from pathlib import Path; from mldebt.engine import analyzer; from mldebt.settings import Settings;"
        "analyzer(Path('.'), Settings()); print('libcst' in sys.modules, 'networkx' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "True False\n"
