"""The repository as project rules see it: every file's facts, merged, never re-parsed."""

from __future__ import annotations

import re
import posixpath
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import pathspec
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from mldebt.discover import FileKind, GitIgnores, is_test_path
from mldebt.extract.facts import CudaVersion, Facts, Image, IndexUrl, PipelineStage, Requirement, Site
from mldebt.project.demos import demo_files
from mldebt.project.reproducibility import TrainingRun, training_runs

if TYPE_CHECKING:
    from mldebt.project.rubric import Automation


@dataclass
class Project:
    #: path -> (file kind, facts), in path order.
    files: dict[str, tuple[str, Facts]]
    #: Every file of the tree git does not ignore (see `discover.Discovery.present`).
    present: frozenset[str] = frozenset()
    #: The tree's `.gitignore` files: where the repository keeps files out of git on purpose.
    git_ignores: GitIgnores = field(default_factory=GitIgnores)
    #: The data/model dependency graph (`mldebt.project.graph.build_graph`), set by the engine
    #: before project rules run.
    graph: Any = None
    #: (artifact pattern, consumer pattern) pairs declared in `[tool.mldebt]`.
    declared_consumers: tuple[tuple[str, str], ...] = ()
    #: spelling -> canonical hyperparameter name, shipped table plus `[tool.mldebt]` additions.
    hyperparameter_aliases: dict[str, str] = field(default_factory=dict)
    #: Gitignore-style patterns of files the config declares shipped (`[tool.mldebt] shipped`):
    #: never demo code, whatever the evidence says.
    shipped: tuple[str, ...] = ()

    def _each(self, attribute: str, include_tests: bool = True) -> Iterator[tuple[str, object]]:
        for path, (_, facts) in self.files.items():
            if include_tests or not is_test_path(path):
                for item in getattr(facts, attribute):
                    yield path, item

    def requirements(self) -> Iterator[tuple[str, Requirement]]:
        return self._each("requirements")  # type: ignore[return-value]

    def indexes(self) -> Iterator[tuple[str, IndexUrl]]:
        return self._each("indexes")  # type: ignore[return-value]

    def images(self) -> Iterator[tuple[str, Image]]:
        return self._each("images")  # type: ignore[return-value]

    def built_images(self) -> Iterator[tuple[str, str]]:
        return self._each("built_images")  # type: ignore[return-value]

    def cuda_versions(self) -> Iterator[tuple[str, CudaVersion]]:
        return self._each("cuda_versions")  # type: ignore[return-value]

    def unguarded_cuda_sites(self) -> Iterator[tuple[str, Site]]:
        return self._each("unguarded_cuda_sites", include_tests=False)  # type: ignore[return-value]

    def locked_names(self) -> set[str]:
        return {name for _, name in self._each("locked")}  # type: ignore[misc]

    def uses_cuda(self) -> bool:
        """Code outside tests puts work on a CUDA device."""
        return any(True for _ in self._each("cuda_sites", include_tests=False))

    def runs_on_cpu(self, near: str) -> bool:
        """Code of the same project as `near` (outside tests) checks for an accelerator, so
        that project is meant to run without one."""
        return any(
            self.files[path][1].runs_on_cpu for path in self.project_members(near) if not is_test_path(path)
        )

    def floor(self, path: str, package: str) -> Version | None:
        """The lowest version of `package` (a canonical name: `torch`, `pyyaml`) the manifests
        covering `path` allow: those of the deepest folder enclosing it that names the package
        (its own requirements before the repository's). None when they name none, or one of
        them leaves the lower end open."""
        folder = posixpath.dirname(path)
        by_folder = self._requirements_by_folder.get(_PACKAGE_ALIASES.get(package, package), {})
        enclosing = [f for f in by_folder if not f or folder == f or folder.startswith(f + "/")]
        if not enclosing:
            return None
        floors = [_lower_bound(r.specifier) for r in by_folder[max(enclosing, key=len)]]
        return None if any(f is None for f in floors) else min(floors)  # type: ignore[type-var]

    @cached_property
    def _requirements_by_folder(self) -> dict[str, dict[str, list[Requirement]]]:
        """Package -> folder -> its manifests' requirements of it (asked for every file that
        loads a checkpoint or a YAML file: built once, not a pass over every file's facts each
        time)."""
        by_package: dict[str, dict[str, list[Requirement]]] = defaultdict(lambda: defaultdict(list))
        for manifest, requirement in self.requirements():
            name = _PACKAGE_ALIASES.get(requirement.name, requirement.name)
            by_package[name][posixpath.dirname(manifest)].append(requirement)
        return by_package

    def module_file(self, importer: str, module: str) -> str | None:
        """The file a dotted module name (`exp.flags`, `.flags`) refers to, seen from `importer`.

        Relative names resolve from the importer's package. Absolute ones are looked up as
        Python would find them when the importer runs: from its own folder, then each folder
        above it (a script run from the repository root), each also with a `src/` layout. A name
        found nowhere there is a third-party module, even if some file deep in the tree has
        that name (`import evaluate` is Hugging Face's, not `benchmarks/evaluate.py`).
        Memoised per (folder, module): finding projects asks it for every import of every file.
        """
        return self.module_in(posixpath.dirname(importer), module)

    def module_in(self, folder: str, module: str) -> str | None:
        """The file a module name refers to for code running in `folder` (see `module_file`).
        An absolute name that names no file of the repository (most: `torch.nn`) is answered
        from the index alone, whatever the folder."""
        if not module.startswith(".") and module not in self._modules:
            return None
        key = (folder, module)
        if key not in self._module_files:
            self._module_files[key] = self._find_module(folder, module)
        return self._module_files[key]

    def stage_scripts(self, stage: PipelineStage) -> list[str]:
        """The files a pipeline stage runs: the scripts its command names (kept when the tree
        lacks them, so that the graph still shows the stage) and its `python -m` modules,
        found as imports are found (a `src/` layout included; `-m pkg` runs `pkg/__main__.py`).
        A module the tree does not hold (`python -m pip`) is not the repository's."""
        scripts = list(stage.scripts)
        for folder, dotted in stage.modules:
            found = self.run_module(folder, dotted)
            if found and found not in scripts:
                scripts.append(found)
        return scripts

    def run_module(self, folder: str, dotted: str) -> str | None:
        """The file `python -m dotted` runs from `folder`, found as imports are found: a module,
        or a package's `__main__.py`; None for a module the tree does not hold (`-m pip`)."""
        found = self.module_in(folder, dotted)
        if found and found.endswith("__init__.py"):
            main = found.removesuffix("__init__.py") + "__main__.py"
            return main if main in self.files else None
        return found

    @cached_property
    def _module_files(self) -> dict[tuple[str, str], str | None]:
        return {}

    def _find_module(self, folder: str, module: str) -> str | None:
        if module.startswith("."):
            dots = len(module) - len(module.lstrip("."))
            parts = folder.split("/") if folder else []
            if dots - 1 > len(parts):
                return None
            return self._module_at("/".join(parts[: len(parts) - dots + 1]), module.lstrip("."))
        # The roots Python would try, nearest first: the folder, its `src/`, then each folder
        # above with its `src/`. Only the files the name can mean are looked at (most imports
        # are third-party and name none), not every root.
        best: tuple[tuple[int, int, int], str] | None = None
        for root, path in self._modules.get(module, ()):
            rank = _root_rank(folder, root)
            if rank is not None:
                ranked = (*rank, not path.endswith("__init__.py"))  # `x.py` before `x/__init__.py`
                if best is None or ranked > best[0]:
                    best = (ranked, path)
        return best[1] if best else None

    @cached_property
    def _modules(self) -> dict[str, list[tuple[str, str]]]:
        """Dotted module name -> (root folder, file) for every root from which it names a
        file of the repository (`a/b/c.py` is `a.b.c` from ``, `b.c` from `a`, `c` from `a/b`)."""
        index: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for path in self.files:
            if path.endswith(".py"):
                parts = path[:-3].split("/")
                if parts[-1] == "__init__":
                    parts = parts[:-1]
                for start in range(len(parts)):
                    index[".".join(parts[start:])].append(("/".join(parts[:start]), path))
        return index

    def _module_at(self, root: str, module: str) -> str | None:
        if not module:
            return None
        base = f"{root}/{module.replace('.', '/')}" if root else module.replace(".", "/")
        for candidate in (base + ".py", base + "/__init__.py"):
            if candidate in self.files:
                return candidate
        return None

    # --- projects: which files belong together ---------------------------------------------

    def same_project(self, path_a: str, path_b: str) -> bool:
        """Whether two files belong to one project: one group (see `_projects`), or one of
        them reaches the other through any imports."""
        return self._related(path_a, path_b, _ANY_IMPORT)

    def same_configuration(self, path_a: str, path_b: str) -> bool:
        """Whether the hard-coded hyperparameters of two files configure one project: one
        reaches the other through imports that join or drive it. What a notebook or another
        package merely uses keeps its own values: a tutorial's threshold is not the library's
        numerical constant of that name."""
        return self._related(path_a, path_b, _CONFIGURES)

    def run_together(self, path_a: str, path_b: str) -> bool:
        """Whether one run can load both modules: one imports the other, directly or through
        others, or some file (an entry point, a module) imports both. Belonging to one package
        is not that evidence: a template's alternative models (`models/keras/constants.py`,
        `models/estimator/constants.py`, one picked by a setting) are never loaded together."""
        return not self._importers(path_a).isdisjoint(self._importers(path_b))

    def _importers(self, path: str) -> frozenset[str]:
        """`path` and every file that reaches it through imports, directly or through others
        (memoised: rules ask for every pair of files)."""
        if path not in self._importers_of:
            imported_by = self._imported_by
            seen, stack = {path}, [path]
            while stack:
                for importer in imported_by.get(stack.pop(), ()):
                    if importer not in seen:
                        seen.add(importer)
                        stack.append(importer)
            self._importers_of[path] = frozenset(seen)
        return self._importers_of[path]

    def imported(self, path: str) -> bool:
        """Whether code of the project other than tests imports the module `path`: a library
        module, not (only) a script."""
        return any(not is_test_path(importer) for importer in self._imported_by.get(path, ()))

    @cached_property
    def _importers_of(self) -> dict[str, frozenset[str]]:
        return {}

    @cached_property
    def _imported_by(self) -> dict[str, set[str]]:
        """Module file -> the files that import it, file by file (not group by group)."""
        imported_by: dict[str, set[str]] = defaultdict(set)
        for importer, _, target in self._file_imports:
            imported_by[target].add(importer)
        return imported_by

    def project_members(self, path: str) -> list[str]:
        """The code files of the codebase `path` belongs to (`path` included): its group and
        every group linked to it by joining imports, either way (scripts that share a helper
        module share its device handling), but not the packages it uses or drives: a library's
        own device checks say nothing about an example that uses it."""
        groups = self._projects[0]
        start = groups.get(path, path)
        if start not in self._codebases:
            linked = self._joined_either_way
            seen, stack = {start}, [start]
            while stack:
                for other in linked.get(stack.pop(), set()) - seen:
                    seen.add(other)
                    stack.append(other)
            members = sorted(p for group in seen for p in self._group_members.get(group, ())) or [path]
            for group in seen:
                self._codebases[group] = members
        return self._codebases[start]

    def related_projects(self, path: str) -> list[str]:
        """The projects `same_project` relates to `path`: its group, those it reaches through
        imports and those that reach it (a script importing a package, its tests), each named
        by a key that `project_members` takes. Keys, not files: a package used by hundreds of
        scripts is one key for each of them, not a copy of its files."""
        key = self._projects[0].get(path, path)
        return sorted({key} | self._reach(_ANY_IMPORT, key) | {
            group for group in self._projects[1] if key in self._reach(_ANY_IMPORT, group)
        })

    def standalone(self, path: str) -> bool:
        """Whether a code file stands alone: in no group with other files (see `_projects`)
        and imported by none. What such a script builds, only it can run."""
        groups = self._projects[0]
        group = groups.get(path, path)
        return self._group_sizes.get(group, 1) == 1 and group not in self._imported_groups

    @cached_property
    def _group_sizes(self) -> Counter[str]:
        return Counter(self._projects[0].values())

    @cached_property
    def _group_members(self) -> dict[str, list[str]]:
        """Group -> its code files (asked for each codebase: not a pass over every file each time)."""
        members: dict[str, list[str]] = defaultdict(list)
        for path, group in self._projects[0].items():
            members[group].append(path)
        return members

    @cached_property
    def _imported_groups(self) -> set[str]:
        return {target for imports in self._projects[1].values() for _, target in imports}

    @cached_property
    def _codebases(self) -> dict[str, list[str]]:
        return {}

    @cached_property
    def _joined_either_way(self) -> dict[str, set[str]]:
        linked: dict[str, set[str]] = defaultdict(set)
        for importer, imports in self._projects[1].items():
            for kind, target in imports:
                if kind == "joins":
                    linked[importer].add(target)
                    linked[target].add(importer)
        return linked

    def _related(self, path_a: str, path_b: str, kinds: frozenset[str]) -> bool:
        groups = self._projects[0]
        a, b = groups.get(path_a, path_a), groups.get(path_b, path_b)
        return a == b or b in self._reach(kinds, a) or a in self._reach(kinds, b)

    def _reach(self, kinds: frozenset[str], start: str) -> set[str]:
        """The groups `start` reaches through imports of those kinds, directly or through
        others (see `_projects`). Memoised: rules ask for every pair of files."""
        key = (kinds, start)
        if key not in self._reached:
            imports = self._projects[1]
            seen: set[str] = set()
            stack = [start]
            while stack:
                for kind, target in imports.get(stack.pop(), ()):
                    if kind in kinds and target not in seen and target != start:
                        seen.add(target)
                        stack.append(target)
            self._reached[key] = seen
        return self._reached[key]

    @cached_property
    def _reached(self) -> dict[tuple[frozenset[str], str], set[str]]:
        return {}

    @cached_property
    def _projects(self) -> tuple[dict[str, str], dict[str, set[tuple[str, str]]]]:
        """Code file -> a representative of its group, and group -> the (kind, group) pairs
        of its imports.

        A group is a set of files with evidence of being one project: modules of one Python
        package (folders with `__init__.py`), scripts that read one config file (or that a
        config names, as hydra `_target_` values do), or that one pipeline (`dvc.yaml`) runs.
        Sharing a folder is not evidence: a collection of examples or tutorials keeps
        independent scripts side by side. An import is evidence in one direction only: the
        importer belongs with what it imports, but two files that import one helper are not
        one project for that (a star is not a clique): independent examples of a library all
        import the library, and course chapters all import the course's helpers.

        Imports are of three kinds. A module importing a plain module (no package) *joins*
        it. A script outside packages importing a package *drives* it (`finetune.py` runs the
        project's package with its own hyperparameters), but the package's own device checks
        say nothing about the script. A notebook, or a package importing another package,
        *uses* it: a tutorial of a library, a tool built on it.
        """
        parent: dict[str, str] = {}

        def find(item: str) -> str:
            parent.setdefault(item, item)
            while parent[item] != item:
                parent[item] = parent[parent[item]]
                item = parent[item]
            return item

        def union(a: str, b: str) -> None:
            root_a, root_b = find(a), find(b)
            if root_a != root_b:
                parent[max(root_a, root_b)] = min(root_a, root_b)

        code = [path for path, (kind, _) in self.files.items() if kind in FileKind.CODE]
        for path in code:
            find(path)
            kind, facts = self.files[path]
            package = self._package_root(path)
            if package is not None:
                union(path, "package:" + package)
            for access in facts.data_access:
                if access.mode == "read" and _CONFIG_SUFFIX.search(access.path) and access.path in self.present:
                    union(path, "config:" + access.path)
        for path, (kind, facts) in self.files.items():
            scripts = [s for stage in facts.pipeline_stages for s in self.stage_scripts(stage) if s in self.files]
            for script in scripts[1:]:
                union(scripts[0], script)
            if kind == FileKind.CONFIG:
                for target in self._modules_named(path, facts):
                    union("config:" + path, target)
        imports: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for importer, kind, target in self._file_imports:
            if find(importer) != find(target):
                imports[find(importer)].add((kind, find(target)))
        return {path: find(path) for path in code}, dict(imports)

    @cached_property
    def _file_imports(self) -> list[tuple[str, str, str]]:
        """(importer, kind, module file) for every import of a code file that names a file of
        the repository (kinds: see `_projects`)."""
        imported = []
        for path, (kind, facts) in self.files.items():
            if kind not in FileKind.CODE:
                continue
            package, folder = self._package_root(path), posixpath.dirname(path)
            for site in facts.imports:
                target = self.module_in(folder, site.module)  # `module_file`, the folder taken once
                if target is not None and target != path:
                    imported.append((path, _import_kind(kind, package, self._package_root(target)), target))
        return imported

    def _modules_named(self, path: str, facts: Facts) -> Iterator[str]:
        """Modules of the repository a config file names in its values
        (`target: ldm.models.diffusion.ddpm.LatentDiffusion`, `_target_: src.models.Net`)."""
        for key in facts.config_keys:
            if key.text and _DOTTED.match(key.text):
                parts = key.text.split(".")
                found = self.module_file(path, ".".join(parts)) or self.module_file(path, ".".join(parts[:-1]))
                if found:
                    yield found

    def _package_root(self, path: str) -> str | None:
        """The outermost folder of the package a module belongs to, or None outside packages
        (memoised: asked for every import of every file)."""
        if path not in self._package_roots:
            self._package_roots[path] = self._find_package_root(path)
        return self._package_roots[path]

    @cached_property
    def _package_roots(self) -> dict[str, str | None]:
        return {}

    def _find_package_root(self, path: str) -> str | None:
        if not path.endswith(".py"):
            return None
        folder, root = posixpath.dirname(path), None
        while folder and posixpath.join(folder, "__init__.py") in self.files:
            root, folder = folder, posixpath.dirname(folder)
        return root

    def kind(self, path: str) -> str:
        return self.files[path][0]

    @cached_property
    def names_read(self) -> frozenset[str]:
        """Every identifier the repository's code or configs mention outside a definition:
        names, attributes, keywords, parameters, identifiers in strings, `${interpolations}`
        (computed once: three rules ask)."""
        facts = [facts for _, facts in self.files.values()]
        return frozenset().union(*(f.names_used for f in facts), *(f.strings_used for f in facts))

    @cached_property
    def config_loaders(self) -> dict[str, list[str]]:
        """Config file -> the code files that load it (`mldebt.project.configs.config_loaders`),
        over every config file: computed once, MLD204 and MLD207 ask."""
        from mldebt.project.configs import config_loaders  # configs reads projects: imported on use

        return config_loaders(self, {path for path, (kind, _) in self.files.items() if kind == FileKind.CONFIG})

    @cached_property
    def automation(self) -> Automation:
        """Which files run without a person (CI steps, DVC stages, tests CI runs, and what they
        import): `mldebt.project.rubric`'s reading, computed once for the rubric and the rules."""
        from mldebt.project.rubric import Automation  # the rubric reads projects: imported on use

        return Automation(self)

    @cached_property
    def image_homes(self) -> frozenset[str]:
        """Home folders of the accounts of the images the repository's Dockerfiles build
        (`/home/app`): folders of every container of the image, no developer's machine."""
        return frozenset(home for _, (_, facts) in self.files.items() for home in facts.image_homes)

    def demo(self, path: str) -> str | None:
        """The kind of demo code `path` is (`mldebt.project.demos`: a notebook nothing runs, an
        example of a package shipped from elsewhere), or None for code the project ships or runs
        (or that the config declares `shipped`)."""
        return self._demos.get(path)

    @cached_property
    def _demos(self) -> dict[str, str]:
        shipped = pathspec.GitIgnoreSpec.from_lines(list(self.shipped))
        return {path: kind for path, kind in demo_files(self).items() if not shipped.match_file(path)}

    @cached_property
    def training_runs(self) -> list[TrainingRun]:
        """The entry points that train, with the randomness and seeds of the code they reach
        (`mldebt.project.reproducibility`); computed once, shared by rules and the rubric."""
        return training_runs(self)


