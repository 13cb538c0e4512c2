"""The repository's data/model dependency graph, built from facts alone, and its exports.

Nodes are code (`code:src/train.py`), artifacts (`artifact:models/model.pt`, patterns with
`*` allowed) and external sources (`external:s3://bucket/x`). Edges are `reads`
(artifact -> code) and `writes` (code -> artifact), each marked `declared` when a `dvc.yaml`
stage or `[tool.mldebt] declared-consumers` says so; artifacts that DVC or git-lfs version are
marked `versioned`.

A script's relative path means what it means where the script runs: from the repository root
or from the script's own folder. The edge goes to the reading the tree supports (a committed
or versioned file), else to the root reading; the other reading, when there is one, is kept
on the edge as `other_reading`, so that rules can try both (`edge_readings`).
"""

from __future__ import annotations

import fnmatch
import io
import json
import posixpath
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from mldebt.discover import FileKind
from mldebt.extract.facts import DOWNLOAD_API, DataAccess, is_uri
from mldebt.project.model import Project

if TYPE_CHECKING:
    import networkx as nx


def artifact_id(path: str) -> str:
    return ("external:" if is_uri(path) else "artifact:") + path


_GLOB = re.compile(r"[*?\[]")


class ArtifactIndex:
    """`any(same_artifact(path, p) for p in paths)` without comparing `path` with every one:
    between two literal paths (no `*`, `?` or `[`), `same_artifact` is equality, so literal
    ones are looked up in a set and only patterns are matched one by one. A pattern meets
    the literal paths through its own compiled expression: `same_artifact` would also compile
    each literal path as a pattern (thousands of committed files, for nothing)."""

    def __init__(self, paths) -> None:
        self.literal: set[str] = set()
        self.patterns: list[str] = []
        for path in paths:
            (self.patterns.append if _GLOB.search(path) else self.literal.add)(path)

    def matches(self, path: str) -> bool:
        if _GLOB.search(path):
            if path.startswith("*"):
                return False  # names nothing in particular (`same_artifact`)
            pattern = re.compile(fnmatch.translate(path)).match
            return any(pattern(p) for p in self.literal) or any(same_artifact(path, p) for p in self.patterns)
        return path in self.literal or any(same_artifact(path, p) for p in self.patterns)


class ReadingsIndex:
    """Entries (edges, with the readings of their path first) found by the readings of another
    path without comparing it with every entry: between literal paths `same_artifact` is
    equality, so those are looked up and only entries with a pattern are always candidates.
    (Reads x writes compared pair by pair took minutes on generated repositories.)"""

    def __init__(self, entries: list[tuple]) -> None:
        self.entries = entries
        self.by_path: dict[str, list[int]] = {}
        self.with_pattern: list[int] = []
        for number, (_, readings, *_) in enumerate(entries):
            if any(_GLOB.search(r) for r in readings):
                self.with_pattern.append(number)
            else:
                for reading in readings:
                    self.by_path.setdefault(reading, []).append(number)

    def candidates(self, readings: tuple[str, ...]) -> list[tuple]:
        """The entries that may name the same artifact as one of `readings`, in their order."""
        if any(_GLOB.search(r) for r in readings):
            return self.entries
        numbers = set(self.with_pattern).union(*(self.by_path.get(r, ()) for r in readings))
        return [self.entries[n] for n in sorted(numbers)]


def same_artifact(a: str, b: str) -> bool:
    """Whether two paths or patterns can name the same file (`outputs/preds_*.csv`). A path
    whose start is unknown (`*/meta.pkl`) names nothing in particular and matches only itself."""
    if a.startswith("*") or b.startswith("*"):
        return False
    return a == b or fnmatch.fnmatchcase(a, b) or fnmatch.fnmatchcase(b, a)


def names_no_file(path: str) -> bool:
    """A path whose whole file name is computed at run time (`data/*`, from `folder / meta["data"]`)
    names no file in particular: any file of that folder would match it."""
    return posixpath.basename(path) == "*"


def on_a_machine(path: str) -> bool:
    """An absolute local path (`/data/train.pkl`, `~/x`, `C:/x`): a place of whatever machine,
    container or volume the code runs on, not a file of the repository's tree."""
    return path.startswith(("/", "~")) or bool(re.match(r"[A-Za-z]:[/\\]", path))


def readings(code: str, access: DataAccess, resolved: str) -> tuple[str, ...]:
    """The paths a data access may mean: as read from the repository root, then, for a
    script's path that depends on where it runs, from the script's own folder."""
    if not access.relative or is_uri(resolved) or resolved.startswith("*"):
        return (resolved,)
    local = posixpath.normpath(posixpath.join(posixpath.dirname(code), resolved))
    return (resolved, local) if local != resolved else (resolved,)


