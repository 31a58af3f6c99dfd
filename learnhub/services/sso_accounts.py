"""Who an OpenID Connect sign-in is at LearnHub (decision 0063).

- A known identity (this provider, this `sub`) is its account.
- Otherwise the e-mail claim is looked at, and only from the provider that serves its domain. An
  account that already uses the address is never signed in silently: when the provider says the
  address is verified and LearnHub verified it too, its owner is asked to log in once with the
  password (and second factor), which links the identity; anything less is refused. So an unverified
  or foreign claim cannot take an account over.
- A new address gets an account just in time: name, country and organisation from the claims the
  provider maps (or its defaults), the provider's role for new accounts, no usable password, and the
  address counted as verified only if the provider says so.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select

from learnhub import reference
from learnhub.extensions import db
from learnhub.models import SsoIdentity, User
from learnhub.models.base import utcnow
from learnhub.services import accounts
from learnhub.sso_settings import OidcProvider


@dataclass(frozen=True)
class Outcome:
    """`action`: "signed-in", "created", "link-needed" or "refused" (then `reason`: "disabled", "no-email",
    "foreign-domain", "unverified", "profile")."""

    action: str
    user: User | None = None
    email: str = ""
    reason: str = ""


def _claim(claims: dict, name: str) -> str:
    value = claims.get(name)
    return " ".join(value.split())[:200] if isinstance(value, str) else ""


def _profile(provider: OidcProvider, claims: dict, email: str, language: str) -> accounts.Profile | None:
    defaults = provider.defaults
    country = _claim(claims, provider.claims["country"]).upper()
    if country not in reference.country_regions():
        country = defaults.get("country", "").upper()
    sector = defaults.get("sector", "public-administration")
    organisation_type = defaults.get("organisation_type", "government")
    if (country not in reference.country_regions() or sector not in reference.sector_ids()
            or organisation_type not in reference.ORGANISATION_TYPES):
        return None
    name = _claim(claims, provider.claims["name"]) or email.partition("@")[0]
    organisation = _claim(claims, provider.claims["organisation"]) or defaults.get("organisation") or provider.name
    return accounts.Profile(name=name[:120], language=language, country=country, sector=sector,
                            organisation=organisation[:200], organisation_type=organisation_type)


def identity(provider: OidcProvider, subject: str) -> SsoIdentity | None:
    return db.session.scalar(select(SsoIdentity).where(SsoIdentity.provider == provider.key,
                                                       SsoIdentity.subject == subject))


def sign_in(provider: OidcProvider, claims: dict, language: str) -> Outcome:
    """What this provider's checked ID token claims mean here (nothing is committed)."""
    subject = str(claims["sub"])
    known = identity(provider, subject)
    if known is not None:
        user = db.session.get(User, known.user_id)
        if user is None or not user.active:
            return Outcome("refused", reason="disabled")
        known.last_login_at = utcnow()
        db.session.flush()
        return Outcome("signed-in", user=user, email=user.email)
    email = accounts.normalise_email(claims.get("email") if isinstance(claims.get("email"), str) else "")
    if not email or accounts.email_problem(email, new=False):
        return Outcome("refused", reason="no-email")
    if not provider.serves(email):
        return Outcome("refused", email=email, reason="foreign-domain")
    verified = claims.get("email_verified") is True
    existing = accounts.find_by_email(email)
    if existing is not None:
        if verified and existing.email_verified_at is not None and existing.active:
            return Outcome("link-needed", user=existing, email=email)
        return Outcome("refused", email=email, reason="unverified")
    profile = _profile(provider, claims, email, language)
    if profile is None:
        return Outcome("refused", email=email, reason="profile")
    try:
        user = accounts.create(email, secrets.token_urlsafe(32), profile, role=provider.role, verified=verified)
    except accounts.AccountError:
        return Outcome("refused", email=email, reason="no-email")
    db.session.add(SsoIdentity(user_id=user.id, provider=provider.key, subject=subject, last_login_at=utcnow()))
    db.session.flush()
    return Outcome("created", user=user, email=email)


def link(user: User, provider_key: str, subject: str) -> SsoIdentity | None:
    """Link the identity to `user`, who has just proved the account; None if it is already linked."""
    existing = db.session.scalar(select(SsoIdentity).where(SsoIdentity.provider == provider_key,
                                                           SsoIdentity.subject == subject))
    if existing is not None:
        return None
    row = SsoIdentity(user_id=user.id, provider=provider_key, subject=subject, last_login_at=utcnow())
    db.session.add(row)
    db.session.flush()
    return row
