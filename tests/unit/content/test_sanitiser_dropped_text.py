"""Raw HTML that makes the sanitiser drop the text after it is an error at the line where text goes missing.

The audit's case: an unclosed <style> inside <math>. In MathML a <style> is not raw text, so a `<!--` after it
opens a real comment that runs to the end: the rest of the lesson vanished, and the validator only warned
that the <math> and <style> tags are removed.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from learnhub.content.markdown import render_markdown, render_text


def render(source: str):
    return render_markdown(source, course_id="phishing", path="lesson.md")


def errors(rendered) -> list[str]:
    return [str(problem) for problem in rendered.problems if problem.is_error]


def test_the_rest_of_the_lesson_dropped_after_an_unclosed_style_in_math_is_an_error_at_its_line():
    source = ("# Passwords\n\nIntro.\n\n<div>\n<math><style><!--\n</div>\n\n## Passphrases\n\n"
              "Use four random words.\n\nA password manager helps.\n")
    rendered = render(source)
    assert "Passphrases" not in rendered.html  # what the audit saw: the sanitiser drops the rest
    assert errors(rendered) == [
        "lesson.md:9: error: the rest of the text, from line 9 on, is dropped when the HTML is sanitised, because "
        "of the HTML at line 5 ('<div> <math><style><!-- </div>'): close the tag or comment it opens (such as "
        "<style> or <!--), or remove it"]


def test_an_inline_unclosed_comment_in_math_names_the_html_that_caused_it():
    rendered = render("Intro.\n\nSee <math><style><table> this\n\nLost paragraph.\n")
    assert "Lost" not in rendered.html
    assert len(errors(rendered)) == 1
    assert errors(rendered)[0].startswith(
        "lesson.md:5: error: the rest of the text, from line 5 on, is dropped when the HTML is sanitised, because "
        "of the HTML at line 3 ('<table>')")  # the last raw HTML before


def test_an_unclosed_style_block_keeps_the_rest_as_raw_html_and_says_so():
    rendered = render("Intro.\n\n<style>\n\n## Heading\n\nMore **text**.\n")
    assert "<h2>" not in rendered.html  # Markdown reads to the end of the file for a </style> that never comes
    assert errors(rendered) == [
        "lesson.md:3: error: the <style> here is never closed, so the rest of the text is kept as raw HTML and its "
        "Markdown is not rendered: close it with </style>"]
    assert any("removes the <style> tag" in problem.message for problem in rendered.problems)


def test_text_dropped_in_the_middle_is_an_error_at_its_line_not_the_rest():
    source = "Intro.\n\n<table><tr><td>\n\nIn a cell.\n\n</td></tr>\n\nBetween rows.\n\n</table>\n\nAfter the table.\n"
    rendered = render(source)
    assert "Between" not in rendered.html and "After the table" in rendered.html
    assert len(errors(rendered)) == 1
    assert errors(rendered)[0].startswith("lesson.md:9: error: text at line 9 is dropped when the HTML is sanitised")


def test_an_unclosed_comment_block_drops_the_rest_and_says_so():
    rendered = render("Intro.\n\n<!-- a note\n\n## Heading\n\nMore text.\n")
    assert "Heading" not in rendered.html
    assert errors(rendered) == ["lesson.md:3: error: the comment opened here is never closed, so the rest of the "
                                "text is dropped: close it with -->"]


def test_html_that_keeps_every_word_is_not_an_error():
    for source in ("Intro <b>bold</b> and <script>alert(1)</script> end.\n\nNext paragraph.\n",
                   "<details><summary>More</summary>\n\nHidden **text** shown on click.\n\n</details>\n\nAfter.\n",
                   "Keep <math><mi>x</mi></math> and the rest.\n\nRest of it.\n",
                   "<style>p { color: red }</style>\n\nStill **here**.\n",
                   "A comment <!-- hidden note --> in a line.\n\nAnd after it.\n",
                   "<!--\na comment block\n-->\n\nAfter it.\n"):
        assert errors(render(source)) == [], source


def test_line_offset_moves_the_reported_line():
    rendered = render_markdown("Intro.\n\n<p><math><style><!--\n\nGone.\n", course_id="c", path="l.md",
                               line_offset=4)
    assert [problem.line for problem in rendered.problems if problem.is_error] == [9]


def test_markdown_quiz_texts_get_the_same_check():
    rendered = render_text("Which one?\n\n<p><math><style><!--\n\nThe lost part.", "markdown", course_id="c",
                           path="q.gift", line=10)
    assert [(problem.line, problem.level) for problem in rendered.problems if problem.is_error] == [(14, "error")]


_WORD = st.from_regex(r"[a-z]{3,8}", fullmatch=True)
_PARAGRAPH = st.lists(_WORD, min_size=1, max_size=6).map(" ".join)
_OPENERS = ["<math><style><!--", "<math><style>", "<svg><style><!--", "<!--", "<table>", "<style>", "<script>",
            "<template>", "<textarea>", "<title>", "<p><math><style><table>", "<b>", "<details>", "<xmp>",
            "<noscript>", "<iframe>", "<select>", "<frameset>", "<![CDATA[", "<math><mtext><table>"]


@settings(max_examples=300, deadline=None)
@given(st.lists(_PARAGRAPH, min_size=1, max_size=5), st.lists(_PARAGRAPH, min_size=1, max_size=5),
       st.sampled_from(_OPENERS), st.sampled_from(["\n\n", " ", "\n\n<div>\n", "\n"]))
def test_no_paragraph_vanishes_without_an_error(before, after, opener, joint):
    """Whatever raw HTML opens between paragraphs, every word of them is in the page or an error says so."""
    source = "\n\n".join(before) + joint + opener + "\n\n" + "\n\n".join(after) + "\n"
    rendered = render(source)
    text = re.sub(r"<[^>]*>", " ", rendered.html)
    shown = " ".join(text.split())
    every_paragraph_shown = all(paragraph in shown for paragraph in before + after)
    assert every_paragraph_shown or errors(rendered), (source, rendered.html)


_CLOSED_HTML = ["<b>bold</b>", "<script>alert(1)</script>", "<style>p { color: red }</style>",
                "<math><mi>x</mi></math>", "<!-- a note -->", "<table><tr><td>cell</td></tr></table>",
                "<details><summary>more</summary>", "</details>", "<span class=x>span</span>", "<br>",
                "<svg><title>t</title></svg>", "<iframe src=https://example.org></iframe>"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_PARAGRAPH, st.sampled_from(_CLOSED_HTML)), min_size=1, max_size=8),
       st.sampled_from(["\n\n", " ", "\n"]))
def test_closed_html_never_raises_the_error(parts, joint):
    """The check must not cry wolf: HTML that closes what it opens loses no paragraph and reports no error."""
    rendered = render(joint.join(parts) + "\n")
    assert errors(rendered) == []
