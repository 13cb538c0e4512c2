"""The results cache: warm scans give the cold scan's bytes, only changed files are analysed
again, a stored report is used only when no input changed, and entries are untrusted data that
can never be believed when they are wrong."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import time
import types
import typing
from pathlib import Path

import pytest
from conftest import write_tree

from mldebt import cache as cache_module
from mldebt.cache import CacheError, ResultCache, decoder, report_key, to_plain, tracked_by_git
from mldebt.discover import discover
from mldebt.engine import scan
from mldebt.extract.analyse import FileAnalyzer
from mldebt.report import FileResult
from mldebt.reporters import render
from mldebt.rule import Severity
from mldebt.settings import Settings, load_settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _json(root: Path, cache_dir: Path | None) -> str:
    return render(scan(root, load_settings(root), jobs=1, cache_dir=cache_dir), "json")


@pytest.fixture
def demo(tmp_path) -> Path:
    root = tmp_path / "demo"
    shutil.copytree(FIXTURES / "demo", root)
    return root


@pytest.fixture
def analysed(monkeypatch) -> list[str]:
    """The paths the scan really analyses (cache misses)."""
    seen: list[str] = []
    original = FileAnalyzer.analyse

    def spy(self, ref):
        seen.append(ref.path)
        return original(self, ref)

    monkeypatch.setattr(FileAnalyzer, "analyse", spy)
    return seen


def _entries(folder: Path) -> list[Path]:
    """The per-file entries (those of every generation)."""
    return sorted(folder.glob("*/*.json"))


def _reports(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"{cache_module.REPORT_PREFIX}*.json"))


def _forget_reports(folder: Path) -> None:
    """Delete the stored reports: the next scan then runs its project phase on the entries."""
    for path in _reports(folder):
        path.unlink()


@pytest.fixture
def hashed(monkeypatch) -> list[str]:
    """The files the cache reads to hash them (those whose stat it cannot vouch for)."""
    seen: list[str] = []
    original = cache_module.read_bounded

    def spy(path, *args, **kwargs):
        seen.append(Path(path).name)
        return original(path, *args, **kwargs)

    monkeypatch.setattr(cache_module, "read_bounded", spy)
    return seen


def test_warm_scans_are_byte_identical_to_cold_ones_after_edits_renames_and_deletions(demo, analysed):
    folder = demo / ".mldebt_cache"
    cold = _json(demo, None)
    assert _json(demo, folder) == cold
    analysed.clear()
    assert _json(demo, folder) == cold
    assert analysed == []  # nothing parsed on a warm scan

    train = demo / "src" / "demo" / "train.py"
    train.write_text(train.read_text() + "\nimport pickle\nx = pickle.load(open('m.pkl', 'rb'))\n")
    (demo / "src" / "demo" / "serve.py").rename(demo / "src" / "demo" / "serving.py")
    (demo / "requirements.txt").unlink()
    analysed.clear()
    warm = _json(demo, folder)
    assert sorted(analysed) == ["src/demo/serving.py", "src/demo/train.py"]
    assert warm == _json(demo, None) and warm != cold
    assert "pickle" in warm


def test_cache_folder_is_tagged_and_ignored_by_git(demo):
    _json(demo, demo / ".mldebt_cache")
    assert (demo / ".mldebt_cache" / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert (demo / ".mldebt_cache" / ".gitignore").read_text().splitlines()[-1] == "*"


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"\x00\xff garbage \x80",
        lambda data: data[: len(data) // 2],  # truncated
        lambda data: b"{}",
        lambda data: re.sub(rb'"lines":(\d+)', rb'"lines":"\1"', data),  # a string is not a count
        lambda data: re.sub(rb'"suppressed":\d+', rb'"suppressed":true', data),  # nor is a bool
        lambda data: data.replace(b'"key":"1', b'"key":"0', 1),  # another format's entry
        lambda data: json.dumps({"key": "x", "result": {"__class__": "os.system"}}).encode(),
    ],
)
def test_damaged_entries_are_misses_and_are_rewritten(demo, analysed, damage):
    folder = demo / ".mldebt_cache"
    cold = _json(demo, folder)
    entries = _entries(folder)
    good = {p: p.read_bytes() for p in entries}
    for path in entries:
        path.write_bytes(damage(path.read_bytes()))
    _forget_reports(folder)
    analysed.clear()
    assert _json(demo, folder) == cold
    assert len(analysed) == len(entries)
    assert {p: p.read_bytes() for p in _entries(folder)} == good


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"\x00\xff garbage \x80",
        lambda data: data[: len(data) // 2],  # truncated
        lambda data: re.sub(rb'"final":([0-9.]+)', rb'"final":"\1"', data),  # a string is not a score
        lambda data: re.sub(rb'"graph_json":"', rb'"graph_json":"[', data),  # the graph is no JSON
        lambda data: data.replace(b'"key":"', b'"key":"0', 1),  # the report of other inputs
        lambda data: json.dumps({"key": "x", "report": {"__class__": "os.system"}}).encode(),
    ],
)
def test_a_damaged_stored_report_is_ignored_and_rewritten(demo, analysed, damage):
    folder = demo / ".mldebt_cache"
    cold = _json(demo, folder)
    [stored] = _reports(folder)
    good = stored.read_bytes()
    assert damage(good) != good
    stored.write_bytes(damage(good))
    analysed.clear()
    assert _json(demo, folder) == cold
    assert analysed == []  # the per-file entries still serve
    assert stored.read_bytes() == good


def test_a_decoded_entry_with_wrong_types_is_refused():
    result = FileResult("a.py", "python", suppressed=2, lines=3, digest="d")
    plain = to_plain(result)
    assert decoder(FileResult)(json.loads(json.dumps(plain))) == result
    for field, bad in (("lines", "3"), ("lines", 3.0), ("suppressed", True), ("findings", {}), ("facts", None)):
        with pytest.raises(CacheError):
            decoder(FileResult)({**plain, field: bad})
    with pytest.raises(CacheError):
        decoder(FileResult)({**plain, "extra": 1})


def _example(annotation):
    """A value of every annotated type, with every field set, for a round trip."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if dataclasses.is_dataclass(annotation):
        hints = typing.get_type_hints(annotation)
        return annotation(**{f.name: _example(hints[f.name]) for f in dataclasses.fields(annotation)})
    if origin in (typing.Union, types.UnionType):
        return _example(next(a for a in args if a is not type(None)))
    if origin in (list, set, frozenset):
        return origin([_example(args[0])])
    if origin is tuple:
        return (_example(args[0]),) if args[-1] is Ellipsis else tuple(_example(a) for a in args)
    if origin is dict:
        return {"key": _example(args[1])}
    return {str: "text", int: 7, float: 0.25, bool: True}[annotation]


