"""What use cases need from outside, as interfaces: Slack (`bot/slack/` implements it) and
issue trackers (`bot/trackers/`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.domain.channel_settings import ChannelSettings
from bot.domain.digest import Digest
from bot.domain.reminders import Reminder
from bot.domain.scoring import Ranked
from bot.domain.tracker_issues import TrackerIssue
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


class ThreadUnreadable(Exception):
    """Slack will not let us read a digest's thread, and asking again will not change that
    (an install from before the bot asked for the history scopes)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ReplyKey:
    """What a thread reply carries so that a later poster can recognise it: the digest run and
    the planned message it was posted for."""

    run_id: int
    message_id: int


class DigestPublisher(Protocol):
    async def post_parent(self, channel_id: str, digest: Digest) -> str:
        """Post the digest's parent message; returns its ts."""
        ...

    async def post_reply(
        self, channel_id: str, thread_ts: str, ranked: Ranked, digest: Digest, key: ReplyKey
    ) -> str:
        """Post one item's reply in the digest thread, carrying `key`; returns its ts."""
        ...

    async def posted_replies(self, channel_id: str, thread_ts: str, run_id: int) -> dict[int, str]:
        """The replies the thread holds for `run_id`: planned message id → ts. Raises
        ThreadUnreadable when Slack refuses for good, PublishFailed when it may work later."""
        ...

    async def posted_parent(self, channel_id: str, run_id: int, since: datetime) -> str | None:
        """The ts of the parent posted for `run_id` no earlier than `since`, or None. Raises
        ThreadUnreadable when Slack refuses for good, PublishFailed when it may work later."""
        ...

    async def post_trends(self, channel_id: str, thread_ts: str, trends: Trends) -> None:
        """Attach the trends chart and its summary in the digest's thread."""
        ...


class TrackerFailure(Exception):
    """What went wrong talking to a tracker, in one line a user can act on (never a secret)."""

    PAUSING = frozenset({"auth", "forbidden", "not_found", "gone"})

    def __init__(self, kind: str, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason
        self.retry_after = retry_after

    @property
    def pauses_connection(self) -> bool:
        """The tracker refuses us until someone fixes the token or access: stop trying."""
        return self.kind in self.PAUSING


class Tracker(Protocol):
    """GitHub Issues or Jira, as the bridge's use cases need them."""

    name: str

    async def check(self) -> str:
        """Verify credentials and access to the repo/project; returns its display name."""
        ...

    async def open_issues(self) -> list[TrackerIssue]:
        """Every open issue (every page), pull requests excluded."""
        ...

    async def changed_since(self, since: datetime | None) -> list[TrackerIssue]:
        """Open and closed issues updated at/after `since` (all when None); may overlap."""
        ...

    async def get_issue(self, ref: str) -> TrackerIssue: ...

    async def create_issue(
        self, title: str, body: str, labels: Sequence[str]
    ) -> TrackerIssue: ...

    async def add_label(self, ref: str, label: str) -> None:
        """Idempotent: adding a label twice is harmless."""
        ...

    async def comment_once(
        self, ref: str, marker: str, lines: Sequence[str], link_text: str, link_url: str
    ) -> None:
        """Post one comment of `lines` and a link, unless one carrying `marker` exists."""
        ...

    def parse_ref(self, text: str) -> str | None:
        """The canonical ref of `owner/repo#N`, `PROJ-N` or an issue URL; None otherwise."""
        ...

    async def aclose(self) -> None: ...


class SlackDirectory(Protocol):
    """What a write-back needs to say about Slack: people's names and a thread's link."""

    async def display_name(self, team_id: str, user_id: str) -> str: ...

    async def thread_url(self, team_id: str, channel_id: str, ts: str) -> str: ...
class ReminderSender(Protocol):
    async def send_reminder(self, reminder: Reminder) -> str | None:
        """Send the reminder as a direct message; None when it went, else Slack's reason."""
class ChannelVisibility(Protocol):
    async def visible_to(self, user_id: str, channel_ids: list[str]) -> list[str]:
        """Those of `channel_ids` the user may see: public ones, and private ones they are in."""
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
