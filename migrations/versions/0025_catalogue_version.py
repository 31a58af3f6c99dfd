"""catalogue version: one row whose random token changes with any change to any course

Read with the session user on every logged-in request, so a worker can keep course rows between requests and
still see a sync or publication made on any instance at the next request (issue 14, decision 0084).

Revision ID: 0025_catalogue_version
Revises: 0024_workspace_publishing
Create Date: 2026-12-06 21:40:00

"""
import secrets

from alembic import op
import sqlalchemy as sa


revision = '0025_catalogue_version'
down_revision = '0024_workspace_publishing'
branch_labels = None
depends_on = None


def upgrade():
    state = op.create_table(
        'catalogue_state',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_state')),
    )
    op.bulk_insert(state, [{'id': 1, 'version': secrets.token_hex(16)}])


def downgrade():
    op.drop_table('catalogue_state')
