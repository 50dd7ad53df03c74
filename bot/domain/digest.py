"""The weekly digest as data: ranked columns, the recommended pick, and what the thread holds."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.domain.channel_settings import ChannelSettings
from bot.domain.items import Item, Kind
from bot.domain.planning import Plan, recommend
from bot.domain.scoring import RULE, Ranked, rank

# The parent message shows this many of each kind; the rest are counted, not listed, which keeps
# it far inside Slack's 50-block limit whatever the backlog.
PARENT_ITEMS_PER_KIND = 10


@dataclass(frozen=True)
class DecisionSplit:
    """What the channel actually planned over its last decisions, in size points."""

    decisions: int
    debt_points: int
    total_points: int

    @property
    def debt_share_pct(self) -> int:
        return round(100 * self.debt_points / self.total_points) if self.total_points else 0


@dataclass(frozen=True)
class Digest:
    now: datetime
    week_of: date
    debt: list[Ranked]
    features: list[Ranked]
    plan: Plan
    settings: ChannelSettings
    split: DecisionSplit | None = None

    @property
    def is_empty(self) -> bool:
        return not self.debt and not self.features

    @property
    def shown_debt(self) -> list[Ranked]:
        return self.debt[:PARENT_ITEMS_PER_KIND]

    @property
    def shown_features(self) -> list[Ranked]:
        return self.features[:PARENT_ITEMS_PER_KIND]

    @property
    def hidden_count(self) -> int:
        return len(self.debt) + len(self.features) - len(self.shown_debt) - len(self.shown_features)

    @property
    def thread_items(self) -> list[Ranked]:
        """The items that get a thread reply to vote on: the top N of each kind."""
        limit = self.settings.replies_per_kind
        return self.debt[:limit] + self.features[:limit]

    @property
    def unthreaded_count(self) -> int:
        return len(self.debt) + len(self.features) - len(self.thread_items)

    def why(self) -> str:
        """One line on the ranking rule, with the leader's arithmetic as the example."""
        leaders = self.debt[:1] + self.features[:1]
        if not leaders:
            return f"Ranking: {RULE}."
        best = max(leaders, key=lambda r: r.score.value)
        return f"Ranking: {RULE}. {best.item.ref} leads: {best.score.explain()}."


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def compose_digest(
    items: Iterable[Item],
    settings: ChannelSettings,
    now: datetime,
    split: DecisionSplit | None = None,
) -> Digest:
    """Rank the open items of one channel and pick the next cycle's work under its budget.

    The week is the one `now` falls in, in the channel's time zone (UTC if it has none).
    """
    local = now.astimezone(settings.slot.zone) if settings.slot else now
    open_items = [i for i in items if i.is_open]
    debt = rank(i for i in open_items if i.kind is Kind.DEBT)
    features = rank(i for i in open_items if i.kind is Kind.FEATURE)
    plan = recommend(debt, features, settings.capacity, settings.budget_pct)
    return Digest(
        now=now,
        week_of=week_start(local.date()),
        debt=debt,
        features=features,
        plan=plan,
        settings=settings,
        split=split,
    )
