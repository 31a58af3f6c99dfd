"""The GIFT parser reads every question type, option and escape as Moodle's importer does (the rule-by-rule
conformance corpus is tests/unit/gift_conformance)."""

import copy
from textwrap import dedent

import pytest

from learnhub.content.gift import GiftSyntaxError, derived_id, parse_gift
from learnhub.content.problems import Problem
from learnhub.content.questions import Answer, MatchPair, NumericAnswer

PATH = "courses/phishing/check.gift"


def parse(text: str):
    return parse_gift(dedent(text).lstrip("\n"), PATH)


def one(text: str):
    questions, _ = parse(text)
    assert len(questions) == 1
    return questions[0]


def errors(problems):
    return [(p.line, p.message) for p in problems if p.level == "error"]


# --- question types ----------------------------------------------------------------------------------


def test_single_choice_reads_right_and_wrong_choices_in_order():
    q = one("::grant:: Who's buried in Grant's tomb?{~Grant ~Jefferson =no one}")
    assert q.type == "choice"
    assert q.id == "grant" and q.named is True
    assert q.text == "Who's buried in Grant's tomb?"
    assert q.text_after == ""
    assert q.choices == (Answer("Grant", 0.0), Answer("Jefferson", 0.0), Answer("no one", 1.0))
    assert q.format == "moodle"
    assert q.line == 1


def test_choice_weights_and_feedback_are_read_per_choice():
    q = one(
        """
        ::colour:: What's between orange and green in the spectrum?
        { =yellow # right; good! ~%50%amber #close ~%-25%blue # wrong, it's yellow }
        """
    )
    assert q.type == "choice"
    assert q.choices == (
        Answer("yellow", 1.0, "right; good!"),
        Answer("amber", 0.5, "close"),
        Answer("blue", -0.25, "wrong, it's yellow"),
    )


def test_choice_with_two_right_answers_stays_single_choice():
    q = one("::two:: Pick a prime {=2 =3 ~4}")
    assert q.type == "choice"
    assert [c.weight for c in q.choices] == [1.0, 1.0, 0.0]


def test_weights_that_leave_no_choice_at_100_percent_make_a_multiple_answer_question():
    q = one("::multi:: Which are colours? {~%50%red ~%50%blue ~%-100%dog}")
    assert q.type == "multi"
    assert [c.weight for c in q.choices] == [0.5, 0.5, -1.0]


def test_a_choice_block_without_an_equals_answer_is_multiple_answer_even_with_a_100_percent_weight():
    q = one("::m:: What is between orange and green? {~%100%yellow ~%-50%red}")
    assert (q.type, [c.weight for c in q.choices]) == ("multi", [1.0, -0.5])


def test_decimal_weights_read_exactly():
    q = one("::thirds:: Pick {~%33.33333%a ~%33.33333%b ~%33.33333%c ~%-100%d}")
    assert q.type == "multi"
    assert q.choices[0].weight == 0.3333333


def test_true_false_reads_all_spellings_and_both_feedbacks():
    assert one("::a:: Sky is blue {T}").truth is True
    assert one("::a:: Sky is blue {TRUE}").truth is True
    assert one("::a:: Sky is green {F}").truth is False
    assert one("::a:: Sky is green {FALSE}").truth is False
    q = one("::tf:: 1+1=2 {TRUE#No, it is two.#Yes, two.}")
    assert q.type == "truefalse"
    assert q.text == "1+1=2"
    assert (q.feedback_wrong, q.feedback_right) == ("No, it is two.", "Yes, two.")


def test_true_false_with_only_wrong_feedback():
    q = one("::tf:: Phishing is legal {F #It is a crime.}")
    assert (q.truth, q.feedback_wrong, q.feedback_right) == (False, "It is a crime.", "")


def test_short_answer_reads_weights_and_feedback():
    q = one("::sa:: Who's buried in Grant's tomb?{=Grant #right =%50%Ulysses Grant #half =no one}")
    assert q.type == "short"
    assert q.accepted == (
        Answer("Grant", 1.0, "right"),
        Answer("Ulysses Grant", 0.5, "half"),
        Answer("no one", 1.0, ""),
    )


def test_numeric_with_tolerance():
    q = one("::pi:: What is pi to two places?{#3.14:0.01}")
    assert q.type == "numeric"
    assert q.numbers == (NumericAnswer(low=3.13, high=3.15, weight=1.0, value=3.14),)
    assert q.numbers[0].tolerance == 0.01