def edge_readings(artifact: str, edge: dict) -> tuple[str, ...]:
    """Every path a read or write edge may mean (its artifact's, and `other_reading`)."""
    path = artifact.split(":", 1)[1]
    return (path, edge["other_reading"]) if "other_reading" in edge else (path,)


def enclosing_readings(code: str, meant: tuple[str, ...]) -> tuple[str, ...]:
    """A script's relative path as read from each folder between its own and the repository
    root: the project folder of a monorepo, which the script is run from
    (`python -m utils.prompt` in `research-radar/`, `python eval/generate.py`). `meant` are an
    edge's readings (`edge_readings`); a path with a single reading is not relative."""
    folder = posixpath.dirname(code)
    root = next((r for r in meant if posixpath.normpath(posixpath.join(folder, r)) in meant), None)
    if root is None:
        return ()
    found = []
    while "/" in folder:
        folder = posixpath.dirname(folder)
        found.append(posixpath.normpath(posixpath.join(folder, root)))
    return tuple(found)


def hand_offs(graph: nx.DiGraph) -> nx.DiGraph:
    """The graph without reads a script makes of what it writes itself (resuming from its own
    checkpoint, downloading a file if it is missing): those hand nothing over between scripts."""
    view = graph.copy()
    for artifact, code in list(graph.edges):
        if code.startswith("code:") and graph.has_edge(code, artifact):
            view.remove_edge(artifact, code)
    return view


class VersionedPatterns:
    """The paths and patterns DVC and git-lfs version, indexed: a pattern covers a path that
    it matches, that lies under it, or whose file name it matches. Thousands of LFS patterns
    against thousands of artifacts were compared pair by pair (3,000 x 3,000: 50 s); now
    literal patterns are set lookups and the glob patterns one combined regular expression."""

    def __init__(self, patterns: Iterable[str]) -> None:
        stripped = {p.rstrip("/") for p in patterns}
        self._all = stripped
        self._literal = {p for p in stripped if not _GLOB.search(p)}
        globs = sorted(stripped - self._literal)
        self._glob = re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in globs)) if globs else None

    def covers(self, path: str) -> bool:
        name = path.rsplit("/", 1)[-1]
        if path in self._literal or name in self._literal:
            return True
        if any(path[:i] in self._all for i, char in enumerate(path) if char == "/"):
            return True
        return self._glob is not None and bool(self._glob.match(path) or self._glob.match(name))


_PLACEHOLDER = re.compile(r"\{(import|config):([^{}]+)\}")
#: Text of several words or lines, which a config value that names a file is not.
_PROSE = re.compile(r"\n|(\S+\s+){4}\S")


def resolver(project: Project):
    """Resolve what a file could not on its own: constants imported from another module
    (`{import:config.DATA}`) and values of the repository's config files (`{config:data.train}`,
    when exactly one config key has that path and a string value that is not prose: a system
    prompt read from a file only if one exists by that name); `*` otherwise."""
    config_values: dict[str, set[str]] = {}
    for _, (kind, facts) in project.files.items():
        if kind == FileKind.CONFIG:
            for key in facts.config_keys:
                if key.text is not None:
                    config_values.setdefault(key.path, set()).add(key.text)

    def config_value(keys: str) -> str:
        values = {v for path, vs in config_values.items() if path == keys or path.endswith("." + keys) for v in vs}
        value = values.pop() if len(values) == 1 else "*"
        return "*" if _PROSE.search(value) else value  # a prompt or a description, not a path

    def resolve(importer: str, path: str) -> str | None:
        def replace(match: re.Match) -> str:
            kind, name = match.groups()
            if kind == "config":
                return config_value(name)
            module, _, constant = name.rpartition(".")
            home = project.module_file(importer, module)
            return project.files[home][1].string_constants.get(constant, "*") if home else "*"

        resolved = _PLACEHOLDER.sub(replace, path)
        return resolved if re.search(r"[^*/.]", resolved) else None

    return resolve


def versioned_patterns(project: Project) -> VersionedPatterns:
    """The paths and patterns DVC files and `.gitattributes` (git-lfs) version."""
    return VersionedPatterns(p for _, (_, facts) in project.files.items() for p in facts.versioned_paths)


def hands_over(edge: dict) -> bool:
    """Whether a write edge is code of the repository producing a file for others to read (an
    undeclared edge with a line, not a download)."""
    return edge["relation"] == "writes" and not edge["declared"] and "line" in edge and edge.get("api") != DOWNLOAD_API


