"""Forms of the account's security page: confirm the password, set up an authenticator, manage codes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired

from learnhub.web.forms import BaseForm
from learnhub.web.forms_common import email_field


class ConfirmPasswordForm(BaseForm):
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))],
                             render_kw={"autocomplete": "current-password"})
    submit = SubmitField(_l("Confirm"))


class ConfirmTotpForm(BaseForm):
    code = StringField(_l("Code from the app"), validators=[DataRequired(_l("Enter the code."))],
                       description=_l("The 6 digits your authenticator app shows for LearnHub."),
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})
    submit = SubmitField(_l("Turn on"))


class ActionForm(BaseForm):
    """A button that changes a factor: only the CSRF token (what to do is in the URL)."""



class ResetFactorsForm(BaseForm):
    """An admin resets the second factors of the account at this address."""

    email = email_field(_l("E-mail address of the account"), new=False)
    submit = SubmitField(_l("Reset second factors"))


def _name_field(label):
    return StringField(label, validators=[DataRequired(_l("Enter a name that tells your passkeys apart."))],
                       description=_l("For example “Work laptop” or “Blue security key”."),
                       render_kw={"autocomplete": "off", "maxlength": 80})


class NewPasskeyForm(BaseForm):
    """The passkey's name; `credential` is filled by the ceremony script (static/webauthn.js)."""

    name = _name_field(_l("Name of the passkey"))
    credential = HiddenField()
    submit = SubmitField(_l("Add a passkey"))


class RenamePasskeyForm(BaseForm):
    name = _name_field(_l("New name"))
    submit = SubmitField(_l("Rename"))


class PasskeySignInForm(BaseForm):
    credential = HiddenField()
    submit = SubmitField(_l("Use a passkey"))
