"""Passkeys (decision 0062): add one (after a fresh proof of the owner), name, rename and remove them,
and sign in with one, after the password (the second step) or instead of it.

These are the only pages with a script: the WebAuthn ceremony (static/webauthn.js, from our origin,
under the unchanged CSP). The challenge of each ceremony is kept in the session and used once.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from learnhub.extensions import db
from learnhub.models import User
from learnhub.security import audit_request, client_ip, no_store, safe_next_url
from learnhub.services import login_throttle, passkeys, recovery_codes, second_factor, throttle
from learnhub.services.passkeys import PasskeyError
from learnhub.web import sessions
from learnhub.web.factors.forms import ActionForm, NewPasskeyForm, PasskeySignInForm, RenamePasskeyForm
from learnhub.web.factors.views import FACTOR_OK_KEY, REAUTH_SECONDS
from learnhub.web.forms_common import wait_message

bp = Blueprint("passkeys", __name__)
CHALLENGE_KEY = "webauthn_challenge"


def _party() -> passkeys.RelyingParty:
    return passkeys.RelyingParty.from_base_url(current_app.config["BASE_URL"])


def _keep_challenge(purpose: str, challenge: bytes) -> None:
    session[CHALLENGE_KEY] = {"purpose": purpose, "challenge": challenge.hex()}


def _take_challenge(purpose: str) -> bytes | None:
    """The challenge kept for `purpose`, forgotten as it is read: each works once."""
    kept = session.pop(CHALLENGE_KEY, None)
    if not isinstance(kept, dict) or kept.get("purpose") != purpose:
        return None
    try:
        return bytes.fromhex(kept.get("challenge", ""))
    except ValueError:
        return None


def error_message(code: str) -> str:
    return {
        "name-required": _("Enter a name that tells your passkeys apart."),
        "name-too-long": _("Enter a name of at most %(n)d characters.", n=passkeys.NAME_MAX_LENGTH),
        "too-many": ngettext("You already have %(num)d passkey. Remove it first.",
                             "You already have %(num)d passkeys. Remove one you no longer use first.",
                             passkeys.MAX_PER_USER),
        "no-credential": _("Your browser sent no passkey. Press the button and follow your browser's steps."),
    }.get(code, _("The passkey could not be checked. Try again, or use another way to sign in."))


def _page(template: str, status: int = 200, **context):
    return no_store(current_app.make_response((render_template(template, **context), status)))


@bp.route("/account/security/passkeys/new", methods=["GET", "POST"])
@login_required
def register():
    if not sessions.recently_authenticated(REAUTH_SECONDS):
        return redirect(url_for("factors.confirm_password", next=url_for("passkeys.register")), 303)
    user = current_user._get_current_object()
    form = NewPasskeyForm()
    if form.validate_on_submit():
        challenge = _take_challenge("register")
        try:
            if not form.credential.data or challenge is None:
                raise PasskeyError("no-credential")
            first = not second_factor.has_second_factor(user)
            key = passkeys.register(user, form.name.data, form.credential.data, challenge, _party())
        except PasskeyError as error:
            db.session.rollback()
            form.name.errors.append(error_message(error.code))
        else:
            audit_request("account.passkey_added", passkey_id=key.id, name=key.name)
            codes = recovery_codes.issue(user) if first or recovery_codes.remaining(user) == 0 else None
            db.session.commit()
            session[FACTOR_OK_KEY] = True
            if codes:
                return _page("factors/recovery_codes.html", codes=codes, first=True, added=key.name)
            flash(_("The passkey “%(name)s” is added.", name=key.name), "success")
            return redirect(url_for("factors.overview"), 303)
    options, challenge = passkeys.registration_options(user, _party(), current_app.config["SECRET_KEY"])
    _keep_challenge("register", challenge)
    form.credential.data = ""
    return _page("factors/passkey_new.html", 400 if form.errors else 200, form=form, options=options)


@bp.post("/account/security/passkeys/<id:passkey_id>/rename")
@login_required
def rename(passkey_id: int):
    form = RenamePasskeyForm()
    if not form.validate_on_submit():
        flash(error_message("name-required"), "error")
        return redirect(url_for("factors.overview"), 303)
    try:
        key = passkeys.rename(current_user._get_current_object(), passkey_id, form.name.data)
    except PasskeyError as error:
        if error.code == "unknown":
            abort(404)
        flash(error_message(error.code), "error")
        return redirect(url_for("factors.overview"), 303)
    audit_request("account.passkey_renamed", passkey_id=key.id, name=key.name)
    db.session.commit()
    flash(_("The passkey is now called “%(name)s”.", name=key.name), "success")
    return redirect(url_for("factors.overview"), 303)


@bp.post("/account/security/passkeys/<id:passkey_id>/remove")
@login_required
def remove(passkey_id: int):
    if not sessions.recently_authenticated(REAUTH_SECONDS):
        return redirect(url_for("factors.confirm_password", next=url_for("factors.overview")), 303)
    if not ActionForm().validate_on_submit():
        abort(400)
    user = current_user._get_current_object()
    try:
        key = passkeys.remove(user, passkey_id)
    except PasskeyError:
        abort(404)
    second_factor.forget_extras_if_none_left(user)
    audit_request("account.passkey_removed", passkey_id=key.id, name=key.name)
    db.session.commit()
    if not second_factor.has_second_factor(user):
        session.pop(FACTOR_OK_KEY, None)
    flash(_("The passkey “%(name)s” is removed: it no longer signs in to LearnHub.", name=key.name), "success")
    return redirect(url_for("factors.overview"), 303)


@bp.route("/login/passkey", methods=["GET", "POST"])
def sign_in():
    """Sign in with a passkey: after the password (the second step of that account) or instead of it (any
    passkey of this site, the authenticator verifying the person). Failures count per client address like
    failed logins."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    pending = sessions.pending_user()
    target = safe_next_url(request.args.get("next"))
    form = PasskeySignInForm()
    status = 200
    if form.validate_on_submit():
        ip = client_ip() or "unknown"
        limits = login_throttle.LoginLimits.from_config(current_app.config)
        wait = throttle.retry_after("login-ip", ip, limits.per_ip)
        challenge = _take_challenge("sign-in")
        try:
            if wait is not None:
                raise PasskeyError("throttled")
            if not form.credential.data or challenge is None:
                raise PasskeyError("no-credential")
            key = passkeys.authenticate(form.credential.data, challenge, _party(), pending)
        except PasskeyError as error:
            db.session.rollback()
            if error.code == "throttled":
                status = 429
                form.submit.errors = [wait_message(wait)]
            else:
                if error.code != "no-credential":
                    throttle.record("login-ip", ip)
                    audit_request("auth.passkey_failed", actor_id=pending.id if pending else None,
                                  reason=error.code)
                db.session.commit()
                status = 400
                form.submit.errors = [error_message(error.code)]
        else:
            user = db.session.get(User, key.user_id)
            if user is None or not user.active:
                abort(404)
            sessions.finish_login(user, "passkey", passkey_id=key.id, password=pending is not None)
            return redirect(target or url_for("main.home"), 303)
    options, challenge = passkeys.authentication_options(_party(), pending)
    _keep_challenge("sign-in", challenge)
    form.credential.data = ""
    response = _page("auth/passkey_login.html", status, form=form, options=options, pending=pending)
    if status == 429:
        response.headers["Retry-After"] = str(wait)
    return response
