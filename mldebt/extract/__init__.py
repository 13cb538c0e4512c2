"""The per-file phase: what runs in worker processes, one file at a time.

`sources` decodes files (notebooks as one virtual module), `walk` runs every rule and fact
collector in one traversal, `positions` and `context` serve them, `collectors` and `manifests`
turn a file into plain-data `facts`, and `analyse` ties these together into a `FileResult`.
Its output is all the project phase ever sees, which is what makes it cacheable.
"""
