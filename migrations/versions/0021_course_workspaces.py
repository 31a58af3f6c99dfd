"""course workspaces: courses authored in the browser, every file saved as a version

Workspaces, their members and their file versions live in the database, shared by every app instance
(issue 16, decision 0067).

Revision ID: 0021_course_workspaces
Revises: 0020_certificate_validity
Create Date: 2026-12-05 17:15:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0021_course_workspaces'
down_revision = '0020_certificate_validity'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'course_workspaces',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.String(length=64), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_course_workspaces_created_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_course_workspaces')),
        sa.UniqueConstraint('course_id', name=op.f('uq_course_workspaces_course_id')),
    )
    op.create_table(
        'workspace_members',
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('added_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['workspace_id'], ['course_workspaces.id'],
                                name=op.f('fk_workspace_members_workspace_id_course_workspaces'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_workspace_members_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('workspace_id', 'user_id', name=op.f('pk_workspace_members')),
    )
    with op.batch_alter_table('workspace_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workspace_members_user_id'), ['user_id'], unique=False)
    op.create_table(
        'workspace_file_versions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.Column('path', sa.String(length=255), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('saved_by_id', sa.Integer(), nullable=True),
        sa.Column('saved_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['workspace_id'], ['course_workspaces.id'],
                                name=op.f('fk_workspace_file_versions_workspace_id_course_workspaces'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['saved_by_id'], ['users.id'],
                                name=op.f('fk_workspace_file_versions_saved_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_workspace_file_versions')),
    )
    with op.batch_alter_table('workspace_file_versions', schema=None) as batch_op:
        batch_op.create_index('ix_workspace_file_versions_workspace_id_path_id', ['workspace_id', 'path', 'id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('workspace_file_versions', schema=None) as batch_op:
        batch_op.drop_index('ix_workspace_file_versions_workspace_id_path_id')
    op.drop_table('workspace_file_versions')
    with op.batch_alter_table('workspace_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workspace_members_user_id'))
    op.drop_table('workspace_members')
    op.drop_table('course_workspaces')
