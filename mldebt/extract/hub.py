"""Loads from the Hugging Face Hub that no commit pins, for MLD301 (the data moves) and MLD406
(the repository's own code runs). The loaders are knowledge (`rules/knowledge/data_sources.yaml`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from mldebt.extract.context import MAYBE_PASSED, UNKNOWN, call_argument, literal_value
from mldebt.knowledge import load_table

if TYPE_CHECKING:
    from mldebt.extract.context import FileContext

_COMMIT = re.compile(r"^[0-9a-f]{40}$")
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[A-Za-z0-9][\w.-]*)?$")
_LOCAL_FILE = re.compile(r"\.(json|bin|pt|safetensors|ckpt|csv|txt|parquet)$")


@dataclass(frozen=True)
class UnpinnedLoad:
    """A hub load: the repository id, why it is not pinned, and whether it runs the repository's code."""

    repo: str
    why: str
    remote_code: bool


def _local(name: str) -> bool:
    return name.startswith((".", "/", "~")) or "\\" in name or bool(_LOCAL_FILE.search(name))


def _expression(argument: object) -> cst.BaseExpression | None:
    return argument if isinstance(argument, cst.BaseExpression) else None


def unpinned_hub_load(ctx: FileContext, node: cst.Call) -> UnpinnedLoad | None:
    """The hub load `node` makes without a commit pinned, or None (not a hub load, a local
    path, a repository or revision computed at run time, or a 40-hex commit)."""
    table = load_table("data_sources")["hub_loaders"]
    name = ctx.qualname(node.func) or ""
    spec = table["calls"].get(name)
    if spec is not None:
        repo = ctx.constant_string(_expression(call_argument(node, spec["keyword"], spec["position"])))
    elif name.endswith(".from_pretrained") and name.split(".", 1)[0] in table["from_pretrained_packages"]:
        repo = ctx.constant_string(_expression(call_argument(node, "pretrained_model_name_or_path", 0)))
    else:
        return None
    if not isinstance(repo, str) or not _HUB_ID.match(repo) or _local(repo):
        return None
    if name == "datasets.load_dataset" and repo in load_table("data_sources")["local_builders"]:
        return None
    revision = call_argument(node, "revision")
    if revision is MAYBE_PASSED:
        return None
    value = literal_value(revision) if revision is not None else None
    if value is UNKNOWN or (isinstance(value, str) and _COMMIT.match(value)):
        return None
    why = "without `revision=`" if revision is None else f"at `{value}`, which can move"
    trust = call_argument(node, "trust_remote_code")
    return UnpinnedLoad(repo, why, isinstance(trust, cst.BaseExpression) and literal_value(trust) is True)
