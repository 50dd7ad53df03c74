"""Use cases of the two roles' own routines: the lead estimates, either role quantifies debt,
anyone reads an item's full record and the backlog's health."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.domain.backlog_health import BacklogHealth, check_health
from bot.domain.channel_roles import ESTIMATORS, INTEREST_SETTERS, ChannelRoles
from bot.domain.decisions import Role
from bot.domain.items import Confidence, Item, ItemChange, ItemRef, Kind, Size
from bot.services.errors import ItemNotFound
from bot.services.open_item import load_open_item
from bot.store.unit_of_work import Store, UnitOfWork


class RoleRequired(Exception):
    """The change is reserved to some roles of the item's channel."""

    def __init__(self, roles: tuple[Role, ...], holders: ChannelRoles) -> None:
        super().__init__(" or ".join(r.label for r in roles))
        self.roles = roles
        self.holders = holders


NOT_DEBT_HINT = {Kind.BUG: " A bug's affected users per week are set in its form (⋯ → Edit)."}


class NotDebt(ValueError):
    pass


async def _open_item_for(
    uow: UnitOfWork, team_id: str, ref: ItemRef, user_id: str, allowed: tuple[Role, ...]
) -> Item:
    item = await load_open_item(uow, team_id, ref)
    roles = await uow.roles.all(team_id, item.channel_id)
    if not roles.holds(user_id, allowed):
        raise RoleRequired(allowed, roles)
    return item


async def estimate_item(
    store: Store,
    *,
    team_id: str,
    ref: ItemRef,
    size: Size,
    confidence: Confidence | None,
    user_id: str,
) -> Item:
    """A lead of the item's channel sizes it; the change goes into its audit trail."""
    async with store.unit_of_work() as uow:
        await _open_item_for(uow, team_id, ref, user_id, ESTIMATORS)
        item = await uow.items.set_estimate(
            team_id, ref, size, confidence, user_id, datetime.now(UTC)
        )
        await uow.commit()
    if item is None:
        raise ItemNotFound(ref)
    return item


async def set_interest(
    store: Store, *, team_id: str, ref: ItemRef, hours: float, user_id: str
) -> Item:
    """A lead or PM says what a debt item costs each week."""
    if ref.kind is not Kind.DEBT:
        raise NotDebt(f"{ref} is a {ref.kind.noun}; interest is what a debt item costs."
                      + NOT_DEBT_HINT.get(ref.kind, ""))
    async with store.unit_of_work() as uow:
        await _open_item_for(uow, team_id, ref, user_id, INTEREST_SETTERS)
        item = await uow.items.set_interest(team_id, ref, hours, user_id, datetime.now(UTC))
        await uow.commit()
    if item is None:
        raise ItemNotFound(ref)
    return item


async def item_record(
    store: Store, *, team_id: str, ref: ItemRef
) -> tuple[Item, list[ItemChange]]:
    """The item as it is and every change made to it, oldest first."""
    async with store.unit_of_work() as uow:
        found = await uow.items.get_many(team_id, [ref])
        if not found:
            raise ItemNotFound(ref)
        return found[0], await uow.audit.trail(team_id, ref)


async def backlog_health(
    store: Store, *, team_id: str, channel_id: str
) -> tuple[BacklogHealth, ChannelRoles]:
    """The channel's backlog health, and its roles (the leads are named for estimates)."""
    async with store.unit_of_work() as uow:
        items = await uow.items.list_open(team_id, channel_id)
        roles = await uow.roles.all(team_id, channel_id)
    # Thousands of titles take a second to compare; rapidfuzz does it without the GIL.
    return await asyncio.to_thread(check_health, items, datetime.now(UTC)), roles
