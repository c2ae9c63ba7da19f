"""The scorecard's statistical audit (docs/methodology.md, "Statistical audit"): pure statistics
on plain arrays and data frames, imported by the dbt Python models in dbt_project/models/audit/.

- `components.py`: a year's indicator, pillar and overall scores side by side.
- `correlation.py`: pairwise correlations of indicators, pillars and the overall score, flags.
- `coherence.py`: Cronbach's alpha and the first principal component of an aggregate.
- `effective_weights.py`: each component's squared correlation with its aggregate, normalised.
- `panel.py`: one scorecard year's inputs as arrays (values, weights, coverage, ranks).
- `scorecard_model.py`: the scorecard's normalise, impute, aggregate and rank steps in numpy,
  vectorised over many method choices at once.
- `factors.py`: the uncertain inputs of the uncertainty analysis as Sobol factors.
- `sobol.py`: Sobol first-order and total-effect indices (SALib, Saltelli sampling).
- `marts.py`: the scorecard marts the audit reads.
- `digest.py`: the fingerprint of a sensitivity analysis's inputs, for its cache.
- `tables.py`: the audit marts, one function per table, from the scorecard marts.
"""
