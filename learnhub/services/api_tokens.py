"""Personal API tokens: analysts and administrators create and revoke them; programs read reports with them.

Only the SHA-256 of a token is stored (the same `token_hash` as reset links), so a copy of the database
gives no usable token; the owner sees the token once, when it is made. Whether a token still works is
decided at every call: not revoked, not expired, the account active and still an analyst or admin.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import func, select

from learnhub.extensions import db
from learnhub.models import ApiToken, User
from learnhub.models.base import utcnow
from learnhub.services.accounts import token_hash

TOKEN_PREFIX = "lh_"  # noqa: S105  (a marker that tells secret scanners what this is, not a secret)
PREFIX_LENGTH = 10
VALIDITY_DAYS = (30, 90, 365)
DEFAULT_VALIDITY_DAYS = 90
NAME_MAX_LENGTH = 80
MAX_ACTIVE_TOKENS = 10
ROLES_WITH_TOKENS = ("analyst", "admin")


class ApiTokenError(ValueError):
    """A rule about API tokens was broken; `code` says which, for the view to phrase.

    Codes: role-not-allowed, name-required, name-too-long, unknown-validity, too-many-tokens, not-found.
    """

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def may_have_tokens(user: User) -> bool:
    return user.active and user.has_role(*ROLES_WITH_TOKENS)


def is_active(token: ApiToken) -> bool:
    return token.revoked_at is None and token.expires_at > utcnow()


def state(token: ApiToken) -> str:
    """"revoked", "expired" or "active"."""
    if token.revoked_at is not None:
        return "revoked"
    return "active" if token.expires_at > utcnow() else "expired"


def active_count(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None), ApiToken.expires_at > utcnow())) or 0


def create(user: User, name: str, valid_days: int = DEFAULT_VALIDITY_DAYS) -> tuple[ApiToken, str]:
    """A new token for `user` and its plaintext, which is not stored anywhere and cannot be shown again."""
    if not may_have_tokens(user):
        raise ApiTokenError("role-not-allowed")
    name = (name or "").strip()
    if not name:
        raise ApiTokenError("name-required")
    if len(name) > NAME_MAX_LENGTH:
        raise ApiTokenError("name-too-long")
    if valid_days not in VALIDITY_DAYS:
        raise ApiTokenError("unknown-validity")
    if active_count(user) >= MAX_ACTIVE_TOKENS:
        raise ApiTokenError("too-many-tokens")
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(user_id=user.id, name=name, token_hash=token_hash(plaintext), prefix=plaintext[:PREFIX_LENGTH],
                     created_at=now, expires_at=now + timedelta(days=valid_days))
    db.session.add(token)
    db.session.flush()
    return token, plaintext


def for_user(user: User) -> list[ApiToken]:
    """Every token of `user`, newest first, whatever its state."""
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def revoke(user: User, token_id: int) -> ApiToken:
    """Stop one of `user`'s own tokens at once; another user's token is "not-found", as is an unknown id.

    Revoking a revoked token keeps the first revocation time.
    """
    token = db.session.scalar(select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id))
    if token is None:
        raise ApiTokenError("not-found")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()
    return token


def usable_token(plaintext: str | None) -> ApiToken | None:
    """The token row for `plaintext` if it may be used now, its use recorded in last_used_at; else None."""
    if not plaintext or not plaintext.startswith(TOKEN_PREFIX):
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(plaintext)))
    if token is None or not is_active(token):
        return None
    owner = db.session.get(User, token.user_id)
    if owner is None or not may_have_tokens(owner):
        return None
    token.last_used_at = utcnow()
    db.session.flush()
    return token


def authenticate(plaintext: str | None) -> User | None:
    """The owner of a token that may be used now (see usable_token), or None."""
    token = usable_token(plaintext)
    return db.session.get(User, token.user_id) if token else None
