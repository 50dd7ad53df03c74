"""Every change to an item, kept as an audit trail; the confidence of a size estimate; an
index for reading decisions' items (every digest reads the last four decisions).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.add_column(sa.Column("size_confidence", sa.String(8), nullable=True))
    op.create_table(
        "item_changes",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("item_kind", sa.String(16), nullable=False),
        sa.Column("item_number", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(32), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("changed_by", sa.String(32), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_item_changes"),
    )
    op.create_index(
        "ix_item_changes_item", "item_changes", ["team_id", "item_kind", "item_number"]
    )
    op.create_index("ix_decision_items_decision_id", "decision_items", ["decision_id"])


def downgrade() -> None:
    op.drop_index("ix_decision_items_decision_id", table_name="decision_items")
    op.drop_index("ix_item_changes_item", table_name="item_changes")
    op.drop_table("item_changes")
    with op.batch_alter_table("items") as batch:
        batch.drop_column("size_confidence")
