"""The recommended pick for the next cycle: a reserved share for debt, the rest for features,
and whatever is still free for the best-ranked items of either kind that fit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.domain.catch_up import CatchUp
from bot.domain.items import ItemRef
from bot.domain.labels import plural
from bot.domain.passed_over import PASSED_OVER_SHOWN, NotPickedReason, PassedOver
from bot.domain.scoring import Ranked

DEFAULT_CAPACITY_POINTS = 20
DEFAULT_DEBT_BUDGET_PCT = 20
@dataclass(frozen=True)
class Plan:
    picked: list[Ranked]
    capacity: int
    budget_pct: int
    unsized_left: int = 0  # open items not picked because nobody has estimated them
    # The best-ranked items the pick left out, best first, at most PASSED_OVER_SHOWN.
    passed_over: list[PassedOver] = field(default_factory=list)
    catch_up: CatchUp | None = None  # debt points reserved on top of the budget, and why

    # "Debt" budget and points count all non-feature work: debt and bugs together.
    @property
    def debt_budget(self) -> float:
        extra = self.catch_up.points if self.catch_up else 0
        return min(float(self.capacity), self.capacity * self.budget_pct / 100 + extra)

    @property
    def debt_points(self) -> int:
        return sum(r.score.size_points for r in self.picked if not r.item.kind.is_feature)

    @property
    def feature_points(self) -> int:
        return sum(r.score.size_points for r in self.picked if r.item.kind.is_feature)

    @property
    def unused_points(self) -> int:
        """Capacity still free after the pick: no sized item left fits in it."""
        return self.capacity - self.debt_points - self.feature_points

    def idle_reason(self) -> str | None:
        """Why capacity stays free after a pick, in words; None when the pick fills it."""
        if not self.picked or self.unused_points <= 0:
            return None
        free = plural(self.unused_points, "point")
        reason = f"{free} left unused: no open item with a size fits in what is left"
        if self.unsized_left:
            waits = "item waits" if self.unsized_left == 1 else "items wait"
            reason += f"; {self.unsized_left} unsized {waits} for an estimate"
        return reason + "."


def recommend(
    debt: Sequence[Ranked],
    features: Sequence[Ranked],
    capacity: int,
    budget_pct: int,
    catch_up: CatchUp | None = None,
) -> Plan:
    """Reserve the debt budget for the best debt that fits, give the rest to the best features,
    then fill what is still free with the best-ranked remaining items that fit.

    The budget is a floor for debt, not a ceiling: no room stays idle while a sized item would
    fit in it. An item too big for what is left is skipped and smaller ones after it are tried,
    so one XL item cannot block the whole cycle. Unsized items are never picked: nobody can plan
    work of unknown size. The pick lists debt then features, each in rank order.
    """
    chosen: set[ItemRef] = set()
    room = capacity
    sized_debt = [r for r in debt if r.score.estimated]
    sized_features = [r for r in features if r.score.estimated]

    def take(candidates: Sequence[Ranked], limit: float) -> None:
        nonlocal room
        for ranked in candidates:
            size = ranked.score.size_points
            if ranked.item.ref not in chosen and size <= min(limit, room):
                chosen.add(ranked.item.ref)
                limit -= size
                room -= size

    plan = Plan(picked=[], capacity=capacity, budget_pct=budget_pct, catch_up=catch_up)
    take(sized_debt, plan.debt_budget)
    take(sized_features, room)
    # Every feature that fits was taken just above, so only debt can still fit what is free.
    take(sized_debt, room)
    picked = [r for r in sized_debt + sized_features if r.item.ref in chosen]
    unsized = sum(1 for r in [*debt, *features] if not r.score.estimated)
    left_out = [r for r in [*debt, *features] if r.item.ref not in chosen]
    return Plan(
        picked=picked, capacity=capacity, budget_pct=budget_pct, unsized_left=unsized,
        passed_over=_passed_over(left_out, plan.debt_budget), catch_up=catch_up,
    )


def _passed_over(left_out: Sequence[Ranked], debt_budget: float) -> list[PassedOver]:
    """The best of what was left out, across both kinds, with the rule that left it out.

    Every sized item left out was too big for the room still free when its turn came; a debt
    item bigger than the whole debt budget is said to be over budget, any other over capacity.
    """
    best = sorted(
        left_out,
        key=lambda r: (not r.score.estimated,
                       -r.score.cost_of_delay / r.score.size_points if r.score.estimated else 0,
                       r.item.created_at),
    )[:PASSED_OVER_SHOWN]
    return [PassedOver(r, _reason(r, debt_budget)) for r in best]


def _reason(ranked: Ranked, debt_budget: float) -> NotPickedReason:
    if not ranked.score.estimated:
        return NotPickedReason.UNSIZED
    if not ranked.item.kind.is_feature and ranked.score.size_points > debt_budget:
        return NotPickedReason.OVER_BUDGET
    return NotPickedReason.OVER_CAPACITY
