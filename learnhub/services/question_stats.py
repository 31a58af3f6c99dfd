"""Item analysis of a quiz: how easy each question is, how well it separates learners, and what they answered.

The conventions are those of classical test theory, as Moodle's quiz statistics report uses them:

- **Which attempts count.** With ``first_attempt_only`` (the default) only each learner's first attempt
  counts, so that retakes, where learners have already seen the questions and their feedback, do not
  make questions look easier than they are. The caller passes attempts in submission order; a learner's
  first attempt is the earliest of theirs in that order.
- **Responses.** A question's responses are the counted attempts that hold a score for it. An essay a
  trainer has not marked yet (score None) is not a response, and a question an attempt was not shown is
  not one either.
- **Facility** is the mean score of the responses, in percent (0..100; below 0 when negative weights
  outweigh the right answers): the higher, the easier.
- **Discrimination** is the corrected item-total correlation: Pearson's r between the score of the
  question and the learner's score on the *rest* of the quiz, which is the unweighted mean of their
  scores on the other auto-graded questions of the attempt. For a question scored only right or wrong
  this is the point-biserial correlation. Leaving the question out of the total ("corrected") stops it
  correlating with itself, which would inflate r most on short quizzes. An attempt with no other
  auto-graded score has no rest score and is left out of the correlation. The correlation is None when
  fewer than :data:`MIN_RESPONSES` responses (or pairs of scores) are left, or when either side has no
  variance (everyone scored the same), where it is undefined. It is rounded to 12 decimals, so that float
  noise cannot make an r of 0 negative or push one of ±1 out of -1..1.
- **Flags** mark what a trainer should look at: ``too-easy`` (facility above :data:`TOO_EASY_ABOVE`),
  ``too-hard`` (below :data:`TOO_HARD_BELOW`), ``negative-discrimination`` (r below 0: weaker learners
  do better; often a wrong key or an ambiguous text), ``low-discrimination`` (0 <= r <
  :data:`LOW_DISCRIMINATION_BELOW`), and ``few-responses`` (fewer than :data:`MIN_RESPONSES`), where
  the statistics mean little and no discrimination flag is raised.
- **Distribution** counts what the learners answered, over the counted attempts that include the
  question; each type counts its own (``QuestionType.distribution``). Choice, multi and true/false
  questions list every choice in the question's order (true before false), zeros included, then
  ``(no answer)``; a multi response counts once for each choice it picks. Short and numeric questions
  list the :data:`DISTRIBUTION_TOP` most frequent answers (short ones compared as they are matched:
  trimmed, case ignored), ties in order of first appearance. Matching questions list, prompt by prompt,
  the most frequent answers chosen for it as ``prompt → answer``. Essays have none.

Pass the questions in the default language: the labels of the distribution are their texts, and the ids
(the same in every language) are what attempts' scores and answers are keyed by. Descriptions are not
questions learners answer, and are left out. Everything is computed in one pass over attempts ×
questions, in floats with exactly rounded sums.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import StatisticsError, correlation, fmean
from typing import Any

from learnhub.content.qtypes.base import DISTRIBUTION_TOP, NO_ANSWER
from learnhub.content.questions import Question

__all__ = ["DISTRIBUTION_TOP", "NO_ANSWER", "AttemptRecord", "QuestionAnalysis", "QuizAnalysis", "analyse"]

TOO_EASY_ABOVE = 90.0
"""Facility (percent) above which a question is flagged too-easy."""
TOO_HARD_BELOW = 20.0
"""Facility (percent) below which a question is flagged too-hard."""
LOW_DISCRIMINATION_BELOW = 0.2
"""Discrimination from 0 up to this is flagged low-discrimination; below 0, negative-discrimination."""
MIN_RESPONSES = 5
"""Fewer responses than this give no discrimination and the few-responses flag."""

FLAGS = ("too-easy", "too-hard", "negative-discrimination", "low-discrimination", "few-responses")
"""Every flag, in the order a question's flags are listed."""

# Scores are 0..1, so a population variance this small is rounding noise in the rest scores (two
# learners with the same mean computed from different scores), not a real spread.
_NO_VARIANCE = 1e-12
# A correlation is kept to this many decimals, far beyond any use and far above float noise.
_DIGITS = 12


@dataclass(frozen=True)
class AttemptRecord:
    """One attempt at the quiz, as stored: the learner, the quiz percent, and per question id the score
    (0..1; None for an essay not marked yet) and the response (in the shape ``Question.score`` reads)."""

    learner_id: int
    score: float | None
    scores: Mapping[str, float | None]
    answers: Mapping[str, Any]


@dataclass(frozen=True)
class QuestionAnalysis:
    question_id: str
    type: str
    responses: int
    """Counted attempts that hold a score (not None) for this question."""
    facility: float | None
    """Mean score in percent, 0..100; None without responses."""
    discrimination: float | None
    """Corrected item-total correlation, -1..1; None with too few responses or no variance."""
    distribution: tuple[tuple[str, int], ...]
    """(answer label, how many attempts gave it); see the module docstring."""
    flags: tuple[str, ...]
    """A subset of :data:`FLAGS`, in that order."""
    tags: tuple[str, ...] = ()
    """The question's tags (GIFT's ``// [tag:...]``), for trainers to sort questions by topic."""
    text: str = ""
    """The question's text (HTML, as rendered for learners) in the language of the questions analysed."""


