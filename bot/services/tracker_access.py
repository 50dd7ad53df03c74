"""What the bridge's use cases share: who may change a channel's trackers, and opening one."""

from __future__ import annotations

import json
from collections.abc import Callable

from bot.credentials import SecretBox
from bot.domain.decisions import Role
from bot.domain.tracker_connections import TrackerConnection, TrackerCredentials
from bot.services.item_care import RoleRequired
from bot.services.ports import Tracker
from bot.store.tracker_repository import SealedConnection
from bot.store.unit_of_work import UnitOfWork

# Connecting, importing and pushing act on the team's backlog: the channel's curators.
TRACKER_KEEPERS = (Role.LEAD, Role.PM)

# The composition root decides which adapter serves which kind, and with what settings.
TrackerFactory = Callable[[TrackerConnection, TrackerCredentials], Tracker]


class NotConnected(Exception):
    """The channel has no connection (of that kind); str() says how to make one."""


class ConnectionPaused(Exception):
    """The tracker refused us earlier; str() says why and how to fix it."""


async def require_keeper(uow: UnitOfWork, team_id: str, channel_id: str, user_id: str) -> None:
    roles = await uow.roles.all(team_id, channel_id)
    if not roles.holds(user_id, TRACKER_KEEPERS):
        raise RoleRequired(TRACKER_KEEPERS, roles)


def seal_credentials(box: SecretBox, credentials: TrackerCredentials) -> str:
    return box.seal(json.dumps({"token": credentials.token, "email": credentials.email}))


def open_credentials(box: SecretBox, sealed: str) -> TrackerCredentials:
    values = json.loads(box.open(sealed))
    return TrackerCredentials(token=str(values["token"]), email=values.get("email"))


def open_tracker(box: SecretBox, factory: TrackerFactory, sealed: SealedConnection) -> Tracker:
    return factory(sealed.connection, open_credentials(box, sealed.credentials))
