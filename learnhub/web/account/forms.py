"""Forms a learner uses to look after their own account."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from wtforms import PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from learnhub.services import api_tokens
from learnhub.web.forms import BaseForm
from learnhub.web.forms_common import WHERE_YOU_WORK, ProfileFieldsMixin, new_password_field, options


class ProfileForm(ProfileFieldsMixin, BaseForm):
    page_order = ("name", "language", *WHERE_YOU_WORK)
    submit = SubmitField(_l("Save profile"))


class ChangePasswordForm(BaseForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(_l("Enter your current password."))],
                            render_kw={"autocomplete": "current-password"})
    password = new_password_field(_l("New password"))
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(_l("Type the password again to confirm it.")),
        EqualTo("password", _l("The two passwords do not match."))],
        render_kw={"autocomplete": "new-password"})
    submit = SubmitField(_l("Change password"))


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ApiTokenForm(BaseForm):
    name = StringField(_l("Name of the token"), filters=[_strip], validators=[
        DataRequired(_l("Enter a name that says where the token is used.")),
        Length(max=api_tokens.NAME_MAX_LENGTH, message=_l("Enter a name of at most %(n)d characters.",
                                                          n=api_tokens.NAME_MAX_LENGTH))],
        description=_l("Where the token is used, e.g. “Ministry dashboard”."), render_kw={"autocomplete": "off"})
    valid_days = SelectField(_l("Valid for"), coerce=int, default=api_tokens.DEFAULT_VALIDITY_DAYS,
                             choices=options((days, lazy_ngettext("%(num)d day", "%(num)d days", days))
                                             for days in api_tokens.VALIDITY_DAYS))
    submit = SubmitField(_l("Create token"))


class RevokeApiTokenForm(BaseForm):
    """Only the CSRF token: which token to revoke is in the URL and checked against the owner."""

    submit = SubmitField(_l("Revoke"))


class DeletionRequestForm(BaseForm):
    """Asking to be deleted: the password again, so a borrowed session cannot do it."""

    password = PasswordField(_l("Your password"), validators=[DataRequired(_l("Enter your password."))],
                             render_kw={"autocomplete": "current-password"})


class CancelDeletionForm(BaseForm):
    """Withdraw a deletion request (CSRF only)."""
