"""The trainee's journey: enrol, read lessons, take quizzes, see results, earn and verify certificates."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    get_template_attribute,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from learnhub.database import reads_only
from learnhub.extensions import db
from learnhub.i18n import current_language
from learnhub.security import audit_request, no_store
from learnhub.services import campaigns, catalogue, certificates, grading, invitations, item_state, learning, marking
from learnhub.web import downloads, page_cache, sessions
from learnhub.web.question_fragments import fresh_question
from learnhub.web.sessions import log_in

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
@reads_only
def lesson(course_id: str, item_key: str):
    course, syllabus, item = _course_item(course_id, item_key, "lesson")
    page = catalogue.lesson_body(course, item, current_language()) or abort(404)
    state = item_state.answered(course.id, item.id) or item_state.LessonState.of(
        learning.course_progress(current_user, course, syllabus), item)
    previous, following = syllabus.neighbours(item)
    return page_cache.render("learn/lesson.html", (course.revision, course.synced_at, state.state, state.redo),
                             course=course, item=item, page=page, previous=previous, following=following,
                             state=state, language=current_language())


_ASKS_ITEM_STATE = {"learn.lesson": "lesson", "learn.quiz": "quiz"}


@bp.url_value_preprocessor
def _ask_item_state(endpoint: str | None, values: dict | None) -> None:
    """Before the session user is read (by the before-request hooks, which run after this): a lesson page or a
    quiz form asks for its learner's state on the item in the same statement (services/item_state)."""
    if endpoint in _ASKS_ITEM_STATE and values and request.method in ("GET", "HEAD"):
        item_state.ask(values["course_id"], values["item_key"], _ASKS_ITEM_STATE[endpoint])


@bp.post("/courses/<course_id>/lessons/<item_key>/done")
@login_required
def lesson_done(course_id: str, item_key: str):
    course, syllabus, item = _course_item(course_id, item_key, "lesson")
    learning.mark_lesson_done(current_user, course, item, syllabus)
    db.session.commit()
    following = syllabus.neighbours(item)[1]
    progress = learning.course_progress(current_user, course, syllabus)
    if progress.complete and (following is None or progress.renewal_since is None):
        # (while renewing a certificate the learner goes on to the quiz they must pass again)
        flash(_("Congratulations: you have completed this course."), "success")
        return redirect(url_for("catalog.course", course_id=course.id), 303)
    return redirect(item_url(course, following) if following else url_for("catalog.course", course_id=course.id),
                    303)


def _render_quiz(course, syllabus, item, form, answers=None, status=200, message=None, standing=None):
    standing = standing or item_state.QuizState.of(learning.course_progress(current_user, course, syllabus), item)
    if form is not None and not answers and message is None:
        response = _fresh_quiz_page(course, item, form, standing)
    else:
        response = render_template("learn/quiz.html", course=course, item=item, form=form, answers=answers or {},
                                   standing=standing, message=message, language=current_language())
    return no_store(current_app.make_response((response, status)))


def _fresh_quiz_page(course, item, form: grading.QuizForm, standing: item_state.QuizState) -> str:
    """A new, unanswered form (issue 14): the page around it comes from the page cache, keyed by what it shows
    of the learner (attempts left, best score) and the form's language; the form's token and its questions
    (question_fragments) are filled in."""
    key = (course.revision, course.synced_at, form.language, standing.attempts_left(item), standing.best_score)
    token, questions = page_cache.slot("quiz-token"), page_cache.slot("quiz-questions")
    language = current_language()
    page = page_cache.render("learn/quiz.html", key, course=course, item=item, standing=standing, answers={},
                             form=grading.QuizForm(token, form.language, ()), questions_html=questions,
                             message=None, language=language)
    draw = get_template_attribute("learn/_question.html", "question_fields")
    drawn = "\n  ".join(fresh_question(draw, shown, form.language, language) for shown in form.questions)
    return page.replace(token, form.token).replace(questions, drawn)


@bp.get("/courses/<course_id>/quizzes/<item_key>")
@login_required
@reads_only
def quiz(course_id: str, item_key: str):
    course, syllabus, item = _course_item(course_id, item_key, "quiz")
    standing = item_state.answered(course.id, item.id) or item_state.QuizState.of(
        learning.course_progress(current_user, course, syllabus), item)
    if standing.attempts_left(item) == 0:
        return _render_quiz(course, syllabus, item, None, standing=standing)
    form = grading.new_form(current_user, course, item, current_language(), current_app.config["SECRET_KEY"])
    return _render_quiz(course, syllabus, item, form, standing=standing)


@bp.post("/courses/<course_id>/quizzes/<item_key>")
def submit_quiz(course_id: str, item_key: str):
    """Grade a submitted quiz. A learner whose session ended meanwhile logs in here, answers kept."""
    course, syllabus, item = _course_item(course_id, item_key, "quiz")
    if not current_user.is_authenticated:
        refusal = _log_in_from_quiz()
        if refusal is not None:
            return refusal
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
    attempt_id = attempt.id  # before the commit expires it: reading it after would cost a transaction
    db.session.commit()
    return redirect(url_for("learn.attempt", attempt_id=attempt_id), 303)


