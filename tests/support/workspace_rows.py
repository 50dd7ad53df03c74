"""Everything the database holds, read directly: for "nothing was stored" and "the other
workspace was not touched" checks that no repository method can get wrong."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, func, inspect, select
from sqlalchemy import table as light_table

from bot.store.models import (
    Base,
    DecisionAgreementRow,
    DecisionItemRow,
    DecisionRow,
    DigestRunRow,
    ItemRow,
    VoteRow,
)
from bot.store.unit_of_work import Store


async def row_counts(store: Store) -> dict[str, int]:
    """Rows per table, for every table in the database (ours and OAuth's)."""
    async with store.engine.connect() as conn:
        names = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
        counts = {}
        for name in names:
            query = select(func.count()).select_from(light_table(name))
            counts[name] = int((await conn.execute(query)).scalar_one())
    return counts


async def team_rows(store: Store, team_id: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row that belongs to the workspace, table by table, in a stable order."""
    tables: list[Table] = [t for t in Base.metadata.sorted_tables if "team_id" in t.c]
    found: dict[str, list[tuple[Any, ...]]] = {}
    async with store.engine.connect() as conn:
        for table in tables:
            rows = await conn.execute(select(table).where(table.c.team_id == team_id))
            found[table.name] = sorted((tuple(r) for r in rows), key=repr)
        joined = {
            "votes": select(VoteRow.__table__).join(ItemRow, ItemRow.id == VoteRow.item_id)
            .where(ItemRow.team_id == team_id),
            "decision_agreements": select(DecisionAgreementRow.__table__)
            .join(DigestRunRow, DigestRunRow.id == DecisionAgreementRow.run_id)
            .where(DigestRunRow.team_id == team_id),
            "decision_items": select(DecisionItemRow.__table__)
            .join(DecisionRow, DecisionRow.id == DecisionItemRow.decision_id)
            .where(DecisionRow.team_id == team_id),
        }
        for name, query in joined.items():
            found[name] = sorted((tuple(r) for r in await conn.execute(query)), key=repr)
    return found
