"""The dbt seeds as the tests read them: pillars (and cities, indicators) are declared there once."""

from __future__ import annotations

import csv

from pipelines.settings import DBT_PROJECT_DIR


def seed_rows(name: str) -> list[dict[str, str]]:
    """The rows of dbt_project/seeds/<name>.csv, in file order."""
    with (DBT_PROJECT_DIR / "seeds" / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def pillar_names() -> dict[str, str]:
    """Pillar key -> display name, in the seed's order (scorecard_city's column order)."""
    return {row["pillar"]: row["pillar_name"] for row in seed_rows("pillars")}