@dataclass(frozen=True)
class QuizAnalysis:
    attempts: int
    """Attempts counted, after keeping first attempts only when asked to."""
    learners: int
    mean_score: float | None
    """Mean quiz percent over the counted attempts that have one; None when none has."""
    questions: tuple[QuestionAnalysis, ...]
    """In the quiz's order, descriptions left out."""
    language: str = ""
    """The language of the questions' texts and answer labels ("" when the caller did not say)."""


def analyse(
    questions: Sequence[Question], attempts: Iterable[AttemptRecord], *, first_attempt_only: bool = True
) -> QuizAnalysis:
    """Facility, discrimination, answer distribution and flags of every question of one quiz.

    ``attempts`` are all attempts at the quiz in submission order; ``questions`` are the quiz's questions
    in its order, in the default language. See the module docstring for the rules.
    """
    counted = _first_attempts(attempts) if first_attempt_only else list(attempts)
    graded_ids = {question.id for question in questions if question.auto_graded}
    totals = [_auto_graded_total(attempt, graded_ids) for attempt in counted]
    quiz_scores = [attempt.score for attempt in counted if attempt.score is not None]
    return QuizAnalysis(
        attempts=len(counted),
        learners=len({attempt.learner_id for attempt in counted}),
        mean_score=fmean(quiz_scores) if quiz_scores else None,
        questions=tuple(
            _analyse_question(question, counted, totals) for question in questions if question.kind.answered
        ),
    )


def _first_attempts(attempts: Iterable[AttemptRecord]) -> list[AttemptRecord]:
    seen: set[int] = set()
    first: list[AttemptRecord] = []
    for attempt in attempts:
        if attempt.learner_id not in seen:
            seen.add(attempt.learner_id)
            first.append(attempt)
    return first


def _auto_graded_total(attempt: AttemptRecord, graded_ids: set[str]) -> tuple[float, int]:
    """The sum and number of the attempt's scores on auto-graded questions, for rest-of-quiz scores."""
    values = [value for key, value in attempt.scores.items() if key in graded_ids and value is not None]
    return math.fsum(values), len(values)


def _analyse_question(
    question: Question, attempts: list[AttemptRecord], totals: list[tuple[float, int]]
) -> QuestionAnalysis:
    scores: list[float] = []
    paired: list[float] = []
    rest: list[float] = []
    shown: list[Any] = []
    for attempt, (total, count) in zip(attempts, totals, strict=True):
        if question.id in attempt.scores or question.id in attempt.answers:
            shown.append(attempt.answers.get(question.id))
        score = attempt.scores.get(question.id)
        if score is None:
            continue
        scores.append(score)
        others, other_count = (total - score, count - 1) if question.auto_graded else (total, count)
        if other_count > 0:
            paired.append(score)
            rest.append(others / other_count)
    facility = 100 * fmean(scores) if scores else None
    discrimination = _correlation(paired, rest) if len(scores) >= MIN_RESPONSES else None
    return QuestionAnalysis(
        question_id=question.id,
        type=question.type,
        responses=len(scores),
        facility=facility,
        discrimination=discrimination,
        distribution=question.kind.distribution(question, shown),
        tags=question.tags,
        text=question.text,
        flags=_flags(len(scores), facility, discrimination),
    )


def _correlation(x: list[float], y: list[float]) -> float | None:
    """Pearson's r, or None when it means little (too few pairs) or is undefined (a side is constant)."""
    if len(x) < MIN_RESPONSES or _variance(x) <= _NO_VARIANCE or _variance(y) <= _NO_VARIANCE:
        return None
    try:
        r = correlation(x, y)
    except StatisticsError:
        return None
    # Rounding off float noise keeps an r that is 0 in exact arithmetic from reading as negative (-6e-17),
    # and one of exactly ±1 from leaving -1..1; "+ 0.0" turns -0.0 into 0.0.
    return max(-1.0, min(1.0, round(r, _DIGITS))) + 0.0


def _variance(values: list[float]) -> float:
    mean = fmean(values)
    return math.fsum((value - mean) ** 2 for value in values) / len(values)


def _flags(responses: int, facility: float | None, discrimination: float | None) -> tuple[str, ...]:
    raised: set[str] = set()
    if facility is not None and facility > TOO_EASY_ABOVE:
        raised.add("too-easy")
    if facility is not None and facility < TOO_HARD_BELOW:
        raised.add("too-hard")
    if responses < MIN_RESPONSES:
        raised.add("few-responses")
    elif discrimination is not None and discrimination < 0:
        raised.add("negative-discrimination")
    elif discrimination is not None and discrimination < LOW_DISCRIMINATION_BELOW:
        raised.add("low-discrimination")
    return tuple(flag for flag in FLAGS if flag in raised)
