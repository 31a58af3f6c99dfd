"""coverage reports count verified learners who did a learning step

No schema change: the rollup is recounted from the facts, because the learners it counts changed
(issue 11, docs/coverage.md): trainees and trainers with a verified e-mail address and at least one
learning step. Before this revision it counted every trainee and trainer account.

Revision ID: 0011_report_population
Revises: 0010_login_throttling
Create Date: 2026-12-04 17:40:00

"""
from alembic import op


revision = '0011_report_population'
down_revision = '0010_login_throttling'
branch_labels = None
depends_on = None


def upgrade():
    from learnhub.reports import aggregate

    aggregate.rebuild(op.get_bind())


def downgrade():
    # The earlier code reads the rollup as it counted it: every trainee and trainer account. After a
    # downgrade run `learnhub report rebuild` with that code; nothing is lost either way (counts only).
    pass