def build_graph(project: Project) -> nx.DiGraph:
    import networkx as nx  # here, not at the top: `mldebt --version` must not pay for it

    graph = nx.DiGraph()
    versioned = versioned_patterns(project)
    resolve = resolver(project)

    def supported(reading: str) -> bool:
        return reading in project.present or versioned.covers(reading)

    for path, (kind, facts) in project.files.items():
        accesses = [(a, resolve(path, a.path)) for a in facts.data_access]
        accesses = [(a, p) for a, p in accesses if p is not None]
        if kind in FileKind.CODE and accesses:
            graph.add_node(f"code:{path}", type="notebook" if kind == FileKind.NOTEBOOK else "code")
        for access, resolved in accesses:
            meant = readings(path, access, resolved)
            chosen = next((r for r in meant if supported(r)), meant[0])
            node = artifact_id(chosen)
            graph.add_node(node, type="external" if node.startswith("external:") else "artifact")
            edge = (node, f"code:{path}") if access.mode == "read" else (f"code:{path}", node)
            other = {"other_reading": r for r in meant if r != chosen}
            graph.add_edge(*edge, relation="reads" if access.mode == "read" else "writes",
                           line=access.line, api=access.api, declared=False, **other)
    for _, (_, facts) in project.files.items():
        for stage in facts.pipeline_stages:
            for script in project.stage_scripts(stage):
                code = f"code:{script}"
                graph.add_node(code, type=graph.nodes[code]["type"] if code in graph else "code")
                for dep in stage.deps:
                    if dep != script:
                        _declare(graph, artifact_id(dep), code, "reads", stage.name)
                for out in stage.outs:
                    _declare(graph, code, artifact_id(out), "writes", stage.name)
    for artifact_pattern, consumer_pattern in project.declared_consumers:
        for artifact, code, data in graph.edges(data=True):
            if (
                data["relation"] == "reads"
                and fnmatch.fnmatchcase(artifact.split(":", 1)[1], artifact_pattern)
                and fnmatch.fnmatchcase(code.split(":", 1)[1], consumer_pattern)
            ):
                data["declared"] = True
    for node, data in graph.nodes(data=True):
        if data["type"] == "artifact":
            data["versioned"] = versioned.covers(node.split(":", 1)[1])
    return graph


def _declare(graph: nx.DiGraph, source: str, target: str, relation: str, stage: str) -> None:
    for node in (source, target):
        if node not in graph:
            graph.add_node(node, type="artifact")
    if graph.has_edge(source, target):
        graph.edges[source, target]["declared"] = True
    else:
        graph.add_edge(source, target, relation=relation, declared=True, stage=stage)


# --- exports: stable ordering so that the same repository gives the same bytes ---------------


def to_json(graph: nx.DiGraph) -> dict:
    """Node-link JSON (networkx's `node_link_data` shape), sorted."""
    return {
        "directed": True,
        "multigraph": False,
        "graph": {},
        "nodes": [{"id": n, **graph.nodes[n]} for n in sorted(graph.nodes)],
        "links": [{"source": u, "target": v, **graph.edges[u, v]} for u, v in sorted(graph.edges)],
    }


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(graph: nx.DiGraph) -> str:
    shapes = {"code": "box", "notebook": "box", "artifact": "ellipse", "external": "diamond"}
    lines = ["digraph mldebt {", "  rankdir=LR;"]
    for node in sorted(graph.nodes):
        data = graph.nodes[node]
        label = node.split(":", 1)[1]
        lines.append(f"  {_quote(node)} [label={_quote(label)}, shape={shapes[data['type']]}];")
    for u, v in sorted(graph.edges):
        data = graph.edges[u, v]
        style = "solid" if data["declared"] else "dashed"
        lines.append(f"  {_quote(u)} -> {_quote(v)} [label={_quote(data['relation'])}, style={style}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_graphml(graph: nx.DiGraph) -> str:
    import networkx as nx

    ordered = nx.DiGraph()
    ordered.add_nodes_from((n, graph.nodes[n]) for n in sorted(graph.nodes))
    ordered.add_edges_from((u, v, graph.edges[u, v]) for u, v in sorted(graph.edges))
    buffer = io.BytesIO()
    nx.write_graphml(ordered, buffer)
    return buffer.getvalue().decode("utf-8")


def to_mermaid(graph: nx.DiGraph) -> str:
    ids = {node: f"n{i}" for i, node in enumerate(sorted(graph.nodes))}
    shape = {"code": ('["', '"]'), "notebook": ('["', '"]'), "artifact": ('(["', '"])'), "external": ('{{"', '"}}')}
    lines = ["flowchart LR"]
    for node, short in ids.items():
        left, right = shape[graph.nodes[node]["type"]]
        lines.append(f"  {short}{left}{node.split(':', 1)[1].replace(chr(34), '#quot;')}{right}")
    for u, v in sorted(graph.edges):
        arrow = "-->" if graph.edges[u, v]["declared"] else "-.->"
        lines.append(f"  {ids[u]} {arrow}|{graph.edges[u, v]['relation']}| {ids[v]}")
    return "\n".join(lines) + "\n"


EXPORTS = {
    "json": lambda g: json.dumps(to_json(g), indent=2) + "\n",
    "dot": to_dot,
    "graphml": to_graphml,
    "mermaid": to_mermaid,
}
