"""Garbage-collector settings for a long-running bot process."""

from __future__ import annotations

import gc


def tune_gc_for_serving() -> None:
    """Fewer, cheaper collections for a long-running server, called once everything is
    imported. Listing 300 items makes thousands of short-lived objects; with CPython's default
    threshold (700) the collector ran many times per request, scanning everything imported at
    start too. Measured by bench.list_items at 8 clients: 7.7 -> 5.6 ms of CPU per list, p99
    158 -> 80 ms."""
    gc.freeze()  # what is loaded now lives as long as the process: never scan it again
    gc.set_threshold(20_000, 10, 10)
