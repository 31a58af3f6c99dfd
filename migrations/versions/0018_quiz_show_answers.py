"""quiz show_answers: when the answer review shows the right answers

Quizzes synced before this revision read `after_pass` (decision 0053) until the next
`learnhub courses sync` stores what course.yaml says.

Revision ID: 0018_quiz_show_answers
Revises: 0017_second_factors
Create Date: 2026-12-05 17:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0018_quiz_show_answers'
down_revision = '0017_second_factors'
branch_labels = None
depends_on = None


def upgrade():
    # NOT NULL with a default: SQLite adds the column in place (as 0016 does); existing rows read after_pass.
    with op.batch_alter_table('course_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('show_answers', sa.String(length=12), nullable=False,
                                      server_default='after_pass'))


def downgrade():
    with op.batch_alter_table('course_items', schema=None) as batch_op:
        batch_op.drop_column('show_answers')
