"""Forms of the trainer's pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    DecimalField,
    HiddenField,
    SearchField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from learnhub import i18n
from learnhub.services import cohort_progress, cohort_uploads, cohorts
from learnhub.web.forms import BaseForm
from learnhub.web.forms_common import email_field, options


class CohortForm(BaseForm):
    name = StringField(_l("Cohort name"), validators=[
        DataRequired(_l("Enter a name for the cohort.")), Length(max=120)])
    organisation = StringField(_l("Organisation"), validators=[
        DataRequired(_l("Enter the name of the organisation.")), Length(max=200)])
    country = SelectField(_l("Country"), validators=[DataRequired(_l("Choose a country."))])
    language = SelectField(_l("Language of the cohort"), choices=options(i18n.LANGUAGE_NAMES.items()))
    submit = SubmitField(_l("Create cohort"))

    def fill_choices(self) -> None:
        self.country.choices = options([("", _l("Choose…")), *i18n.country_choices()])


class AddPersonForm(BaseForm):
    email = email_field()
    name = StringField(_l("Full name"), validators=[DataRequired(_l("Enter the person's name.")), Length(max=120)])
    submit = SubmitField(_l("Add to cohort"))


class ImportForm(BaseForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file to upload."))],
                     description=_l("Columns: name, email, and optionally country, sector, organisation, "
                                    "organisation type, role, language. Comma or semicolon separated."))
    submit = SubmitField(_l("Check the file"))


class ConfirmImportForm(BaseForm):
    upload = HiddenField(validators=[DataRequired(), Regexp(cohort_uploads.NAME)])
    submit = SubmitField(_l("Import the valid rows"))


class InvitationsForm(BaseForm):
    """Send the owed invitations, or resend: `learner` is the pending person's id, or "all"."""

    learner = StringField(validators=[Optional(), Regexp(r"^(all|[0-9]{1,12})$")])


class DueDateForm(BaseForm):
    """A due date, which asks once more when it is already past (`cohorts.due_date_in_past`): the warning's
    button posts the same form with confirm_past=y."""

    due_on = DateField(_l("Due date (optional)"), validators=[Optional()],
                       description=_l("Learners see overdue courses marked on their dashboard."))
    confirm_past = HiddenField(validators=[Optional(), Regexp(r"^y$")])
    submit = SubmitField(_l("Save the due date"))

    def past_unconfirmed(self) -> bool:
        """The date is in the past and the trainer has not yet said it is meant."""
        return cohorts.due_date_in_past(self.due_on.data) and self.confirm_past.data != "y"


class AssignForm(DueDateForm):
    course = SelectField(_l("Course"), validators=[DataRequired(_l("Choose a course."))])
    submit = SubmitField(_l("Assign course"))


class RemovePersonForm(BaseForm):
    submit = SubmitField(_l("Remove from the cohort"))


class MarkForm(BaseForm):
    score = DecimalField(_l("Mark (0 to 100%)"), places=None, validators=[
        InputRequired(_l("Enter a mark from 0 to 100.")), NumberRange(0, 100, _l("Enter a mark from 0 to 100."))])
    feedback = TextAreaField(_l("Feedback for the learner"), validators=[Length(max=5000)])
    submit = SubmitField(_l("Save mark"))


class RegradeForm(BaseForm):
    submit = SubmitField(_l("Apply the regrade"))


class RevokeForm(BaseForm):
    reason = StringField(_l("Reason for revoking"), validators=[
        DataRequired(_l("Say why the certificate is revoked.")), Length(max=500)])
    submit = SubmitField(_l("Revoke certificate"))


class ProgressFilterForm(BaseForm):
    """The progress table's search, filter and sort (a GET form: no CSRF token, nothing changes). Unknown
    values are not errors: they fall back to the defaults (`cohort_progress.Criteria.of`)."""

    class Meta:
        csrf = False

    q = SearchField(_l("Name or e-mail address"))
    show = SelectField(_l("Show"), validate_choice=False)
    course = SelectField(_l("In course"), validate_choice=False)
    sort = SelectField(_l("Sort by"), validate_choice=False)

    def fill_choices(self, courses: list[tuple[str, str]]) -> None:
        """`courses`: (id, title) of the cohort's assigned courses."""
        self.show.choices = options([
            ("all", _l("Everyone")), ("not-started", _l("Not started")), ("in-progress", _l("In progress")),
            ("completed", _l("Completed")), ("overdue", _l("Overdue")), ("invited", _l("Invited, not joined yet"))])
        self.course.choices = options([("", _l("Every assigned course")), *courses])
        self.sort.choices = options([
            ("name", _l("Name")), ("email", _l("E-mail address")), ("progress", _l("Progress, most first")),
            ("activity", _l("Last activity, most recent first")), ("overdue", _l("Overdue first"))])

    def criteria(self) -> cohort_progress.Criteria:
        return cohort_progress.Criteria.of(self.sort.data, self.show.data, self.course.data, self.q.data,
                                           [choice.value for choice in self.course.choices if choice.value])


class CampaignForm(BaseForm):
    """Start a recertification campaign. The population fields an admin alone has (country, sector,
    organisation) are removed for a trainer (`for_trainer`)."""

    course = SelectField(_l("Course"), validators=[DataRequired(_l("Choose a course."))],
                         description=_l("Only courses that give a certificate are listed."))
    title = StringField(_l("Title (optional)"), validators=[Optional(), Length(max=200)],
                        description=_l("Learners see the course's title when this is empty."))
    due_on = DateField(_l("Due date"), validators=[InputRequired(_l("Enter the due date."))],
                       description=_l("A certificate must still be valid on this day."))
    cohorts = SelectMultipleField(_l("Cohorts"), coerce=int, validate_choice=True)
    country = SelectField(_l("Country"), validators=[Optional()])
    sector = SelectField(_l("Sector"), validators=[Optional()])
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)],
                               description=_l("Its name as listed under Organisations; choose its country too."))
    submit = SubmitField(_l("Start the campaign"))

    def fill_choices(self, courses, cohort_choices, language: str, admin: bool) -> None:
        self.course.choices = options([("", _l("Choose…")), *((c.id, c.title_in(language)) for c in courses)])
        self.cohorts.choices = list(cohort_choices)
        if admin:
            self.country.choices = options([("", _l("Every country")), *i18n.country_choices()])
            self.sector.choices = options([("", _l("Every sector")), *i18n.sector_choices()])
        else:
            for name in ("country", "sector", "organisation"):
                delattr(self, name)


class EndCampaignForm(BaseForm):
    """Close or cancel a campaign: the address says which (CSRF only)."""
