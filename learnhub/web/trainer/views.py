"""Trainers: cohorts, imports, assignments, progress, question analysis, essay marking, regrades, preview."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_decimal, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from learnhub.content.loader import Checks
from learnhub.database import writes_on_get
from learnhub.extensions import db
from learnhub.i18n import current_language
from learnhub.jobs import tasks
from learnhub.security import audit_request, client_ip, no_store, role_required, safe_next_url
from learnhub.services import (
    accounts,
    catalogue,
    certificates,
    cohort_csv,
    cohort_imports,
    cohort_progress,
    cohort_uploads,
    cohorts,
    course_preview,
    gift_export,
    invitations,
    marking,
    quiz_analysis,
    regrades,
    trainer_scope,
)
from learnhub.services.cohorts import Person
from learnhub.web import paging
from learnhub.web.downloads import attachment
from learnhub.web.exports import views as exports
from learnhub.web.trainer.forms import (
    AddPersonForm,
    AssignForm,
    CohortForm,
    ConfirmImportForm,
    DueDateForm,
    ImportForm,
    InvitationsForm,
    MarkForm,
    ProgressFilterForm,
    RegradeForm,
    RemovePersonForm,
    RevokeForm,
)

bp = Blueprint("trainer", __name__, url_prefix="/trainer")
REGRADE_ROWS_SHOWN = 200  # the preview lists this many changed attempts; the caption counts them all
trainer_only = role_required("trainer", "admin")
PENDING_SHOWN = 200  # a 10,000-person import must not make a 2 MB page


def _cohort(cohort_id: int):
    return cohorts.cohort_for(current_user, cohort_id) or abort(404)


def _no_store(html, status=200):
    return no_store(current_app.make_response((html, status)))


def _send(found) -> None:
    """After the request's commit, queue a job that sends the cohort's owed invitations, and tell the trainer
    how many are on their way (the cohort page shows each person's invitation as it goes out)."""
    owed = invitations.owed_count(found.id)
    if not owed:
        return
    tasks.send_invitations(found.id)
    flash(ngettext("%(num)d invitation is on its way.", "%(num)d invitations are on their way.", owed), "success")


@bp.route("/", methods=["GET", "POST"])
@trainer_only
def index():
    form = CohortForm()
    form.fill_choices()
    if form.validate_on_submit():
        cohort = cohorts.create(current_user, form.name.data, form.organisation.data, form.country.data,
                                form.language.data)
        audit_request("cohort.created", cohort_id=cohort.id)
        db.session.commit()
        flash(_("The cohort %(name)s is ready. Add people to it.", name=cohort.name), "success")
        return redirect(url_for("trainer.cohort", cohort_id=cohort.id), 303)
    if request.method == "GET":
        form.language.data = current_language()
    return _no_store(render_template("trainer/index.html", cohorts=cohorts.visible_cohorts(current_user), form=form),
                     400 if form.errors else 200)


def _render_cohort(cohort, add_form=None, import_form=None, assign_form=None, status=200):
    assign_form = assign_form or AssignForm()
    assign_form.course.choices = [("", _("Choose…"))] + [
        (course.id, course.title_in(current_language())) for course in catalogue.published_courses()]
    return _no_store(render_template(
        "trainer/cohort.html", cohort=cohort, members=cohorts.members(cohort),
        pending=invitations.pending_people(cohort, limit=PENDING_SHOWN),
        pending_total=invitations.pending_count(cohort), owed=invitations.owed_count(cohort.id),
        imports=cohort_imports.shown(cohort),
        invitation_form=InvitationsForm(), assignments=cohorts.assignments(cohort),
        add_form=add_form or AddPersonForm(),
        import_form=import_form or ImportForm(), assign_form=assign_form, language=current_language()), status)


@bp.get("/cohorts/<id:cohort_id>")
@trainer_only
def cohort(cohort_id: int):
    return _render_cohort(_cohort(cohort_id))


@bp.post("/cohorts/<id:cohort_id>/people")
@trainer_only
def add_person(cohort_id: int):
    found = _cohort(cohort_id)
    form = AddPersonForm()
    if not form.validate_on_submit():
        return _render_cohort(found, add_form=form, status=400)
    result = cohorts.add_people(found, [Person(form.email.data, form.name.data)])
    audit_request("cohort.people_added", cohort_id=found.id, invited=result.invited,
                  already_invited=result.already_invited, already_members=result.already_members,
                  new_accounts=result.new_accounts, staff=result.staff)
    db.session.commit()
    email = accounts.normalise_email(form.email.data)
    if result.already_members:
        flash(_("%(email)s is already in the cohort.", email=email), "success")
    else:
        # The same words whether the address has a trainee account, a staff account or none (decision 0020).
        flash(_("%(email)s is invited to the cohort and joins once they accept.", email=email), "success")
    _send(found)
    return redirect(url_for("trainer.cohort", cohort_id=found.id), 303)


@bp.post("/cohorts/<id:cohort_id>/invitations/send")
@trainer_only
def send_invitations(cohort_id: int):
    """Queue again the invitations still owed (if the job that was sending them is still waiting or was lost)."""
    found = _cohort(cohort_id)
    if not InvitationsForm().validate_on_submit():
        abort(400)
    _send(found)
    return redirect(url_for("trainer.cohort", cohort_id=found.id), 303)


@bp.post("/cohorts/<id:cohort_id>/invitations/resend")
@trainer_only
def resend_invitations(cohort_id: int):
    """Send the invitation again to one pending person (the button's value is their id) or to all ("all"); a
    person without a password gets a new link, and the old one stops working."""
    found = _cohort(cohort_id)
    form = InvitationsForm()
    if not form.validate_on_submit() or not form.learner.data:
        abort(400)
    learner_id = None if form.learner.data == "all" else int(form.learner.data)
    if learner_id is not None and not invitations.is_pending(found, learner_id):
        abort(404)
    queued = invitations.queue(found, learner_id)
    audit_request("cohort.invitations_resent", cohort_id=found.id, learner_id=learner_id, queued=queued)
    db.session.commit()
    _send(found)
    return redirect(url_for("trainer.cohort", cohort_id=found.id), 303)


@bp.post("/cohorts/<id:cohort_id>/import")
@trainer_only
def import_check(cohort_id: int):
    """Check an uploaded CSV: start importing it when it is clean, else show every bad row and let the trainer
    confirm importing the good ones (the file waits under a generated name)."""
    found = _cohort(cohort_id)
    form = ImportForm()
    if not form.validate_on_submit():
        return _render_cohort(found, import_form=form, status=400)
    data = form.file.data.read()
    parsed = cohort_csv.parse_learners_csv(data)
    if not parsed.errors:
        return _import_rows(found, parsed)
    confirm = None
    if parsed.rows:
        confirm = ConfirmImportForm(upload=cohort_uploads.stage(cohort_uploads.folder(), found.id, data))
    return _no_store(render_template("trainer/import_check.html", cohort=found, parsed=parsed, confirm=confirm),
                     400 if not parsed.rows else 200)


@bp.post("/cohorts/<id:cohort_id>/import/confirm")
@trainer_only
def import_confirm(cohort_id: int):
    found = _cohort(cohort_id)
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    folder = cohort_uploads.folder()
    data = cohort_uploads.staged(folder, found.id, form.upload.data)
    if data is None:
        flash(_("That upload has expired. Please upload the file again."), "error")
        return redirect(url_for("trainer.cohort", cohort_id=found.id), 303)
    response = _import_rows(found, cohort_csv.parse_learners_csv(data))
    cohort_uploads.discard(folder, found.id, form.upload.data)
    return response


def _import_rows(found, parsed):
    """Record the import and queue its job; the cohort page shows its progress, then what it did."""
    started = cohort_imports.record(found, current_user, parsed)
    audit_request("cohort.import_queued", cohort_id=found.id, import_id=started.id, rows=len(parsed.rows),
                  skipped=len(parsed.errors))
    db.session.commit()
    tasks.run_import(started.id)
    return redirect(url_for("trainer.cohort", cohort_id=found.id), 303)


@bp.post("/cohorts/<id:cohort_id>/assignments")
@trainer_only
def assign(cohort_id: int):
    found = _cohort(cohort_id)
    form = AssignForm()
    form.course.choices = [(course.id, course.id) for course in catalogue.published_courses()]
    if not form.validate_on_submit():
        return _render_cohort(found, assign_form=form, status=400)
    if form.past_unconfirmed():
        return _render_cohort(found, assign_form=form)
    course = catalogue.course_or_none(form.course.data) or abort(404)
    cohorts.assign(found, course, form.due_on.data)
    audit_request("cohort.assigned", cohort_id=found.id, course_id=course.id,
                  due_on=form.due_on.data.isoformat() if form.due_on.data else None)
    db.session.commit()
    flash(_("%(course)s is assigned to the cohort.", course=course.title_in(current_language())), "success")
    return redirect(url_for("trainer.cohort", cohort_id=found.id), 303)


@bp.route("/cohorts/<id:cohort_id>/assignments/<id:assignment_id>", methods=["GET", "POST"])
@trainer_only
def due_date(cohort_id: int, assignment_id: int):
    """Change (or clear) an assigned course's due date; a date already past is saved only once confirmed."""
    found = _cohort(cohort_id)
    assignment = cohorts.assignment_for(found, assignment_id) or abort(404)
    form = DueDateForm(obj=assignment if request.method == "GET" else None)
    if form.validate_on_submit() and not form.past_unconfirmed():
        before = cohorts.change_due_date(assignment, form.due_on.data)
        audit_request("cohort.due_date_changed", cohort_id=found.id, course_id=assignment.course_id,
                      before=before.isoformat() if before else None,
                      after=form.due_on.data.isoformat() if form.due_on.data else None)
        db.session.commit()
        flash(_("The due date of %(course)s is saved.", course=assignment.course.title_in(current_language())),
              "success")
        return redirect(url_for("trainer.cohort", cohort_id=found.id), 303)
    return _no_store(render_template("trainer/due_date.html", cohort=found, assignment=assignment, form=form,
                                     language=current_language()), 400 if form.errors else 200)


@bp.route("/cohorts/<id:cohort_id>/people/<id:learner_id>/remove", methods=["GET", "POST"])
@trainer_only
def remove_person(cohort_id: int, learner_id: int):
    """A confirmation page naming the person; posting it takes them out of the cohort (their own learning
    stays theirs: cohorts.remove_person)."""
    found = _cohort(cohort_id)
    person = cohorts.removal(found, learner_id) or abort(404)
    form = RemovePersonForm()
    if form.validate_on_submit():
        cohorts.remove_person(found, learner_id)
        audit_request("cohort.person_removed", cohort_id=found.id, learner_id=learner_id, had_joined=person.had_joined)
        db.session.commit()
        flash(_("%(email)s is no longer in the cohort. Their own learning is kept.", email=person.email), "success")
        return redirect(url_for("trainer.cohort", cohort_id=found.id), 303)
    return _no_store(render_template("trainer/remove_person.html", cohort=found, person=person, form=form))


@bp.get("/cohorts/<id:cohort_id>/progress")
@trainer_only
def progress(cohort_id: int):
    """The cohort's summary, then one page of its progress table, searched, filtered and sorted by GET
    parameters that page links and export links carry along (decision 0042)."""
    found = _cohort(cohort_id)
    language = current_language()
    plan = cohort_progress.courses(found)
    form = ProgressFilterForm(request.args)
    form.fill_choices([(a.course_id, a.course.title_in(language)) for a in plan.assigned])
    criteria = form.criteria()
    form.q.data, form.show.data, form.course.data, form.sort.data = (criteria.search, criteria.show,
                                                                     criteria.course or "", criteria.sort)
    shown = cohort_progress.page(found, current_user, plan, criteria, paging.requested_page())
    return _no_store(render_template(
        "trainer/progress.html", cohort=found, assigned=plan.assigned, page=shown, form=form,
        summary=cohort_progress.summary(found, current_user, plan),
        criteria=criteria, args=criteria.args(), page_links=paging.page_links(shown.number, shown.pages),
        language=language, cell_detail=_cell_detail(), number=format_decimal))


def _cell_detail():
    """"3/5 · 80% · 28 Nov 2026" for a progress cell. A big table repeats the same few dates, and Babel's
    date formatting is slow, so each date is formatted once per page."""
    dates: dict = {}

    def detail(cell) -> str:
        text = f"{cell.finished}/{cell.total}"
        if cell.score is not None:
            text += f" · {round(cell.score)}%"
        if cell.on is not None:
            day = cell.on.date()
            if day not in dates:
                dates[day] = format_date(day, "medium")
            text += f" · {dates[day]}"
        return text

    return detail


@bp.get("/cohorts/<id:cohort_id>/progress.<any(csv, xlsx):fmt>")
@writes_on_get
@trainer_only
def progress_export(cohort_id: int, fmt: str):
    """Every page of the table, searched, filtered and sorted as on the page; prepared on the queue for a big
    cohort."""
    return exports.deliver("cohort_progress", cohort_id=_cohort(cohort_id).id, fmt=fmt,
                           sort=request.args.get("sort", "name"), show=request.args.get("show", "all"),
                           **{key: request.args[key] for key in ("course", "q") if request.args.get(key)})


@bp.get("/cohorts/<id:cohort_id>/learners/<id:learner_id>")
@trainer_only
def learner(cohort_id: int, learner_id: int):
    found = _cohort(cohort_id)
    member = trainer_scope.membership(current_user, found, learner_id) or abort(404)
    details = cohorts.learner_details(found, member)
    return _no_store(render_template("trainer/learner.html", cohort=found, details=details,
                                     language=current_language()))


@bp.route("/certificates/<code>/revoke", methods=["GET", "POST"])
@trainer_only
def revoke(code: str):
    """A confirmation page showing the certificate and asking why; posting it revokes. Only with authority
    over the course the certificate was earned in (trainer_scope); anything else is not found."""
    certificate = trainer_scope.certificate(current_user, code) or abort(404)
    back = safe_next_url(request.args.get("next")) or url_for("trainer.index")
    form = RevokeForm()
    if certificate.revoked_at is None and form.validate_on_submit():
        marking.revoke_certificate(current_user, certificate, form.reason.data, ip=client_ip())
        db.session.commit()
        flash(_("The certificate %(code)s is revoked.", code=certificates.display_code(certificate.code)), "success")
        return redirect(back, 303)
    return _no_store(render_template("trainer/revoke.html", certificate=certificate, form=form, back=back,
                                     language=current_language()), 400 if form.errors else 200)


@bp.get("/quizzes")
@trainer_only
def quizzes():
    courses = [(course, catalogue.syllabus(course)) for course in catalogue.published_courses()]
    return render_template("trainer/quizzes.html", courses=courses, language=current_language())


def _quiz(course_id: str, item_key: str):
    course = catalogue.course_or_none(course_id) or abort(404)
    item = catalogue.syllabus(course).item(item_key)
    if item is None or item.kind != "quiz":
        abort(404)
    return course, item


@bp.get("/quizzes/<course_id>/<item_key>/analysis")
@trainer_only
def analysis(course_id: str, item_key: str):
    course, item = _quiz(course_id, item_key)
    result = quiz_analysis.for_quiz(current_user, course, item, current_language())
    return _no_store(render_template("trainer/analysis.html", course=course, item=item, result=result,
                                     language=current_language()))


@bp.get("/quizzes/<course_id>/<item_key>/gift")
@trainer_only
def quiz_gift(course_id: str, item_key: str):
    """The quiz as GIFT, to take to Moodle: its file in the course folder written back in canonical form, in
    ?language= (one of the quiz's languages) or the course's default language. Named .txt, the kind of file
    Moodle's GIFT import takes."""
    course, item = _quiz(course_id, item_key)
    language = request.args.get("language") or course.default_language
    if language not in item.languages:
        abort(404)
    try:
        [found] = gift_export.quiz_files(Path(current_app.config["COURSES_DIR"]), course.id, item.key, language)
    except gift_export.ExportError as error:
        flash(_("This quiz cannot be written as GIFT: %(reason)s", reason=error.message), "error")
        return redirect(url_for("trainer.quizzes"), 303)
    return attachment(found.text, "text/plain", f"{item.key}.{language}.gift.txt")


@bp.route("/quizzes/<course_id>/<item_key>/regrade", methods=["GET", "POST"])
@trainer_only
def regrade(course_id: str, item_key: str):
    course, item = _quiz(course_id, item_key)
    form = RegradeForm()
    running = regrades.unfinished(item)
    if running is None and form.validate_on_submit():
        if marking.regradable_count(current_user, item) > current_app.config["REGRADE_INLINE_LIMIT"]:
            queued = regrades.record(current_user, course, item, ip=client_ip())
            db.session.commit()
            tasks.run_regrade(queued.id)
        else:
            applied = marking.apply_regrade(current_user, marking.regrade_preview(current_user, course, item)[0],
                                            ip=client_ip())
            db.session.commit()
            flash(ngettext("Regraded %(num)d attempt; every change is in the audit log.",
                           "Regraded %(num)d attempts; every change is in the audit log.", applied), "success")
        return redirect(url_for("trainer.regrade", course_id=course.id, item_key=item.key), 303)
    changes, skipped = marking.regrade_preview(current_user, course, item) if running is None else ([], [])
    return _no_store(render_template("trainer/regrade.html", course=course, item=item, changes=changes,
                                     skipped=skipped, form=form, queued=regrades.shown(item), running=running,
                                     shown_changes=REGRADE_ROWS_SHOWN, language=current_language()))


@bp.get("/marking")
@trainer_only
def marking_queue():
    return _no_store(render_template("trainer/marking.html", queue=marking.marking_queue(current_user),
                                     language=current_language()))


@bp.route("/marking/<id:attempt_id>/<question_id>", methods=["GET", "POST"])
@trainer_only
def mark(attempt_id: int, question_id: str):
    attempt = marking.attempt_to_mark(current_user, attempt_id) or abort(404)
    essay = next((e for e in marking.marking_queue_for(attempt) if e.question.id == question_id), None)
    if essay is None:
        abort(404)
    form = MarkForm()
    if form.validate_on_submit():
        marking.mark_essay(current_user, attempt, question_id, float(form.score.data) / 100, form.feedback.data or "",
                           ip=client_ip())
        db.session.commit()
        flash(_("Mark saved; the learner sees it on their dashboard."), "success")
        return redirect(url_for("trainer.marking_queue"), 303)
    return _no_store(render_template("trainer/mark.html", essay=essay, form=form, language=current_language()),
                     400 if form.errors else 200)


@bp.get("/content")
@trainer_only
def content():
    results = course_preview.check_all(Path(current_app.config["COURSES_DIR"]), _checks())
    return render_template("trainer/content.html", results=results, language=current_language())


def _checks() -> Checks:
    return Checks(review_max_age_days=current_app.config["REVIEW_MAX_AGE_DAYS"])


@bp.get("/content/<course_id>")
@trainer_only
def content_preview(course_id: str):
    shown = course_preview.preview(Path(current_app.config["COURSES_DIR"]), course_id, current_language(), _checks())
    if shown is None:
        abort(404)
    return render_template("trainer/content_preview.html", course_id=course_id, spec=shown.spec,
                           problems=shown.problems, quizzes=shown.quizzes, language=current_language())
