"""Use case: a duplicate is merged into the item that survives, and its votes go with it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from bot.domain.items import Item, ItemRef, Status, merge_refusal
from bot.services.errors import ItemInAnotherChannel, ItemNotFound, ItemNotOpen
from bot.store.digest_repository import DigestThread
from bot.store.unit_of_work import Store


class MergeRefused(ValueError):
    pass


@dataclass(frozen=True)
class MergeResult:
    duplicate: Item
    survivor: Item
    votes_moved: int
    duplicate_thread: DigestThread | None  # where to tell each item's voters
    survivor_thread: DigestThread | None


async def merge_items(
    store: Store,
    *,
    team_id: str,
    duplicate: ItemRef,
    into: ItemRef,
    user_id: str,
    channel_id: str | None = None,
) -> MergeResult:
    """Merge `duplicate` into `into`. With `channel_id`, both must be that channel's items
    (ItemInAnotherChannel otherwise), as with closing."""
    if duplicate == into:
        raise MergeRefused("An item cannot be merged into itself.")
    if (refusal := merge_refusal(duplicate, into)) is not None:
        raise MergeRefused(refusal)
    now = datetime.now(UTC)
    async with store.unit_of_work() as uow:
        dup_lock = await uow.items.lock(team_id, duplicate)
        into_lock = await uow.items.lock(team_id, into)
        if dup_lock is None:
            raise ItemNotFound(duplicate)
        if into_lock is None:
            raise ItemNotFound(into)
        if channel_id is not None:
            for item in await uow.items.get_many(team_id, [duplicate, into]):
                if item.channel_id != channel_id:
                    raise ItemInAnotherChannel(item.ref)
        if dup_lock[1] is not Status.OPEN:
            raise ItemNotOpen(duplicate, dup_lock[1])
        if into_lock[1] not in (Status.OPEN, Status.PLANNED):
            raise ItemNotOpen(into, into_lock[1])
        await uow.items.mark_merged(team_id, duplicate, into, user_id, now)
        moved = await uow.votes.move_votes(dup_lock[0], into_lock[0], now)
        dup_item, into_item = await uow.items.get_many(team_id, [duplicate, into])
        dup_thread = await uow.digests.latest_thread_of(team_id, duplicate)
        into_thread = await uow.digests.latest_thread_of(team_id, into)
        await uow.commit()
    return MergeResult(dup_item, into_item, moved, dup_thread, into_thread)
