"""Accounts: registration, authentication, passwords, reset links and profiles."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update

from learnhub.extensions import db
from learnhub.models import AnalystCountry, ApiToken, PasswordResetToken, User
from learnhub.models.base import utcnow
from learnhub.models.users import ROLES
from learnhub.services import passwords

PROFILE_FIELDS = (
    "name", "language", "country", "sector", "organisation", "organisation_type", "ecsf_role", "gender",
)


class AccountError(ValueError):
    """A rule about accounts was broken; `code` says which, for the caller to phrase."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Profile:
    """What a learner tells us about themselves: only what coverage reporting needs."""

    name: str
    language: str
    country: str
    sector: str
    organisation: str
    organisation_type: str
    ecsf_role: str | None = None
    gender: str | None = None


def normalise_email(email: str) -> str:
    """E-mails compare case-insensitively after trimming, everywhere."""
    return email.strip().lower()


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create(email: str, password: str, profile: Profile, *, role: str = "trainee",
           countries: tuple[str, ...] = (), verified: bool = False) -> User:
    """A new account; raises AccountError("email-taken"), ("unknown-role") or a password code.

    `verified` is for accounts an operator vouches for (CLI, demo): their address counts as proven.
    """
    if role not in ROLES:
        raise AccountError("unknown-role")
    email = normalise_email(email)
    if find_by_email(email) is not None:
        raise AccountError("email-taken")
    problem = passwords.password_problem(password, email=email, name=profile.name)
    if problem:
        raise AccountError(problem)
    user = User(email=email, password_hash=passwords.hash_password(password), role=role,
                **{field: getattr(profile, field) for field in PROFILE_FIELDS})
    user.analyst_countries = [AnalystCountry(country=code.upper()) for code in sorted(set(countries))]
    if verified:
        user.email_verified_at = utcnow()
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active account with these credentials, or None; upgrades an outdated hash on success."""
    user = find_by_email(email)
    if not passwords.verify_password(user.password_hash if user else None, password):
        return None
    if not user.active:
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_login_at = utcnow()
    db.session.flush()
    return user


def mark_email_verified(user: User) -> None:
    """Record that the person read a mail sent to their address (the first time only)."""
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        db.session.flush()


def set_password(user: User, new_password: str) -> None:
    """Replace the password and end every session of the account (cookies elsewhere stop working)."""
    problem = passwords.password_problem(new_password, email=user.email, name=user.name)
    if problem:
        raise AccountError(problem)
    user.password_hash = passwords.hash_password(new_password)
    user.end_all_sessions()
    db.session.flush()


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Re-authenticates with the current password first (AccountError("wrong-password"))."""
    if not passwords.verify_password(user.password_hash, current_password):
        raise AccountError("wrong-password")
    set_password(user, new_password)


def update_profile(user: User, profile: Profile) -> None:
    for field in PROFILE_FIELDS:
        setattr(user, field, getattr(profile, field))
    db.session.flush()


def token_hash(token: str) -> str:
    """Only this hash of a reset or invitation token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_reset_token(user: User, valid_for: timedelta) -> str:
    """A new single-use reset token; earlier unused ones of the same account stop working."""
    now = utcnow()
    for old in db.session.scalars(select(PasswordResetToken).where(
            PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))):
        old.used_at = now
    token = secrets.token_urlsafe(32)
    db.session.add(PasswordResetToken(user_id=user.id, token_hash=token_hash(token), expires_at=now + valid_for))
    db.session.flush()
    return token


def user_for_reset_token(token: str) -> User | None:
    """The account a still-valid, unused token belongs to."""
    row = db.session.scalar(select(PasswordResetToken).where(PasswordResetToken.token_hash == token_hash(token)))
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return None
    return row.user


def reset_password(token: str, new_password: str) -> User:
    """Use the token once to set a new password; AccountError("invalid-token") or a password code."""
    # The UPDATE marks the token used only if still unused: two concurrent submits cannot both succeed.
    user = user_for_reset_token(token)
    if user is None:
        raise AccountError("invalid-token")
    set_password(user, new_password)
    claimed = db.session.execute(
        PasswordResetToken.__table__.update()
        .where(PasswordResetToken.token_hash == token_hash(token), PasswordResetToken.used_at.is_(None))
        .values(used_at=utcnow())
    ).rowcount
    if claimed != 1:
        raise AccountError("invalid-token")
    return user


def set_role(user: User, role: str, countries: tuple[str, ...] = ()) -> None:
    if role not in ROLES:
        raise AccountError("unknown-role")
    if role != user.role:
        # Like the sessions below, the person's API tokens belonged to the old role: revoke them, so that
        # getting the role back later does not bring old tokens back to life.
        db.session.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                           .values(revoked_at=utcnow()))
    user.role = role
    user.analyst_countries = [AnalystCountry(country=c.upper()) for c in sorted(set(countries))]
    user.end_all_sessions()
    db.session.flush()
