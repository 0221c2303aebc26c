"""Simulating many courses at once: the forked pool, the executor, pickling."""
