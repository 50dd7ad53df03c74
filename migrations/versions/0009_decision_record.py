"""The decision record: a number per channel, the rationale and who wrote it, the thread post
that shows them, and the alternatives that were weighed and not picked; reminders to sign,
each claimed once in `digest_reminders` so that two processes never both send it.

Revision ID: 0009_decision_record
Revises: 0008_tracker_connections
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_decision_record"
down_revision: str | None = "0008_tracker_connections"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # Plain ADD COLUMN, never a batch rebuild: on SQLite rebuilding `decisions` drops the old
    # table, and its ON DELETE CASCADE would take every decision's items with it.
    op.add_column("decisions", sa.Column(
        "number", sa.Integer(), nullable=False, server_default=sa.text("0")
    ))
    op.add_column("decisions", sa.Column("rationale", sa.Text(), nullable=True))
    op.add_column("decisions", sa.Column("rationale_by", sa.String(32), nullable=True))
    op.add_column("decisions", sa.Column("rationale_at", sa.DateTime(timezone=True),
                                         nullable=True))
    op.add_column("decisions", sa.Column("post_ts", sa.String(32), nullable=True))
    # Existing decisions are numbered in the order they were made, per channel.
    op.execute(
        "UPDATE decisions SET number = (SELECT COUNT(*) FROM decisions AS earlier "
        "WHERE earlier.team_id = decisions.team_id "
        "AND earlier.channel_id = decisions.channel_id AND earlier.id <= decisions.id)"
    )
    op.create_index(
        "uq_decisions_channel_number", "decisions", ["team_id", "channel_id", "number"],
        unique=True,
    )
    op.create_table(
        "decision_alternatives",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("decision_id", BigId, nullable=False),
        sa.Column("item_kind", sa.String(16), nullable=False),
        sa.Column("item_number", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["decisions.id"],
            name="fk_decision_alternatives_decision_id_decisions", ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_decision_alternatives"),
    )
    op.create_index(
        "ix_decision_alternatives_decision_id", "decision_alternatives", ["decision_id"]
    )


    # Reminders: 0 is off; every existing channel gets the default.
    with op.batch_alter_table("channel_settings") as batch:
        batch.add_column(sa.Column(
            "remind_hours", sa.Integer(), nullable=False, server_default=sa.text("48")
        ))
        batch.add_column(sa.Column("voters", sa.String(120), nullable=True))
        batch.add_column(sa.Column("voting_hours", sa.Integer(), nullable=True))
        batch.add_column(sa.Column(
            "canvas_on", sa.Boolean(), nullable=False, server_default=sa.false()
        ))
        batch.add_column(sa.Column("canvas_id", sa.String(32), nullable=True))
    op.create_table(
        "digest_reminders",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("run_id", BigId, nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(64), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"], ["digest_runs.id"], name="fk_digest_reminders_run_id_digest_runs",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_digest_reminders"),
        sa.UniqueConstraint("run_id", "user_id", "round", name="uq_digest_reminders_run_id"),
    )


def downgrade() -> None:
    op.drop_table("digest_reminders")
    with op.batch_alter_table("channel_settings") as batch:
        batch.drop_column("canvas_id")
        batch.drop_column("canvas_on")
        batch.drop_column("voting_hours")
        batch.drop_column("voters")
        batch.drop_column("remind_hours")
    op.drop_index("ix_decision_alternatives_decision_id", table_name="decision_alternatives")
    op.drop_table("decision_alternatives")
    op.drop_index("uq_decisions_channel_number", table_name="decisions")
    for column in ("post_ts", "rationale_at", "rationale_by", "rationale", "number"):
        op.drop_column("decisions", column)
