"""Each question type scores a learner's response as the course format contract says: as Moodle grades it
under the current rules, and as LearnHub did before issue 15 for questions stored under the legacy rules."""

import json

import pytest

from learnhub.content.decimals import percent, read_number
from learnhub.content.gift import parse_gift
from learnhub.content.qtypes.base import LEGACY_RULES, RULES
from learnhub.content.qtypes.short import normalise_short_answer
from learnhub.content.questions import (
    QUESTION_TYPES,
    Answer,
    MatchPair,
    NumericAnswer,
    Question,
)


def question(gift: str) -> Question:
    questions, _ = parse_gift(gift, "quiz.gift")
    return questions[0]


def legacy(q: Question) -> Question:
    """The question as stored before issue 15 (its snapshot has no rules), graded as it was then."""
    data = q.to_dict()
    for name in ("idnumber", "tags", "formats", "rules"):
        del data[name]
    old = Question.from_dict(data)
    assert old.rules == LEGACY_RULES
    return old


# --- single choice -----------------------------------------------------------------------------------

CHOICE = question("::c:: Capital of France? {=Paris ~%50%Paris, Texas ~Lyon ~%-50%Berlin}")


@pytest.mark.parametrize(
    ("response", "expected"),
    [(0, 1.0), (1, 0.5), (2, 0.0), (3, -0.5), (None, 0.0), (4, 0.0), (-1, 0.0), (True, 0.0), ("0", 0.0)],
)
def test_single_choice_scores_the_chosen_weight_negative_ones_included_and_refuses_malformed(response, expected):
    assert CHOICE.score(response) == expected


def test_a_legacy_single_choice_clamped_a_negative_weight_to_zero():
    assert [legacy(CHOICE).score(i) for i in range(4)] == [1.0, 0.5, 0.0, 0.0]


# --- multiple answers --------------------------------------------------------------------------------

MULTI = question("::m:: Which are signs of phishing? {~%50%urgency ~%50%odd sender ~%-100%your name ~logo}")


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ([0, 1], 1.0),
        ({0, 1, 3}, 1.0),
        ([0], 0.5),
        ((1,), 0.5),
        ([0, 0], 0.5),  # choosing twice counts once
        ([0, 2], 0.0),  # -50% clamps to 0
        ([0, 1, 2], 0.0),
        ([2], 0.0),
        ([3], 0.0),
        ([], 0.0),
        (iter([1, 0]), 1.0),
        (None, 0.0),
        ("01", 0.0),
        ([0, 9], 0.0),
        ([0, "1"], 0.0),
        ([True], 0.0),
        (5, 0.0),
        ({0: True}, 0.0),
    ],
)
def test_multiple_answers_sum_the_chosen_weights_clamped_to_0_1(response, expected):
    assert MULTI.score(response) == expected


def test_multiple_answer_weights_sum_without_float_noise():
    q = question("::t:: Pick {~%33.33333%a ~%33.33333%b ~%33.33334%c ~d}")
    assert q.score([0, 1, 2]) == 1.0
    assert q.score([0, 1]) == 0.6666666


def test_clamping_above_one_when_weights_overshoot():
    q = Question(id="x", type="multi", text="t", choices=(Answer("a", 0.8), Answer("b", 0.8)))
    assert q.score([0, 1]) == 1.0


# --- true / false ------------------------------------------------------------------------------------


def test_true_false_scores_only_the_right_bool():
    true, false = question("::t:: yes {T}"), question("::f:: no {FALSE}")
    assert (true.score(True), true.score(False), true.score(None)) == (1.0, 0.0, 0.0)
    assert (false.score(False), false.score(True)) == (1.0, 0.0)
    assert (true.score(1), true.score("true"), false.score(0)) == (0.0, 0.0, 0.0)


# --- short answer ------------------------------------------------------------------------------------

SHORT = question("::s:: Who is buried in Grant's tomb? {=no one =%50%Ulysses S. Grant =%-20%nobody}")


