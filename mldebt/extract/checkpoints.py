"""Checkpoint loads that may unpickle arbitrary objects, as facts for the project phase."""

from __future__ import annotations

import libcst as cst

from mldebt.extract.context import Collector, FileContext
from mldebt.extract.facts import CheckpointLoad, Facts, Site
from mldebt.extract.own_files import own_files
from mldebt.knowledge import Verdict, check_guarded_call, guarded_calls

#: Calls that allow-list types for `weights_only` loading: code that uses them means
#: `torch.load` to run restricted, whatever the argument says by default.
_SAFE_GLOBALS = frozenset({"torch.serialization.safe_globals", "torch.serialization.add_safe_globals"})


class CheckpointLoadCollector(Collector):
    """`torch.load` calls that may unpickle arbitrary objects (`rules/knowledge/deserialization.yaml`,
    rule MLD402). Whether a missing `weights_only` is unsafe depends on the torch version the
    file runs with, which only the project phase knows (the manifests that cover it).

    A load without `weights_only` in an `except TypeError:` handler whose `try` passes it to a
    load is the fallback for a torch that has no such argument (and cannot restrict anything):
    the code asks for restricted loading wherever torch offers it, so it is not collected. A
    second unsafe load of the same file in the same def (a retry under `except
    ModuleNotFoundError:`, the other branch of a `map_location` choice) is the same fact: only
    the first is collected."""

    RULE = "MLD402"

    def __init__(self, ctx: FileContext) -> None:
        super().__init__()
        self.ctx = ctx
        self._specs = guarded_calls("deserialization", self.RULE)
        self._allow_listing = 0  # depth of enclosing `with torch.serialization.safe_globals(...)`
        self._module_allow_lists = False
        #: For each enclosing `try`: whether its body passes `weights_only` to a load, and
        #: whether the walk is in its handlers; and the depth of `except TypeError:` fallbacks.
        self._tries: list[list[bool]] = []
        self._fallbacks: list[bool] = []
        self.loads: list[tuple[cst.Call, Verdict, bool]] = []

    def visit_Try(self, node: cst.Try) -> None:
        self._tries.append([False, False])

    def leave_Try(self, original_node: cst.Try) -> None:
        self._tries.pop()

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        frame = self._tries[-1] if self._tries else [False, False]
        frame[1] = True  # the walk meets a try's body before its handlers
        self._fallbacks.append(frame[0] and _catches_type_error(node))

    def leave_ExceptHandler(self, original_node: cst.ExceptHandler) -> None:
        self._fallbacks.pop()

    def _is_safe_globals(self, item: cst.WithItem) -> bool:
        call = item.item
        return isinstance(call, cst.Call) and self.ctx.qualname(call.func) in _SAFE_GLOBALS

    def visit_With(self, node: cst.With) -> None:
        self._allow_listing += any(self._is_safe_globals(item) for item in node.items)

    def leave_With(self, original_node: cst.With) -> None:
        self._allow_listing -= any(self._is_safe_globals(item) for item in original_node.items)

    def visit_Call(self, node: cst.Call) -> None:
        name = self.ctx.qualname(node.func)
        if name == "torch.serialization.add_safe_globals":
            self._module_allow_lists = True
        spec = self._specs.get(name) if name else None
        if spec is None:
            return
        if self._tries and not self._tries[-1][1] and any(a.keyword and a.keyword.value == spec.keyword for a in node.args):
            self._tries[-1][0] = True  # the try asks for restricted loading
        verdict = check_guarded_call(self.ctx, node, spec)
        if verdict is not None:
            explicit = verdict.severity is None  # the deciding argument is written out
            if explicit or not (self._allow_listing or any(self._fallbacks)):
                self.loads.append((node, verdict, explicit))

    def located(self) -> list[cst.CSTNode]:
        return [node for node, _, _ in self.loads]

    def fill(self, facts: Facts, where: dict, module: cst.Module) -> None:
        files = own_files(self.ctx)  # after the walk, as `own_files` requires
        reported: dict[bool, set[tuple[int, str, str | None]]] = {True: set(), False: set()}  # an explicit False is its own fact
        for node, verdict, explicit in self.loads:
            if (explicit or not self._module_allow_lists) and files.first_load(node, reported[explicit]):
                span = where[node]
                site = Site(span.line, span.column, span.end_line, span.end_column, module.code_for_node(node)[:80])
                own = files.reads_own_file(node)
                facts.checkpoint_loads.append(CheckpointLoad(site, verdict.message, verdict.hint, explicit, own))


def _catches_type_error(handler: cst.ExceptHandler) -> bool:
    """`except TypeError:`, `except (TypeError, ValueError) as e:`."""
    kind = handler.type
    names = [e.value for e in kind.elements] if isinstance(kind, cst.Tuple) else [kind]
    return any(isinstance(n, cst.Name) and n.value == "TypeError" for n in names)
