"""Question analysis for trainers: the attempts they may see, fed to the item statistics."""

from __future__ import annotations

from dataclasses import replace

from flask_babel import gettext
from sqlalchemy import select

from learnhub.content.questions import Question
from learnhub.extensions import db
from learnhub.models import Attempt, Course, QuizQuestion, User
from learnhub.services import question_stats, trainer_scope
from learnhub.services.catalogue import ItemInfo


def for_quiz(user: User, course: Course, item: ItemInfo) -> question_stats.QuizAnalysis:
    """Over the attempts the user may see (trainer_scope: accepted members of their cohorts with the course
    assigned, submitted after joining; every attempt for an admin), first attempts only."""
    rows = db.session.scalars(select(QuizQuestion).where(
        QuizQuestion.item_id == item.id, QuizQuestion.language == course.default_language)
        .order_by(QuizQuestion.position))
    questions = [Question.from_dict(row.data) for row in rows]
    attempts = db.session.execute(select(Attempt.learner_id, Attempt.score, Attempt.scores, Attempt.answers).where(
        Attempt.item_id == item.id, trainer_scope.attempts(user))
        .order_by(Attempt.submitted_at, Attempt.id))
    records = [question_stats.AttemptRecord(learner_id=learner_id, score=score, scores=scores, answers=answers)
               for learner_id, score, scores, answers in attempts]
    result = question_stats.analyse(questions, records)
    return replace(result, questions=tuple(
        replace(q, distribution=tuple((_label(label), count) for label, count in q.distribution))
        for q in result.questions))


def _label(label: str) -> str:
    """The statistics name these answers in English; trainers read them in their language."""
    translated = {question_stats.NO_ANSWER: gettext("(no answer)"), "True": gettext("True"),
                  "False": gettext("False")}
    return translated.get(label, label)
