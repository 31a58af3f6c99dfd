"""Essay marking and regrades: the only ways an attempt's result changes after it was graded.

Both recompute the attempt's score from its per-question scores, bring the learner's progress in line
(which issues a certificate to anyone who now completes the course), and write before and after to
the audit log. Neither ever revokes a certificate: that is a separate, explicit action.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from learnhub.content.questions import Question
from learnhub.extensions import db
from learnhub.models import Attempt, Certificate, Course, CourseItem, Notice, QuizQuestion, User
from learnhub.models.base import utcnow
from learnhub.models.courses import ShownText
from learnhub.services import audit, catalogue, learning, trainer_scope
from learnhub.services.grading import quiz_percent


def _rescore(attempt: Attempt) -> None:
    attempt.score = quiz_percent(attempt.scores)
    attempt.awaiting_marking = sum(1 for value in attempt.scores.values() if value is None)
    attempt.passed = attempt.awaiting_marking == 0 and attempt.score is not None and attempt.score >= attempt.pass_mark


def _refresh_progress(attempt: Attempt) -> None:
    course = db.session.get(Course, attempt.course_id)
    syllabus = catalogue.syllabus(course)
    item = next((i for i in syllabus.items if i.id == attempt.item_id), None)
    learner = db.session.get(User, attempt.learner_id)
    if item is not None:
        learning.record_quiz_result(learner, course, item, syllabus, by_learner=False)


@dataclass(frozen=True)
class EssayToMark:
    attempt: Attempt
    question: Question
    answer: str

    def rubric(self, language: str) -> ShownText | None:
        """The author's marking rubric for this essay (course.yaml `rubrics`), as sanitised HTML in the
        marker's language or the closest one; None when the course gives none."""
        texts = (self.attempt.item.rubrics or {}).get(self.question.id)
        return self.attempt.course.text_in(texts, language) if texts else None


def marking_queue(user: User) -> list[EssayToMark]:
    """Essay answers awaiting marking in the attempts the user may see (trainer_scope), oldest first."""
    attempts = db.session.scalars(select(Attempt).where(Attempt.awaiting_marking > 0, trainer_scope.attempts(user))
        .options(joinedload(Attempt.course)).order_by(Attempt.submitted_at, Attempt.id))
    return [essay for attempt in attempts for essay in marking_queue_for(attempt)]


def marking_queue_for(attempt: Attempt) -> list[EssayToMark]:
    """The attempt's essays still awaiting a mark."""
    queue = []
    for shown in attempt.questions:
        question = Question.from_dict(shown["question"])
        if question.kind.awaits_marking and attempt.scores.get(question.id) is None:
            queue.append(EssayToMark(attempt, question, str(attempt.answers.get(question.id) or "")))
    return queue


def attempt_to_mark(user: User, attempt_id: int) -> Attempt | None:
    """The attempt when the user may see (and so mark) it; None otherwise, and the view answers 404."""
    return trainer_scope.attempt(user, attempt_id)


def mark_essay(marker: User, attempt: Attempt, question_id: str, fraction: float, feedback: str,
               ip: str | None = None) -> None:
    """Record a trainer's mark (0..1) and feedback for one essay; the learner is told on their dashboard."""
    if question_id not in attempt.scores:
        raise KeyError(question_id)
    before = (attempt.score, attempt.passed)
    scores = dict(attempt.scores)
    scores[question_id] = max(0.0, min(1.0, fraction))
    attempt.scores = scores
    attempt.marks = {**attempt.marks, question_id: {
        "score": scores[question_id], "feedback": feedback.strip()[:5000], "marker_id": marker.id,
        "marked_at": utcnow().isoformat(timespec="seconds")}}
    _rescore(attempt)
    db.session.add(Notice(learner_id=attempt.learner_id, kind="essay-marked", attempt_id=attempt.id))
    audit.record("attempt.essay_marked", actor_id=marker.id, ip=ip, attempt_id=attempt.id, question=question_id,
                 mark=scores[question_id], score_before=before[0], score_after=attempt.score,
                 passed_before=before[1], passed_after=attempt.passed)
    db.session.flush()
    _refresh_progress(attempt)


@dataclass(frozen=True)
class RegradeChange:
    attempt: Attempt
    learner: User
    score_before: float | None
    score_after: float | None
    passed_before: bool
    passed_after: bool
    new_scores: dict
    new_questions: list
    changed_questions: tuple[str, ...]

    @property
    def changes_pass(self) -> bool:
        return self.passed_before != self.passed_after


def regrade_preview(user: User, course: Course, item: CourseItem) -> tuple[list[RegradeChange], list[str]]:
    """Which of the attempts the user may see (trainer_scope) a regrade against the current answer key
    would change, without changing anything.

    A question is regraded when its current version (same id, same language) differs from the one the
    attempt showed, keeps its type and, for choice questions, the same number of choices (so stored
    answers still mean the same choices). Other changed questions are listed as skipped. A regrade
    follows a change of the answer key, not of LearnHub's grading rules: the new version is graded by
    the rules the attempt was graded by (decision 0040), and a version that differs only in what those
    rules do not grade (its rules, idnumber, tags) changes nothing.
    """
    attempts = list(db.session.scalars(select(Attempt).where(Attempt.item_id == item.id,
                                                             trainer_scope.attempts(user))
                                       .order_by(Attempt.submitted_at, Attempt.id)))
    return _changes(attempts, _answer_key(item))