@pytest.mark.parametrize(
    ("response", "expected", "legacy_expected"),
    [
        ("no one", 1.0, 1.0),
        ("  No One ", 1.0, 1.0),
        ("NO\tONE\n", 0.0, 1.0),  # inner whitespace counts as typed (Moodle); legacy collapsed it
        ("no  one", 0.0, 1.0),
        ("ulysses s. grant", 0.5, 0.5),
        ("Ulysses S.Grant", 0.0, 0.0),
        ("noone", 0.0, 0.0),
        ("nobody", -0.2, 0.0),  # a negative weight counts (Moodle); legacy clamped it to 0
        ("", 0.0, 0.0),
        (None, 0.0, 0.0),
        (42, 0.0, 0.0),
    ],
)
def test_short_answer_compares_trimmed_and_case_insensitive(response, expected, legacy_expected):
    assert SHORT.score(response) == expected
    assert legacy(SHORT).score(response) == legacy_expected


def test_short_answer_takes_the_first_matching_answer_in_the_authors_order():
    q = question("::s:: Name it {=%50%TLS =tls}")
    assert q.score("TLS") == 0.5
    assert legacy(q).score("TLS") == 1.0  # the best weight, before issue 15


@pytest.mark.parametrize(
    ("answer", "response", "expected"),
    [
        ("*ing", "phishing", True),
        ("*ing", "ing", True),
        ("*ing", "phishing!", False),
        ("ph*ing", "PHISHING", True),
        ("ph*ing", "phing", True),
        ("ph*ing", "phin", False),
        ("a*b*c", "axxbyyc", True),
        ("a*b*c", "acb", False),
        ("a*a", "a", False),
        ("a**b", "ab", True),
        ("*", "anything at all", True),
        ("*", "", False),  # a blank response is no answer, as in Moodle
        ("\\*", "*", True),  # \* is a literal star
        ("\\*", "x", False),
        ("5\\*3", "5*3", True),
        ("no one", "no  one", False),
        ("Straße", "STRASSE", False),  # one character for one, as a regular expression compares them
        ("Straße", "STRAẞE", True),
        ("café", "cafe\u0301", True),  # Unicode NFC on both sides
    ],
)
def test_short_answer_wildcard_matches_as_moodle(answer, response, expected):
    q = Question(id="s", type="short", text="t", accepted=(Answer(answer, 1.0),))
    assert q.score(response) == (1.0 if expected else 0.0)


def test_a_wildcard_catch_all_after_the_right_answers_gives_its_feedback():
    q = question("::s:: Capital of Peru? {=Lima#Right =%0%*#No: the capital is Lima}")
    assert (q.score("lima"), q.feedback("lima")) == (1.0, ["Right"])
    assert (q.score("Cusco"), q.feedback("Cusco")) == (0.0, ["No: the capital is Lima"])
    assert legacy(q).score("Cusco") == 0.0 and legacy(q).feedback("*") == ["No: the capital is Lima"]


def test_a_hostile_response_against_many_wildcards_is_matched_quickly():
    q = Question(id="s", type="short", text="t", accepted=(Answer("*a*a*a*a*a*a*a*a*a*a*b", 1.0),))
    assert q.score("a" * 10_000) == 0.0


def test_the_legacy_comparison_folds_case_beyond_ascii():
    assert legacy(question("::s:: German street {=Straße}")).score("STRASSE") == 1.0
    assert normalise_short_answer("  Mañana \n TARDE ") == "mañana tarde"


# --- numerical ---------------------------------------------------------------------------------------

