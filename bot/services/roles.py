"""Use cases: who leads and who manages the product in a channel."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.channel_roles import ChannelRoles
from bot.domain.decisions import Role
from bot.store.unit_of_work import Store


class RoleChangeRefused(Exception):
    """Only a channel's lead or PM may change its roles once it has any."""


async def list_roles(store: Store, *, team_id: str, channel_id: str) -> ChannelRoles:
    async with store.unit_of_work() as uow:
        return await uow.roles.all(team_id, channel_id)


async def set_role(
    store: Store, *, team_id: str, channel_id: str, by_user: str, user_id: str, role: Role | None
) -> ChannelRoles:
    """Give `user_id` the role (None takes their roles away); returns the channel's roles.
    Raises RoleChangeRefused when `by_user` may not change them (ChannelRoles says who may)."""
    async with store.unit_of_work() as uow:
        current = await uow.roles.all(team_id, channel_id)
        if not current.may_change_roles(by_user):
            raise RoleChangeRefused(by_user)
        if role is None:
            await uow.roles.remove(team_id, channel_id, user_id)
        else:
            await uow.roles.assign(team_id, channel_id, user_id, role, by_user, datetime.now(UTC))
        roles = await uow.roles.all(team_id, channel_id)
        await uow.commit()
    return roles
