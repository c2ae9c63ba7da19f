"""Why a city's score and rank changed between two editions, split exactly among four causes.

The causes (docs/operations.md, "Editions"), judged cell by cell (city x indicator) of a year's
scorecard:

- `new_data`: the newer edition has a value for a period the older did not (a newer data year,
  or a value where there was none);
- `revisions`: the same data year with another value, or a value withdrawn;
- `method`: a changed weight (indicator or pillar), normalisation or aggregation, and values
  that changed only through the method (e.g. outlier treatment of a column no data touched);
- `coverage`: an indicator entering or leaving the year's scorecard, or a city's pillars or
  ranking entering or leaving (the sets scored).

The scorecard is re-scored by the numpy model of the audit (pipelines/audit/scorecard_model.py,
which reproduces scorecard_city's scores and ranks) with each cause switched on (the newer
edition's cells) or off (the older's), 16 combinations, and each change is split by Shapley
values over the causes: the four parts sum exactly to the change. Each cause's part is then split
among the items that carry it (indicators, pillar weights, method vars) by switching them on one
at a time inside every coalition of the other causes, weighted as in the Shapley value: the items
also sum exactly to their cause (the split among items follows a fixed order, the item id's).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from itertools import combinations

import duckdb
import numpy as np
import pandas as pd

from pipelines.audit.marts import Marts
from pipelines.audit.panel import Panel, year_panel
from pipelines.audit.scorecard_model import AGGREGATIONS, NORMALISATIONS, Choices, overall_ranks
from pipelines.audit.scorecard_model import overall_scores as model_scores
from pipelines.editions.history import HISTORY_MARTS, history_table, tables_in

CAUSES = ("new_data", "revisions", "method", "coverage")
ATTRIBUTION_TABLE = "edition_attribution"
ITEM_TABLE = "edition_attribution_item"
ATTRIBUTION_TABLES = (ATTRIBUTION_TABLE, ITEM_TABLE)
MEASURES = ("overall_score", "overall_rank")
MASKS = "coverage:pillars_and_ranking"


@dataclass(frozen=True)
class Edition:
    """One edition's scorecard marts and method vars, read from the history tables."""

    edition_id: int
    marts: Marts
    dbt_vars: dict

    @property
    def normalisation(self) -> str:
        return self.dbt_vars.get("normalisation", "min_max")

    @property
    def aggregation(self) -> str:
        return self.dbt_vars.get("aggregation", "arithmetic")


def load_edition(con: duckdb.DuckDBPyConnection, edition_id: int, schema: str = "main") -> Edition:
    def rows(mart: str) -> pd.DataFrame:
        frame = con.execute(
            f"select * exclude (edition_id) from {schema}.{mart}_history where edition_id = ?",
            [edition_id],
        ).df()
        return frame.dropna(axis=1, how="all") if mart == "scorecard_city" else frame

    (vars_json,) = con.execute(
        f"select dbt_vars from {schema}.edition_history where edition_id = ?", [edition_id]
    ).fetchone()
    marts = Marts(
        indicators=rows("scorecard_indicator"),
        pillars=rows("scorecard_pillar"),
        cities=rows("scorecard_city"),
        registry=rows("dim_indicator"),
        pillar_registry=rows("dim_pillar"),
    )
    return Edition(edition_id, marts, json.loads(vars_json or "{}"))


