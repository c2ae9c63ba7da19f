"""citydip's Python side, one folder per concern:

- `definitions.py`: the Dagster code location (`dg dev`, `dg check defs` load it).
- `defs/`: what it contains: source assets and their checks, the dbt assets, publish, the cards
  asset, schedules, sensors and automation.
- `refresh/`: the machinery of `citydip refresh` around Dagster: the lock, the rebuild plan,
  progress, crash recovery, the persistent instance.
- `read/`: the read side, shared by the CLI and the cards: the published warehouse opened
  read-only, a city's card, the statistical audit, the operator's status, the cards site.
- `audit/`: the statistical audit's pure statistics (correlations, alpha, PCA, effective
  weights, a numpy scorecard model, Sobol indices), run by the dbt Python models in
  dbt_project/models/audit/.
- `cli/`: the `citydip` command line, one module per subcommand.
- `settings.py`: the one place the environment is read (the assets' `settings` resource).
- `sql.py`: SQL quoting, used by all.
"""
