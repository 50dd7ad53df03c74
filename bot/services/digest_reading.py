"""What a channel's digest is made of, read once: the same reads for the posted digest and for
`tradeoff digest --dry-run`, so the two can never show different things."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial

from bot.domain.catch_up import CatchUp, catch_up
from bot.domain.channel_settings import ChannelSettings
from bot.domain.decisions import SPLIT_WINDOW, DecisionSplit, Role, decision_split
from bot.domain.digest import Digest, compose_digest
from bot.domain.items import Item
from bot.store.unit_of_work import Store, UnitOfWork

# Up to this many open items a digest is composed on the event loop (under 5 ms).
INLINE_COMPOSE_MAX_ITEMS = 150


@dataclass(frozen=True)
class DigestInputs:
    """Everything composing a channel's digest needs from the database."""

    settings: ChannelSettings
    items: list[Item]
    split: DecisionSplit
    leads: list[str]
    catch_up: CatchUp | None = None  # debt owed by the last cycles, when the channel asks


async def read_digest_inputs(uow: UnitOfWork, team_id: str, channel_id: str) -> DigestInputs:
    """The channel's settings, open items, recent decision split, catch-up and leads, in the
    caller's unit of work."""
    settings = await uow.channels.get(team_id, channel_id)
    recent = await uow.decisions.recent_points(
        team_id, channel_id, max(SPLIT_WINDOW, settings.catch_up_cycles or 0)
    )
    return DigestInputs(
        settings=settings,
        items=await uow.items.list_open(team_id, channel_id),
        split=decision_split(recent),
        leads=await uow.roles.holders(team_id, channel_id, Role.LEAD),
        catch_up=catch_up(recent, cycles=settings.catch_up_cycles),
    )


async def compose_from(inputs: DigestInputs, now: datetime) -> Digest:
    """The digest of `inputs` at `now`."""
    compose = partial(compose_digest, inputs.items, inputs.settings, now, inputs.split,
                      catch_up=inputs.catch_up)
    # Its health line compares every open title: a second for thousands, so not on the loop.
    # A small channel's takes a few milliseconds, less than the hand-off to a thread costs
    # when a thousand channels are due at once (the GIL has to be won back from the loop).
    small = len(inputs.items) <= INLINE_COMPOSE_MAX_ITEMS
    composed = compose() if small else await asyncio.to_thread(compose)
    return replace(composed, leads=inputs.leads)


async def channel_digest(store: Store, team_id: str, channel_id: str, now: datetime) -> Digest:
    """The digest the channel would get at `now`, without claiming or posting anything."""
    async with store.unit_of_work() as uow:
        inputs = await read_digest_inputs(uow, team_id, channel_id)
    return await compose_from(inputs, now)
