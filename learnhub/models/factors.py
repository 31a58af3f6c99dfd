"""Second factors of an account: a TOTP authenticator, passkeys, the single-use recovery codes, and the
browsers its owner chose to remember for 30 days (decisions 0060, 0061 and 0062); and its identities at
single sign-on providers (decision 0063)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from learnhub.extensions import db
from learnhub.models.base import utcnow


class TotpFactor(db.Model):
    """An authenticator app (RFC 6238). Until `confirmed_at` the secret is only being set up: it is never
    asked for at login. `last_counter` is the time step of the last code accepted, so a code works once."""

    __tablename__ = "totp_factors"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    last_counter: Mapped[int | None]


class RecoveryCode(db.Model):
    """One of the ten codes shown once when a factor is set up; only its Argon2 hash is stored."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]


class RememberedDevice(db.Model):
    """A browser that may skip the second step for a while: it holds a signed cookie with this row's id
    and a secret whose SHA-256 is `token_hash`. Revoking (by the owner, an admin reset, a password
    change) sets `revoked_at`, and the cookie no longer counts."""

    __tablename__ = "remembered_devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class Passkey(db.Model):
    """A WebAuthn credential (a passkey or security key) registered by the account's owner, under a name
    they chose. `credential_id` (base64url) is how the browser names it at sign-in."""

    __tablename__ = "passkeys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    credential_id: Mapped[str] = mapped_column(String(1400), unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    sign_count: Mapped[int] = mapped_column(default=0)
    transports: Mapped[list] = mapped_column(JSON, default=list)
    name: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]


class SsoIdentity(db.Model):
    """An account's identity at an OpenID Connect provider: the provider's key (LEARNHUB_OIDC_PROVIDERS)
    and its `sub`, which never changes for that person there (decision 0063)."""

    __tablename__ = "sso_identities"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    __table_args__ = (UniqueConstraint("provider", "subject"),)
