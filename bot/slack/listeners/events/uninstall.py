"""A workspace removes the app, or revokes its bot token: forget the tokens at once, keep the
workspace's items for 30 days (a reinstall keeps them), then purge them."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext

from bot.services.workspace_lifecycle import RETENTION, workspace_uninstalled
from bot.slack.context import SlackContext

logger = logging.getLogger(__name__)


def register(app: AsyncApp, runtime: SlackContext) -> None:
    async def forget_workspace(team_id: str | None, enterprise_id: str | None) -> None:
        if not team_id:
            return
        if runtime.installations is not None:
            # The bot only ever acts with its bot token: without it, every row is useless.
            await runtime.installations.async_delete_all(
                enterprise_id=enterprise_id, team_id=team_id
            )
        await workspace_uninstalled(runtime.store, team_id=team_id, now=datetime.now(UTC))
        logger.info(
            "workspace %s removed the app: tokens deleted, data purged in %d days", team_id,
            RETENTION.days,
            extra={"team": team_id, "outcome": "uninstalled"},
        )

    @app.event("app_uninstalled")
    async def handle_app_uninstalled(context: AsyncBoltContext) -> None:
        await forget_workspace(context.team_id, context.enterprise_id)

    @app.event("tokens_revoked")
    async def handle_tokens_revoked(event: dict[str, Any], context: AsyncBoltContext) -> None:
        tokens = event.get("tokens") or {}
        if tokens.get("bot"):
            await forget_workspace(context.team_id, context.enterprise_id)
            return
        if runtime.installations is not None:
            for user_id in tokens.get("oauth") or []:
                await runtime.installations.async_delete_installation(
                    enterprise_id=context.enterprise_id, team_id=context.team_id,
                    user_id=user_id,
                )
