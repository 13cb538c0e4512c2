"""`unversioned-data`: unstable data dependencies (Sculley et al. 2015, sec. 3): inputs that
can change under a model without the code changing. The knowledge of hubs and machine-specific
paths is `rules/knowledge/data_sources.yaml`."""
