"""Helpers for the test suite and benchmarks: real repositories in temp folders."""