PI = question("::pi:: pi? {# =%100%3.14:0.005 =%50%3.1:0.1}")


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ("3.14", 1.0),
        ("3,14", 1.0),
        (" 3.145 ", 1.0),  # the ends of a range are inside it
        ("3.135", 1.0),
        ("3.146", 0.5),
        ("3.0", 0.5),
        ("3.2", 0.5),
        ("3.2001", 0.0),
        ("2.99", 0.0),
        ("314e-2", 1.0),
        ("+3.14", 1.0),
        (3.14, 1.0),
        (3, 0.5),
        ("pi", 0.0),
        ("3.14.1", 0.0),
        ("1,000.5", 0.0),
        ("", 0.0),
        (None, 0.0),
        (True, 0.0),
        (float("nan"), 0.0),
        (float("inf"), 0.0),
        ("1e999999999", 0.0),
        ("٣", 0.0),
    ],
)
def test_numeric_takes_the_first_range_holding_the_number(response, expected):
    assert PI.score(response) == expected


def test_numeric_takes_the_first_matching_answer_not_the_best():
    q = question("::n:: pi? {#=%50%3.1:0.1 =3.14:0.005}")
    assert q.score("3.14") == 0.5
    assert legacy(q).score("3.14") == 1.0


def test_the_numeric_catch_all_holds_every_other_number_and_gives_its_feedback():
    q = question("::n:: HTTPS port? {#=443#Right ~#No: HTTPS listens on 443}")
    assert q.numbers[-1].catch_all and q.numbers[-1].weight == 0.0
    assert (q.score("443"), q.feedback("443")) == (1.0, ["Right"])
    assert (q.score("80"), q.feedback("80")) == (0.0, ["No: HTTPS listens on 443"])
    assert (q.score("port"), q.feedback("port")) == (0.0, [])  # not a number: no answer


def test_numeric_tolerance_is_exact_in_decimal():
    q = question("::n:: {#3.14:0.01}")
    assert q.score("3.13") == 1.0
    assert q.score("3.15") == 1.0
    assert q.score("3.1299") == 0.0


def test_numeric_range():
    q = question("::n:: From 1 to 5 {#1..5}")
    assert [q.score(x) for x in ["1", "5", "3,5", "0.999", "5.01"]] == [1.0, 1.0, 1.0, 0.0, 0.0]


def test_numeric_bare_value_needs_the_exact_number():
    q = question("::n:: HTTPS port {#443}")
    assert [q.score(x) for x in ["443", "443.0", "4.43e2", "444"]] == [1.0, 1.0, 1.0, 0.0]


def test_read_number():
    assert read_number(" -2,5 ") == read_number("-2.5")
    assert read_number("1,5,0") is None
    assert read_number("") is None
    assert read_number([]) is None


# --- matching ----------------------------------------------------------------------------------------

MATCH = question("::m:: Match {=Phishing -> email =Smishing -> SMS =Vishing -> call =Quishing -> QR =->fax}")


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ({0: "email", 1: "SMS", 2: "call", 3: "QR"}, 1.0),
        ({0: "email", 1: "SMS", 2: "fax", 3: "email"}, 0.5),
        ({"0": "email", "1": "SMS", "2": "call"}, 0.75),  # keys as JSON turns them into strings
        ({0: "email"}, 0.25),
        ({0: "EMAIL"}, 0.0),
        ({9: "email"}, 0.0),
        ({0: None, 1: ["SMS"]}, 0.0),
        ({}, 0.0),
        (["email", "SMS"], 0.0),
        (None, 0.0),
    ],
)
def test_matching_scores_the_fraction_of_prompts_matched_right(response, expected):
    assert MATCH.score(response) == expected


# --- not auto-graded ---------------------------------------------------------------------------------


@pytest.mark.parametrize("gift", ["::e:: Explain {}", "::d:: Just text"])
@pytest.mark.parametrize("response", [None, "an answer", 0, [0], {"0": "x"}])
def test_essays_and_descriptions_are_not_auto_graded(gift, response):
    q = question(gift)
    assert q.score(response) is None
    assert q.auto_graded is False


