"""outgoing mail and failed jobs, for the task queue

Every e-mail is a row that a queue consumer delivers with retries; jobs that fail for good are recorded
for admins (decision 0031).

Revision ID: 0012_task_queue
Revises: 0011_report_population
Create Date: 2026-12-05 07:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0012_task_queue'
down_revision = '0011_report_population'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'outbound_mails',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('recipient', sa.String(length=254), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.String(length=500), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('attempted_at', sa.DateTime(), nullable=True),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outbound_mails')),
    )
    with op.batch_alter_table('outbound_mails', schema=None) as batch_op:
        batch_op.create_index('ix_outbound_mails_status_created_at', ['status', 'created_at'], unique=False)
    op.create_table(
        'failed_jobs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('task', sa.String(length=100), nullable=False),
        sa.Column('arguments', sa.JSON(), nullable=False),
        sa.Column('error', sa.String(length=1000), nullable=False),
        sa.Column('failed_at', sa.DateTime(), nullable=False),
        sa.Column('resolved_at', sa.DateTime(), nullable=True),
        sa.Column('resolution', sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_failed_jobs')),
    )
    with op.batch_alter_table('failed_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_failed_jobs_failed_at'), ['failed_at'], unique=False)


def downgrade():
    with op.batch_alter_table('failed_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_failed_jobs_failed_at'))
    op.drop_table('failed_jobs')
    with op.batch_alter_table('outbound_mails', schema=None) as batch_op:
        batch_op.drop_index('ix_outbound_mails_status_created_at')
    op.drop_table('outbound_mails')
