"""`tradeoff report`: the report across channels from the database, as JSON or as one HTML
file with the overview chart and each channel's trends (drawn in one worker process)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.chart_pool import ChartPool
from bot.config import Settings
from bot.domain.report_json import report_document
from bot.report_html import report_html
from bot.services.channel_report import workspace_report
from bot.services.trends import channel_trends
from bot.store.unit_of_work import Store

OVERVIEW_TITLE = "Tradeoff across channels · debt share of the last 4 decisions"
TREND_WEEKS = 12


async def load_report(settings: Settings, team_id: str, output: str) -> str:
    """The report as `output` ("json" or "html") text."""
    now = datetime.now(UTC)
    store = Store(settings.database_url)
    charts = ChartPool(workers=1)
    try:
        # The operator running the CLI sees every channel of the workspace.
        report = await workspace_report(store, None, team_id=team_id, user_id=None, now=now)
        if output == "json":
            return json.dumps(
                report_document(team_id, report.lines, left_out=0, generated_at=now), indent=2
            ) + "\n"
        pngs: dict[str, bytes] = {}
        summaries: dict[str, str] = {}
        for line in report.lines:
            trend = await channel_trends(
                store, team_id=team_id, channel_id=line.channel_id, weeks=TREND_WEEKS, now=now
            )
            if not trend.is_empty:
                pngs[line.channel_id] = await charts.render(trend, title=trend.chart_title)
                summaries[line.channel_id] = trend.summary()
        overview = (
            await charts.render_report(report.lines, {}, title=OVERVIEW_TITLE)
            if report.lines else None
        )
        return report_html(team_id, report.lines, overview_png=overview, trend_pngs=pngs,
                           summaries=summaries, generated_at=now)
    finally:
        charts.shutdown()
        await store.close()
