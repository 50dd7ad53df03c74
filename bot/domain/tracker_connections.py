"""A channel's connection to a tracker: which one, where, and whether it is working."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class TrackerKind(StrEnum):
    GITHUB = "github"
    JIRA = "jira"

    @property
    def label(self) -> str:
        return "GitHub" if self is TrackerKind.GITHUB else "Jira"

    @property
    def planned_label(self) -> str:
        """The label a planned item's issue gets (Jira labels cannot hold a colon nicely)."""
        return "tradeoff:planned" if self is TrackerKind.GITHUB else "tradeoff-planned"


class ConnectionState(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"  # the tracker refused us (bad token, no access); reason kept


DEFAULT_GITHUB_DEBT_LABELS = ("tech-debt", "debt")
DEFAULT_JIRA_DEBT_LABELS = ("tech-debt",)


@dataclass(frozen=True)
class TrackerConnection:
    """Everything about a connection except its secrets, which stay in the store."""

    id: int
    team_id: str
    channel_id: str
    kind: TrackerKind
    target: str  # GitHub "owner/repo"; Jira the site URL
    project: str | None  # Jira project key
    debt_labels: tuple[str, ...]
    state: ConnectionState
    paused_reason: str | None
    last_sync_at: datetime | None
    last_error: str | None
    poll_cursor: datetime | None
    has_webhook_secret: bool = False

    @property
    def where(self) -> str:
        """`owner/repo` or `PROJ on https://site`, as a user recognises it."""
        return self.target if self.project is None else f"{self.project} on {self.target}"


@dataclass(frozen=True)
class TrackerCredentials:
    """A GitHub token, or a Jira account e-mail and API token; never logged nor shown."""

    token: str
    email: str | None = None

    def __repr__(self) -> str:  # a stray log of this object shows no secret
        return "TrackerCredentials(<hidden>)"


@dataclass(frozen=True)
class ItemLink:
    item_id: int
    connection_id: int
    ref: str
    url: str