def _log_in_from_quiz():
    """The quiz page's login takes a password too: the same throttled, audited path as /login, and for an
    account with a second factor the same second step (its code typed on this page, answers still kept).

    None once logged in; otherwise the login page to answer with (answers kept), 429 when throttled.
    """
    email, password = request.form.get("email", ""), request.form.get("password", "")
    code = request.form.get("code", "")
    if code and sessions.pending_user() is not None:
        verdict = sessions.second_step(code)[1]
    else:
        verdict = log_in(email, password)[1] if email and password else None
    if verdict is not None and current_user.is_authenticated:
        return None
    throttled = verdict is not None and not verdict.allowed
    second_step = sessions.pending_user() is not None
    failed = "code" in request.form if second_step else "password" in request.form
    html = render_template("learn/quiz_login.html", form_data=request.form, failed=failed, second_step=second_step)
    response = no_store(current_app.make_response((html, 429 if throttled else 401)))
    if throttled:
        response.headers["Retry-After"] = str(verdict.retry_after)
    return response


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
@reads_only
def dashboard():
    rows = learning.dashboard(current_user)
    notices = marking.unseen_notices(current_user)
    earned = certificates.for_learner(current_user)
    newest = certificates.newest_per_course(earned)
    html = render_template("learn/dashboard.html", campaigns=campaigns.open_for(current_user), rows=rows,
                           attempts=grading.recent_attempts(current_user),
                           certificates=earned, statuses={c.id: certificates.status(c) for c in earned},
                           newest={c.id for c in newest.values()},
                           revoked={course for course, c in newest.items() if not c.valid},
                           notices=notices, invitations=invitations.open_for(current_user),
                           language=current_language())
    return no_store(current_app.make_response(html))


@bp.get("/invitations")
@login_required
def invitations_page():
    """The learner's open cohort invitations; the link in an invitation mail leads here (through login)."""
    html = render_template("learn/invitations.html", invitations=invitations.open_for(current_user))
    return no_store(current_app.make_response(html))


@bp.post("/invitations/<id:cohort_id>/accept")
@login_required
def accept_invitation(cohort_id: int):
    if not invitations.accept(current_user, cohort_id):
        abort(404)
    audit_request("cohort.invitation_accepted", cohort_id=cohort_id)
    db.session.commit()
    flash(_("You joined the cohort. Its courses are on your dashboard."), "success")
    return redirect(url_for("learn.dashboard"), 303)


@bp.post("/invitations/<id:cohort_id>/decline")
@login_required
def decline_invitation(cohort_id: int):
    if not invitations.decline(current_user, cohort_id):
        abort(404)
    audit_request("cohort.invitation_declined", cohort_id=cohort_id)
    db.session.commit()
    flash(_("You declined the invitation. The trainer sees nothing of your learning."), "success")
    return redirect(url_for("learn.dashboard"), 303)


@bp.post("/learning/notices/dismiss")
@login_required
def dismiss_notices():
    marking.mark_seen(marking.unseen_notices(current_user))
    db.session.commit()
    return redirect(url_for("learn.dashboard"), 303)


def own_certificate(code: str):
    """The logged-in learner's certificate with this code; 404 for anyone else's (nobody learns it exists)."""
    certificate = certificates.by_code(code)
    if certificate is None or certificate.learner_id != current_user.id:
        abort(404)
    return certificate


def refused(certificate):
    """The page (410 Gone) that answers a download of a revoked or expired certificate, or None when it is valid:
    its PDF or badge is never served then (decisions 0021, 0064, 0072)."""
    if not certificate.valid:
        # A revoked certificate is never served as a clean document: a page says why instead (410 Gone).
        html = render_template("learn/certificate_revoked.html", certificate=certificate, language=current_language())
        return no_store(current_app.make_response((html, 410)))
    if certificates.status(certificate) == "expired":
        # Nor is an expired one (decision 0064): the page says when it expired and how to renew it.
        html = render_template("learn/certificate_expired.html", certificate=certificate, language=current_language())
        return no_store(current_app.make_response((html, 410)))
    return None


@bp.get("/certificates/<code>.pdf")
@login_required
def certificate_pdf(code: str):
    certificate = own_certificate(code)
    if (refusal := refused(certificate)) is not None:
        return refusal
    verify_url = current_app.config["BASE_URL"] + url_for("learn.verify", code=certificate.code)
    data = certificates.pdf(certificate, current_language(), verify_url,
                            certificates.Issuer.from_config(current_app.config))
    return downloads.attachment(data, "application/pdf", f"learnhub-certificate-{certificate.code}.pdf")


@bp.get("/verify/<code>")
def verify(code: str):
    certificate = certificates.by_code(code)
    if certificate is None:
        return render_template("learn/verify.html", certificate=None, code=code), 404
    return render_template("learn/verify.html", certificate=certificate, code=code, language=current_language(),
                           status=certificates.status(certificate))
