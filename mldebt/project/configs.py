"""Which code loads which config file: the evidence that a config is the project's own."""

import fnmatch

from mldebt.discover import FileKind
from mldebt.project.graph import readings
from mldebt.project.model import Project


def config_loaders(project: Project, configs: set[str]) -> dict[str, list[str]]:
    """Config file -> the code files that load it: name it in a string, open it, or compose it
    with hydra (`Facts.config_loads`, and reads of config files among the data accesses)."""
    found: dict[str, list[str]] = {}
    for path, (kind, facts) in project.files.items():
        if kind not in FileKind.CODE:
            continue
        named = list(facts.config_loads) + [
            reading for access in facts.data_access if access.mode == "read"
            for reading in readings(path, access, access.path)
        ]
        loaded = {c for ref in named for c in (fnmatch.filter(configs, ref) if "*" in ref else [ref] if ref in configs else [])}
        for config in loaded:
            found.setdefault(config, []).append(path)
    return found
