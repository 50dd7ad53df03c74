"""Replies through a command's or action's response_url, retried as Web API calls are.

Bolt's respond() posts once, with no retries, and nobody looks at the answer: a 429 or a 5xx
from Slack lost the reply silently.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.slack.errors import CALL_FAILED, call_failure

logger = logging.getLogger(__name__)

RESPONSE_TIMEOUT_S = 10


async def send_response(url: str, message: dict[str, Any]) -> bool:
    """Post `message` to `url`; False (and a warning) when Slack would not take it."""
    client = AsyncWebhookClient(
        url,
        timeout=RESPONSE_TIMEOUT_S,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncRateLimitErrorRetryHandler(max_retry_count=3),
            AsyncServerErrorRetryHandler(max_retry_count=2),
        ],
    )
    try:
        answer = await client.send_dict(message)
    except CALL_FAILED as exc:
        logger.warning("reply through response_url failed: %s", call_failure(exc))
        return False
    if answer.status_code != 200:
        logger.warning("reply through response_url refused: HTTP %s", answer.status_code)
        return False
    return True
