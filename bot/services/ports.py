"""What use cases need from Slack, as interfaces; `bot/slack/` provides the implementations."""

from __future__ import annotations

from typing import Protocol

from bot.domain.channel_settings import ChannelSettings
from bot.domain.digest import Digest
from bot.domain.scoring import Ranked
from bot.domain.trends import Trends


class ChannelUnavailable(Exception):
    """Slack will not take posts in this channel (deleted, archived, bot removed)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class PublishFailed(Exception):
    """Slack did not take a post even after retries (5xx, network, other errors)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class DigestPublisher(Protocol):
    async def post_parent(self, channel_id: str, digest: Digest) -> str:
        """Post the digest's parent message; returns its ts."""
        ...

    async def post_reply(
        self, channel_id: str, thread_ts: str, ranked: Ranked, digest: Digest
    ) -> str:
        """Post one item's reply in the digest thread; returns its ts."""
        ...

    async def post_trends(self, channel_id: str, thread_ts: str, trends: Trends) -> None:
        """Attach the trends chart and its summary in the digest's thread."""
        ...


class DigestPublishers(Protocol):
    """Where each workspace's digests are posted."""

    async def for_team(self, team_id: str) -> DigestPublisher | None:
        """A publisher for the workspace, or None when it is not installed (any more)."""
        ...


class ScheduleApplier(Protocol):
    """The scheduler as jobs see it: a channel's digest job follows its settings."""

    def apply(self, settings: ChannelSettings) -> None:
        """Add, change or remove the channel's job to match `settings`."""
        ...
