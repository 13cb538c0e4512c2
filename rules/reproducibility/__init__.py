"""`reproducibility`: training runs that cannot be repeated (Arpteg et al. 2018: non-determinism;
Breck et al. 2017, Infra 1 "training is reproducible"). The rules read `Project.training_runs`
(`mldebt.project.reproducibility`): entry points that train, with the randomness and seeds of
the code they reach across modules; what is random or seeds is
`rules/knowledge/reproducibility.yaml`."""

from __future__ import annotations

import json

from mldebt.extract.facts import RandomnessUse

#: What each generator is, for messages.
GENERATOR_NAMES = {
    "python": "Python's `random`",
    "numpy": "NumPy's global generator",
    "torch": "torch's generator",
    "tensorflow": "TensorFlow's global seed",
}


def notebook(*cells: str) -> str:
    """A minimal notebook of code cells, for rule examples."""
    return json.dumps({
        "nbformat": 4, "nbformat_minor": 5, "metadata": {},
        "cells": [
            {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": source}
            for source in cells
        ],
    })


def where(path: str, use: RandomnessUse, entry_path: str) -> str:
    """`line 12` in the entry point's own script, `pkg/data.py:12` elsewhere, with the cell in notebooks."""
    return f"line {use.line}" if path == entry_path and "[cell " not in use.location else use.location


#: How many sites of each unseeded generator an MLD701 finding names.
NAMED_SITES = 2


def sites(uses: list[tuple[str, RandomnessUse]], entry_path: str) -> dict[str, tuple[str, RandomnessUse]]:
    """`api at where` -> its first use: the distinct sites of a generator's uses, in order."""
    found: dict[str, tuple[str, RandomnessUse]] = {}
    for path, use in uses:
        found.setdefault(f"`{use.api}` at {where(path, use, entry_path)}", (path, use))
    return found
