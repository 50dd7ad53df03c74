"""Decisions written straight into the store, as past cycles a report or a catch-up reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.decisions import DecidedItem
from bot.domain.items import ItemRef, Kind
from bot.store.unit_of_work import Store


async def record_decision(
    store: Store, team_id: str, channel: str, debt: int, feature: int
) -> None:
    now = datetime.now(UTC) - timedelta(days=2)
    async with store.unit_of_work() as uow:
        run = await uow.digests.claim(team_id, channel, f"past-{debt}", now, timedelta(0))
        assert run is not None
        items = [DecidedItem(ItemRef(Kind.DEBT, 1), "Flaky", debt, 1, 2.0),
                 DecidedItem(ItemRef(Kind.FEATURE, 1), "SSO", feature, 3, 1.0)]
        await uow.decisions.record(
            team_id=team_id, channel_id=channel, run_id=run.id, lead_id="UL", pm_id="UP",
            capacity=20, budget_pct=20, items=items, now=now,
        )
        await uow.commit()