def regrade_batch(user: User, item: CourseItem, after_id: int, limit: int
                  ) -> tuple[list[RegradeChange], int, int | None]:
    """The changes a regrade makes to the next `limit` attempts the user may see, by id after `after_id`
    (the queued regrade's chunks, services/regrades.py): (changes, attempts examined, the last id examined,
    None when none was left)."""
    attempts = list(db.session.scalars(select(Attempt).where(Attempt.item_id == item.id, Attempt.id > after_id,
                                                             trainer_scope.attempts(user))
                                       .order_by(Attempt.id).limit(limit)))
    if not attempts:
        return [], 0, None
    return _changes(attempts, _answer_key(item))[0], len(attempts), attempts[-1].id


def regradable_count(user: User, item: CourseItem) -> int:
    """How many attempts at `item` the user may see: what a regrade examines."""
    return db.session.scalar(select(func.count()).select_from(Attempt).where(Attempt.item_id == item.id,
                                                                            trainer_scope.attempts(user)))


def _answer_key(item: CourseItem) -> dict[tuple[str, str], QuizQuestion]:
    return {(row.language, row.key): row for row in db.session.scalars(select(QuizQuestion).where(
        QuizQuestion.item_id == item.id))}


def _changes(attempts: list[Attempt], current: dict[tuple[str, str], QuizQuestion]
             ) -> tuple[list[RegradeChange], list[str]]:
    changes: list[RegradeChange] = []
    skipped: set[str] = set()
    learners = {user.id: user for user in db.session.scalars(
        select(User).where(User.id.in_({attempt.learner_id for attempt in attempts})))}
    for attempt in attempts:
        new_questions, new_scores, changed = [], dict(attempt.scores), []
        for shown in attempt.questions:
            old = Question.from_dict(shown["question"])
            row = current.get((attempt.language, old.id))
            replacement = _under_rules(Question.from_dict(row.data), old) if row is not None else None
            if replacement is None or replacement.to_dict() == old.to_dict():
                new_questions.append(shown)
                continue
            if replacement.type != old.type or len(replacement.choices) != len(old.choices) or not old.auto_graded:
                skipped.add(old.id)
                new_questions.append(shown)
                continue
            new_questions.append({**shown, "question": replacement.to_dict()})
            score = replacement.score(attempt.answers.get(old.id))
            if score != attempt.scores.get(old.id):
                new_scores[old.id] = score
                changed.append(old.id)
        if not changed:
            continue
        score_after = quiz_percent(new_scores)
        awaiting = sum(1 for value in new_scores.values() if value is None)
        passed_after = awaiting == 0 and score_after is not None and score_after >= attempt.pass_mark
        changes.append(RegradeChange(attempt, learners[attempt.learner_id], attempt.score, score_after,
                                     attempt.passed, passed_after, new_scores, new_questions, tuple(changed)))
    return changes, sorted(skipped)


def _under_rules(replacement: Question, old: Question) -> Question:
    """The current version of a question as the attempt would have been graded by: its rules, and the
    attempt's own idnumber and tags (which grade nothing)."""
    return replace(replacement, rules=old.rules, idnumber=old.idnumber, tags=old.tags)


def apply_regrade(user: User, changes: list[RegradeChange], ip: str | None = None) -> int:
    """Apply a previewed regrade; each changed attempt is audited with its score before and after."""
    for change in changes:
        attempt = change.attempt
        attempt.questions = change.new_questions
        attempt.scores = change.new_scores
        _rescore(attempt)
        attempt.regraded_at = utcnow()
        audit.record("attempt.regraded", actor_id=user.id, ip=ip, attempt_id=attempt.id,
                     learner_id=attempt.learner_id, questions=list(change.changed_questions),
                     score_before=change.score_before, score_after=attempt.score,
                     passed_before=change.passed_before, passed_after=attempt.passed)
        db.session.flush()
        _refresh_progress(attempt)
    return len(changes)


def revoke_certificate(user: User, certificate: Certificate, reason: str, ip: str | None = None) -> None:
    """Revoke explicitly, with a reason, audited (who, which certificate, why); the verification page then
    says "Revoked", the learner's dashboard shows the date and reason, and the PDF is no longer served.
    Only someone with authority over the certificate may (trainer_scope.certificate): PermissionError."""
    if trainer_scope.certificate(user, certificate.code) is None:
        raise PermissionError("no authority over this certificate")
    if certificate.revoked_at is not None:
        return
    certificate.revoked_at = utcnow()
    certificate.revoked_reason = reason.strip()[:500]
    audit.record("certificate.revoked", actor_id=user.id, ip=ip, certificate=certificate.code,
                 learner_id=certificate.learner_id, course_id=certificate.course_id, reason=certificate.revoked_reason)
    db.session.flush()


def unseen_notices(learner: User) -> list[Notice]:
    return list(db.session.scalars(select(Notice).where(Notice.learner_id == learner.id, Notice.seen_at.is_(None))
                                   .order_by(Notice.created_at.desc())))


def mark_seen(notices: list[Notice]) -> None:
    """The learner dismissed these notices; they are not shown again."""
    now = utcnow()
    for notice in notices:
        notice.seen_at = now
    db.session.flush()
