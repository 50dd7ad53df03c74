"""What `tradeoff digest` and `tradeoff trends` do once their arguments are checked."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.chart_pool import ChartPool
from bot.config import Settings
from bot.domain.trends import Trends
from bot.runtime import build_runtime
from bot.services.digest_reading import channel_digest
from bot.services.post_digest import Outcome
from bot.services.trends import channel_trends
from bot.store.unit_of_work import Store
from bot.terminal_view import render_digest


async def print_or_post_digest(
    settings: Settings, team_id: str, channel_id: str, *, dry_run: bool
) -> tuple[str, bool]:
    """`tradeoff digest`: the digest as text (dry run), or the outcome of posting it."""
    store = Store(settings.database_url)
    try:
        if dry_run:
            digest = await channel_digest(store, team_id, channel_id, datetime.now(UTC))
            return render_digest(digest, channel=channel_id), True
        runtime = build_runtime(settings.with_scheduler("off"), store)
        result = await runtime.digests.post_now(team_id, channel_id)
    finally:
        await store.close()
    ok = result.outcome in (Outcome.POSTED, Outcome.RESUMED, Outcome.SKIPPED_QUIET)
    detail = f" ({result.error})" if result.error else ""
    replies = f", {result.replies_posted} thread replies" if result.parent_ts else ""
    return f"digest {result.outcome.value}{detail}{replies}", ok


async def load_trends(
    settings: Settings, team_id: str, channel_id: str, weeks: int
) -> tuple[Trends, bytes | None]:
    """`tradeoff trends`: the channel's trends from the database, and their chart unless
    there is no history to draw."""
    store = Store(settings.database_url)
    charts = ChartPool(workers=1)
    try:
        data = await channel_trends(store, team_id=team_id, channel_id=channel_id, weeks=weeks)
        return data, None if data.is_empty else await charts.render(data, title=data.chart_title)
    finally:
        charts.shutdown()
        await store.close()
