"""Reading what the database really holds, bypassing the bot's services."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import select

from bot.store.models import ItemRow
from bot.store.unit_of_work import Store


async def stored_items(store: Store, team_id: str) -> list[ItemRow]:
    async with store.unit_of_work() as uow:
        rows = await uow.session.scalars(
            select(ItemRow).where(ItemRow.team_id == team_id).order_by(ItemRow.id)
        )
        return list(rows)


def sqlite_table_names(db: Path) -> set[str]:
    """The tables of an SQLite file, read with the standard library (no bot code involved)."""
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    finally:
        conn.close()
    return {name for (name,) in rows}
