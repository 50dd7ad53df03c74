"""Slash commands: `/debt`, `/bug`, `/feature` and `/tradeoff`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt.async_app import AsyncApp

from bot.slack.listeners.commands import bug, debt, feature, tradeoff

if TYPE_CHECKING:
    from bot.runtime import Runtime

def register(app: AsyncApp, runtime: Runtime) -> None:
    debt.register(app, runtime)
    bug.register(app, runtime)
    feature.register(app, runtime)
    tradeoff.register(app, runtime)

