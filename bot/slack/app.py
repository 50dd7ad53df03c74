"""The AsyncApp factory: one configured Web API client, every listener registered."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings
from bot.slack.listeners import register_listeners

if TYPE_CHECKING:
    from bot.runtime import Runtime

# Web API calls that outlive this are abandoned: Slack answers in well under a second normally.
WEB_API_TIMEOUT_S = 10


def create_web_client(settings: Settings) -> AsyncWebClient:
    """A client for SLACK_API_URL that waits out 429s and retries 5xx and dropped connections."""
    return AsyncWebClient(
        token=settings.bot_token,
        base_url=settings.slack_api_url,
        timeout=WEB_API_TIMEOUT_S,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncRateLimitErrorRetryHandler(max_retry_count=3),
            AsyncServerErrorRetryHandler(max_retry_count=2),
        ],
    )


def create_app(runtime: Runtime) -> AsyncApp:
    """The Bolt app with all listeners; Bolt copies the client's settings to per-request clients."""
    # Bolt also reads SLACK_BOT_TOKEN from the environment and warns that the client's token
    # wins; that is the intent, so the warning would only alarm operators.
    logging.getLogger("bot.slack").addFilter(_SilenceTokenSkipped())
    app = AsyncApp(
        client=runtime.client,
        signing_secret=runtime.settings.signing_secret,
        logger=logging.getLogger("bot.slack"),
    )
    register_listeners(app, runtime)
    return app


class _SilenceTokenSkipped(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()
