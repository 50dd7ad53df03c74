"""Use case: remind the leads and PMs who have not agreed to a digest's pick, at most twice.

Each reminder is claimed in the database before it is sent, so two processes running this at
the same moment send it once. A process that dies between the claim and the send loses that
one reminder: a missed nudge is better than a doubled one.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from bot.background import repeat_forever
from bot.domain.decisions import Role
from bot.domain.reminders import (
    UNSIZED_NAMED,
    Reminder,
    reminder_rounds_due,
    reminder_window,
)
from bot.services.digest_view import current_digest
from bot.services.ports import ReminderSender
from bot.store.digest_repository import DigestRun
from bot.store.unit_of_work import Store, UnitOfWork

logger = logging.getLogger(__name__)

SenderFor = Callable[[str], Awaitable[ReminderSender | None]]
SENT = "sent"
Claimed = tuple[int, Reminder, list[int]]  # the digest run, the reminder, the rounds it covers


async def send_due_reminders(store: Store, sender_for: SenderFor, now: datetime) -> int:
    """Send every reminder due by `now` that no process has claimed; returns how many went."""
    claimed: list[Claimed] = []
    async with store.unit_of_work() as uow:
        for run in await uow.reminders.undecided_latest_digests(reminder_window(now)):
            claimed += await _claim_due(uow, run, now)
        await uow.commit()
    sent = 0
    for run_id, reminder, rounds in claimed:
        sender = await sender_for(reminder.team_id)
        outcome = "not_installed" if sender is None else (
            await sender.send_reminder(reminder) or SENT
        )
        if outcome != SENT:
            # Not tried again: messages_tab_disabled and the like do not heal on their own.
            logger.warning("reminder to %s not sent: %s", reminder.user_id, outcome,
                           extra={"job": "reminder", "team": reminder.team_id})
        sent += outcome == SENT
        async with store.unit_of_work() as uow:
            await uow.reminders.record_outcome(run_id, reminder.user_id, rounds, outcome)
            await uow.commit()
    return sent


async def _claim_due(uow: UnitOfWork, run: DigestRun, now: datetime) -> list[Claimed]:
    """Claim what is due for the run; a person owed both rounds (the bot was down) gets one
    message, which counts for both."""
    settings = await uow.channels.get(run.team_id, run.channel_id)
    rounds = reminder_rounds_due(run.created_at, now, settings.remind_hours)
    if not rounds or run.parent_ts is None:
        return []
    digest = await current_digest(uow, run)
    plan = tuple(r.item.ref for r in digest.plan.picked)
    agreed = {a.user_id for a in digest.agreements if a.plan == plan}
    roles = await uow.roles.all(run.team_id, run.channel_id)
    unsized = tuple(
        (r.item.ref, r.item.title) for r in [*digest.debt, *digest.features]
        if not r.score.estimated
    )[:UNSIZED_NAMED]
    out: list[Claimed] = []
    for user_id in dict.fromkeys(roles.users(Role.LEAD, Role.PM)):
        if user_id in agreed:
            continue
        won = await uow.reminders.claim(run.id, user_id, range(1, rounds + 1), now)
        if not won:
            continue
        held = roles.held_by(user_id)
        reminder = Reminder(
            run.team_id, run.channel_id, run.parent_ts, user_id,
            " and ".join(r.label for r in sorted(held)), max(won),
            unsized if Role.LEAD in held else (),
        )
        out.append((run.id, reminder, won))
    return out


REMINDER_INTERVAL_S = 300.0  # reminders are due by the hour; five minutes late is on time


async def keep_reminding(store: Store, sender_for: SenderFor) -> None:
    """Send the reminders due every REMINDER_INTERVAL_S, for the life of the process."""

    async def send() -> None:
        await send_due_reminders(store, sender_for, datetime.now(UTC))

    await repeat_forever("reminders", "reminder", send, REMINDER_INTERVAL_S)
