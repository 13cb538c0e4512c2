"""Refuse the sources that would take libcst's native parser minutes or gigabytes, before it
sees them, with a screen cheap enough for every file.

What costs that parser is the depth of one expression, not the size of a file: 2,000 terms of
`a + a + ...`, `a.b.b...`, `not not ...`, `- - ...`, `** 2 ** 2`, nested lambdas or ternaries
take it 2-7 s and up to 0.8 GB, 1,000 subscripts `a[0][0]...` 5 s (10,000 take minutes; 15 KB
of unary minus took 5 GB and an abort), whether on one line, over backslash continuations or
inside brackets. A list of 10,000
items, or 20,000 statements, is linear and cheap. So the screen counts, per statement, the
operators chained without a comma between them (and bracket nesting); only a source past a
threshold pays for CPython's parser, and is refused when its real depth is too large.
"""

from __future__ import annotations

import ast
import re

from mldebt.extract.sources import PythonSource, SourceError

#: Expression depth above which libcst may take over a second (measured at 1,000: binary
#: operators 0.8 s, lambdas 1.3 s and 210 MB, calls `f()()` 1.6 s, subscripts `a[0][0]` 5 s;
#: the cost grows with the square of the depth or worse). Real code stays far below.
MAX_SYNTAX_DEPTH = 400
#: Chained operators (or bracket nesting) above which the real depth is measured. CPython
#: itself refuses more than 200 nested brackets.
_SUSPICIOUS_CHAIN = 250
_SUSPICIOUS_NESTING = 200
_TOKENS = re.compile(
    r"""#[^\n]*|"[^"\\\n]*(?:\\.[^"\\\n]*)*"|'[^'\\\n]*(?:\\.[^'\\\n]*)*'"""  # comments, one-line strings
    r"|[(\[{)\]},;]|\\?\n|\*\*|//|<<|>>|[-+*/%@&|^~.]|\b(?:not|and|or|lambda|if|else|await)\b"
)
_OPERATORS = (*"+-*/%@&|^~.", "not", "and", "or", "lambda", "if", "else", "await")

#: Memory is the other cost: libcst holds 1.4-2.6 KiB per token (words and punctuation;
#: measured on diffusers' largest module, 49k tokens in 66 MiB, and on dense generated code,
#: whose 1.8 MB took a worker to 2 GB). Above this many tokens a source is not parsed, which
#: keeps one worker near 250 MiB whatever the input.
MAX_TOKENS = 80_000
#: Above this many, a worker parses the file alone (`analyse.ParseGate`): a big file and
#: another at once in two workers would add up.
ALONE_TOKENS = 30_000
_WORD_OR_MARK = re.compile(r"\w+|[^\w\s]")


def token_count(text: str) -> int:
    """About the number of tokens, counted only where it can matter: a token is at least one
    character, so a text shorter than `ALONE_TOKENS` is returned as its length."""
    return len(text) if len(text) <= ALONE_TOKENS else _WORD_OR_MARK.subn("", text)[1]


def refuse_oversized(tokens: int) -> None:
    if tokens > MAX_TOKENS:
        raise SourceError(
            "too-large",
            f"about {tokens:,} tokens, over the {MAX_TOKENS:,} mldebt parses (libcst needs about 2 KiB of"
            " memory per token; generated code?); file not analysed",
        )


def _longest_chain(text: str) -> tuple[int, int]:
    """(most operators chained in one expression, deepest bracket nesting), approximately:
    strings on one line and comments are skipped, a bracketed group is one link of the chain
    around it, and a comma or the end of a statement starts a new chain. (Token strings and
    a plain loop: match objects would cost twice as much.)"""
    longest = nesting = chain = 0
    outer: list[int] = []
    for token in _TOKENS.findall(text):
        first = token[0]
        if first in "#\"'":
            continue
        if first in "([{":
            outer.append(chain)
            chain = 0
            nesting = max(nesting, len(outer))
        elif first in ")]}":  # `f(x)(y)`, `a[0][0]`: each group is one more link
            chain = outer.pop() + 1 if outer else 0
            longest = max(longest, chain)
        elif first in ",;" or (first == "\n" and not outer):
            chain = 0
        elif first not in "\\\n":  # an operator (not a backslash continuation, not a newline in brackets)
            chain += 1
            longest = max(longest, chain)
    return longest, nesting


def _depth(tree: ast.AST) -> int:
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


def refuse_pathological(source: PythonSource) -> None:
    """Raise `SourceError` for a source too deep for libcst to parse in reasonable time and
    memory; ordinary files only pay for the screen."""
    text = source.text
    if sum(map(text.count, _OPERATORS)) <= _SUSPICIOUS_CHAIN and sum(map(text.count, "([{")) <= _SUSPICIOUS_NESTING:
        return  # many files: too few operators for a long chain at all (substrings overcount)
    chain, nesting = _longest_chain(text)
    if chain <= _SUSPICIOUS_CHAIN and nesting <= _SUSPICIOUS_NESTING:
        return
    try:
        tree = ast.parse(source.text)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        reason = getattr(error, "msg", None) or "too deeply nested"
        raise SourceError("parse-error", f"syntax error: {reason}; file not analysed", getattr(error, "lineno", None)) from None
    if _depth(tree) > MAX_SYNTAX_DEPTH:
        raise SourceError(
            "too-deep",
            f"an expression nested over {MAX_SYNTAX_DEPTH} levels (a generated operator chain?); file not analysed",
        )
