"""Use case: every open issue of the channel's tracker that is not linked yet becomes an item."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.credentials import SecretBox
from bot.domain.items import ItemDraft, ItemRef
from bot.domain.tracker_connections import ConnectionState, TrackerConnection, TrackerKind
from bot.domain.tracker_issues import TrackerIssue, imported_fields
from bot.services.ports import Tracker, TrackerFailure
from bot.services.tracker_access import (
    ConnectionPaused,
    NotConnected,
    TrackerFactory,
    open_tracker,
    require_keeper,
)
from bot.store.tracker_repository import SealedConnection
from bot.store.unit_of_work import Store


@dataclass
class ImportResult:
    connection: TrackerConnection
    imported: list[ItemRef] = field(default_factory=list)
    already_linked: int = 0
    skipped: int = 0  # pull requests, and issues that cannot become an item
    # Why nothing came from this tracker while the channel's others were imported.
    failure: str | None = None


class ChooseTracker(Exception):
    """The channel has several trackers and the command did not say which."""


async def sealed_connections(
    store: Store, *, team_id: str, channel_id: str, kind: TrackerKind | None = None,
) -> list[SealedConnection]:
    """The channel's connections (of `kind`), paused ones included; raises NotConnected."""
    async with store.unit_of_work() as uow:
        found = [c for c in await uow.trackers.in_channel(team_id, channel_id)
                 if kind is None or c.kind is kind]
        sealed = [s for c in found if (s := await uow.trackers.get_by_id(c.id)) is not None]
    if not sealed:
        which = kind.label if kind else "a tracker"
        raise NotConnected(
            f"This channel is not connected to {which} yet: `/tradeoff connect github "
            "<owner>/<repo>` or `/tradeoff connect jira <site> <PROJECT>`."
        )
    return sealed


def require_active(sealed: SealedConnection) -> SealedConnection:
    if sealed.connection.state is ConnectionState.PAUSED:
        raise ConnectionPaused(
            f"The {sealed.connection.kind.label} connection is paused: "
            f"{sealed.connection.paused_reason}. Connect again to resume it."
        )
    return sealed


async def channel_connection(
    store: Store, *, team_id: str, channel_id: str, kind: TrackerKind | None = None,
) -> SealedConnection:
    """The channel's one active connection (of `kind`); raises NotConnected, ChooseTracker
    (two and no kind said) or ConnectionPaused."""
    found = await sealed_connections(store, team_id=team_id, channel_id=channel_id, kind=kind)
    if len(found) > 1:
        kinds = " or ".join(f"`{s.connection.kind.value}`" for s in found)
        raise ChooseTracker(f"This channel has several trackers: say which, {kinds}.")
    return require_active(found[0])


async def note_failure(store: Store, connection_id: int, failure: TrackerFailure) -> None:
    """Pause the connection on a refusal (bad token, no access); else remember the error."""
    async with store.unit_of_work() as uow:
        if failure.pauses_connection:
            await uow.trackers.pause(connection_id, failure.reason)
        else:
            await uow.trackers.record_error(connection_id, failure.reason)
        await uow.commit()


async def import_issues(
    store: Store, box: SecretBox, factory: TrackerFactory, *, team_id: str, channel_id: str,
    user_id: str, check_role: bool = True,
) -> list[ImportResult]:
    """Import from each of the channel's trackers. Raises RoleRequired or NotConnected; and
    ConnectionPaused or TrackerFailure (recorded on the connection) when no tracker could be
    read. One paused or failing tracker of several is told in its result, not raised, so it
    never keeps the others' issues out."""
    if check_role:
        async with store.unit_of_work() as uow:
            await require_keeper(uow, team_id, channel_id, user_id)
    found = await sealed_connections(store, team_id=team_id, channel_id=channel_id)
    results: list[ImportResult] = []
    first_problem: ConnectionPaused | TrackerFailure | None = None
    for sealed in found:
        try:
            results.append(
                await _import_from(store, box, factory, require_active(sealed), user_id))
        except ConnectionPaused as exc:
            first_problem = first_problem or exc
            results.append(ImportResult(sealed.connection, failure=str(exc)))
        except TrackerFailure as exc:
            first_problem = first_problem or exc
            results.append(ImportResult(sealed.connection,
                                        failure=f"Nothing imported: {exc.reason}."))
    if first_problem is not None and all(r.failure for r in results):
        raise first_problem
    return results


async def _import_from(
    store: Store, box: SecretBox, factory: TrackerFactory, sealed: SealedConnection,
    user_id: str,
) -> ImportResult:
    tracker = open_tracker(box, factory, sealed)
    try:
        issues = await _open_issues(store, tracker, sealed.connection.id)
    finally:
        await tracker.aclose()
    result = ImportResult(sealed.connection)
    async with store.unit_of_work() as uow:
        linked = await uow.item_links.linked_refs(sealed.connection.id)
    for issue in issues:
        if issue.is_pull_request:
            result.skipped += 1
        elif issue.ref in linked:
            result.already_linked += 1
        elif (ref := await import_issue(store, sealed.connection, issue, user_id)) is None:
            result.already_linked += 1  # another import linked it a moment ago
        else:
            result.imported.append(ref)
    return result


async def _open_issues(store: Store, tracker: Tracker, connection_id: int) -> list[TrackerIssue]:
    try:
        return await tracker.open_issues()
    except TrackerFailure as failure:
        await note_failure(store, connection_id, failure)
        raise


async def import_issue(
    store: Store, connection: TrackerConnection, issue: TrackerIssue, user_id: str
) -> ItemRef | None:
    """The new item's id, or None when the issue was linked already (nothing is stored).

    Item and link go in one transaction; the link's unique key decides a race between two
    imports, and the loser's item is rolled back with it."""
    fields = imported_fields(issue, connection.debt_labels)
    draft = ItemDraft(kind=fields.kind, title=fields.title, impact=fields.impact, link=issue.url)
    now = datetime.now(UTC)
    async with store.unit_of_work() as uow:
        item = await uow.items.add(connection.team_id, connection.channel_id, user_id, draft, now)
        item_id = await uow.item_links.item_id(connection.team_id, item.ref)
        assert item_id is not None
        if not await uow.item_links.link(
            team_id=connection.team_id, connection_id=connection.id, item_id=item_id,
            ref=issue.ref, url=issue.url, now=now, seen_updated_at=issue.updated_at,
        ):
            return None
        await uow.commit()
    return item.ref
