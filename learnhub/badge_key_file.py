"""The operator's own Open Badges issuer key (LEARNHUB_BADGE_KEY_FILE): an Ed25519 private key as PEM (PKCS #8) or
as a JWK, read at start-up so a wrong file stops the application with a message naming the variable."""

from __future__ import annotations

from pathlib import Path

from jwcrypto import jwk


class BadgeKeyFileError(ValueError):
    """The file is missing, unreadable or not an Ed25519 private key."""


def read(path: str) -> jwk.JWK:
    """The private key in `path` as a jwcrypto JWK (kty OKP, crv Ed25519)."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise BadgeKeyFileError(f"cannot be read ({error.strerror})") from None
    try:
        key = (jwk.JWK.from_json(data) if data.lstrip().startswith(b"{")
               else jwk.JWK.from_pem(data))
    except Exception:  # jwcrypto raises several kinds for a malformed key; all mean the same here
        raise BadgeKeyFileError("is neither a PEM nor a JWK private key") from None
    if key.get("kty") != "OKP" or key.get("crv") != "Ed25519" or not key.has_private:
        raise BadgeKeyFileError("must hold an Ed25519 private key (kty OKP, crv Ed25519)")
    return key
