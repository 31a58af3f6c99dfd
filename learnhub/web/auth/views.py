"""Registration, login, logout and password reset."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from learnhub.extensions import db, limiter
from learnhub.security import audit_request, login_limit_per_account, login_limit_per_ip, safe_next_url
from learnhub.services import accounts, invitations, mail
from learnhub.services.accounts import AccountError, Profile
from learnhub.web.auth.forms import LoginForm, RegisterForm, ResetPasswordForm, ResetRequestForm
from learnhub.web.forms_common import PASSWORD_MESSAGES

bp = Blueprint("auth", __name__)


def _start_session(user) -> None:
    """A fresh session for a fresh login: nothing from before (a planted session id) survives."""
    language = session.get("language")
    session.clear()
    login_user(user)
    if language:
        session["language"] = language


def _end_session(user) -> None:
    """Forget the login; the next pages stay in the language the learner reads."""
    logout_user()
    session.clear()
    session["language"] = user.language


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"], error_message="too many registrations")
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = RegisterForm()
    form.fill_choices()
    if request.method == "GET":
        form.language.data = request.accept_languages.best_match(current_app.config["LANGUAGES"]) or "en"
        form.language.data = session.get("language", form.language.data)
    if form.validate_on_submit():
        try:
            user = accounts.create(form.email.data, form.password.data, Profile(**form.profile_values()))
        except AccountError as error:
            if error.code != "email-taken":
                raise
            form.email.errors.append(_("An account with this e-mail address already exists. "
                                       "Log in, or reset your password if you forgot it."))
        else:
            audit_request("account.registered", actor_id=user.id)
            db.session.commit()
            _start_session(user)
            flash(_("Welcome to LearnHub, %(name)s. Your account is ready.", name=user.name), "success")
            return redirect(url_for("main.home"), 303)
    status = 400 if form.errors else 200
    return render_template("auth/register.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@login_limit_per_ip()
@login_limit_per_account()
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next_url(request.args.get("next")) or ""
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is None:
            audit_request("auth.login_failed", email=accounts.normalise_email(form.email.data))
            db.session.commit()
            form.password.errors.append(_("The e-mail address or password is not right."))
        else:
            audit_request("auth.login", actor_id=user.id)
            db.session.commit()
            _start_session(user)
            return redirect(safe_next_url(form.next.data) or url_for("main.home"), 303)
    status = 400 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    user = current_user._get_current_object()
    user.end_all_sessions()
    audit_request("auth.logout", actor_id=user.id)
    db.session.commit()
    _end_session(user)
    flash(_("You have logged out."), "success")
    return redirect(url_for("main.home"), 303)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def forgot_password():
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = accounts.find_by_email(form.email.data)
        if user is not None and user.active:
            hours = current_app.config["PASSWORD_RESET_HOURS"]
            token = accounts.issue_reset_token(user, timedelta(hours=hours))
            audit_request("auth.reset_requested", actor_id=user.id)
            db.session.commit()  # the token exists before the link leaves; no lock held while mail is sent
            link = current_app.config["BASE_URL"] + url_for("auth.reset_password", token=token)
            with force_locale(user.language):
                mail.send(user.email, _("Reset your LearnHub password"),
                          render_template("auth/email/reset.txt", user=user, link=link, hours=hours))
        # The same answer whether or not the account exists.
        flash(_("If an account uses %(email)s, we have sent it a link to choose a new password.",
                email=accounts.normalise_email(form.email.data)), "success")
        return redirect(url_for("auth.login"), 303)
    return render_template("auth/forgot.html", form=form), 400 if form.errors else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    user = accounts.user_for_reset_token(token)
    if user is None:
        return render_template("auth/reset_invalid.html"), 404
    form = ResetPasswordForm()
    form.password_owner = (user.email, user.name)
    joining = invitations.linked_to_link(token)  # an invitation link: choosing the password accepts
    if form.validate_on_submit():
        try:
            accounts.reset_password(token, form.password.data)
        except AccountError as error:
            if error.code == "invalid-token":
                return render_template("auth/reset_invalid.html"), 404
            form.password.errors.append(PASSWORD_MESSAGES[error.code])
        else:
            invitations.accept_by_link(user, joining)
            audit_request("auth.password_reset", actor_id=user.id)
            for cohort in joining:
                audit_request("cohort.invitation_accepted", actor_id=user.id, cohort_id=cohort.id, by="link")
            db.session.commit()
            _end_session(user)
            if joining:
                flash(_("You joined the cohort. Log in with your new password to see its courses."), "success")
            else:
                flash(_("Your password has been changed. Log in with your new password."), "success")
            return redirect(url_for("auth.login"), 303)
    return render_template("auth/reset.html", form=form, joining=joining), 400 if form.errors else 200
