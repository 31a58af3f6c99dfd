"""The keys that sign Open Badges credentials (decision 0072)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from learnhub.extensions import db
from learnhub.models.base import utcnow


class BadgeKey(db.Model):
    """An Ed25519 issuer key. Every key ever used stays listed in the issuer's DID document, so credentials it signed
    keep verifying after a rotation; only the newest one with a private part signs."""

    __tablename__ = "badge_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    """The key's RFC 7638 JWK thumbprint: the fragment of its verification method (did:web:host#kid)."""
    public_jwk: Mapped[str] = mapped_column(Text)
    private_jwe: Mapped[str | None] = mapped_column(Text)
    """The private JWK encrypted (JWE, A256KW + A256GCM) with a key derived from the secret key; None once the key
    is retired, or when it is the operator's LEARNHUB_BADGE_KEY_FILE."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[datetime | None]
