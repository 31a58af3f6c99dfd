"""course format v1 additions: fallback orders, objectives, review date, image credits, essay rubrics

Courses synced before this revision have none of them: empty orders, objectives and credits, no review
date, no rubric. The next `learnhub courses sync` fills them from course.yaml and media/CREDITS.yaml
(decision 0039).

Revision ID: 0016_course_format_additions
Revises: 0015_quiz_regrades
Create Date: 2026-12-08 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0016_course_format_additions'
down_revision = '0015_quiz_regrades'
branch_labels = None
depends_on = None

COURSE_COLUMNS = ('fallback', 'objectives', 'credits')


def upgrade():
    # NOT NULL with a default: SQLite adds such a column in place, without copying the table (which its
    # foreign keys would refuse); existing rows read as empty.
    with op.batch_alter_table('courses', schema=None) as batch_op:
        for name in COURSE_COLUMNS:
            batch_op.add_column(sa.Column(name, sa.JSON(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('reviewed', sa.Date(), nullable=True))
    with op.batch_alter_table('course_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rubrics', sa.JSON(), nullable=False, server_default='{}'))


def downgrade():
    with op.batch_alter_table('course_items', schema=None) as batch_op:
        batch_op.drop_column('rubrics')
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.drop_column('reviewed')
        for name in reversed(COURSE_COLUMNS):
            batch_op.drop_column(name)
