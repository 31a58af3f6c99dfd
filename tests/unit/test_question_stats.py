"""Item analysis of quiz questions: facility, corrected item-total discrimination, distributions, flags.

The worked example: six learners (L1..L6) take a quiz of a description and three questions.

    learner   port (choice)   phish (truefalse)   attack (short)   quiz %
    L1        1  "443"        0  False            1    "Phishing"   200/3
    L2        1  "443"        0  False            1    " phishing " 200/3
    L3        1  "443"        1  True             0.5  "spam"       250/3
    L4        0  "80"         0  False            0.5  "SPAM"        50/3
    L5        0  (none)       1  True             0    "malware"    100/3
    L6        0  "22"         0  (none)           0.5  "Spam"        50/3

Facility (mean score in percent): port 3/6 = 50.000, phish 2/6 = 33.333, attack 3.5/6 = 58.333.
Mean quiz score: (4 + 4 + 5 + 1 + 2 + 1) / 6 / 6 * 100 = 17/36 * 100 = 47.222.

Discrimination: r between the question's score and the rest score (mean of the learner's other two).

port: x = 1 1 1 0 0 0, rest = (phish + attack) / 2 = .5 .5 .75 .25 .5 .25
  point-biserial r = (M1 - M0) / s * sqrt(p q), s the population standard deviation of rest
  M1 = (.5 + .5 + .75) / 3 = .583333, M0 = (.25 + .5 + .25) / 3 = .333333, p = q = .5
  mean rest = 2.75 / 6; sum of squares 1.4375; variance = (6 * 1.4375 - 2.75²) / 36 = 1.0625 / 36
  s = sqrt(1.0625) / 6 = .171796;  r = .25 * .5 / .171796 = 0.728
phish: x = 0 0 1 0 1 0, rest = (port + attack) / 2 = 1 1 .75 .25 0 .25
  M1 = (.75 + 0) / 2 = .375, M0 = (1 + 1 + .25 + .25) / 4 = .625, p = 1/3, sqrt(p q) = sqrt(2) / 3 = .471405
  mean rest = 3.25 / 6; sum of squares 2.6875; variance = (6 * 2.6875 - 3.25²) / 36 = 5.5625 / 36
  s = sqrt(5.5625) / 6 = .393083;  r = -.25 * .471405 / .393083 = -0.300
attack (partial credit, so Pearson's r): x = 1 1 .5 .5 0 .5, rest = (port + phish) / 2 = .5 .5 1 0 .5 0
  Sxy = sum xy - sum x sum y / n = 1.5 - 3.5 * 2.5 / 6 = .25 / 6
  Sxx = 2.75 - 3.5² / 6 = 4.25 / 6;  Syy = 1.75 - 2.5² / 6 = 4.25 / 6
  r = Sxy / sqrt(Sxx Syy) = .25 / 4.25 = 1/17 = 0.059

So port discriminates well (no flag), phish negatively, attack weakly.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learnhub.content.questions import Answer, MatchPair, NumericAnswer, Question
from learnhub.services.question_stats import (
    DISTRIBUTION_TOP,
    LOW_DISCRIMINATION_BELOW,
    MIN_RESPONSES,
    NO_ANSWER,
    TOO_EASY_ABOVE,
    TOO_HARD_BELOW,
    AttemptRecord,
    QuestionAnalysis,
    analyse,
)

INTRO = Question(id="intro", type="description", text="Read the scenario first.")
PORT = Question(id="port", type="choice", text="Which port does HTTPS use?",
                choices=(Answer("443", 1.0), Answer("80", 0.0), Answer("22", 0.0)))
PHISH = Question(id="phish", type="truefalse", text="A real bank asks for your PIN by e-mail.", truth=True)
ATTACK = Question(id="attack", type="short", text="Name the attack.",
                  accepted=(Answer("phishing", 1.0), Answer("spam", 0.5)))
QUIZ = (INTRO, PORT, PHISH, ATTACK)

ROWS = [  # learner, (port, phish, attack) scores, answers, quiz percent
    (1, (1, 0, 1), (0, False, "Phishing"), 200 / 3),
    (2, (1, 0, 1), (0, False, " phishing "), 200 / 3),
    (3, (1, 1, 0.5), (0, True, "spam"), 250 / 3),
    (4, (0, 0, 0.5), (1, False, "SPAM"), 50 / 3),
    (5, (0, 1, 0), (None, True, "malware"), 100 / 3),
    (6, (0, 0, 0.5), (2, None, "Spam"), 50 / 3),
]


def record(learner: int, scores: dict, answers: dict | None = None, score: float | None = None) -> AttemptRecord:
    return AttemptRecord(learner_id=learner, score=score, scores=scores, answers=answers or {})


def worked_example() -> list[AttemptRecord]:
    ids = ("port", "phish", "attack")
    return [record(learner, dict(zip(ids, scores, strict=True)), dict(zip(ids, answers, strict=True)), percent)
            for learner, scores, answers, percent in ROWS]


def by_id(analysis) -> dict[str, QuestionAnalysis]:
    return {q.question_id: q for q in analysis.questions}


def scored(question: Question, scores: list[float | None], answers: list | None = None) -> list[AttemptRecord]:
    """One attempt per score, with a second question ("other") whose scores follow a fixed pattern."""
    answers = answers or [None] * len(scores)
    pattern = [1.0, 0.0, 1.0, 1.0, 0.0, 0.5, 1.0, 0.0]
    return [record(i, {question.id: s, "other": pattern[i % len(pattern)]}, {question.id: a})
            for i, (s, a) in enumerate(zip(scores, answers, strict=True))]


OTHER = Question(id="other", type="truefalse", text="Other?", truth=True)


# --- the worked example ---------------------------------------------------------------------------------


def test_worked_example_facility_and_discrimination_by_hand():
    analysis = analyse(QUIZ, worked_example())
    port, phish, attack = analysis.questions
    assert [q.question_id for q in analysis.questions] == ["port", "phish", "attack"]  # description left out
    assert (port.type, phish.type, attack.type) == ("choice", "truefalse", "short")
    assert [q.responses for q in analysis.questions] == [6, 6, 6]
    assert port.facility == pytest.approx(50.000, abs=5e-4)
    assert phish.facility == pytest.approx(33.333, abs=5e-4)
    assert attack.facility == pytest.approx(58.333, abs=5e-4)
    assert round(port.discrimination, 3) == 0.728
    assert round(phish.discrimination, 3) == -0.300
    assert round(attack.discrimination, 3) == 0.059
    assert attack.discrimination == pytest.approx(1 / 17)


def test_worked_example_quiz_totals_and_flags():
    analysis = analyse(QUIZ, worked_example())
    assert (analysis.attempts, analysis.learners) == (6, 6)
    assert round(analysis.mean_score, 3) == 47.222
    flags = {q.question_id: q.flags for q in analysis.questions}
    assert flags == {"port": (), "phish": ("negative-discrimination",), "attack": ("low-discrimination",)}


def test_worked_example_distributions():
    questions = by_id(analyse(QUIZ, worked_example()))
    assert questions["port"].distribution == (("443", 3), ("80", 1), ("22", 1), (NO_ANSWER, 1))
    assert questions["phish"].distribution == (("True", 2), ("False", 3), (NO_ANSWER, 1))
    assert questions["attack"].distribution == (("spam", 3), ("phishing", 2), ("malware", 1))


# --- which attempts count ---------------------------------------------------------------------------------


def test_only_each_learners_first_attempt_counts_by_default():
    retakes = [record(4, {"port": 1, "phish": 1, "attack": 1}, {"port": 0, "phish": True, "attack": "phishing"}, 100),
               record(5, {"port": 1, "phish": 1, "attack": 1}, {"port": 0, "phish": True, "attack": "phishing"}, 100)]
    first_only = analyse(QUIZ, worked_example() + retakes)
    assert (first_only.attempts, first_only.learners) == (6, 6)
    assert first_only == analyse(QUIZ, worked_example())

    every = analyse(QUIZ, worked_example() + retakes, first_attempt_only=False)
    assert (every.attempts, every.learners) == (8, 6)
    port = by_id(every)["port"]
    assert port.responses == 8
    assert port.facility == pytest.approx(500 / 8)
    assert port.distribution[0] == ("443", 5)


def test_the_first_attempt_is_the_earliest_in_the_order_given():
    question = Question(id="q", type="truefalse", text="?", truth=True)
    attempts = [record(1, {"q": 0.0}), record(1, {"q": 1.0}), record(2, {"q": 1.0}), record(2, {"q": 0.0})]
    assert analyse([question], attempts).questions[0].facility == 50.0
    assert analyse([question], attempts[::-1]).questions[0].facility == 50.0
    assert analyse([question], [attempts[1], attempts[0]]).questions[0].facility == 100.0


def test_no_attempts_gives_no_statistics():
    analysis = analyse(QUIZ, [])
    assert (analysis.attempts, analysis.learners, analysis.mean_score) == (0, 0, None)
    port = analysis.questions[0]
    assert (port.responses, port.facility, port.discrimination) == (0, None, None)
    assert port.distribution == (("443", 0), ("80", 0), ("22", 0), (NO_ANSWER, 0))
    assert port.flags == ("few-responses",)


def test_mean_score_skips_attempts_without_a_quiz_score():
    attempts = [record(1, {}, score=80.0), record(2, {}, score=None), record(3, {}, score=40.0)]
    assert analyse(QUIZ, attempts).mean_score == 60.0
    assert analyse(QUIZ, [record(1, {}, score=None)]).mean_score is None


def test_a_question_an_attempt_was_not_shown_is_no_response_and_not_in_the_distribution():
    attempts = [*worked_example(), record(7, {"phish": 1, "attack": 1}, {"phish": True, "attack": "phishing"})]
    port = by_id(analyse(QUIZ, attempts))["port"]
    assert port.responses == 6
    assert sum(n for _, n in port.distribution) == 6


# --- essays -------------------------------------------------------------------------------------------------


ESSAY = Question(id="essay", type="essay", text="Explain how you would spot a phishing mail.")


def test_essays_not_marked_are_skipped():
    attempts = worked_example()
    marks = [1.0, None, 0.5, None, None, 0.0]
    attempts = [record(a.learner_id, {**a.scores, "essay": m}, {**a.answers, "essay": "text"}, a.score)
                for a, m in zip(attempts, marks, strict=True)]
    analysis = analyse((*QUIZ, ESSAY), attempts)
    essay = by_id(analysis)["essay"]
    assert essay.responses == 3
    assert essay.facility == pytest.approx(50.0)
    assert essay.discrimination is None
    assert essay.distribution == ()
    assert essay.flags == ("few-responses",)
    # an essay, marked or not, is not part of the rest of the quiz of the auto-graded questions
    assert analysis.questions[:3] == analyse(QUIZ, worked_example()).questions


def test_a_marked_essay_correlates_with_the_whole_auto_graded_quiz():
    # rest of quiz for the essay = mean of all three auto-graded scores = quiz % / 100, which equals the mark
    marks = [2 / 3, 2 / 3, 5 / 6, 1 / 6, 1 / 3, 1 / 6]
    attempts = [record(a.learner_id, {**a.scores, "essay": m}, a.answers, a.score)
                for a, m in zip(worked_example(), marks, strict=True)]
    essay = by_id(analyse((*QUIZ, ESSAY), attempts))["essay"]
    assert essay.responses == 6
    assert essay.discrimination == pytest.approx(1.0)
    assert essay.flags == ()


# --- distributions of every type -----------------------------------------------------------------------------


def test_multi_counts_each_choice_picked_with_zeros_and_no_answer():
    question = Question(id="m", type="multi", text="Pick the secure protocols",
                        choices=(Answer("SSH", 0.5), Answer("Telnet", -1.0), Answer("HTTPS", 0.5), Answer("FTP", -1.0)))
    answers = [[0, 2], [0], [], None, [0, 2, 2], [9], "0"]
    attempts = [record(i, {"m": 0.0}, {"m": a}) for i, a in enumerate(answers)]
    distribution = analyse([question], attempts).questions[0].distribution
    assert distribution == (("SSH", 3), ("Telnet", 0), ("HTTPS", 2), ("FTP", 0), (NO_ANSWER, 4))


def test_choice_counts_out_of_range_or_missing_responses_as_no_answer():
    attempts = [record(1, {"port": 0.0}, {"port": 5}), record(2, {"port": 0.0}, {}), record(3, {"port": 1.0},
                                                                                            {"port": 0})]
    distribution = analyse([PORT], attempts).questions[0].distribution
    assert distribution == (("443", 1), ("80", 0), ("22", 0), (NO_ANSWER, 2))


def test_truefalse_lists_true_false_and_no_answer_with_zeros():
    attempts = [record(i, {"phish": 1.0}, {"phish": True}) for i in range(3)]
    assert analyse([PHISH], attempts).questions[0].distribution == (("True", 3), ("False", 0), (NO_ANSWER, 0))


def test_short_lists_the_ten_most_frequent_answers_compared_as_they_are_matched():
    """Trimmed and case ignored, as short answers are matched; inner spaces count, as in Moodle."""
    typed = ["Phishing", "phishing", "  PHISHING ", "spear phishing", "Spear Phishing", "spear   phishing", "", "   "]
    typed += [f"guess {n}" for n in range(12)] + ["guess 11"]
    attempts = [record(i, {"attack": 0.0}, {"attack": t}) for i, t in enumerate(typed)]
    distribution = analyse([ATTACK], attempts).questions[0].distribution
    assert len(distribution) == DISTRIBUTION_TOP
    assert distribution[:4] == (("phishing", 3), ("spear phishing", 2), ("guess 11", 2), ("spear   phishing", 1))
    assert distribution[4:] == tuple((f"guess {n}", 1) for n in range(6))  # ties in order of first appearance


def test_numeric_lists_typed_answers_as_text():
    question = Question(id="n", type="numeric", text="Port of HTTPS?", numbers=(NumericAnswer(443, 443),))
    typed = ["443", " 443", "80", "4 4 3", None, ""]
    attempts = [record(i, {"n": 0.0}, {"n": t}) for i, t in enumerate(typed)]
    assert analyse([question], attempts).questions[0].distribution == (("443", 2), ("80", 1), ("4 4 3", 1))


def test_matching_counts_per_prompt_the_answers_chosen():
    question = Question(id="match", type="matching", text="Match the ports",
                        pairs=(MatchPair("SSH", "22"), MatchPair("HTTPS", "443")), distractors=("80",))
    answers = [{"0": "22", "1": "443"}, {"0": "22", "1": "80"}, {"0": "443", "1": "80"}, {"1": "80"}, {}, None]
    attempts = [record(i, {"match": 0.0}, {"match": a}) for i, a in enumerate(answers)]
    assert analyse([question], attempts).questions[0].distribution == (
        ("SSH → 22", 2), ("SSH → 443", 1), ("HTTPS → 80", 3), ("HTTPS → 443", 1))


# --- flags -----------------------------------------------------------------------------------------------------


def test_too_easy_above_90_percent_and_no_discrimination_when_nobody_differs():
    easy = analyse([PHISH, OTHER], scored(PHISH, [1.0] * 6)).questions[0]
    assert easy.facility == 100.0
    assert easy.discrimination is None  # zero variance on the question's side
    assert easy.flags == ("too-easy",)


def test_too_hard_below_20_percent():
    hard = analyse([PHISH, OTHER], scored(PHISH, [0.0] * 5 + [0.5])).questions[0]
    assert hard.facility == pytest.approx(50 / 6)
    assert "too-hard" in hard.flags


def test_facility_thresholds_are_exclusive():
    at_90 = analyse([PHISH, OTHER], scored(PHISH, [1.0] * 9 + [0.0])).questions[0]
    at_20 = analyse([PHISH, OTHER], scored(PHISH, [1.0] + [0.0] * 4)).questions[0]
    assert at_90.facility == TOO_EASY_ABOVE and "too-easy" not in at_90.flags
    assert at_20.facility == TOO_HARD_BELOW and "too-hard" not in at_20.flags


def test_zero_variance_in_the_rest_of_the_quiz_gives_no_discrimination():
    attempts = [record(i, {"phish": s, "other": 1.0}) for i, s in enumerate([1, 0, 1, 0, 1, 0])]
    result = analyse([PHISH, OTHER], attempts).questions[0]
    assert result.discrimination is None
    assert result.flags == ()


def test_no_rest_of_quiz_gives_no_discrimination():
    alone = analyse([PHISH], [record(i, {"phish": s}) for i, s in enumerate([1, 0, 1, 0, 1, 0])]).questions[0]
    assert (alone.responses, alone.discrimination, alone.flags) == (6, None, ())


def test_fewer_than_five_responses_give_no_discrimination_but_a_facility():
    few = analyse([PHISH, OTHER], scored(PHISH, [1.0, 0.0, 1.0, 0.0])).questions[0]
    assert few.responses == MIN_RESPONSES - 1
    assert few.facility == 50.0
    assert few.discrimination is None
    assert few.flags == ("few-responses",)


def test_few_responses_raise_no_discrimination_flag_alongside_facility_flags():
    few = analyse([PHISH, OTHER], scored(PHISH, [0.0, 0.0, 0.0, 0.0])).questions[0]
    assert few.flags == ("too-hard", "few-responses")


def test_five_responses_are_enough_for_a_discrimination():
    # other = 1 0 1 1 0: the question agrees with it exactly
    five = analyse([PHISH, OTHER], scored(PHISH, [1.0, 0.0, 1.0, 1.0, 0.0])).questions[0]
    assert five.discrimination == pytest.approx(1.0)
    assert five.flags == ()


def test_negative_and_low_discrimination_flags():
    # other = 1 0 1 1 0 .5: the reverse is perfectly negative
    reverse = analyse([PHISH, OTHER], scored(PHISH, [0.0, 1.0, 0.0, 0.0, 1.0, 0.5])).questions[0]
    assert reverse.discrimination == pytest.approx(-1.0)
    assert reverse.flags == ("negative-discrimination",)
    # the worked example's attack question: 1/17 is low
    attack = by_id(analyse(QUIZ, worked_example()))["attack"]
    assert 0 <= attack.discrimination < LOW_DISCRIMINATION_BELOW
    assert "low-discrimination" in attack.flags


def test_a_discrimination_of_zero_is_low_not_negative():
    # other = 1 0 1 1 0 .5, mean 7/12, deviations in twelfths 5 -7 5 5 -7 -1;
    # x = .5 1 .5 .5 0 .5: sum of x * deviation = (2.5 - 7 + 2.5 + 2.5 + 0 - .5) / 12 = 0, so r = 0 exactly
    zero = analyse([PHISH, OTHER], scored(PHISH, [0.5, 1.0, 0.5, 0.5, 0.0, 0.5])).questions[0]
    assert zero.discrimination == 0.0
    assert zero.flags == ("low-discrimination",)


def test_float_noise_does_not_make_a_zero_discrimination_negative():
    # in thirds and sixths: x deviations from 1/3 are -2 -2 -1 1 0 4 (sixths), rest 1/2 0 0 1 1/6 0,
    # sum of x deviation * rest = (-1 + 0 + 0 + 1 + 0 + 0) / 6 = 0; in floats r comes out as about -1.8e-17
    x = [0.0, 0.0, 1 / 6, 1 / 2, 1 / 3, 1.0]
    rest = [1 / 2, 0.0, 0.0, 1.0, 1 / 6, 0.0]
    attempts = [record(i, {"phish": a, "other": b}) for i, (a, b) in enumerate(zip(x, rest, strict=True))]
    zero = analyse([PHISH, OTHER], attempts).questions[0]
    assert zero.discrimination == 0.0
    assert zero.flags == ("low-discrimination",)


# --- properties ------------------------------------------------------------------------------------------------


PROPERTY_QUIZ = (
    INTRO, PORT, PHISH, ATTACK, ESSAY,
    Question(id="multi", type="multi", text="?", choices=(Answer("a", 0.5), Answer("b", 0.5), Answer("c", -1.0))),
)
maybe_score = st.one_of(st.none(), st.floats(0, 1), st.sampled_from([0.0, 0.5, 1.0]))


@st.composite
def attempt_records(draw) -> AttemptRecord:
    ids = draw(st.lists(st.sampled_from(["port", "phish", "attack", "essay", "multi"]), unique=True))
    scores = {i: draw(maybe_score) for i in ids}
    return record(draw(st.integers(0, 8)), scores, {}, draw(st.one_of(st.none(), st.floats(0, 100))))


@settings(max_examples=300, deadline=None)
@given(st.lists(attempt_records(), max_size=40), st.booleans())
def test_statistics_always_stay_in_range(attempts, first_only):
    analysis = analyse(PROPERTY_QUIZ, attempts, first_attempt_only=first_only)
    assert analysis.attempts <= len(attempts)
    assert len(analysis.questions) == len(PROPERTY_QUIZ) - 1
    for question in analysis.questions:
        assert question.discrimination is None or -1.0 <= question.discrimination <= 1.0
        assert question.facility is None or 0.0 <= question.facility <= 100.0
        if question.responses < MIN_RESPONSES:
            assert question.discrimination is None
            assert "few-responses" in question.flags
