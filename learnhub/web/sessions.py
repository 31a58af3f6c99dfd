"""Logging in with a password: the one path every form that takes a password goes through (the login
page, learnhub/web/auth/views.py, and the quiz page's login, learnhub/web/learn/views.py).
"""

from __future__ import annotations

from flask import after_this_request, current_app, request, session
from flask_login import login_user

from learnhub.extensions import db
from learnhub.security import audit_request, client_ip
from learnhub.services import accounts, login_throttle


def log_in(email: str, password: str) -> tuple[object | None, login_throttle.Verdict]:
    """Every form that takes a password logs in through here: throttled, audited, committed once.

    Returns (the user, now logged in, or None) and the throttle's verdict: a refused attempt
    (`not verdict.allowed`) was not checked against the password at all.
    """
    config = current_app.config
    device = login_throttle.trusted_device(request.cookies.get(login_throttle.DEVICE_COOKIE),
                                           config["SECRET_KEY"], email)
    verdict = login_throttle.check(email, client_ip() or "unknown", device,
                                   login_throttle.LoginLimits.from_config(config))
    if not verdict.allowed:
        audit_request("auth.login_throttled", email=verdict.email, reason=verdict.reason,
                      retry_after=verdict.retry_after)
        db.session.commit()
        return None, verdict
    user = accounts.authenticate(email, password)
    if user is None:
        login_throttle.record_failure(verdict)
        audit_request("auth.login_failed", email=verdict.email, known_device=device is not None)
        db.session.commit()
        return None, verdict
    audit_request("auth.login", actor_id=user.id)
    db.session.commit()
    _start_session(user)
    _remember_device(user)
    return user, verdict


def log_in_after_welcome(user) -> None:
    """Log in an invited person who has just chosen their first password through their invitation link: the
    link (single use, mailed to the address) proved who they are, so asking for the password again at once
    would only be a wasted step. The caller has committed the new password; this audits the login."""
    audit_request("auth.login", actor_id=user.id, by="invitation-link")
    db.session.commit()
    _start_session(user)
    _remember_device(user)


def _start_session(user) -> None:
    """A fresh session for a fresh login: nothing from before (a planted session id) survives."""
    language = session.get("language")
    session.clear()
    login_user(user)
    if language:
        session["language"] = language


def _remember_device(user) -> None:
    """Mark this browser as one the account logged in from (the per-account limit then spares it)."""
    value = login_throttle.remember_device(request.cookies.get(login_throttle.DEVICE_COOKIE),
                                           current_app.config["SECRET_KEY"], user.id)

    @after_this_request
    def _set_cookie(response):
        response.set_cookie(login_throttle.DEVICE_COOKIE, value,
                            max_age=int(login_throttle.DEVICE_LIFETIME.total_seconds()), httponly=True,
                            samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])
        return response
