"""What a change in the tracker does to the linked item: close, reopen or rename it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.domain.items import TITLE_MAX, Status
from bot.domain.tracker_connections import TrackerKind
from bot.domain.tracker_issues import TrackerIssue

TRACKER_ACTOR_PREFIX = "tracker:"  # `changed_by` of what the tracker did; never a Slack id


def tracker_actor(kind: TrackerKind) -> str:
    return f"{TRACKER_ACTOR_PREFIX}{kind.value}"


def actor_label(changed_by: str) -> str | None:
    """"GitHub" for a change the tracker made, None for a Slack user's."""
    if not changed_by.startswith(TRACKER_ACTOR_PREFIX):
        return None
    value = changed_by.removeprefix(TRACKER_ACTOR_PREFIX)
    return next((k.label for k in TrackerKind if k.value == value), value)


class SyncAction(StrEnum):
    CLOSE = "close"
    REOPEN = "reopen"
    RENAME = "rename"


@dataclass(frozen=True)
class ItemState:
    status: Status
    title: str
    closed_by: str | None


@dataclass(frozen=True)
class SyncChange:
    action: SyncAction
    note: str  # what the item's history says, e.g. "closed in GitHub by octocat"
    title: str | None = None  # the new title, for RENAME
    closed_as: Status = Status.DONE  # for CLOSE: done, or dropped when not planned


_CLOSABLE = (Status.OPEN, Status.PLANNED)
_REOPENABLE = (Status.DONE, Status.DROPPED)


def changes_for(
    item: ItemState, issue: TrackerIssue, kind: TrackerKind, actor: str | None = None,
    *, reopened: bool = False,
) -> list[SyncChange]:
    """The item's changes the issue calls for; none when they already agree.

    An open issue reopens an item the tracker closed; an item closed in Slack is reopened
    only when the tracker says the issue was reopened (a webhook's `reopened`), not by any
    later change to its open issue. Our own label and comment change nothing here, so the
    bot's writes never echo back as changes.
    """
    changes: list[SyncChange] = []
    title = " ".join(issue.title.split())[:TITLE_MAX]
    if title and title != item.title:
        changes.append(SyncChange(SyncAction.RENAME, f"renamed in {kind.label}", title))
    who = actor or issue.closed_by
    by = f" by {who}" if who else ""
    if not issue.is_open and item.status in _CLOSABLE:
        if issue.not_planned:
            changes.append(SyncChange(SyncAction.CLOSE, f"closed in {kind.label} as not planned"
                                      f"{by}", closed_as=Status.DROPPED))
        else:
            changes.append(SyncChange(SyncAction.CLOSE, f"closed in {kind.label}{by}"))
    elif issue.is_open and item.status in _REOPENABLE and (
        reopened or item.closed_by == tracker_actor(kind)
    ):
        reopened_by = f" by {actor}" if actor else ""
        changes.append(SyncChange(SyncAction.REOPEN, f"reopened in {kind.label}{reopened_by}"))
    return changes
