"""Use case: a channel's lead or PM writes why a decision was made; the record keeps it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from bot.domain.channel_roles import ChannelRoles
from bot.domain.decisions import RATIONALE_MAX_CHARS, Decision, Rationale
from bot.store.unit_of_work import Store


class WhyOutcome(StrEnum):
    SAVED = "saved"
    NOT_ALLOWED = "not_allowed"  # only the channel's leads and PMs write the why
    UNKNOWN = "unknown"  # no such decision in this channel
    EMPTY = "empty"
    TOO_LONG = "too_long"


@dataclass(frozen=True)
class WhyResult:
    outcome: WhyOutcome
    decision: Decision | None = None
    roles: ChannelRoles = field(default_factory=ChannelRoles)


async def may_write_why(
    store: Store, *, team_id: str, decision_id: int, user_id: str
) -> WhyResult:
    """Whether the user may write this decision's why; the decision when they may."""
    async with store.unit_of_work() as uow:
        decision = await uow.decisions.by_id(decision_id)
        if decision is None or decision.team_id != team_id:
            return WhyResult(WhyOutcome.UNKNOWN)
        roles = await uow.roles.all(team_id, decision.channel_id)
    if not roles.may_sign_off(user_id):
        return WhyResult(WhyOutcome.NOT_ALLOWED, decision, roles)
    return WhyResult(WhyOutcome.SAVED, decision, roles)


async def write_why(
    store: Store, *, team_id: str, decision_id: int, user_id: str, text: str
) -> WhyResult:
    """Store the rationale (the latest one counts); the decision as it now reads."""
    why = text.strip()
    if not why:
        return WhyResult(WhyOutcome.EMPTY)
    if len(why) > RATIONALE_MAX_CHARS:
        return WhyResult(WhyOutcome.TOO_LONG)
    allowed = await may_write_why(
        store, team_id=team_id, decision_id=decision_id, user_id=user_id
    )
    if allowed.outcome is not WhyOutcome.SAVED:
        return allowed
    async with store.unit_of_work() as uow:
        await uow.decisions.set_rationale(decision_id, Rationale(why, user_id, datetime.now(UTC)))
        decision = await uow.decisions.by_id(decision_id)
        await uow.commit()
    return WhyResult(WhyOutcome.SAVED, decision, allowed.roles)


async def remember_post(store: Store, *, decision_id: int, ts: str) -> None:
    """Keep the thread post's ts, so the post can be redrawn when the why is written."""
    async with store.unit_of_work() as uow:
        await uow.decisions.set_post_ts(decision_id, ts)
        await uow.commit()


async def decision_by_number(
    store: Store, *, team_id: str, channel_id: str, number: int
) -> Decision | None:
    async with store.unit_of_work() as uow:
        return await uow.decisions.by_number(team_id, channel_id, number)