def test_numeric_range_and_bare_value():
    assert one("::r:: A number from 1 to 5 {#1..5}").numbers == (NumericAnswer(1.0, 5.0, 1.0, "", None),)
    assert one("::b:: Port of HTTPS {#443}").numbers == (NumericAnswer(443.0, 443.0, 1.0, "", 443.0),)
    assert one("::n:: Below zero {#-5..-1.5}").numbers == (NumericAnswer(-5.0, -1.5, 1.0, "", None),)


def test_numeric_with_several_weighted_answers_and_feedback():
    q = one(
        """
        ::pi:: When was Ulysses S. Grant born?{#
            =1822:0 # Correct!
            =%50%1822:2 # Nearly.
        }
        """
    )
    assert q.numbers == (
        NumericAnswer(1822.0, 1822.0, 1.0, "Correct!", 1822.0),
        NumericAnswer(1820.0, 1824.0, 0.5, "Nearly.", 1822.0),
    )


def test_numeric_inline_several_answers():
    q = one("::pi:: pi? {# =%100%3.14:0.005 =%50%3.1:0.1}")
    assert [(n.low, n.high, n.weight) for n in q.numbers] == [(3.135, 3.145, 1.0), (3.0, 3.2, 0.5)]


def test_matching_reads_pairs_and_distractors():
    q = one(
        """
        ::match:: Match the attack to its channel. {
            =Phishing -> email
            =Smishing -> SMS
            =Vishing -> voice call
            = -> fax
        }
        """
    )
    assert q.type == "matching"
    assert q.pairs == (
        MatchPair("Phishing", "email"),
        MatchPair("Smishing", "SMS"),
        MatchPair("Vishing", "voice call"),
    )
    assert q.distractors == ("fax",)


def test_missing_word_keeps_the_text_on_both_sides_of_the_blank():
    q = one("::mw:: Grant is {~buried =entombed ~living} in Grant's tomb.")
    assert q.type == "choice"
    assert q.text == "Grant is "
    assert q.text_after == " in Grant's tomb."
    assert q.text + "___" + q.text_after == "Grant is ___ in Grant's tomb."


def test_missing_word_works_for_short_answers():
    q = one("::mw:: Two plus {=two =2} equals four.")
    assert (q.type, q.text, q.text_after) == ("short", "Two plus ", " equals four.")


def test_essay_and_description():
    essay = one("::essay:: Describe how you would report a phishing email. {}")
    assert (essay.type, essay.text) == ("essay", "Describe how you would report a phishing email.")
    description = one("::intro:: The next questions are about passwords.")
    assert (description.type, description.text) == ("description", "The next questions are about passwords.")


def test_essay_with_general_feedback():
    q = one("::essay:: Why? {####A model answer: because.}")
    assert (q.type, q.general_feedback) == ("essay", "A model answer: because.")


# --- options -----------------------------------------------------------------------------------------


def test_general_feedback_follows_the_answers():
    q = one("::gf:: Capital of France? {=Paris ~Lyon ####Paris has been the capital since 987.}")
    assert q.general_feedback == "Paris has been the capital since 987."
    assert q.choices == (Answer("Paris", 1.0), Answer("Lyon", 0.0))


def test_general_feedback_on_true_false():
    q = one("::tf:: MFA helps {T#Think again.#Yes.####MFA blocks most account takeovers.}")
    assert (q.feedback_wrong, q.feedback_right) == ("Think again.", "Yes.")
    assert q.general_feedback == "MFA blocks most account takeovers."


@pytest.mark.parametrize("prefix", ["markdown", "html", "plain", "moodle"])
def test_format_prefix_sets_the_format_and_is_not_text(prefix):
    q = one(f"::f::[{prefix}] Is **this** bold? {{T}}")
    assert q.format == prefix
    assert q.text == "Is **this** bold?"


def test_format_prefix_without_a_name():
    q = one("[html]<p>Is it?</p>{T}")
    assert (q.format, q.text) == ("html", "<p>Is it?</p>")


def test_unknown_bracket_prefix_is_text():
    q = one("::f::[link](http://example.org) is safe {F}")
    assert (q.format, q.text) == ("moodle", "[link](http://example.org) is safe")


