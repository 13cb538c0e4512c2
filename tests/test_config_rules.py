"""Configuration rules on small repositories, where the examples of the rule classes cannot say
enough (how many findings one fact gives)."""

from __future__ import annotations

from mldebt.rule import Invalid
from mldebt.testing import run_example


def test_a_section_nothing_reads_is_one_finding_at_the_section():
    config = "s3:\n  max_write: 10\n  max_read: 15\n  enable_async: false\nlr: 0.1\n"
    example = Invalid(config, path="conf/gpt.yaml", files={"train.py": "def f(c, o):\n    return c.lr, o.max_write, o.max_read\n"})
    findings, _ = run_example("MLD204", example)
    assert [(f.line, f.message) for f in findings] == [(1, "config key `s3` is never read by the code")]


def test_an_unread_key_of_a_read_section_is_reported():
    config = "s3:\n  max_write: 10\n  max_read: 15\n  enable_async: false\nlr: 0.1\n"
    example = Invalid(config, path="conf/gpt.yaml", files={"train.py": "def f(c):\n    return c.lr, c.s3.max_write, c.s3.max_read\n"})
    findings, _ = run_example("MLD204", example)
    assert [f.line for f in findings] == [4]
