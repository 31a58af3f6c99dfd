"""Logging in with a password: the one path every form that takes a password goes through (the login
page, learnhub/web/auth/views.py, and the quiz page's login, learnhub/web/learn/views.py).

An account with a second factor is not logged in by its password alone: the session only remembers,
for a few minutes, who passed the password (`pending_user`), and `second_step` finishes the login with
a code. Code attempts are counted by the same throttle as passwords (decision 0060).
"""

from __future__ import annotations

import time

from flask import after_this_request, current_app, flash, request, session
from flask_babel import gettext as _
from flask_login import login_user

from learnhub.extensions import db
from learnhub.security import audit_request, client_ip
from learnhub.services import accounts, login_throttle, remembered_devices, second_factor, sso_accounts

PENDING_KEY = "second_step"
PENDING_SECONDS = 600  # the second step must follow the password within ten minutes
AUTHENTICATED_AT_KEY = "authenticated_at"
SSO_LINK_KEY = "sso_link"  # an identity at a provider waiting for its account's owner to log in (decision 0063)
SSO_SESSION_KEY = "sso"  # the provider that signed this session in, and its ID token, for logout
SSO_LOGOUT_KEY = "sso_logout"  # after logout: where to log out at that provider too


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
    if second_factor.has_second_factor(user) and not remembered_devices.is_remembered(
            user, request.cookies.get(remembered_devices.COOKIE), config["SECRET_KEY"]):
        audit_request("auth.password_accepted", actor_id=user.id)
        db.session.commit()
        _await_second_step(user)
        return None, verdict
    audit_request("auth.login", actor_id=user.id)
    db.session.commit()
    _start_session(user)
    _remember_device(user)
    return user, verdict


def _await_second_step(user, sso: dict | None = None) -> None:
    """A fresh session that knows only who passed the password (or their provider), and when."""
    kept = {key: session[key] for key in ("language", SSO_LINK_KEY) if key in session}
    session.clear()
    session[PENDING_KEY] = {"user": user.id, "token": user.session_token, "at": int(time.time()), "sso": sso}
    session.update(kept)


def log_in_from_provider(user, provider_key: str, id_token: str) -> bool:
    """After a checked single sign-on: logged in (True), or awaiting the account's second step (False)."""
    sso = {"provider": provider_key, "id_token": id_token}
    if second_factor.has_second_factor(user) and not remembered_devices.is_remembered(
            user, request.cookies.get(remembered_devices.COOKIE), current_app.config["SECRET_KEY"]):
        audit_request("auth.sso_accepted", actor_id=user.id, provider=provider_key)
        db.session.commit()
        _await_second_step(user, sso)
        return False
    audit_request("auth.login", actor_id=user.id, provider=provider_key)
    db.session.commit()
    _start_session(user)
    session[SSO_SESSION_KEY] = sso
    _remember_device(user)
    return True


def pending_user():
    """The account whose password this browser gave in the last few minutes, awaiting its second step."""
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    return accounts.session_user(int(pending.get("user", 0)), str(pending.get("token", "")))


def second_step(code: str, remember: bool = False) -> tuple[object | None, login_throttle.Verdict | None]:
    """Finish the pending login with an authenticator or recovery code: throttled like a password (the
    same counters, so a code guessed costs what a password guessed costs), audited, committed once.

    Returns (the user, now logged in, or None) and the throttle's verdict (None: nothing is pending).
    """
    user = pending_user()
    if user is None:
        return None, None
    config = current_app.config
    device = login_throttle.trusted_device(request.cookies.get(login_throttle.DEVICE_COOKIE),
                                           config["SECRET_KEY"], user.email)
    verdict = login_throttle.check(user.email, client_ip() or "unknown", device,
                                   login_throttle.LoginLimits.from_config(config))
    if not verdict.allowed:
        audit_request("auth.second_step_throttled", actor_id=user.id, reason=verdict.reason,
                      retry_after=verdict.retry_after)
        db.session.commit()
        return None, verdict
    method = second_factor.verify(user, code)
    if method is None:
        login_throttle.record_failure(verdict)
        audit_request("auth.second_step_failed", actor_id=user.id, known_device=device is not None)
        db.session.commit()
        return None, verdict
    finish_login(user, method, remember)
    return user, verdict


def finish_login(user, method: str, remember: bool = False, **detail) -> None:
    """Log in `user`, who proved a second factor (`method`: "totp", "recovery-code", "passkey"): audited,
    committed, a fresh session marked as meeting the role's requirement, this browser remembered if asked."""
    audit_request("auth.login", actor_id=user.id, second_factor=method, **detail)
    if remember and current_app.config["REMEMBER_DEVICE_DAYS"]:
        _remember_for_second_step(user)
    db.session.commit()
    pending = session.get(PENDING_KEY)
    sso = pending.get("sso") if isinstance(pending, dict) else None
    _start_session(user)
    session["second_factor_ok"] = True  # factors.views.FACTOR_OK_KEY: the role's requirement is met
    if sso:
        session[SSO_SESSION_KEY] = sso
    _remember_device(user)


def _remember_for_second_step(user) -> None:
    """Let this browser skip the second step for REMEMBER_DEVICE_DAYS (a signed, revocable cookie)."""
    config = current_app.config
    days = config["REMEMBER_DEVICE_DAYS"]
    label = (request.user_agent.string or "")[:remembered_devices.LABEL_LENGTH]
    value = remembered_devices.remember(user, label, days, request.cookies.get(remembered_devices.COOKIE),
                                        config["SECRET_KEY"])
    audit_request("auth.device_remembered", actor_id=user.id, days=days)

    @after_this_request
    def _set_cookie(response):
        response.set_cookie(remembered_devices.COOKIE, value, max_age=days * 86400, httponly=True,
                            samesite="Lax", secure=config["SESSION_COOKIE_SECURE"])
        return response


def recently_authenticated(seconds: int) -> bool:
    """Whether this session proved its owner (logged in, or confirmed the password) in the last `seconds`."""
    return time.time() - session.get(AUTHENTICATED_AT_KEY, 0) <= seconds


def mark_authenticated() -> None:
    session[AUTHENTICATED_AT_KEY] = int(time.time())


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
    link = session.get(SSO_LINK_KEY)
    session.clear()
    login_user(user)
    mark_authenticated()
    if language:
        session["language"] = language
    if link:
        _link_identity(user, link)


def _link_identity(user, link) -> None:
    """The owner proved the account (password, and second factor if any) after their provider named its
    address: link that identity, so the provider signs them in from now on (decision 0063)."""
    if (not isinstance(link, dict) or time.time() - link.get("at", 0) > PENDING_SECONDS
            or link.get("email") != user.email):
        return
    if sso_accounts.link(user, str(link.get("provider")), str(link.get("subject"))) is None:
        return
    audit_request("account.sso_linked", actor_id=user.id, provider=link.get("provider"))
    db.session.commit()
    flash(_("Your organisation's sign-in is now linked to this account."), "success")


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
