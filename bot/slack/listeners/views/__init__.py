"""Modal submissions."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.slack.context import SlackContext
from bot.slack.listeners.views import (
    connect_tracker_submission,
    edit_item_submission,
    estimate_submission,
    log_item_submission,
    why_submission,
)


def register(app: AsyncApp, runtime: SlackContext) -> None:
    log_item_submission.register(app, runtime)
    estimate_submission.register(app, runtime)
    edit_item_submission.register(app, runtime)
    connect_tracker_submission.register(app, runtime)
    why_submission.register(app, runtime)

