"""quiz regrades, run by a queue job in chunks

A regrade of a quiz with more attempts than LEARNHUB_REGRADE_INLINE_LIMIT is a row the job works through,
resumable after a crash (decision 0035).

Revision ID: 0015_quiz_regrades
Revises: 0014_export_files
Create Date: 2026-12-05 12:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0015_quiz_regrades'
down_revision = '0014_export_files'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'quiz_regrades',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('trainer_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('total_attempts', sa.Integer(), nullable=False),
        sa.Column('examined', sa.Integer(), nullable=False),
        sa.Column('last_attempt_id', sa.Integer(), nullable=False),
        sa.Column('changed', sa.Integer(), nullable=False),
        sa.Column('pass_changed', sa.Integer(), nullable=False),
        sa.Column('error', sa.String(length=1000), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=True),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.Column('heartbeat_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['item_id'], ['course_items.id'], name=op.f('fk_quiz_regrades_item_id_course_items'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['trainer_id'], ['users.id'], name=op.f('fk_quiz_regrades_trainer_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_regrades')),
    )
    with op.batch_alter_table('quiz_regrades', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quiz_regrades_item_id'), ['item_id'], unique=False)
        batch_op.create_index('ix_quiz_regrades_status_heartbeat_at', ['status', 'heartbeat_at'], unique=False)


def downgrade():
    with op.batch_alter_table('quiz_regrades', schema=None) as batch_op:
        batch_op.drop_index('ix_quiz_regrades_status_heartbeat_at')
        batch_op.drop_index(batch_op.f('ix_quiz_regrades_item_id'))
    op.drop_table('quiz_regrades')
