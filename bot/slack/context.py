"""What Slack listeners may use of the running process, and nothing more.

The composition root (`bot/runtime.py`) builds one object that has all of this; listeners
name only this Protocol, so they do not import the runtime and a test can hand them any
object with these members.
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any, Protocol

from slack_sdk.web.async_client import AsyncWebClient

from bot.chart_pool import ChartPool
from bot.config import Settings
from bot.credentials import SecretBox
from bot.services.digest_jobs import DigestJobs
from bot.services.ports import ScheduleApplier
from bot.services.tracker_access import TrackerFactory
from bot.slack.digest_publisher import WorkspacePublishers
from bot.slack.installations import InstallationStore
from bot.slack.parent_refresher import ParentRefresher
from bot.slack.voter_directory import VoterDirectory
from bot.store.unit_of_work import Store


class SlackContext(Protocol):
    """The store, Slack helpers and background hooks listeners share in one process."""

    @property
    def settings(self) -> Settings: ...

    @property
    def store(self) -> Store: ...

    @property
    def client(self) -> AsyncWebClient:
        """The app's own Web API client (Bolt copies its settings to per-request clients)."""
        ...

    @property
    def installations(self) -> InstallationStore | None:
        """Each workspace's tokens in multi-workspace mode; None with a single bot token."""
        ...

    @property
    def refresher(self) -> ParentRefresher:
        """Redraws a digest's parent message after votes, agreements or closes."""
        ...

    @property
    def charts(self) -> ChartPool: ...

    @property
    def scheduler(self) -> ScheduleApplier | None:
        """None when this process runs no scheduler (TRADEOFF_SCHEDULER=off)."""
        ...

    @property
    def digests(self) -> DigestJobs: ...

    @property
    def publishers(self) -> WorkspacePublishers: ...

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` after Slack has its answer."""
        ...

    @property
    def secret_box(self) -> SecretBox | None:
        """Seals tracker credentials; None without TRADEOFF_SECRET_KEY (connecting refused)."""
        ...

    @property
    def trackers(self) -> TrackerFactory | None: ...

    @property
    def voters(self) -> VoterDirectory:
        """Who may vote in a channel (its members, a user group), briefly remembered."""
        ...

    def refresh_canvas_later(
        self, team_id: str, channel_id: str, client: AsyncWebClient | None = None
    ) -> None:
        """Bring the channel canvas up to date in the background, when the channel keeps one."""
        ...
