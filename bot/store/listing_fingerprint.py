"""A fingerprint of what a channel's `/tradeoff list` shows, computed by the database.

Reading a channel's 300 open items into Items cost about 20 ms of the bot's CPU per list.
PostgreSQL concatenates what the list shows of them (LISTED_COLUMNS, and every vote on them
with its id) in its own process and hands back the SHA-256 of that string; the bot compares it
with the last one's. Equal fingerprints mean equal lists, so a list built under one can be
shown again while it stays. The aggregate's order is not fixed: a new order only makes a new
fingerprint, which costs a rebuild, never a stale list. Long texts the list does not show (the
impact) are left out: with them the query took three times as long.

SQLite ran the same concatenation in the bot's own process, 2.5 ms of CPU per list; there
triggers on items and votes (migration 0011) draw a new random value for the channel on each
write the list could show, and the fingerprint is that value, one row read by its key.
"""

from __future__ import annotations

from functools import cache
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, bindparam, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.items import Status
from bot.store.models import ChannelSettingsRow, ItemRow, ListingVersionRow, VoteRow

_ITEMS = cast(Table, ItemRow.__table__)
_VOTES = cast(Table, VoteRow.__table__)
_SETTINGS = cast(Table, ChannelSettingsRow.__table__)
_VERSIONS = cast(Table, ListingVersionRow.__table__)
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
        # A channel without a version never had an item: its list is the empty one.
        fingerprint = "empty" if fingerprint is None else f"v{fingerprint}"
    return fingerprint, votes_hidden


@cache
def _statement(backend: str) -> Any:
    if backend == "postgresql":
        open_in_channel = (
            _ITEMS.c.team_id == bindparam("team_id"),
            _ITEMS.c.channel_id == bindparam("channel_id"),
            _ITEMS.c.status == bindparam("status"),
        )
        listed = [_ITEMS.c[name] for name in LISTED_COLUMNS]
        # Each item's votes through the votes index: joined as a whole, PostgreSQL's planner
        # hashed the workspace's every vote (3.3 of 4.2 ms).
        votes = (
            select(_concatenated(_record([_VOTES.c.id, _VOTES.c.user_id])))
            .where(_VOTES.c.item_id == _ITEMS.c.id)
            .correlate(_ITEMS)
            .scalar_subquery()
        )
        records = _record([*listed, votes])
        whole = select(_concatenated(records)).where(*open_in_channel)
        # Hashed where it is made: decoding the 40 KB string cost asyncpg a quarter of the
        # bot's time per list.
        digest = func.sha256(func.convert_to(
            func.coalesce(whole.scalar_subquery(), literal("")), literal("UTF8")
        ))
        fingerprint = select(func.encode(digest, literal("hex")))
    else:
        fingerprint = select(_VERSIONS.c.version).where(
            _VERSIONS.c.team_id == bindparam("team_id"),
            _VERSIONS.c.channel_id == bindparam("channel_id"),
        )
    hidden = select(_SETTINGS.c.votes_hidden).where(
        _SETTINGS.c.team_id == bindparam("team_id"),
        _SETTINGS.c.channel_id == bindparam("channel_id"),
    )
    return select(fingerprint.scalar_subquery(), hidden.scalar_subquery())


def _record(values: list[Any]) -> ColumnElement[str]:
    """The values as SQL literals (NULL as NULL), comma-separated: whatever a title holds, no
    record reads as another. Bare separators, which a title could fake, were only 20 % faster."""
    record: ColumnElement[str] = func.quote_nullable(values[0])
    for value in values[1:]:
        record = record + literal(",") + func.quote_nullable(value)
    return record


def _concatenated(records: ColumnElement[str]) -> ColumnElement[str]:
    """The records in one string, `;` between them."""
    return func.string_agg(records, literal(";"))
