"""Composition root: wires settings, the store and the Slack app for each way of running."""

from __future__ import annotations

import logging

import aiohttp
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from starlette.applications import Starlette

from bot.config import ConfigError, Settings
from bot.slack.app import create_app
from bot.store.unit_of_work import Store
from bot.web import create_asgi_app

logger = logging.getLogger(__name__)

_REJECTED = {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}


def build_http_app(settings: Settings, store: Store | None = None) -> Starlette:
    """The ASGI app `tradeoff serve` runs (tests run the same one)."""
    store = store or Store(settings.database_url)
    return create_asgi_app(create_app(settings, store), store)


async def verify_slack_token(settings: Settings) -> None:
    """Fail fast on a token Slack rejects; only warn when Slack can't be reached right now."""
    client = AsyncWebClient(token=settings.bot_token, base_url=settings.slack_api_url, timeout=5)
    try:
        await client.auth_test()
    except SlackApiError as exc:
        error = exc.response.get("error")
        if error in _REJECTED:
            raise ConfigError(f"Slack rejected SLACK_BOT_TOKEN ({error})") from exc
        logger.warning("auth.test answered %s; starting anyway", error)
    except (TimeoutError, aiohttp.ClientError, OSError) as exc:
        logger.warning(
            "could not reach Slack at %s (%s); starting anyway", settings.slack_api_url, exc
        )


def socket_mode_handler(settings: Settings, store: Store) -> AsyncSocketModeHandler:
    """The Socket Mode connection; its Web API calls (apps.connections.open) use SLACK_API_URL."""
    return AsyncSocketModeHandler(create_app(settings, store), settings.app_token)


async def run_socket_mode(settings: Settings) -> None:
    """Serve over Socket Mode until interrupted."""
    store = Store(settings.database_url)
    try:
        await socket_mode_handler(settings, store).start_async()  # type: ignore[no-untyped-call]
    finally:
        await store.close()
