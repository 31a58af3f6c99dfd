"""user administration: a folded name to sort by, search words, the subject of audit events, deletion
requests and erased accounts, certificates whose holder was removed, the privacy notice and terms pages,
organisations as records (every existing spelling becomes an unlisted record, linked to its people)

Every existing account gets its folded name and search words here, in batches, computed by this file's own
copy of the folding rule (as learnhub.text has it at this revision), so the admin list finds and sorts the
accounts that were there before (decision 0056).

Revision ID: 0019_user_administration
Revises: 0018_quiz_show_answers
Create Date: 2026-12-05 16:40:00

"""
import re
import unicodedata
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


revision = '0019_user_administration'
down_revision = '0018_quiz_show_answers'
branch_labels = None
depends_on = None

BATCH = 5000
_WORD = re.compile(r"\w+")
USER_INDEXES = (('ix_users_name_key', ['name_key', 'id']), ('ix_users_role_name_key', ['role', 'name_key', 'id']),
                ('ix_users_country_name_key', ['country', 'name_key', 'id']),
                ('ix_users_active_name_key', ['active', 'name_key', 'id']))


def _fold(text):
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _words(*texts):
    words = set()
    for text in texts:
        folded = _fold(text)
        words.update(_WORD.findall(folded))
        if "@" in folded:
            words.add(folded.strip())
    return {word[:64] for word in words if word.strip()}


def upgrade():
    # NOT NULL with a default: SQLite adds the column in place, without copying the table.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', sa.String(length=120), server_default='', nullable=False))
        batch_op.add_column(sa.Column('deletion_requested_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_users_deletion_requested_at'), ['deletion_requested_at'], unique=False)
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('holder_removed_at', sa.DateTime(), nullable=True))
    word_type = sa.String(length=64).with_variant(sa.String(length=64, collation='C'), 'postgresql')
    op.create_table(
        'user_search_words',
        sa.Column('word', word_type, nullable=False),
        sa.Column('name_key', sa.String(length=120), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_search_words_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('word', 'name_key', 'user_id', name=op.f('pk_user_search_words')),
    )
    op.create_index('ix_user_search_words_user_id_word', 'user_search_words', ['user_id', 'word'], unique=False)
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_audit_events_subject_id'), ['subject_id'], unique=False)

    op.create_table(
        'site_pages',
        sa.Column('key', sa.String(length=16), nullable=False),
        sa.Column('language', sa.String(length=5), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('updated_by', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_site_pages_updated_by_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('key', 'language', name=op.f('pk_site_pages')),
    )

    op.create_table(
        'organisations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('name_key', sa.String(length=200), nullable=False),
        sa.Column('type', sa.String(length=32), nullable=False),
        sa.Column('country', sa.String(length=2), nullable=False),
        sa.Column('sector', sa.String(length=64), nullable=False),
        sa.Column('listed', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations')),
        sa.UniqueConstraint('country', 'name_key', name=op.f('uq_organisations_country_name_key')),
    )
    # No foreign key: SQLite can add one only by copying users, which the tables that refer to it refuse; the
    # organisations service is the only writer, and a merge moves people before a record goes (decision 0058).
    op.add_column('users', sa.Column('organisation_id', sa.Integer(), nullable=True))
    op.create_index(op.f('ix_users_organisation_id'), 'users', ['organisation_id'], unique=False)

    connection = op.get_bind()
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('name', sa.String),
                     sa.column('email', sa.String), sa.column('organisation', sa.String),
                     sa.column('name_key', sa.String), sa.column('country', sa.String),
                     sa.column('organisation_type', sa.String), sa.column('sector', sa.String),
                     sa.column('organisation_id', sa.Integer))
    organisations = sa.table('organisations', sa.column('id', sa.Integer), sa.column('name', sa.String),
                             sa.column('name_key', sa.String), sa.column('type', sa.String),
                             sa.column('country', sa.String), sa.column('sector', sa.String),
                             sa.column('listed', sa.Boolean), sa.column('created_at', sa.DateTime))
    records = {}
    words = sa.table('user_search_words', sa.column('word', sa.String), sa.column('name_key', sa.String),
                     sa.column('user_id', sa.Integer))
    last = 0
    while True:
        rows = connection.execute(sa.select(users.c.id, users.c.name, users.c.email, users.c.organisation,
                                            users.c.country, users.c.organisation_type, users.c.sector)
                                  .where(users.c.id > last).order_by(users.c.id).limit(BATCH)).all()
        if not rows:
            break
        keys = {row.id: " ".join(_fold(row.name).split())[:120] for row in rows}
        connection.execute(users.update().where(users.c.id == sa.bindparam('user_id'))
                           .values(name_key=sa.bindparam('key')),
                           [{'user_id': user_id, 'key': key} for user_id, key in keys.items()])
        found = [{'word': word, 'name_key': keys[row.id], 'user_id': row.id} for row in rows
                 for word in _words(row.name, row.email, row.organisation)]
        if found:
            connection.execute(words.insert(), found)
        links = []
        for row in rows:
            key = " ".join(_fold(row.organisation).split())[:200]
            if not key:
                continue
            if (row.country, key) not in records:
                records[(row.country, key)] = connection.execute(organisations.insert().values(
                    name=row.organisation.strip()[:200], name_key=key, type=row.organisation_type,
                    country=row.country, sector=row.sector, listed=False,
                    created_at=datetime.now(timezone.utc).replace(tzinfo=None))
                    .returning(organisations.c.id)).scalar_one()
            links.append({'user_id': row.id, 'record': records[(row.country, key)]})
        if links:
            connection.execute(users.update().where(users.c.id == sa.bindparam('user_id'))
                               .values(organisation_id=sa.bindparam('record')), links)
        last = rows[-1].id
    for name, columns in USER_INDEXES:
        op.create_index(name, 'users', columns, unique=False)


def downgrade():
    op.drop_index(op.f('ix_users_organisation_id'), table_name='users')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('organisation_id')
    op.drop_table('organisations')
    op.drop_table('site_pages')
    for name, _columns in reversed(USER_INDEXES):
        op.drop_index(name, table_name='users')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_subject_id'))
        batch_op.drop_column('subject_id')
    op.drop_index('ix_user_search_words_user_id_word', table_name='user_search_words')
    op.drop_table('user_search_words')
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_column('holder_removed_at')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_deletion_requested_at'))
        batch_op.drop_column('erased_at')
        batch_op.drop_column('deletion_requested_at')
        batch_op.drop_column('name_key')
