"""Home page, language switcher and health check."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import text

from learnhub import i18n
from learnhub.database import reads_only
from learnhub.extensions import db, rate_limit_status
from learnhub.jobs import queue
from learnhub.security import anonymous_form, no_store, safe_next_url
from learnhub.services import campaigns, catalogue, course_sync, learning
from learnhub.web import page_cache

bp = Blueprint("main", __name__)


@bp.get("/")
@reads_only
def home():
    """A visitor's front page; a learner's next step: the recertification campaigns they have to complete, their
    assignments and courses under way, and a few
    courses suggested for their role and sector (the first page after registering and logging in)."""
    if not current_user.is_authenticated:
        return page_cache.render("main/home.html", ())  # the same for every visitor in a language
    language = i18n.current_language()
    rows = learning.dashboard(current_user)
    taken = {row.course.id for row in rows}
    suggestions = catalogue.suggested_for(current_user.ecsf_role, current_user.sector, language, leave_out=taken)
    html = render_template("main/home.html", campaigns=campaigns.open_for(current_user),
                           assigned=[row for row in rows if row.assigned],
                           under_way=[row for row in rows if not row.assigned and row.enrolment is not None
                                      and row.enrolment.completed_at is None],
                           suggestions=suggestions, language=language)
    return no_store(current_app.make_response(html))


@bp.post("/language")
@anonymous_form
def set_language():
    """Switch the interface language: a logged-in learner's choice is saved to their profile, a visitor's in a
    cookie of its own (not the session, so anonymous pages need no session cookie, decision 0037)."""
    language = request.form.get("language", "")
    response = redirect(safe_next_url(request.form.get("next")) or url_for("main.home"), 303)
    if language in current_app.config["LANGUAGES"]:
        if current_user.is_authenticated:
            session["language"] = language
            current_user.language = language
            db.session.commit()
        else:
            response.set_cookie(i18n.LANGUAGE_COOKIE, language, max_age=i18n.LANGUAGE_COOKIE_AGE, httponly=True,
                                samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])
            # The language a session still holds (kept at logout, or during a login's second step) would
            # outrank the cookie: the visitor's new choice replaces it.
            if "language" in session:
                session["language"] = language
    return response


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

