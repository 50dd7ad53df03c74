"""Use case: a 👍 added to or removed from a digest reply becomes (or stops being) a vote."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from bot.domain.items import ItemRef, Status
from bot.domain.votes import is_vote
from bot.store.unit_of_work import Store, UnitOfWork


class VoteOutcome(StrEnum):
    APPLIED = "applied"  # the vote was counted or withdrawn
    DUPLICATE = "duplicate"  # a retried delivery of an event already handled
    NOT_A_VOTE = "not_a_vote"  # another emoji
    NOT_A_DIGEST_REPLY = "not_a_digest_reply"  # a reaction on some other message
    ITEM_CLOSED = "item_closed"  # the item was closed, merged or decided since the digest
    NOT_ELIGIBLE = "not_eligible"  # the channel's voter rule leaves this person out
    VOTING_CLOSED = "voting_closed"  # the channel's voting time for this digest is over


@dataclass(frozen=True)
class ReactionEvent:
    event_id: str
    team_id: str
    channel_id: str
    message_ts: str
    user_id: str
    reaction: str
    added: bool
    event_ts: str


@dataclass(frozen=True)
class VoteResult:
    outcome: VoteOutcome
    ref: ItemRef | None = None
    run_id: int | None = None


async def record_reaction(
    store: Store, event: ReactionEvent, *, eligible: bool = True
) -> VoteResult:
    """Apply one reaction event exactly once; the vote count follows the user's reactions.
    A 👍 from someone the channel's voter rule leaves out (`eligible=False`) is not counted."""
    if not is_vote(event.reaction):
        return VoteResult(VoteOutcome.NOT_A_VOTE)
    now = datetime.now(UTC)
    async with store.unit_of_work() as uow:
        # First statement is a write: it takes SQLite's write lock before anything is read, and
        # the event id commits together with the vote, so a failed attempt can be retried.
        if not await uow.votes.first_delivery(event.event_id, event.team_id, now):
            return VoteResult(VoteOutcome.DUPLICATE)
        target = await uow.votes.target_of(event.team_id, event.channel_id, event.message_ts)
        if target is None:
            await uow.commit()
            return VoteResult(VoteOutcome.NOT_A_DIGEST_REPLY)
        if not eligible and event.added:
            await uow.commit()
            return VoteResult(VoteOutcome.NOT_ELIGIBLE, target.ref, target.run_id)
        if await _voting_closed(uow, event, target.run_id, now):
            await uow.commit()
            return VoteResult(VoteOutcome.VOTING_CLOSED, target.ref, target.run_id)
        changed = await uow.votes.record_reaction(
            event.team_id, event.channel_id, event.message_ts, event.user_id, event.reaction,
            present=event.added, event_ts=event.event_ts,
        )
        survivor, item_id, status = target.ref, target.item_id, target.status
        if status is Status.MERGED and target.merged_into:
            survivor = await _survivor(uow, event.team_id, target.merged_into, {target.ref})
            locked = await uow.items.lock(event.team_id, survivor)
            if locked is None:
                await uow.commit()
                return VoteResult(VoteOutcome.ITEM_CLOSED, target.ref, target.run_id)
            item_id, status = locked
        if status is not Status.OPEN:
            await uow.commit()
            return VoteResult(VoteOutcome.ITEM_CLOSED, target.ref, target.run_id)
        if changed and event.added and survivor == target.ref:
            # The user has a 👍 on this item's own reply now, so the vote is theirs: no need to
            # look at their other reactions.
            await uow.votes.add_vote(item_id, event.user_id, now)
        elif changed:
            refs = [survivor, *await uow.items.merged_into(event.team_id, survivor)]
            await uow.votes.sync_vote(event.team_id, refs, item_id, event.user_id, now)
        # Unchanged: a later event about this reaction was applied already, and the vote
        # was brought in line with it then.
        await uow.commit()
    return VoteResult(VoteOutcome.APPLIED, survivor, target.run_id)


async def _voting_closed(
    uow: UnitOfWork, event: ReactionEvent, run_id: int, now: datetime
) -> bool:
    """Past the channel's voting time, reactions (added or removed) change no tally."""
    settings = await uow.channels.get(event.team_id, event.channel_id)
    if settings.voting_hours is None:
        return False
    run = await uow.digests.find_by_id(run_id)
    closes = None if run is None else settings.voting_closes_at(run.created_at)
    return closes is not None and now >= closes


async def _survivor(uow: UnitOfWork, team_id: str, ref: ItemRef, seen: set[ItemRef]) -> ItemRef:
    """Votes on a merged duplicate count for the item it was merged into (`ref`), or for the
    item that one was merged into in turn."""
    seen = {*seen, ref}
    item = await uow.items.get(team_id, ref)
    while item is not None and item.status is Status.MERGED and item.merged_into:
        if item.merged_into in seen:
            break
        seen.add(item.merged_into)
        ref = item.merged_into
        item = await uow.items.get(team_id, ref)
    return ref
