"""`[tool.mldebt]` (pyproject.toml) or `mldebt.toml`, validated once into frozen `Settings`.

Unknown keys, rule ids and option names are errors with a suggestion, never silence: a typo in
an `ignore` list that silently ignores nothing is how a linter loses its users' trust.
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import hashlib
import json
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mldebt.bounded_read import ReadRefused, read_bounded
from mldebt.discover import gitignore_spec
from mldebt.knowledge import load_table
from mldebt.registry import SelectorError, all_rules, resolve_selector, rule_by_id
from mldebt.rule import Severity

CONFIG_FILES = ("mldebt.toml", "pyproject.toml")


class ConfigError(ValueError):
    """Invalid configuration; the message names the file and the key."""


@dataclass(frozen=True)
class Settings:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    #: Gitignore-style patterns of folders that are the project's own code whatever the
    #: vendored-code evidence says (`mldebt.vendored`): scanned like the rest.
    own_code: tuple[str, ...] = ()
    #: Gitignore-style patterns of files that are shipped code whatever the demo-code evidence
    #: says (`mldebt.project.demos`): a team whose notebooks are its product lists them here.
    shipped: tuple[str, ...] = ()
    #: (glob, selectors) pairs: rules not reported for files matching the glob.
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    fail_on: Severity = Severity.WARNING
    #: (rule id, ((option, value), ...)) pairs, validated against each rule's `Options`.
    rule_options: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = ()
    #: A team's own hyperparameter APIs, `[tool.mldebt.hyperparameters]`, as JSON text (kept
    #: hashable and picklable); merged over `rules/knowledge/hyperparameters.yaml`.
    hyperparameters: str = "{}"
    #: A team's own IO functions, `[tool.mldebt.data-io]`, as JSON text; merged over
    #: `rules/knowledge/data_io.yaml`.
    data_io: str = "{}"
    #: (artifact pattern, consumer path pattern) pairs the repository declares outside dvc.yaml.
    declared_consumers: tuple[tuple[str, str], ...] = ()
    #: A team's own training and seeding APIs, `[tool.mldebt.reproducibility]`, as JSON text;
    #: merged over `rules/knowledge/reproducibility.yaml`.
    reproducibility: str = "{}"
    #: `baseline = ".mldebt-baseline.json"`, resolved against the config file's folder. It
    #: filters the report after the scan, so it is not part of `digest()`.
    baseline: str | None = None
    #: ML Test Score tests the team attests: (test id, (level, reason)) pairs, only for tests
    #: mldebt cannot assess from the code.
    attest: tuple[tuple[str, tuple[str, str]], ...] = ()
    #: Exit 1 when the ML Test Score is below this.
    min_score: float | None = None

    def data_io_table(self) -> dict:
        """The shipped IO knowledge with this repository's own readers and writers merged in."""
        table = copy.deepcopy(load_table("data_io"))
        extra = json.loads(self.data_io)
        table["calls"].update(extra.get("calls", {}))
        table["methods"].update(extra.get("methods", {}))
        return table

    def hyperparameter_table(self) -> dict:
        """The shipped hyperparameter knowledge with this repository's additions merged in."""
        table = copy.deepcopy(load_table("hyperparameters"))
        extra = json.loads(self.hyperparameters)
        for name, aliases in extra.get("aliases", {}).items():
            table["aliases"].setdefault(name, []).extend(a.lower() for a in aliases)
        for group, entry in extra.get("calls", {}).items():
            table["calls"][f"user:{group}"] = entry
        for method, keywords in extra.get("methods", {}).items():
            table["methods"].setdefault(method, []).extend(keywords)
        return table

    def reproducibility_table(self) -> dict:
        """The shipped reproducibility knowledge with this repository's training and seeding
        calls merged in."""
        table = copy.deepcopy(load_table("reproducibility"))
        extra = json.loads(self.reproducibility)
        table["training"]["calls"] += extra.get("training-calls", [])
        table["training"]["methods"] += extra.get("training-methods", [])
        table["seeds"].update(extra.get("seeds", {}))
        return table

    def enabled_rule_ids(self) -> frozenset[str]:
        ids = {r.id for r in all_rules()}
        if self.select:
            ids = set().union(*(resolve_selector(s) for s in self.select))
        for selector in self.ignore:
            ids -= resolve_selector(selector)
        return frozenset(ids)

    def options_for(self, rule_id: str) -> Any:
        rule = rule_by_id(rule_id)
        overrides = dict(dict(self.rule_options).get(rule_id, ()))
        return rule.Options(**overrides)

    def file_phase_digest(self) -> str:
        """A hash of the settings that can change a file's own results (the cache's key):
        all of them but those only discovery, the project phase or the exit code read, and
        the selection as the rule ids it enables."""
        data = dataclasses.asdict(self)
        after_scan = ("baseline",)  # a filter over the finished report
        for project_only in ("exclude", "own_code", "shipped", "declared_consumers", "fail_on", "select", "ignore", "attest", "min_score", *after_scan):
            del data[project_only]
        data["enabled"] = sorted(self.enabled_rule_ids())
        text = json.dumps(data, sort_keys=True, default=str)
        return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()

    def digest(self) -> str:
        """A stable hash of everything that changes results (for caches and JSON output). Settings
        left at their defaults are not part of it, so that a new setting changes no digest."""
        default = dataclasses.asdict(Settings())
        data = {k: v for k, v in dataclasses.asdict(self).items() if v != default[k]}
        data["fail_on"] = self.fail_on.label
        for gate in ("baseline", "min_score"):  # applied after the scan
            data.pop(gate, None)
        text = json.dumps(data, sort_keys=True, default=str)
        return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


