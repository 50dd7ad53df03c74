"""The view across channels: one line of figures per channel of a workspace, ordered so the
channels furthest under their debt budget come first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot.domain.decisions import SPLIT_WINDOW, Decision, decision_split
from bot.domain.items import Item, Kind

# A line's debt share is the one the channel's digest shows: over the same last decisions.
RECENT_DECISIONS = SPLIT_WINDOW


@dataclass(frozen=True)
class ChannelLine:
    channel_id: str
    budget_pct: int
    last_decision: date | None
    recent_shares: tuple[int, ...]  # debt share of each of the last decisions, oldest first
    debt_share_pct: int | None  # over the last RECENT_DECISIONS decisions, None without any
    open_debt: int
    interest_hours_per_week: float  # summed over open debt whose interest is known
    oldest_debt_days: int | None
    digest_undecided: bool  # its last digest was posted and nothing was decided on it

    @property
    def gap_pct(self) -> int | None:
        """How far the share is under its budget (negative when over); None without decisions."""
        return None if self.debt_share_pct is None else self.budget_pct - self.debt_share_pct


def channel_line(
    channel_id: str,
    *,
    items: Sequence[Item],
    decisions: Sequence[Decision],
    budget_pct: int,
    digest_undecided: bool,
    now: datetime,
) -> ChannelLine:
    """`decisions` may be any of the channel's decisions: the last RECENT_DECISIONS count."""
    recent = sorted(decisions, key=lambda d: (d.decided_at, d.id))[-RECENT_DECISIONS:]
    open_debt = [i for i in items if i.is_open and i.kind is Kind.DEBT]
    split = decision_split(recent)
    return ChannelLine(
        channel_id=channel_id,
        budget_pct=budget_pct,
        last_decision=recent[-1].decided_at.date() if recent else None,
        recent_shares=tuple(d.debt_share_pct for d in recent),
        debt_share_pct=split.debt_share_pct if recent and split.total_points else None,
        open_debt=len(open_debt),
        interest_hours_per_week=sum(i.interest or 0.0 for i in open_debt),
        oldest_debt_days=max(((now - i.created_at).days for i in open_debt), default=None),
        digest_undecided=digest_undecided,
    )


def furthest_under_budget_first(lines: Sequence[ChannelLine]) -> list[ChannelLine]:
    """Widest gap under budget first; channels without decisions last; ties by channel id."""
    return sorted(
        lines,
        key=lambda line: (line.gap_pct is None, -(line.gap_pct or 0), line.channel_id),
    )
