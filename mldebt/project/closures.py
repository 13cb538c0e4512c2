"""Reachability shared between starts: what each node of a directed graph reaches, computed once
per strongly connected component and reused by every start that reaches it.

Hundreds of training entry points of a large repository reach the same few thousand library
functions, most of them one strongly connected component (a module's top level reaches the
modules it imports, which reach it back through their functions). Walking each start's closure
node by node repeats that work for every start; here the graph is discovered from the starts as
they are asked for, its strongly connected components found as it is (Tarjan), and each
component's closure is its own nodes and the closures of the components it reaches, which are
always finished first.

A closure is an int used as a bit set over a `Numbering` of the nodes, so a union is one `|`,
and the nodes of a component share one int. Nodes are numbered as their component is finished,
sinks first: a closure only holds numbers up to its own nodes', which keeps the ints short.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator

class Numbering:
    """The bit of each node that a closure has reached, numbered as they are met."""

    def __init__(self) -> None:
        self.index: dict[Hashable, int] = {}
        self.nodes: list[Hashable] = []
        self._masks: dict[frozenset, tuple[int, int]] = {}

    def number(self, node: Hashable) -> int:
        if node not in self.index:
            self.index[node] = len(self.nodes)
            self.nodes.append(node)
        return self.index[node]

    def holds(self, mask: int, node: Hashable) -> bool:
        """Whether the bit set `mask` holds `node`."""
        index = self.index.get(node)
        return index is not None and mask >> index & 1 == 1

    def mask(self, nodes: frozenset) -> int:
        """The bit set of those of `nodes` some closure holds (a node not numbered yet is in none
        of the closures computed so far); recomputed only when nodes were numbered since."""
        known, mask = self._masks.get(nodes, (-1, 0))
        if known != len(self.nodes):
            mask = 0
            for node in nodes:
                index = self.index.get(node)
                if index is not None:
                    mask |= 1 << index
            self._masks[nodes] = (len(self.nodes), mask)
        return mask

    def members(self, mask: int) -> Iterator[Hashable]:
        """The nodes of a bit set, in numbering order (meant for sparse sets: each step costs a
        pass over the int)."""
        while mask:
            low = mask & -mask
            yield self.nodes[low.bit_length() - 1]
            mask ^= low


class Closures:
    """Every node each node reaches (itself included), as bit sets of `numbering`.

    `successors(node)` gives a node's out-edges; it is called once per node. With `excluded`,
    the closures are those of the graph without that node, and `base` (the closures of the whole
    graph over the same numbering) answers for every node whose closure does not hold it."""

    def __init__(
        self, successors: Callable[[Hashable], Iterable[Hashable]], numbering: Numbering,
        excluded: Hashable | None = None, base: Closures | None = None,
    ) -> None:
        self.numbering = numbering
        self._successors = successors
        self._excluded = excluded
        self._base = base
        self._closure: dict[Hashable, int] = {}
        #: bytes of the closures computed here and still held (one int per component)
        self.size = 0

    def forget(self) -> None:
        """Drop every closure computed so far (they are computed again when asked for)."""
        self._closure.clear()
        self.size = 0

    def of(self, start: Hashable) -> int:
        """The closure of `start` (never of the excluded node: it is not in this graph)."""
        if start not in self._closure and not self._known(start):
            self._discover(start)
        return self._closure[start]

    def _known(self, node: Hashable) -> bool:
        """Whether `node`'s closure is the base graph's (it cannot reach the excluded node);
        if so it is recorded."""
        if self._base is None:
            return False
        closure = self._base.of(node)
        if self.numbering.holds(closure, self._excluded):
            return False
        self._closure[node] = closure
        return True

    def _discover(self, start: Hashable) -> None:
        """Tarjan's walk from `start` through the nodes whose closure is unknown: a strongly
        connected component is complete when the walk leaves its first node, and by then every
        component it reaches has its closure. (networkx's `condensation` and a topological
        sort give the same order but build two graphs first: 3-4x slower here.)"""
        order: dict[Hashable, int] = {start: 0}  # discovery order of the nodes met
        low = {start: 0}  # the earliest node of the walk's stack each one reaches
        stack = [start]
        walk = [(start, iter(self._successors(start)))]
        while walk:
            node, successors = walk[-1]
            for nxt in successors:
                if nxt == self._excluded or nxt in self._closure:
                    continue
                if nxt in order:  # on the stack: a cycle back into the component being built
                    low[node] = min(low[node], order[nxt])
                elif not self._known(nxt):
                    order[nxt] = low[nxt] = len(order)
                    stack.append(nxt)
                    walk.append((nxt, iter(self._successors(nxt))))
                    break
            else:
                walk.pop()
                if walk:
                    parent = walk[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == order[node]:
                    self._close(self._pop(stack, node))

    @staticmethod
    def _pop(stack: list, node: Hashable) -> list:
        members = []
        while True:
            member = stack.pop()
            members.append(member)
            if member == node:
                return members

    def _close(self, members: list) -> None:
        """A finished component: its nodes' numbers and every closure its edges lead to."""
        closure = 0
        for node in members:
            closure |= 1 << self.numbering.number(node)
        for node in members:
            for nxt in self._successors(node):
                if nxt in self._closure:
                    closure |= self._closure[nxt]
        for node in members:
            self._closure[node] = closure
        self.size += (closure.bit_length() + 7) // 8
