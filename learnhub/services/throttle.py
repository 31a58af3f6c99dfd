"""Attempt counters kept in the database, so a limit holds across every worker and instance.

Flask-Limiter's default store lives in each process: with two gunicorn workers, a limit of 5 let 9
bad logins through (issue 11). These counters are rows of the one database that every worker and
instance already shares, on SQLite and PostgreSQL alike, and they are written in the request's own
transaction (the view commits once). Windows move: an attempt counts for exactly `seconds` after it
was made, so no window boundary doubles the rate (decision 0023).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

import limits
from sqlalchemy import delete, select, text

from learnhub.extensions import db
from learnhub.models import ThrottleEvent
from learnhub.models.base import utcnow

#: Rows older than this are deleted; no configured window may be longer (checked in config.py).
RETENTION = timedelta(days=1)


@dataclass(frozen=True)
class Limit:
    """At most `amount` counted attempts in any `seconds` seconds."""

    amount: int
    seconds: int


@lru_cache(maxsize=64)
def parse(text_limits: str) -> tuple[Limit, ...]:
    """"5 per minute; 20 per hour" -> Limits; raises ValueError on anything else (config.py names the variable)."""
    items = limits.parse_many(text_limits)
    if not items:
        raise ValueError(text_limits)
    return tuple(Limit(item.amount, item.get_expiry()) for item in items)


def key_hash(scope: str, key: str) -> str:
    """Only a hash of the key (an e-mail address, a client address) is stored."""
    return hashlib.sha256(f"{scope}\x00{key}".encode()).hexdigest()


def serialise(scope: str, key: str) -> None:
    """Make concurrent attempts on one key wait for each other until the transaction ends.

    SQLite needs nothing: a POST's transaction begins IMMEDIATE and holds the only write lock. On
    PostgreSQL two requests could both read "4 of 5" and both go on; a transaction-level advisory
    lock on the key makes the second one read after the first one has counted.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        number = int(key_hash(scope, key)[:15], 16)  # fits a signed 64-bit integer
        db.session.execute(text("SELECT pg_advisory_xact_lock(:number)"), {"number": number})


def recent(scope: str, key: str, seconds: int, newest: int, now: datetime | None = None) -> list[datetime]:
    """Times of up to `newest` attempts counted in the last `seconds`, newest first."""
    now = now or utcnow()
    return list(db.session.scalars(
        select(ThrottleEvent.at)
        .where(ThrottleEvent.scope == scope, ThrottleEvent.key_hash == key_hash(scope, key),
               ThrottleEvent.at > now - timedelta(seconds=seconds))
        .order_by(ThrottleEvent.at.desc()).limit(newest)))


def retry_after(scope: str, key: str, rules: tuple[Limit, ...], now: datetime | None = None) -> int | None:
    """Seconds until one more attempt fits every limit, or None when it fits now."""
    now = now or utcnow()
    wait = 0.0
    for rule in rules:
        times = recent(scope, key, rule.seconds, rule.amount, now)
        if len(times) >= rule.amount:  # the oldest of those must leave the window first
            wait = max(wait, (times[-1] + timedelta(seconds=rule.seconds) - now).total_seconds())
    return max(1, int(wait + 0.999)) if wait > 0 else None


def record(scope: str, key: str, now: datetime | None = None) -> None:
    """Count one attempt (in the caller's transaction) and forget attempts older than RETENTION."""
    now = now or utcnow()
    db.session.execute(delete(ThrottleEvent).where(ThrottleEvent.at < now - RETENTION))
    db.session.add(ThrottleEvent(scope=scope, key_hash=key_hash(scope, key), at=now))
    db.session.flush()
