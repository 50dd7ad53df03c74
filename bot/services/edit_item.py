"""Use case: someone who may edit an open item changes its text fields."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.item_edits import FieldChange, changes
from bot.domain.items import Item, ItemDraft, ItemRef
from bot.services.open_item import load_open_item
from bot.store.unit_of_work import Store, UnitOfWork


class NotAllowedToEdit(Exception):  # not PermissionError: an OSError reads as "database down"
    def __init__(self, ref: ItemRef) -> None:
        super().__init__(
            f"Only the person who logged {ref}, or a lead or PM of its channel, can edit it."
        )


async def editable_item(store: Store, *, team_id: str, ref: ItemRef, user_id: str) -> Item:
    """The item, when it is open and `user_id` may edit it; raises otherwise."""
    async with store.unit_of_work() as uow:
        return await _editable(uow, team_id, ref, user_id)


async def edit_item(
    store: Store, *, team_id: str, ref: ItemRef, user_id: str, draft: ItemDraft
) -> tuple[Item, list[FieldChange]]:
    """Save what changed (each field in the audit trail); the item as it is now."""
    async with store.unit_of_work() as uow:
        item = await _editable(uow, team_id, ref, user_id)
        changed = changes(item, draft)
        if changed:
            await uow.items.edit(team_id, ref, changed, user_id, datetime.now(UTC))
            await uow.commit()
            item = await uow.items.get(team_id, ref) or item
    return item, changed


async def _editable(uow: UnitOfWork, team_id: str, ref: ItemRef, user_id: str) -> Item:
    item = await load_open_item(uow, team_id, ref)
    roles = await uow.roles.all(team_id, item.channel_id)
    if not roles.may_edit(item, user_id):
        raise NotAllowedToEdit(ref)
    return item
