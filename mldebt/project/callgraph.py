"""The repository's call graph, over facts: which functions (of which files) a run reaches.

Nodes are (path, function) pairs, `function` as in `FunctionCalls` ('' for a module's top-level
code). A call resolves to the repository's own code through the names the file recorded:
an imported qualified name (`pkg.utils.init_seeds`, `.utils.init_seeds`), a bare name the
module defines or star-imports, `Class.method` for `self.method()`. Reaching a class reaches
its methods and its bases; reaching a function reaches its module's top-level code (importing
the module runs it), and that reaches the modules it imports. Names passed as arguments count
as calls (callbacks), except at the top level of an imported module, where passing a class or
function registers it rather than running it. Calls on objects of unknown type
(`trainer.fit()`) resolve to nothing: the graph under-approximates what runs.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from mldebt.discover import FileKind
from mldebt.project.closures import Closures, Numbering

if TYPE_CHECKING:
    from mldebt.project.model import Project

Node = tuple[str, str]

#: Bytes of shared closures kept between runs' questions; past it they are dropped and computed
#: again as asked (diffusers: 5 MB for 262 entry points over 10,000 functions). A closure is a
#: bit per function that has been reached, so a pathological graph (long chains of distinct
#: functions) could otherwise hold (functions x components) / 8 bytes.
CLOSURES_BUDGET = 64 * 2**20


def _folder(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else ""


class CallGraph:
    def __init__(self, project: Project) -> None:
        #: path -> function -> recorded call names
        self.functions: dict[str, dict[str, tuple[str, ...]]] = {}
        self.imports: dict[str, list[str]] = {}
        #: path -> function -> names passed as arguments
        self.references: dict[str, dict[str, tuple[str, ...]]] = {}
        #: dotted module name (any suffix of a file's module path) -> files it may name
        self._modules: dict[str, list[str]] = defaultdict(list)
        for path, (kind, facts) in project.files.items():
            if kind not in FileKind.CODE:
                continue
            self.functions[path] = {c.function: c.calls for c in facts.function_calls}
            self.references[path] = {c.function: c.references for c in facts.function_calls}
            self.imports[path] = facts.imported_modules
            if kind == FileKind.PYTHON and path.endswith(".py"):
                parts = path[:-3].split("/")
                if parts[-1] == "__init__":
                    parts = parts[:-1]
                for start in range(len(parts)):
                    self._modules[".".join(parts[start:])].append(path)
        self._resolved: dict[tuple[str, str], tuple[Node, ...]] = {}
        self._module_of: dict[tuple[str, str], str | None] = {}
        self._imported: dict[tuple[str, str], str | None] = {}
        self._import_index: dict[str, tuple[dict[str, str], tuple[str, ...]]] = {}
        self._import_homes: dict[str, tuple[str, ...]] = {}
        #: path -> class -> its methods (`Class.method`, `Class.method.inner`): what reaching
        #: the class reaches, indexed once per file rather than scanned for per class
        self._members: dict[str, dict[str, list[str]]] = {}
        self._expanded: dict[Node, list[Node]] = {}
        self._successors: dict[tuple[Node, bool], tuple[Node, ...]] = {}
        #: what runs reach, shared between them (`mldebt.project.closures`): the whole graph's
        #: closures under None, those of the graph without a script's top level under that node
        self.numbering = Numbering()
        self._closures: dict[Node | None, Closures] = {
            None: Closures(self._run_successors, self.numbering),
        }

    def module_file(self, importer: str, module: str) -> str | None:
        """The file of a module as `importer` would import it: relative names from its package;
        absolute ones from the nearest folder above `importer` that holds them, else the only
        file the name can mean. Memoised per (folder, module): every file of a package asks
        for the same imports. An absolute name that can mean one file or none (most are
        third-party: `torch.nn`) is answered from the index alone, whatever the folder."""
        if not module.startswith("."):
            candidates = self._modules.get(module)
            if candidates is None or len(candidates) == 1:
                return candidates[0] if candidates else None
        key = (_folder(importer), module)
        if key not in self._module_of:
            self._module_of[key] = self._find_module(*key)
        return self._module_of[key]

    def _find_module(self, here: str, module: str) -> str | None:
        """`module_file` for an importer in the folder `here`."""
        if module.startswith("."):
            dots = len(module) - len(module.lstrip("."))
            package = here.split("/") if here else []
            base = package[: max(0, len(package) - dots + 1)]  # `.` is the importer's own package
            name = module.lstrip(".")
            target = "/".join(base + (name.split(".") if name else []))
            for candidate in (f"{target}.py", f"{target}/__init__.py"):
                if candidate in self.functions:
                    return candidate
            return None
        candidates = self._modules.get(module, [])
        if len(candidates) <= 1:
            return candidates[0] if candidates else None
        depth = len(module.split("."))
        best: tuple[int, str] | None = None
        for candidate in candidates:
            root = candidate[:-3].split("/")
            root = root[: len(root) - depth - (root[-1] == "__init__")]
            root_folder = "/".join(root)
            if root_folder == "" or here == root_folder or here.startswith(root_folder + "/"):
                if best is None or len(root_folder) > best[0]:
                    best = (len(root_folder), candidate)
        return best[1] if best else None

    def resolve(self, path: str, name: str) -> tuple[Node, ...]:
        """The repository functions a recorded call name in `path` can mean (none if external)."""
        key = (path, name)
        if key not in self._resolved:
            self._resolved[key] = ()  # guards re-export cycles
            self._resolved[key] = tuple(self._resolve(path, name, 0))
        return self._resolved[key]

    def _resolve(self, path: str, name: str, depth: int) -> list[Node]:
        functions = self.functions.get(path, {})
        if name in functions:
            return [(path, name)]
        head = name.split(".", 1)[0]
        if "." in name and head and head in functions:
            return [(path, head)]  # `self.method()` inherited: the class reaches its bases
        if "." not in name:
            for star in self._imports_of(path)[1]:
                home = self.module_file(path, star[1:])
                if home and name in self.functions[home]:
                    return [(home, name)]
            return []
        parts = name.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            home = self.module_file(path, ".".join(parts[:cut]))
            if home is None:
                continue
            rest = ".".join(parts[cut:])
            if rest in self.functions[home]:
                return [(home, rest)]
            first = parts[cut]
            imported = self._imports_of(home)[0].get(first)  # re-exported: `from .seeding import init_seeds`
            if imported is not None and depth < 5:
                return self._resolve(home, imported + rest[len(first):], depth + 1)
            return []
        return []

    def _imports_of(self, path: str) -> tuple[dict[str, str], tuple[str, ...]]:
        """A file's imports by the name they bind (the first import of each name) and its star
        imports, indexed once: a package's `__init__` re-exports hundreds of names, and every
        call through it looked through all of them."""
        if path not in self._import_index:
            by_name: dict[str, str] = {}
            for imported in self.imports.get(path, ()):
                by_name.setdefault(imported.rsplit(".", 1)[-1], imported)
            stars = tuple(m for m in self.imports.get(path, ()) if m.startswith("*"))
            self._import_index[path] = (by_name, stars)
        return self._import_index[path]

    def imported_module(self, path: str, imported: str) -> str | None:
        """The repository file an entry of `imported_modules` names: the module itself, or
        the module of an imported function or class (`pkg.utils.init_seeds`). Memoised per
        folder (see `module_file`): the scripts a run starts in and every module's top level
        ask for the same imports."""
        key = (_folder(path), imported)
        if key not in self._imported:
            self._imported[key] = self._imported_file(path, imported)
        return self._imported[key]

    def _imported_file(self, path: str, imported: str) -> str | None:
        module = imported.lstrip("*")
        home = self.module_file(path, module)
        if home is None and "." in module.lstrip("."):
            home = self.module_file(path, module.rsplit(".", 1)[0])
        return home

    def import_homes(self, path: str) -> tuple[str, ...]:
        """The repository files `path`'s imports name (`imported_module`), in import order,
        repeats kept. Memoised per file: a module's top level reaches them in every run's walk,
        and `imported_files` asks for every file's."""
        if path not in self._import_homes:
            self._import_homes[path] = tuple(
                home for imported in self.imports.get(path, ()) if (home := self.imported_module(path, imported)) is not None
            )
        return self._import_homes[path]

    def imported_files(self) -> set[str]:
        """Files some other file of the repository imports: libraries, not scripts."""
        return {home for path in self.imports for home in self.import_homes(path) if home != path}

    def _expand(self, node: Node) -> list[Node]:
        """What reaching `node` reaches besides its calls: a class's methods, the module's top
        level (memoised: every training run's walk expands the same shared modules)."""
        if node not in self._expanded:
            self._expanded[node] = self._expansion(node)
        return self._expanded[node]

    def _expansion(self, node: Node) -> list[Node]:
        path, function = node
        if not function:
            return [(home, "") for home in self.import_homes(path)]
        reached = [(path, "")]
        if "." not in function:
            reached += [(path, member) for member in self._members_of(path).get(function, ())]
        return reached

    def _members_of(self, path: str) -> dict[str, list[str]]:
        if path not in self._members:
            members: dict[str, list[str]] = defaultdict(list)
            for function in self.functions[path]:
                owner, dot, _ = function.partition(".")
                if dot:
                    members[owner].append(function)
            self._members[path] = members
        return self._members[path]

    def successors(self, node: Node, with_references: bool) -> tuple[Node, ...]:
        """The repository functions reaching `node` reaches next: what it expands to, what it
        calls and, `with_references`, the callbacks it hands over (memoised: every training
        run's walk crosses the same shared modules)."""
        key = (node, with_references)
        if key not in self._successors:
            path, function = node
            names = list(self.functions.get(path, {}).get(function, ()))
            if with_references:
                names += self.references.get(path, {}).get(function, ())
            nexts = list(self._expand(node))
            for name in names:
                nexts += self.resolve(path, name)
            self._successors[key] = tuple(n for n in dict.fromkeys(nexts) if n[1] in self.functions.get(n[0], {}))
        return self._successors[key]

    def reach(self, start: Node, around: Node | None = None) -> int:
        """Every node a run starting at `start` can reach (including `start`), not going
        through `around` (the top level of a script that is already running), as a bit set of
        `self.numbering`. Callbacks a reached function hands over run; what an imported module's
        top level passes (`register(Model)`) only registers, except at the top level of the
        file the run starts in: that one node's extra edges are added to the shared closures."""
        if around == start:
            around = None
        if sum(c.size for c in self._closures.values()) > CLOSURES_BUDGET:
            for kept in self._closures.values():
                kept.forget()
        closures = self._closures_without(around)
        reached = closures.of(start)
        top = (start[0], "")
        if top != around and self.numbering.holds(reached, top):
            for nxt in self.successors(top, True):
                if nxt != around:
                    reached |= closures.of(nxt)
        return reached

    def _closures_without(self, around: Node | None) -> Closures:
        if around not in self._closures:
            self._closures[around] = Closures(self._run_successors, self.numbering, around, self._closures[None])
        return self._closures[around]

    def _run_successors(self, node: Node) -> tuple[Node, ...]:
        """What a run reaches next from `node` anywhere but at the top level of its own file."""
        return self.successors(node, bool(node[1]))
