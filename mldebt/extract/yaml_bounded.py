"""YAML from the scanned tree: safe loading only, with alias expansion bounded.

A "billion laughs" document defines a list, then lists of nine references to the previous one:
composing it is cheap (aliases share nodes), but everything that walks the result visits
9^levels nodes (7 levels took 35 s and 900 MB). So the expanded size is counted on the shared
node graph (linear in the document) and a document whose aliases multiply it is refused with
a diagnostic, as is a recursive alias or nesting too deep for the parser.
"""

from __future__ import annotations

import yaml

from mldebt.extract.sources import SourceError

#: Expanded nodes allowed before aliases count as an attack; ordinary documents, even with
#: anchors for shared defaults, stay far below or close to their own node count.
MAX_EXPANDED_NODES = 200_000


def children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [child for pair in node.value for child in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_expansion(root: yaml.Node) -> None:
    """Raise `SourceError` when `root` expands (aliases followed) to too many nodes or to a
    cycle. Iterative, each shared node sized once."""
    sizes: dict[int, int] = {}
    expanding: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            expanding.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in children(node))
            if sizes[key] > MAX_EXPANDED_NODES and sizes[key] > 2 * len(sizes):
                raise SourceError(
                    "yaml-aliases",
                    f"YAML aliases expand to over {MAX_EXPANDED_NODES:,} nodes (an alias bomb?); file not analysed",
                )
        elif key not in sizes:
            if key in expanding:
                raise SourceError("yaml-aliases", "YAML alias refers to itself; file not analysed")
            expanding.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in children(node) if id(child) not in sizes)


def compose_all(text: str) -> list[yaml.Node]:
    """The documents of a YAML stream as nodes; raises `yaml.YAMLError` when it does not parse
    and `SourceError` when it is a bomb."""
    try:
        documents = [d for d in yaml.compose_all(text, Loader=yaml.SafeLoader) if d is not None]
    except RecursionError:
        raise SourceError("yaml-aliases", "YAML nested too deeply to read; file not analysed") from None
    for document in documents:
        _check_expansion(document)
    return documents


def safe_load(text: str) -> object:
    """`yaml.safe_load`, checked like `compose_all` before anything is built."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expansion(node)
        return loader.construct_document(node)
    except RecursionError:
        raise SourceError("yaml-aliases", "YAML nested too deeply to read; file not analysed") from None
    finally:
        loader.dispose()