def test_every_fact_survives_the_cache():
    """New facts need no cache code; this fails if one uses a type the cache cannot store."""
    result = _example(FileResult)
    assert decoder(FileResult)(json.loads(json.dumps(to_plain(result)))) == result


def test_a_cache_folder_git_tracks_is_not_used(demo, analysed):
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    folder = demo / ".mldebt_cache"
    cold = _json(demo, folder)
    for entry in _entries(folder) + _reports(folder):  # what a crafted pull request could ship: findings hidden
        document = json.loads(entry.read_bytes())
        document["result" if "result" in document else "report"]["findings"] = []
        entry.write_text(json.dumps(document))
    run = {"cwd": demo, "check": True, "capture_output": True}
    subprocess.run([git, "init", "-q"], **run)
    assert not tracked_by_git(folder)
    subprocess.run([git, "add", "-f", ".mldebt_cache", "src"], **run)
    for version in ("2", "4"):
        subprocess.run([git, "update-index", "--index-version", version], **run)
        assert tracked_by_git(folder)
        assert not tracked_by_git(demo / "src" / "other_cache")
    analysed.clear()
    assert _json(demo, folder) == cold
    assert analysed  # analysed afresh, the tracked entries never read


def test_index_parser_reads_what_git_lists(demo):
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    run = {"cwd": demo, "check": True, "capture_output": True}
    subprocess.run([git, "init", "-q"], **run)
    subprocess.run([git, "add", "."], **run)
    listed = subprocess.run([git, "ls-files", "-z"], **run).stdout.split(b"\0")[:-1]
    for version in ("2", "3", "4"):
        subprocess.run([git, "update-index", "--index-version", version], **run)
        data = (demo / ".git" / "index").read_bytes()
        assert cache_module._index_paths(data, 20) == listed


