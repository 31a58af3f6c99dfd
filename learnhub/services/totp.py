"""Authenticator apps (TOTP, RFC 6238) as a second factor, with pyotp (decision 0060).

Setting one up is two steps: `start` keeps a new secret unconfirmed and gives the QR code to scan
(an SVG made here, never by a third-party service); `confirm` takes a first code from the app, and
only then does the factor count. A code is accepted one time step either side of now (a phone's
clock drifts), and never twice: `last_counter` remembers the newest time step used.
"""

from __future__ import annotations

import hmac
import time

import pyotp
import segno
from sqlalchemy import delete

from learnhub.extensions import db
from learnhub.models import TotpFactor, User
from learnhub.models.base import utcnow

ISSUER = "LearnHub"
DIGITS = 6
DRIFT_STEPS = 1  # codes of the previous and next 30-second step are accepted too


class TotpError(ValueError):
    """`code`: "already-set-up", "not-started"."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def factor(user: User) -> TotpFactor | None:
    return db.session.get(TotpFactor, user.id)


def is_confirmed(user: User) -> bool:
    row = factor(user)
    return row is not None and row.confirmed_at is not None


def start(user: User) -> TotpFactor:
    """A new unconfirmed secret for `user` (replacing an unconfirmed one); refused once one is confirmed:
    the owner removes the old authenticator first."""
    row = factor(user)
    if row is not None and row.confirmed_at is not None:
        raise TotpError("already-set-up")
    if row is None:
        row = TotpFactor(user_id=user.id, secret=pyotp.random_base32())
        db.session.add(row)
    else:
        row.secret, row.created_at, row.last_counter = pyotp.random_base32(), utcnow(), None
    db.session.flush()
    return row


def provisioning_uri(user: User, row: TotpFactor) -> str:
    """The otpauth:// address the QR code holds: the account's address and LearnHub as issuer."""
    return pyotp.TOTP(row.secret, digits=DIGITS).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """The QR code of `uri` as an SVG data: URI (the CSP allows data: images), dark on white, with the
    quiet zone scanners need."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=4, dark="#000", light="#fff")


def grouped_secret(row: TotpFactor) -> str:
    """The secret in groups of four, for someone who types it into the app instead of scanning."""
    return " ".join(row.secret[i:i + 4] for i in range(0, len(row.secret), 4))


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code if not ch.isspace() and ch != "-")


def looks_like_code(code: str) -> bool:
    """Six digits (spaces ignored): a TOTP code rather than a recovery code."""
    code = normalise_code(code)
    return len(code) == DIGITS and code.isascii() and code.isdigit()


def _matching_counter(row: TotpFactor, code: str, now: float) -> int | None:
    totp = pyotp.TOTP(row.secret, digits=DIGITS)
    current = totp.timecode(int(now))
    for counter in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if row.last_counter is not None and counter <= row.last_counter:
            continue  # that step's code (or an older one) was used already
        if hmac.compare_digest(totp.generate_otp(counter), code):
            return counter
    return None


def _accept(row: TotpFactor, code: str, now: float | None) -> bool:
    code = normalise_code(code)
    if not looks_like_code(code):
        return False
    counter = _matching_counter(row, code, time.time() if now is None else now)
    if counter is None:
        return False
    row.last_counter = counter
    db.session.flush()
    return True


def confirm(user: User, code: str, now: float | None = None) -> bool:
    """Confirm the secret being set up with a code from the app; False when the code is wrong."""
    row = factor(user)
    if row is None or row.confirmed_at is not None:
        raise TotpError("not-started")
    if not _accept(row, code, now):
        return False
    row.confirmed_at = utcnow()
    db.session.flush()
    return True


def verify(user: User, code: str, now: float | None = None) -> bool:
    """Whether `code` is a current, unused code of the user's confirmed authenticator."""
    row = factor(user)
    if row is None or row.confirmed_at is None:
        return False
    return _accept(row, code, now)


def remove(user: User) -> bool:
    """Forget the user's authenticator (confirmed or not); True if there was one."""
    return db.session.execute(delete(TotpFactor).where(TotpFactor.user_id == user.id)).rowcount > 0
