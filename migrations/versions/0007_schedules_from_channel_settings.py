"""Schedules come from channel_settings alone: each process keeps its own in-memory scheduler,
so APScheduler's shared job table goes; `schedule_since` records when the current slot was set,
which is what tells a digest missed while the bot was down from one due before it existed.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("channel_settings") as batch:
        batch.add_column(sa.Column("schedule_since", sa.DateTime(timezone=True), nullable=True))
    # The best record there is of when an existing schedule was set.
    op.execute(
        "UPDATE channel_settings SET schedule_since = updated_at "
        "WHERE digest_weekday IS NOT NULL"
    )
    op.drop_index("ix_apscheduler_jobs_next_run_time", table_name="apscheduler_jobs")
    op.drop_table("apscheduler_jobs")


def downgrade() -> None:
    op.create_table(
        "apscheduler_jobs",
        sa.Column("id", sa.Unicode(191), nullable=False),
        sa.Column("next_run_time", sa.Float(25), nullable=True),
        sa.Column("job_state", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_apscheduler_jobs"),
    )
    op.create_index("ix_apscheduler_jobs_next_run_time", "apscheduler_jobs", ["next_run_time"])
    with op.batch_alter_table("channel_settings") as batch:
        batch.drop_column("schedule_since")
