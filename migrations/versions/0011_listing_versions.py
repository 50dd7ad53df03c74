"""listing_versions: on SQLite, a value per channel that changes with what its list shows.

SQLite computed a channel's list fingerprint by concatenating its open items and votes on
every `/tradeoff list` (2.5 ms of the bot's CPU for 300 items, in process); triggers now draw
a new random value for the channel on each write the list could show, and a list reads that
one row. PostgreSQL gets the table (the models are the same on both) but no triggers: it
hashes the contents in its own process, and concurrent voters would queue on the row.

Revision ID: 0011_listing_versions
Revises: 0010_org_installs_catch_up
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_listing_versions"
down_revision: str | None = "0010_org_installs_catch_up"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What the list shows of an item (LISTED_COLUMNS when this was written), and what moves it in
# or out of a channel's list. tests/integration/test_listing_versions.py holds the trigger to
# LISTED_COLUMNS as it is now.
_WATCHED = (
    "id", "kind", "number", "title", "size", "urgency", "severity", "affected_per_week",
    "tracker_ref", "link", "status", "team_id", "channel_id",
)


# Both builders take only the trigger's own OLD / NEW column names, never a value.
def _bump(team: str, channel: str) -> str:
    return (
        "INSERT INTO listing_versions (team_id, channel_id, version) "  # noqa: S608
        f"VALUES ({team}, {channel}, random()) "
        "ON CONFLICT (team_id, channel_id) DO UPDATE SET version = excluded.version;"
    )


def _bump_for_item(item_id: str) -> str:
    # The WHERE is needed: without it SQLite would read ON CONFLICT as part of a join.
    return (
        "INSERT INTO listing_versions (team_id, channel_id, version) "  # noqa: S608
        f"SELECT team_id, channel_id, random() FROM items WHERE id = {item_id} "
        "ON CONFLICT (team_id, channel_id) DO UPDATE SET version = excluded.version;"
    )


_CHANGED = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in _WATCHED)
_NEW_ITEM = _bump("NEW.team_id", "NEW.channel_id")
_OLD_ITEM = _bump("OLD.team_id", "OLD.channel_id")
_TRIGGERS = {
    "listing_version_item_added": f"AFTER INSERT ON items BEGIN {_NEW_ITEM} END",
    "listing_version_item_changed": (
        f"AFTER UPDATE ON items WHEN {_CHANGED} BEGIN {_OLD_ITEM} {_NEW_ITEM} END"
    ),
    "listing_version_item_deleted": f"AFTER DELETE ON items BEGIN {_OLD_ITEM} END",
    "listing_version_vote_added": (
        f"AFTER INSERT ON votes BEGIN {_bump_for_item('NEW.item_id')} END"
    ),
    "listing_version_vote_changed": (
        "AFTER UPDATE ON votes WHEN OLD.item_id IS NOT NEW.item_id"
        " OR OLD.user_id IS NOT NEW.user_id OR OLD.id IS NOT NEW.id"
        f" BEGIN {_bump_for_item('OLD.item_id')} {_bump_for_item('NEW.item_id')} END"
    ),
    "listing_version_vote_deleted": (
        f"AFTER DELETE ON votes BEGIN {_bump_for_item('OLD.item_id')} END"
    ),
}


def upgrade() -> None:
    op.create_table(
        "listing_versions",
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "channel_id", name="pk_listing_versions"),
    )
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        "INSERT INTO listing_versions (team_id, channel_id, version) "
        "SELECT team_id, channel_id, random() FROM items GROUP BY team_id, channel_id"
    )
    for name, body in _TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in _TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("listing_versions")
