"""Question analysis for trainers: the attempts they may see, fed to the item statistics, in the trainer's language.

Learners answer a quiz in their own language, but a trainer reads one analysis: the questions and their
options in the trainer's language (or the course's fallback for it, decision 0039). Choice, multi and
true/false answers are stored as indexes and read the same in every language; a matching answer is stored as
the text the learner picked, in the attempt's language, so it is translated here through its place among the
question's answers before it is counted. Otherwise a Spanish "Contraseña" and an English "Password" would be
counted as two answers, and a matching row would read "Password → Contraseña".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from flask_babel import gettext
from sqlalchemy import select

from learnhub.content.qtypes import QUESTION_TYPES
from learnhub.content.questions import Question
from learnhub.extensions import db
from learnhub.models import Attempt, Course, QuizQuestion, User
from learnhub.services import question_stats, trainer_scope
from learnhub.services.catalogue import ItemInfo


def for_quiz(user: User, course: Course, item: ItemInfo, language: str | None = None) -> question_stats.QuizAnalysis:
    """Over the attempts the user may see (trainer_scope: accepted members of their cohorts with the course
    assigned, submitted after joining; every attempt for an admin), first attempts only; questions, options and
    matching answers in `language` as the course shows it (the default language when None). Two queries."""
    shown = course.choose_language(language or course.default_language, item.languages) or course.default_language
    versions: dict[str, dict[str, Question]] = {}
    for row in db.session.scalars(select(QuizQuestion).where(QuizQuestion.item_id == item.id)
                                  .order_by(QuizQuestion.position)):
        versions.setdefault(row.language, {})[row.key] = Question.from_dict(row.data)
    base = versions.get(shown) or versions.get(course.default_language) or {}
    default = versions.get(course.default_language, {})
    order = list(base) + [key for key in default if key not in base]
    questions = [base.get(key) or default[key] for key in order]
    attempts = db.session.execute(select(Attempt.learner_id, Attempt.score, Attempt.scores, Attempt.answers,
                                         Attempt.language)
                                  .where(Attempt.item_id == item.id, trainer_scope.attempts(user))
                                  .order_by(Attempt.submitted_at, Attempt.id))
    records = [question_stats.AttemptRecord(learner_id=learner_id, score=score, scores=scores,
                                            answers=_answers_in(answers, versions.get(answered_in, {}), questions))
               for learner_id, score, scores, answers, answered_in in attempts]
    result = question_stats.analyse(questions, records)
    return replace(result, language=shown, questions=tuple(
        replace(q, distribution=tuple((_label(label), count) for label, count in q.distribution))
        for q in result.questions))


def _answers_in(answers: Mapping[str, Any], answered: Mapping[str, Question], shown: list[Question]) -> Mapping:
    """The attempt's answers in the shown language's words (each type knows what its answers hold)."""
    translated = None
    for question in shown:
        original = answered.get(question.id)
        if question.id not in answers or original is None or original is question:
            continue
        response = answers[question.id]
        moved = QUESTION_TYPES[question.type].response_in(response, original, question)
        if moved is not response:
            translated = translated if translated is not None else dict(answers)
            translated[question.id] = moved
    return answers if translated is None else translated


def _label(label: str) -> str:
    """The statistics name these answers in English; trainers read them in their language."""
    translated = {question_stats.NO_ANSWER: gettext("(no answer)"), "True": gettext("True"),
                  "False": gettext("False")}
    return translated.get(label, label)
