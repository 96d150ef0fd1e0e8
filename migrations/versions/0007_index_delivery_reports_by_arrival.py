"""index delivery reports by arrival: every dispatcher pass looks up the last few minutes'

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25

"""
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('delivery_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delivery_reports_received_at'), ['received_at'], unique=False)


def downgrade():
    with op.batch_alter_table('delivery_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_reports_received_at'))