def test_escapes_are_resolved_in_names_text_answers_and_feedback():
    q = one(r"::a\:b:: Which \{is\} 1\=1\~ \#1 \\ ok?\nNew line {=yes\#1 #fb \: \= ~no}")
    assert q.id == "a:b"
    assert q.text == "Which {is} 1=1~ #1 \\ ok?\nNew line"
    assert q.choices == (Answer("yes#1", 1.0, "fb : ="), Answer("no", 0.0))


def test_an_unknown_escape_keeps_its_backslash():
    assert one(r"::p:: Path C:\temp\x {T}").text == r"Path C:\temp\x"


def test_comments_are_dropped_anywhere_and_do_not_separate_questions():
    q = one(
        """
        // the first question
        ::c:: Which is a strong password?
        // a comment inside the question
        {
            ~password123
            // a comment between answers
            =correct horse battery staple
        }
        """
    )
    assert q.text == "Which is a strong password?"
    assert q.choices == (Answer("password123", 0.0), Answer("correct horse battery staple", 1.0))
    assert q.line == 2


def test_double_slash_inside_a_line_is_text():
    assert one("::u:: Is http://example.org safe? {F}").text == "Is http://example.org safe?"


def test_categories_tag_the_questions_that_follow():
    questions, _ = parse(
        """
        ::before:: Untagged {T}

        $CATEGORY: $course$/phishing/basics

        ::one:: First {T}

        ::two:: Second {F}

        $CATEGORY: passwords
        ::three:: Third, in the same block as its category {T}
        """
    )
    assert [(q.id, q.category, q.line) for q in questions] == [
        ("before", "", 1),
        ("one", "$course$/phishing/basics", 5),
        ("two", "$course$/phishing/basics", 7),
        ("three", "passwords", 10),
    ]


def test_multi_line_question_text_and_answers():
    q = one(
        "::ml::\n"
        "[markdown]\n"
        "Read the email below.\\n\n"
        "> Your account is locked.\n"
        "Is it phishing? {\n"
        "    =yes, the sender\n"
        "     address is spoofed #right\n"
        "    ~no\n"
        "}\n"
    )
    assert q.format == "markdown"
    assert q.text == "Read the email below.\n\n> Your account is locked.\nIs it phishing?"
    assert q.choices == (Answer("yes, the sender\n     address is spoofed", 1.0, "right"), Answer("no", 0.0))
    assert q.line == 1


def test_answers_on_their_own_lines_with_indentation():
    q = one(
        """
        ::t:: The American holiday of Thanksgiving is celebrated on the {
            ~second
            ~third
            =fourth
        } Thursday of November.
        """
    )
    assert [c.text for c in q.choices] == ["second", "third", "fourth"]
    assert q.text_after == " Thursday of November."


def test_several_questions_keep_file_order_and_lines():
    questions, problems = parse_gift("::q1:: One {T}\n\n\n  \n::q2:: Two\n{F}\n\n\n", PATH)
    assert [(q.id, q.line) for q in questions] == [("q1", 1), ("q2", 5)]
    assert problems == []


def test_windows_line_endings_and_byte_order_mark():
    questions, _ = parse_gift("\ufeff::a:: One {T}\r\n\r\n::b:: Two\r\n{F}\r\n", PATH)
    assert [(q.id, q.line, q.text) for q in questions] == [("a", 1, "One"), ("b", 3, "Two")]


def test_empty_file_has_no_questions_and_no_problems():
    assert parse_gift("", PATH) == ([], [])
    assert parse_gift("// only a comment\n\n\n", PATH) == ([], [])


# --- ids and problems --------------------------------------------------------------------------------


def test_a_question_without_a_name_gets_a_derived_id_and_a_warning():
    questions, problems = parse_gift("\n\nWho's buried in Grant's tomb? {=no one ~Grant}", PATH)
    assert questions[0].named is False
    assert questions[0].id == derived_id("Who's buried in Grant's tomb?")
    assert questions[0].id.startswith("q-") and len(questions[0].id) == 14
    assert problems == [
        Problem(PATH, 3, "warning", "question has no ::name::; editing its text will make it a new question")
    ]


def test_the_derived_id_survives_edits_to_answers_and_whitespace_but_not_to_the_text():
    a = one("Which port does HTTPS use? {#443}")
    b = one("Which  port does\nHTTPS use?   {=443 =https}")
    c = one("Which port does HTTP use? {#80}")
    assert a.id == b.id
    assert a.id != c.id


