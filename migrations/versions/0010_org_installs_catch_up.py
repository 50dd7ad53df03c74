"""The catch-up budget: `catch_up_cycles` on channel_settings, NULL while it is off.

Revision ID: 0010_org_installs_catch_up
Revises: 0009_decision_record
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_org_installs_catch_up"
down_revision: str | None = "0009_decision_record"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("channel_settings") as batch:
        batch.add_column(sa.Column("catch_up_cycles", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("channel_settings") as batch:
        batch.drop_column("catch_up_cycles")
