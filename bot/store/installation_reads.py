"""Reads on slack_sdk's installation table that its store does not offer: which enterprises a
workspace was installed under, and which enterprises installed the app org-wide."""

from __future__ import annotations

from sqlalchemy import Boolean, String, column, select, table
from sqlalchemy.ext.asyncio import AsyncEngine

_installations = table(
    "slack_installations",
    column("client_id", String), column("enterprise_id", String), column("team_id", String),
    column("is_enterprise_install", Boolean),
)


async def enterprises_of_team(engine: AsyncEngine, client_id: str, team_id: str) -> list[str]:
    """Enterprises a workspace-level install of `team_id` was saved under (Enterprise Grid)."""
    c = _installations.c
    async with engine.connect() as conn:
        rows = await conn.scalars(select(c.enterprise_id).distinct().where(
            c.client_id == client_id, c.team_id == team_id, c.enterprise_id.is_not(None)))
        return sorted(str(r) for r in rows)


async def org_wide_enterprises(engine: AsyncEngine, client_id: str) -> list[str]:
    c = _installations.c
    async with engine.connect() as conn:
        rows = await conn.scalars(select(c.enterprise_id).distinct().where(
            c.client_id == client_id, c.is_enterprise_install.is_(True),
            c.enterprise_id.is_not(None)))
        return sorted(str(r) for r in rows)
