"""throttle events in the database

Login, registration and password-reset limits are counted in this table, so they hold across
gunicorn workers and app instances on one database, SQLite or PostgreSQL (decision 0023).

Revision ID: 0010_login_throttling
Revises: 0009_invitations
Create Date: 2026-12-04 17:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0010_login_throttling'
down_revision = '0009_invitations'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'throttle_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('scope', sa.String(length=32), nullable=False),
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_throttle_events')),
    )
    with op.batch_alter_table('throttle_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_throttle_events_at'), ['at'], unique=False)
        batch_op.create_index('ix_throttle_events_scope_key_at', ['scope', 'key_hash', 'at'], unique=False)


def downgrade():
    with op.batch_alter_table('throttle_events', schema=None) as batch_op:
        batch_op.drop_index('ix_throttle_events_scope_key_at')
        batch_op.drop_index(batch_op.f('ix_throttle_events_at'))
    op.drop_table('throttle_events')
