"""export files prepared on the queue

Exports above LEARNHUB_EXPORT_INLINE_LIMIT are built by a job into a row holding the file, served to its
owner from "Your downloads" until it expires (decision 0034).

Revision ID: 0014_export_files
Revises: 0013_cohort_imports
Create Date: 2026-12-06 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0014_export_files'
down_revision = '0013_cohort_imports'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'export_files',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('parameters', sa.JSON(), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('mimetype', sa.String(length=100), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('ready_at', sa.DateTime(), nullable=True),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_export_files_owner_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_export_files')),
    )
    with op.batch_alter_table('export_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_export_files_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index('ix_export_files_owner_id_created_at', ['owner_id', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('export_files', schema=None) as batch_op:
        batch_op.drop_index('ix_export_files_owner_id_created_at')
        batch_op.drop_index(batch_op.f('ix_export_files_expires_at'))
    op.drop_table('export_files')
