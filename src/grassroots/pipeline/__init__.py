"""Running the stages: stage table, fingerprints, notebook runs, corpus and raw I/O."""
