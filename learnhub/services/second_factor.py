"""What an account's second step is made of, and who must have one (decisions 0060 and 0061).

A login with the right password finishes only after a second factor when the account has one: a code
from its authenticator app or one of its recovery codes. Roles listed in MFA_REQUIRED_ROLES (analysts
and admins by default) must set one up before they can use anything else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from learnhub.models import User
from learnhub.services import recovery_codes, remembered_devices, totp


@dataclass(frozen=True)
class Factors:
    """The account's factors, for its security page."""

    totp: bool
    recovery_codes_left: int
    remembered_devices: int

    @property
    def any(self) -> bool:
        return self.totp


def factors(user: User) -> Factors:
    return Factors(totp.is_confirmed(user), recovery_codes.remaining(user),
                   len(remembered_devices.active(user)))


def has_second_factor(user: User) -> bool:
    return totp.is_confirmed(user)


def required(user: User, roles: Iterable[str]) -> bool:
    """Whether the account's role must have a second factor (MFA_REQUIRED_ROLES)."""
    return user.role in tuple(roles)


def verify(user: User, code: str) -> str | None:
    """The method the typed `code` proves ("totp" or "recovery-code"), spending it; None when wrong.
    Six digits are read as an authenticator code, anything else as a recovery code."""
    if totp.looks_like_code(code):
        return "totp" if totp.verify(user, code) else None
    if has_second_factor(user) and recovery_codes.use(user, code):
        return "recovery-code"
    return None


def remove_all(user: User) -> None:
    """Remove every factor of the account, its recovery codes and remembered devices, and end its
    sessions (an admin's reset for someone who lost their phone)."""
    totp.remove(user)
    recovery_codes.remove(user)
    remembered_devices.revoke_all(user)
    user.end_all_sessions()
