"""Reading what went wrong from a SlackApiError, whatever shape Slack's answer had."""

from __future__ import annotations

import aiohttp
from slack_sdk.errors import SlackApiError, SlackRequestError

# What a Web API call raises besides SlackApiError: no answer in time (TimeoutError is an
# OSError), a dropped or refused connection, or a file upload step Slack refused.
CALL_FAILED: tuple[type[Exception], ...] = (
    SlackApiError,
    SlackRequestError,
    aiohttp.ClientError,
    OSError,
)


def slack_error_code(exc: SlackApiError) -> str:
    """Slack's `error` code (`channel_not_found`), or `HTTP 503` when the answer was not JSON."""
    data = exc.response.data
    if isinstance(data, dict) and data.get("error"):
        return str(data["error"])
    return f"HTTP {exc.response.status_code}"


def call_failure(exc: Exception) -> str:
    """One short reason for any of CALL_FAILED: `not_in_channel`, `network: TimeoutError`."""
    if isinstance(exc, SlackApiError):
        return slack_error_code(exc)
    if isinstance(exc, SlackRequestError):
        return "file upload refused"
    return f"network: {type(exc).__name__}"
