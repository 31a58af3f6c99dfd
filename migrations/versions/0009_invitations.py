"""cohort invitations are tracked per membership, so sending them is idempotent and resumable

Existing members were accepted by migration 0008 and owe no invitation: their new columns stay empty
(decision 0020).

Revision ID: 0009_invitations
Revises: 0008_cohort_consent
Create Date: 2026-12-04 17:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0009_invitations'
down_revision = '0008_cohort_consent'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cohort_members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invited_name', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('invitation_queued_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('invitation_sent_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('invitations_sent', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('invitation_token_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_cohort_members_invitation_token_id_password_reset_tokens'),
                                    'password_reset_tokens', ['invitation_token_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index(batch_op.f('ix_cohort_members_invitation_queued_at'), ['invitation_queued_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('cohort_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cohort_members_invitation_queued_at'))
        batch_op.drop_constraint(batch_op.f('fk_cohort_members_invitation_token_id_password_reset_tokens'),
                                 type_='foreignkey')
        batch_op.drop_column('invitation_token_id')
        batch_op.drop_column('invitations_sent')
        batch_op.drop_column('invitation_sent_at')
        batch_op.drop_column('invitation_queued_at')
        batch_op.drop_column('invited_name')
