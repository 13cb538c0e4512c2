"""Text from the scanned tree (file names, quoted code and strings, config keys) shown to people
with its control characters escaped.

A file named `\\x1b]0;pwned\\x07train.py` or a string holding `\\x1b[2J` would otherwise retitle or
clear the terminal, forge GitHub workflow commands or break a Markdown table; bidirectional
overrides would reorder what the reader sees ("Trojan Source"). Every human-facing format (text,
GitHub annotations, Markdown, the CLI's error line) passes such text through `printable`;
machine formats (JSON, SARIF) keep it exact, their encoders escape what they must.
"""

from __future__ import annotations

import re

#: C0 and C1 controls, DEL, line/paragraph separators, bidirectional marks and overrides.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` with each control character written as its Python escape (`\\x1b`, `\\n`, `\\u202e`)."""
    return _UNPRINTABLE.sub(lambda match: ascii(match.group())[1:-1], text)
