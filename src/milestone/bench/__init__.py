"""Benchmarks: measurements printed as rates and ratios from one run, never timed tests."""
