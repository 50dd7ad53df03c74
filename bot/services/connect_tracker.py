"""Use cases: connect a channel to GitHub or Jira, list its connections, disconnect one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from bot.credentials import SecretBox
from bot.domain.tracker_connections import (
    ConnectionState,
    TrackerConnection,
    TrackerCredentials,
    TrackerKind,
)
from bot.services.tracker_access import (
    TrackerFactory,
    require_keeper,
    seal_credentials,
)
from bot.store.unit_of_work import Store


@dataclass(frozen=True)
class ConnectRequest:
    team_id: str
    channel_id: str
    kind: TrackerKind
    target: str  # owner/repo, or the Jira site URL
    project: str | None
    credentials: TrackerCredentials
    webhook_secret: str | None
    debt_labels: tuple[str, ...]
    by_user: str


@dataclass(frozen=True)
class Connected:
    connection: TrackerConnection
    display_name: str  # what the tracker calls the repo or project


async def may_connect(store: Store, *, team_id: str, channel_id: str, user_id: str) -> None:
    """Raises RoleRequired unless the user is a lead or PM of the channel."""
    async with store.unit_of_work() as uow:
        await require_keeper(uow, team_id, channel_id, user_id)


async def connect_tracker(
    store: Store, box: SecretBox, factory: TrackerFactory, request: ConnectRequest,
    *, check_role: bool = True,
) -> Connected:
    """Check the credentials against the tracker, then store them sealed.

    Raises RoleRequired (Slack callers), TrackerFailure (the tracker said no: nothing stored).
    The check runs before any transaction: a slow tracker holds no database connection.
    """
    if check_role:
        await may_connect(store, team_id=request.team_id, channel_id=request.channel_id,
                          user_id=request.by_user)
    draft = TrackerConnection(
        id=0, team_id=request.team_id, channel_id=request.channel_id, kind=request.kind,
        target=request.target, project=request.project, debt_labels=request.debt_labels,
        state=ConnectionState.ACTIVE, paused_reason=None, last_sync_at=None, last_error=None,
        poll_cursor=None,
    )
    tracker = factory(draft, request.credentials)
    try:
        display_name = await tracker.check()
    finally:
        await tracker.aclose()
    sealed_secret = box.seal(request.webhook_secret) if request.webhook_secret else None
    async with store.unit_of_work() as uow:
        connection = await uow.trackers.save_connection(
            team_id=request.team_id, channel_id=request.channel_id, kind=request.kind,
            target=request.target, project=request.project,
            credentials=seal_credentials(box, request.credentials),
            webhook_secret=sealed_secret, debt_labels=request.debt_labels,
            by_user=request.by_user, now=datetime.now(UTC),
        )
        await uow.commit()
    return Connected(connection, display_name)


@dataclass(frozen=True)
class ConnectionStatus:
    connection: TrackerConnection
    pending_writebacks: int
    linked_items: int


async def channel_connections(
    store: Store, *, team_id: str, channel_id: str
) -> list[ConnectionStatus]:
    async with store.unit_of_work() as uow:
        found = await uow.trackers.in_channel(team_id, channel_id)
        return [
            ConnectionStatus(
                c, await uow.writebacks.pending_writebacks(c.id),
                len(await uow.item_links.linked_refs(c.id)),
            )
            for c in found
        ]


async def disconnect_tracker(
    store: Store, *, team_id: str, channel_id: str, kind: TrackerKind, user_id: str
) -> bool:
    """Remove the connection and its credentials; False when there was none.
    Raises RoleRequired unless the user is a lead or PM of the channel."""
    async with store.unit_of_work() as uow:
        await require_keeper(uow, team_id, channel_id, user_id)
        removed = await uow.trackers.delete(team_id, channel_id, kind)
        await uow.commit()
    return removed
