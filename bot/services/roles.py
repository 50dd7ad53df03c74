"""Use cases: who leads and who manages the product in a channel."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.decisions import Role
from bot.store.unit_of_work import Store


class RoleChangeRefused(Exception):
    """Only a channel's lead or PM may change its roles once it has any."""


async def list_roles(store: Store, *, team_id: str, channel_id: str) -> list[tuple[str, Role]]:
    async with store.unit_of_work() as uow:
        return await uow.roles.all(team_id, channel_id)


async def set_role(
    store: Store, *, team_id: str, channel_id: str, by_user: str, user_id: str, role: Role | None
) -> list[tuple[str, Role]]:
    """Give `user_id` the role (None takes their roles away); returns the channel's roles.

    The first roles of a channel can be set by anyone in it; after that only its leads and PMs
    may change them, so a sign-off cannot be hijacked by whoever types the command.
    """
    async with store.unit_of_work() as uow:
        current = await uow.roles.all(team_id, channel_id)
        if current and by_user not in {user for user, _ in current}:
            raise RoleChangeRefused(by_user)
        if role is None:
            await uow.roles.remove(team_id, channel_id, user_id)
        else:
            await uow.roles.assign(team_id, channel_id, user_id, role, by_user, datetime.now(UTC))
        roles = await uow.roles.all(team_id, channel_id)
        await uow.commit()
    return roles
