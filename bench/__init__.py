"""Sync benchmarks: our server against Kinto, same machine, same run, same client.

``python -m bench`` (or ``make bench``) starts each server as a real HTTP subprocess on a free
loopback port, runs the workloads of issue 3 against both, prints one table per backend kind
with the ratio and PASS/FAIL per target, and saves the figures under ``bench-results/``.
See docs/performance.md.
"""
