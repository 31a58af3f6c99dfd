"""Quizzes: what a learner is shown, how their answers are read and graded, and idempotent submission.

A rendered quiz form carries a signed token naming the learner, the quiz, the language and a random
seed. Nothing is written when the form is shown; submitting inserts the graded attempt under that
token. The token column is unique, so a double click, the back button, a second tab or a retry of
the same form returns the attempt already graded instead of grading again; `(learner, quiz, number)`
is unique too, so two different forms submitted at once cannot exceed max_attempts.
"""

from __future__ import annotations

import hashlib
import random
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from learnhub.content.questions import Question
from learnhub.extensions import db
from learnhub.models import Attempt, Course, QuizQuestion, User
from learnhub.models.base import utcnow
from learnhub.services import learning
from learnhub.services.catalogue import ItemInfo, Syllabus

TOKEN_SALT = "learnhub.quiz-form"  # noqa: S105  (a namespace, not a secret)


class QuizClosed(Exception):
    """No attempts left on this quiz."""


class QuizChanged(Exception):
    """The course was synced with changes since the form was shown: its answers may not fit any more."""


class BadToken(Exception):
    """The form's token is forged, or belongs to another learner or quiz."""


@dataclass(frozen=True)
class ShownQuestion:
    """A question as the learner sees it: choices in display order, matching answers offered."""

    number: int
    question: Question
    order: tuple[int, ...]
    """Display order of choices (choice, multi), as indices into question.choices."""
    offered: tuple[str, ...]
    """Matching: the answers offered in each select, in display order."""

    @property
    def field(self) -> str:
        return f"q{self.number}"

    def to_snapshot(self) -> dict:
        return {"question": self.question.to_dict(), "order": list(self.order), "offered": list(self.offered)}

    @classmethod
    def from_snapshot(cls, number: int, data: dict) -> ShownQuestion:
        return cls(number, Question.from_dict(data["question"]), tuple(data["order"]), tuple(data["offered"]))


@dataclass(frozen=True)
class QuizForm:
    token: str
    language: str
    questions: tuple[ShownQuestion, ...]


def _serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=TOKEN_SALT)


def questions_in(item: ItemInfo, language: str, default_language: str) -> tuple[str, list[Question]]:
    """The quiz's questions in `language`, else in the course's default language."""
    wanted = language if language in item.languages else default_language
    rows = db.session.scalars(select(QuizQuestion).where(
        QuizQuestion.item_id == item.id, QuizQuestion.language == wanted).order_by(QuizQuestion.position))
    return wanted, [Question.from_dict(row.data) for row in rows]


def arrange(questions: list[Question], shuffle: bool, seed: int) -> tuple[ShownQuestion, ...]:
    """Display order from the seed: the same seed always gives the same order (form and grading agree)."""
    rng = random.Random(seed)  # noqa: S311  (an order to show, not a secret)
    ordered = list(questions)
    if shuffle:
        rng.shuffle(ordered)
    shown = []
    for number, question in enumerate(ordered, start=1):
        order = list(range(len(question.choices)))
        if shuffle and question.type in ("choice", "multi"):
            rng.shuffle(order)
        offered: list[str] = []
        if question.type == "matching":
            offered = sorted({pair.answer for pair in question.pairs} | set(question.distractors))
            rng.shuffle(offered)
        shown.append(ShownQuestion(number, question, tuple(order), tuple(offered)))
    return tuple(shown)


def new_form(learner: User, course: Course, item: ItemInfo, language: str, secret_key: str) -> QuizForm:
    """A quiz form to render: a fresh token and the questions in their display order. Writes nothing."""
    shown_language, questions = questions_in(item, language, course.default_language)
    seed = secrets.randbits(32)
    token = _serializer(secret_key).dumps({"l": learner.id, "i": item.id, "s": seed, "g": shown_language,
                                           "r": course.revision,
                                           "n": secrets.token_urlsafe(12), "t": int(utcnow().timestamp())})
    return QuizForm(token, shown_language, arrange(questions, bool(item.shuffle), seed))


def read_token(token: str, learner: User, item: ItemInfo, secret_key: str) -> dict:
    try:
        payload = _serializer(secret_key).loads(token)
    except BadSignature:
        raise BadToken from None
    if payload.get("l") != learner.id or payload.get("i") != item.id:
        raise BadToken
    return payload


def form_for_token(token: str, learner: User, course: Course, item: ItemInfo, secret_key: str) -> QuizForm:
    """The same form again from its token (to show it with the learner's answers after an error)."""
    payload = read_token(token, learner, item, secret_key)
    _, questions = questions_in(item, payload["g"], course.default_language)
    return QuizForm(token, payload["g"], arrange(questions, bool(item.shuffle), payload["s"]))


def _index(value: str) -> int | None:
    """A choice index typed by the form: plain ASCII digits only, and short (anything else is no answer)."""
    return int(value) if value.isascii() and value.isdigit() and len(value) < 6 else None


