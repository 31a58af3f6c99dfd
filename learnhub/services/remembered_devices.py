"""Browsers that may skip the second step for a while (decision 0061).

After a second step the owner may tick "Remember this device": the browser gets a cookie, signed with
the application's key, holding a device row's id and a random secret whose SHA-256 is stored. It counts
only while the row is unexpired and not revoked: the owner can revoke one or all from their security
page, and a password change or an admin's reset revokes them all. The password is still asked for.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update

from learnhub.extensions import db
from learnhub.models import RememberedDevice, User
from learnhub.models.base import utcnow

COOKIE = "learnhub_mfa_device"
PER_BROWSER = 5  # a shared office computer may remember a few accounts
LABEL_LENGTH = 120


def _serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt="learnhub-remembered-device")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _entries(cookie: str | None, secret_key: str) -> list[list]:
    if not cookie:
        return []
    try:
        entries = _serializer(secret_key).loads(cookie)
    except BadSignature:
        return []
    if not isinstance(entries, list):
        return []
    return [entry for entry in entries if isinstance(entry, list) and len(entry) == 3]


def remember(user: User, label: str, days: int, cookie: str | None, secret_key: str) -> str:
    """Record a remembered device for `days` and return the browser's new cookie value."""
    token = secrets.token_urlsafe(32)
    row = RememberedDevice(user_id=user.id, token_hash=_hash(token), label=label[:LABEL_LENGTH],
                           expires_at=utcnow() + timedelta(days=days))
    db.session.add(row)
    db.session.flush()
    others = [entry for entry in _entries(cookie, secret_key) if entry[0] != user.id]
    return _serializer(secret_key).dumps([[user.id, row.id, token], *others][:PER_BROWSER])


def is_remembered(user: User, cookie: str | None, secret_key: str) -> bool:
    """Whether this browser's cookie holds a live remembered device of `user`."""
    for user_id, device_id, token in _entries(cookie, secret_key):
        if user_id != user.id or not isinstance(token, str):
            continue
        row = db.session.get(RememberedDevice, device_id)
        return (row is not None and row.user_id == user.id and row.revoked_at is None
                and row.expires_at > utcnow() and secrets.compare_digest(row.token_hash, _hash(token)))
    return False


def active(user: User) -> list[RememberedDevice]:
    return list(db.session.scalars(select(RememberedDevice).where(
        RememberedDevice.user_id == user.id, RememberedDevice.revoked_at.is_(None),
        RememberedDevice.expires_at > utcnow()).order_by(RememberedDevice.created_at.desc())))


def revoke(user: User, device_id: int) -> RememberedDevice | None:
    row = db.session.get(RememberedDevice, device_id)
    if row is None or row.user_id != user.id or row.revoked_at is not None:
        return None
    row.revoked_at = utcnow()
    db.session.flush()
    return row


def revoke_all(user: User) -> int:
    return db.session.execute(update(RememberedDevice).where(
        RememberedDevice.user_id == user.id, RememberedDevice.revoked_at.is_(None)).values(
        revoked_at=utcnow())).rowcount
