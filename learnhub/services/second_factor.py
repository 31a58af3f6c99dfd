"""What an account's second step is made of, and who must have one (decisions 0060 and 0061).

A login with the right password finishes only after a second factor when the account has one: a code
from its authenticator app, one of its recovery codes, or one of its passkeys. Roles listed in
MFA_REQUIRED_ROLES (analysts and admins by default) must set one up before they can use anything else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import exists, select

from learnhub.extensions import db
from learnhub.models import Passkey, User
from learnhub.services import passkeys, recovery_codes, remembered_devices, totp


@dataclass(frozen=True)
class Factors:
    """The account's factors, for its security page."""

    totp: bool
    passkeys: int
    recovery_codes_left: int
    remembered_devices: int

    @property
    def any(self) -> bool:
        return self.totp or self.passkeys > 0


def factors(user: User, keys: list | None = None, devices: list | None = None) -> Factors:
    """The account's factors; `keys` and `devices` when the caller has read them already."""
    keys = passkeys.for_user(user) if keys is None else keys
    devices = remembered_devices.active(user) if devices is None else devices
    return Factors(totp.is_confirmed(user), len(keys), recovery_codes.remaining(user), len(devices))


def has_second_factor(user: User) -> bool:
    return totp.is_confirmed(user) or bool(db.session.scalar(select(exists().where(Passkey.user_id == user.id))))


def forget_extras_if_none_left(user: User) -> None:
    """After a factor is removed: with no factor left, recovery codes and remembered devices go too (they
    stand in for a factor that no longer exists)."""
    if not has_second_factor(user):
        recovery_codes.remove(user)
        remembered_devices.revoke_all(user)


def required(user: User, roles: Iterable[str]) -> bool:
    """Whether the account's role must have a second factor (MFA_REQUIRED_ROLES)."""
    return user.role in tuple(roles)


def verify(user: User, code: str) -> str | None:
    """The method the typed `code` proves ("totp" or "recovery-code"), spending it; None when wrong.
    Six digits are read as an authenticator code, anything else as a recovery code."""
    if totp.looks_like_code(code):
        return "totp" if totp.verify(user, code) else None
    if recovery_codes.use(user, code):
        return "recovery-code"
    return None


def remove_all(user: User) -> None:
    """Remove every factor of the account, its recovery codes and remembered devices, and end its
    sessions (an admin's reset for someone who lost their phone)."""
    totp.remove(user)
    passkeys.remove_all(user)
    recovery_codes.remove(user)
    remembered_devices.revoke_all(user)
    user.end_all_sessions()