def read_response(shown: ShownQuestion, form) -> Any:
    """The learner's answer to one question from the submitted form, in the shape Question.score expects."""
    question, name = shown.question, shown.field
    if question.type == "choice":
        return _index(form.get(name, ""))
    if question.type == "multi":
        return sorted({index for v in form.getlist(name) if (index := _index(v)) is not None})
    if question.type == "truefalse":
        return {"true": True, "false": False}.get(form.get(name, ""))
    if question.type == "matching":
        chosen = {}
        for index in range(len(question.pairs)):
            offered = _index(form.get(f"{name}-{index}", ""))
            if offered is not None and offered < len(shown.offered):
                chosen[str(index)] = shown.offered[offered]
        return chosen
    if question.type in ("short", "numeric", "essay"):
        return form.get(name, "")[:10_000]
    return None


@dataclass(frozen=True)
class Grade:
    scores: dict[str, float | None]
    score: float | None
    awaiting_marking: int


def grade(shown: tuple[ShownQuestion, ...], answers: dict[str, Any]) -> Grade:
    """Each question 0..1; the quiz score is the mean over auto-graded questions, in percent.

    Essays are not counted until a trainer marks them (`awaiting_marking`).
    """
    scores: dict[str, float | None] = {}
    for item in shown:
        if item.question.type == "description":
            continue
        scores[item.question.id] = item.question.score(answers.get(item.question.id))
    graded = [value for value in scores.values() if value is not None]
    awaiting = sum(1 for item in shown if item.question.type == "essay")
    score = round(100 * sum(graded) / len(graded), 2) if graded else None
    return Grade(scores, score, awaiting)


def attempts_used(learner: User, item: ItemInfo) -> int:
    return db.session.scalar(select(func.count()).select_from(Attempt).where(
        Attempt.learner_id == learner.id, Attempt.item_id == item.id)) or 0


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def by_token(token: str) -> Attempt | None:
    return db.session.scalar(select(Attempt).where(Attempt.token_hash == token_hash(token)))


def submit(learner: User, course: Course, item: ItemInfo, syllabus: Syllabus, token: str, form,
           secret_key: str) -> Attempt:
    """Grade and store the attempt for this form; a replayed token returns the attempt already stored.

    Raises BadToken for a token not issued to this learner for this quiz, QuizClosed when no attempt
    is left. Flushes; the caller commits.
    """
    payload = read_token(token, learner, item, secret_key)
    existing = by_token(token)
    if existing is not None:
        return existing
    if payload.get("r") != course.revision:
        raise QuizChanged
    quiz = form_for_token(token, learner, course, item, secret_key)
    answers = {shown.question.id: read_response(shown, form) for shown in quiz.questions}
    result = grade(quiz.questions, answers)
    pass_mark = item.pass_mark if item.pass_mark is not None else course.pass_mark
    passed = result.awaiting_marking == 0 and result.score is not None and result.score >= pass_mark
    for _ in range(3):
        number = attempts_used(learner, item) + 1
        if item.max_attempts is not None and number > item.max_attempts:
            raise QuizClosed
        attempt = Attempt(
            token_hash=token_hash(token), learner_id=learner.id, course_id=course.id, item_id=item.id, number=number,
            language=quiz.language, course_revision=course.revision,
            questions=[shown.to_snapshot() for shown in quiz.questions], answers=answers,
            scores=result.scores, score=result.score, pass_mark=pass_mark, passed=passed,
            awaiting_marking=result.awaiting_marking, started_at=_started(payload))
        try:
            with db.session.begin_nested():
                db.session.add(attempt)
        except IntegrityError:
            replayed = by_token(token)
            if replayed is not None:
                return replayed
            continue  # another form took this attempt number at the same moment: count again
        learning.record_quiz_result(learner, course, item, syllabus)
        return attempt
    raise QuizClosed


def _started(payload: dict) -> datetime:
    return datetime.fromtimestamp(payload["t"], UTC).replace(tzinfo=None)


def shown_questions(attempt: Attempt) -> tuple[ShownQuestion, ...]:
    """The questions exactly as the attempt showed them, whatever the course looks like now."""
    return tuple(ShownQuestion.from_snapshot(number, data) for number, data in enumerate(attempt.questions, 1))


def recent_attempts(learner: User, limit: int = 10) -> list[Attempt]:
    return list(db.session.scalars(select(Attempt).where(Attempt.learner_id == learner.id)
                                   .options(joinedload(Attempt.item), joinedload(Attempt.course))
                                   .order_by(Attempt.submitted_at.desc(), Attempt.id.desc()).limit(limit)))


def attempt_for(learner: User, attempt_id: int) -> Attempt | None:
    """The learner's own attempt; someone else's is None (the view answers 404)."""
    attempt = db.session.get(Attempt, attempt_id)
    return attempt if attempt is not None and attempt.learner_id == learner.id else None
