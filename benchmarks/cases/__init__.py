"""Benchmark cases, one module per algorithm family, each exposing `CASES`."""
