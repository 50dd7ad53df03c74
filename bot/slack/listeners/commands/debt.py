"""`/debt`: a tech lead logs a tech debt item with its business impact."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt.async_app import AsyncApp

from bot.domain.items import Kind
from bot.slack.listeners.commands.log_command import make_log_command

if TYPE_CHECKING:
    from bot.runtime import Runtime


def register(app: AsyncApp, runtime: Runtime) -> None:
    app.command("/debt")(make_log_command(Kind.DEBT, runtime.store))

