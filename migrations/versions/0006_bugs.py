"""Bugs, a third kind of item: their severity and how many users they affect per week.

Kinds are stored as plain strings with no CHECK constraint, and ids are counted per workspace
and kind in `item_counters`, so the new kind `bug` and its `B-<n>` ids need no change there.
Existing rows keep their meaning: the new columns start empty, and no debt or feature row has
a severity or an affected-users figure.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.add_column(sa.Column("severity", sa.String(16), nullable=True))
        batch.add_column(sa.Column("affected_per_week", sa.Float(), nullable=True))


def downgrade() -> None:
    # Bug rows are left in place: deleting someone's items is not a schema change to make
    # silently. Code from before 0006 does not know them, so downgrade only after closing them.
    with op.batch_alter_table("items") as batch:
        batch.drop_column("affected_per_week")
        batch.drop_column("severity")
