"""Training runs: the entry points that train, and what the code they reach does with random
generators. Read by the MLD7xx rules and the ML Test Score rubric (`Project.training_runs`).

An entry point trains when the code it reaches (`mldebt.project.callgraph`) holds a training
marker. Its generators are those its reachable code draws from through their global state;
they are seeded when the reachable code calls a seed for them, in this module or any other.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mldebt.discover import FileKind, is_test_path
from mldebt.extract.facts import (
    EFFECT, HANDED, MAIN, EntryPoint, NondeterminismSwitch, RandomnessUse, SeedSet, StatementFlow, TrainingMarker,
)
from mldebt.knowledge import load_table
from mldebt.project.callgraph import CallGraph
from mldebt.project.commands import Commands

if TYPE_CHECKING:
    from mldebt.project.model import Project


#: Libraries whose values a draw of Python's `random` can shape into training data.
_DATA_LIBRARIES = frozenset(load_table("reproducibility")["data_libraries"])

#: The kind of entry point a command makes of a script without a `__main__` block.
COMMAND = "command"


@dataclass(frozen=True)
class TrainingRun:
    """A training entry point (`path`, `entry`) with the facts of the code it reaches, each
    paired with the file it is in."""

    path: str
    entry: EntryPoint
    line: int  # where to report it: the guard, the command, a notebook's first training cell
    markers: tuple[tuple[str, TrainingMarker], ...]
    randomness: tuple[tuple[str, RandomnessUse], ...]
    seeds: tuple[tuple[str, SeedSet], ...]
    switches: tuple[tuple[str, NondeterminismSwitch], ...]
    #: Why the file runs when a command starts it (`run by the Makefile target at Makefile:4`).
    started_by: str = ""
    #: Where that command is: (path, line).
    started_at: tuple[str, int] | None = None

    @property
    def seeded(self) -> frozenset[str]:
        """The generators some reachable code seeds."""
        return frozenset(g for _, seed in self.seeds for g in seed.generators)

    def unseeded(self) -> dict[str, list[tuple[str, RandomnessUse]]]:
        """generator -> the uses of its global state, for generators nothing seeds; those of
        the run's own file first, then by path and line."""
        left: dict[str, list[tuple[str, RandomnessUse]]] = defaultdict(list)
        for path, use in self.randomness:
            if use.global_seed and use.generator not in self.seeded:
                left[use.generator].append((path, use))
        return {
            generator: sorted(uses, key=lambda site: (site[0] != self.path, site[0], site[1].line))
            for generator, uses in sorted(left.items())
        }


def _entry_points(project: Project, graph: CallGraph, commands: Commands) -> list[tuple[str, EntryPoint]]:
    """Entry points found in code; the console scripts manifests declare (`pkg.cli:main`
    becomes the function `main` of the file `pkg/cli.py`); and the scripts CI jobs, DVC stages
    and Makefile targets run (`python -m pkg.train`), as the top-level code of a script when
    the file has no `__main__` block of its own."""
    entries = [
        (path, entry)
        for path, (kind, facts) in project.files.items()
        if kind in FileKind.CODE and not is_test_path(path)
        for entry in facts.entry_points
    ]
    guarded = {path for path, entry in entries if entry.kind == "main-guard"}
    for path in sorted(commands.run_files()):
        if project.kind(path) == FileKind.PYTHON and not is_test_path(path) and path not in guarded:
            top_level = [m.line for m in project.files[path][1].training_markers if m.function == ""]
            entries.append((path, EntryPoint(COMMAND, "", top_level[0] if top_level else 1)))
    for manifest, (_, facts) in project.files.items():
        for declared in facts.declared_entry_points:
            module, _, function = declared.target.partition(":")
            home = graph.module_file(manifest, module.strip())
            function = function.strip()
            if home is not None and function in graph.functions.get(home, {}):
                entries.append((home, EntryPoint(declared.kind, function, 1)))
    return entries


def _framework_hook(function: str) -> bool:
    """A method named like a training framework's callback hook (`OnlineProbe.on_train_batch_end`
    of a Lightning or Keras `Callback`): the framework calls it from its own training loop, which
    a run starts with a call that is a training marker itself (`trainer.fit`, `model.fit`). A run
    that reaches only such hooks defines a callback and never trains (its `fit` commented out)."""
    return function.rpartition(".")[2].startswith("on_")


