"""The machinery of `citydip refresh` around Dagster: one refresh at a time (lock, active runs),
what to rebuild (plan), live progress, recovery after a crash, the persistent instance."""
