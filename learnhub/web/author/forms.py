"""Forms of the authoring pages: creating a workspace, editing a file, restoring a version."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Regexp
from wtforms.widgets import HiddenInput

from learnhub.content.assembly import ID_PATTERN
from learnhub.web.forms import BaseForm

COURSE_ID_HINT = _l("2 to 64 lowercase letters, digits and hyphens, e.g. phishing-basics. It names the course "
                    "folder and cannot be changed later.")


class TemplateForm(BaseForm):
    course_id = StringField(_l("Course id"), description=COURSE_ID_HINT, validators=[
        DataRequired(_l("Enter a course id.")),
        Regexp(ID_PATTERN, message=_l("Use 2 to 64 lowercase letters, digits and hyphens, starting with a "
                                      "letter or digit."))])
    title = StringField(_l("Course title"), validators=[DataRequired(_l("Enter a title.")), Length(max=200)])
    submit = SubmitField(_l("Create from the empty template"))


class CopyForm(BaseForm):
    course_id = SelectField(_l("Course to copy"), validators=[DataRequired(_l("Choose a course."))])
    submit = SubmitField(_l("Create a copy"))


class UploadForm(BaseForm):
    file = FileField(_l("Course folder as a .zip file"), validators=[FileRequired(_l("Choose a .zip file."))],
                     description=_l("The zip holds course.yaml, lessons, quizzes and media/, at its top or in one "
                                    "folder. At most 8 MB and 2,000 files."))
    submit = SubmitField(_l("Upload"))


class EditForm(BaseForm):
    text = TextAreaField(_l("Content of the file"), validators=[Length(max=1_000_000)])
    submit = SubmitField(_l("Save"))


class RestoreForm(BaseForm):
    version = IntegerField(validators=[InputRequired(), NumberRange(min=1)])
    submit = SubmitField(_l("Restore this version"))


class MemberForm(BaseForm):
    email = StringField(_l("E-mail of a trainer or administrator"), validators=[
        DataRequired(_l("Enter an e-mail address.")), Length(max=254)])
    role = SelectField(_l("Role"), choices=[("owner", _l("Owner")), ("co-author", _l("Co-author")),
                                            ("reviewer", _l("Reviewer"))], default="co-author",
                       description=_l("Owners manage members and edit; co-authors edit and submit; reviewers "
                                      "read, approve or request changes, and publish."))
    submit = SubmitField(_l("Add or change member"))


class RemoveMemberForm(BaseForm):
    user = IntegerField(validators=[InputRequired(), NumberRange(min=1)])
    submit = SubmitField(_l("Remove"))


class StepForm(BaseForm):
    """Submit, approve, request changes, publish or unpublish, with an optional comment (required when
    changes are requested)."""

    comment = TextAreaField(_l("Comment"), validators=[Length(max=2000, message=_l("Comment: at most 2000 "
                                                                                    "characters."))])
    submit = SubmitField(_l("Confirm"))


class TranslationForm(BaseForm):
    text = TextAreaField(_l("Translation"), validators=[Length(max=1_000_000)])
    submit = SubmitField(_l("Save the translation"))


class HiddenText(TextAreaField):
    """A hidden field holding text with line breaks (a text area's cleaning, not a one-line field's)."""

    widget = HiddenInput()


class LessonEditForm(EditForm):
    """A lesson's front matter as fields above its Markdown body (decision 0079); `head` carries the front
    matter block as written, so keys the fields do not show are kept."""

    title = StringField(_l("Title"), validators=[Length(max=200)],
                        description=_l("Shown as the lesson's heading. Empty: the first '# heading' of the text."))
    minutes = StringField(_l("Minutes"), validators=[Length(max=4)], render_kw={"inputmode": "numeric"},
                          description=_l("About how long the lesson takes to read, in whole minutes."))
    head = HiddenText()
    text = TextAreaField(_l("Lesson text (Markdown)"), validators=[Length(max=1_000_000)])


class TryForm(BaseForm):
    """A quiz's questions answered in the preview: `source` is the quiz text being edited."""

    source = HiddenText(validators=[Length(max=1_000_000)])
    submit = SubmitField(_l("Check my answers"))


class TokenForm(BaseForm):
    """Only the CSRF token: the course settings and modules pages read their fields themselves, since the
    fields depend on the course's languages (services.course_settings, services.course_outline)."""
