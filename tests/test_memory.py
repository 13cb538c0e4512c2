"""A worker's memory is bounded whatever the input: sources with more tokens than libcst can
hold in a few hundred MiB are refused with a diagnostic, and big ones are parsed one at a time."""

from __future__ import annotations

from contextlib import contextmanager

from conftest import write_tree

from mldebt.discover import FileRef
from mldebt.engine import scan
from mldebt.extract import analyse, screen
from mldebt.extract.analyse import FileAnalyzer
from mldebt.settings import Settings

UNSAFE = "import pickle\nobj = pickle.load(f)\n"


def _dense(lines: int) -> str:
    return "".join(f"v{i} = [{i}, f({i})]\n" for i in range(lines))


def test_sources_with_too_many_tokens_are_refused_and_the_rest_is_analysed(tmp_path, monkeypatch):
    monkeypatch.setattr(screen, "MAX_TOKENS", 2_000)
    monkeypatch.setattr(screen, "ALONE_TOKENS", 1_000)
    write_tree(tmp_path, {"generated.py": UNSAFE + _dense(300), "small.py": UNSAFE + _dense(100)})
    report = scan(tmp_path, jobs=1)
    assert [(d.path, d.kind) for d in report.diagnostics] == [("generated.py", "too-large")]
    assert "tokens, over the 2,000" in report.diagnostics[0].message
    assert [f.path for f in report.findings] == ["small.py"]


def test_token_count_is_exact_enough_where_it_matters():
    assert screen.token_count("x") == 1  # short texts: their length bounds the count
    text = "a = [1, 2]\n" * 5_000
    assert screen.token_count(text) == 7 * 5_000  # a = [ 1 , 2 ]


def test_big_files_are_parsed_holding_the_shared_lock(tmp_path, monkeypatch):
    monkeypatch.setattr(analyse, "ALONE_TOKENS", 500)
    write_tree(tmp_path, {"big.py": _dense(200), "small.py": "x = 1\n"})
    held: list[str] = []
    analyzer = FileAnalyzer(tmp_path, Settings())

    @contextmanager
    def lock():
        held.append("entered")
        yield

    analyzer.alone = lock()
    assert analyzer.analyse(FileRef("small.py", "python")).diagnostics == []
    assert held == []
    assert analyzer.analyse(FileRef("big.py", "python")).diagnostics == []
    assert held == ["entered"]
