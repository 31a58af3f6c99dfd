"""Whatever text it is given, the GIFT parser answers quickly with questions or a located syntax error."""

import gc
import json
import time

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from learnhub.content.gift import GiftSyntaxError, parse_gift
from learnhub.content.problems import Problem
from learnhub.content.questions import Question

FUZZ = settings(max_examples=400, deadline=500, suppress_health_check=[HealthCheck.too_slow])

GIFT_TOKENS = [
    "{", "}", "=", "~", "#", "####", ":", "::", "%", "%50%", "%-100%", "%150%", "->", "\\", "\\n", "\\{",
    "\n", "\n\n", "\r\n", "\r", "//", "$CATEGORY:", "[html]", "[markdown]", "..", ".", ",", "T", "TRUE",
    "f", "1", "3.14", "-", "0", "e", "1e999", " ", "\t", "a", "é", "Q", "\ufeff", "\x00",
]

gift_like = st.lists(
    st.one_of(st.sampled_from(GIFT_TOKENS), st.text(alphabet="{}=~#:%->\\\n ab1.", max_size=6)), max_size=60
).map("".join)


ANSWER_TOKENS = [
    "=", "~", "%50%", "%-100%", "%100%", "%33.33333%", "#", "->", "a", "b c", "1", "3.14", "-2", ":", "0.1",
    "..", "T", "false", "####", "\n", "\\=", "\\#", "\\n", " ", "  ", "%",
]
one_answer = st.tuples(
    st.sampled_from(["=", "~"]),
    st.sampled_from(["", "%50%", "%-100%", "%100%", "%33.33333%"]),
    st.sampled_from(["a", "b c", "x -> y", "-> z", "1", "3.14:0.1", "1..5", "\\=e", "C\\#"]),
    st.sampled_from(["", " #fb", "#", "\n"]),
).map("".join)
answer_body = st.one_of(
    st.lists(st.sampled_from(ANSWER_TOKENS), max_size=12).map("".join),
    st.lists(one_answer, max_size=5).map(" ".join),
    st.lists(one_answer, max_size=5).map(" ".join).map(lambda body: "#" + body),
    st.sampled_from(["T", "F#w#r", "", "TRUE#x", "#3.14:0.01", "#1..5#fb", "####general"]),
)
question_like = st.lists(
    st.tuples(st.sampled_from(["", "::q::", "::r::", "::q:: [markdown]"]), answer_body)
    .map(lambda t: f"{t[0]} Text {{{t[1]}}} after"),
    min_size=1,
    max_size=4,
).map("\n\n".join)

RESPONSES = [None, 0, 1, -1, True, [0, 1], {0}, "", "a", " 3,14 ", "1e999", {0: "a", "1": "b"}, object()]


def line_count(text: str) -> int:
    return len(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))


def read(text: str) -> tuple[list[Question], list[Problem]] | GiftSyntaxError:
    """parse_gift's result, or the syntax error it raised; any other exception fails the test."""
    try:
        return parse_gift(text, "fuzz.gift")
    except GiftSyntaxError as err:
        return err


def assert_sound(text: str) -> None:
    result = read(text)
    if isinstance(result, GiftSyntaxError):
        assert 1 <= result.line <= line_count(text)
        assert result.message and str(result) == f"line {result.line}: {result.message}"
        return
    questions, problems = result
    for question in questions:
        assert 1 <= question.line <= line_count(text)
        data = question.to_dict()
        assert json.loads(json.dumps(data)) == data
        assert Question.from_dict(data) == question
        assert Question.from_dict(json.loads(json.dumps(data))) == question
        assert question.map_texts(lambda text, fmt, part: text) == question
        for response in RESPONSES:
            score = question.score(response)
            assert (-1.0 <= score <= 1.0) if question.auto_graded else (score is None)
    for problem in problems:
        assert problem.path == "fuzz.gift"
        assert problem.level in ("error", "warning")
        assert 1 <= problem.line <= line_count(text)


@FUZZ
@given(st.text())
@example("::a:: {")
@example("{#1..}")
@example("{#..}")
@example("{#:}")
@example("{%}")
@example("{=%%}")
@example("{=%1e5%a ~b}")
@example("{=a ->}")
@example("::::")
@example("::")
@example("$CATEGORY:")
@example("{T#")
@example("\\")
@example("{#1e-99999999:1}")
@example("{#99999999999999999999999999999999999999.5:0.0000000000000000000000000000001}")
def test_any_text_parses_or_raises_a_located_syntax_error(text):
    assert_sound(text)


@FUZZ
@given(gift_like)
def test_gift_like_text_parses_or_raises_a_located_syntax_error(text):
    assert_sound(text)


@FUZZ
@given(question_like)
def test_question_like_text_parses_or_raises_a_located_syntax_error(text):
    assert_sound(text)


# --- well-formed files read back what was written ----------------------------------------------------

SPECIAL = "~=#{}:\\"
plain_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r%[-"), min_size=1, max_size=20
).map(str.strip).filter(bool)


