"""mldebt: static analysis of the technical debt peculiar to machine-learning repositories.

The API is `scan(root, settings) -> Report` and `load_settings(root)`; the CLI is a thin shell
around them.
"""

__version__ = "0.1.0"

from mldebt.engine import scan  # noqa: E402 - needs __version__ defined first
from mldebt.settings import Settings, load_settings  # noqa: E402

__all__ = ["Settings", "__version__", "load_settings", "scan"]
