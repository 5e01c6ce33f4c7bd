"""The Pipeline Builder's engine: ingest sources, run cleaning and transformation stages,
store versioned snapshots, monitor quality and drift, and write the pipeline as code.

Modules: spec (the PipelineSpec), readers / sqlite_source / url_source / ingest (sources),
cleaning / transform / stages (run_pipeline), versions and integration (storage and
training), monitoring, code ("show as code"), make_demo_db (the shipped demo database).
"""
