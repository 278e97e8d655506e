"""Benchmarks of the service running offline (`make bench`)."""
