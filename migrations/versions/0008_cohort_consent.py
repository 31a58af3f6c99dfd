"""cohort membership needs the learner's consent

Members added before this revision joined without being asked; they are kept as accepted when they
were added, so that existing cohorts keep working. From now on a member is only invited until they
accept (decision 0020).

Revision ID: 0008_cohort_consent
Revises: 0007_email_verification
Create Date: 2026-12-04 17:25:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0008_cohort_consent'
down_revision = '0007_email_verification'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cohort_members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('accepted_at', sa.DateTime(), nullable=True))
    op.execute("UPDATE cohort_members SET accepted_at = added_at")


def downgrade():
    with op.batch_alter_table('cohort_members', schema=None) as batch_op:
        batch_op.drop_column('accepted_at')
