"""Benchmarks: speed and quality figures measured against a baseline in the same run."""
