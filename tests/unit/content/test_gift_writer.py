"""Written GIFT reads back to the same questions, and canonical GIFT survives a round trip byte for byte: for
questions generated over every type, escape, format, weight, feedback, tag and category, and for every quiz
in courses/."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learnhub.content.gift import derived_id, parse_gift
from learnhub.content.gift_text import GiftWriteError, escape, number, weight
from learnhub.content.gift_writer import write_gift
from learnhub.content.questions import FORMATS, Answer, MatchPair, NumericAnswer, Question

COURSES = Path(__file__).resolve().parents[3] / "courses"
QUIZZES = sorted(COURSES.glob("*/*.gift"))


def comparable(questions: list[Question]) -> list[Question]:
    """The questions without where they stood in their file (a written file lays them out anew)."""
    return [dataclasses.replace(q, line=0) for q in questions]


def read(text: str) -> list[Question]:
    questions, problems = parse_gift(text, "written.gift")
    assert [p for p in problems if p.level == "error" and "add up to" not in p.message
            and "worth 100%" not in p.message and "at least two" not in p.message] == []
    return questions


# --- every quiz in courses/ ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", QUIZZES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_course_quiz_writes_back_to_the_same_questions_and_canonical_bytes(path):
    source = parse_gift(path.read_text(encoding="utf-8"), path.name)[0]
    written = write_gift(source)
    again = read(written)
    assert comparable(again) == comparable(source)
    assert write_gift(again) == written


def test_there_are_course_quizzes_to_check():
    assert len(QUIZZES) >= 12


# --- the layout, on one example --------------------------------------------------------------------------

EXAMPLE = """\
$CATEGORY: security/phishing

// [id:PH-07] [tag:email] [tag:a\\]b]
::red-flags::[markdown]Which are **red flags**?{
\t~%50%An urgent deadline#[html]<b>Yes.</b>
\t~%50%A sender you do not know
\t~%-100%Your own name
\t####Urgency and strangers are the classic levers.
}

::port::Port of HTTPS?{#
\t=443#Right
\t=%50%440..450
\t~#No\\: 443
}

::tf::The padlock proves a site is genuine.{
\tFALSE##Right\\: it only means the connection is encrypted.
}

::match::Match them{
\t=[html]<i>Phishing</i> -> email
\t= -> fax
}

Grant is {
\t~buried
\t=entombed
} in Grant's tomb.

::essay::Explain{}

::words::Just words

