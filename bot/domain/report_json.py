"""The report across channels as JSON for dashboards. The keys are a documented contract
(README, "Report across channels"): add keys, never rename or drop one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.domain.channel_report import RECENT_DECISIONS, ChannelLine

FORMAT_VERSION = 1


def report_document(
    team_id: str, lines: Sequence[ChannelLine], *, left_out: int, generated_at: datetime
) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "team_id": team_id,
        "generated_at": generated_at.isoformat(timespec="seconds"),
        "recent_decisions": RECENT_DECISIONS,
        "left_out": left_out,
        "channels": [
            {
                "channel_id": line.channel_id,
                "last_decision": line.last_decision.isoformat() if line.last_decision else None,
                "debt_share_pct": line.debt_share_pct,
                "budget_pct": line.budget_pct,
                "under_budget_pct": line.gap_pct,
                "recent_debt_shares_pct": list(line.recent_shares),
                "open_debt": line.open_debt,
                "interest_hours_per_week": line.interest_hours_per_week,
                "oldest_debt_days": line.oldest_debt_days,
                "last_digest_undecided": line.digest_undecided,
            }
            for line in lines
        ],
    }
