"""Quizzes: what a learner is shown, how their answers are read and graded, and idempotent submission.

A rendered quiz form carries a signed token naming the learner, the quiz, the language and a random
nonce. Nothing is written when the form is shown; submitting inserts the graded attempt under that
token. The token column is unique, so a double click, the back button, a second tab or a retry of
the same form returns the attempt already graded instead of grading again; `(learner, quiz, number)`
is unique too, so two different forms submitted at once cannot exceed max_attempts.

The token is signed, not encrypted: the learner can read it. So the display order and the option
values come from a key derived from the app's secret and the token's nonce (:func:`form_key`), never
from the token alone. Each option's value in the form is an HMAC under that key, different on every
form, so neither the author's order of the choices (authors often put the right answer first) nor
the shuffle can be read from the page (since form version 3, one SHAKE-256 stream per question under that key
gives all of its values, decision 0089). :func:`read_response` maps the values back at the boundary:
attempts store answers in author form (choice indexes, matching texts) only.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import random
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.orm import joinedload

from learnhub.content.questions import Question
from learnhub.database import upsert_insert
from learnhub.extensions import db
from learnhub.models import Attempt, Course, QuizQuestion, User
from learnhub.models.base import utcnow
from learnhub.services import learning
from learnhub.services.catalogue import ItemInfo, Syllabus

TOKEN_SALT = "learnhub.quiz-form"  # noqa: S105  (a namespace, not a secret)
FORM_KEY_SALT = b"learnhub.quiz-form-key"
FORM_VERSION = 3
"""Forms before version 2 carried the shuffle seed in the readable token and author indexes as option
values; they are answered like a form whose quiz changed (shown again), never graded. Version 2 derived each
option value by its own HMAC; version 3 derives a question's values from one SHAKE-256 stream (decision 0089)."""
READ_FORM_VERSIONS = (2, 3)
"""Versions a submitted form may have: a version-2 form shown before an upgrade is still graded after it."""
OPTION_VALUE_BYTES = 9
"""72 bits per option value: 12 URL-safe characters, not guessable within one submission."""
_VALUE_WIDTH = OPTION_VALUE_BYTES * 4 // 3  # base64 of 9 bytes: 12 characters, no padding


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
    key: bytes = field(default=b"", repr=False, compare=False)
    """The form's key (:func:`form_key`) the option values derive from; empty when the question is only
    reviewed or previewed (from an attempt's snapshot), which renders no option values at all."""
    version: int = field(default=FORM_VERSION, repr=False, compare=False)
    """The form's version, which says how its option values derive from the key."""

    @property
    def field(self) -> str:
        return f"q{self.number}"

    def _values(self, part: str, count: int) -> tuple[str, ...]:
        """`count` opaque values for `part` ("choice", "offered") of this question on this form: the first
        OPTION_VALUE_BYTES * count bytes of SHAKE-256 over the key (32 bytes, so the input is unambiguous) and
        the question's field, id and part, cut into 12-character pieces; one call in C for the question."""
        if not self.key:
            raise LookupError("a question shown without a form key has no option values")
        if self.version == 2:
            return tuple(self._hmac_value(part, index) for index in range(count))
        message = f"{self.field}\x1f{self.question.id}\x1f{part}".encode()
        stream = base64.urlsafe_b64encode(hashlib.shake_256(self.key + message).digest(OPTION_VALUE_BYTES * count))
        text = stream.decode()
        return tuple(text[at:at + _VALUE_WIDTH] for at in range(0, _VALUE_WIDTH * count, _VALUE_WIDTH))

    def _hmac_value(self, part: str, index: int) -> str:
        """A version-2 form's value: one HMAC per option."""
        message = f"{self.field}\x1f{self.question.id}\x1f{part}\x1f{index}".encode()
        return base64.urlsafe_b64encode(hmac.digest(self.key, message, "sha256")[:OPTION_VALUE_BYTES]).decode()

    @cached_property
    def choice_values(self) -> tuple[str, ...]:
        """Choice, multi: the form value of each choice, by author index (the template looks them up
        while walking `order`). Opaque and different on every form."""
        return self._values("choice", len(self.question.choices))

    @cached_property
    def offered_values(self) -> tuple[str, ...]:
        """Matching: the form value of each offered answer, by its place in `offered`."""
        return self._values("offered", len(self.offered))

    def choice_index(self, value: str) -> int | None:
        """The author index of the choice a form value names; None for a value this form never had."""
        return {v: index for index, v in enumerate(self.choice_values)}.get(value)

    def offered_answer(self, value: str) -> str | None:
        """The matching answer text a form value names; None for a value this form never had."""
        return dict(zip(self.offered_values, self.offered, strict=True)).get(value)

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