def test_two_scans_at_once_share_the_cache(demo):
    folder = demo / ".mldebt_cache"
    cold = _json(demo, None)
    command = [sys.executable, "-m", "mldebt", "scan", str(demo), "-f", "json", "--jobs", "1", "--cache-dir", str(folder)]
    scans = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    outputs = [s.communicate() for s in scans]
    assert [out for out, _ in outputs] == [cold.encode()] * 2, outputs[0][1]
    assert _json(demo, folder) == cold
    assert not list(folder.glob("*/.tmp-*"))  # no half-written entry left behind


def test_settings_that_change_per_file_results_change_the_key():
    base = Settings()
    assert cache_module.generation(base) == cache_module.generation(dataclasses.replace(base, fail_on=Severity.ERROR))
    assert cache_module.generation(base) == cache_module.generation(dataclasses.replace(base, exclude=("x/**",)))
    for changed in (
        dataclasses.replace(base, ignore=("MLD401",)),
        dataclasses.replace(base, per_file_ignores=(("tests/**", ("MLD4",)),)),
        dataclasses.replace(base, hyperparameters='{"aliases": {"lr": ["eta"]}}'),
    ):
        assert cache_module.generation(changed) != cache_module.generation(base)


def test_rule_and_knowledge_bytes_are_part_of_the_key(tmp_path, monkeypatch):
    package = write_tree(tmp_path, {"rules/__init__.py": "", "rules/knowledge/table.yaml": "a: 1\n"})
    spec = types.SimpleNamespace(submodule_search_locations=[str(package / "rules")])
    monkeypatch.setattr(cache_module.importlib.util, "find_spec", lambda name: spec)
    before = cache_module.code_digest.__wrapped__()
    (package / "rules" / "knowledge" / "table.yaml").write_text("a: 2\n")
    assert cache_module.code_digest.__wrapped__() != before


