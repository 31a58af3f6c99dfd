"""Accounts: registration, authentication, passwords, reset links and profiles."""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import bindparam, select, update

from learnhub.extensions import db
from learnhub.models import AnalystCountry, ApiToken, PasswordResetToken, User
from learnhub.models.base import utcnow
from learnhub.models.row_reader import RowReader
from learnhub.models.users import ROLES
from learnhub.services import catalogue_version, item_state, organisations, passwords, remembered_devices

MAX_EMAIL_LENGTH = 254
VERIFICATION_LINK_LIFETIME = timedelta(days=7)
_ADDRESS_SHAPE = re.compile(r"[^@\s]+@[^@\s]+")  # what a lookup needs: one @, something either side
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


def email_problem(email: str, *, new: bool = True) -> str | None:
    """Why `email` cannot be used, as a code for the caller to phrase; None when it can.

    The one e-mail rule of every door (issue 11): the registration, invitation and login forms, the
    CLI and the cohort CSV import all ask here. An address we will write to (`new`: an account, an
    invitation) must be a valid address on a domain that can receive mail on the internet; special-use
    names such as `.test`, `.invalid` or `.localhost` cannot (no DNS lookup is made). An address that
    is only looked up (`new=False`: login, reset request) needs only the shape of an address, so an
    account that exists can always log in, whatever created it.
    Codes: "missing-email", "too-long", "bad-email", "cannot-receive".
    """
    email = normalise_email(email)
    if not email:
        return "missing-email"
    if len(email) > MAX_EMAIL_LENGTH:
        return "too-long"
    if not _ADDRESS_SHAPE.fullmatch(email) or not email.isprintable():
        return "bad-email"
    if not new:
        return None
    domain = email.rpartition("@")[2]
    if any(domain == name or domain.endswith("." + name) for name in SPECIAL_USE_DOMAIN_NAMES):
        return "cannot-receive"
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return "bad-email"
    return None


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create(email: str, password: str, profile: Profile, *, role: str = "trainee",
           countries: tuple[str, ...] = (), verified: bool = False) -> User:
    """A new account; raises AccountError("email-taken"), ("unknown-role"), an e-mail code
    (see email_problem) or a password code.

    `verified` is for accounts an operator vouches for (CLI, demo): their address counts as proven.
    """
    if role not in ROLES:
        raise AccountError("unknown-role")
    email = normalise_email(email)
    problem = email_problem(email)
    if problem:
        raise AccountError(problem)
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
    organisations.link(user)
    return user


def register(email: str, password: str, profile: Profile) -> tuple[User, bool]:
    """Self-registration: (the new unverified account, True), or (the account that already has this
    address, False) without changing it.

    Both outcomes do the same costly work (one password hash; the caller sends one mail either way
    and gives one answer), so neither the page nor its timing tells whether an address is registered.
    """
    existing = find_by_email(email)
    if existing is not None:
        passwords.hash_password(password)  # what create() would spend: the time must not tell
        return existing, False
    return create(email, password, profile), True


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


def _verification_serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="learnhub-verify-email")


def email_verification_token(user: User, secret: str) -> str:
    """A signed link token for the address the account has now; it expires (VERIFICATION_LINK_LIFETIME)."""
    return _verification_serializer(secret).dumps({"user": user.id, "email": user.email})


def user_for_verification_token(token: str, secret: str) -> User | None:
    """The account whose current address the token was issued for, if it is authentic and not expired."""
    try:
        data = _verification_serializer(secret).loads(
            token, max_age=int(VERIFICATION_LINK_LIFETIME.total_seconds()))
    except BadSignature:  # also SignatureExpired
        return None
    if not isinstance(data, dict):
        return None
    user = db.session.get(User, data.get("user")) if isinstance(data.get("user"), int) else None
    if user is None or user.email != data.get("email"):
        return None
    return user


def set_password(user: User, new_password: str) -> None:
    """Replace the password, end every session of the account (cookies elsewhere stop working), void
    every outstanding reset link (a link mailed before the change must not undo it) and forget every
    remembered device (decision 0061)."""
    problem = passwords.password_problem(new_password, email=user.email, name=user.name)
    if problem:
        raise AccountError(problem)
    user.password_hash = passwords.hash_password(new_password)
    user.end_all_sessions()
    db.session.flush()
    _void_reset_tokens(user)
    remembered_devices.revoke_all(user)


def _void_reset_tokens(user: User) -> None:
    db.session.execute(update(PasswordResetToken)
                       .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
                       .values(used_at=utcnow()))


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Re-authenticates with the current password first (AccountError("wrong-password"))."""
    if not passwords.verify_password(user.password_hash, current_password):
        raise AccountError("wrong-password")
    set_password(user, new_password)


def update_profile(user: User, profile: Profile) -> None:
    """Save the profile; the organisation named is linked to its record (organisations.link)."""
    for field in PROFILE_FIELDS:
        setattr(user, field, getattr(profile, field))
    organisations.link(user)


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
    user = user_for_reset_token(token)
    if user is None:
        raise AccountError("invalid-token")
    problem = passwords.password_problem(new_password, email=user.email, name=user.name)
    if problem:
        raise AccountError(problem)
    # The UPDATE marks the token used only if still unused: two concurrent submits cannot both succeed.
    claimed = db.session.execute(
        PasswordResetToken.__table__.update()
        .where(PasswordResetToken.token_hash == token_hash(token), PasswordResetToken.used_at.is_(None))
        .values(used_at=utcnow())
    ).rowcount
    if claimed != 1:
        raise AccountError("invalid-token")
    set_password(user, new_password)
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


# What a request needs of the logged-in person, read by one Core statement; the password hash is left out
# (loaded only if something asks for it: a password change). The same statement reads the catalogue's version,
# so the course a page shows comes from what the worker keeps for that version, without a statement of its own.
# A lesson page or a quiz form adds its learner's state on that item (services/item_state): one statement for the
# whole page.
@functools.cache
def _session_user_reader(item_shape: tuple[str, bool] | None) -> RowReader[User]:
    item = () if item_shape is None else item_state.columns(item_shape)
    return RowReader(User, lambda users: (users.id == bindparam("user_id")) & (
        users.session_token == bindparam("token")) & users.active.is_(True), leave_out=("password_hash",),
        also=(catalogue_version.column(), *item))


def session_user(user_id: int, token: str) -> User | None:
    """The active account whose login cookie holds `user_id` and `token`, or None (logged out elsewhere, password
    changed, disabled). One cheap statement on every logged-in request (issue 14, models/row_reader). Checked on
    every request, never cached: a logout, a disabled account or a role change counts at the next request."""
    asked = item_state.question()
    reader = _session_user_reader(None if asked is None else asked.shape)
    existing = reader.in_session(user_id)
    if existing is not None:
        return existing if existing.session_token == token and existing.active else None
    row = reader.read_row(user_id=user_id, token=token, **(item_state.params(asked) if asked else {}))
    if row is None:
        return None
    version = row[reader.width]
    catalogue_version.note(version)
    if asked is not None:
        item_state.answer(asked, version, tuple(row[reader.width + 1:]))
    return reader.load(row)
