"""certificate validity: courses' valid_for and renews, certificates' expiry, generation, renewal link and
reminders

Existing certificates never expire (expires_at NULL) and are generation 1; existing courses have no
validity until the next `learnhub courses sync` reads valid_for from course.yaml (decision 0064). The
unique (learner, course) becomes (learner, course, generation) so that a renewal is a new certificate.

Revision ID: 0020_certificate_validity
Revises: 0019_user_administration
Create Date: 2026-12-05 17:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0020_certificate_validity'
down_revision = '0019_user_administration'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('valid_months', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('renews', sa.String(length=64), nullable=True))
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('generation', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('renews_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reminded_days', sa.Integer(), nullable=True))
        batch_op.drop_constraint('uq_certificates_learner_id_course_id', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_certificates_learner_id_course_id_generation'),
                                          ['learner_id', 'course_id', 'generation'])
        batch_op.create_foreign_key(batch_op.f('fk_certificates_renews_id_certificates'), 'certificates',
                                    ['renews_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index('ix_certificates_expires_at', ['expires_at'], unique=False)


def downgrade():
    # Renewals (generation > 1) cannot survive the old unique (learner, course): they go first.
    op.execute("UPDATE certificates SET renews_id = NULL")
    op.execute("DELETE FROM certificates WHERE generation > 1")
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index('ix_certificates_expires_at')
        batch_op.drop_constraint(batch_op.f('fk_certificates_renews_id_certificates'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_certificates_learner_id_course_id_generation'), type_='unique')
        batch_op.create_unique_constraint('uq_certificates_learner_id_course_id', ['learner_id', 'course_id'])
        batch_op.drop_column('reminded_days')
        batch_op.drop_column('renews_id')
        batch_op.drop_column('generation')
        batch_op.drop_column('expires_at')
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.drop_column('renews')
        batch_op.drop_column('valid_months')
