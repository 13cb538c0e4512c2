"""Worst-case memory of a cold scan: all mldebt processes together, on generated sources at the caps.

Usage: python bench/memory_bench.py [--jobs N] [--shape NAME]...

A worker's memory grows with the tokens of the source it parses, and mldebt bounds that: a
source over `MAX_TOKENS` is refused, and one over `ALONE_TOKENS` is parsed while no other
worker parses one. So the worst case is one worker on a source just under `MAX_TOKENS` while
the others each parse one just under `ALONE_TOKENS`. For each shape of generated code below,
this writes (in a temporary folder, deleted afterwards) two sources of each size and a data
module that is cheap to parse but big enough in bytes for the worker pool to start, scans them
with `mldebt scan --no-cache -f json --jobs N`, and prints the peak of the summed resident size
of every mldebt process (workers included, sampled from /proc) and the largest single one.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from scan_bench import run

from mldebt.bounded_read import MAX_READ_BYTES
from mldebt.engine import MIN_BYTES_FOR_POOL
from mldebt.extract.screen import ALONE_TOKENS, MAX_TOKENS, token_count

#: Each shape: one line of code for index i. Real generated modules look like these: tables of
#: constants, long runs of assignments, configuration calls, one literal spanning the file.
SHAPES: dict[str, Callable[[int], str]] = {
    "assignments": lambda i: f"v{i} = [{i}, f({i})]\n",
    "hyperparameters": lambda i: f"opt{i} = torch.optim.Adam(model.parameters(), lr={i}e-6, weight_decay=0.01)\n",
    "unsafe-loads": lambda i: f"obj{i} = pickle.load(open('data/{i}.pkl', 'rb'))\n",
    "literal-table": lambda i: f"    {{'id': {i}, 'name': 'n{i}', 'values': [1.5, 2.5, {i}.5]}},\n",
    "embedded-data": lambda i: f"    '{i:08d}{'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo' * 3}',\n",
}
_WRAP = {"literal-table": ("TABLE = [\n", "]\n"), "embedded-data": ("BLOB = (\n", ")\n")}
_HEADER = "import pickle\n\nimport torch\n\n"


def source(shape: str, tokens: int) -> str:
    """A source of `shape` with just under `tokens` tokens (as mldebt counts them) and under the
    size cap, whichever comes first."""
    head, tail = _WRAP.get(shape, ("", ""))

    def text(lines: int) -> str:
        return _HEADER + head + "".join(map(SHAPES[shape], range(lines))) + tail

    def fits(lines: int) -> bool:
        candidate = text(lines)
        return token_count(candidate) < tokens and len(candidate.encode()) < MAX_READ_BYTES

    low, high = 0, tokens  # every line has at least one token
    while low < high:  # the most lines that stay under both caps
        middle = (low + high + 1) // 2
        low, high = (middle, high) if fits(middle) else (low, middle - 1)
    return text(low)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--shape", action="append", choices=sorted(SHAPES), help="only this shape (repeatable)")
    args = parser.parse_args()
    print(f"caps: MAX_TOKENS {MAX_TOKENS:,}, ALONE_TOKENS {ALONE_TOKENS:,}; {args.jobs} workers; one run per shape")
    for shape in args.shape or SHAPES:
        with tempfile.TemporaryDirectory(prefix="mldebt-memory-") as scratch:
            root = Path(scratch)
            big, small = source(shape, MAX_TOKENS), source(shape, ALONE_TOKENS)
            for name, text in (("big_a.py", big), ("big_b.py", big), ("small_a.py", small), ("small_b.py", small)):
                (root / name).write_text(text, encoding="utf-8")
            (root / "blob.py").write_text(f"BLOB = '{'x' * MIN_BYTES_FOR_POOL}'\n", encoding="utf-8")
            seconds, _, memory = run(["scan", ".", "--no-cache", "-f", "json", "--jobs", str(args.jobs)], root)
        print(
            f"{shape:16s} 2 x {token_count(big):,} + 2 x {token_count(small):,} tokens ({len(big) / 1e6:.2f} MB"
            f" + {len(small) / 1e6:.2f} MB): "
            f"{memory.total_kib / 1024:.0f} MiB all processes, {memory.largest_kib / 1024:.0f} MiB the largest; "
            f"{seconds:.1f} s",
            flush=True,
        )


if __name__ == "__main__":
    sys.exit(main())
