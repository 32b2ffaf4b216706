"""Indexes for the duplicate checks: a business key among transactions, a sender's control number among interchanges.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_transactions_posting_key"), ["posting_key"], unique=False)
    with op.batch_alter_table("interchanges", schema=None) as batch_op:
        batch_op.drop_index("ix_interchange_sender_control")
        batch_op.create_index("ix_interchange_sender_control", ["direction", "sender", "control_number"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("interchanges", schema=None) as batch_op:
        batch_op.drop_index("ix_interchange_sender_control")
        batch_op.create_index("ix_interchange_sender_control", ["standard", "sender", "control_number"], unique=False)
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transactions_posting_key"))
