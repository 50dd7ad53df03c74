"""Slash-command listeners answer every failure with a friendly ephemeral line, never a 500."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.slack.blocks.replies import error_reply
from bot.slack.request_log import note_outcome
from bot.slack.responses import send_response
from bot.store.errors import StoreUnavailable

logger = logging.getLogger(__name__)

STORE_DOWN_NOTHING_SAVED = (
    "Tradeoff can't reach its database right now, so nothing was saved. "
    "Please try again in a minute."
)
UNEXPECTED = "Something went wrong on Tradeoff's side and nothing was saved. Please try again."

Handler = Callable[..., Awaitable[None]]


def guarded(handler: Handler) -> Handler:
    """Wrap a listener that takes `ack` and `respond` so no exception reaches Slack as an error.

    Bolt injects arguments by the wrapped function's parameter names (it unwraps decorators),
    so the wrapper sees exactly what the handler asked for.
    """

    @functools.wraps(handler)
    async def wrapper(**kwargs: Any) -> None:
        ack: AsyncAck = kwargs["ack"]
        respond: AsyncRespond = kwargs["respond"]
        acked = False

        async def tracking_ack(*args: Any, **ack_kwargs: Any) -> Any:
            nonlocal acked
            acked = True
            return await ack(*args, **ack_kwargs)

        try:
            await handler(**{**kwargs, "ack": tracking_ack})
        except StoreUnavailable as exc:
            logger.warning("store unavailable: %s", exc)
            note_outcome("store_unavailable")
            await _tell(acked, ack, respond, STORE_DOWN_NOTHING_SAVED)
        except Exception:
            logger.exception("listener %s failed", handler.__name__)
            note_outcome("error")
            await _tell(acked, ack, respond, UNEXPECTED)

    return wrapper


async def _tell(acked: bool, ack: AsyncAck, respond: AsyncRespond, message: str) -> None:
    reply = error_reply(message)
    if not acked:
        await ack(**reply)
    elif respond.response_url:
        await send_response(respond.response_url, {"response_type": "ephemeral", **reply})