def test_unnamed_questions_with_the_same_text_get_distinct_ids():
    questions, _ = parse("Pick one {=a ~b}\n\nPick one {=c ~d}\n")
    base = derived_id("Pick one")
    assert [q.id for q in questions] == [base, base + "-2"]


def test_duplicate_names_are_an_error_naming_both_lines():
    _, problems = parse("::q1:: One {T}\n\n::q2:: Two {T}\n\n::q1:: Three {F}\n")
    assert errors(problems) == [(5, "question name 'q1' is already used on line 1")]
    assert str(problems[0]) == f"{PATH}:5: error: question name 'q1' is already used on line 1"


def test_multiple_choice_needs_two_choices():
    _, problems = parse("::one:: Only one {~lonely}\n\n::two:: Also {=only}\n")
    assert errors(problems) == [(1, "multiple choice question needs at least two choices")]


def test_matching_needs_two_pairs():
    _, problems = parse("::m:: Match {=a -> b = -> c}")
    assert errors(problems) == [(1, "matching question needs at least two pairs")]


def test_multiple_answer_weights_must_add_up_to_100_percent():
    _, problems = parse("::m:: Which? {~%50%a ~%40%b ~%-100%c}\n\n::n:: None right {~a ~b}\n")
    assert errors(problems) == [
        (1, "the right answers of a multiple-answer question add up to 90%, not 100%"),
        (3, "the right answers of a multiple-answer question add up to 0%, not 100%"),
    ]


def test_short_and_numeric_answers_need_one_worth_100_percent():
    _, problems = parse("::s:: Name it {=%50%half}\n\n::n:: Number {#=%50%1 =%20%2}\n")
    assert errors(problems) == [
        (1, "short-answer question has no answer worth 100%"),
        (3, "numerical question has no answer worth 100%"),
    ]


def test_question_without_text_is_an_error():
    _, problems = parse("::empty:: {T}\n\n::name-only::\n")
    assert errors(problems) == [(1, "question has no text"), (3, "question has no text")]


def test_a_sound_file_has_no_problems():
    _, problems = parse(
        """
        ::a:: One {T}

        ::b:: Two {=x ~y}

        ::c:: Three {~%50%x ~%50%y ~z}
        """
    )
    assert problems == []


# --- syntax errors -----------------------------------------------------------------------------------

