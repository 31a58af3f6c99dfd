"""The Open Badges issuer: its Ed25519 keys and the did:web DID document that publishes them (decision 0072).

A key is generated the first time a badge is signed and kept in `badge_keys`, its private part encrypted (JWE,
A256KW + A256GCM) with a key derived from LEARNHUB_SECRET_KEY by HKDF; or the operator gives one in
LEARNHUB_BADGE_KEY_FILE and only its public part is stored. `rotate` retires the signing key (its private part is
erased) and makes a new one; every public key stays in the DID document, so what an old key signed still verifies."""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from jwcrypto import jwe, jwk
from jwcrypto.common import JWException, base64url_encode, json_encode
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from learnhub import badge_key_file
from learnhub.extensions import db
from learnhub.models import BadgeKey
from learnhub.models.base import utcnow
from learnhub.services.data_integrity import multikey

_WRAP_INFO = b"learnhub open badges issuer key v1"


class BadgeKeyError(RuntimeError):
    """The issuer key cannot be used or changed as asked; the message says what to do."""


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private: Ed25519PrivateKey


def _wrapping_key(secret: str) -> jwk.JWK:
    derived = HKDF(algorithm=SHA256(), length=32, salt=None, info=_WRAP_INFO).derive(secret.encode())
    return jwk.JWK(kty="oct", k=base64url_encode(derived))


def _encrypt(key: jwk.JWK, secret: str) -> str:
    token = jwe.JWE(key.export_private().encode(), json_encode({"alg": "A256KW", "enc": "A256GCM"}))
    token.add_recipient(_wrapping_key(secret))
    return token.serialize(compact=True)


def _decrypt(text: str, secret: str) -> jwk.JWK:
    token = jwe.JWE()
    try:
        token.deserialize(text, key=_wrapping_key(secret))
    except JWException:
        raise BadgeKeyError("the Open Badges issuer key cannot be decrypted: LEARNHUB_SECRET_KEY changed since it was "
                            "made. Run `learnhub badges rotate-key` to make a new one (credentials signed before "
                            "keep verifying).") from None
    return jwk.JWK.from_json(token.payload)


def _public_json(key: jwk.JWK) -> str:
    return json.dumps(key.export_public(as_dict=True), sort_keys=True)


def _store(key: jwk.JWK, private_jwe: str | None) -> BadgeKey:
    row = BadgeKey(kid=key.thumbprint(), public_jwk=_public_json(key), private_jwe=private_jwe)
    db.session.add(row)
    db.session.flush()
    return row


def _generate(secret: str) -> BadgeKey:
    key = jwk.JWK.generate(kty="OKP", crv="Ed25519")
    return _store(key, _encrypt(key, secret))


def _file_key(path: str) -> SigningKey:
    """The operator's key, its public part recorded once so that it stays published after the file is replaced."""
    key = badge_key_file.read(path)
    kid = key.thumbprint()
    if db.session.scalar(select(BadgeKey.id).where(BadgeKey.kid == kid)) is None:
        try:
            with db.session.begin_nested():
                _store(key, None)
        except IntegrityError:
            pass  # a concurrent request recorded it first
    return SigningKey(kid, key.get_op_key("sign"))


def signing_key(config) -> SigningKey:
    """The key that signs now: the operator's file, else the newest stored key (made on first use)."""
    if config["BADGE_KEY_FILE"]:
        return _file_key(config["BADGE_KEY_FILE"])
    row = db.session.scalar(select(BadgeKey).where(BadgeKey.private_jwe.is_not(None), BadgeKey.retired_at.is_(None))
                            .order_by(BadgeKey.id.desc()).limit(1))
    if row is None:
        row = _generate(config["SECRET_KEY"])
    return SigningKey(row.kid, _decrypt(row.private_jwe, config["SECRET_KEY"]).get_op_key("sign"))


def rotate(config) -> BadgeKey:
    """Retire every stored signing key (erasing its private part, keeping its public one) and make a new one."""
    if config["BADGE_KEY_FILE"]:
        raise BadgeKeyError("the issuer key is LEARNHUB_BADGE_KEY_FILE: put a new key in that file (the old public key "
                            "stays published) instead of rotating here.")
    now = utcnow()
    for row in db.session.scalars(select(BadgeKey).where(BadgeKey.retired_at.is_(None))):
        row.retired_at, row.private_jwe = now, None
    return _generate(config["SECRET_KEY"])


def public_keys() -> list[BadgeKey]:
    return list(db.session.scalars(select(BadgeKey).order_by(BadgeKey.id)))


def issuer_did(base_url: str) -> str:
    """did:web for LEARNHUB_BASE_URL: the host (a port as %3A) and any path, one segment per colon."""
    parts = urlsplit(base_url)
    path = [quote(segment, safe="") for segment in parts.path.split("/") if segment]
    return ":".join(["did:web", quote(parts.netloc, safe=""), *path])


def did_document(base_url: str) -> dict:
    """The issuer's DID document: every key ever used, each a Multikey for the assertionMethod purpose."""
    did = issuer_did(base_url)
    methods = []
    for row in public_keys():
        public = jwk.JWK.from_json(row.public_jwk)
        raw = public.get_op_key("verify").public_bytes_raw()
        methods.append({"id": f"{did}#{row.kid}", "type": "Multikey", "controller": did,
                        "publicKeyMultibase": multikey(raw)})
    return {"@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
            "id": did, "verificationMethod": methods, "assertionMethod": [method["id"] for method in methods]}
