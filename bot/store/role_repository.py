"""Who is a channel's tech lead and product manager."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.channel_roles import ChannelRoles
from bot.domain.decisions import Role
from bot.store.dialect import upsert_insert
from bot.store.models import ChannelRoleRow


class RoleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def assign(
        self, team_id: str, channel_id: str, user_id: str, role: Role, by: str, now: datetime
    ) -> None:
        await self._session.execute(
            upsert_insert(self._session, ChannelRoleRow)
            .values(
                team_id=team_id, channel_id=channel_id, user_id=user_id, role=role.value,
                assigned_by=by, assigned_at=now,
            )
            .on_conflict_do_nothing(index_elements=["team_id", "channel_id", "user_id", "role"])
        )

    async def remove(self, team_id: str, channel_id: str, user_id: str) -> int:
        """Take every role of the user in the channel away; returns how many there were."""
        result = await self._session.execute(
            delete(ChannelRoleRow).where(
                ChannelRoleRow.team_id == team_id,
                ChannelRoleRow.channel_id == channel_id,
                ChannelRoleRow.user_id == user_id,
            )
        )
        return int(getattr(result, "rowcount", 0))

    async def all(self, team_id: str, channel_id: str) -> ChannelRoles:
        """Who holds which role in the channel, leads first."""
        rows = await self._session.execute(
            _ROLES_IN, {"team_id": team_id, "channel_id": channel_id}
        )
        return ChannelRoles(tuple((user, Role(role)) for user, role in rows))

    async def holders(self, team_id: str, channel_id: str, role: Role) -> list[str]:
        """The users who hold `role` in the channel."""
        return (await self.all(team_id, channel_id)).users(role)


# Read by every digest and every role check: built once, as building it cost more than running.
_ROLES_IN = (
    select(ChannelRoleRow.user_id, ChannelRoleRow.role)
    .where(ChannelRoleRow.team_id == bindparam("team_id"),
           ChannelRoleRow.channel_id == bindparam("channel_id"))
    .order_by(ChannelRoleRow.role, ChannelRoleRow.assigned_at)
)