@functools.lru_cache(maxsize=8)
def _serializer(secret_key: str) -> URLSafeSerializer:
    """The quiz tokens' signer for a secret key, made once (it holds no state between two uses)."""
    return URLSafeSerializer(secret_key, salt=TOKEN_SALT)


def questions_in(item: ItemInfo, language: str, course: Course) -> tuple[str, list[Question]]:
    """The quiz's questions in `language`, else in the closest language it has (the course's fallback
    order, content/languages.py), else in the course's default language."""
    wanted = course.choose_language(language, item.languages)
    key = (item.id, wanted, course.revision, course.synced_at)
    questions = _questions_cache.get(key)
    if questions is None:
        rows = db.session.scalars(select(QuizQuestion.data).where(
            QuizQuestion.item_id == item.id, QuizQuestion.language == wanted).order_by(QuizQuestion.position))
        questions = tuple(Question.from_dict(data) for data in rows)
        if len(_questions_cache) > 2000:
            _questions_cache.clear()
        _questions_cache[key] = questions
    return wanted, list(questions)


# A quiz's questions change only when a sync changes the course (and with it `synced_at`): kept per worker,
# keyed like the syllabi and lesson texts (services/catalogue). Questions are frozen; callers get a new list.
_questions_cache: dict[tuple, tuple[Question, ...]] = {}


def form_key(secret_key: str, payload: dict) -> bytes:
    """The per-form secret behind the display order and the option values: HMAC of the app's secret over
    the learner, the quiz and the token's random nonce. The learner can read the token, never this."""
    message = f"{payload['l']}\x1f{payload['i']}\x1f{payload['n']}".encode()
    return hmac.new(secret_key.encode(), FORM_KEY_SALT + b"\x1f" + message, hashlib.sha256).digest()


def _seed(key: bytes) -> int:
    return int.from_bytes(hmac.new(key, b"order", hashlib.sha256).digest()[:8], "big")


def arrange(questions: list[Question], shuffle: bool, seed: int, key: bytes = b"",
            version: int = FORM_VERSION) -> tuple[ShownQuestion, ...]:
    """Display order from the seed: the same seed always gives the same order (form and grading agree).

    Each question's type draws its own order of choices or offered answers from the same generator.
    `key` gives each question its option values (see ShownQuestion); without it the questions can be
    shown for review or preview but not answered."""
    rng = random.Random(seed)  # noqa: S311  (an order to show, not a secret)
    ordered = list(questions)
    if shuffle:
        rng.shuffle(ordered)
    shown = []
    for number, question in enumerate(ordered, start=1):
        order, offered = question.kind.arrange(question, rng, shuffle)
        shown.append(ShownQuestion(number, question, order, offered, key, version))
    return tuple(shown)


def new_form(learner: User, course: Course, item: ItemInfo, language: str, secret_key: str) -> QuizForm:
    """A quiz form to render: a fresh token and the questions in their display order. Writes nothing."""
    shown_language, questions = questions_in(item, language, course)
    payload = {"v": FORM_VERSION, "l": learner.id, "i": item.id, "g": shown_language, "r": course.revision,
               "n": secrets.token_urlsafe(12), "t": int(utcnow().timestamp())}
    key = form_key(secret_key, payload)
    token = _serializer(secret_key).dumps(payload)
    return QuizForm(token, shown_language, arrange(questions, bool(item.shuffle), _seed(key), key))


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
    _, questions = questions_in(item, payload["g"], course)
    key = form_key(secret_key, payload)
    return QuizForm(token, payload["g"], arrange(questions, bool(item.shuffle), _seed(key), key, payload["v"]))


def read_response(shown: ShownQuestion, form) -> Any:
    """The learner's answer to one question from the submitted form, in the shape Question.score expects.

    Option values are mapped back to author indexes (choice, multi) or answer texts (matching); a
    value this form never offered (an old index, a value from another form, anything typed) is no
    answer."""
    return shown.question.kind.read_response(shown, form)


@dataclass(frozen=True)
class Grade:
    scores: dict[str, float | None]
    score: float | None
    awaiting_marking: int


