"""A fingerprint of what a channel's `/tradeoff list` shows, computed by the database.

Reading a channel's 300 open items into Items cost about 20 ms of the bot's CPU per list; the
database concatenates what the list shows of them (LISTED_COLUMNS, and every vote on them with
its id) in its own C code for a fraction of that, and hands back that string (SQLite, in
process) or its SHA-256 (PostgreSQL), which the bot compares with the last one's. Equal
fingerprints mean equal lists, so a list built under one fingerprint can be shown again while
it stays. The aggregate's order is not fixed: a new order only makes a new fingerprint, which
costs a rebuild, never a stale list. Long texts the list does not show (the impact) are left
out: with them the query took three times as long.
"""

from __future__ import annotations

import hashlib
from functools import cache
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, bindparam, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.items import Status
from bot.store.models import ChannelSettingsRow, ItemRow, VoteRow

_ITEMS = cast(Table, ItemRow.__table__)
_VOTES = cast(Table, VoteRow.__table__)
_SETTINGS = cast(Table, ChannelSettingsRow.__table__)
# What list_reply shows of an item (tests/unit/test_listing_fingerprint.py holds it to that).
LISTED_COLUMNS = (
    "id", "kind", "number", "title", "size", "urgency", "severity", "affected_per_week",
    "tracker_ref", "link",
)


async def open_listing_state(
    session: AsyncSession, team_id: str, channel_id: str
) -> tuple[str, bool | None]:
    """The fingerprint, and the channel's votes_hidden setting (None: never set), in one
    statement: on SQLite each statement is a dozen hand-offs to aiosqlite's thread."""
    backend = session.get_bind().dialect.name
    params = {"team_id": team_id, "channel_id": channel_id, "status": Status.OPEN.value}
    fingerprint, votes_hidden = (await session.execute(_statement(backend), params)).one()
    if backend != "postgresql":
        fingerprint = hashlib.sha256(fingerprint.encode()).hexdigest()
    return fingerprint, votes_hidden


@cache
def _statement(backend: str) -> Any:
    open_in_channel = (
        _ITEMS.c.team_id == bindparam("team_id"),
        _ITEMS.c.channel_id == bindparam("channel_id"),
        _ITEMS.c.status == bindparam("status"),
    )
    listed = [_ITEMS.c[name] for name in LISTED_COLUMNS]
    vote_values = [_VOTES.c.id, _VOTES.c.user_id]
    if backend == "postgresql":
        # Each item's votes through the votes index: joined as a whole, PostgreSQL's planner
        # hashed the workspace's every vote (3.3 of 4.2 ms).
        votes = (
            select(_concatenated(backend, _record(backend, vote_values)))
            .where(_VOTES.c.item_id == _ITEMS.c.id)
            .correlate(_ITEMS)
            .scalar_subquery()
        )
        records = _record(backend, [*listed, votes])
        whole = select(_concatenated(backend, records)).where(*open_in_channel)
        # Hashed where it is made: decoding the 40 KB string cost asyncpg a quarter of the
        # bot's time per list. SQLite's string is handed over in process.
        digest = func.sha256(func.convert_to(
            func.coalesce(whole.scalar_subquery(), literal("")), literal("UTF8")
        ))
        fingerprint = select(func.encode(digest, literal("hex")))
    else:
        # SQLite looks each vote up by its item on its own; per item it was half as slow again.
        channel_votes = (
            select(_concatenated(backend, _record(backend, [_VOTES.c.item_id, *vote_values])))
            .join(_ITEMS, _ITEMS.c.id == _VOTES.c.item_id)
            .where(*open_in_channel)
        )
        items = select(_concatenated(backend, _record(backend, listed))).where(*open_in_channel)
        # Not quoted again: outside the records' literals, `|` can only be this boundary.
        fingerprint = select(
            func.coalesce(items.scalar_subquery(), literal("")) + literal("|")
            + func.coalesce(channel_votes.scalar_subquery(), literal(""))
        )
    hidden = select(_SETTINGS.c.votes_hidden).where(
        _SETTINGS.c.team_id == bindparam("team_id"),
        _SETTINGS.c.channel_id == bindparam("channel_id"),
    )
    return select(fingerprint.scalar_subquery(), hidden.scalar_subquery())


def _record(backend: str, values: list[Any]) -> ColumnElement[str]:
    """The values as SQL literals (NULL as NULL), comma-separated: whatever a title holds, no
    record reads as another. Bare separators, which a title could fake, were only 20 % faster."""
    quote = func.quote_nullable if backend == "postgresql" else func.quote
    record: ColumnElement[str] = quote(values[0])
    for value in values[1:]:
        record = record + literal(",") + quote(value)
    return record


def _concatenated(backend: str, records: ColumnElement[str]) -> ColumnElement[str]:
    """The records in one string, `;` between them."""
    if backend == "postgresql":
        return func.string_agg(records, literal(";"))
    return func.group_concat(records, literal(";"))
