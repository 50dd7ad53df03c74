"""The recommended pick for the next cycle: best-ranked items that fit the capacity, with debt
held to the channel's budget."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.scoring import Ranked

DEFAULT_CAPACITY_POINTS = 20
DEFAULT_DEBT_BUDGET_PCT = 20


@dataclass(frozen=True)
class Plan:
    picked: list[Ranked]
    capacity: int
    budget_pct: int

    # "Debt" budget and points count all non-feature work: debt and bugs together.
    @property
    def debt_budget(self) -> float:
        return self.capacity * self.budget_pct / 100

    @property
    def debt_points(self) -> int:
        return sum(r.score.size_points for r in self.picked if not r.item.kind.is_feature)

    @property
    def feature_points(self) -> int:
        return sum(r.score.size_points for r in self.picked if r.item.kind.is_feature)


def recommend(
    debt: Sequence[Ranked], features: Sequence[Ranked], capacity: int, budget_pct: int
) -> Plan:
    """Fill the debt budget with the best debt that fits, then the rest with the best features.

    An item too big for what is left is skipped and smaller ones after it are tried, so one XL
    item cannot block the whole cycle. Unused debt budget goes to features. Unsized items are
    never picked: nobody can plan work of unknown size.
    """
    picked: list[Ranked] = []
    debt_room = capacity * budget_pct / 100
    for ranked in (r for r in debt if r.score.estimated):
        if ranked.score.size_points <= debt_room:
            picked.append(ranked)
            debt_room -= ranked.score.size_points
    room = capacity - sum(r.score.size_points for r in picked)
    for ranked in (r for r in features if r.score.estimated):
        if ranked.score.size_points <= room:
            picked.append(ranked)
            room -= ranked.score.size_points
    return Plan(picked=picked, capacity=capacity, budget_pct=budget_pct)