_KEYS = {
    "select", "ignore", "exclude", "own-code", "shipped", "per-file-ignores", "fail-on", "rules", "hyperparameters", "declared-consumers",
    "data-io", "reproducibility", "baseline", "attest", "min-score",
}
_GENERATORS = ("python", "numpy", "torch", "tensorflow")


def _data_io(where: str, table: Any) -> str:
    """Validate `[tool.mldebt.data-io]`: `calls` (qualified names) and `methods` (method names),
    each mapping to `{mode = "read"|"write", path = [keyword, position]}`."""
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where} must be a table")
    result: dict[str, dict] = {}
    for section in table:
        if section not in ("calls", "methods"):
            raise ConfigError(f"{where}: unknown key `{section}`{_suggest(section, ['calls', 'methods'])}")
        result[section] = {}
        for name, entry in _table(f"{where}.{section}", table[section]).items():
            path = entry.get("path") if isinstance(entry, Mapping) else None
            valid_path = (
                isinstance(path, list) and len(path) == 2 and isinstance(path[0], str)
                and isinstance(path[1], int) and not isinstance(path[1], bool)
            )
            if not isinstance(entry, Mapping) or entry.get("mode") not in ("read", "write") or not valid_path:
                raise ConfigError(f'{where}.{section}."{name}" must be {{mode = "read"|"write", path = [keyword, position]}}')
            result[section][name] = {"mode": entry["mode"], "path": path}
    return json.dumps(result, sort_keys=True)


def _reproducibility(where: str, table: Any) -> str:
    """Validate `[tool.mldebt.reproducibility]`: `training-calls` and `training-methods` (lists
    of qualified calls and method names that train), `seeds = {"qualified.call" = [generators]}`."""
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where} must be a table")
    keys = ["training-calls", "training-methods", "seeds"]
    for key in table:
        if key not in keys:
            raise ConfigError(f"{where}: unknown key `{key}`{_suggest(key, keys)}")
    result: dict[str, Any] = {k: list(_string_list(f"{where}.{k}", table[k])) for k in keys[:2] if k in table}
    seeds = table.get("seeds", {})
    if not isinstance(seeds, Mapping):
        raise ConfigError(f"{where}.seeds must be a table of call = [generators]")
    for call, generators in seeds.items():
        generators = _string_list(f'{where}.seeds."{call}"', generators)
        unknown = [g for g in generators if g not in _GENERATORS]
        if unknown:
            raise ConfigError(
                f'{where}.seeds."{call}": unknown generator `{unknown[0]}` (known: {", ".join(_GENERATORS)})'
            )
        result.setdefault("seeds", {})[call] = list(generators)
    return json.dumps(result, sort_keys=True)


def _declared_consumers(where: str, value: Any) -> tuple[tuple[str, str], ...]:
    """`declared-consumers = [{artifact = "models/*.pt", consumer = "src/serve.py"}]`."""
    if not isinstance(value, list):
        raise ConfigError(f"{where} must be a list of {{artifact = ..., consumer = ...}} tables")
    pairs = []
    for entry in value:
        if not isinstance(entry, Mapping) or set(entry) != {"artifact", "consumer"} or not all(
            isinstance(v, str) for v in entry.values()
        ):
            raise ConfigError(f"{where}: each entry needs exactly `artifact` and `consumer` (strings)")
        pairs.append((entry["artifact"], entry["consumer"]))
    return tuple(pairs)


