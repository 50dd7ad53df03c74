"""Naming who holds a channel role, in ephemeral or command replies (where mentions ping nobody
who did not ask)."""

from __future__ import annotations

from bot.domain.channel_roles import ChannelRoles
from bot.domain.decisions import Role


def holders(roles: ChannelRoles, *wanted: Role, none: str = "nobody yet") -> str:
    """`<@U1>, <@U2>`: the users holding any of the wanted roles, or `none`."""
    return ", ".join(f"<@{user}>" for user in roles.users(*wanted)) or none
