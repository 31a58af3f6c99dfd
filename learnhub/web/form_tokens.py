"""The CSRF token a page puts in its forms, made with a signer kept per secret key (issue 14, decision 0094).

Flask-WTF's `generate_csrf` builds a new serializer on every request that shows a form, and its signing derives the
HMAC key again and tries to compress a 40-character token: about 55 us of a lesson page's 800. The token made here
is the same one, in the same format (itsdangerous' URL-safe timed serialization of the session's raw token, salt
"wtf-csrf-token", signed with `WTF_CSRF_SECRET_KEY` or the app's secret key), so Flask-WTF's own check (CSRFProtect,
on every POST) accepts it unchanged; only the making of it is cheaper. Within one request it is the one token both
ways: each stores it where the other looks for it (`g.csrf_token`).

A session without a raw token yet, or with one that is not text, goes to Flask-WTF, which makes a new one.
"""

from __future__ import annotations

import functools
import hashlib
import json

from flask import current_app, g, session
from flask_wtf.csrf import generate_csrf
from itsdangerous import TimestampSigner
from itsdangerous.encoding import base64_encode

SALT = "wtf-csrf-token"  # Flask-WTF's, for the same tokens


class _KeptKeySigner(TimestampSigner):
    """itsdangerous' timestamp signer as `URLSafeTimedSerializer(secret, salt=SALT)` makes it, with its derived
    key computed once rather than at every signature."""

    def __init__(self, secret_key: str | bytes):
        super().__init__(secret_key, salt=SALT, key_derivation="django-concat", digest_method=hashlib.sha1)
        self._derived = super().derive_key()

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        return self._derived if secret_key is None else super().derive_key(secret_key)


@functools.lru_cache(maxsize=4)
def _signer(secret_key: str | bytes) -> _KeptKeySigner:
    return _KeptKeySigner(secret_key)


def form_token() -> str:
    """This session's CSRF token for a form on the page, as Flask-WTF's `csrf_token()` gives it."""
    config = current_app.config
    field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    token = g.get(field)
    if token is not None:
        return token
    raw = session.get(field)
    secret_key = config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
    if not isinstance(raw, str) or not raw.isascii() or not secret_key:
        return generate_csrf()  # (a new raw token, or Flask-WTF's own error for a missing key)
    # The payload as itsdangerous' URL-safe serializer writes it: compact JSON in URL-safe base64. It would use
    # zlib only if that made it shorter, which a random hexadecimal token never is; its loads accepts both.
    token = _signer(secret_key).sign(base64_encode(json.dumps(raw, separators=(",", ":")).encode())).decode()
    setattr(g, field, token)
    return token
