"""open badges: the issuer keys, and each certificate's place in the status lists

Revision ID: 0023_open_badges
Revises: 0022_recertification_campaigns
Create Date: 2026-12-06 04:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0023_open_badges'
down_revision = '0022_recertification_campaigns'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'badge_keys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kid', sa.String(length=64), nullable=False),
        sa.Column('public_jwk', sa.Text(), nullable=False),
        sa.Column('private_jwe', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('retired_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_badge_keys')),
        sa.UniqueConstraint('kid', name=op.f('uq_badge_keys_kid')),
    )
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('badge_index', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_certificates_badge_index'), ['badge_index'])


def downgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_certificates_badge_index'), type_='unique')
        batch_op.drop_column('badge_index')
    op.drop_table('badge_keys')
