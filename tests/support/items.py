"""Putting items and votes in place directly, for tests that are about reading them."""

from __future__ import annotations

from bot.domain.items import Item, Kind, make_draft
from bot.services.log_item import log_item
from bot.store.unit_of_work import Store


async def add_item(
    store: Store,
    team_id: str,
    kind: Kind = Kind.DEBT,
    title: str = "An item",
    *,
    channel_id: str = "C111",
    votes: int = 0,
    impact: str = "It matters",
    **fields: str,
) -> Item:
    """Log an item as a user would; `fields` are make_draft's size, urgency, interest…"""
    item = await log_item(
        store,
        team_id=team_id,
        channel_id=channel_id,
        author_id="UAUTHOR",
        draft=make_draft(kind, title, impact, **fields),
    )
    if votes:
        async with store.unit_of_work() as uow:
            voters = [f"UV{n}" for n in range(votes)]
            locked = await uow.items.lock(team_id, item.ref)
            assert locked is not None
            await uow.votes.add_votes(locked[0], voters, item.created_at)
            await uow.commit()
    return item
