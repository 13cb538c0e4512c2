"""The names of what mldebt writes by default and of the variable that moves its cache.

A module with no imports, so that the CLI can name them in its help without importing the
cache or the baseline (and with them the engine) on every `mldebt --help`.
"""

CACHE_DIR_NAME = ".mldebt_cache"
ENV_CACHE_DIR = "MLDEBT_CACHE_DIR"
DEFAULT_BASELINE = ".mldebt-baseline.json"
