"""The tracker bridge: channels connected to GitHub or Jira, items linked to issues, the
write-back outbox and the webhook deliveries already taken.

Credentials and webhook secrets are stored only as Fernet tokens (TRADEOFF_SECRET_KEY).
`item_links` is unique per (connection, ref), so a duplicate import or webhook delivery can
never link an issue twice; `tracker_writebacks` is unique per (decision, link), so a decision
owes each issue one label and one comment.

Revision ID: 0008_tracker_connections
Revises: 0007
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_tracker_connections"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.add_column(sa.Column("tracker_ref", sa.String(200), nullable=True))
    op.create_table(
        "tracker_connections",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("project", sa.String(64), nullable=True),
        sa.Column("credentials", sa.Text(), nullable=False),
        sa.Column("webhook_secret", sa.Text(), nullable=True),
        sa.Column("debt_labels", sa.Text(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("paused_reason", sa.Text(), nullable=True),
        sa.Column("last_sync_at", _WHEN, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("poll_cursor", _WHEN, nullable=True),
        sa.Column("poll_lease_until", _WHEN, nullable=True),
        sa.Column("created_by", sa.String(32), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tracker_connections"),
        sa.UniqueConstraint(
            "team_id", "channel_id", "kind", name="uq_tracker_connections_channel"
        ),
    )
    op.create_table(
        "item_links",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("connection_id", _ID, nullable=False),
        sa.Column("item_id", _ID, nullable=False),
        sa.Column("ref", sa.String(200), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("seen_updated_at", _WHEN, nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_item_links"),
        sa.ForeignKeyConstraint(
            ["connection_id"], ["tracker_connections.id"],
            name="fk_item_links_connection_id_tracker_connections", ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name="fk_item_links_item_id_items", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("connection_id", "ref", name="uq_item_links_connection_ref"),
        sa.UniqueConstraint("item_id", name="uq_item_links_item_id"),
    )
    op.create_table(
        "tracker_writebacks",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("decision_id", _ID, nullable=False),
        sa.Column("item_link_id", _ID, nullable=False),
        sa.Column("done", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("lease_until", _WHEN, nullable=True),
        sa.Column("next_attempt_at", _WHEN, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("done_at", _WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_tracker_writebacks"),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["decisions.id"],
            name="fk_tracker_writebacks_decision_id_decisions", ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_link_id"], ["item_links.id"],
            name="fk_tracker_writebacks_item_link_id_item_links", ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "decision_id", "item_link_id", name="uq_tracker_writebacks_decision"
        ),
    )
    op.create_index(
        "ix_tracker_writebacks_item_link_id", "tracker_writebacks", ["item_link_id"]
    )
    op.create_table(
        "tracker_deliveries",
        sa.Column("delivery_id", sa.String(64), nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("received_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("delivery_id", name="pk_tracker_deliveries"),
    )
    op.create_index(
        "ix_tracker_deliveries_received_at", "tracker_deliveries", ["received_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_tracker_deliveries_received_at", table_name="tracker_deliveries")
    op.drop_table("tracker_deliveries")
    op.drop_index("ix_tracker_writebacks_item_link_id", table_name="tracker_writebacks")
    op.drop_table("tracker_writebacks")
    op.drop_table("item_links")
    op.drop_table("tracker_connections")
    with op.batch_alter_table("items") as batch:
        batch.drop_column("tracker_ref")
