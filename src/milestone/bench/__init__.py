"""Benchmarks: each measures a rate and a floor in one run and reports their ratio."""
