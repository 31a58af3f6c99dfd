"""The learner's own profile and password; an analyst's or admin's personal API tokens."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user

from learnhub.extensions import db
from learnhub.security import audit_request, no_store, role_required
from learnhub.services import accounts, api_tokens
from learnhub.services.accounts import AccountError, Profile
from learnhub.services.api_tokens import ApiTokenError
from learnhub.web.account.forms import ApiTokenForm, ChangePasswordForm, ProfileForm, RevokeApiTokenForm

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    user = current_user._get_current_object()
    form = ProfileForm(obj=user if request.method == "GET" else None)
    form.fill_choices()
    if form.validate_on_submit():
        accounts.update_profile(user, Profile(**form.profile_values()))
        audit_request("account.profile_updated")
        db.session.commit()
        flash(_("Your profile has been saved."), "success")
        return redirect(url_for("account.profile"), 303)
    if request.method == "GET":
        form.ecsf_role.data = user.ecsf_role or ""
        form.gender.data = user.gender or ""
    return render_template("account/profile.html", form=form), 400 if form.errors else 200


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    user = current_user._get_current_object()
    form = ChangePasswordForm()
    form.password_owner = (user.email, user.name)
    if form.validate_on_submit():
        try:
            accounts.change_password(user, form.current.data, form.password.data)
        except AccountError as error:
            if error.code != "wrong-password":
                raise
            form.current.errors.append(_("Your current password is not right."))
        else:
            audit_request("account.password_changed")
            db.session.commit()
            # Other sessions ended with the old token; this one continues with the new one.
            login_user(user)
            flash(_("Your password has been changed. You are logged out everywhere else."), "success")
            return redirect(url_for("account.profile"), 303)
    return render_template("account/password.html", form=form), 400 if form.errors else 200


def token_error_message(code: str) -> str:
    return {
        "name-required": _("Enter a name that says where the token is used."),
        "name-too-long": _("Enter a name of at most %(n)d characters.", n=api_tokens.NAME_MAX_LENGTH),
        "unknown-validity": _("Choose 30, 90 or 365 days."),
        "too-many-tokens": ngettext("You already have %(num)d active token. Revoke it if you no longer use it, then "
                                    "create the new one.", "You already have %(num)d active tokens. Revoke one you no "
                                    "longer use, then create the new one.", api_tokens.MAX_ACTIVE_TOKENS),
        "role-not-allowed": _("Only analysts and administrators can have API tokens."),
    }[code]


@bp.route("/api-tokens", methods=["GET", "POST"])
@role_required(*api_tokens.ROLES_WITH_TOKENS)
def api_token_list():
    """The owner's tokens and a form for a new one. A new token is shown in this response only: it is
    never put in a flash message or the session cookie, and the page is not cached."""
    user = current_user._get_current_object()
    form = ApiTokenForm()
    created = plaintext = None
    if form.validate_on_submit():
        try:
            created, plaintext = api_tokens.create(user, form.name.data, form.valid_days.data)
        except ApiTokenError as error:
            form.name.errors.append(token_error_message(error.code))
        else:
            audit_request("api_token.created", token_id=created.id, name=created.name, prefix=created.prefix,
                          expires_at=created.expires_at.isoformat(timespec="seconds"))
            db.session.commit()
            form = ApiTokenForm(formdata=None)
    status = 400 if form.errors else 200
    html = render_template("account/api_tokens.html", form=form, tokens=api_tokens.for_user(user),
                           created=created, plaintext=plaintext, state=api_tokens.state,
                           revoke_form=RevokeApiTokenForm())
    return no_store(current_app.make_response((html, status)))


@bp.post("/api-tokens/<id:token_id>/revoke")
@role_required(*api_tokens.ROLES_WITH_TOKENS)
def revoke_api_token(token_id: int):
    form = RevokeApiTokenForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        token = api_tokens.revoke(current_user._get_current_object(), token_id)
    except ApiTokenError:
        abort(404)
    audit_request("api_token.revoked", token_id=token.id, name=token.name, prefix=token.prefix)
    db.session.commit()
    flash(_("The token “%(name)s” is revoked: programs using it are refused from now on.", name=token.name),
          "success")
    return redirect(url_for("account.api_token_list"), 303)
