"""`glue-code`: modules that are almost all format conversion and plumbing, and pipeline jungles
of intermediate files (Sculley et al. 2015, sec. 3). Statements are classified by
`rules/knowledge/glue_code.yaml` (`mldebt.extract.glue`); the repository's share is
`metrics.glue_code` (`mldebt.project.glue`)."""