@dataclass
class Mixer:
    """The older and newer panels of one year on the union of their cities and indicators, the
    cause of every cell, and the items of every cause."""

    old: Panel
    new: Panel
    old_method: tuple[str, str]
    new_method: tuple[str, str]

    def __post_init__(self) -> None:
        old, new = self.old, self.new
        self.cities = sorted(set(old.cities) | set(new.cities))
        self.indicators = sorted(set(old.indicators) | set(new.indicators))
        self.pillars = list(new.pillars) + [p for p in old.pillars if p not in new.pillars]
        self.o = self._spread(old)
        self.n = self._spread(new)
        self.cause = self._cell_causes()
        self.items = self._items()

    def _spread(self, panel: Panel) -> dict:
        ci = [self.cities.index(c) for c in panel.cities]
        ii = [self.indicators.index(i) for i in panel.indicators]
        pi = [self.pillars.index(p) for p in panel.pillars]
        shape = (len(self.cities), len(self.indicators))

        def cells(grid, fill):
            out = np.full(shape, fill, dtype=np.asarray(grid).dtype)
            out[np.ix_(ci, ii)] = grid
            return out

        present = np.zeros(len(self.indicators), dtype=bool)
        present[ii] = True
        weights = np.zeros(len(self.indicators))
        weights[ii] = panel.indicator_weights
        higher = np.ones(len(self.indicators), dtype=bool)
        higher[ii] = panel.higher_is_better
        pillar_of = np.zeros(len(self.indicators), dtype=int)
        pillar_of[ii] = [pi[p] for p in panel.indicator_pillar]
        pillar_weights = np.zeros(len(self.pillars))
        pillar_weights[pi] = panel.pillar_weights
        covered = np.zeros((len(self.cities), len(self.pillars)), dtype=bool)
        covered[np.ix_(ci, pi)] = panel.covered
        ranked = np.zeros(len(self.cities), dtype=bool)
        ranked[ci] = panel.ranked
        return {
            "values": cells(panel.values, np.nan),
            "carried": cells(panel.carried_forward, False),
            "pillar_mean": cells(panel.pillar_mean, False),
            "present": present,
            "weights": weights,
            "higher": higher,
            "pillar_of": pillar_of,
            "pillar_weights": pillar_weights,
            "covered": covered,
            "ranked": ranked,
        }

    def _cell_causes(self) -> np.ndarray:
        """(cities, indicators) array of cause names ('' where the cell did not change)."""
        o, n = self.o, self.n
        cause = np.full(o["values"].shape, "", dtype=object)
        both = o["present"] & n["present"]
        cause[:, ~both & (o["present"] | n["present"])] = "coverage"
        years_old = self._grid(self.old_raw, "data_year")
        years_new = self._grid(self.new_raw, "data_year")
        raw_old = self._grid(self.old_raw, "raw_value")
        raw_new = self._grid(self.new_raw, "raw_value")
        same_cell = (
            _same(o["values"], n["values"])
            & (o["carried"] == n["carried"])
            & (o["pillar_mean"] == n["pillar_mean"])
        )
        for c in range(len(self.cities)):
            for i in np.flatnonzero(both):
                if same_cell[c, i]:
                    continue
                if (
                    np.isnan(raw_old[c, i])
                    and not np.isnan(raw_new[c, i])
                    or years_new[c, i] > years_old[c, i]
                ):
                    cause[c, i] = "new_data"
                elif _same(raw_old[c, i], raw_new[c, i]) and years_old[c, i] == years_new[c, i]:
                    cause[c, i] = "?"  # moved only with its column: decided below
                else:
                    cause[c, i] = "revisions"
        for i in range(len(self.indicators)):
            column = set(cause[:, i])
            owner = next((k for k in ("revisions", "new_data") if k in column), "method")
            cause[cause[:, i] == "?", i] = owner
        return cause

    old_raw: pd.DataFrame = None  # type: ignore[assignment]
    new_raw: pd.DataFrame = None  # type: ignore[assignment]

    def _grid(self, rows: pd.DataFrame, column: str) -> np.ndarray:
        wide = rows.pivot(index="city_id", columns="indicator_id", values=column)
        return wide.reindex(index=self.cities, columns=self.indicators).to_numpy(dtype=float)

    def _items(self) -> dict[str, list[str]]:
        o, n = self.o, self.n
        items: dict[str, list[str]] = {c: [] for c in CAUSES}
        for k in ("new_data", "revisions", "method"):
            items[k] = [
                self.indicators[i]
                for i in range(len(self.indicators))
                if (self.cause[:, i] == k).any()
            ]
        both = o["present"] & n["present"]
        changed_weight = both & (o["weights"] != n["weights"])
        items["method"] = sorted(
            set(items["method"]) | {self.indicators[i] for i in np.flatnonzero(changed_weight)}
        )
        items["method"] += [
            f"pillar:{p}"
            for j, p in enumerate(self.pillars)
            if o["pillar_weights"][j] != n["pillar_weights"][j]
        ]
        if self.old_method[0] != self.new_method[0]:
            items["method"].append("method:normalisation")
        if self.old_method[1] != self.new_method[1]:
            items["method"].append("method:aggregation")
        items["coverage"] = [
            self.indicators[i] for i in np.flatnonzero(o["present"] != n["present"])
        ]
        if (o["covered"] != n["covered"]).any() or (o["ranked"] != n["ranked"]).any():
            items["coverage"].append(MASKS)
        return items

    def evaluate(self, on: dict[str, set[str]]) -> tuple[np.ndarray, np.ndarray]:
        """(overall scores, ranks) over self.cities with the items in `on` switched on."""
        o, n = self.o, self.n
        switched = np.zeros(self.cause.shape, dtype=bool)
        for k in ("new_data", "revisions", "method"):
            cols = [self.indicators.index(i) for i in on.get(k, ()) if i in self.indicators]
            switched[:, cols] |= self.cause[:, cols] == k
        cov = on.get("coverage", set())
        values = np.where(switched, n["values"], o["values"])
        carried = np.where(switched, n["carried"], o["carried"])
        pillar_mean = np.where(switched, n["pillar_mean"], o["pillar_mean"])
        weights = o["weights"].copy()
        for i, indicator in enumerate(self.indicators):
            if o["present"][i] != n["present"][i]:  # a coverage item
                source = n if indicator in cov else o
                values[:, i], carried[:, i], pillar_mean[:, i] = (
                    source["values"][:, i],
                    source["carried"][:, i],
                    source["pillar_mean"][:, i],
                )
                weights[i] = source["weights"][i] if source["present"][i] else 0.0
            elif indicator in on.get("method", ()):
                weights[i] = n["weights"][i]
        pillar_weights = np.array(
            [
                n["pillar_weights"][j]
                if f"pillar:{p}" in on.get("method", ())
                else o["pillar_weights"][j]
                for j, p in enumerate(self.pillars)
            ]
        )
        masks = n if MASKS in cov else o
        normalisation = (
            self.new_method[0]
            if "method:normalisation" in on.get("method", ())
            else self.old_method[0]
        )
        aggregation = (
            self.new_method[1]
            if "method:aggregation" in on.get("method", ())
            else self.old_method[1]
        )
        panel = Panel(
            year=self.new.year,
            cities=self.cities,
            indicators=self.indicators,
            pillars=self.pillars,
            values=values,
            carried_forward=carried,
            pillar_mean=pillar_mean,
            higher_is_better=np.where(n["present"], n["higher"], o["higher"]),
            indicator_pillar=np.where(n["present"], n["pillar_of"], o["pillar_of"]),
            indicator_weights=weights,
            pillar_weights=pillar_weights,
            covered=masks["covered"],
            ranked=masks["ranked"],
            ranks=np.full(len(self.cities), np.nan),
        )
        choices = Choices(
            normalisation=np.array([NORMALISATIONS.index(normalisation)]),
            imputation=np.array([0]),
            aggregation=np.array([AGGREGATIONS.index(aggregation)]),
            indicator_weights=weights[None, :],
            pillar_weights=pillar_weights[None, :],
        )
        return model_scores(panel, choices)[0], overall_ranks(panel, choices)[0]


