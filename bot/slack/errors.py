"""Reading what went wrong from a SlackApiError, whatever shape Slack's answer had."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError


def slack_error_code(exc: SlackApiError) -> str:
    """Slack's `error` code (`channel_not_found`), or `HTTP 503` when the answer was not JSON."""
    data = exc.response.data
    if isinstance(data, dict) and data.get("error"):
        return str(data["error"])
    return f"HTTP {exc.response.status_code}"
