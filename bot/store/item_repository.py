"""Reading and writing items; hands domain Items in and out, with their vote counts.

Votes are written by VoteRepository; this one only counts them for the Items it hands out,
and deletes them with a purged workspace's items (they cannot outlive their item)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    and_,
    bindparam,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.item_edits import FieldChange
from bot.domain.items import (
    Confidence,
    Item,
    ItemDraft,
    ItemRef,
    Kind,
    Size,
    Status,
)
from bot.store.audit_repository import AuditRepository
from bot.store.item_rows import item_from_row, size_text
from bot.store.listing_fingerprint import open_listing_state
from bot.store.models import ItemCounterRow, ItemRow, ListingVersionRow, VoteRow
from bot.store.new_items import insert_new_item


class ItemRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._audit = AuditRepository(session)

    async def add(
        self, team_id: str, channel_id: str, author_id: str, draft: ItemDraft, now: datetime
    ) -> Item:
        """Store a new open item under the next free number of its kind in the workspace."""
        values = dict(
            team_id=team_id,
            channel_id=channel_id,
            kind=draft.kind.value,
            title=draft.title,
            impact=draft.impact,
            size=draft.size.value if draft.size else None,
            urgency=draft.urgency.value if draft.urgency else None,
            area=draft.area,
            link=draft.link,
            interest=draft.interest,
            severity=draft.severity.value if draft.severity else None,
            affected_per_week=draft.affected_per_week,
            author_id=author_id,
            status=Status.OPEN.value,
            created_at=now,
            updated_at=now,
        )
        number = await insert_new_item(self._session, values)
        return item_from_row(ItemRow(**values, number=number), votes=0)

    async def get(self, team_id: str, ref: ItemRef) -> Item | None:
        """The item with this id in this workspace, whatever its status."""
        stmt = _with_votes(
            select(ItemRow).where(
                ItemRow.team_id == team_id,
                ItemRow.kind == ref.kind.value,
                ItemRow.number == ref.number,
            )
        )
        row = (await self._session.execute(stmt)).one_or_none()
        return None if row is None else item_from_row(row[0], votes=row[1])

    async def get_many(self, team_id: str, refs: Sequence[ItemRef]) -> list[Item]:
        """These items of the workspace, whatever their status, with votes and voters."""
        if not refs:
            return []
        wanted = or_(
            *(and_(ItemRow.kind == ref.kind.value, ItemRow.number == ref.number) for ref in refs)
        )
        items = await self._with_voters(ItemRow.team_id == team_id, wanted)
        order = {ref: position for position, ref in enumerate(refs)}
        return sorted(items, key=lambda item: order.get(item.ref, len(order)))

    async def all_in_channel(self, team_id: str, channel_id: str) -> list[Item]:
        """Every item ever logged in the channel, with votes and voters, by id."""
        items = await self._with_voters(
            ItemRow.team_id == team_id, ItemRow.channel_id == channel_id
        )
        return sorted(items, key=lambda item: item.ref)

    async def all_in_channel_by_page(
        self, team_id: str, channel_id: str, page_size: int
    ) -> AsyncIterator[list[Item]]:
        """Every item of the channel, `page_size` at a time in the order they were logged, so
        that reading thousands of them lets the event loop serve others between pages."""
        in_channel = (ItemRow.team_id == team_id, ItemRow.channel_id == channel_id)
        after = 0
        while True:
            conn = await self._session.connection()
            last = (await conn.execute(
                select(ItemRow.id).where(*in_channel, ItemRow.id > after)
                .order_by(ItemRow.id).offset(page_size - 1).limit(1)
            )).scalar()
            bound = [ItemRow.id > after] + ([ItemRow.id <= last] if last is not None else [])
            page = await self._with_voters(*in_channel, *bound)
            if page:
                yield page
            if last is None:
                return
            after = last

    async def _with_voters(self, *conditions: ColumnElement[bool]) -> list[Item]:
        return await self._read_with_voters(*_items_and_voters(*conditions), {})

    async def _read_with_voters(
        self, items: Select[Any], voters: Select[Any], params: dict[str, object]
    ) -> list[Item]:
        # Plain rows through the session's connection, not ORM objects: a channel's items are
        # read whole and never changed here, and the ORM's per-row work cost more than the
        # queries. Each item's votes are its voters, so no per-item count is needed; the
        # voters come by the same conditions, so the statement stays the same (and cached)
        # whatever the number of items.
        conn = await self._session.connection()
        rows = (await conn.execute(items, params)).all()
        voters_of: dict[int, list[str]] = {row.id: [] for row in rows}
        if voters_of:
            for item_id, user_id in await conn.execute(voters, params):
                voters_of[item_id].append(user_id)
        return [item_from_row(row, len(voters_of[row.id]), voters_of[row.id]) for row in rows]

    async def count_open(self, team_id: str, channel_id: str) -> int:
        return int(
            await self._session.scalar(
                select(func.count())
                .select_from(ItemRow)
                .where(
                    ItemRow.team_id == team_id,
                    ItemRow.channel_id == channel_id,
                    ItemRow.status == Status.OPEN.value,
                )
            )
            or 0
        )

    async def list_open(self, team_id: str, channel_id: str) -> list[Item]:
        """Open items of one channel with their votes and voters, by kind (bugs, debt,
        features) and number."""
        items = await self._read_with_voters(
            _OPEN_ITEMS, _OPEN_VOTERS, {"team_id": team_id, "channel_id": channel_id}
        )
        return sorted(items, key=lambda item: item.ref)

    async def listing_state(self, team_id: str, channel_id: str) -> tuple[str, bool | None]:
        """A fingerprint that changes whenever the channel's list would, and its
        votes_hidden setting (None when the channel never set it)."""
        return await open_listing_state(self._session, team_id, channel_id)

    async def set_status(
        self, team_id: str, ref: ItemRef, status: Status, by_user: str, now: datetime
    ) -> bool:
        """Close an open item (kept in its audit trail); False when it was not open."""
        stmt = (
            update(ItemRow)
            .where(
                ItemRow.team_id == team_id,
                ItemRow.kind == ref.kind.value,
                ItemRow.number == ref.number,
                ItemRow.status == Status.OPEN.value,
            )
            .values(status=status.value, closed_at=now, closed_by=by_user, updated_at=now)
        )
        result = await self._session.execute(stmt)
        changed = bool(getattr(result, "rowcount", 0))
        if changed:
            await self._audit.record(team_id, ref, "status", "open", status.value, by_user, now)
        return changed

    async def set_estimate(
        self,
        team_id: str,
        ref: ItemRef,
        size: Size,
        confidence: Confidence | None,
        by_user: str,
        now: datetime,
    ) -> Item | None:
        """Size an item (kept in its audit trail); None when there is no such item."""
        item = await self.get(team_id, ref)
        if item is None:
            return None
        await self._update(team_id, ref, now, size=size.value,
                           size_confidence=confidence.value if confidence else None)
        old = size_text(item.size, item.size_confidence)
        await self._audit.record(
            team_id, ref, "size", old, size_text(size, confidence), by_user, now
        )
        return await self.get(team_id, ref)

    async def set_interest(
        self, team_id: str, ref: ItemRef, hours: float, by_user: str, now: datetime
    ) -> Item | None:
        """Set a debt item's weekly interest (kept in its audit trail)."""
        item = await self.get(team_id, ref)
        if item is None:
            return None
        await self._update(team_id, ref, now, interest=hours)
        old = None if item.interest is None else f"{item.interest:g} h/week"
        await self._audit.record(team_id, ref, "interest", old, f"{hours:g} h/week", by_user, now)
        return await self.get(team_id, ref)

    async def _update(self, team_id: str, ref: ItemRef, now: datetime, **values: object) -> None:
        await self._session.execute(
            update(ItemRow)
            .where(
                ItemRow.team_id == team_id,
                ItemRow.kind == ref.kind.value,
                ItemRow.number == ref.number,
            )
            .values(updated_at=now, **values)
        )

    async def edit(
        self, team_id: str, ref: ItemRef, changes: Sequence[FieldChange], by_user: str,
        now: datetime,
    ) -> None:
        """Apply an edit's changed fields; each lands in the audit trail with who and when."""
        await self._update(team_id, ref, now, **{c.field: c.value for c in changes})
        for change in changes:
            await self._audit.record(
                team_id, ref, change.field, change.old, change.new, by_user, now
            )

    async def open_in_channels(self, team_id: str, channel_ids: Sequence[str]) -> list[Item]:
        """Open items of these channels with votes and voters (for the App Home)."""
        if not channel_ids:
            return []
        items = await self._with_voters(
            ItemRow.team_id == team_id,
            ItemRow.channel_id.in_(channel_ids),
            ItemRow.status == Status.OPEN.value,
        )
        return sorted(items, key=lambda item: item.ref)

    async def open_by_author(self, team_id: str, author_id: str, limit: int) -> list[Item]:
        """Someone's own open items, newest first."""
        stmt = _with_votes(
            select(ItemRow).where(
                ItemRow.team_id == team_id,
                ItemRow.author_id == author_id,
                ItemRow.status == Status.OPEN.value,
            )
        ).order_by(ItemRow.created_at.desc(), ItemRow.id.desc()).limit(limit)
        return [item_from_row(row, votes) for row, votes in await self._session.execute(stmt)]

    async def lock(self, team_id: str, ref: ItemRef) -> tuple[int, Status] | None:
        """The item's key and status, locked until commit (votes apply one at a time, and a
        merge sees both items as they stay); None when there is no such item."""
        row = (
            await self._session.execute(
                select(ItemRow.id, ItemRow.status)
                .where(
                    ItemRow.team_id == team_id,
                    ItemRow.kind == ref.kind.value,
                    ItemRow.number == ref.number,
                )
                .with_for_update()
            )
        ).one_or_none()
        return None if row is None else (row[0], Status(row[1]))

    async def merged_into(self, team_id: str, ref: ItemRef) -> list[ItemRef]:
        """The duplicates that were merged into `ref`."""
        rows = await self._session.execute(
            select(ItemRow.kind, ItemRow.number).where(
                ItemRow.team_id == team_id, ItemRow.merged_into == str(ref)
            )
        )
        return [ItemRef(Kind(kind), number) for kind, number in rows]

    async def mark_merged(
        self, team_id: str, ref: ItemRef, into: ItemRef, by_user: str, now: datetime
    ) -> bool:
        """Close an open duplicate as merged into another item."""
        if not await self.set_status(team_id, ref, Status.MERGED, by_user, now):
            return False
        await self._update(team_id, ref, now, merged_into=str(into))
        await self._audit.record(team_id, ref, "merged_into", None, str(into), by_user, now)
        return True

    async def purge_team(self, team_id: str) -> None:
        """Delete every item, vote, counter, listing version and audit entry of a workspace."""
        await self._audit.purge_team(team_id)
        await self._session.execute(
            delete(VoteRow).where(
                VoteRow.item_id.in_(select(ItemRow.id).where(ItemRow.team_id == team_id))
            )
        )
        await self._session.execute(delete(ItemRow).where(ItemRow.team_id == team_id))
        await self._session.execute(
            delete(ItemCounterRow).where(ItemCounterRow.team_id == team_id)
        )
        # After the items: deleting them (and their votes) wrote new versions on SQLite.
        await self._session.execute(
            delete(ListingVersionRow).where(ListingVersionRow.team_id == team_id)
        )


