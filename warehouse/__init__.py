"""The warehouse home: where landing files arrive and the DuckDB files live.

This folder is also the default home (``./warehouse``); everything the pipeline writes
here is ignored by git (see ``warehouse/.gitignore``).
"""
