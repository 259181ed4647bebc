"""Running the stages. stages: the stage table; stage_functions: what each stage's notebook calls;
driver: `python -m grassroots.pipeline STAGE`; fingerprints: skip logic; notebook: papermill runs
and kernels started ahead; corpus: parallel map, per-report cache, code version; rawio: raw files,
sidecars, manifest; atomic: atomic writes; reproduce: `make reproduce`."""
