"""Use cases: a workspace removes the app, installs it (again), and data past retention goes."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.store.unit_of_work import Store

# Long enough to undo an accidental uninstall, short enough that "remove the app" means gone.
RETENTION = timedelta(days=30)


async def workspace_uninstalled(store: Store, *, team_id: str, now: datetime) -> None:
    async with store.unit_of_work() as uow:
        await uow.workspaces.mark_uninstalled(team_id, now)
        await uow.commit()


async def workspace_installed(store: Store, *, team_id: str) -> bool:
    """A (re)install keeps the workspace's data; True when a pending purge was cancelled."""
    async with store.unit_of_work() as uow:
        cancelled = await uow.workspaces.mark_installed(team_id)
        await uow.commit()
    return cancelled


async def purge_uninstalled_workspaces(store: Store, *, now: datetime) -> list[str]:
    """Delete the data of workspaces uninstalled more than RETENTION ago; their team ids.

    One transaction per workspace, so a failure leaves the others purged and this one intact.
    """
    async with store.unit_of_work() as uow:
        due = await uow.workspaces.uninstalled_before(now - RETENTION)
    for team_id in due:
        async with store.unit_of_work() as uow:
            await uow.workspaces.purge(team_id)
            await uow.commit()
    return due
