"""Login throttling that an attacker cannot turn against the account's owner (decision 0023).

Following OWASP's advice against lockout abuse ("Slow down online guessing attacks with device
cookies"), failed logins are counted in the database (services/throttle.py) along three lines:

- A browser that logged in to the account before carries a signed device cookie. From it, only its
  own failures count (LOGIN_LIMIT_PER_ACCOUNT per device): what strangers do elsewhere never keeps
  the owner out. A device that exceeds its limit is treated like an unknown browser.
- From unknown browsers, failures count per client address (LOGIN_LIMIT_PER_IP, all accounts) and
  per account (LOGIN_LIMIT_PER_ACCOUNT, all addresses together).
- Beyond the per-account limit the account is not locked: it slows down, per client address. An
  address that has not failed on the account in the last hour may try at once; after each failure
  it waits twice as long (1, 2, 4 ... minutes, at most SLOW_DOWN_CAP). An attacker who exhausts the
  account's allowance from one place leaves a newcomer's browser elsewhere free to try.

A refused attempt is never checked against the password, and every answer is the same whether or
not the account exists: the counters are keyed by the typed address, known or not.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer

from learnhub.models.base import utcnow
from learnhub.services import throttle
from learnhub.services.accounts import find_by_email, normalise_email

DEVICE_COOKIE = "learnhub_device"
DEVICE_LIFETIME = timedelta(days=180)
DEVICES_PER_BROWSER = 5  # a shared office computer remembers its last few accounts
SLOW_DOWN_BASE = timedelta(minutes=1)
SLOW_DOWN_CAP = timedelta(minutes=30)
SLOW_DOWN_MEMORY = timedelta(hours=1)


@dataclass(frozen=True)
class LoginLimits:
    per_ip: tuple[throttle.Limit, ...]
    per_account: tuple[throttle.Limit, ...]

    @classmethod
    def from_config(cls, config) -> LoginLimits:
        return cls(throttle.parse(config["LOGIN_LIMIT_PER_IP"]), throttle.parse(config["LOGIN_LIMIT_PER_ACCOUNT"]))


@dataclass(frozen=True)
class Verdict:
    """Whether the attempt may be checked; if not, why (for the audit log) and for how many seconds."""

    allowed: bool
    email: str
    ip: str
    device: str | None = None  # the trusted device the attempt comes from, if any
    reason: str | None = None  # "address", "account-slowed"
    retry_after: int = 0


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt="learnhub-device-cookie")


def _entries(cookie: str | None, secret: str) -> list[list]:
    """The cookie's unexpired [user id, device id, issued at] entries; a forged or stale cookie has none."""
    if not cookie:
        return []
    try:
        entries = _serializer(secret).loads(cookie)
    except BadSignature:
        return []
    oldest = time.time() - DEVICE_LIFETIME.total_seconds()
    return [entry for entry in entries if isinstance(entry, list) and len(entry) == 3 and entry[2] > oldest]


def trusted_device(cookie: str | None, secret: str, email: str) -> str | None:
    """The device id this browser holds for the account at `email`, if it logged in to it before."""
    entries = _entries(cookie, secret)
    user = find_by_email(email) if entries else None
    if user is None:
        return None
    return next((device for user_id, device, _ in entries if user_id == user.id), None)


def remember_device(cookie: str | None, secret: str, user_id: int) -> str:
    """A new cookie value after a successful login: a fresh device id for this account, kept first."""
    others = [entry for entry in _entries(cookie, secret) if entry[0] != user_id]
    entries = [[user_id, secrets.token_urlsafe(16), int(time.time())], *others][:DEVICES_PER_BROWSER]
    return _serializer(secret).dumps(entries)


def check(email: str, ip: str, device: str | None, limits: LoginLimits, now: datetime | None = None) -> Verdict:
    """May this attempt have its password checked? Call before checking it, in the request's transaction."""
    now = now or utcnow()
    email = normalise_email(email)
    throttle.serialise("login-account", email)
    if device is not None and throttle.retry_after("login-device", device, limits.per_account, now) is None:
        return Verdict(True, email, ip, device=device)
    wait = throttle.retry_after("login-ip", ip, limits.per_ip, now)
    if wait is not None:
        return Verdict(False, email, ip, reason="address", retry_after=wait)
    if throttle.retry_after("login-account", email, limits.per_account, now) is None:
        return Verdict(True, email, ip)
    failures = throttle.recent("login-pair", f"{email}|{ip}", int(SLOW_DOWN_MEMORY.total_seconds()), 64, now)
    if not failures:
        return Verdict(True, email, ip)
    delay = min(SLOW_DOWN_BASE * 2 ** (len(failures) - 1), SLOW_DOWN_CAP)
    wait_seconds = (failures[0] + delay - now).total_seconds()
    if wait_seconds <= 0:
        return Verdict(True, email, ip)
    return Verdict(False, email, ip, reason="account-slowed", retry_after=max(1, int(wait_seconds + 0.999)))


def record_failure(verdict: Verdict, now: datetime | None = None) -> None:
    """Count a failed attempt along the lines its verdict was judged on."""
    if verdict.device is not None:
        throttle.record("login-device", verdict.device, now)
        return
    throttle.record("login-ip", verdict.ip, now)
    throttle.record("login-account", verdict.email, now)
    throttle.record("login-pair", f"{verdict.email}|{verdict.ip}", now)