def test_the_registry_covers_every_type_once():
    assert set(QUESTION_TYPES) == {
        "choice", "multi", "truefalse", "short", "numeric", "matching", "essay", "description",
    }
    assert all(kind.name == name for name, kind in QUESTION_TYPES.items())
    assert {name for name, kind in QUESTION_TYPES.items() if not kind.auto_graded} == {"essay", "description"}


@pytest.mark.parametrize("q", [CHOICE, MULTI, SHORT, PI, MATCH, question("::t:: {T}")], ids=lambda q: q.type)
@pytest.mark.parametrize("response", [object(), b"0", 1.5, -3, {1, "a"}, [[0]], {None: None}, "", "∞"])
def test_a_malformed_response_scores_zero_and_never_raises(q, response):
    assert q.score(response) == 0.0


# --- the value itself: construction, map_texts, snapshots --------------------------------------------

ALL_TYPES = """\
$CATEGORY: basics

::c::[markdown] Pick **one** {=a #yes ~b #no ####general}

::m:: Several {~%50%a ~%50%b ~%-100%c}

::t:: True? {T#wrong#right}

::s:: Say {=hello #hi =%50%hey}

::n:: Number {#=1..2 #range =%50%5:0.5 #near}

::p:: Pair {=x -> 1 =y -> 2 = -> 3}

::e:: Essay {} after

::d:: Words
"""


def all_types() -> list[Question]:
    questions, problems = parse_gift(ALL_TYPES, "quiz.gift")
    assert [p for p in problems if p.is_error] == []
    return questions


def test_the_sample_holds_every_type():
    assert [q.type for q in all_types()] == [
        "choice", "multi", "truefalse", "short", "numeric", "matching", "essay", "description",
    ]


@pytest.mark.parametrize("q", all_types(), ids=lambda q: q.type)
def test_to_dict_is_json_safe_and_from_dict_is_its_exact_inverse(q):
    data = q.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert Question.from_dict(data) == q
    assert Question.from_dict(json.loads(json.dumps(data))) == q


def test_to_dict_writes_only_the_fields_of_the_type():
    choice, *_ = all_types()
    assert choice.to_dict() == {
        "id": "c",
        "named": True,
        "type": "choice",
        "text": "Pick **one**",
        "text_after": "",
        "format": "markdown",
        "general_feedback": "general",
        "category": "basics",
        "line": 3,
        "idnumber": "",
        "tags": [],
        "formats": {},
        "rules": RULES,
        "choices": [
            {"text": "a", "weight": 1.0, "feedback": "yes"},
            {"text": "b", "weight": 0.0, "feedback": "no"},
        ],
    }


def test_a_snapshot_from_before_issue_15_reads_with_the_legacy_rules_and_empty_metadata():
    stored = {"id": "s", "named": True, "type": "short", "text": "Say", "text_after": "", "format": "html",
              "general_feedback": "", "category": "", "line": 4,
              "accepted": [{"text": "hello", "weight": 1.0, "feedback": ""}]}
    q = Question.from_dict(stored)
    assert (q.rules, q.idnumber, q.tags, q.formats) == (LEGACY_RULES, "", (), ())
    assert q.score(" HELLO ") == 1.0
    assert Question.from_dict(q.to_dict()) == q
    numeric = {**stored, "type": "numeric", "numbers": [{"low": 1.0, "high": 2.0, "weight": 1.0, "feedback": "",
                                                           "value": None}]}
    del numeric["accepted"]
    assert Question.from_dict(numeric).numbers == (NumericAnswer(1.0, 2.0),)


def test_from_dict_refuses_what_to_dict_did_not_make():
    with pytest.raises(ValueError, match="not a question snapshot"):
        Question.from_dict({"id": "x"})
    data = all_types()[0].to_dict()
    data["type"] = "poll"
    with pytest.raises(ValueError, match="unknown question type 'poll'"):
        Question.from_dict(data)


