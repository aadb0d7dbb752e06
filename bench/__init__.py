"""Benchmarks, run on demand (`make bench`), never as timed tests: each prints its figures and their ratio to
the bound they are held to (SPEC.md "What good looks like")."""