def _attest(where: str, table: Any) -> tuple[tuple[str, tuple[str, str]], ...]:
    """`"M4" = { level = "manual", reason = "staleness study 2026-Q1, wiki" }`, only for the
    ML Test Score tests mldebt cannot assess: an attestation must never hide missing evidence."""
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where} must be a table of test id = {{ level = ..., reason = ... }}")
    tests = load_table("ml_test_score")["tests"]
    result = []
    for test_id, entry in sorted(table.items()):
        if test_id not in tests:
            raise ConfigError(f"{where}: unknown test `{test_id}`{_suggest(test_id, list(tests))} (tests: D1-D7, M1-M7, I1-I7, MO1-MO7)")
        if "why_not" not in tests[test_id]:
            raise ConfigError(
                f"{where}: `{test_id}` ({tests[test_id]['title']}) is assessed from the code and cannot be attested; "
                f"remove the attestation and let `mldebt score` find the evidence"
            )
        if not isinstance(entry, Mapping) or set(entry) != {"level", "reason"}:
            raise ConfigError(f'{where}.{test_id} must be {{ level = "manual"|"automated", reason = "..." }}')
        if entry["level"] not in ("manual", "automated"):
            raise ConfigError(f'{where}.{test_id}.level must be "manual" or "automated", not `{entry["level"]}`')
        if not isinstance(entry["reason"], str) or not entry["reason"].strip():
            raise ConfigError(f"{where}.{test_id}.reason must say where the evidence is (a non-empty string)")
        result.append((test_id, (entry["level"], entry["reason"].strip())))
    return tuple(result)


def parse_min_score(where: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 28:
        raise ConfigError(f"{where} must be a number from 0 to 28 (the ML Test Score), not `{value!r}`")
    return float(value)


def _hyperparameters(where: str, table: Any) -> str:
    """Validate `[tool.mldebt.hyperparameters]`: `aliases = {name = [spellings]}`,
    `[...calls.<group>] calls = [qualified names], arguments = {keyword = position or -1}`,
    `methods = {name = [keywords]}`."""
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where} must be a table")
    for key in table:
        if key not in ("aliases", "calls", "methods"):
            raise ConfigError(f"{where}: unknown key `{key}`{_suggest(key, ['aliases', 'calls', 'methods'])}")
    for name, aliases in _table(f"{where}.aliases", table.get("aliases", {})).items():
        _string_list(f"{where}.aliases.{name}", aliases)
    for method, keywords in _table(f"{where}.methods", table.get("methods", {})).items():
        _string_list(f"{where}.methods.{method}", keywords)
    calls: dict[str, Any] = {}
    for group, entry in _table(f"{where}.calls", table.get("calls", {})).items():
        here = f"{where}.calls.{group}"
        if not isinstance(entry, Mapping) or set(entry) != {"calls", "arguments"}:
            raise ConfigError(f"{here} must have exactly `calls` (a list) and `arguments` (a table)")
        arguments = entry["arguments"]
        if not isinstance(arguments, Mapping) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in arguments.values()
        ):
            raise ConfigError(f"{here}.arguments must map keywords to positions (0-based, -1 for keyword-only)")
        calls[group] = {
            "calls": list(_string_list(f"{here}.calls", entry["calls"])),
            "arguments": {k: (v if v >= 0 else None) for k, v in arguments.items()},
        }
    return json.dumps({**dict(table), "calls": calls}, sort_keys=True)


def _table(where: str, value: Any) -> Mapping:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where} must be a table")
    return value


