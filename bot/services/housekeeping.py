"""Housekeeping every process runs now and then: old event ids and webhook deliveries
forgotten, workspaces uninstalled long ago purged."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from bot.background import repeat_forever
from bot.services.workspace_lifecycle import purge_uninstalled_workspaces
from bot.store.errors import StoreUnavailable
from bot.store.unit_of_work import Store

logger = logging.getLogger(__name__)

EVENT_MEMORY = timedelta(days=7)
HOUSEKEEPING_INTERVAL_S = 6 * 3600.0


async def housekeeping(store: Store, now: datetime) -> None:
    """Forget old event ids (Slack retries within minutes, a week is plenty) and purge
    workspaces uninstalled more than 30 days ago. Idempotent: every process may run it."""
    try:
        async with store.unit_of_work() as uow:
            await uow.votes.forget_events_before(now - EVENT_MEMORY)
            await uow.trackers.forget_deliveries_before(now - EVENT_MEMORY)
            await uow.commit()
        for team_id in await purge_uninstalled_workspaces(store, now=now):
            logger.info("purged the data of uninstalled workspace %s", team_id,
                        extra={"job": "purge", "team": team_id})
    except StoreUnavailable as exc:
        logger.warning("housekeeping skipped: %s", exc)


async def keep_house(store: Store) -> None:
    """Run housekeeping now and every HOUSEKEEPING_INTERVAL_S, for the life of the process."""
    await repeat_forever("housekeeping", "housekeeping",
                         lambda: housekeeping(store, datetime.now(UTC)), HOUSEKEEPING_INTERVAL_S)
