"""Voting by reactions, channel roles, shared decisions, merged items, hidden tallies.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.add_column(sa.Column("merged_into", sa.String(16), nullable=True))
    with op.batch_alter_table("channel_settings") as batch:
        batch.add_column(
            sa.Column("votes_hidden", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("digest_messages") as batch:
        batch.add_column(
            sa.Column("in_thread", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    op.create_table(
        "processed_events",
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name="pk_processed_events"),
    )
    op.create_index("ix_processed_events_received_at", "processed_events", ["received_at"])
    op.create_table(
        "vote_reactions",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("message_ts", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("reaction", sa.String(100), nullable=False),
        sa.Column("present", sa.Boolean(), nullable=False),
        sa.Column("event_ts", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_vote_reactions"),
        sa.UniqueConstraint(
            "team_id", "channel_id", "message_ts", "user_id", "reaction",
            name="uq_vote_reactions_message_user_reaction",
        ),
    )
    op.create_table(
        "channel_roles",
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("assigned_by", sa.String(32), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "channel_id", "user_id", "role", name="pk_channel_roles"),
    )
    op.create_table(
        "decision_agreements",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("run_id", BigId, nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("plan_refs", sa.Text(), nullable=False),
        sa.Column("agreed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["digest_runs.id"], name="fk_decision_agreements_run_id_digest_runs",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_decision_agreements"),
        sa.UniqueConstraint("run_id", "role", name="uq_decision_agreements_run_role"),
    )
    op.create_table(
        "decisions",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("run_id", BigId, nullable=False),
        sa.Column("lead_id", sa.String(32), nullable=False),
        sa.Column("pm_id", sa.String(32), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("budget_pct", sa.Integer(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["digest_runs.id"], name="fk_decisions_run_id_digest_runs"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_decisions"),
        sa.UniqueConstraint("run_id", name="uq_decisions_run_id"),
    )
    op.create_index("ix_decisions_team_channel", "decisions", ["team_id", "channel_id"])
    op.create_table(
        "decision_items",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("decision_id", BigId, nullable=False),
        sa.Column("item_kind", sa.String(16), nullable=False),
        sa.Column("item_number", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("size_points", sa.Integer(), nullable=False),
        sa.Column("votes", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["decisions.id"], name="fk_decision_items_decision_id_decisions",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_decision_items"),
    )


def downgrade() -> None:
    op.drop_table("decision_items")
    op.drop_index("ix_decisions_team_channel", table_name="decisions")
    op.drop_table("decisions")
    op.drop_table("decision_agreements")
    op.drop_table("channel_roles")
    op.drop_table("vote_reactions")
    op.drop_index("ix_processed_events_received_at", table_name="processed_events")
    op.drop_table("processed_events")
    with op.batch_alter_table("digest_messages") as batch:
        batch.drop_column("in_thread")
    with op.batch_alter_table("channel_settings") as batch:
        batch.drop_column("votes_hidden")
    with op.batch_alter_table("items") as batch:
        batch.drop_column("merged_into")
