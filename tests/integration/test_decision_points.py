"""The digest's one-statement read of the last decisions (recent_points) says what the full
decisions say: the same decisions, newest first, with the same budget and points."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bench.digest_build import SqlCounter
from bot.domain.catch_up import catch_up
from bot.domain.decisions import DecidedItem, decision_split
from bot.domain.items import ItemRef, Kind
from bot.store.unit_of_work import Store

CHANNEL = "CPOINTS"


async def _decide(
    store: Store, team_id: str, slot: str, at: datetime, budget_pct: int,
    points: list[tuple[Kind, int]], channel: str = CHANNEL,
) -> None:
    async with store.unit_of_work() as uow:
        run = await uow.digests.claim(team_id, channel, slot, at, timedelta(0))
        assert run is not None
        items = [DecidedItem(ItemRef(kind, n + 1), f"Item {n}", size, 0, 1.0)
                 for n, (kind, size) in enumerate(points)]
        await uow.decisions.record(
            team_id=team_id, channel_id=channel, run_id=run.id, lead_id="UL", pm_id="UP",
            capacity=20, budget_pct=budget_pct, items=items, now=at,
        )
        await uow.commit()


async def test_recent_points_agree_with_the_decisions_they_stand_for(
    store: Store, team_id: str
) -> None:
    start = datetime(2026, 9, 7, 9, tzinfo=UTC)
    cycles = [
        (20, [(Kind.DEBT, 3), (Kind.FEATURE, 5), (Kind.BUG, 2)]),
        (30, [(Kind.FEATURE, 8)]),
        (10, [(Kind.DEBT, 5), (Kind.DEBT, 3), (Kind.BUG, 1), (Kind.FEATURE, 2)]),
        (25, []),                              # a decision that picked nothing
        (20, [(Kind.BUG, 13)]),
    ]
    for week, (budget, points) in enumerate(cycles):
        await _decide(store, team_id, f"w{week}", start + timedelta(weeks=week), budget, points)
    # Same time as the newest: the later id is newer, as `recent` orders them.
    await _decide(store, team_id, "tie", start + timedelta(weeks=4), 40, [(Kind.DEBT, 1)])
    await _decide(store, team_id, "elsewhere", start, 20, [(Kind.DEBT, 99)], channel="COTHER")
    counter = SqlCounter(store.engine)

    async with store.unit_of_work(read_only=True) as uow:
        full = await uow.decisions.recent(team_id, CHANNEL, 4)
        counter.reset()
        points = await uow.decisions.recent_points(team_id, CHANNEL, 4)
    assert counter.statements == 1

    assert [(p.id, p.decided_at, p.budget_pct, p.debt_points, p.total_points) for p in points] \
        == [(d.id, d.decided_at, d.budget_pct, d.debt_points, d.total_points) for d in full]
    assert [(p.debt_points, p.total_points) for p in points] == [(1, 1), (13, 13), (0, 0),
                                                                 (9, 11)]
    assert decision_split(points) == decision_split(full)
    assert catch_up(points, cycles=3) == catch_up(full, cycles=3)


async def test_a_channel_without_decisions_has_no_points(store: Store, team_id: str) -> None:
    async with store.unit_of_work(read_only=True) as uow:
        assert await uow.decisions.recent_points(team_id, "CNONE", 6) == []
