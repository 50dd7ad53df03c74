"""`/feature`: a product manager logs a feature request with its user value."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt.async_app import AsyncApp

from bot.domain.items import Kind
from bot.slack.listeners.commands.log_command import make_log_command

if TYPE_CHECKING:
    from bot.runtime import Runtime


def register(app: AsyncApp, runtime: Runtime) -> None:
    app.command("/feature")(make_log_command(Kind.FEATURE, runtime.store))

