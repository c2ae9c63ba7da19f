"""The Dagster definitions: source assets and checks, dbt assets, publish, cards, schedules and
sensors. `pipelines/definitions.py` assembles them into the code location."""
