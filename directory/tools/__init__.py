"""Benchmarks, load tests, synthetic data and the FTS5 baseline; never imported by the product."""
