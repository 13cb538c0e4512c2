"""`unsafe-deserialization`: loading files that can run code (pickle and friends).

The calls and the arguments that make them safe are in `rules/knowledge/deserialization.yaml`.
"""
