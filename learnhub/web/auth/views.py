"""Registration, e-mail verification, login, logout and password reset."""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from learnhub.database import writes_on_get
from learnhub.extensions import db
from learnhub.i18n import current_language
from learnhub.security import anonymous_form, audit_request, client_ip, safe_next_url
from learnhub.services import account_mail, accounts, invitations, second_factor, throttle
from learnhub.services.accounts import AccountError, Profile
from learnhub.web import page_cache, sessions
from learnhub.web.auth.forms import (
    LoginForm,
    RegisterForm,
    ResendVerificationForm,
    ResetPasswordForm,
    ResetRequestForm,
    SecondStepForm,
)
from learnhub.web.forms_common import PASSWORD_MESSAGES, wait_message
from learnhub.web.sessions import log_in, log_in_after_welcome
from learnhub.web.sso.login_page import sso_login_context
from learnhub.web.sso.logout import sso_logout_url

bp = Blueprint("auth", __name__)
VERIFICATION_RESEND_LIMIT = "3 per hour"


def _end_session(user) -> None:
    """Forget the login; the next pages stay in the language the learner reads."""
    logout_user()
    session.clear()
    session["language"] = user.language


def _too_many(template: str, seconds: int, **context):
    """The same answer for every throttled form, whether or not the address has an account."""
    response = current_app.make_response((render_template(template, **context), 429))
    response.headers["Retry-After"] = str(seconds)
    return response


def _throttled(scope_keys: list[tuple[str, str]], rate: str) -> int | None:
    """Seconds to wait if any of these (scope, key) counters is full; otherwise count this attempt."""
    rules = throttle.parse(rate)
    waits = [wait for scope, key in scope_keys if (wait := throttle.retry_after(scope, key, rules)) is not None]
    if waits:
        return max(waits)
    for scope, key in scope_keys:
        throttle.record(scope, key)
    return None


def _refused_for_address(form, purpose: str, email: str, rate: str, template: str):
    """The 429 answer (the wait shown on the e-mail field) when this client address or this e-mail
    address used up `rate` for `purpose`; None after counting the attempt."""
    wait = _throttled([(f"{purpose}-ip", client_ip() or "unknown"), (f"{purpose}-email", email)], rate)
    if wait is None:
        return None
    form.email.errors.append(wait_message(wait))
    return _too_many(template, wait, form=form)


