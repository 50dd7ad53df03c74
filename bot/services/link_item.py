"""Use cases: link an item to an existing issue, or push it to the tracker as a new one."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.credentials import SecretBox
from bot.domain.items import Item, ItemRef, Kind
from bot.domain.tracker_connections import TrackerConnection, TrackerKind
from bot.domain.tracker_issues import TrackerIssue
from bot.services.errors import ItemInAnotherChannel, ItemNotFound
from bot.services.import_issues import (
    channel_connection,
    note_failure,
    require_active,
    sealed_connections,
)
from bot.services.ports import Tracker, TrackerFailure
from bot.services.tracker_access import TrackerFactory, open_tracker, require_keeper
from bot.store.unit_of_work import Store


class AlreadyLinked(Exception):
    def __init__(self, item: ItemRef, ref: str, url: str) -> None:
        super().__init__(f"{item} is already linked to {ref}")
        self.item, self.ref, self.url = item, ref, url


class IssueNotRecognised(ValueError):
    """str() says what a ref of the connected tracker looks like."""


async def _linkable_item(
    store: Store, *, team_id: str, channel_id: str, user_id: str, ref: ItemRef
) -> tuple[Item, int]:
    async with store.unit_of_work() as uow:
        await require_keeper(uow, team_id, channel_id, user_id)
        item = await uow.items.get(team_id, ref)
        if item is None:
            raise ItemNotFound(ref)
        if item.channel_id != channel_id:
            raise ItemInAnotherChannel(ref)
        existing = await uow.item_links.link_of_item(team_id, ref)
        item_id = await uow.item_links.item_id(team_id, ref)
    if existing is not None:
        raise AlreadyLinked(ref, existing[1], existing[2])
    assert item_id is not None
    return item, item_id


async def _store_link(
    store: Store, connection: TrackerConnection, item: Item, item_id: int, issue: TrackerIssue
) -> None:
    async with store.unit_of_work() as uow:
        if not await uow.item_links.link(
            team_id=connection.team_id, connection_id=connection.id, item_id=item_id,
            ref=issue.ref, url=issue.url, now=datetime.now(UTC),
            seen_updated_at=issue.updated_at,
        ):
            raise AlreadyLinked(item.ref, issue.ref, issue.url)
        await uow.commit()


async def _with_tracker(
    store: Store, connection_id: int, tracker: Tracker, work: str, *args: object
) -> TrackerIssue:
    try:
        method = getattr(tracker, work)
        issue: TrackerIssue = await method(*args)
        return issue
    except TrackerFailure as failure:
        # One issue that is not there is a typo, not a connection that stopped working.
        if not (work == "get_issue" and failure.kind in ("not_found", "gone")):
            await note_failure(store, connection_id, failure)
        raise
    finally:
        await tracker.aclose()


async def link_item(
    store: Store, box: SecretBox, factory: TrackerFactory, *, team_id: str, channel_id: str,
    user_id: str, ref: ItemRef, issue_text: str,
) -> TrackerIssue:
    """Link the item to the issue `issue_text` names (`owner/repo#12`, `PROJ-7`, a URL).

    Raises RoleRequired, ItemNotFound, NotConnected, ConnectionPaused, IssueNotRecognised,
    AlreadyLinked (the item, or the issue, has a link) or TrackerFailure (no such issue...).
    """
    item, item_id = await _linkable_item(
        store, team_id=team_id, channel_id=channel_id, user_id=user_id, ref=ref)
    found = await sealed_connections(store, team_id=team_id, channel_id=channel_id)
    for sealed in found:
        tracker = open_tracker(box, factory, sealed)
        issue_ref = tracker.parse_ref(issue_text)
        if issue_ref is not None:
            break
        await tracker.aclose()
    else:
        where = " or ".join(s.connection.where for s in found)
        raise IssueNotRecognised(
            f"{issue_text} is not an issue of {where}: give its number (e.g. "
            f"{_example(found[0].connection)}) or its URL."
        )
    require_active(sealed)
    issue = await _with_tracker(store, sealed.connection.id, tracker, "get_issue", issue_ref)
    await _store_link(store, sealed.connection, item, item_id, issue)
    return issue


def _example(connection: TrackerConnection) -> str:
    if connection.kind is TrackerKind.GITHUB:
        return f"{connection.target}#12"
    return f"{connection.project}-12"


async def push_item(
    store: Store, box: SecretBox, factory: TrackerFactory, *, team_id: str, channel_id: str,
    user_id: str, ref: ItemRef, kind: TrackerKind | None = None,
) -> TrackerIssue:
    """Create the item's issue (debt gets the first debt label) and link it; an item that is
    linked already raises AlreadyLinked and creates nothing. With two trackers in the
    channel, `kind` says which (else ChooseTracker)."""
    item, item_id = await _linkable_item(
        store, team_id=team_id, channel_id=channel_id, user_id=user_id, ref=ref)
    sealed = await channel_connection(store, team_id=team_id, channel_id=channel_id, kind=kind)
    labels = list(sealed.connection.debt_labels[:1]) if item.kind is Kind.DEBT else []
    body = f"{item.impact}\n\nLogged in Slack as {item.ref} with Tradeoff."
    tracker = open_tracker(box, factory, sealed)
    issue = await _with_tracker(
        store, sealed.connection.id, tracker, "create_issue", item.title, body, labels)
    await _store_link(store, sealed.connection, item, item_id, issue)
    return issue