class _Flow:
    """Whether a draw in a training run's own file can change what the run trains: its value
    must reach a statement of its function that trains (holds a training marker, calls code
    that reaches one, or computes the gradients a step of the function applies), following the
    names each statement reads and assigns. A draw after the
    training is over, or one whose value is only plotted or printed (test images sampled for a
    figure), cannot; a draw in a statement that trains (a loop that shuffles and steps) can. In
    a function that does not train, a draw counts where a call of that function in the same
    file reaches the training, by the same rule (a plotting helper picking a random colour,
    called after the training, does not), or where nothing in the file calls it."""

    def __init__(self, project: Project, graph: CallGraph) -> None:
        self.project = project
        self.graph = graph
        self.marked = frozenset((p, m.function) for p, (_, facts) in project.files.items() for m in facts.training_markers)
        self._trains: dict[tuple[tuple[str, str], str], bool] = {}
        #: (path, function) -> its statements and whether each trains: asked again for every
        #: draw of the function and for every caller of a function that draws
        self._functions: dict[tuple[str, str], tuple[list[StatementFlow], list[bool]]] = {}

    def trains(self, node: tuple[str, str], entry: str) -> bool:
        """Whether calling `node` from the top level of `entry` trains (without running that
        top level again: the run is in it)."""
        if (node, entry) not in self._trains:
            top = (entry, "")
            reached = self.graph.reach(node, around=top)
            if self.graph.numbering.holds(reached, top):
                reached ^= 1 << self.graph.numbering.index[top]
            self._trains[(node, entry)] = reached & self.graph.numbering.mask(self.marked) != 0
        return self._trains[(node, entry)]

    def reaches_training(self, path: str, use: RandomnessUse) -> bool:
        flows, training = self._function(path, use.function)
        here = next((i for i, f in enumerate(flows) if f.end == use.statement_end), None)
        if here is None:
            return True
        if not any(training):
            leaves = self._leaves(flows, here) if use.function not in ("", MAIN) else EFFECT
            if not leaves:
                return False  # its value stays in its function: shown, printed, never handed on
            return self._called_into_training(path, use.function, followed=leaves == HANDED)
        return self._reaches(flows, training, here)

    def _function(self, path: str, function: str) -> tuple[list[StatementFlow], list[bool]]:
        """The statements of `function` and, for each, whether it trains."""
        if (path, function) not in self._functions:
            flows = self._statements(path, function)
            marked = self._marked(path, function)
            training = [
                f.end in marked or any(self.trains(node, path) for name in f.calls for node in self.graph.resolve(path, name))
                for f in flows
            ]
            self._functions[(path, function)] = (flows, training)
        return self._functions[(path, function)]

    def _statements(self, path: str, function: str) -> list[StatementFlow]:
        return [f for f in self.project.files[path][1].statement_flows if f.function == function]

    def _marked(self, path: str, function: str) -> set[int]:
        return {m.statement_end for m in self.project.files[path][1].training_markers if m.function == function}

    def _called_into_training(self, path: str, function: str, followed: bool = False) -> bool:
        """A draw in a function that does not train counts, unless every call of it in its own
        file comes after the training its caller runs itself (a loop that steps an optimizer, a
        `backward()`), and its value reaches no training from there: a plotting helper that
        picks a random colour for a mask once the training is over. When the value can leave
        the function only back to its caller (`followed`: returned, or written into an argument),
        a call before the training counts only where what the call returns, the arguments it
        was given or the function itself reach the training (a masking collator applied to two
        samples to print them, while the fit uses another collator, does not). A caller whose
        training happens in code it calls (`net.train(x)`, whose receiver the call graph may not
        know) is not followed: the draw counts. A value handed back to a caller that trains
        nothing (a callback's hook generating text to print) counts only where it can leave
        that caller in turn (`_leaves`)."""
        facts = self.project.files[path][1]
        callers = {f.function for f in facts.statement_flows if function in f.calls and f.function != function}
        if not function or not callers:
            return True
        for caller in callers:
            flows, training = self._function(path, caller)
            marked = self._marked(path, caller)
            steps = [i for i, f in enumerate(flows) if f.end in marked or f.backward]
            calls = [i for i, f in enumerate(flows) if function in f.calls]
            if followed and not steps and not any(training) and caller not in ("", MAIN):
                if any(self._leaves(flows, i) for i in calls):
                    return True
                continue  # the caller only shows or keeps what the call hands back
            if not steps or any(self._reaches(flows, training, i, handed=followed) for i in calls):
                return True
            if not followed and min(calls) <= max(steps):
                return True
        return False

    @staticmethod
    def _carried(flows: list[StatementFlow], here: int, tainted: set[str]) -> Iterator[int]:
        """The statements after `here` that the value of `tainted` names reaches, following the
        names each assigns or changes in place; a name assigned anew from untouched values
        no longer carries it."""
        for i in range(here + 1, len(flows)):
            if tainted.intersection(flows[i].reads):
                yield i
                tainted.update(flows[i].writes, flows[i].mutates)
            else:
                tainted.difference_update(flows[i].writes)

    def _leaves(self, flows: list[StatementFlow], here: int) -> str:
        """How the value drawn in statement `here` can leave its function (`StatementFlow.leaves`),
        the strongest way of the statements it reaches: '' when it only reaches the function's
        own objects and display calls (a helper showing random rows of a dataset)."""
        start = flows[here]
        ways = {start.leaves} | {
            flows[i].leaves for i in self._carried(flows, here, set(start.writes or start.reads) | set(start.mutates))
        }
        return EFFECT if EFFECT in ways else HANDED if HANDED in ways else ""

    def _reaches(self, flows: list[StatementFlow], training: list[bool], here: int, handed: bool = False) -> bool:
        """Whether the value of statement `here` reaches a statement that trains; `handed`: all
        it reads and assigns carries the value (a call that changes its arguments in place)."""
        training = [trains or f.backward for trains, f in zip(training, flows)]  # gradients feed the step
        start = flows[here]
        tainted = set(start.writes) | set(start.reads) if handed else set(start.writes or start.reads)
        return training[here] or any(training[i] for i in self._carried(flows, here, tainted | set(start.mutates)))


