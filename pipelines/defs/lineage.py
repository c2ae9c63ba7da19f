"""Column metadata for the raw tables, from each source's pandera contract (dagster/column_schema)."""

import dagster as dg
import pandera.pandas as pa

# The observation contract's column meanings (see DESIGN.md), shown beside each column in the UI.
CONTRACT_COLUMNS = {
    "source_id": "provider key, e.g. worldbank",
    "indicator_id": "key in the indicator registry seed, e.g. tourism_arrivals",
    "geo_id": "city key from the city seed (hong-kong) or ISO 3166 alpha-3 country code",
    "geo_level": "city, metro or country (a country value standing in for a city is a proxy)",
    "period": "year of the observation",
    "month": "month of the observation (monthly sources only)",
    "value": "the figure, in the indicator's declared unit",
    "unit": "e.g. persons, USD current, rank, count",
    "fetched_at": "when the payload was retrieved",
    "payload_sha256": "the landed raw payload this row came from (raw/<source>/<sha256>.manifest.json)",
    "approximate": "true where the figure was typed from a publication, not read from a machine source",
}


def column_schema(schema: pa.DataFrameSchema) -> dg.TableSchema:
    """The table's columns with their pandera dtype, checks and the contract's meaning."""
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                name=name,
                type=str(column.dtype).removesuffix("[python]"),
                description=column.description or CONTRACT_COLUMNS.get(name),
                constraints=dg.TableColumnConstraints(
                    nullable=column.nullable,
                    unique=column.unique,
                    other=[str(check).strip("<>") for check in column.checks],
                ),
            )
            for name, column in schema.columns.items()
        ]
    )
