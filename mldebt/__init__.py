"""mldebt: static analysis of the technical debt peculiar to machine-learning repositories.

The API is `scan(root, settings) -> Report` and `load_settings(root)`; the CLI is a thin shell
around them. They are imported on first use: `python -m mldebt` imports this package while
the current folder (maybe the repository to scan) is still first on `sys.path`, and
`mldebt.__main__` must remove it before anything else is imported.
"""

__version__ = "0.1.0"

__all__ = ["Settings", "__version__", "load_settings", "scan"]


def __getattr__(name: str):
    if name == "scan":
        from mldebt.engine import scan

        return scan
    if name in ("Settings", "load_settings"):
        from mldebt import settings

        return getattr(settings, name)
    raise AttributeError(f"module 'mldebt' has no attribute {name!r}")
