"""The project phase: reasoning on the merged facts of every file, never on source code.

`Project` (the facts of all files and what they imply together) is what project rules read;
`graph` builds the data/model dependency graph from it. Nothing here parses: a warm scan feeds
this phase from the cache exactly as a cold one does from the workers.
"""

from mldebt.project.model import Project, related

__all__ = ["Project", "related"]
