"""Modal submissions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt.async_app import AsyncApp

from bot.slack.listeners.views import (
    connect_tracker_submission,
    edit_item_submission,
    estimate_submission,
    log_item_submission,
    why_submission,
)

if TYPE_CHECKING:
    from bot.runtime import Runtime


def register(app: AsyncApp, runtime: Runtime) -> None:
    log_item_submission.register(app, runtime)
    estimate_submission.register(app, runtime)
    edit_item_submission.register(app, runtime)
    connect_tracker_submission.register(app, runtime)
    why_submission.register(app, runtime)

