"""A worker's memory is bounded whatever the input: sources with more tokens than libcst can
hold in a few hundred MiB are refused with a diagnostic, big ones are parsed with no other file
next to them, and what their trees took is handed back afterwards."""

from __future__ import annotations

import multiprocessing
import threading
import time
from contextlib import contextmanager

from conftest import write_tree

from mldebt.discover import FileRef
from mldebt.engine import scan
from mldebt.extract import analyse, screen
from mldebt.extract.analyse import FileAnalyzer, ParseGate
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


class _RecordingGate:
    def __init__(self) -> None:
        self.entered: list[str] = []

    @contextmanager
    def alone(self):
        self.entered.append("alone")
        yield

    @contextmanager
    def ordinary(self):
        self.entered.append("ordinary")
        yield


def test_big_files_are_parsed_alone_the_others_ordinarily(tmp_path, monkeypatch):
    monkeypatch.setattr(analyse, "ALONE_TOKENS", 500)
    write_tree(tmp_path, {"big.py": _dense(200), "small.py": "x = 1\n"})
    analyzer = FileAnalyzer(tmp_path, Settings())
    analyzer.gate = gate = _RecordingGate()
    assert analyzer.analyse(FileRef("small.py", "python")).diagnostics == []
    assert gate.entered == ["ordinary"]
    assert analyzer.analyse(FileRef("big.py", "python")).diagnostics == []
    assert gate.entered == ["ordinary", "alone"]


def test_memory_is_handed_back_after_a_big_source(tmp_path, monkeypatch):
    monkeypatch.setattr(analyse, "_RELEASE_TOKENS", 500)
    released = []
    monkeypatch.setattr(analyse, "_release_freed_memory", lambda: released.append(1))
    write_tree(tmp_path, {"big.py": _dense(200), "small.py": "x = 1\n", "broken.py": "def (:\n" + _dense(200)})
    analyzer = FileAnalyzer(tmp_path, Settings())
    analyzer.analyse(FileRef("small.py", "python"))
    assert released == []
    analyzer.analyse(FileRef("big.py", "python"))
    assert released == [1]
    assert analyzer.analyse(FileRef("broken.py", "python")).diagnostics[0].kind == "parse-error"
    assert released == [1, 1]  # also when the parse fails


def test_the_gate_lets_a_big_source_in_only_alone():
    """Threads stand in for workers: the gate's lock and semaphore work across both."""
    gate = ParseGate(multiprocessing.get_context("spawn"), workers=2)
    events: list[str] = []

    def parse_big() -> None:
        with gate.alone():
            events.append("big in")
            time.sleep(0.3)
            events.append("big out")

    with gate.ordinary():
        thread = threading.Thread(target=parse_big)
        thread.start()
        thread.join(0.3)
        assert thread.is_alive() and events == []  # the big source waits for the ordinary one
    deadline = time.monotonic() + 10
    while "big in" not in events and time.monotonic() < deadline:
        time.sleep(0.01)
    with gate.ordinary():  # the next ordinary source waits for the big one
        assert events == ["big in", "big out"]
    thread.join(10)
    with gate.ordinary(), gate.ordinary():  # every slot is free again
        pass