def escape(text: str) -> str:
    out = []
    for char in text:
        out.append("\\" + char if char in SPECIAL else "\\n" if char == "\n" else char)
    return "".join(out)


@settings(max_examples=200, deadline=500)
@given(
    name=plain_text,
    text=plain_text,
    right=plain_text,
    wrong=st.lists(plain_text, min_size=1, max_size=4),
    feedback=plain_text,
    multiline=st.booleans(),
)
def test_escaped_texts_of_a_choice_question_read_back_exactly(name, text, right, wrong, feedback, multiline):
    sep = "\n    " if multiline else " "
    answers = sep.join([f"={escape(right)} #{escape(feedback)}", *(f"~{escape(w)}" for w in wrong)])
    gift = f"// generated\n::{escape(name)}:: Q {escape(text)} {{{sep}{answers}{sep}}}\n"
    questions, problems = parse_gift(gift, "gen.gift")
    [q] = questions
    assert (q.id, q.named, q.type, q.text, q.line) == (name, True, "choice", "Q " + text, 2)
    assert [(c.text, c.weight) for c in q.choices] == [(right, 1.0)] + [(w, 0.0) for w in wrong]
    assert q.choices[0].feedback == feedback
    assert problems == []


@settings(max_examples=200, deadline=500)
@given(pairs=st.lists(st.tuples(plain_text, plain_text), min_size=2, max_size=5), accepted=plain_text)
def test_escaped_texts_of_matching_and_short_answers_read_back_exactly(pairs, accepted):
    body = " ".join(f"={escape(p)} -> {escape(a)}" for p, a in pairs)
    gift = f"::m:: Match {{{body}}}\n\n::s:: Type {{={escape(accepted)}}}\n"
    (matching, short), problems = parse_gift(gift, "gen.gift")
    assert [(p.prompt, p.answer) for p in matching.pairs] == pairs
    assert short.accepted[0].text == accepted
    assert short.score(f"  {accepted} ") == 1.0
    assert problems == []


@settings(max_examples=200, deadline=500)
@given(
    value=st.decimals(min_value=-10**6, max_value=10**6, places=3),
    tolerance=st.decimals(min_value=0, max_value=100, places=3),
    offset=st.decimals(min_value=-200, max_value=200, places=3),
)
def test_numeric_scores_exactly_at_and_beyond_the_tolerance(value, tolerance, offset):
    [q], _ = parse_gift(f"::n:: Number {{#{value}:{tolerance}}}", "gen.gift")
    typed = value + offset
    assert q.score(str(typed)) == (1.0 if abs(offset) <= tolerance else 0.0)
    assert q.score(str(typed).replace(".", ",")) == q.score(str(typed))


# --- pathological input stays fast ------------------------------------------------------------------

# Each builds a pathological file of about n repetitions of its pattern.
HOSTILE = [
    lambda n: "{" * n,
    lambda n: "}" * n,
    lambda n: "\\" * (n + 1),
    lambda n: "::" * (n // 2),
    lambda n: "::a:: q {" + "=%" * (n // 2) + "}",
    lambda n: "::a:: q {" + "~a #" * (n // 4) + "}",
    lambda n: "::a:: q {#" + "1" * n + "}",
    lambda n: "::a:: q {#=" + "1..1 =" * (n // 5) + "1}",
    lambda n: "::a:: q {T" + "#" * 3 + "x" * n + "}",
    lambda n: "x\n" * n,
    lambda n: "::a:: q {\n" + "=a -> b\n" * (n // 5) + "}",
    lambda n: "\n\n".join(f"::q{i}:: Question {i}? {{=a ~b}}" for i in range(n // 20)),
    lambda n: "\n\n".join("Same text? {=a ~b}" for _ in range(n // 5)),
]
SMALL, LARGE = 25_000, 100_000


def fastest_read(text: str) -> tuple[float, object]:
    """The best of three reads in this process's CPU time (what other processes on the machine do does not
    count), with the garbage collector paused (late in a long suite, its full collections scale with the
    whole heap, not with this input: one made a linear read look 16 times slower), and the result."""
    times = []
    gc.collect()
    gc.disable()
    try:
        for _ in range(3):
            started = time.process_time()
            result = read(text)
            times.append(time.process_time() - started)
    finally:
        gc.enable()
    return min(times), result


@pytest.mark.parametrize("build", HOSTILE, ids=[build(8)[:12] for build in HOSTILE])
def test_hostile_input_is_read_in_linear_time(build):
    """Four times the input takes about four times as long (linear; up to twice that with the garbage
    collector's pauses); a quadratic reader would take sixteen times. Compared within one run and in CPU time,
    not against a fixed number of seconds, so a busy machine does not fail it; 0.1 s absorbs noise on tiny
    reads."""
    small, _ = fastest_read(build(SMALL))
    text = build(LARGE)
    large, result = fastest_read(text)
    assert large < 10 * small + 0.1, (text[:40], small, large)
    if isinstance(result, GiftSyntaxError):
        assert 1 <= result.line <= line_count(text)
