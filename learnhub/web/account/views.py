"""The learner's own profile and password."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from learnhub.extensions import db
from learnhub.security import audit_request
from learnhub.services import accounts
from learnhub.services.accounts import AccountError, Profile
from learnhub.web.account.forms import ChangePasswordForm, ProfileForm

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
