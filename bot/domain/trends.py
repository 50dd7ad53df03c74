"""The channel's trend over the last weeks: how much of the planned work was non-feature work
(debt and bugs, told apart) against the budget, how the open backlog grew or shrank, and how
old the open debt is getting."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import median

from bot.domain.decisions import Decision, debt_share_pct
from bot.domain.items import Item, Kind
from bot.domain.labels import non_feature_label, plural

OLD_DEBT = timedelta(days=90)
DEFAULT_WEEKS = 12
MAX_WEEKS = 104


@dataclass(frozen=True)
class WeekPoint:
    week_end: date
    open_debt: int
    open_features: int
    median_debt_age_days: float | None
    open_bugs: int = 0


@dataclass(frozen=True)
class DecisionPoint:
    decided_at: datetime
    debt_share_pct: int  # all non-feature work, bugs included
    budget_pct: int
    bug_share_pct: int = 0  # the bugs' part of debt_share_pct


@dataclass(frozen=True)
class Trends:
    weeks: int
    points: list[WeekPoint]
    decisions: list[DecisionPoint]
    budget_pct: int
    debt_points: int
    planned_points: int
    old_debt: int  # open debt items older than OLD_DEBT now
    bug_points: int = 0  # the bugs' part of debt_points

    @property
    def is_empty(self) -> bool:
        """Nothing to draw: no decision and no item in the window."""
        return not self.decisions and not any(
            p.open_debt or p.open_features or p.open_bugs for p in self.points
        )

    @property
    def debt_share_pct(self) -> int | None:
        return debt_share_pct(self.debt_points, self.planned_points)

    @property
    def chart_title(self) -> str:
        """The title every trends chart of a channel carries, in Slack and from the CLI."""
        return f"Tradeoff trends · last {self.weeks} weeks"

    def summary(self) -> str:
        """One paragraph in words, with the same numbers as the chart."""
        weeks = plural(self.weeks, "week")
        if self.debt_share_pct is None:
            split = f"no decisions were recorded over {weeks}"
        else:
            who = non_feature_label(bool(self.bug_points))
            bugs = f", {self.bug_points} of them bugs," if self.bug_points else ""
            split = (
                f"{who} got {self.debt_share_pct} % of planned size over {weeks} against a "
                f"{self.budget_pct} % budget ({self.debt_points} of {self.planned_points} "
                f"points{bugs} in {len(self.decisions)} decision"
                f"{'s' if len(self.decisions) != 1 else ''})"
            )
        old = f"{plural(self.old_debt, 'debt item')} older than {OLD_DEBT.days} days"
        return f"{split[0].upper()}{split[1:]}; {old}."


def _open_at(item: Item, moment: datetime) -> bool:
    return item.created_at <= moment and (item.closed_at is None or item.closed_at > moment)


def compute_trends(
    items: Sequence[Item],
    decisions: Sequence[Decision],
    *,
    budget_pct: int,
    now: datetime,
    weeks: int = DEFAULT_WEEKS,
) -> Trends:
    """Weekly snapshots of the backlog for the last `weeks` weeks, and the decisions in them."""
    start = now - timedelta(weeks=weeks)
    points = []
    for offset in range(weeks, -1, -1):
        moment = now - timedelta(weeks=offset)
        open_now = [i for i in items if _open_at(i, moment)]
        debt_ages = [(moment - i.created_at).days for i in open_now if i.kind is Kind.DEBT]
        points.append(WeekPoint(
            week_end=moment.date(),
            open_debt=len(debt_ages),
            open_features=sum(1 for i in open_now if i.kind is Kind.FEATURE),
            median_debt_age_days=float(median(debt_ages)) if debt_ages else None,
            open_bugs=sum(1 for i in open_now if i.kind is Kind.BUG),
        ))
    window = sorted((d for d in decisions if d.decided_at >= start), key=lambda d: d.decided_at)
    return Trends(
        weeks=weeks,
        points=points,
        decisions=[
            DecisionPoint(d.decided_at, d.debt_share_pct, d.budget_pct, _bug_share_pct(d))
            for d in window
        ],
        budget_pct=budget_pct,
        debt_points=sum(d.debt_points for d in window),
        bug_points=sum(d.bug_points for d in window),
        planned_points=sum(d.total_points for d in window),
        old_debt=sum(
            1 for i in items
            if i.is_open and i.kind is Kind.DEBT and now - i.created_at > OLD_DEBT
        ),
    )


def _bug_share_pct(decision: Decision) -> int:
    # Rounded so that the bugs' part never exceeds the rounded non-feature share it is part of.
    if not decision.total_points:
        return 0
    return min(round(100 * decision.bug_points / decision.total_points), decision.debt_share_pct)
