"""Recovery codes: ten single-use codes, shown once when a second factor is set up, for the day the phone
is lost. Like passwords, only their Argon2id hashes are stored (services/passwords.py), so a copy of the
database does not give them away (decision 0060).

A code is ten characters of an alphabet without look-alikes (no 0/o, 1/l/i), about 50 bits, shown as
two groups of five; case, spaces and the dash do not matter when it is typed back.
"""

from __future__ import annotations

import secrets

from sqlalchemy import delete, func, select

from learnhub.extensions import db
from learnhub.models import RecoveryCode, User
from learnhub.models.base import utcnow
from learnhub.services import passwords

COUNT = 10
LENGTH = 10
ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"


def _new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def normalise(code: str) -> str:
    return "".join(ch for ch in code.casefold() if ch.isalnum())


def issue(user: User) -> list[str]:
    """Replace the user's recovery codes with ten new ones; returns them in clear, to be shown once."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_code() for _ in range(COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=passwords.hash_password(normalise(code)))
                       for code in codes)
    db.session.flush()
    return codes


def remaining(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


def use(user: User, code: str) -> bool:
    """Spend one unused code that matches `code`; False when none does. Each unused code is checked (at
    most ten Argon2 verifications: a recovery code is typed rarely)."""
    typed = normalise(code)
    if len(typed) != LENGTH:
        return False
    unused = db.session.scalars(select(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)).order_by(RecoveryCode.id))
    for row in unused:
        if passwords.verify_password(row.code_hash, typed):
            row.used_at = utcnow()
            db.session.flush()
            return True
    return False


def remove(user: User) -> None:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