def _suggest(value: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    return f"; did you mean `{close[0]}`?" if close else ""


def _string(where: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where} must be a file name (a string)")
    return value


def _string_list(where: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} must be a list of strings")
    return tuple(value)


def _patterns(where: str, patterns: tuple[str, ...]) -> tuple[str, ...]:
    """gitignore-style patterns, each one valid."""
    for _, reason in gitignore_spec(patterns)[1]:
        raise ConfigError(f"{where}: invalid pattern ({reason})")
    return patterns


def _check_selectors(where: str, selectors: tuple[str, ...]) -> None:
    for selector in selectors:
        try:
            resolve_selector(selector)
        except SelectorError as error:
            raise ConfigError(f"{where}: {error}") from None


def parse_fail_on(where: str, value: Any) -> Severity:
    try:
        return Severity.parse(value)
    except (KeyError, AttributeError):
        choices = [s.label for s in Severity]
        raise ConfigError(
            f"{where} must be one of {', '.join(choices)}, not `{value}`{_suggest(str(value), choices)}"
        ) from None


def _option_value(where: str, default: Any, value: Any) -> Any:
    if isinstance(default, tuple):
        if not isinstance(value, list):
            raise ConfigError(f"{where} must be a list")
        return tuple(value)
    if isinstance(default, bool) or not isinstance(default, (int, float)):
        if not isinstance(value, type(default)):
            raise ConfigError(f"{where} must be a {type(default).__name__}, not `{value!r}`")
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{where} must be a number, not `{value!r}`")
    return value


def _rule_options(where: str, table: Any) -> tuple[tuple[str, tuple[tuple[str, Any], ...]], ...]:
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where} must be a table of rule ids")
    result = []
    for rule_id, options in sorted(table.items()):
        try:
            rule = rule_by_id(rule_id)
        except SelectorError as error:
            raise ConfigError(f"{where}: {error}") from None
        if not isinstance(options, Mapping):
            raise ConfigError(f"{where}.{rule_id} must be a table of options")
        defaults = {f.name.replace("_", "-"): f.default for f in dataclasses.fields(rule.Options)}
        parsed = []
        for key, value in sorted(options.items()):
            if key not in defaults:
                known = ", ".join(defaults) or "none"
                raise ConfigError(
                    f"{where}.{rule_id}: unknown option `{key}`{_suggest(key, list(defaults))} (options: {known})"
                )
            parsed.append((key.replace("-", "_"), _option_value(f"{where}.{rule_id}.{key}", defaults[key], value)))
        result.append((rule_id, tuple(parsed)))
    return tuple(result)


def settings_from_table(table: Mapping[str, Any], where: str) -> Settings:
    """Validate a `[tool.mldebt]` table; `where` prefixes error messages."""
    for key in table:
        if key not in _KEYS:
            raise ConfigError(f"{where}: unknown key `{key}`{_suggest(key, sorted(_KEYS))}")
    select = _string_list(f"{where}.select", table.get("select", []))
    ignore = _string_list(f"{where}.ignore", table.get("ignore", []))
    _check_selectors(f"{where}.select", select)
    _check_selectors(f"{where}.ignore", ignore)
    per_file = table.get("per-file-ignores", {})
    if not isinstance(per_file, Mapping):
        raise ConfigError(f"{where}.per-file-ignores must be a table of glob = [rules]")
    per_file_ignores = []
    for glob, selectors in sorted(per_file.items()):
        _patterns(f"{where}.per-file-ignores", (glob,))
        parsed = _string_list(f"{where}.per-file-ignores.{glob!r}", selectors)
        _check_selectors(f"{where}.per-file-ignores", parsed)
        per_file_ignores.append((glob, parsed))
    return Settings(
        select=select,
        ignore=ignore,
        exclude=_patterns(f"{where}.exclude", _string_list(f"{where}.exclude", table.get("exclude", []))),
        own_code=_patterns(f"{where}.own-code", _string_list(f"{where}.own-code", table.get("own-code", []))),
        shipped=_patterns(f"{where}.shipped", _string_list(f"{where}.shipped", table.get("shipped", []))),
        per_file_ignores=tuple(per_file_ignores),
        fail_on=parse_fail_on(f"{where}.fail-on", table.get("fail-on", "warning")),
        rule_options=_rule_options(f"{where}.rules", table.get("rules", {})),
        hyperparameters=_hyperparameters(f"{where}.hyperparameters", table.get("hyperparameters", {})),
        data_io=_data_io(f"{where}.data-io", table.get("data-io", {})),
        reproducibility=_reproducibility(f"{where}.reproducibility", table.get("reproducibility", {})),
        declared_consumers=_declared_consumers(f"{where}.declared-consumers", table.get("declared-consumers", [])),
        baseline=_string(f"{where}.baseline", table["baseline"]) if "baseline" in table else None,
        attest=_attest(f"{where}.attest", table.get("attest", {})),
        min_score=parse_min_score(f"{where}.min-score", table["min-score"]) if "min-score" in table else None,
    )