def _infrastructure(project: Project, path: str, use: RandomnessUse) -> bool:
    """A draw of Python's `random` in a module that neither trains, feeds data, reads or writes
    data, nor imports a library of arrays, tensors, images, text or tables (`data_libraries`):
    a free port, an id, the jitter of a retry's backoff. Its value cannot become what a run
    trains on, however far the call graph from the entry point goes (a serving library's CLI
    reaches its framework adapters, and with them a training marker). Only draws from the
    global generator: an own `random.Random()` stays for MLD702 to judge."""
    if use.generator != "python" or not use.global_seed:
        return False
    facts = project.files[path][1]
    if facts.training_markers or facts.feeds_data or facts.data_access:
        return False
    return not any(site.module.partition(".")[0] in _DATA_LIBRARIES for site in facts.imports)


def training_runs(project: Project) -> list[TrainingRun]:
    """Every entry point outside tests that reaches training code, in path order. An entry
    point that another entry point of its file reaches (a click command its `__main__` block
    calls) is part of that run, not a run of its own; a module other modules import is not a
    script."""
    graph = CallGraph(project)
    flow = _Flow(project, graph)
    commands = project.automation  # what CI, DVC and Makefiles run (`mldebt.project.commands`)
    started = commands.run_files()
    libraries = graph.imported_files()
    # top-level code that other modules import is a library's set-up, not a run, unless a
    # command runs the file as a script (its own entry point then, once)
    entries = [
        (p, e) for p, e in _entry_points(project, graph, commands)
        if e.kind != "script" or (p not in libraries and p not in started)
    ]
    reached = {(path, entry): graph.reach((path, entry.function)) for path, entry in entries}
    in_file: dict[str, list[EntryPoint]] = defaultdict(list)
    for path, entry in entries:
        in_file[path].append(entry)
    # path -> its facts of each kind, for the few files that have any: a run reaches hundreds
    # of files, most of which neither train, seed nor draw random numbers
    having = {
        attribute: {p: items for p, (_, facts) in project.files.items() if (items := getattr(facts, attribute))}
        for attribute in ("training_markers", "seeds", "randomness", "nondeterminism")
    }
    # the functions holding facts of each kind, to meet a run's closure in one step
    holding = {
        attribute: frozenset((p, item.function) for p, items in by_path.items() for item in items)
        for attribute, by_path in having.items()
    }
    runs = []
    for path, entry in entries:
        if entry.function and any(
            other is not entry and graph.numbering.holds(reached[(path, other)], (path, entry.function))
            for other in in_file[path]
        ):
            continue

        def facts_of(attribute: str) -> tuple:
            met = set(graph.numbering.members(reached[(path, entry)] & graph.numbering.mask(holding[attribute])))
            items = having[attribute]
            return tuple(
                (p, item)
                for p in sorted({p for p, _ in met})
                for item in items[p]
                if (p, item.function) in met
            )

        markers = facts_of("training_markers")
        if all(_framework_hook(m.function) for _, m in markers):
            continue  # no markers, or only in callbacks of a framework's training that nothing starts
        seeds = tuple((p, s) for p, s in facts_of("seeds") if not (s.by_name and graph.resolve(p, s.api)))
        line = entry.line
        if entry.kind == "notebook":
            line = next((m.line for p, m in markers if p == path), line)
        randomness = tuple(
            (p, use) for p, use in facts_of("randomness")
            if (flow.reaches_training(p, use) if p == path else not _infrastructure(project, p, use))
        )
        runs.append(TrainingRun(
            path, entry, line, markers, randomness, seeds, facts_of("nondeterminism"), started.get(path, ""),
            commands.started_at(path),
        ))
    return runs
