"""Rendering the trends chart for two years of weekly data: seconds per render.

    python -m bench.trends_render [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime, timedelta

from bot.charts import render_trends_png
from bot.domain.decisions import DecidedItem, Decision
from bot.domain.items import Item, ItemRef, Kind, Status
from bot.domain.trends import MAX_WEEKS, compute_trends


def _history(now: datetime) -> tuple[list[Item], list[Decision]]:
    items = [
        Item(ItemRef(Kind.DEBT if n % 2 else Kind.FEATURE, n), "T", "C", f"item {n}", "i", "U",
             Status.OPEN if n % 3 else Status.DONE, now - timedelta(days=n * 2),
             now - timedelta(days=n * 2),
             closed_at=None if n % 3 else now - timedelta(days=n))
        for n in range(1, 301)
    ]
    decisions = [
        Decision(w, "T", "C", "UL", "UP", 20, 20, now - timedelta(weeks=w),
                 (DecidedItem(ItemRef(Kind.DEBT, 1), "d", 1 + w % 5, 0, 1.0),
                  DecidedItem(ItemRef(Kind.FEATURE, 2), "f", 8, 0, 1.0)))
        for w in range(MAX_WEEKS)
    ]
    return items, decisions


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    now = datetime(2026, 11, 26, tzinfo=UTC)
    items, decisions = _history(now)
    trends = compute_trends(items, decisions, budget_pct=20, now=now, weeks=MAX_WEEKS)
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        png = render_trends_png(trends, title="bench")
        times.append(time.perf_counter() - start)
    print(
        f"trends_render: {MAX_WEEKS} weeks, {len(decisions)} decisions, 300 items; "
        f"render median {statistics.median(times):.3f} s, max {max(times):.3f} s "
        f"(first includes font cache), {len(png)} bytes"
    )


if __name__ == "__main__":
    main()