def grade(shown: tuple[ShownQuestion, ...], answers: dict[str, Any]) -> Grade:
    """Each question -1..1 (below 0 only for a negative weight); the quiz score is the mean over
    auto-graded questions, in percent, never below 0 (`quiz_percent`).

    Essays are not counted until a trainer marks them (`awaiting_marking`).
    """
    scores: dict[str, float | None] = {}
    for item in shown:
        if item.question.kind.answered:
            scores[item.question.id] = item.question.score(answers.get(item.question.id))
    awaiting = sum(1 for item in shown if item.question.kind.awaits_marking)
    return Grade(scores, quiz_percent(scores), awaiting)


def quiz_percent(scores: dict[str, float | None]) -> float | None:
    """The quiz score from its questions' scores: the mean of those graded, in percent to two decimals;
    None when none is. A total below zero (negative weights) shows as 0, as decision 0040 says: a penalty
    takes marks away from the other questions, never below nothing."""
    graded = [value for value in scores.values() if value is not None]
    if not graded:
        return None
    return max(0.0, round(100 * sum(graded) / len(graded), 2))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def by_token(token: str) -> Attempt | None:
    return db.session.scalar(select(Attempt).where(Attempt.token_hash == token_hash(token)))


def submit(learner: User, course: Course, item: ItemInfo, syllabus: Syllabus, token: str, form,
           secret_key: str) -> Attempt:
    """Grade and store the attempt for this form; a replayed token returns the attempt already stored.

    Raises BadToken for a token not issued to this learner for this quiz, QuizChanged when the course
    changed since the form was shown (or the form is of an older version), QuizClosed when no attempt
    is left. Answers are stored in author form (choice indexes, matching texts), whatever the form's
    option values were, so review, statistics and regrades never see those values. Flushes; the
    caller commits.

    The attempt is numbered and stored in one statement, which stores nothing when the token was used already or
    another form took the number at the same moment (`_insert_attempt`); with the progress that follows, a submit
    is four statements besides the transaction's own, where it was ten (issue 14).
    """
    payload = read_token(token, learner, item, secret_key)
    if payload.get("r") != course.revision or payload.get("v") not in READ_FORM_VERSIONS:
        replayed = by_token(token)
        if replayed is not None:
            return replayed
        raise QuizChanged
    quiz = form_for_token(token, learner, course, item, secret_key)
    answers = {shown.question.id: read_response(shown, form) for shown in quiz.questions}
    result = grade(quiz.questions, answers)
    pass_mark = item.pass_mark if item.pass_mark is not None else course.pass_mark
    passed = result.awaiting_marking == 0 and result.score is not None and result.score >= pass_mark
    for _retry in range(3):
        attempt = _insert_attempt(
            token_hash=token_hash(token), learner_id=learner.id, course_id=course.id, item_id=item.id,
            language=quiz.language, course_revision=course.revision,
            questions=[shown.to_snapshot() for shown in quiz.questions], answers=answers,
            scores=result.scores, score=result.score, pass_mark=pass_mark, passed=passed,
            awaiting_marking=result.awaiting_marking, started_at=_started(payload))
        if attempt is None:
            replayed = by_token(token)
            if replayed is not None:
                return replayed
            continue  # another form took this attempt number at the same moment: count again
        if item.max_attempts is not None and attempt.number > item.max_attempts:
            db.session.execute(delete(Attempt).where(Attempt.id == attempt.id))
            db.session.expunge(attempt)
            raise QuizClosed
        learning.record_quiz_result(learner, course, item, syllabus)
        return attempt
    raise QuizClosed


def _insert_attempt(**values) -> Attempt | None:
    """Store an attempt numbered one after the learner's attempts at the quiz, counted in the same statement; None
    when it would break a unique rule: the token already made an attempt (a replay), or a concurrent submit took
    that number (a retry counts again). The statement skips the conflicting row rather than failing, so no savepoint
    is needed around it."""
    statement = _attempt_insert(upsert_insert(db.session), tuple(values))
    return db.session.scalars(statement, values).one_or_none()


@functools.cache
def _attempt_insert(insert, names: tuple[str, ...]):
    """_insert_attempt's statement, built once and then only given values (issue 14): a Core INSERT of the table,
    its row loaded as an Attempt (`from_statement`), which costs less than the ORM's bulk INSERT path."""
    table = Attempt.__table__
    bound = {name: bindparam(name, type_=table.columns[name].type) for name in names}
    number = select(func.count(table.c.id) + 1).where(
        table.c.learner_id == bound["learner_id"], table.c.item_id == bound["item_id"])
    inserted = insert(table).values(number=number.scalar_subquery(), **bound).on_conflict_do_nothing()
    return select(Attempt).from_statement(inserted.returning(*table.columns))


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
