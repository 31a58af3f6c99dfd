"""Form pieces shared by several blueprints: profile fields and password checks with their messages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from learnhub import i18n
from learnhub.i18n import LANGUAGE_NAMES
from learnhub.services import accounts, passwords

PASSWORD_MESSAGES = {
    "too-short": _l("Enter a password of at least %(n)d characters.", n=passwords.MIN_LENGTH),
    "too-long": _l("Enter a password of at most %(n)d characters.", n=passwords.MAX_LENGTH),
    "common": _l("This password is too common or easy to guess. Try a passphrase of several unrelated words."),
    "personal": _l("Do not use your name or e-mail address as your password."),
}


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs as select options."""
    return [SelectChoice(value, label) for value, label in pairs]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


EMAIL_MESSAGES = {
    "missing-email": _l("Enter your e-mail address."),
    "too-long": _l("Enter an e-mail address of at most %(n)d characters.", n=accounts.MAX_EMAIL_LENGTH),
    "bad-email": _l("Enter an e-mail address like name@example.org."),
    "cannot-receive": _l("This address cannot receive e-mail. Enter an address where you read your mail."),
}


class AcceptableEmail:
    """The one e-mail rule (accounts.email_problem). `new=False` for forms that only look an account up."""

    def __init__(self, new: bool = True):
        self.new = new

    def __call__(self, form, field) -> None:
        problem = accounts.email_problem(field.data or "", new=self.new)
        if problem:
            raise ValidationError(EMAIL_MESSAGES[problem])


def email_field(label=None, *, new: bool = True) -> EmailField:
    """An e-mail field checked by the one rule: `new` for addresses we will write to (registration,
    invitation), False for addresses only looked up (login, reset request: any existing account logs in)."""
    return EmailField(label or _l("E-mail address"), filters=[_strip], validators=[
        DataRequired(_l("Enter your e-mail address.")), AcceptableEmail(new=new),
    ], render_kw={"autocomplete": "email", "spellcheck": "false"})


def new_password_field(label=None) -> PasswordField:
    return PasswordField(label or _l("Password"), validators=[InputRequired(_l("Enter a password.")),
                                                               AcceptablePassword()],
                         description=_l("At least 12 characters. A passphrase of several words is easy to "
                                        "remember and hard to guess."),
                         render_kw={"autocomplete": "new-password", "minlength": passwords.MIN_LENGTH,
                                    "maxlength": passwords.MAX_LENGTH})


class AcceptablePassword:
    """The password rules of services.passwords, with the account's e-mail and name for the personal check.

    The form's own email/name fields are used, or `form.password_owner = (email, name)` when the form
    is about an existing account.
    """

    def __call__(self, form, field) -> None:
        owner = getattr(form, "password_owner", None)
        if owner is None:
            owner = (getattr(getattr(form, "email", None), "data", "") or "",
                     getattr(getattr(form, "name", None), "data", "") or "")
        problem = passwords.password_problem(field.data or "", email=owner[0], name=owner[1])
        if problem:
            raise ValidationError(PASSWORD_MESSAGES[problem])


WHERE_YOU_WORK = ("country", "sector", "organisation", "organisation_type", "ecsf_role", "gender")
"""The profile fields in the order `_forms.html::where_you_work` shows them."""


class ProfileFieldsMixin:
    """The learner profile that coverage reports count: same fields on register and profile pages."""

    name = StringField(_l("Full name"), validators=[DataRequired(_l("Enter your name.")), Length(max=120)],
                       render_kw={"autocomplete": "name"})
    language = SelectField(_l("Preferred language"),
                           choices=[SelectChoice(code, name, {"lang": code}) for code, name in LANGUAGE_NAMES.items()],
                           validators=[DataRequired()])
    country = SelectField(_l("Country where you work"), validate_choice=True,
                          validators=[DataRequired(_l("Choose the country where you work."))])
    sector = SelectField(_l("Sector"), validators=[DataRequired(_l("Choose your sector."))])
    organisation = StringField(_l("Organisation"), validators=[
        DataRequired(_l("Enter the name of your organisation.")), Length(max=200)],
        description=_l("Choose it from the suggestions as you type, or type its name if it is not there."),
        render_kw={"autocomplete": "organization", "list": "organisation-suggestions"})
    organisation_type = SelectField(_l("Type of organisation"),
                                    validators=[DataRequired(_l("Choose the type of organisation."))])
    ecsf_role = SelectField(_l("Cybersecurity role (optional)"), validators=[Optional()],
                            description=_l("The ECSF role profile closest to your work, if any."))
    gender = SelectField(_l("Gender (optional)"), validators=[Optional()],
                         description=_l("Used only for anonymous statistics."))

    def fill_choices(self) -> None:
        """Choices in the current language; called per request since names are translated."""
        blank = [("", _l("Choose…"))]
        self.country.choices = options(blank + i18n.country_choices())
        self.sector.choices = options(blank + i18n.sector_choices())
        self.organisation_type.choices = options(blank + list(i18n.ORGANISATION_TYPE_LABELS.items()))
        self.ecsf_role.choices = options([("", _l("None or not applicable")), *i18n.ecsf_role_choices()])
        self.gender.choices = options([("", _l("Not given")), *i18n.GENDER_LABELS.items()])

    def profile_values(self) -> dict:
        return {
            "name": self.name.data.strip(), "language": self.language.data, "country": self.country.data,
            "sector": self.sector.data, "organisation": self.organisation.data.strip(),
            "organisation_type": self.organisation_type.data,
            "ecsf_role": self.ecsf_role.data or None, "gender": self.gender.data or None,
        }


class WholeNumber:
    """A whole number from `low` to `high`, typed in the reader's notation (i18n.parse_whole_number): one
    message naming the range in that notation, whatever is wrong; the parsed number is `field.number`."""

    def __init__(self, low: int, high: int):
        self.low, self.high = low, high

    def __call__(self, form, field) -> None:
        field.number = None
        try:
            number = i18n.parse_whole_number(field.data or "")
        except ValueError:
            number = None
        if number is None or not self.low <= number <= self.high:
            raise ValidationError(_l("Enter a whole number from %(low)s to %(high)s, such as %(example)s.",
                                     low=i18n.format_whole_number(self.low),
                                     high=i18n.format_whole_number(self.high),
                                     example=i18n.format_whole_number(1200)))
        field.number = number


def whole_number_field(label, low: int, high: int, missing) -> StringField:
    """A count typed as text (so "1.200" reaches the parser rather than the browser's number rules)."""
    return StringField(label, filters=[_strip], validators=[InputRequired(missing), WholeNumber(low, high)],
                       render_kw={"inputmode": "numeric", "autocomplete": "off"})


def wait_message(seconds: int) -> str:
    """What every throttled form says: how many whole minutes to wait (at least one), or reset the password."""
    minutes = max(1, (seconds + 59) // 60)
    return ngettext("Too many attempts. For your security, wait %(num)d minute and try again, or reset your "
                    "password.", "Too many attempts. For your security, wait %(num)d minutes and try again, or reset "
                    "your password.", minutes)
