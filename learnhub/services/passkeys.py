"""Passkeys (WebAuthn) with the `webauthn` package (decision 0062): register several, name, remove,
and sign in with one, after the password or instead of it.

The ceremonies are in two halves. `registration_options` and `authentication_options` give the
browser what to sign, with a fresh random challenge that the caller keeps (in the session) for the
answer; `register` and `authenticate` check that answer: the challenge, our origin and relying-party
id (from LEARNHUB_BASE_URL), the signature, and that the authenticator's counter never goes back (a
cloned key). Registration asks for no attestation: which brand of authenticator is not our concern.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import delete, select
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url, parse_authentication_credential_json
from webauthn.helpers.exceptions import InvalidAuthenticationResponse, WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from learnhub.extensions import db
from learnhub.models import Passkey, User
from learnhub.models.base import utcnow

RP_NAME = "LearnHub"
NAME_MAX_LENGTH = 80
MAX_PER_USER = 10
TIMEOUT_MS = 120_000


class PasskeyError(ValueError):
    """`code`: "name-required", "name-too-long", "too-many", "invalid", "unknown", "not-yours", "cloned"."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class RelyingParty:
    """Who we are to the browser: the site's host name and origin, from LEARNHUB_BASE_URL."""

    id: str
    origin: str

    @classmethod
    def from_base_url(cls, base_url: str) -> RelyingParty:
        parts = urlsplit(base_url)
        return cls(parts.hostname or "localhost", f"{parts.scheme}://{parts.netloc}")


def user_handle(user: User, secret_key: str) -> bytes:
    """An opaque, stable id for the account in authenticators: no e-mail address, no database id."""
    return hmac.new(secret_key.encode(), f"passkey-user:{user.id}".encode(), hashlib.sha256).digest()[:32]


def for_user(user: User) -> list[Passkey]:
    return list(db.session.scalars(select(Passkey).where(Passkey.user_id == user.id).order_by(Passkey.created_at)))


def _descriptors(keys: list[Passkey]) -> list[PublicKeyCredentialDescriptor]:
    descriptors = []
    for key in keys:
        transports = [AuthenticatorTransport(value) for value in key.transports
                      if value in AuthenticatorTransport._value2member_map_]
        descriptors.append(PublicKeyCredentialDescriptor(id=base64url_to_bytes(key.credential_id),
                                                         transports=transports or None))
    return descriptors


def _safe_json(options) -> str:
    """The options as JSON that can sit in an HTML data block (a name cannot close the element)."""
    return options_to_json(options).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def registration_options(user: User, party: RelyingParty, secret_key: str) -> tuple[str, bytes]:
    """(options as JSON for the page, the challenge to keep). A discoverable credential (a passkey) is
    preferred, so it can sign in without the e-mail address; the user's existing keys are excluded."""
    options = generate_registration_options(
        rp_id=party.id, rp_name=RP_NAME, user_name=user.email, user_display_name=user.name,
        user_id=user_handle(user, secret_key), timeout=TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED, user_verification=UserVerificationRequirement.PREFERRED),
        exclude_credentials=_descriptors(for_user(user)))
    return _safe_json(options), options.challenge


def clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise PasskeyError("name-required")
    if len(name) > NAME_MAX_LENGTH:
        raise PasskeyError("name-too-long")
    return name


def register(user: User, name: str, credential_json: str, challenge: bytes, party: RelyingParty) -> Passkey:
    """Check the browser's answer to `registration_options` and keep the new passkey under `name`."""
    name = clean_name(name)
    if len(for_user(user)) >= MAX_PER_USER:
        raise PasskeyError("too-many")
    try:
        verified = verify_registration_response(credential=credential_json, expected_challenge=challenge,
                                                expected_rp_id=party.id, expected_origin=party.origin)
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:
        raise PasskeyError("invalid") from error
    credential_id = bytes_to_base64url(verified.credential_id)
    if db.session.scalar(select(Passkey.id).where(Passkey.credential_id == credential_id)) is not None:
        raise PasskeyError("invalid")
    try:
        transports = [str(value) for value in json.loads(credential_json)["response"].get("transports") or []]
    except (ValueError, KeyError, TypeError, AttributeError):
        transports = []
    key = Passkey(user_id=user.id, credential_id=credential_id, public_key=verified.credential_public_key,
                  sign_count=verified.sign_count, transports=transports[:8], name=name)
    db.session.add(key)
    db.session.flush()
    return key


def authentication_options(party: RelyingParty, user: User | None = None) -> tuple[str, bytes]:
    """(options as JSON, the challenge to keep). For `user` (after the password), their keys; without
    one, any passkey of this site that the browser holds, with user verification required."""
    options = generate_authentication_options(
        rp_id=party.id, timeout=TIMEOUT_MS, allow_credentials=_descriptors(for_user(user)) if user else [],
        user_verification=UserVerificationRequirement.PREFERRED if user else UserVerificationRequirement.REQUIRED)
    return _safe_json(options), options.challenge


def authenticate(credential_json: str, challenge: bytes, party: RelyingParty, user: User | None = None) -> Passkey:
    """The passkey that signed the challenge (its counter and last use updated). With `user` (after the
    password) it must be theirs; without one (instead of the password) the authenticator must have
    verified the person (PIN or biometrics), so the passkey alone is two factors."""
    try:
        parsed = parse_authentication_credential_json(credential_json)
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:
        raise PasskeyError("invalid") from error
    key = db.session.scalar(select(Passkey).where(Passkey.credential_id == bytes_to_base64url(parsed.raw_id)))
    if key is None:
        raise PasskeyError("unknown")
    if user is not None and key.user_id != user.id:
        raise PasskeyError("not-yours")
    try:
        verified = verify_authentication_response(
            credential=parsed, expected_challenge=challenge, expected_rp_id=party.id, expected_origin=party.origin,
            credential_public_key=key.public_key, credential_current_sign_count=key.sign_count,
            require_user_verification=user is None)
    except InvalidAuthenticationResponse as error:
        raise PasskeyError("cloned" if "sign count" in str(error).lower() else "invalid") from error
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:
        raise PasskeyError("invalid") from error
    key.sign_count, key.last_used_at = verified.new_sign_count, utcnow()
    db.session.flush()
    return key


def rename(user: User, passkey_id: int, name: str) -> Passkey:
    key = db.session.get(Passkey, passkey_id)
    if key is None or key.user_id != user.id:
        raise PasskeyError("unknown")
    key.name = clean_name(name)
    db.session.flush()
    return key


def remove(user: User, passkey_id: int) -> Passkey:
    key = db.session.get(Passkey, passkey_id)
    if key is None or key.user_id != user.id:
        raise PasskeyError("unknown")
    db.session.delete(key)
    db.session.flush()
    return key


def remove_all(user: User) -> int:
    return db.session.execute(delete(Passkey).where(Passkey.user_id == user.id)).rowcount