"""


def test_the_canonical_layout_is_moodles_and_reads_back_byte_for_byte():
    questions = read(EXAMPLE)
    assert [q.type for q in questions] == ["multi", "numeric", "truefalse", "matching", "choice", "essay",
                                           "description"]
    first = questions[0]
    assert (first.idnumber, first.tags, first.category) == ("PH-07", ("email", "a]b"), "security/phishing")
    assert first.formats == (("choices.0.feedback", "html"),)
    assert questions[1].numbers[-1].catch_all
    assert write_gift(questions) == EXAMPLE


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("a\\b ~=#{}:\nc", "a\\\\b \\~\\=\\#\\{\\}\\:\\nc"),
        ("50% off", "50% off"),
    ],
)
def test_escape(text, written):
    assert escape(text) == written


def test_numbers_and_weights_are_written_exactly():
    assert [number(x) for x in (3.14, 1822.0, -0.5, 1e-05, 1e20)] == ["3.14", "1822", "-0.5", "0.00001",
                                                                        "100000000000000000000"]
    assert [weight(x) for x in (0.5, -1.0, 0.3333333, 1.0)] == ["50", "-100", "33.33333", "100"]


def test_texts_that_would_read_as_markers_or_weights_are_protected():
    q = Question(id="p", named=True, type="choice", text="[html] is a format", choices=(
        Answer("%5% off", 1.0), Answer("[plain] text", 0.0), Answer("%2% back", 0.5)))
    written = write_gift([q])
    assert "[moodle][html] is a format" in written
    assert "\t=[moodle]%5% off\n" in written and "\t~[moodle][plain] text\n" in written
    assert "\t~%50%%2% back\n" in written
    assert comparable(read(written)) == comparable([q])


def test_what_gift_cannot_express_is_refused_with_the_reason():
    short = Question(id="s", type="short", text="t", accepted=(Answer("a->b", 1.0),))
    with pytest.raises(GiftWriteError, match="holds '->'"):
        write_gift([short])
    choice = Question(id="c", type="choice", text="t", choices=(Answer("a", 0.5), Answer("b", 0.0)))
    with pytest.raises(GiftWriteError, match="no answer worth 100%"):
        write_gift([choice])
    only_right = Question(id="c", type="choice", text="t", choices=(Answer("a", 1.0), Answer("b", 1.0)))
    with pytest.raises(GiftWriteError, match="no answer below 100%"):
        write_gift([only_right])


# --- generated questions ---------------------------------------------------------------------------------

# Texts as the reader leaves them: trimmed, without control characters other than a line break inside.
text = st.text(st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp"), include_characters="\n"),
               min_size=1, max_size=12).map(str.strip).filter(bool)
feedback = st.one_of(st.just(""), text)
label = st.text(st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp"), exclude_characters="[]\\<>`"),
                min_size=1, max_size=8).map(str.strip).filter(bool)
fraction = st.decimals(min_value=-100, max_value=100, places=3).map(lambda d: float(d / 100))
decimal = st.decimals(min_value=-10**6, max_value=10**6, places=3)


@st.composite
def formats_for(draw, keys: list[str], default: str) -> tuple[tuple[str, str], ...]:
    """Own formats for some of the parts ``keys`` (each different from the question's)."""
    chosen = draw(st.lists(st.sampled_from(keys), unique=True)) if keys else []
    return tuple(sorted((key, draw(st.sampled_from([f for f in FORMATS if f != default]))) for key in chosen))


@st.composite
def numeric_answer(draw) -> NumericAnswer:
    share = draw(fraction)
    said = draw(feedback)
    if draw(st.booleans()):
        low, high = sorted((draw(decimal), draw(decimal)))
        return NumericAnswer(float(low), float(high), share, said, None)
    value, tolerance = draw(decimal), draw(st.decimals(min_value=0, max_value=100, places=3))
    return NumericAnswer(float(value - tolerance), float(value + tolerance), share, said, float(value))


@st.composite
def question(draw) -> Question:
    kind = draw(st.sampled_from(["choice", "multi", "truefalse", "short", "numeric", "matching", "essay",
                                 "description"]))
    default = draw(st.sampled_from(FORMATS))
    fields: dict = {"type": kind, "format": default, "text": draw(text)}
    keys: list[str] = []
    if kind != "description":
        fields["general_feedback"] = draw(feedback)
        if draw(st.booleans()):
            fields["text"] += draw(st.sampled_from(["", " "]))
            fields["text_after"] = draw(st.sampled_from(["", " "])) + draw(text)
    if kind in ("choice", "multi"):
        choices = draw(st.lists(st.tuples(text, fraction, feedback), min_size=2, max_size=4))
        if kind == "choice":  # one answer worth 100% ('='), one not ('~'), as GIFT needs for a single choice
            choices[0] = (choices[0][0], 1.0, choices[0][2])
            if choices[1][1] == 1.0:
                choices[1] = (choices[1][0], 0.0, choices[1][2])
        fields["choices"] = tuple(Answer(t, w, f) for t, w, f in choices)
        keys = [f"choices.{i}.text" for i in range(len(choices))]
        keys += [f"choices.{i}.feedback" for i, c in enumerate(choices) if c[2]]
    elif kind == "truefalse":
        fields.update(truth=draw(st.booleans()), feedback_wrong=draw(feedback), feedback_right=draw(feedback))
        keys = [key for key in ("feedback_wrong", "feedback_right") if fields[key]]
    elif kind == "short":
        answers = draw(st.lists(st.tuples(text.filter(lambda t: "->" not in t), fraction,
                                          feedback.filter(lambda t: "->" not in t)), min_size=1, max_size=3))
        fields["accepted"] = tuple(Answer(t, w, f) for t, w, f in answers)
        keys = [f"accepted.{i}.feedback" for i, a in enumerate(answers) if a[2]]
    elif kind == "numeric":
        numbers = draw(st.lists(numeric_answer(), min_size=1, max_size=3))
        if draw(st.booleans()):
            numbers.append(NumericAnswer(0.0, 0.0, 0.0, draw(feedback), None, catch_all=True))
        fields["numbers"] = tuple(numbers)
        keys = [f"numbers.{i}.feedback" for i, n in enumerate(numbers) if n.feedback]
    elif kind == "matching":
        fields["pairs"] = tuple(MatchPair(p, a) for p, a in draw(st.lists(
            st.tuples(text.filter(lambda t: "->" not in t), text), min_size=1, max_size=3)))
        fields["distractors"] = tuple(draw(st.lists(text, max_size=2)))
        keys = [f"pairs.{i}.prompt" for i in range(len(fields["pairs"]))]
    if fields.get("general_feedback"):
        keys.append("general_feedback")
    fields["formats"] = draw(formats_for(keys, default))
    fields["idnumber"] = draw(st.one_of(st.just(""), label))
    fields["tags"] = tuple(draw(st.lists(label, max_size=3)))
    fields["category"] = draw(st.sampled_from(["", "security", "security/phishing basics"]))
    if draw(st.booleans()):
        return Question(id=draw(label), named=True, **fields)
    return Question(id=derived_id(fields["text"], fields.get("text_after", "")), named=False, **fields)


def unique_ids(questions: list[Question]) -> bool:
    ids = [q.id for q in questions]
    return len(set(ids)) == len(ids)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.lists(question(), min_size=1, max_size=5).filter(unique_ids))
def test_generated_questions_read_back_the_same_and_their_gift_is_canonical(questions):
    written = write_gift(questions)
    again = read(written)
    assert comparable(again) == comparable(questions)
    assert write_gift(again) == written


@settings(max_examples=100, deadline=None)
@given(st.lists(question(), min_size=1, max_size=3).filter(unique_ids))
def test_generated_questions_grade_the_same_after_a_round_trip(questions):
    again = read(write_gift(questions))
    for before, after in zip(questions, again, strict=True):
        for response in (None, 0, 1, [0], [0, 1], True, False, "", "a", " 3,5 ", "12", {"0": "a"}):
            assert after.score(response) == before.score(response)
            assert after.feedback(response) == before.feedback(response)


def test_decimals_in_the_generator_are_exact_in_float():
    assert float(Decimal("123456.789")) == 123456.789
