"""Forms of the administration pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SearchField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional

from learnhub import i18n
from learnhub.models.users import ROLES
from learnhub.reports import formats
from learnhub.services import audit_log, user_directory
from learnhub.web.forms import BaseForm
from learnhub.web.forms_common import options


class UserFilterForm(BaseForm):
    """The user list's search and filters (a GET form: no CSRF token, nothing changes). Unknown values are not
    errors: they are dropped (`user_directory.Filters.clean`)."""

    class Meta:
        csrf = False

    q = SearchField(_l("Name, e-mail address or organisation"), validators=[Optional(), Length(max=200)],
                    description=_l("The beginning of any word: accents and capitals do not matter."))
    role = SelectField(_l("Role"), validate_choice=False)
    country = SelectField(_l("Country of work"), validate_choice=False)
    status = SelectField(_l("Status"), validate_choice=False)

    def fill_choices(self) -> None:
        self.role.choices = options([("", _l("Every role")), *((role, i18n.ROLE_LABELS[role]) for role in ROLES)])
        self.country.choices = options([("", _l("Every country")), *i18n.country_choices()])
        self.status.choices = options([("", _l("Active and disabled")), ("active", _l("Active")),
                                       ("disabled", _l("Disabled"))])

    def filters(self) -> user_directory.Filters:
        return user_directory.Filters(search=self.q.data or "", role=self.role.data or "",
                                      country=self.country.data or "", status=self.status.data or "").clean(
            {code for code, _name in i18n.country_choices()})


class RoleForm(BaseForm):
    """A role, and for an analyst the countries in scope: one by one, or every country of a region."""

    role = SelectField(_l("Role"), validators=[DataRequired(_l("Choose a role."))])
    countries = SelectMultipleField(_l("Countries in scope"), validate_choice=True)
    regions = SelectMultipleField(_l("Every country of a region"), validate_choice=True)

    def fill_choices(self) -> None:
        self.role.choices = options((role, i18n.ROLE_LABELS[role]) for role in ROLES)
        self.countries.choices = options(i18n.country_choices())
        self.regions.choices = options((key.upper(), name) for key, name in formats.region_names().items()
                                       if key != "all")


class DisableForm(BaseForm):
    reason = StringField(_l("Reason (optional, kept in the audit log)"), validators=[Optional(), Length(max=200)])


class ActionForm(BaseForm):
    """Enable, unlock, resend a mail, force a password reset: the button pressed is the action (CSRF only)."""


class AuditFilterForm(BaseForm):
    """The audit log viewer's filters (a GET form: no CSRF token). A date that is not a date is a form error
    and is left out of the search; everything else is searched as typed."""

    class Meta:
        csrf = False

    actor = StringField(_l("Who acted"), validators=[Optional(), Length(max=254)],
                        description=_l("An e-mail address or account id."))
    action = SelectField(_l("Action"), validate_choice=False)
    subject = StringField(_l("About the account"), validators=[Optional(), Length(max=254)],
                          description=_l("An e-mail address or account id."))
    since = DateField(_l("From (UTC)"), validators=[Optional()])
    until = DateField(_l("To (UTC, included)"), validators=[Optional()])

    def fill_choices(self, actions: list[str]) -> None:
        families = sorted({action.split(".")[0] + "." for action in actions if "." in action})
        self.action.choices = options([("", _l("Every action")),
                                       *((family, _l("Every %(family)s… action", family=family))
                                         for family in families), *((action, action) for action in actions)])

    def filters(self) -> audit_log.Filters:
        def day(field) -> str:
            return field.data.isoformat() if field.data and not field.errors else ""

        return audit_log.Filters(actor=(self.actor.data or "").strip(), action=self.action.data or "",
                                 subject=(self.subject.data or "").strip(), since=day(self.since),
                                 until=day(self.until))
