"""`/debt`: a tech lead logs a tech debt item with its business impact."""

from slack_bolt.async_app import AsyncApp

from bot.domain.items import Kind
from bot.slack.listeners.commands.log_command import make_log_command
from bot.store.unit_of_work import Store


def register(app: AsyncApp, store: Store) -> None:
    app.command("/debt")(make_log_command(Kind.DEBT, store))
