"""The weekly digest as data: ranked columns, the recommended pick, and what the thread holds."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.domain.backlog_health import BacklogHealth, check_health
from bot.domain.catch_up import CatchUp
from bot.domain.channel_settings import ChannelSettings
from bot.domain.decisions import Agreement, Decision, DecisionSplit
from bot.domain.items import Item, Kind
from bot.domain.planning import Plan, recommend
from bot.domain.scoring import BUG_RULE, RULE, Ranked, rank

# The parent message shows this many of each kind; the rest are counted, not listed, which keeps
# it far inside Slack's 50-block limit whatever the backlog.
PARENT_ITEMS_PER_KIND = 10


@dataclass(frozen=True)
class Digest:
    now: datetime
    week_of: date
    debt: list[Ranked]
    features: list[Ranked]
    plan: Plan
    settings: ChannelSettings
    split: DecisionSplit | None = None
    run_id: int | None = None
    # Set when the digest is redrawn after it was posted: what changed since.
    closed: list[Item] = field(default_factory=list)
    agreements: list[Agreement] = field(default_factory=list)
    decision: Decision | None = None
    unshown_open: int = 0  # open items of the channel that the posted digest did not show
    leads: list[str] = field(default_factory=list)  # named where items need an estimate
    health: BacklogHealth | None = None

    @property
    def tallies_hidden(self) -> bool:
        """Counts and scores stay hidden until the decision, against bandwagon voting."""
        return self.settings.votes_hidden and self.decision is None

    @property
    def is_empty(self) -> bool:
        return not self.debt and not self.features

    @property
    def bug_count(self) -> int:
        return sum(1 for r in self.debt if r.item.kind is Kind.BUG)

    @property
    def shown_debt(self) -> list[Ranked]:
        return self.debt[:PARENT_ITEMS_PER_KIND]

    @property
    def shown_features(self) -> list[Ranked]:
        return self.features[:PARENT_ITEMS_PER_KIND]

    @property
    def hidden_count(self) -> int:
        shown = len(self.shown_debt) + len(self.shown_features)
        return len(self.debt) + len(self.features) - shown + self.unshown_open

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
        rule = f"Ranking: {RULE}."
        if any(r.item.kind is Kind.BUG for r in self.debt):
            rule += f" {BUG_RULE}."
        if not leaders:
            return rule
        best = max(leaders, key=lambda r: r.score.value)
        return f"{rule} {best.item.ref} leads: {best.score.explain()}."


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def compose_digest(
    items: Iterable[Item],
    settings: ChannelSettings,
    now: datetime,
    split: DecisionSplit | None = None,
    *,
    decided: bool = False,
    catch_up: CatchUp | None = None,
) -> Digest:
    """Rank the open items of one channel and pick the next cycle's work under its budget.

    The week is the one `now` falls in, in the channel's time zone (UTC if it has none).
    """
    local = now.astimezone(settings.slot.zone) if settings.slot else now
    open_items = [i for i in items if i.is_open]
    # The left column, `debt`, holds all non-feature work: debt and bugs ranked together.
    open_debt = [i for i in open_items if not i.kind.is_feature]
    open_features = [i for i in open_items if i.kind.is_feature]
    # The pick always counts votes: it is what the lead and the PM agree to. The columns leave
    # votes out while the channel hides tallies, so their order gives no count away.
    voted_debt, voted_features = rank(open_debt), rank(open_features)
    plan = recommend(voted_debt, voted_features, settings.capacity, settings.budget_pct, catch_up)
    if settings.votes_hidden and not decided:
        debt, features = rank(open_debt, count_votes=False), rank(open_features, count_votes=False)
    else:
        debt, features = voted_debt, voted_features
    return Digest(
        now=now,
        week_of=week_start(local.date()),
        health=check_health(open_items, now),
        debt=debt,
        features=features,
        plan=plan,
        settings=settings,
        split=split,
    )
