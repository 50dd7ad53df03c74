"""The AsyncApp factory: one configured Web API client, every listener registered."""

from __future__ import annotations

import logging

from slack_bolt import BoltResponse
from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings
from bot.slack.context import SlackContext
from bot.slack.installations import oauth_state_store
from bot.slack.listeners import register_listeners
from bot.slack.manifest import BOT_SCOPES
from bot.slack.paths import INSTALL_PATH, OAUTH_REDIRECT_PATH
from bot.slack.request_log import LoggedApp, note_outcome
from bot.store.errors import StoreUnavailable

# Web API calls that outlive this are abandoned: Slack answers in well under a second normally.
WEB_API_TIMEOUT_S = 10


def create_web_client(settings: Settings) -> AsyncWebClient:
    """A client for SLACK_API_URL that waits out 429s and retries 5xx and dropped connections."""
    # At DEBUG, slack_sdk logs every response body whole: OAuth answers carry the workspace's
    # tokens, and other answers what people typed. Its INFO and above stay.
    logging.getLogger("slack_sdk.web").setLevel(logging.INFO)
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


NOT_INSTALLED = (
    "Tradeoff is not installed in this workspace (or was removed), so nothing was saved. "
    "Ask a workspace admin to add it again with the bot's /slack/install page."
)


def create_app(runtime: SlackContext) -> AsyncApp:
    """The Bolt app with all listeners; Bolt copies the client's settings to per-request clients.

    In multi-workspace mode Bolt finds each request's token in the installation store, and its
    OAuth flow and token rotation call Slack through the same client, so SLACK_API_URL holds.
    """
    # Bolt also reads SLACK_BOT_TOKEN from the environment and warns that the client's token
    # wins; that is the intent, so the warning would only alarm operators.
    logging.getLogger("bot.slack").addFilter(_SilenceTokenSkipped())
    settings = runtime.settings
    oauth_settings = None
    if runtime.installations is not None:
        oauth_settings = AsyncOAuthSettings(
            client_id=settings.client_id,
            client_secret=settings.client_secret,
            scopes=BOT_SCOPES,
            installation_store=runtime.installations,
            state_store=oauth_state_store(runtime.store),
            install_path=INSTALL_PATH,
            redirect_uri_path=OAUTH_REDIRECT_PATH,
        )
    app = LoggedApp(
        client=runtime.client,
        signing_secret=settings.signing_secret,
        logger=logging.getLogger("bot.slack"),
        installation_store=runtime.installations,
        oauth_settings=oauth_settings,
        user_facing_authorize_error_message=NOT_INSTALLED,
        # Answer Slack when the listener is done, not when it calls ack(): an event is then
        # only acknowledged once its vote is stored (else Slack retries it), and no request
        # pays Bolt's 10 ms ack-polling loop. Follow-up calls to Slack run after the answer
        # (SlackContext.spawn), so the answer stays far inside Slack's 3 seconds.
        process_before_response=True,
    )
    app.error(_listener_failed)
    register_listeners(app, runtime)
    return app


async def _listener_failed(error: Exception, logger: logging.Logger) -> BoltResponse:
    """Slack gets a 500 and retries; the database being away is worth a line, not a trace."""
    if isinstance(error, StoreUnavailable):
        logger.warning("listener stopped: database unavailable (%s); Slack will retry", error)
        note_outcome("store_unavailable")
    else:
        logger.exception("listener failed: %s", type(error).__name__)
        note_outcome("error")
    return BoltResponse(status=500, body="")


class _SilenceTokenSkipped(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()
