"""Use case: the channel canvas "Tradeoff" is kept up to date after each digest, decision and
rationale, for channels that turned it on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from bot.domain.decisions import Decision
from bot.domain.digest import compose_digest
from bot.domain.scoring import Ranked
from bot.store.unit_of_work import Store

CANVAS_DECISIONS = 10


class CanvasRefused(Exception):
    """Slack will not keep a canvas here (the plan has none, a scope is missing...)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CanvasContent:
    debt: list[Ranked]
    features: list[Ranked]
    decisions: list[Decision]  # newest first


class CanvasWriter(Protocol):
    async def write(self, channel_id: str, canvas_id: str | None, content: CanvasContent) -> str:
        """Create the channel canvas (no id yet) or replace its content; returns its id.
        Raises CanvasRefused."""
        ...


async def refresh_canvas(
    store: Store, writer: CanvasWriter, *, team_id: str, channel_id: str, force: bool = False
) -> bool:
    """Write the canvas when the channel keeps one (or `force`, for `canvas on`); True when
    written. Raises CanvasRefused when Slack will not have it."""
    async with store.unit_of_work() as uow:
        settings = await uow.channels.get(team_id, channel_id)
        if not (settings.canvas_on or force):
            return False
        items = await uow.items.list_open(team_id, channel_id)
        decisions = await uow.decisions.recent(team_id, channel_id, CANVAS_DECISIONS)
    digest = compose_digest(items, settings, datetime.now(UTC))
    content = CanvasContent(digest.debt, digest.features, decisions)
    canvas_id = await writer.write(channel_id, settings.canvas_id, content)
    if canvas_id != settings.canvas_id:
        async with store.unit_of_work() as uow:
            current = await uow.channels.get(team_id, channel_id)
            await uow.channels.save(
                current.with_changes(canvas_id=canvas_id), None, datetime.now(UTC)
            )
            await uow.commit()
    return True


async def set_canvas(
    store: Store, writer: CanvasWriter, *, team_id: str, channel_id: str, user_id: str, on: bool
) -> None:
    """`canvas on` writes the canvas first and keeps it on only when Slack took it (raises
    CanvasRefused, changing nothing); `off` stops updating it and leaves it in the channel."""
    if on:
        await refresh_canvas(store, writer, team_id=team_id, channel_id=channel_id, force=True)
    async with store.unit_of_work() as uow:
        current = await uow.channels.get(team_id, channel_id)
        await uow.channels.save(current.with_changes(canvas_on=on), user_id, datetime.now(UTC))
        await uow.commit()
