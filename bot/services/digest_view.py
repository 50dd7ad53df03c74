"""A posted digest as it stands now: the items it showed with today's votes, what closed since,
who agreed, and the decision if one was made."""

from __future__ import annotations

from dataclasses import replace

from bot.domain.catch_up import catch_up
from bot.domain.decisions import SPLIT_WINDOW, Role, decision_split
from bot.domain.digest import Digest, compose_digest
from bot.store.digest_repository import DigestRun
from bot.store.unit_of_work import UnitOfWork


async def current_digest(uow: UnitOfWork, run: DigestRun) -> Digest:
    """Recompose the digest of `run` from the database, inside the caller's unit of work."""
    settings = await uow.channels.get(run.team_id, run.channel_id)
    refs = [m.ref for m in await uow.digests.messages(run.id)]
    items = await uow.items.get_many(run.team_id, refs)
    decision = await uow.decisions.for_run(run.id)
    # Newest first, at least SPLIT_WINDOW of them: the split's are the first SPLIT_WINDOW.
    latest = await uow.decisions.recent_points(
        run.team_id, run.channel_id, max(SPLIT_WINDOW, settings.catch_up_cycles or 0) + 1
    )
    # Decisions made before this run, so a redraw shows the pick as it was recommended.
    recent = [d for d in latest if d.decided_at < run.created_at]
    split = decision_split(latest[:SPLIT_WINDOW])
    open_items = [i for i in items if i.is_open]
    digest = compose_digest(
        open_items, settings, run.created_at, split, decided=decision is not None,
        catch_up=catch_up(recent, cycles=settings.catch_up_cycles),
    )
    unshown = await uow.items.count_open(run.team_id, run.channel_id) - len(open_items)
    return replace(
        digest,
        run_id=run.id,
        closed=[i for i in items if not i.is_open],
        agreements=await uow.decisions.agreements(run.id),
        decision=decision,
        unshown_open=max(0, unshown),
        leads=await uow.roles.holders(run.team_id, run.channel_id, Role.LEAD),
    )