def _same(a, b):
    return (a == b) | (np.isnan(a) & np.isnan(b))


def shapley_weight(size: int, players: int) -> float:
    return math.factorial(size) * math.factorial(players - size - 1) / math.factorial(players)


def attribute_year(mixer: Mixer) -> tuple[dict, dict]:
    """Shapley parts per cause and per (cause, item): {cause: (scores, ranks)} and
    {(cause, item): (scores, ranks)}, arrays over mixer.cities."""
    everything = {k: set(v) for k, v in mixer.items.items()}
    cache: dict[frozenset, tuple[np.ndarray, np.ndarray]] = {}

    def f(state: dict[str, set[str]]):
        key = frozenset((k, i) for k, items in state.items() for i in items)
        if key not in cache:
            cache[key] = mixer.evaluate(state)
        return cache[key]

    zero = np.zeros(len(mixer.cities))
    causes = {k: (zero.copy(), zero.copy()) for k in CAUSES}
    items = {(k, i): (zero.copy(), zero.copy()) for k in CAUSES for i in mixer.items[k]}
    for cause in CAUSES:
        others = [k for k in CAUSES if k != cause]
        for size in range(len(others) + 1):
            for coalition in combinations(others, size):
                w = shapley_weight(size, len(CAUSES))
                state = {k: set(everything[k]) for k in coalition}
                before = f(state)
                for item in mixer.items[cause]:
                    state = {**state, cause: state.get(cause, set()) | {item}}
                    after = f(state)
                    for part in (items[(cause, item)], causes[cause]):
                        part[0][:] += w * (after[0] - before[0])
                        part[1][:] += w * (after[1] - before[1])
                    before = after
    return causes, items


def exact(parts: dict[str, float], total: float) -> dict[str, float]:
    """The parts with their floating-point residual against `total` moved into the largest, so
    they sum to it (a Shapley sum of 1/4 + 3 x 1/12 + ... is not exactly 1 in floating point)."""
    if not parts:
        return parts
    residual = total - sum(parts.values())
    largest = max(parts, key=lambda k: abs(parts[k]))
    if parts[largest] == 0:
        return parts
    return {**parts, largest: parts[largest] + residual}


