"""Benchmarks and evaluation: `make bench` and `make eval` (see README, "Measured")."""
