"""The rules of mldebt, one module per rule, grouped by category; installed as `mldebt.rules`.

`knowledge/` holds what the rules know about ML libraries as YAML, so that extending mldebt to
another library means extending a table, not code.
"""