def _read_toml(path: Path, tree: Path | None) -> dict | None:
    """The TOML document at `path`, or None when there is none to read (absent, or a link out of
    `tree`: discovery reports that link); anything else that is not a small, valid TOML file is
    a `ConfigError`."""
    try:
        text = read_bounded(path, tree=tree).decode("utf-8")
        return tomllib.loads(text)
    except FileNotFoundError:
        return None
    except ReadRefused as refused:
        if refused.kind == "skipped":
            return None
        raise ConfigError(f"{path.name}: {refused.message}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path.name}: invalid TOML: {error}") from None
    except RecursionError:
        raise ConfigError(f"{path.name}: invalid TOML: arrays or tables nested too deeply") from None
    except ValueError:  # Python refuses integers of more than 4,300 digits
        raise ConfigError(f"{path.name}: invalid TOML: an integer too long to read") from None
    except OSError as error:
        raise ConfigError(f"{path.name}: cannot read: {error.strerror}") from None


def load_settings(root: Path, config: Path | None = None) -> Settings:
    """Settings of the repository at `root`: from `config` if given (an `mldebt.toml`, or any
    TOML file with a `[tool.mldebt]` table such as a `pyproject.toml`), else the first of
    `mldebt.toml` / `pyproject.toml` at the root that has mldebt settings, else defaults."""
    candidates = [config] if config is not None else [root / name for name in CONFIG_FILES]
    for path in candidates:
        document = _read_toml(path, tree=None if config is not None else root)
        if document is None:
            if config is not None:
                raise ConfigError(f"config file `{path}` does not exist")
            continue
        tool = document.get("tool")
        if path.name == "pyproject.toml" or (isinstance(tool, Mapping) and "mldebt" in tool):
            table = tool.get("mldebt") if isinstance(tool, Mapping) else None
            where = f"{path.name} [tool.mldebt]"
        else:
            table, where = document, path.name
        if table is None:
            if config is not None:
                raise ConfigError(f"config file `{path}` has no [tool.mldebt] table")
            continue
        if not isinstance(table, Mapping):
            raise ConfigError(f"{where} must be a table")
        settings = settings_from_table(table, where)
        if settings.baseline is not None:
            settings = dataclasses.replace(settings, baseline=str(path.parent / settings.baseline))
        return settings
    return Settings()


#: `[tool.mldebt]` or one of its sub-tables, as a TOML header.
_MLDEBT_TABLE = re.compile(rb"^\s*\[\s*tool\s*\.\s*mldebt\s*[\].]", re.M)


def _has_settings(folder: Path) -> bool:
    if (folder / "mldebt.toml").is_file():
        return True
    try:
        return _MLDEBT_TABLE.search(read_bounded(folder / "pyproject.toml", tree=folder)) is not None
    except (OSError, ReadRefused):  # absent or unreadable: load_settings says why if it matters
        return False


def _marked_root(start: Path) -> Path | None:
    """The nearest folder at or above `start` that has mldebt settings, else the git top
    level (a settings file above the repository is not the repository's)."""
    for folder in (start, *start.parents):
        if _has_settings(folder):
            return folder
        if (folder / ".git").exists():
            return folder
    return None


def project_root(paths: Iterable[Path]) -> Path:
    """The root of the one project that holds all of `paths` (files or folders): the nearest
    folder with `[tool.mldebt]`/`mldebt.toml`, else the git top level, else the scanned folder
    (the common folder of the paths). Raises ConfigError when they span two projects."""
    starts = [p if p.is_dir() else p.parent for p in (Path(p).resolve() for p in paths)]
    marked = {_marked_root(start) for start in starts}
    if marked == {None}:
        return Path(os.path.commonpath(starts))
    roots = sorted(str(m) for m in marked if m is not None)
    if len(marked) > 1:
        raise ConfigError(
            f"the paths belong to different projects ({' and '.join(roots)}, or none); scan each project on its own"
        )
    return Path(roots[0])


def repository_prefix(root: Path) -> str:
    """`root` relative to the top level of the git repository holding it (`/` separators), ""
    when it is the top level or in no repository: code scanning resolves paths from there."""
    root = root.resolve()
    for folder in (root, *root.parents):
        if (folder / ".git").exists():
            prefix = root.relative_to(folder).as_posix()
            return "" if prefix == "." else prefix
    return ""
