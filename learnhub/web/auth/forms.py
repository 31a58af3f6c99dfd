"""Forms for signing up, in and out, and resetting a forgotten password."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo

from learnhub.web.forms import AnonymousForm, BaseForm
from learnhub.web.forms_common import WHERE_YOU_WORK, ProfileFieldsMixin, email_field, new_password_field


class RegisterForm(ProfileFieldsMixin, AnonymousForm):
    page_order = ("name", "email", "password", "confirm", "language", *WHERE_YOU_WORK)
    email = email_field()
    password = new_password_field()
    confirm = PasswordField(_l("Repeat the password"), validators=[
        DataRequired(_l("Type the password again to confirm it.")),
        EqualTo("password", _l("The two passwords do not match."))],
        render_kw={"autocomplete": "new-password"})
    submit = SubmitField(_l("Create account"))


class LoginForm(AnonymousForm):
    email = email_field(new=False)
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()
    submit = SubmitField(_l("Log in"))


class ResetRequestForm(AnonymousForm):
    email = email_field(new=False)
    submit = SubmitField(_l("Send reset link"))


class ResendVerificationForm(BaseForm):
    submit = SubmitField(_l("Send the link again"))


class ResetPasswordForm(AnonymousForm):
    password = new_password_field(_l("New password"))
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(_l("Type the password again to confirm it.")),
        EqualTo("password", _l("The two passwords do not match."))],
        render_kw={"autocomplete": "new-password"})
    submit = SubmitField(_l("Set new password"))


class SecondStepForm(BaseForm):
    """The code after the password: from the authenticator app, or a recovery code."""

    code = StringField(_l("Code"), validators=[DataRequired(_l("Enter the code."))],
                       description=_l("The 6-digit code your authenticator app shows now, or one of your recovery "
                                      "codes."),
                       render_kw={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"})
    remember = BooleanField(_l("Remember this device"))
    submit = SubmitField(_l("Continue"))
