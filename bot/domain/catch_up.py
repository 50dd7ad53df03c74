"""The catch-up budget: when the last N decisions all gave debt less than its budget, the next
cycle reserves the shortfall on top of the budget, so a run of feature-heavy cycles is paid
back instead of forgotten."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.decisions import PlannedCycle
from bot.domain.labels import plural

MAX_CATCH_UP_CYCLES = 12


@dataclass(frozen=True)
class CatchUp:
    points: int  # debt points reserved on top of the budget
    cycles: int

    def explain(self) -> str:
        points = plural(self.points, "point")
        return f"+{points} of debt to catch up on the last {self.cycles} cycles"


def catch_up(decisions: Sequence[PlannedCycle], *, cycles: int | None) -> CatchUp | None:
    """None when off, with fewer than `cycles` decisions, or when any of the last `cycles`
    met its budget. The shortfall is counted against each decision's own budget and size,
    rounded up: a cycle never pays back less than it fell short."""
    if not cycles:
        return None
    recent = sorted(decisions, key=lambda d: (d.decided_at, d.id))[-cycles:]
    if len(recent) < cycles:
        return None
    shortfalls = [d.total_points * d.budget_pct / 100 - d.debt_points for d in recent]
    if any(s <= 0 for s in shortfalls) or any(not d.total_points for d in recent):
        return None
    return CatchUp(points=math.ceil(sum(shortfalls) - 1e-9), cycles=cycles)
