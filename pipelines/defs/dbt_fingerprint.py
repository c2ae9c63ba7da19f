"""What, besides a model's own SQL, decides what dbt builds: the project file, the macros and the
vars. Their hash is appended to every dbt asset's code version, so changing any of them marks
every model stale and the next refresh rebuilds them (see pipelines/refresh/plan.py)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from functools import cache

from pipelines.settings import DBT_PROJECT_DIR


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
