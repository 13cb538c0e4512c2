"""`dead-experimental-codepath`: switches and branches nobody turns any more (Sculley et al.
2015, "dead experimental codepaths"; Knight Capital lost $465M in 45 minutes to one).

The cross-file parts (flags, CLI options, config keys, definitions) run on the facts of
`mldebt.extract.collectors.NameCollector` and `mldebt.extract.manifests`, never re-parsing a file."""
