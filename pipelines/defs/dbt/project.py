"""The dbt project, in its own module so `dagster-dbt project prepare-and-package` can load it."""

from __future__ import annotations

from dagster_dbt import DbtProject

from pipelines.paths import DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# Under `dagster dev` this parses the project so the manifest is fresh; `safetywh run`
# prepares it itself (pipelines/lib/dbt_manifest.py) before loading the definitions.
dbt_project.prepare_if_dev()
