"""`python -m mldebt` runs the CLI.

Python put the current folder first on `sys.path`, and it may be the repository about to be
scanned: it is removed before anything is imported from there. (`python -P -m mldebt` or the
`mldebt` command never add it; a folder named `mldebt` in the current folder still shadows
the package itself under plain `python -m`, which only Python's own `-P` prevents.)
"""

import os
import sys

if not sys.flags.safe_path and sys.path and os.path.realpath(sys.path[0] or ".") == os.path.realpath(os.getcwd()):
    del sys.path[0]

from mldebt.cli import main  # noqa: E402 - only once the current folder is off the path

main()