_CONFIGURES = frozenset({"joins", "drives"})
_ANY_IMPORT = frozenset({"joins", "drives", "uses"})


def _import_kind(importer_kind: str, importer_package: str | None, target_package: str | None) -> str:
    """How an import relates two files (see `Project._projects`)."""
    if importer_kind == FileKind.NOTEBOOK:
        return "uses"
    if target_package in (None, importer_package):
        return "joins"
    return "drives" if importer_package is None else "uses"


#: Other names a package is declared under (conda's `pytorch`).
_PACKAGE_ALIASES = {"pytorch": "torch"}


def _lower_bound(specifier: str) -> Version | None:
    """`2.6` for `>=2.6,<3`, `==2.6.*` or `~=2.6.0`; None for an open lower end or a bad spec."""
    try:
        specs = SpecifierSet(specifier.replace("=", "==", 1) if re.match(r"^=[^=]", specifier) else specifier)
    except InvalidSpecifier:
        return None
    bounds = []
    for spec in specs:
        if spec.operator in (">=", ">", "==", "~=", "==="):
            try:
                bounds.append(Version(spec.version.removesuffix(".*")))
            except InvalidVersion:
                return None
    return max(bounds) if bounds else None


_DOTTED = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$")
_CONFIG_SUFFIX = re.compile(r"\.(ya?ml|toml|cfg|ini)$")


