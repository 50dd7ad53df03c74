"""Reading what the database really holds, bypassing the bot's services."""

from __future__ import annotations

from sqlalchemy import select

from bot.store.models import ItemRow
from bot.store.unit_of_work import Store


async def stored_items(store: Store, team_id: str) -> list[ItemRow]:
    async with store.unit_of_work() as uow:
        rows = await uow.session.scalars(
            select(ItemRow).where(ItemRow.team_id == team_id).order_by(ItemRow.id)
        )
        return list(rows)
