"""Qualified names from the import-alias table, and literal evaluation."""

from __future__ import annotations

import libcst as cst
import pytest

from mldebt.extract.context import MAYBE_PASSED, UNKNOWN, FileContext, call_argument, literal_value


def qualname_of_last_call(code: str) -> str | None:
    module = cst.parse_module(code)
    ctx = FileContext("x.py", "python", module)
    calls = []

    class Collect(cst.CSTVisitor):
        def visit_Import(self, node):
            ctx.add_import(node)

        def visit_ImportFrom(self, node):
            ctx.add_import(node)

        def visit_Call(self, node):
            calls.append(node)

    module.visit(Collect())
    return ctx.qualname(calls[-1].func)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("import torch\ntorch.load(p)", "torch.load"),
        ("import torch as T\nT.load(p)", "torch.load"),
        ("from torch import load\nload(p)", "torch.load"),
        ("from torch import load as tl\ntl(p)", "torch.load"),
        ("import os.path\nos.path.join(a, b)", "os.path.join"),
        ("import tensorflow as tf\ntf.keras.models.load_model(p)", "tensorflow.keras.models.load_model"),
        ("from .io import load\nload(p)", ".io.load"),
        ("def f():\n    import pickle as pk\n    return pk.load(f)", "pickle.load"),
        ("try:\n    import yaml\nexcept ImportError:\n    pass\nyaml.load(f)", "yaml.load"),
        ("open('x')", "open"),
        ("self.model.load(p)", None),
        ("load(p)", None),
        ("get()().load(p)", None),
        ("from pickle import load\ndef load(p):\n    return p\nload(p)", None),
    ],
)
def test_qualname(code, expected):
    assert qualname_of_last_call(code) == expected


@pytest.mark.parametrize(
    ("expr", "value"),
    [
        ("3e-4", 3e-4), ("-1e-5", -1e-5), ("64", 64), ("True", True), ("None", None),
        ("'a' 'b'", "ab"), ("(0.9, 0.95)", (0.9, 0.95)), ("[1, 2]", [1, 2]),
        ("cfg.lr", UNKNOWN), ("f'{x}'", UNKNOWN), ("-x", UNKNOWN), ("(1, y)", UNKNOWN),
    ],
)
def test_literal_value(expr, value):
    assert literal_value(cst.parse_expression(expr)) == value


def test_call_argument_by_keyword_position_and_star():
    call = cst.parse_expression("f(a, b, k=c)")
    assert isinstance(call_argument(call, "k"), cst.Name)
    assert call_argument(call, None, 1).value == "b"
    assert call_argument(call, "missing") is None
    assert call_argument(cst.parse_expression("f(a, **kw)"), "k") is MAYBE_PASSED


def test_qualname_asked_before_a_nested_import_is_met_is_asked_again_after():
    """A pass made before the walk reaches an import must not fix what the walk is told."""
    module = cst.parse_module("def f(p):\n    import torch\n    return torch.load(p)\n")
    ctx = FileContext("x.py", "python", module)
    function = module.body[0]
    nested_import = function.body.body[0].body[0]
    load = function.body.body[1].body[0].value.func
    assert ctx.qualname(load) is None
    ctx.add_import(nested_import)
    assert ctx.qualname(load) == "torch.load"
