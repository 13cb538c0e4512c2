"""MLD603's severities: an image with no tag is a warning, unless its name fixes the release."""

from mldebt.registry import rule_by_id
from mldebt.testing import run_example


def _severities(reference: str) -> list[str]:
    rule = rule_by_id("MLD603")
    example = next(e for e in rule.INVALID if reference in e.code)
    return [f.severity for f in run_example("MLD603", example)[0]]


def test_an_image_whose_name_fixes_its_release_is_a_note():
    assert _severities("tensorflow-1.8.0-notebook-cpu") == ["info"]
    assert _severities("tf2-cpu.2-3") == ["info"]


def test_latest_of_an_image_named_for_no_release_is_a_warning():
    assert _severities("miniconda3:latest") == ["warning"]
    assert _severities("FROM ubuntu\n") == ["warning"]