def test_old_generations_and_unused_entries_are_pruned(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    write_tree(tmp_path, {f"repo/m{i}.py": f"x = {i}\n" for i in range(3)})
    repo = tmp_path / "repo"
    for ignored in ("MLD1", "MLD2", "MLD3", "MLD4", "MLD5"):
        scan(repo, Settings(ignore=(ignored,)), jobs=1, cache_dir=folder)
    assert len([p for p in folder.iterdir() if p.is_dir()]) == cache_module.KEPT_GENERATIONS
    monkeypatch.setattr(cache_module, "KEPT_GENERATIONS", 1)
    monkeypatch.setattr(cache_module, "SPARE_ENTRIES", 4)
    for i in range(16):  # many versions of one file: entries nobody uses any more pile up
        (repo / "m0.py").write_text(f"x = {i}\n")
        scan(repo, Settings(), jobs=1, cache_dir=folder)
    [generation] = [p for p in folder.iterdir() if p.is_dir()]
    assert 3 <= len(list(generation.glob("*.json"))) <= 2 * 3 + 4 + 1


def test_a_linked_cache_folder_is_not_used(demo, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (demo / ".mldebt_cache").symlink_to(elsewhere)
    assert ResultCache.open(demo / ".mldebt_cache", demo) is None
    assert _json(demo, demo / ".mldebt_cache") == _json(demo, None)
    assert list(elsewhere.iterdir()) == []


def test_cli_cache_options_and_clean(demo, run_cli, monkeypatch):
    monkeypatch.chdir(demo)
    assert run_cli("scan", "--no-cache").exit_code == 1
    assert not (demo / ".mldebt_cache").exists()
    assert run_cli("scan").exit_code == 1
    assert (demo / ".mldebt_cache" / "CACHEDIR.TAG").is_file()
    result = run_cli("cache", "clean")
    assert result.exit_code == 0 and not (demo / ".mldebt_cache").exists()
    monkeypatch.setenv("MLDEBT_CACHE_DIR", str(demo / "elsewhere"))
    run_cli("scan")
    assert (demo / "elsewhere" / "CACHEDIR.TAG").is_file() and not (demo / ".mldebt_cache").exists()
    assert run_cli("cache", "clean").exit_code == 0 and not (demo / "elsewhere").exists()
    (demo / "mine").mkdir()
    assert "no mldebt cache" in run_cli("cache", "clean", "--cache-dir", "mine").stderr
    assert (demo / "mine").is_dir()  # a folder mldebt did not create is never deleted


def test_a_warm_scan_reads_only_files_whose_stat_changed(demo, analysed, hashed, monkeypatch):
    monkeypatch.setattr(cache_module, "RACY_NS", 0)  # the files were written a moment ago
    folder = demo / ".mldebt_cache"
    cold = _json(demo, folder)
    hashed.clear()
    assert _json(demo, folder) == cold
    assert hashed == []  # every digest came from the stat index
    train = demo / "src" / "demo" / "train.py"
    train.touch()  # touched, not changed: read and hashed again, not analysed
    analysed.clear()
    assert _json(demo, folder) == cold
    assert hashed == ["train.py"] and analysed == []
    hashed.clear()
    assert _json(demo, folder) == cold and hashed == []  # its new stat was recorded


def test_a_same_size_edit_within_the_timestamp_granularity_is_seen(demo, analysed, monkeypatch):
    """On a filesystem with 1 s times and no usable ctime, a file rewritten with as many bytes
    in the second it was scanned keeps its signature: it must not have been recorded. (The
    window is widened so that a slow scan on a loaded machine still falls inside it.)"""
    monkeypatch.setattr(cache_module, "RACY_NS", 3600 * 10**9)
    coarse = cache_module.signature
    monkeypatch.setattr(
        cache_module, "signature", lambda path: (lambda s: s and (s[0], s[1] // 10**9 * 10**9, 0, s[3]))(coarse(path))
    )
    folder = demo / ".mldebt_cache"
    train = demo / "src" / "demo" / "train.py"
    safe, unsafe = (f"import torch\ntorch.load(p, weights_only={value})\n" for value in ("True ", "False"))
    assert len(safe) == len(unsafe)
    train.write_text(safe)
    assert _rules_in(_json(demo, folder), "src/demo/train.py") == []
    written = train.stat().st_mtime_ns
    train.write_text(unsafe)
    os.utime(train, ns=(written, written))  # within the same second, however long the scan took
    analysed.clear()
    warm = _json(demo, folder)
    assert analysed == ["src/demo/train.py"] and warm == _json(demo, None)
    assert _rules_in(warm, "src/demo/train.py") == ["MLD402"]


def _rules_in(report: str, path: str) -> list[str]:
    return [f["rule"] for f in json.loads(report)["findings"] if f["path"] == path]


@pytest.mark.parametrize(
    "index",
    [
        b"\x00 garbage",
        b'{"format": 1, "files": []}',
        b'{"format": 1, "files": {"src/demo/train.py": ["python", "1", 2, 3, 4, "d"]}}',
        b'{"format": 1, "files": {"src/demo/train.py": ["python", 1, 2, 3, 4]}}',
        b'[1, 2, 3]',
    ],
)
def test_a_damaged_stat_index_is_ignored_and_rewritten(demo, analysed, monkeypatch, index):
    monkeypatch.setattr(cache_module, "RACY_NS", 0)
    folder = demo / ".mldebt_cache"
    cold = _json(demo, folder)
    [written] = folder.glob(f"{cache_module.INDEX_PREFIX}*.json")
    good = json.loads(written.read_bytes())
    written.write_bytes(index)
    analysed.clear()
    assert _json(demo, folder) == cold and analysed == []  # read and hashed, found in the cache
    assert json.loads(written.read_bytes()) == good


def test_a_one_file_scan_reports_what_the_full_scan_reports_in_that_file(demo):
    """The pre-commit case: warm cache, one file edited, only that file named."""
    folder = demo / ".mldebt_cache"
    _json(demo, folder)
    train = demo / "src" / "demo" / "train.py"
    train.write_text(train.read_text() + "\nimport pickle\nx = pickle.load(open('m.pkl', 'rb'))\n")
    full = json.loads(_json(demo, None))
    rules = {f["rule"] for f in full["findings"]}
    assert {"MLD304", "MLD402"} <= rules  # cross-file findings as well as the file's own
    for path in sorted({f["path"] for f in full["findings"]}):
        alone = json.loads(render(scan(demo, load_settings(demo), jobs=1, cache_dir=folder, only=[path]), "json"))
        assert alone["findings"] == [f for f in full["findings"] if f["path"] == path]
        assert alone["score"] == full["score"]


def _append(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(text)


def _git(root: Path, *args: str) -> None:
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    subprocess.run([git, *args], cwd=root, check=True, capture_output=True)


#: Each kind of input a report depends on, changed: the next warm scan must not reuse the
#: stored report (it gives what a cold scan gives).
_CHANGES = {
    "python source": lambda root: _append(root / "src/demo/serve.py", "import pickle\npickle.load(open('m.pkl', 'rb'))\n"),
    "yaml config": lambda root: _append(root / "configs/train.yaml", "  warmup: 5\n"),
    "requirements": lambda root: (root / "requirements.txt").write_text("torch==2.1.0\nnumpy\n"),
    "rename": lambda root: (root / "src/demo/serve.py").rename(root / "src/demo/serving.py"),
    "deletion": lambda root: (root / "Dockerfile").unlink(),
    "a data file appears": lambda root: _append(root / "notebooks/outputs/preds.pkl", "x"),
    "gitignore": lambda root: _append(root / ".gitignore", "notebooks/\n"),
    "git add of a data file": lambda root: (
        _append(root / "notebooks/checkpoints/last.pt", "x"), _git(root, "add", "-f", "notebooks/checkpoints")
    ),
    "git-lfs attributes": lambda root: _append(root / ".gitattributes", "*.pt filter=lfs diff=lfs merge=lfs -text\n"),
    "config": lambda root: _append(root / "pyproject.toml", 'shipped = ["notebooks/*.ipynb"]\n'),
}


@pytest.mark.parametrize("change", sorted(_CHANGES))
def test_a_stored_report_is_used_only_when_no_input_changed(demo, analysed, change):
    _git(demo, "init", "-q")
    folder = demo / ".mldebt_cache"
    before = _json(demo, folder)
    analysed.clear()
    assert _json(demo, folder) == before and analysed == []
    _CHANGES[change](demo)
    cold = _json(demo, None)
    assert cold != before  # the change matters: reusing the stored report would be seen
    assert _json(demo, folder) == cold
    assert _json(demo, folder) == cold  # and the report stored afresh is the cold one


def test_a_gitignore_of_a_folder_that_is_not_there_changes_the_stored_reports_key(tmp_path):
    """MLD304 asks the `.gitignore` files whether a path that is not in the tree is ignored:
    a pattern that changes no discovered file still changes the report."""
    write_tree(tmp_path, {"train.py": "import pandas as pd\ndf = pd.read_csv('data/train.csv')\n"})
    keys = []
    for ignored in ("", "data/\n"):
        (tmp_path / ".gitignore").write_text(ignored)
        found = discover(tmp_path)
        keys.append(report_key(tmp_path, Settings(), found, {"train.py": "digest"}, None))
        assert found.present == {".gitignore", "train.py"}
    assert keys[0] != keys[1]
    report = scan(tmp_path, Settings(), jobs=1)
    assert [f.rule for r in report.files for f in r.findings if f.rule == "MLD304"] == ["MLD304"]


def test_settings_and_paths_reported_have_reports_of_their_own(demo):
    folder = demo / ".mldebt_cache"
    strict = dataclasses.replace(load_settings(demo), ignore=("MLD402",))
    for _ in range(2):
        for settings, only in ((load_settings(demo), None), (strict, None), (load_settings(demo), ["src/demo/train.py"])):
            warm = render(scan(demo, settings, jobs=1, cache_dir=folder, only=only), "json")
            assert warm == render(scan(demo, settings, jobs=1, only=only), "json")
    assert len(_reports(folder)) == 3


def test_stored_reports_are_bounded(demo, monkeypatch):
    monkeypatch.setattr(cache_module, "KEPT_PER_ROOT_FILES", 2)
    folder = demo / ".mldebt_cache"
    train = demo / "src" / "demo" / "train.py"
    for i in range(4):
        _append(train, f"# edit {i}\n")
        scan(demo, load_settings(demo), jobs=1, cache_dir=folder, only=[f"src/demo/{['train', 'data', 'serve', 'legacy_py2'][i]}.py"])
    assert len(_reports(folder)) == 2


def test_an_unchanged_tree_is_reported_without_the_rules_libcst_or_networkx(demo):
    """What makes a warm scan near-instant: nothing of the analysis is imported."""
    folder = demo / ".mldebt_cache"
    cold = _json(demo, folder)
    probe = (
        "import sys; from pathlib import Path; from mldebt.engine import scan; from mldebt.reporters import render; "
        "from mldebt.settings import load_settings; root = Path(sys.argv[1]); "
        "sys.stdout.write(render(scan(root, load_settings(root), jobs=1, cache_dir=Path(sys.argv[2])), 'json')); "
        "sys.stderr.write(' '.join(m for m in sys.modules if m.split('.')[0] in ('libcst', 'networkx') or m.startswith('mldebt.rules.')))"
    )
    run = subprocess.run([sys.executable, "-c", probe, str(demo), str(folder)], capture_output=True, text=True, check=True)
    assert run.stdout == cold
    assert run.stderr == ""


_ASIDE_PROBE = """
import sys
from pathlib import Path
from mldebt import engine
from mldebt.reporters import render
from mldebt.settings import load_settings

class Aside(engine.AnalysisAside):
    def __init__(self, analysis, files):
        sys.stderr.write(" ".join(ref.path for ref in files))
        super().__init__(analysis, files)

    def join(self):
        results = super().join()
        sys.stderr.write(" fails" if results is None else " works")
        return results

engine.MIN_ENTRIES_TO_OVERLAP = 1
engine.AnalysisAside = Aside
if sys.argv[3] == "fails":
    engine.to_plain = lambda value: 1 / 0  # what only the child calls
root = Path(sys.argv[1])
report = engine.scan(root, load_settings(root), jobs=2, cache_dir=Path(sys.argv[2]), only=["src/demo/train.py"])
sys.stdout.write(render(report, "json"))
"""


@pytest.mark.parametrize("child", ["works", "fails"])
def test_files_analysed_aside_while_the_cache_loads_give_the_same_report(demo, child):
    """With two jobs, the edited file of a one-file scan is analysed in a forked child while
    the other results load (in a fresh process: one that has analysed a file has a thread
    and must not fork); a child that fails costs only time: the file is analysed here."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the analysis is forked on Linux only")
    folder = demo / ".mldebt_cache"
    _json(demo, folder)
    train = demo / "src" / "demo" / "train.py"
    train.write_text(train.read_text() + "\nimport pickle\nx = pickle.load(open('m.pkl', 'rb'))\n")
    full = json.loads(_json(demo, None))
    run = subprocess.run(
        [sys.executable, "-c", _ASIDE_PROBE, str(demo), str(folder), child], capture_output=True, text=True, check=True
    )
    assert run.stderr == f"src/demo/train.py {child}"
    alone = json.loads(run.stdout)
    assert alone["findings"] == [f for f in full["findings"] if f["path"] == "src/demo/train.py"]
    assert alone["score"] == full["score"]


def test_the_cyclic_collector_is_paused_while_results_load_and_reasoning_runs_then_restored(demo, monkeypatch):
    """Loading entries and the project phase run without the cyclic collector (a warm scan's
    full collections walk every loaded fact again); the caller gets it back as it was, also
    when the scan fails, and a caller that had it off keeps it off."""
    import gc

    from mldebt import engine

    folder = demo / ".mldebt_cache"
    _json(demo, folder)
    _forget_reports(folder)
    _append(demo / "src" / "demo" / "train.py", "# edited\n")
    states: dict[str, set[bool]] = {"load": set(), "reason": set()}
    load, reason = ResultCache.load, engine._reason

    def spy_load(self, *args):
        states["load"].add(gc.isenabled())
        return load(self, *args)

    def spy_reason(*args):
        states["reason"].add(gc.isenabled())
        return reason(*args)

    monkeypatch.setattr(ResultCache, "load", spy_load)
    monkeypatch.setattr(engine, "_reason", spy_reason)
    assert gc.isenabled()
    _json(demo, folder)
    assert states == {"load": {False}, "reason": {False}}
    assert gc.isenabled()

    def failing(*args):
        raise RuntimeError("project phase failed")

    monkeypatch.setattr(engine, "_reason", failing)
    _append(demo / "src" / "demo" / "train.py", "# edited again\n")
    with pytest.raises(RuntimeError):
        _json(demo, folder)
    assert gc.isenabled()
    gc.disable()
    try:
        with engine.cycle_collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


_FREEZE_PROBE = """
import atexit, gc, sys
from mldebt.cli import main
atexit.register(lambda: sys.stderr.write(f"frozen {gc.get_freeze_count() > 0}"))
main()
"""


def test_only_a_process_that_ends_with_its_scan_freezes_what_the_paused_collector_let_accumulate(demo, run_cli):
    """`mldebt scan` (its own process) freezes the objects of the paused spans, so that no
    collection walks them again before it exits; a caller that goes on (here the tests'
    CliRunner) keeps them collectable."""
    import gc

    from mldebt import engine

    before = gc.get_freeze_count()
    assert run_cli("scan", demo, "--no-cache", "-f", "json").exit_code in (0, 1)
    assert gc.get_freeze_count() == before
    assert engine._ENDS_AFTER_SCAN is False
    run = subprocess.run(
        [sys.executable, "-c", _FREEZE_PROBE, "scan", str(demo), "--no-cache", "-f", "json"], capture_output=True, text=True,
    )
    assert run.returncode in (0, 1), run.stderr
    assert run.stderr.endswith("frozen True")
    assert json.loads(run.stdout) == json.loads(_json(demo, None))


_AHEAD_PROBE = """
import os, sys
from pathlib import Path
from mldebt import engine
from mldebt.reporters import render
from mldebt.settings import load_settings

events = []

class Aside(engine.AnalysisAside):
    def __init__(self, analysis, files):
        events.append("fork " + " ".join(ref.path for ref in files))
        super().__init__(analysis, files)

    def join(self):
        events.append("join")
        return super().join()

    def cancel(self):
        events.append("cancel")
        super().cancel()

discover = engine.discover
engine.discover = lambda *args: events.append("discover") or discover(*args)
engine.MIN_ENTRIES_TO_OVERLAP = 1
engine.AnalysisAside = Aside
root = Path(sys.argv[1])
report = engine.scan(root, load_settings(root), jobs=2, cache_dir=Path(sys.argv[2]), only=["src/demo/train.py"])
sys.stdout.write(render(report, "json"))
try:
    os.waitpid(-1, os.WNOHANG)
    events.append("a child is left")
except ChildProcessError:
    pass
sys.stderr.write(", ".join(events))
"""


@pytest.mark.parametrize(
    "change, events",
    [
        ("edit", "fork src/demo/train.py, discover, join"),  # the guess holds: analysed from the start
        ("touch", "fork src/demo/train.py, discover, cancel"),  # same bytes: the stored report answers
        ("edit two", "fork src/demo/train.py, discover, cancel, fork src/demo/data.py src/demo/train.py, join"),
        # edited again at once: too recent for the last scan to have recorded its stat
        ("edit twice", "fork src/demo/train.py, discover, join"),
    ],
)
def test_a_named_file_that_changed_is_analysed_before_discovery_and_only_used_if_it_misses(demo, monkeypatch, change, events):
    """A one-file scan forks the named file's analysis before discovering the tree when the
    stat index says the file changed; the guess is checked against the cache (the same bytes,
    or another file changed too, stop the child) and the report is always a cold scan's."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the analysis is forked on Linux only")
    monkeypatch.setattr(cache_module, "RACY_NS", 0)  # the stat index records the files written a moment ago
    folder = demo / ".mldebt_cache"
    _json(demo, folder)
    train, data = demo / "src" / "demo" / "train.py", demo / "src" / "demo" / "data.py"
    assert data.is_file()
    probe = [sys.executable, "-c", _AHEAD_PROBE, str(demo), str(folder)]
    subprocess.run(probe, capture_output=True, text=True, check=True)  # the one-file report is stored
    if change == "touch":
        os.utime(train)
    else:
        _append(train, "# edited\n")
    if change == "edit two":
        _append(data, "# edited\n")
    if change == "edit twice":
        future = time.time_ns() + 60 * 10**9  # too recent to record, whatever the machine's load
        os.utime(train, ns=(future, future))
        subprocess.run(probe, capture_output=True, text=True, check=True)
        assert "src/demo/train.py" not in ResultCache.open(folder, demo.resolve()).index
        _append(train, "# edited again\n")
    run = subprocess.run(probe, capture_output=True, text=True, check=True)
    assert run.stderr == events
    cold = render(scan(demo, load_settings(demo), jobs=1, only=["src/demo/train.py"]), "json")
    assert run.stdout == cold