#: Top-level folders that hold independent projects side by side (two examples, two Docker
#: images, two book chapters), as opposed to one project's `src/`, `scripts/`, `notebooks/`.
_COLLECTIONS = re.compile(
    r"^(examples?|docker|dockers|containers|projects|research_projects|tutorials?|benchmarks?|"
    r"contrib|community|recipes|demos?|ch\d+|chapter\d*|appendix.*)$",
    re.IGNORECASE,
)


def related(path_a: str, path_b: str) -> bool:
    """Whether one manifest applies where another does: one's folder encloses the other's,
    or both live in the repository's own top-level folders (`src/` and `notebooks/`). For
    code files, `Project.same_project` asks for evidence instead.

    A repository's root requirements apply to its `docker/` images, but two sibling example
    folders (`examples/a/`, `examples/b/`) or two images (`docker/cpu/`, `docker/cuda12/`) are
    independent and may differ on purpose. CI workflows count as the root.
    """
    folder_a = path_a.rsplit("/", 1)[0] if "/" in path_a else ""
    folder_b = path_b.rsplit("/", 1)[0] if "/" in path_b else ""
    if folder_a.startswith(".github") or folder_b.startswith(".github"):
        folder_a = "" if folder_a.startswith(".github") else folder_a
        folder_b = "" if folder_b.startswith(".github") else folder_b
    if _encloses(folder_a, folder_b) or _encloses(folder_b, folder_a):
        return True
    top_a, top_b = folder_a.split("/", 1)[0], folder_b.split("/", 1)[0]
    return top_a != top_b and not _COLLECTIONS.match(top_a) and not _COLLECTIONS.match(top_b)


def _encloses(outer: str, inner: str) -> bool:
    return outer == "" or inner == outer or inner.startswith(outer + "/")


def _root_rank(folder: str, root: str) -> tuple[int, int] | None:
    """Where `root` comes in the roots an absolute import from `folder` tries (higher first):
    `folder` itself and each folder above it by depth, each before its own `src/`; None when
    it is not tried."""
    if _encloses(root, folder):
        return root.count("/") + bool(root), 1
    if root == "src" or root.endswith("/src"):
        parent = root[:-4]
        if _encloses(parent, folder):
            return parent.count("/") + bool(parent), 0
    return None
