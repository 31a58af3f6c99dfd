"""The account's security page: its authenticator app, recovery codes and remembered devices.

Every change needs a recent proof of the owner (a login or the password confirmed in the last
REAUTH_SECONDS): a session left open on a shared computer cannot swap the factors (decision 0060).
New recovery codes are shown in the response that makes them, never stored in clear or in a cookie.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from learnhub.extensions import db
from learnhub.security import audit_request, client_ip, no_store, role_required, safe_next_url
from learnhub.services import (
    account_mail,
    accounts,
    login_throttle,
    passkeys,
    recovery_codes,
    remembered_devices,
    second_factor,
    totp,
)
from learnhub.web import sessions
from learnhub.web.factors.forms import (
    ActionForm,
    ConfirmPasswordForm,
    ConfirmTotpForm,
    RenamePasskeyForm,
    ResetFactorsForm,
)
from learnhub.web.forms_common import wait_message

bp = Blueprint("factors", __name__, url_prefix="/account/security")
REAUTH_SECONDS = 10 * 60
# What an account whose role requires a second factor may open before it has one (decision 0061).
OPEN_WITHOUT_FACTOR = frozenset({"factors.overview", "factors.confirm_password", "factors.start_totp",
                                 "factors.setup_totp", "passkeys.register", "auth.logout", "auth.verify_email",
                                 "main.set_language", "main.health", "static"})
FACTOR_OK_KEY = "second_factor_ok"


@bp.before_app_request
def require_second_factor():
    """Send a logged-in account whose role requires a second factor, and which has none, to set one up
    before any other page (an analyst before any report). A session that passed a second step, or set one
    up, carries a mark, so other requests cost no query."""
    if request.endpoint in OPEN_WITHOUT_FACTOR or not current_user.is_authenticated:
        return None
    if session.get(FACTOR_OK_KEY) or not second_factor.required(current_user, current_app.config["MFA_REQUIRED_ROLES"]):
        return None
    if second_factor.has_second_factor(current_user):
        session[FACTOR_OK_KEY] = True
        return None
    if request.method == "GET":
        flash(_("Your role requires a second factor: set up an authenticator app or add a passkey to continue."),
              "info")
    return redirect(url_for("factors.overview"), 303)


def _page(template: str, status: int = 200, **context):
    return no_store(current_app.make_response((render_template(template, **context), status)))


def _needs_reauth():
    """A redirect to the password confirmation when the session did not prove its owner lately."""
    if sessions.recently_authenticated(REAUTH_SECONDS):
        return None
    back = request.path if request.method == "GET" else url_for("factors.overview")
    return redirect(url_for("factors.confirm_password", next=back), 303)


@bp.get("")
@login_required
def overview():
    user = current_user._get_current_object()
    keys, devices = passkeys.for_user(user), remembered_devices.active(user)
    return _page("factors/overview.html", factors=second_factor.factors(user, keys, devices), passkeys=keys,
                 devices=devices, form=ActionForm(), rename_form=RenamePasskeyForm(),
                 required=second_factor.required(user, current_app.config["MFA_REQUIRED_ROLES"]))


@bp.route("/confirm-password", methods=["GET", "POST"])
@login_required
def confirm_password():
    """Re-authentication before a factor changes; password attempts count as failed logins."""
    user = current_user._get_current_object()
    form = ConfirmPasswordForm()
    target = safe_next_url(request.args.get("next")) or url_for("factors.overview")
    if form.validate_on_submit():
        config = current_app.config
        device = login_throttle.trusted_device(request.cookies.get(login_throttle.DEVICE_COOKIE),
                                               config["SECRET_KEY"], user.email)
        verdict = login_throttle.check(user.email, client_ip() or "unknown", device,
                                       login_throttle.LoginLimits.from_config(config))
        if not verdict.allowed:
            form.password.errors.append(wait_message(verdict.retry_after))
            db.session.commit()
            response = _page("factors/confirm_password.html", 429, form=form)
            response.headers["Retry-After"] = str(verdict.retry_after)
            return response
        if accounts.authenticate(user.email, form.password.data) is not None:
            audit_request("account.reauthenticated")
            db.session.commit()
            sessions.mark_authenticated()
            return redirect(target, 303)
        login_throttle.record_failure(verdict)
        audit_request("account.reauthentication_failed")
        db.session.commit()
        form.password.errors.append(_("Your password is not right."))
    return _page("factors/confirm_password.html", 400 if form.errors else 200, form=form)


@bp.post("/totp/start")
@login_required
def start_totp():
    if (refusal := _needs_reauth()) is not None:
        return refusal
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        totp.start(current_user._get_current_object())
    except totp.TotpError:
        flash(_("An authenticator app is already set up. Remove it first to set up another."), "info")
        return redirect(url_for("factors.overview"), 303)
    db.session.commit()
    return redirect(url_for("factors.setup_totp"), 303)


@bp.route("/totp", methods=["GET", "POST"])
@login_required
def setup_totp():
    """Scan the QR code (or type the key), then confirm with a first code: the recovery codes follow."""
    if (refusal := _needs_reauth()) is not None:
        return refusal
    user = current_user._get_current_object()
    row = totp.factor(user)
    if row is None or row.confirmed_at is not None:
        return redirect(url_for("factors.overview"), 303)
    form = ConfirmTotpForm()
    if form.validate_on_submit():
        if totp.confirm(user, form.code.data):
            codes = recovery_codes.issue(user)
            audit_request("account.totp_enabled")
            db.session.commit()
            session[FACTOR_OK_KEY] = True
            return _page("factors/recovery_codes.html", codes=codes, first=True)
        form.code.errors.append(_("That code is not right. Check that the app shows LearnHub and enter its newest "
                                  "code."))
    uri = totp.provisioning_uri(user, row)
    return _page("factors/setup_totp.html", 400 if form.errors else 200, form=form, qr=totp.qr_data_uri(uri),
                 secret=totp.grouped_secret(row))


@bp.post("/totp/remove")
@login_required
def remove_totp():
    if (refusal := _needs_reauth()) is not None:
        return refusal
    if not ActionForm().validate_on_submit():
        abort(400)
    user = current_user._get_current_object()
    if totp.remove(user):
        second_factor.forget_extras_if_none_left(user)
        audit_request("account.totp_removed")
        db.session.commit()
        if not second_factor.has_second_factor(user):
            session.pop(FACTOR_OK_KEY, None)
            flash(_("The authenticator app is removed, with your recovery codes and remembered devices."), "success")
        else:
            flash(_("The authenticator app is removed. Your passkeys and recovery codes still work."), "success")
    return redirect(url_for("factors.overview"), 303)


@bp.post("/recovery-codes")
@login_required
def new_recovery_codes():
    if (refusal := _needs_reauth()) is not None:
        return refusal
    if not ActionForm().validate_on_submit():
        abort(400)
    user = current_user._get_current_object()
    if not second_factor.has_second_factor(user):
        return redirect(url_for("factors.overview"), 303)
    codes = recovery_codes.issue(user)
    audit_request("account.recovery_codes_renewed")
    db.session.commit()
    return _page("factors/recovery_codes.html", codes=codes, first=False)


@bp.post("/devices/<id:device_id>/revoke")
@login_required
def revoke_device(device_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    device = remembered_devices.revoke(current_user._get_current_object(), device_id)
    if device is None:
        abort(404)
    audit_request("account.device_forgotten", device_id=device.id)
    db.session.commit()
    flash(_("That device will ask for a code again."), "success")
    return redirect(url_for("factors.overview"), 303)


admin_bp = Blueprint("factors_admin", __name__, url_prefix="/admin")


@admin_bp.route("/second-factors", methods=["GET", "POST"])
@role_required("admin")
def reset_factors():
    """For someone who lost their phone and recovery codes: remove the account's factors, recovery codes and
    remembered devices and end its sessions; audited, and the owner is told by mail (decision 0061)."""
    form = ResetFactorsForm()
    if form.validate_on_submit():
        user = accounts.find_by_email(form.email.data)
        if user is None:
            form.email.errors.append(_("No account uses this address."))
        else:
            had = second_factor.factors(user)
            second_factor.remove_all(user)
            audit_request("admin.second_factors_reset", user_id=user.id, totp=had.totp, passkeys=had.passkeys,
                          recovery_codes=had.recovery_codes_left, devices=had.remembered_devices)
            account_mail.send_factors_reset(user)
            db.session.commit()
            flash(_("The second factors of %(email)s are reset and its sessions ended. We have told them by "
                    "mail.", email=user.email), "success")
            return redirect(url_for("factors_admin.reset_factors"), 303)
    return _page("factors/admin_reset.html", 400 if form.errors else 200, form=form)