_ITEMS = cast(Table, ItemRow.__table__)


def _items_and_voters(*conditions: ColumnElement[bool]) -> tuple[Select[Any], Select[Any]]:
    """The items that meet `conditions`, and their voters in the order they voted."""
    voters = (
        select(VoteRow.item_id, VoteRow.user_id)
        .join(_ITEMS, _ITEMS.c.id == VoteRow.item_id)
        .where(*conditions)
        .order_by(VoteRow.created_at, VoteRow.id)
    )
    return select(_ITEMS).where(*conditions), voters


# Every list and every digest reads a channel's open items: built once, since building the two
# statements (SQLAlchemy's expressions and their cache keys) cost more CPU than running them.
_OPEN_ITEMS, _OPEN_VOTERS = _items_and_voters(
    _ITEMS.c.team_id == bindparam("team_id"),
    _ITEMS.c.channel_id == bindparam("channel_id"),
    _ITEMS.c.status == Status.OPEN.value,
)


def _with_votes(stmt: Select[tuple[ItemRow]]) -> Select[tuple[ItemRow, int]]:
    # A per-item count through the votes index: the cost follows the items selected, not the
    # size of the whole votes table (a grouped subquery counted every vote of every team).
    votes = (
        select(func.count())
        .where(VoteRow.item_id == ItemRow.id)
        .correlate(ItemRow)
        .scalar_subquery()
    )
    return stmt.add_columns(votes)