@bp.route("/register", methods=["GET", "POST"])
@anonymous_form
def register():
    """The answer is the same whether or not the address has an account: "check your mail". A new
    account gets a verification link; the owner of an existing one is told someone tried."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = RegisterForm()
    form.fill_choices()
    if request.method == "GET":
        form.language.data = current_language()  # the language the visitor chose, or their browser's
    if form.validate_on_submit():
        email = accounts.normalise_email(form.email.data)
        refused = _refused_for_address(form, "register", email, current_app.config["REGISTER_LIMIT"],
                                       "auth/register.html")
        if refused is not None:
            return refused
        user, created = accounts.register(email, form.password.data, Profile(**form.profile_values()))
        audit_request("account.registered" if created else "account.registration_for_existing_address",
                      actor_id=user.id)
        if created:
            account_mail.send_verification(user)
        else:
            account_mail.send_already_registered(user)
        db.session.commit()  # the account and its mail together; a consumer delivers the mail after this
        flash(_("Check your mail: we have sent a message to %(email)s. Follow the link in it to confirm your "
                "address. You can log in now.", email=email), "success")
        return redirect(url_for("auth.login"), 303)
    status = 400 if form.errors else 200
    return render_template("auth/register.html", form=form), status


@bp.get("/email/verify/<token>")
@writes_on_get
def verify_email(token: str):
    user = accounts.user_for_verification_token(token, current_app.config["SECRET_KEY"])
    if user is None:
        return render_template("auth/verify_invalid.html"), 404
    if user.email_verified_at is None:
        accounts.mark_email_verified(user)
        audit_request("account.email_verified", actor_id=user.id)
        db.session.commit()
    flash(_("Thank you: your e-mail address is confirmed."), "success")
    return redirect(url_for("main.home") if current_user.is_authenticated else url_for("auth.login"), 303)


@bp.post("/email/verify")
@login_required
def resend_verification():
    """Send the verification link again (a few times an hour at most)."""
    user = current_user._get_current_object()
    form = ResendVerificationForm()
    if not form.validate_on_submit() or user.email_verified_at is not None:
        return redirect(url_for("learn.dashboard"), 303)
    wait = _throttled([("verify-resend", str(user.id))], VERIFICATION_RESEND_LIMIT)
    if wait is not None:
        flash(wait_message(wait), "error")
        return redirect(url_for("learn.dashboard"), 303)
    audit_request("account.verification_resent")
    account_mail.send_verification(user)
    db.session.commit()
    flash(_("We have sent the link again to %(email)s.", email=user.email), "success")
    return redirect(url_for("learn.dashboard"), 303)


@bp.route("/login", methods=["GET", "POST"])
@anonymous_form
def login():
    if request.method == "GET":  # the same for everyone at this URL in this language: kept in the page cache
        providers = tuple(provider.key for provider in current_app.config["OIDC_PROVIDERS"])  # shown on the page
        return page_cache.render_built("auth/login.html", providers, _empty_login_form)
    form = LoginForm()
    if form.validate_on_submit():
        user, verdict = log_in(form.email.data, form.password.data)
        if user is not None:
            return redirect(safe_next_url(form.next.data) or url_for("main.home"), 303)
        if verdict.allowed and sessions.pending_user() is not None:
            return redirect(url_for("auth.second_step", next=safe_next_url(form.next.data)), 303)
        if not verdict.allowed:
            form.password.errors.append(wait_message(verdict.retry_after))
            return _too_many("auth/login.html", verdict.retry_after, form=form, **sso_login_context(form))
        form.password.errors.append(_("The e-mail address or password is not right."))
    status = 400 if form.errors else 200
    return render_template("auth/login.html", form=form, **sso_login_context(form)), status


@bp.route("/login/second-step", methods=["GET", "POST"])
def second_step():
    """The code after the password, for an account with a second factor (decision 0060)."""
    pending = sessions.pending_user()
    if pending is None:
        flash(_("Log in again: the second step must follow the password within ten minutes."), "info")
        return redirect(url_for("auth.login", next=safe_next_url(request.args.get("next"))), 303)
    form = SecondStepForm()
    methods = second_factor.factors(pending)
    context = {"days": current_app.config["REMEMBER_DEVICE_DAYS"], "totp": methods.totp,
               "passkey": methods.passkeys > 0}
    if form.validate_on_submit():
        user, verdict = sessions.second_step(form.code.data, remember=bool(form.remember.data))
        if user is not None:
            return redirect(safe_next_url(request.args.get("next")) or url_for("main.home"), 303)
        if verdict is not None and not verdict.allowed:
            form.code.errors.append(wait_message(verdict.retry_after))
            return _too_many("auth/second_step.html", verdict.retry_after, form=form, **context)
        form.code.errors.append(_("That code is not right, or it was used already. Try the newest code."))
    return render_template("auth/second_step.html", form=form, **context), 400 if form.errors else 200


def _empty_login_form() -> dict:
    form = LoginForm()
    form.next.data = safe_next_url(request.args.get("next")) or ""
    return {"form": form, **sso_login_context(form)}


@bp.post("/logout")
@login_required
def logout():
    user = current_user._get_current_object()
    user.end_all_sessions()
    audit_request("auth.logout", actor_id=user.id)
    db.session.commit()
    provider_session = session.get(sessions.SSO_SESSION_KEY)
    _end_session(user)
    provider_logout = sso_logout_url(provider_session)  # signed in by an organisation: offer to log out there
    if provider_logout:
        session[sessions.SSO_LOGOUT_KEY] = provider_logout
        return redirect(url_for("sso.logged_out"), 303)
    flash(_("You have logged out."), "success")
    return redirect(url_for("main.home"), 303)


@bp.route("/password/forgot", methods=["GET", "POST"])
@anonymous_form
def forgot_password():
    """The same answer, and the same work (one mail), whether or not an account uses the address."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        email = accounts.normalise_email(form.email.data)
        refused = _refused_for_address(form, "reset", email, current_app.config["PASSWORD_RESET_LIMIT"],
                                       "auth/forgot.html")
        if refused is not None:
            return refused
        user = accounts.find_by_email(email)
        hours = current_app.config["PASSWORD_RESET_HOURS"]
        if user is not None and user.active:
            token = accounts.issue_reset_token(user, timedelta(hours=hours))
            audit_request("auth.reset_requested", actor_id=user.id)
            account_mail.send_reset(user, token, hours)
        else:
            audit_request("auth.reset_requested", email=email, account=False)
            account_mail.send_reset_no_account(email)
        db.session.commit()  # the token (if any) and its mail together; a consumer delivers the mail
        flash(_("If an account uses %(email)s, we have sent it a link to choose a new password.",
                email=email), "success")
        return redirect(url_for("auth.login"), 303)
    return render_template("auth/forgot.html", form=form), 400 if form.errors else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@anonymous_form
def reset_password(token: str):
    user = accounts.user_for_reset_token(token)
    if user is None:
        return render_template("auth/reset_invalid.html"), 404
    form = ResetPasswordForm()
    form.password_owner = (user.email, user.name)
    joining = invitations.linked_to_link(token)  # an invitation link: choosing the password accepts
    # An invited person choosing their first password is welcomed, not asked for a "new" one, and is logged
    # in afterwards; someone resetting a password they had logs in again as before.
    welcome = invitations.has_no_password(user)
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
            if welcome:
                log_in_after_welcome(user)
                flash(_("Welcome to LearnHub. You joined the cohort: its courses are on this page.") if joining
                      else _("Welcome to LearnHub. Your password is set."), "success")
                return redirect(url_for("learn.dashboard"), 303)
            if joining:
                flash(_("You joined the cohort. Log in with your new password to see its courses."), "success")
            else:
                flash(_("Your password has been changed. Log in with your new password."), "success")
            return redirect(url_for("auth.login"), 303)
    return render_template("auth/reset.html", form=form, joining=joining, welcome=welcome), 400 if form.errors else 200
