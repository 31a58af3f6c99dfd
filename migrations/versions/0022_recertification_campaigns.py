"""recertification campaigns: a course, a due date and a population (cohorts, or an admin's filter)

Who is in a campaign is resolved when asked (services/campaigns.py), so there is no row per person (issue 19,
decision 0071).

Revision ID: 0022_recertification_campaigns
Revises: 0021_course_workspaces
Create Date: 2026-12-06 02:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0022_recertification_campaigns'
down_revision = '0021_course_workspaces'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'campaigns',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.String(length=64), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=True),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('due_at', sa.DateTime(), nullable=False),
        sa.Column('started_by_id', sa.Integer(), nullable=True),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.Column('population', sa.String(length=16), nullable=False),
        sa.Column('country', sa.String(length=2), nullable=True),
        sa.Column('sector', sa.String(length=64), nullable=True),
        sa.Column('organisation_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_campaigns_course_id_courses')),
        sa.ForeignKeyConstraint(['started_by_id'], ['users.id'], name=op.f('fk_campaigns_started_by_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                                name=op.f('fk_campaigns_organisation_id_organisations'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_campaigns')),
    )
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaigns_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_campaigns_started_by_id'), ['started_by_id'], unique=False)
        batch_op.create_index('ix_campaigns_state_due_on', ['state', 'due_on'], unique=False)
    op.create_table(
        'campaign_cohorts',
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('cohort_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'],
                                name=op.f('fk_campaign_cohorts_campaign_id_campaigns'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_campaign_cohorts_cohort_id_cohorts'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('campaign_id', 'cohort_id', name=op.f('pk_campaign_cohorts')),
    )
    with op.batch_alter_table('campaign_cohorts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_cohorts_cohort_id'), ['cohort_id'], unique=False)


def downgrade():
    with op.batch_alter_table('campaign_cohorts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_cohorts_cohort_id'))
    op.drop_table('campaign_cohorts')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_index('ix_campaigns_state_due_on')
        batch_op.drop_index(batch_op.f('ix_campaigns_started_by_id'))
        batch_op.drop_index(batch_op.f('ix_campaigns_course_id'))
    op.drop_table('campaigns')