def test_a_question_refuses_fields_of_another_type():
    with pytest.raises(ValueError, match="a short question has no choices"):
        Question(id="x", type="short", text="t", choices=(Answer("a", 1.0),))
    with pytest.raises(ValueError, match="truth set to True or False"):
        Question(id="x", type="truefalse", text="t")
    with pytest.raises(ValueError, match="unknown text format 'rst'"):
        Question(id="x", type="essay", text="t", format="rst")


def test_map_texts_maps_every_author_text_but_the_accepted_short_answers():
    seen = []

    def shout(text, fmt, part):
        seen.append(fmt)
        return f"<{text.upper()}>"

    c, m, t, s, n, p, e, d = (q.map_texts(shout, to_format="html") for q in all_types())
    assert c.text == "<PICK **ONE**>" and c.general_feedback == "<GENERAL>" and c.format == "html"
    assert c.choices == (Answer("<A>", 1.0, "<YES>"), Answer("<B>", 0.0, "<NO>"))
    assert [(x.text, x.weight) for x in m.choices] == [("<A>", 0.5), ("<B>", 0.5), ("<C>", -1.0)]
    assert (t.feedback_wrong, t.feedback_right, t.truth) == ("<WRONG>", "<RIGHT>", True)
    assert s.accepted == (Answer("hello", 1.0, "<HI>"), Answer("hey", 0.5, ""))
    assert c.formats == () and c.part_format("choices.0.text") == "html"
    assert [x.feedback for x in n.numbers] == ["<RANGE>", "<NEAR>"]
    assert (n.numbers[0].low, n.numbers[0].high) == (1.0, 2.0)
    assert p.pairs == (MatchPair("<X>", "<1>"), MatchPair("<Y>", "<2>"))
    assert p.distractors == ("<3>",)
    assert (e.text, e.text_after) == ("<ESSAY >", "< AFTER>")
    assert d.text == "<WORDS>"
    assert "markdown" in seen and set(seen) == {"markdown", "moodle"}


def test_map_texts_keeps_the_format_unless_told_and_scores_the_same():
    s = all_types()[3]
    mapped = s.map_texts(lambda text, fmt, part: text)
    assert mapped == s
    assert mapped.score("HELLO") == 1.0


def test_numeric_answer_tolerance():
    assert NumericAnswer(3.13, 3.15, value=3.14).tolerance == 0.01
    assert NumericAnswer(1.0, 5.0).tolerance is None


def test_percent_writes_fractions_without_float_noise():
    assert [percent(0.9), percent(0.3333333), percent(1.0)] == ["90%", "33.33333%", "100%"]
    assert percent(-0.25) == "-25%"


def test_feedback_follows_the_response_for_each_type():
    text = """::c:: Pick {=right#yes it is ~wrong#no, look again}

::m:: Pick two {~%50%a#a ok ~%50%b#b ok ~%-100%c#c is wrong}

::t:: The sky is blue {T#it is blue#correct}

::s:: Capital of Peru {=Lima#right, Lima =%50%lima city#almost}

::n:: NIS2 early warning hours {#=24:0#right, 24 hours =%50%72:0#that is the notification}

::e:: Explain {}
"""
    questions = {q.id: q for q in parse_gift(text, "f.gift")[0]}
    assert questions["c"].feedback(1) == ["no, look again"]
    assert questions["c"].feedback(7) == [] and questions["c"].feedback(None) == []
    assert questions["m"].feedback([2, 0]) == ["a ok", "c is wrong"]
    assert questions["m"].feedback("0") == []
    assert questions["t"].feedback(False) == ["it is blue"]
    assert questions["t"].feedback(True) == ["correct"]
    assert questions["s"].feedback("  LIMA ") == ["right, Lima"]
    assert questions["s"].feedback("Cusco") == []
    assert questions["n"].feedback("72") == ["that is the notification"]
    assert questions["n"].feedback("x") == []
    assert questions["e"].feedback("anything") == []