SYNTAX_ERRORS = [
    ("::a:: Unclosed {=a ~b", 1, "expected '}' to close the answer block opened on line 1"),
    ("::a:: Unclosed {\n=a\n~b\n\n::b:: {T}", 3, "expected '}' to close the answer block opened on line 1"),
    ("::a:: Stray } brace {T}", 1, "unexpected '}' with no '{' before it"),
    ("::a:: Text {T} more } text", 1, "unexpected '}' with no '{' before it"),
    ("::a:: Plain text }", 1, "unexpected '}' with no '{' before it"),
    (
        "::a:: One {T}\n::b:: Two {F}",
        2,
        "unexpected '{' after the answer block closed on line 1; separate questions with a blank line",
    ),
    (
        "::a:: Nested {=a {=b}",
        1,
        "unexpected '{' inside the answer block opened on line 1; write '\\{' for a brace",
    ),
    ("::a:: TF {false}", 1, "write '{FALSE}' in capitals: Moodle reads '{false}' as a short answer"),
    ("::a:: TF {True#fb}", 1, "write '{TRUE}' in capitals: Moodle reads '{True}' as a short answer"),
    ("::a:: Bold? {=[HTML]<b>x</b> ~y}", 1, "write '[html]' in lower case: Moodle reads '[HTML]' as text"),
    ("::a::[Markdown] Bold? {T}", 1, "write '[markdown]' in lower case: Moodle reads '[Markdown]' as text"),
    ("::a:: Empty answer {=a ~}", 1, "empty answer after '~'"),
    ("::a:: Empty answer {=}", 1, "empty answer after '='"),
    ("::a:: Feedback only {=a ~#why}", 1, "empty answer after '~'"),
    (
        "::a:: Weighted right answer {=%50%a ~b}",
        1,
        "Moodle gives an '=' answer 100% and reads '%50%' as its text; write '~%50%' for part of the marks",
    ),
    (
        "::a:: Weight {~%-.5%a =b}",
        1,
        "weight '%-.5%' is not written as Moodle reads a weight (it would be answer text); write '%-0.5%'",
    ),
    ("::a:: Weight {~%150%a =b}", 1, "weight 150% is outside -100%..100%"),
    ("::a:: Weight {~%-101%a =b}", 1, "weight -101% is outside -100%..100%"),
    ("::a:: Weight {~%ten%a =b}", 1, "weight '%ten%' is not a number"),
    ("::a:: Pi {#3,x}", 1, "numerical answer '3,x' is not a number"),
    ("::a:: Pi {#3.14:x}", 1, "numerical answer '3.14:x' is not a number"),
    ("::a:: Pi {#\n=3.14\n=%50%three\n}", 3, "numerical answer 'three' is not a number"),
    ("::a:: Range {#5..1}", 1, "numerical range '5..1' has its low end above its high end"),
    ("::a:: Tol {#3:-1}", 1, "numerical tolerance in '3:-1' is negative"),
    ("::a:: Huge {#1e999}", 1, "numerical answer '1e999' is not a number"),
    ("::a:: Huge {#1e308:1e308}", 1, "numerical answer '1e308:1e308' is out of range"),
    ("::a:: Nothing {#}", 1, "expected a number after '#'"),
    ("::a:: Nothing {# ####general}", 1, "expected a number after '#'"),
    ("::a:: Numeric {#=1 =}", 1, "empty answer after '='"),
    ("::a:: Match {=a -> b =c d}", 1, "expected '->' in matching pair 'c d'"),
    ("::a:: Match {\n=a -> b\n=c ->\n}", 3, "matching pair 'c' has no answer after '->'"),
    ("::a:: Match {=%50%a -> b =c -> d}", 1, "matching pair 'a -> b' cannot have a weight"),
    ("::a:: Match {=C# -> c =b -> d}", 1, "matching pair 'C' cannot have '#feedback'; write '\\#' for a '#'"),
    ("::a:: TF {T#a#b#c}", 1, "expected at most two feedbacks after a true/false answer ('#wrong#right')"),
    ("::unclosed name {T}", 1, "expected '::' to close the question name opened on line 1"),
    (":::: no name {T}", 1, "expected a question name between '::' and '::'"),
    ("\n\n// comment\n::ok:: fine {T}\n\n::b:: Bad {~%200%x =y}", 6, "weight 200% is outside -100%..100%"),
]


@pytest.mark.parametrize(("text", "line", "message"), SYNTAX_ERRORS)
def test_syntax_errors_name_the_line_and_what_was_expected(text, line, message):
    with pytest.raises(GiftSyntaxError) as caught:
        parse_gift(text, PATH)
    assert (caught.value.line, caught.value.message) == (line, message)
    assert str(caught.value) == f"line {line}: {message}"


def test_the_syntax_error_is_a_value_error_and_can_be_copied():
    with pytest.raises(ValueError, match=r"^line 1: empty answer after '='$"):
        parse_gift("::a:: x {=}", PATH)
    err = copy.deepcopy(GiftSyntaxError(4, "expected '}'"))
    assert (err.line, err.message, str(err)) == (4, "expected '}'", "line 4: expected '}'")


def test_text_that_only_starts_with_a_percent_sign_is_text():
    q = one("::a:: Share? {= %50 of people ~none}")
    assert q.choices[0] == Answer("%50 of people", 1.0)


def test_a_weight_after_a_space_is_a_weight_as_moodle_trims_the_answer_first():
    q = one("::a:: Colours? {~ %50% pink ~ %50% red ~blue}")
    assert q.choices == (Answer("pink", 0.5), Answer("red", 0.5), Answer("blue", 0.0))
    assert one("::s:: Name {= %50% half =full}").accepted == (Answer("half", 0.5), Answer("full", 1.0))


def test_text_before_the_first_marker_is_an_answer_as_in_moodle():
    assert one("::s:: Capital of Peru? {Lima}").accepted == (Answer("Lima", 1.0),)
    assert one("::s:: Which? {yes =no}").accepted == (Answer("yes", 1.0), Answer("no", 1.0))
    q = one("::c:: Which? {\n  maybe\n  =yes ~no\n}")
    assert (q.type, q.choices) == ("choice", (Answer("maybe", 0.0), Answer("yes", 1.0), Answer("no", 0.0)))
