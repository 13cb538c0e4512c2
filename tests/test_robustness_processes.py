"""The processes mldebt starts never run the scanned repository's code, and never outlive it.

Each test runs the real command in a subprocess from inside a hostile repository, with a
timeout so that a regression fails instead of hanging CI.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import write_tree

from mldebt.engine import MIN_BYTES_FOR_POOL

UNSAFE = "import pickle\npickle.load(f)\n"
#: Module code that leaves a trace if it is ever imported.
TRAP = "open(__import__('os').environ['MLDEBT_TEST_TRAP'], 'a').write(__name__ + '\\n')\n"
COMMAND = Path(sys.executable).with_name("mldebt")


def pool_sized(count: int = 3) -> dict[str, str]:
    """Modules that add up to enough bytes to start the worker pool, cheap to parse (one long
    docstring each)."""
    lines = MIN_BYTES_FOR_POOL // count // len("padding\n") + 1
    return {f"src/padding_{i}.py": '"""' + "padding\n" * lines + '"""\n' for i in range(count)}


def hostile_repo(root: Path, packages: tuple[str, ...], start_pool: bool) -> Path:
    """A repository whose top-level folders shadow modules that mldebt or its helper
    processes import, with enough bytes to start the worker pool when `start_pool`."""
    tree = (pool_sized() if start_pool else {}) | {"src/module.py": "x = 1\n", "train.py": UNSAFE}
    for package in packages:
        for module in ("__init__", "__main__", "forkserver", "resource_tracker", "cli", "engine"):
            tree[f"{package}/{module}.py"] = TRAP
    return write_tree(root, tree)


def run_inside(repo: Path, command: list[str], trap: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {**os.environ, "MLDEBT_TEST_TRAP": str(trap)}
    env.pop("PYTHONSAFEPATH", None)
    return subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True, timeout=timeout)


def reported_paths(stdout: str) -> list[str]:
    return [f["path"] for f in json.loads(stdout)["findings"]]


@pytest.mark.skipif(not COMMAND.exists(), reason="the mldebt command is not installed next to this Python")
def test_pool_helpers_and_workers_never_import_from_the_scanned_repository(tmp_path):
    repo = hostile_repo(tmp_path / "repo", ("multiprocessing", "mldebt", "libcst"), start_pool=True)
    trap = tmp_path / "trap"
    done = run_inside(repo, [str(COMMAND), "scan", ".", "-j", "2", "-f", "json"], trap)
    assert not trap.exists(), f"scanned code ran: {trap.read_text()}"
    assert done.returncode == 1, done.stderr
    assert reported_paths(done.stdout) == ["train.py"]


def test_python_m_mldebt_does_not_import_from_the_current_folder(tmp_path):
    """`python -m` puts the current folder first on sys.path; mldebt removes it before it
    imports anything (a folder named `mldebt` itself only `python -P` can ignore)."""
    repo = hostile_repo(tmp_path / "repo", ("multiprocessing", "libcst", "click"), start_pool=False)
    trap = tmp_path / "trap"
    done = run_inside(repo, [sys.executable, "-m", "mldebt", "scan", ".", "-f", "json"], trap)
    assert not trap.exists(), f"scanned code ran: {trap.read_text()}"
    assert done.returncode == 1, done.stderr
    assert reported_paths(done.stdout) == ["train.py"]


def _live_processes(session: int) -> list[int]:
    """Processes of a session that are not zombies (those are dead, waiting to be reaped)."""
    live = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == session and fields[0] != "Z":
                live.append(int(entry.name))
    return live


def _sigint_blocked_or_ignored(pid: int) -> bool:
    status = dict(line.split(":\t", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":\t" in line)
    bit = 1 << (signal.SIGINT - 1)
    return bool((int(status["SigBlk"], 16) | int(status["SigIgn"], 16)) & bit)


def _as_a_foreground_job() -> None:
    """Ctrl-C at its default, as in a terminal: a shell starts background jobs with SIGINT
    ignored, and mldebt rightly keeps an ignored SIGINT, so a test run from a background job
    would otherwise never interrupt anything."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start_busy_scan(tmp_path: Path) -> subprocess.Popen:
    """A scan whose workers are busy for a long while, even on an idle machine: twenty dense
    modules, each under the size and token caps (so really parsed, about a second each) and
    together over the bytes that start the pool."""
    dense = "".join(f"v{i} = [{i}, {i} + 1, f({i}), {{'k': {i}}}]\n" for i in range(3_000))
    repo = write_tree(
        tmp_path / "repo",
        {f"m{i}.py": "x = 1\n" for i in range(8)} | {f"dense_{i}.py": dense for i in range(20)},
    )
    process = subprocess.Popen(
        [str(COMMAND), "scan", ".", "-j", "2"], cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True, preexec_fn=_as_a_foreground_job,
    )
    deadline = time.monotonic() + 30
    while len(_live_processes(process.pid)) < 5:  # mldebt, resource tracker, forkserver, 2 workers
        assert time.monotonic() < deadline and process.poll() is None, "the worker pool never started"
        time.sleep(0.1)
    time.sleep(0.5)  # workers parsing
    return process


def _assert_everything_exits(process: subprocess.Popen) -> subprocess.CompletedProcess:
    try:
        out, err = process.communicate(timeout=10)
        deadline = time.monotonic() + 5
        while _live_processes(process.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _live_processes(process.pid) == [], "workers outlived mldebt"
    finally:
        if process.poll() is None or _live_processes(process.pid):
            os.killpg(process.pid, signal.SIGKILL)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


@pytest.mark.skipif(not sys.platform.startswith("linux") or not COMMAND.exists(), reason="reads /proc")
def test_ctrl_c_stops_workers_and_exits_130(tmp_path):
    process = _start_busy_scan(tmp_path)
    for pid in _live_processes(process.pid):
        if pid != process.pid:  # helpers and workers leave Ctrl-C to mldebt itself
            assert _sigint_blocked_or_ignored(pid)
    os.killpg(process.pid, signal.SIGINT)  # what the terminal does: the whole foreground group
    done = _assert_everything_exits(process)
    assert done.returncode == 130
    assert done.stderr.strip() == "mldebt: interrupted"


@pytest.mark.skipif(not sys.platform.startswith("linux") or not COMMAND.exists(), reason="reads /proc")
def test_workers_die_with_their_parent_on_sigterm(tmp_path):
    process = _start_busy_scan(tmp_path)
    os.kill(process.pid, signal.SIGTERM)  # the main process only, as CI runners and `kill` do
    done = _assert_everything_exits(process)
    assert done.returncode == 128 + signal.SIGTERM
    assert "Traceback" not in done.stderr
