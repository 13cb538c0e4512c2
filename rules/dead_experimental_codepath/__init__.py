"""`dead-experimental-codepath`: switches and branches nobody turns any more (Sculley et al.
2015, "dead experimental codepaths"; Knight Capital lost $465M in 45 minutes to one).

The cross-file parts (flags, CLI options, config keys, definitions) run on the facts of
`mldebt.extract.collectors.NameCollector` and `mldebt.extract.manifests`, never re-parsing a file."""

from __future__ import annotations

from mldebt.project import Project


def names_read(project: Project) -> set[str]:
    """Every identifier the repository's code or configs mention outside a definition:
    names, attributes, keywords, parameters, identifiers in strings, `${interpolations}`."""
    read: set[str] = set()
    for _, (_, facts) in project.files.items():
        read |= facts.names_used
        read |= facts.strings_used
    return read
