"""`python -m mldebt` runs the CLI."""

from mldebt.cli import main

main()
