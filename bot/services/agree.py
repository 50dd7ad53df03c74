"""Use case: the tech lead and the PM agree to a digest's pick; both agreeing records it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from bot.domain.channel_roles import ChannelRoles, decided_by_two
from bot.domain.decisions import Agreement, DecidedItem, Decision, Role, alternatives_from
from bot.domain.digest import Digest
from bot.domain.items import Status
from bot.services.digest_view import current_digest
from bot.store.unit_of_work import Store, UnitOfWork


class AgreeOutcome(StrEnum):
    NOT_ALLOWED = "not_allowed"  # the user is neither a lead nor a PM of the channel
    UNKNOWN_DIGEST = "unknown_digest"
    ALREADY_DECIDED = "already_decided"
    NOTHING_TO_DECIDE = "nothing_to_decide"  # the pick is empty
    WAITING = "waiting"  # agreed; the other role has not (or agreed to an older pick)
    DECIDED = "decided"


@dataclass(frozen=True)
class AgreeResult:
    outcome: AgreeOutcome
    role: Role | None = None
    decision: Decision | None = None
    agreements: tuple[Agreement, ...] = ()
    roles: ChannelRoles = field(default_factory=ChannelRoles)


async def agree_to_pick(
    store: Store, *, team_id: str, channel_id: str, run_id: int, user_id: str
) -> AgreeResult:
    now = datetime.now(UTC)
    async with store.unit_of_work() as uow:
        run = await uow.digests.find_by_id(run_id)
        if run is None or (run.team_id, run.channel_id) != (team_id, channel_id):
            return AgreeResult(AgreeOutcome.UNKNOWN_DIGEST)
        # Lead and PM may press at the same moment; one waits for the other's commit.
        await uow.digests.lock(run_id)
        roles = await uow.roles.all(team_id, channel_id)
        if not roles.may_sign_off(user_id):
            return AgreeResult(AgreeOutcome.NOT_ALLOWED, roles=roles)
        digest = await current_digest(uow, run)
        if digest.decision is not None:
            return AgreeResult(AgreeOutcome.ALREADY_DECIDED, decision=digest.decision)
        plan = tuple(r.item.ref for r in digest.plan.picked)
        if not plan:
            return AgreeResult(AgreeOutcome.NOTHING_TO_DECIDE)
        role = roles.sign_off_role(user_id, digest.agreements, plan)
        await uow.decisions.agree(run_id, role, user_id, plan, now)
        agreements = tuple(await uow.decisions.agreements(run_id))
        if not decided_by_two(agreements, plan):
            await uow.commit()
            return AgreeResult(AgreeOutcome.WAITING, role, agreements=agreements, roles=roles)
        decision = await _decide(uow, team_id, channel_id, run_id, agreements, digest, now)
        await uow.commit()
    return AgreeResult(AgreeOutcome.DECIDED, role, decision, agreements, roles)


async def _decide(
    uow: UnitOfWork,
    team_id: str,
    channel_id: str,
    run_id: int,
    agreements: tuple[Agreement, ...],
    digest: Digest,
    now: datetime,
) -> Decision | None:
    by_role = {a.role: a.user_id for a in agreements}
    items = [
        DecidedItem(r.item.ref, r.item.title, r.score.size_points, r.item.votes, r.score.value)
        for r in digest.plan.picked
    ]
    decision = await uow.decisions.record(
        team_id=team_id, channel_id=channel_id, run_id=run_id, lead_id=by_role[Role.LEAD],
        pm_id=by_role[Role.PM], capacity=digest.plan.capacity,
        budget_pct=digest.plan.budget_pct, items=items, now=now,
        alternatives=alternatives_from(digest.plan.passed_over),
    )
    for item in items:
        await uow.items.set_status(team_id, item.ref, Status.PLANNED, by_role[Role.PM], now)
    if decision is not None:
        # In the decision's own transaction: a recorded decision always owes its write-backs.
        item_ids = [await uow.item_links.item_id(team_id, item.ref) for item in items]
        await uow.writebacks.enqueue_writebacks(
            team_id, decision.id, [i for i in item_ids if i is not None], now)
    return decision
