"""The planning rule says why each of the best items left out of the pick was left out."""

from __future__ import annotations

from bot.domain.catch_up import CatchUp
from bot.domain.items import Kind, Size, Urgency
from bot.domain.planning import NotPickedReason, recommend
from bot.domain.scoring import rank
from tests.support.builders import an_item


def test_the_best_three_left_out_come_with_the_rule_that_left_them_out() -> None:
    debt = rank([
        an_item(Kind.DEBT, 1, size=Size.S, urgency=Urgency.HIGH),
        an_item(Kind.DEBT, 2, size=Size.XL),
    ])
    features = rank([
        an_item(Kind.FEATURE, 1, size=Size.M, votes=2),
        an_item(Kind.FEATURE, 2, size=Size.L),
        an_item(Kind.FEATURE, 3),
        an_item(Kind.FEATURE, 4),
    ])

    plan = recommend(debt, features, capacity=7, budget_pct=30)

    assert [str(r.item.ref) for r in plan.picked] == ["D-1", "F-1"]
    assert [(str(p.ranked.item.ref), p.reason) for p in plan.passed_over] == [
        ("F-2", NotPickedReason.OVER_CAPACITY),
        ("D-2", NotPickedReason.OVER_BUDGET),
        ("F-3", NotPickedReason.UNSIZED),
    ]


def test_nothing_left_out_lists_nothing() -> None:
    plan = recommend(rank([an_item(Kind.DEBT, 1, size=Size.S)]), [], capacity=20, budget_pct=20)

    assert plan.passed_over == []


def test_debt_within_the_caught_up_budget_is_over_capacity_not_over_budget() -> None:
    # 20 % of 10 is 2 points, and the catch-up adds 4: the 3-point D-2 fits the debt budget,
    # so what left it out was the room the better-ranked items took.
    debt = rank([
        an_item(Kind.DEBT, 1, size=Size.L, urgency=Urgency.HIGH),
        an_item(Kind.DEBT, 2, size=Size.M, urgency=Urgency.LOW),
    ])
    features = rank([an_item(Kind.FEATURE, 1, size=Size.L, votes=3)])

    plan = recommend(debt, features, capacity=10, budget_pct=20,
                     catch_up=CatchUp(points=4, cycles=3))

    assert [str(r.item.ref) for r in plan.picked] == ["D-1", "F-1"]
    assert [(str(p.ranked.item.ref), p.reason) for p in plan.passed_over] == [
        ("D-2", NotPickedReason.OVER_CAPACITY),
    ]
