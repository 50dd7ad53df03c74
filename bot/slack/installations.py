"""Which token speaks for a workspace: the one from SLACK_BOT_TOKEN, or, in multi-workspace
mode, the installation saved by the OAuth flow (rotated when Slack issues expiring tokens)."""

from __future__ import annotations

import copy
import logging

from slack_sdk.errors import SlackApiError, SlackTokenRotationError
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from slack_sdk.web.async_client import AsyncWebClient

from bot.services.workspace_lifecycle import workspace_installed
from bot.store.installation_reads import enterprises_of_team, org_wide_enterprises
from bot.store.unit_of_work import Store

logger = logging.getLogger(__name__)

# Slack's own default: the state in the install link is good for ten minutes.
OAUTH_STATE_SECONDS = 600
# Rotate a token this long before it expires, so a digest never starts with one about to lapse.
ROTATE_MINUTES_BEFORE_EXPIRY = 120


class InstallationStore(AsyncSQLAlchemyInstallationStore):
    """slack_sdk's store on the bot's own engine (tables from our migrations). Saving an
    installation also cancels a pending purge: the workspace came back."""

    def __init__(self, client_id: str, store: Store) -> None:
        super().__init__(client_id=client_id, engine=store.engine, logger=logger)
        self._store = store

    async def async_save(self, installation: Installation) -> None:
        await super().async_save(installation)
        if installation.team_id and await workspace_installed(
            self._store, team_id=installation.team_id
        ):
            logger.info("workspace %s installed again; its data is kept", installation.team_id)


def oauth_state_store(store: Store) -> AsyncSQLAlchemyOAuthStateStore:
    return AsyncSQLAlchemyOAuthStateStore(
        expiration_seconds=OAUTH_STATE_SECONDS, engine=store.engine, logger=logger
    )


class WorkspaceClients:
    """Web API clients for work no Slack request started (scheduled digests, resumes)."""

    def __init__(
        self,
        base: AsyncWebClient,
        installations: InstallationStore | None = None,
        rotator: AsyncTokenRotator | None = None,
    ) -> None:
        self._base = base
        self._installations = installations
        self._rotator = rotator
        self._teams_of_org: dict[str, set[str]] = {}

    async def for_team(self, team_id: str) -> AsyncWebClient | None:
        """A client with the workspace's bot token; None when the app is not installed there."""
        if self._installations is None:
            return self._base
        installation = await self._find(team_id)
        if installation is None or not installation.bot_token:
            return None
        token = installation.bot_token
        if self._rotator is not None and installation.bot_refresh_token:
            try:
                rotated = await self._rotator.perform_token_rotation(
                    installation=installation,
                    minutes_before_expiration=ROTATE_MINUTES_BEFORE_EXPIRY,
                )
            except (SlackTokenRotationError, SlackApiError) as exc:
                logger.warning("token rotation for %s failed: %s", team_id, type(exc).__name__)
                return None
            if rotated is not None:
                await self._installations.async_save(rotated)
                token = rotated.bot_token or token
        client = copy.copy(self._base)
        client.token = token
        return client

    async def _find(self, team_id: str) -> Installation | None:
        """The workspace's own install, else its Enterprise Grid org's org-wide install."""
        store = self._installations
        assert store is not None
        found = await store.async_find_installation(enterprise_id=None, team_id=team_id)
        if found is not None:
            return found
        for enterprise_id in await enterprises_of_team(store.engine, store.client_id, team_id):
            found = await store.async_find_installation(
                enterprise_id=enterprise_id, team_id=team_id
            )
            if found is not None:
                return found
        for enterprise_id in await org_wide_enterprises(store.engine, store.client_id):
            org = await store.async_find_installation(
                enterprise_id=enterprise_id, team_id=None, is_enterprise_install=True
            )
            if org is not None and org.bot_token and team_id in await self._org_teams(org):
                return org
        return None

    async def _org_teams(self, org: Installation) -> set[str]:
        """The workspaces an org-wide install was granted, from auth.teams.list (remembered:
        admins add workspaces rarely; a restart asks again)."""
        key = str(org.enterprise_id)
        if key not in self._teams_of_org:
            client = copy.copy(self._base)
            client.token = org.bot_token
            teams: set[str] = set()
            cursor: str | None = None
            try:
                while True:
                    page = await client.auth_teams_list(cursor=cursor, limit=200)
                    teams.update(str(t["id"]) for t in page.get("teams") or [])
                    cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
                    if not cursor:
                        break
            except SlackApiError as exc:
                logger.warning("auth.teams.list for %s failed: %s", key, exc.response.get("error"))
                return teams
            self._teams_of_org[key] = teams
        return self._teams_of_org[key]
