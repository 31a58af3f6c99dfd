"""Forms a learner uses to look after their own account."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo

from learnhub.web.forms_common import ProfileFieldsMixin, new_password_field


class ProfileForm(ProfileFieldsMixin, FlaskForm):
    submit = SubmitField(_l("Save profile"))


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(_l("Enter your current password."))],
                            render_kw={"autocomplete": "current-password"})
    password = new_password_field(_l("New password"))
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(_l("Repeat the password.")), EqualTo("password", _l("The two passwords do not match."))],
        render_kw={"autocomplete": "new-password"})
    submit = SubmitField(_l("Change password"))
