"""People: accounts, their profile for coverage reporting, analyst scopes and password-reset tokens."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, delete, event, insert, inspect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learnhub.extensions import db
from learnhub.models.base import utcnow
from learnhub.text import name_key, search_words

ROLES = ("trainee", "trainer", "analyst", "admin")


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, db.Model):
    """An account. Whoever takes a course is a learner, whatever their role."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="trainee")
    language: Mapped[str] = mapped_column(String(5), default="en")
    country: Mapped[str] = mapped_column(String(2), index=True)
    sector: Mapped[str] = mapped_column(String(64))
    organisation: Mapped[str] = mapped_column(String(200))
    organisation_type: Mapped[str] = mapped_column(String(32))
    # The organisation's record (decision 0058); the name above is what the person sees and reports read. No
    # foreign key: SQLite could add one to this table only by copying it (migration 0019).
    organisation_id: Mapped[int | None] = mapped_column(index=True)
    ecsf_role: Mapped[str | None] = mapped_column(String(64))
    gender: Mapped[str | None] = mapped_column(String(32))
    # Part of the login cookie (get_id); replaced on logout and password change to end every session.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # When the person proved they read this address (a verification link, or an accepted invitation);
    # None until then. Coverage reports count only verified learners (docs/coverage.md).
    email_verified_at: Mapped[datetime | None]
    # The name folded (case and accents), kept by the listeners below: the admin list sorts and pages on it
    # (decision 0056).
    name_key: Mapped[str] = mapped_column(String(120), default="", server_default="")
    # Personal data rights (decision 0057): when the person asked to be deleted, and when their personal data
    # was erased (the row stays as a pseudonymous record, so coverage counts that include them stay right).
    deletion_requested_at: Mapped[datetime | None] = mapped_column(index=True)
    erased_at: Mapped[datetime | None]

    analyst_countries: Mapped[list[AnalystCountry]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="AnalystCountry.country"
    )

    __table_args__ = (
        CheckConstraint(f"role IN {ROLES!r}", name="role_known"),
        # Keyset pages of the admin list, alone or with one filter (decision 0056).
        Index("ix_users_name_key", "name_key", "id"),
        Index("ix_users_role_name_key", "role", "name_key", "id"),
        Index("ix_users_country_name_key", "country", "name_key", "id"),
        Index("ix_users_active_name_key", "active", "name_key", "id"),
    )

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        return self.active

    def end_all_sessions(self) -> None:
        """Invalidate every login cookie issued so far, including copies held by someone else."""
        self.session_token = new_session_token()

    @property
    def countries_in_scope(self) -> frozenset[str]:
        return frozenset(scope.country for scope in self.analyst_countries)

    def has_role(self, *roles: str) -> bool:
        return self.role in roles


class AnalystCountry(db.Model):
    """One country an analyst may report on."""

    __tablename__ = "analyst_countries"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    user: Mapped[User] = relationship(back_populates="analyst_countries")


class PasswordResetToken(db.Model):
    """A single-use, expiring reset link; only the token's SHA-256 is stored."""

    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    __table_args__ = (UniqueConstraint("token_hash"),)


# Binary order on PostgreSQL too, so a prefix is a range of the index whatever the database's collation.
WORD_TYPE = String(64).with_variant(String(64, collation="C"), "postgresql")


class UserSearchWord(db.Model):
    """One folded word of an account's name, e-mail address or organisation, with the account's folded name:
    a search reads the accounts whose words start with a prefix, in name order, from this table's index alone,
    and only then the page's accounts (decision 0056). Kept by the listeners below; bulk inserts (the demo
    population) write theirs with `search_word_rows`."""

    __tablename__ = "user_search_words"

    word: Mapped[str] = mapped_column(WORD_TYPE, primary_key=True)
    name_key: Mapped[str] = mapped_column(String(120), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)

    __table_args__ = (Index("ix_user_search_words_user_id_word", "user_id", "word"),)


SEARCHED_FIELDS = ("name", "email", "organisation")


def search_word_rows(user_id: int, name: str, email: str, organisation: str) -> list[dict]:
    key = name_key(name or "")
    return [{"word": word, "name_key": key, "user_id": user_id} for word in search_words(name, email, organisation)]


@event.listens_for(User, "before_insert")
@event.listens_for(User, "before_update")
def _keep_name_key(_mapper, _connection, user: User) -> None:
    user.name_key = name_key(user.name or "")


@event.listens_for(User, "after_insert")
def _index_new_user(_mapper, connection, user: User) -> None:
    rows = search_word_rows(user.id, user.name, user.email, user.organisation)
    if rows:
        connection.execute(insert(UserSearchWord.__table__), rows)


@event.listens_for(User, "after_update")
def _reindex_user(_mapper, connection, user: User) -> None:
    state = inspect(user)
    if not any(state.attrs[field].history.has_changes() for field in SEARCHED_FIELDS):
        return
    connection.execute(delete(UserSearchWord.__table__).where(UserSearchWord.__table__.c.user_id == user.id))
    _index_new_user(_mapper, connection, user)
