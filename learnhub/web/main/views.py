"""Home page, language switcher and health check."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import text

from learnhub.extensions import db, rate_limit_status
from learnhub.jobs import queue
from learnhub.security import safe_next_url
from learnhub.services import catalogue, course_sync

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    return render_template("main/home.html")


@bp.post("/language")
def set_language():
    """Switch the interface language; a logged-in learner's choice is saved to their profile."""
    language = request.form.get("language", "")
    if language in current_app.config["LANGUAGES"]:
        session["language"] = language
        if current_user.is_authenticated:
            current_user.language = language
            db.session.commit()
    return redirect(safe_next_url(request.form.get("next")) or url_for("main.home"), 303)


@bp.get("/health")
def health():
    """For load balancers and operators: 200 when the database, the task queue and the rate-limit store answer,
    503 when not, with how many jobs wait in the queue and what this worker caches."""
    try:
        db.session.execute(text("SELECT 1"))
        published = course_sync.published_course_count()
    except Exception:  # any database failure means unhealthy, whatever the driver raises
        current_app.logger.exception("health check failed")
        db.session.rollback()
        return jsonify(status="error", database="unavailable"), 503
    parts = {**queue.health(), **rate_limit_status(), **catalogue.cache_status()}
    healthy = parts["queue"] == "ok" and parts["cache"] == "ok" and parts["rate_limits"] in ("ok", "off")
    status, code = ("ok", 200) if healthy else ("degraded", 503)
    return jsonify(status=status, database="ok", published_courses=published, **parts), code

