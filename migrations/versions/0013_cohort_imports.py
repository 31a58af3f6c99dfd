"""cohort imports, run by a queue job in chunks

A trainer's CSV import is a row holding the checked people, imported in chunks by a consumer and resumable
after a crash (decision 0032).

Revision ID: 0013_cohort_imports
Revises: 0012_task_queue
Create Date: 2026-12-06 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0013_cohort_imports'
down_revision = '0012_task_queue'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'cohort_imports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('cohort_id', sa.Integer(), nullable=False),
        sa.Column('trainer_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('total_rows', sa.Integer(), nullable=False),
        sa.Column('done_rows', sa.Integer(), nullable=False),
        sa.Column('rows', sa.JSON(), nullable=False),
        sa.Column('invited', sa.Integer(), nullable=False),
        sa.Column('already_invited', sa.Integer(), nullable=False),
        sa.Column('already_members', sa.Integer(), nullable=False),
        sa.Column('new_accounts', sa.Integer(), nullable=False),
        sa.Column('staff', sa.Integer(), nullable=False),
        sa.Column('skipped_lines', sa.Integer(), nullable=False),
        sa.Column('error', sa.String(length=1000), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=True),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.Column('heartbeat_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_cohort_imports_cohort_id_cohorts'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['trainer_id'], ['users.id'], name=op.f('fk_cohort_imports_trainer_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_cohort_imports')),
    )
    with op.batch_alter_table('cohort_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cohort_imports_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index('ix_cohort_imports_status_heartbeat_at', ['status', 'heartbeat_at'], unique=False)


def downgrade():
    with op.batch_alter_table('cohort_imports', schema=None) as batch_op:
        batch_op.drop_index('ix_cohort_imports_status_heartbeat_at')
        batch_op.drop_index(batch_op.f('ix_cohort_imports_cohort_id'))
    op.drop_table('cohort_imports')
