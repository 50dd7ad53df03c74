"""Modal submissions."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.slack.context import SlackContext
from bot.slack.listeners.views import (
    edit_item_submission,
    estimate_submission,
    log_item_submission,
)


def register(app: AsyncApp, runtime: SlackContext) -> None:
    log_item_submission.register(app, runtime)
    estimate_submission.register(app, runtime)
    edit_item_submission.register(app, runtime)

