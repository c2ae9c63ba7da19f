"""citydip benchmarks: `make bench` (full, rewrites bench/RESULTS.md), `make bench-quick` (CI)."""
