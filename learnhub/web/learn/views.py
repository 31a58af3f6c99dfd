"""The trainee's journey: enrol, read lessons, take quizzes, see results, earn and verify certificates."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from learnhub.extensions import db
from learnhub.i18n import current_language
from learnhub.security import audit_request, login_limit_per_account, login_limit_per_ip, no_store
from learnhub.services import accounts, catalogue, certificates, grading, learning, marking

bp = Blueprint("learn", __name__)


def _course_item(course_id: str, item_key: str, kind: str):
    course = catalogue.course_or_none(course_id) or abort(404)
    syllabus = catalogue.syllabus(course)
    item = syllabus.item(item_key)
    if item is None or item.kind != kind:
        abort(404)
    return course, syllabus, item


@bp.post("/courses/<course_id>/enrol")
@login_required
def enrol(course_id: str):
    course = catalogue.course_or_none(course_id) or abort(404)
    learning.enrol(current_user, course)
    db.session.commit()
    progress = learning.course_progress(current_user, course, syllabus := catalogue.syllabus(course))
    first = progress.next_item() or (syllabus.items[0] if syllabus.items else None)
    flash(_("You are enrolled. Start whenever you like: your progress is saved as you go."), "success")
    return redirect(item_url(course, first) if first else url_for("catalog.course", course_id=course.id), 303)


def item_url(course, item) -> str:
    endpoint = "learn.lesson" if item.kind == "lesson" else "learn.quiz"
    return url_for(endpoint, course_id=course.id, item_key=item.key)


@bp.get("/courses/<course_id>/lessons/<item_key>")
@login_required
def lesson(course_id: str, item_key: str):
    course, syllabus, item = _course_item(course_id, item_key, "lesson")
    page = catalogue.lesson_body(course, item, current_language()) or abort(404)
    progress = learning.course_progress(current_user, course, syllabus)
    previous, following = syllabus.neighbours(item)
    return render_template("learn/lesson.html", course=course, item=item, page=page, previous=previous,
                           following=following, progress=progress, language=current_language())


@bp.post("/courses/<course_id>/lessons/<item_key>/done")
@login_required
def lesson_done(course_id: str, item_key: str):
    course, syllabus, item = _course_item(course_id, item_key, "lesson")
    learning.mark_lesson_done(current_user, course, item, syllabus)
    db.session.commit()
    following = syllabus.neighbours(item)[1]
    progress = learning.course_progress(current_user, course, syllabus)
    if progress.complete:
        flash(_("Congratulations: you have completed this course."), "success")
        return redirect(url_for("catalog.course", course_id=course.id), 303)
    return redirect(item_url(course, following) if following else url_for("catalog.course", course_id=course.id),
                    303)


def _render_quiz(course, syllabus, item, form, answers=None, status=200, message=None):
    progress = learning.course_progress(current_user, course, syllabus)
    response = render_template("learn/quiz.html", course=course, item=item, form=form, answers=answers or {},
                               progress=progress, message=message, language=current_language())
    return no_store(current_app.make_response((response, status)))


@bp.get("/courses/<course_id>/quizzes/<item_key>")
@login_required
def quiz(course_id: str, item_key: str):
    course, syllabus, item = _course_item(course_id, item_key, "quiz")
    progress = learning.course_progress(current_user, course, syllabus)
    if progress.attempts_left(item) == 0:
        return _render_quiz(course, syllabus, item, None)
    form = grading.new_form(current_user, course, item, current_language(), current_app.config["SECRET_KEY"])
    return _render_quiz(course, syllabus, item, form)


@bp.post("/courses/<course_id>/quizzes/<item_key>")
@login_limit_per_ip(exempt_when=lambda: "password" not in request.form)
@login_limit_per_account(exempt_when=lambda: "password" not in request.form)
def submit_quiz(course_id: str, item_key: str):
    """Grade a submitted quiz. A learner whose session ended meanwhile logs in here, answers kept."""
    course, syllabus, item = _course_item(course_id, item_key, "quiz")
    if not current_user.is_authenticated and not _log_in_from_quiz():
        return no_store(current_app.make_response((render_template(
            "learn/quiz_login.html", form_data=request.form, failed="password" in request.form), 401)))
    token = request.form.get("token", "")
    try:
        attempt = grading.submit(current_user, course, item, syllabus, token, request.form,
                                 current_app.config["SECRET_KEY"])
    except grading.BadToken:
        abort(404)
    except grading.QuizChanged:
        db.session.rollback()
        form = grading.new_form(current_user, course, item, current_language(), current_app.config["SECRET_KEY"])
        return _render_quiz(course, syllabus, item, form, status=409, message=_(
            "This quiz was updated while you were answering it. Please check the questions and answer again."))
    except grading.QuizClosed:
        db.session.rollback()
        flash(_("You have used every attempt of this quiz."), "error")
        return redirect(url_for("learn.quiz", course_id=course.id, item_key=item.key), 303)
    db.session.commit()
    return redirect(url_for("learn.attempt", attempt_id=attempt.id), 303)


def _log_in_from_quiz() -> bool:
    from learnhub.web.auth.views import _start_session

    email, password = request.form.get("email", ""), request.form.get("password", "")
    if not email or not password:
        return False
    user = accounts.authenticate(email, password)
    if user is None:
        audit_request("auth.login_failed", email=accounts.normalise_email(email))
        db.session.commit()
        return False
    audit_request("auth.login", actor_id=user.id)
    db.session.commit()
    _start_session(user)
    return True


@bp.get("/attempts/<id:attempt_id>")
@login_required
def attempt(attempt_id: int):
    found = grading.attempt_for(current_user, attempt_id) or abort(404)
    course = found.course
    syllabus = catalogue.syllabus(course)
    progress = learning.course_progress(current_user, course, syllabus)
    html = render_template("learn/attempt.html", attempt=found, course=course, item=found.item,
                           shown=grading.shown_questions(found), progress=progress, language=current_language())
    return no_store(current_app.make_response(html))


@bp.get("/learning")
@login_required
def dashboard():
    rows = learning.dashboard(current_user)
    notices = marking.unseen_notices(current_user)
    html = render_template("learn/dashboard.html", rows=rows, attempts=grading.recent_attempts(current_user),
                           certificates=certificates.for_learner(current_user), notices=notices,
                           language=current_language())
    return no_store(current_app.make_response(html))


@bp.post("/learning/notices/dismiss")
@login_required
def dismiss_notices():
    marking.mark_seen(marking.unseen_notices(current_user))
    db.session.commit()
    return redirect(url_for("learn.dashboard"), 303)


@bp.get("/certificates/<code>.pdf")
@login_required
def certificate_pdf(code: str):
    certificate = certificates.by_code(code)
    if certificate is None or certificate.learner_id != current_user.id:
        abort(404)
    verify_url = current_app.config["BASE_URL"] + url_for("learn.verify", code=certificate.code)
    data = certificates.pdf(certificate, current_language(), verify_url)
    response = current_app.response_class(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="learnhub-certificate-{certificate.code}.pdf"'
    return no_store(response)


@bp.get("/verify/<code>")
def verify(code: str):
    certificate = certificates.by_code(code)
    if certificate is None:
        return render_template("learn/verify.html", certificate=None, code=code), 404
    return render_template("learn/verify.html", certificate=certificate, code=code, language=current_language())
