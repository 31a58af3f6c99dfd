"""Helpers shared by the model modules."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Naive UTC, the one time representation stored in every timestamp column (same on SQLite and PostgreSQL)."""
    return datetime.now(UTC).replace(tzinfo=None)
