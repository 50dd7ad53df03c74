"""Use cases, one per module: each opens one unit of work and commits it in one place."""
