"""verified e-mail addresses

Accounts that exist before this revision were created by an operator, a demo or an invitation, or
registered before verification existed: they are taken as verified at their creation, so upgraded
databases report what they reported before (decision 0019).

Revision ID: 0007_email_verification
Revises: 0006_coverage_rollups
Create Date: 2026-12-04 17:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0007_email_verification'
down_revision = '0006_coverage_rollups'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_verified_at', sa.DateTime(), nullable=True))
    op.execute("UPDATE users SET email_verified_at = created_at")


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('email_verified_at')