def attribute(older: Edition, newer: Edition) -> tuple[pd.DataFrame, pd.DataFrame]:
    """edition_attribution and edition_attribution_item rows for every year both editions score."""
    years = sorted(set(older.marts.years()) & set(newer.marts.years()))
    rows, item_rows = [], []
    for year in years:
        old_panel, new_panel = year_panel(older.marts, year), year_panel(newer.marts, year)
        mixer = Mixer(
            old_panel,
            new_panel,
            (older.normalisation, older.aggregation),
            (newer.normalisation, newer.aggregation),
            old_raw=older.marts.indicators[older.marts.indicators["year"] == year],
            new_raw=newer.marts.indicators[newer.marts.indicators["year"] == year],
        )
        base, full = mixer.evaluate({}), mixer.evaluate({k: set(v) for k, v in mixer.items.items()})
        causes, items = attribute_year(mixer)
        published = {
            edition: e.marts.cities[e.marts.cities["year"] == year].set_index("city_id")
            for edition, e in (("old", older), ("new", newer))
        }
        for c, city in enumerate(mixer.cities):
            if not (
                old_panel.ranked[old_panel.cities.index(city)]
                if city in old_panel.cities
                else False
            ):
                continue
            if not (
                new_panel.ranked[new_panel.cities.index(city)]
                if city in new_panel.cities
                else False
            ):
                continue
            for m, measure in enumerate(MEASURES):
                old_value = float(published["old"].loc[city, measure])
                new_value = float(published["new"].loc[city, measure])
                model_change = float(full[m][c] - base[m][c])
                parts = exact({k: float(causes[k][m][c]) for k in CAUSES}, model_change)
                rows.append(
                    {
                        "edition_id": newer.edition_id,
                        "previous_edition_id": older.edition_id,
                        "year": year,
                        "city_id": city,
                        "measure": measure,
                        "old_value": old_value,
                        "new_value": new_value,
                        "change": new_value - old_value,
                        **parts,
                        "model_change": model_change,
                    }
                )
                for cause in CAUSES:
                    mine = exact(
                        {i: float(items[(k, i)][m][c]) for k, i in items if k == cause},
                        parts[cause],
                    )
                    item_rows += [
                        {
                            "edition_id": newer.edition_id,
                            "previous_edition_id": older.edition_id,
                            "year": year,
                            "city_id": city,
                            "measure": measure,
                            "cause": cause,
                            "item": item,
                            "part": part,
                        }
                        for item, part in mine.items()
                        if part != 0
                    ]
    return pd.DataFrame(rows, columns=ATTRIBUTION_COLUMNS), pd.DataFrame(
        item_rows, columns=ITEM_COLUMNS
    )


ATTRIBUTION_COLUMNS = [
    "edition_id",
    "previous_edition_id",
    "year",
    "city_id",
    "measure",
    "old_value",
    "new_value",
    "change",
    *CAUSES,
    "model_change",
]
ITEM_COLUMNS = [
    "edition_id",
    "previous_edition_id",
    "year",
    "city_id",
    "measure",
    "cause",
    "item",
    "part",
]


def record_attribution(
    con: duckdb.DuckDBPyConnection, edition_id: int, previous_id: int | None
) -> None:
    """Append the attribution of the new edition against the previous one (both in the history
    tables of `con`'s main schema)."""
    needed = {history_table(mart) for mart in HISTORY_MARTS}
    if previous_id is None or not needed <= tables_in(con):  # a first edition, a bare scorecard
        rows = pd.DataFrame(columns=ATTRIBUTION_COLUMNS)
        items = pd.DataFrame(columns=ITEM_COLUMNS)
    else:
        rows, items = attribute(load_edition(con, previous_id), load_edition(con, edition_id))
    for table, frame, types in (
        (ATTRIBUTION_TABLE, rows, ATTRIBUTION_TYPES),
        (ITEM_TABLE, items, ITEM_TYPES),
    ):
        con.execute(f"create table if not exists {table} ({types})")
        if len(frame):
            con.register("_incoming", frame)
            con.execute(f"insert into {table} by name select * from _incoming")
            con.unregister("_incoming")


ATTRIBUTION_TYPES = (
    "edition_id integer, previous_edition_id integer, year integer, city_id varchar, "
    "measure varchar, old_value double, new_value double, change double, new_data double, "
    "revisions double, method double, coverage double, model_change double"
)
ITEM_TYPES = (
    "edition_id integer, previous_edition_id integer, year integer, city_id varchar, "
    "measure varchar, cause varchar, item varchar, part double"
)
