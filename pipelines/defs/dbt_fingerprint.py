"""What, besides a model's own SQL, decides what dbt builds: the project file, the macros and the
vars. Their hash is appended to every dbt asset's code version, so changing any of them marks
every model stale and the next refresh rebuilds them (see pipelines/refresh/plan.py). The dbt
Python models (models/audit/) also run the `pipelines.audit` package: its hash is appended to
theirs."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from functools import cache

from pipelines.settings import DBT_PROJECT_DIR, REPO_ROOT

# The package the dbt Python models import.
PYTHON_MODEL_CODE = REPO_ROOT / "pipelines" / "audit"


def project_fingerprint(dbt_vars: Mapping) -> str:
    """A short hash of dbt_project.yml, every macro file and the vars in effect."""
    digest = hashlib.sha256(_project_files_hash().encode())
    digest.update(json.dumps(dbt_vars, sort_keys=True).encode())
    return digest.hexdigest()[:12]


@cache
def _project_files_hash() -> str:
    digest = hashlib.sha256()
    files = [DBT_PROJECT_DIR / "dbt_project.yml", *sorted((DBT_PROJECT_DIR / "macros").rglob("*"))]
    for path in files:
        if path.is_file():
            digest.update(path.relative_to(DBT_PROJECT_DIR).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


@cache
def python_model_fingerprint() -> str:
    """A short hash of the `pipelines.audit` sources the dbt Python models run."""
    digest = hashlib.sha256()
    for path in sorted(PYTHON_MODEL_CODE.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]
