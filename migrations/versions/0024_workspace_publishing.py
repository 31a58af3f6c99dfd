"""workspace publishing: review steps, publications and the file versions each was made of

A course workspace goes draft -> submitted -> approved -> published; each step is kept with who did it and
their comment, and each publication with the course revision it stored and its file versions (issue 16,
decision 0074).

Revision ID: 0024_workspace_publishing
Revises: 0023_open_badges
Create Date: 2026-12-06 04:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0024_workspace_publishing'
down_revision = '0023_open_badges'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'workspace_publications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.String(length=64), nullable=False),
        sa.Column('revision', sa.String(length=64), nullable=False),
        sa.Column('published_by_id', sa.Integer(), nullable=True),
        sa.Column('published_at', sa.DateTime(), nullable=False),
        sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['workspace_id'], ['course_workspaces.id'],
                                name=op.f('fk_workspace_publications_workspace_id_course_workspaces'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['published_by_id'], ['users.id'],
                                name=op.f('fk_workspace_publications_published_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_workspace_publications')),
    )
    with op.batch_alter_table('workspace_publications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workspace_publications_workspace_id'), ['workspace_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_workspace_publications_course_id'), ['course_id'], unique=False)
    op.create_table(
        'workspace_steps',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=24), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('comment', sa.String(length=2000), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('publication_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['workspace_id'], ['course_workspaces.id'],
                                name=op.f('fk_workspace_steps_workspace_id_course_workspaces'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_workspace_steps_actor_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['publication_id'], ['workspace_publications.id'],
                                name=op.f('fk_workspace_steps_publication_id_workspace_publications'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_workspace_steps')),
    )
    with op.batch_alter_table('workspace_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workspace_steps_workspace_id'), ['workspace_id'], unique=False)
    op.create_table(
        'workspace_published_files',
        sa.Column('publication_id', sa.Integer(), nullable=False),
        sa.Column('version_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['publication_id'], ['workspace_publications.id'],
                                name=op.f('fk_workspace_published_files_publication_id_workspace_publications'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['version_id'], ['workspace_file_versions.id'],
                                name=op.f('fk_workspace_published_files_version_id_workspace_file_versions'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('publication_id', 'version_id', name=op.f('pk_workspace_published_files')),
    )
    with op.batch_alter_table('workspace_published_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workspace_published_files_version_id'), ['version_id'], unique=False)


def downgrade():
    with op.batch_alter_table('workspace_published_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workspace_published_files_version_id'))
    op.drop_table('workspace_published_files')
    with op.batch_alter_table('workspace_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workspace_steps_workspace_id'))
    op.drop_table('workspace_steps')
    with op.batch_alter_table('workspace_publications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workspace_publications_course_id'))
        batch_op.drop_index(batch_op.f('ix_workspace_publications_workspace_id'))
    op.drop_table('workspace_publications')
