"""Editions: every published scorecard kept (history), the changes between two editions
attributed to their causes (attribution), anomalies between editions (anomalies) and any edition
rebuilt from its raw payloads (rebuild). docs/operations.md, "Editions"."""
