"""coverage reports count verified learners who did a learning step

No schema change: the rollup is recounted from the facts, because the learners it counts changed
(issue 11, docs/coverage.md): trainees and trainers with a verified e-mail address and at least one
learning step. Before this revision it counted every trainee and trainer account.

The recount is this revision's own SQL (one INSERT ... SELECT per report cut, on SQLite and PostgreSQL),
over the tables as they are at this revision: it writes what `learnhub report rebuild` wrote at this
revision, and no later change to the application code can change or break it (issue 12).

Revision ID: 0011_report_population
Revises: 0010_login_throttling
Create Date: 2026-12-04 17:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0011_report_population'
down_revision = '0010_login_throttling'
branch_labels = None
depends_on = None

# As at this revision (learnhub.reports.rollup): who is counted, and the cuts of a report.
LEARNER_ROLES = ('trainee', 'trainer')
PROFILE_CUTS = ('sector', 'organisation_type', 'ecsf_role', 'gender')
POPULATION_YEAR = 0

users = sa.table('users', sa.column('id'), sa.column('role'), sa.column('country'),
                 sa.column('email_verified_at'), *(sa.column(cut) for cut in PROFILE_CUTS))
courses = sa.table('courses', sa.column('id'), sa.column('kind'))
enrolments = sa.table('enrolments', sa.column('learner_id'), sa.column('course_id'), sa.column('enrolled_at'),
                      sa.column('completed_at'))
certificates = sa.table('certificates', sa.column('learner_id'), sa.column('course_id'), sa.column('issued_at'),
                        sa.column('revoked_at'))
activity = sa.table('learner_activity', sa.column('learner_id'), sa.column('course_id'), sa.column('year'),
                    sa.column('month'))
coverage = sa.table('coverage_counts', sa.column('country'), sa.column('year'), sa.column('cut'),
                    sa.column('key'), sa.column('metric'), sa.column('learners'))
COLUMNS = ['country', 'year', 'cut', 'key', 'metric', 'learners']


def _text(value):
    """An SQL string constant, written into the statement (not a parameter, so GROUP BY matches it)."""
    return sa.literal_column("'" + value + "'", sa.String)


def _facts():
    """(learner_id, course_id, year, month, metric) for every fact a metric counts."""
    def dated(metric, table, at, *where):
        return sa.select(table.c.learner_id, table.c.course_id,
                         sa.cast(sa.extract('year', at), sa.Integer).label('year'),
                         sa.cast(sa.extract('month', at), sa.Integer).label('month'),
                         _text(metric).label('metric')).where(*where)

    return sa.union_all(
        dated('enrolled', enrolments, enrolments.c.enrolled_at),
        dated('completed', enrolments, enrolments.c.completed_at, enrolments.c.completed_at.is_not(None)),
        dated('certified', certificates, certificates.c.issued_at, certificates.c.revoked_at.is_(None)),
        sa.select(activity.c.learner_id, activity.c.course_id, sa.cast(activity.c.year, sa.Integer),
                  sa.cast(activity.c.month, sa.Integer), _text('active')),
    ).subquery('facts')


def _grouped(cut, key):
    """The key among the GROUP BY columns, unless it is the constant of the total (PostgreSQL refuses those)."""
    return [] if cut == 'total' else [key]


def upgrade():
    counted = [users.c.role.in_([_text(role) for role in LEARNER_ROLES]), users.c.email_verified_at.is_not(None),
               sa.exists().where(activity.c.learner_id == users.c.id)]
    profile = {'total': _text('')}
    profile.update({cut: sa.func.coalesce(users.c[cut], _text('')) for cut in PROFILE_CUTS})
    op.execute(coverage.delete())

    facts = _facts()
    two_digits = sa.case((facts.c.month < sa.literal_column('10'), _text('0')), else_=_text(''))
    month = sa.cast(facts.c.year, sa.String).concat(_text('-')).concat(two_digits).concat(
        sa.cast(facts.c.month, sa.String))
    groups = dict(profile, course=facts.c.course_id, course_kind=sa.func.coalesce(courses.c.kind, _text('')),
                  month=month)
    for cut, key in groups.items():
        joined = facts.join(users, users.c.id == facts.c.learner_id)
        if cut == 'course_kind':
            joined = joined.outerjoin(courses, courses.c.id == facts.c.course_id)
        query = sa.select(users.c.country, facts.c.year, _text(cut), key, facts.c.metric,
                          sa.func.count(facts.c.learner_id.distinct())).select_from(joined).where(*counted).group_by(
            users.c.country, facts.c.year, *_grouped(cut, key), facts.c.metric)
        op.execute(coverage.insert().from_select(COLUMNS, query))

    for cut, key in profile.items():
        query = sa.select(users.c.country, sa.literal_column(str(POPULATION_YEAR), sa.Integer), _text(cut), key,
                          _text('population'), sa.func.count(users.c.id)).where(*counted).group_by(
            users.c.country, *_grouped(cut, key))
        op.execute(coverage.insert().from_select(COLUMNS, query))


def downgrade():
    # The earlier code reads the rollup as it counted it: every trainee and trainer account. After a
    # downgrade run `learnhub report rebuild` with that code; nothing is lost either way (counts only).
    pass
