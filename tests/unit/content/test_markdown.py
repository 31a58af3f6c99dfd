"""Markdown and quiz texts become sanitised HTML, and the validator hears about everything stripped."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from learnhub.content.markdown import render_markdown, render_text
from learnhub.content.problems import Problem
from learnhub.content.sanitiser import Findings, classify_url, default_media_url, sanitise_html


def render(source: str, **kwargs):
    return render_markdown(source, course_id="phishing", path="lesson.md", **kwargs)


def messages(rendered) -> list[str]:
    return [str(problem) for problem in rendered.problems]


def test_commonmark_renders_to_plain_structural_html():
    rendered = render("# Title\n\nSome *em* and **strong** and `code`.\n\n- one\n- two\n\n> quoted\n")
    assert rendered.html == (
        "<h1>Title</h1>\n<p>Some <em>em</em> and <strong>strong</strong> and <code>code</code>.</p>\n"
        "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<blockquote>\n<p>quoted</p>\n</blockquote>\n"
    )
    assert rendered.problems == ()
    assert rendered.title == "Title"


def test_tables_render_and_alignment_becomes_a_class_not_a_style():
    rendered = render("| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |\n")
    assert '<th class="align-left">a</th>' in rendered.html
    assert '<td class="align-center">2</td>' in rendered.html
    assert '<td class="align-right">3</td>' in rendered.html
    assert "style" not in rendered.html
    assert rendered.problems == ()


def test_fenced_code_keeps_its_language_class_and_escapes_its_content():
    rendered = render("```python\nprint('<script>')\n```\n")
    assert rendered.html == (
        '<pre><code class="language-python">print(\'&lt;script&gt;\')\n</code></pre>\n'
    )
    assert rendered.problems == ()


def test_every_link_gets_rel_noopener_noreferrer():
    rendered = render("[site](https://example.org/a?b=1) and [mail](mailto:team@example.org) and [top](#top)\n")
    assert rendered.html == (
        '<p><a href="https://example.org/a?b=1" rel="noopener noreferrer">site</a> and '
        '<a href="mailto:team@example.org" rel="noopener noreferrer">mail</a> and '
        '<a href="#top" rel="noopener noreferrer">top</a></p>\n'
    )
    assert rendered.problems == ()


def test_an_author_rel_or_target_is_replaced_and_reported():
    rendered = render('<a href="https://example.org" target="_blank" rel="opener">x</a>\n')
    assert rendered.html == '<p><a href="https://example.org" rel="noopener noreferrer">x</a></p>\n'
    assert messages(rendered) == [
        "lesson.md:1: warning: the sanitiser removes attribute 'target' from <a>",
        "lesson.md:1: warning: the sanitiser removes attribute 'rel' from <a>",
    ]


def test_media_links_and_images_are_rewritten_with_the_default_media_url():
    rendered = render("![Fake login](media/fake-login.png)\n\n[Slides](media/docs/slides%20v2.pdf#page=3)\n")
    assert '<img src="/media/phishing/fake-login.png" alt="Fake login">' in rendered.html
    assert '<a href="/media/phishing/docs/slides%20v2.pdf#page=3" rel="noopener noreferrer">' in rendered.html
    assert rendered.media == ((1, "media/fake-login.png"), (3, "media/docs/slides v2.pdf"))


def test_media_urls_come_from_the_callers_function():
    def media_url(course_id: str, relative_path: str) -> str:
        return f"/courses/{course_id}/media/{relative_path}"

    rendered = render('![x](media/a.png)\n\n<img src="media/b.png" alt="b" width="200">\n', media_url=media_url)
    assert '<img src="/courses/phishing/media/a.png" alt="x">' in rendered.html
    assert '<img src="/courses/phishing/media/b.png" alt="b" width="200">' in rendered.html
    assert rendered.media == ((1, "media/a.png"), (3, "media/b.png"))


def test_default_media_url_quotes_the_path():
    assert default_media_url("phishing", "red flags/é.png") == "/media/phishing/red%20flags/%C3%A9.png"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("../secret.png", "path '../secret.png' leaves the course folder"),
        ("media/../../secret.png", "path 'media/../../secret.png' leaves the course folder"),
        ("media/%2e%2e/%2E%2E/secret.png", "path 'media/%2e%2e/%2E%2E/secret.png' leaves the course folder"),
        ("..%2F..%2Fetc%2Fpasswd", "path '..%2F..%2Fetc%2Fpasswd' leaves the course folder"),
        ("/etc/passwd", "path '/etc/passwd' is absolute; write it relative to the course folder, "
                        "such as media/picture.png"),
        ("%2Fetc%2Fpasswd", "path '%2Fetc%2Fpasswd' is absolute; write it relative to the course folder, "
                            "such as media/picture.png"),
        ("//evil.example/x.png", "path '//evil.example/x.png' is absolute; write it relative to the course "
                                 "folder, such as media/picture.png"),
        ("media%5C..%5Csecret.png", "path 'media%5C..%5Csecret.png' contains a backslash; use '/' between "
                                    "folders"),
        ("media/%252e%252e/x.png", "path 'media/%252e%252e/x.png' is encoded twice or contains control "
                                   "characters"),
        ("media//x.png", "media path 'media//x.png' must name a file, such as media/picture.png"),
        ("media/./x.png", "media path 'media/./x.png' must name a file, such as media/picture.png"),
    ],
)
def test_paths_that_leave_the_course_folder_are_errors_and_never_rendered(url, message):
    rendered = render(f"[file]({url})\n")
    assert messages(rendered) == [f"lesson.md:1: error: {message}"]
    assert "href" not in rendered.html
    assert rendered.media == ()


def test_raw_html_link_paths_are_checked_like_markdown_ones():
    rendered = render('Text\n\n<a href="media/../../x">x</a>\n')
    assert messages(rendered) == ["lesson.md:3: error: path 'media/../../x' leaves the course folder"]
    assert rendered.html == '<p>Text</p>\n<p><a rel="noopener noreferrer">x</a></p>\n'


def test_images_must_be_files_under_media():
    rendered = render(
        "![a](https://example.org/a.png)\n![b](pics/b.png)\n![c](data:image/png;base64,AAAA)\n"
        '<img src="javascript:alert(1)">\n'
    )
    assert messages(rendered) == [
        "lesson.md:1: error: image 'https://example.org/a.png' is not in the course: put the file under "
        "media/ and refer to it as media/...",
        "lesson.md:2: error: image 'pics/b.png' must be a file under media/",
        "lesson.md:3: warning: the sanitiser removes image source 'data:image/png;base64,AAAA': images "
        "must be files under media/",
        "lesson.md:4: warning: the sanitiser removes image source 'javascript:alert(1)': images must be "
        "files under media/",
    ]
    assert "src" not in rendered.html


def test_stripped_html_is_reported_at_its_markdown_line():
    source = (
        "Intro with <span onclick=\"steal()\">a span</span>.\n"  # 1
        "\n"  # 2
        "<div>\n"  # 3
        "<script>alert(1)</script>\n"  # 4
        "<p style=\"color:red\">red</p>\n"  # 5
        "</div>\n"  # 6
        "\n"  # 7
        "| a |\n|---|\n| <b onmouseover=\"x\">b</b> |\n"  # 8-10
        "\n"  # 11
        "line one\nline two <iframe src=\"https://example.org\"></iframe>\n"  # 12-13
    )
    rendered = render(source)
    assert messages(rendered) == [
        "lesson.md:1: warning: the sanitiser removes attribute 'onclick' from <span>",
        "lesson.md:4: warning: the sanitiser removes the <script> tag",
        "lesson.md:5: warning: the sanitiser removes attribute 'style' from <p>",
        "lesson.md:10: warning: the sanitiser removes attribute 'onmouseover' from <b>",
        "lesson.md:13: warning: the sanitiser removes the <iframe> tag",
    ]
    assert "<script" not in rendered.html
    assert "onclick" not in rendered.html
    assert "style=" not in rendered.html
    assert "<iframe" not in rendered.html


def test_line_offset_shifts_reported_lines():
    rendered = render("<script>x</script>\n", line_offset=3)
    assert messages(rendered) == ["lesson.md:4: warning: the sanitiser removes the <script> tag"]


def test_javascript_links_written_in_markdown_are_reported_not_silently_turned_into_text():
    rendered = render("[click](javascript:alert(1))\n\n<vbscript:msgbox(1)>\n")
    assert messages(rendered) == [
        "lesson.md:1: warning: the sanitiser removes link 'javascript:alert(1)': only http, https, mailto "
        "and relative links are allowed",
        "lesson.md:3: warning: the sanitiser removes link 'vbscript:msgbox(1)': only http, https, mailto "
        "and relative links are allowed",
    ]
    assert rendered.html == (
        '<p><a rel="noopener noreferrer">click</a></p>\n<p><a rel="noopener noreferrer">vbscript:msgbox(1)</a></p>\n'
    )


def test_a_stripped_tag_keeps_its_text():
    rendered = render("<big>bigger</big> and <font color=red>old</font>\n")
    assert rendered.html == "<p>bigger and old</p>\n"
    assert messages(rendered) == [
        "lesson.md:1: warning: the sanitiser removes the <big> tag",
        "lesson.md:1: warning: the sanitiser removes the <font> tag",
    ]


def test_allowed_html_passes_unchanged_and_unreported():
    source = (
        "<details><summary>Answer</summary>\n\n<kbd>Ctrl</kbd>+<kbd>C</kbd>, H<sub>2</sub>O, x<sup>2</sup>, "
        '<abbr title="Multi-factor authentication">MFA</abbr>, <del>old</del>\n\n</details>\n'
    )
    rendered = render(source)
    assert rendered.problems == ()
    assert '<abbr title="Multi-factor authentication">MFA</abbr>' in rendered.html
    assert "<details><summary>Answer</summary>" in rendered.html


def test_comments_are_dropped_silently():
    rendered = render("Text <!-- note to self --> more\n")
    assert rendered.html == "<p>Text  more</p>\n"
    assert rendered.problems == ()


def test_title_is_the_first_level_one_heading_as_plain_text():
    assert render("Intro\n\n## Sub\n\n# The *real* `title`\n").title == "The real title"
    assert render("Setext title\n===\n").title == "Setext title"
    assert render("## Only level two\n").title is None


def test_drop_title_removes_only_an_opening_level_one_heading():
    assert render("# Title\n\nBody\n", drop_title=True).html == "<p>Body</p>\n"
    assert render("Body\n\n# Title\n", drop_title=True).html == "<p>Body</p>\n<h1>Title</h1>\n"
    assert render("# Title\n\nBody\n").html == "<h1>Title</h1>\n<p>Body</p>\n"


@pytest.mark.parametrize(
    ("text_format", "text", "html"),
    [
        ("plain", "a <b>\nb & c", "a &lt;b&gt;<br>\nb &amp; c"),
        ("markdown", "Is **this** `safe`?", "Is <strong>this</strong> <code>safe</code>?"),
        ("markdown", "One\n\nTwo", "<p>One</p>\n<p>Two</p>\n"),
        ("html", "<p>Is <b>this</b> safe?</p>", "<p>Is <b>this</b> safe?</p>"),
        ("moodle", "Line <i>one</i>\nline two", "Line <i>one</i><br>\nline two"),
    ],
)
def test_quiz_texts_render_by_their_gift_format(text_format, text, html):
    rendered = render_text(text, text_format, course_id="phishing")
    assert rendered.html == html
    assert rendered.problems == ()


@pytest.mark.parametrize("text_format", ["html", "moodle", "markdown"])
def test_quiz_texts_are_sanitised_and_reported_at_the_question_line(text_format):
    rendered = render_text('Pick <img src="media/a.png" onerror="x()">', text_format, course_id="c",
                           path="quiz.gift", line=7)
    assert rendered.html == 'Pick <img src="/media/c/a.png">'
    assert rendered.problems == (
        Problem("quiz.gift", 7, "warning", "the sanitiser removes attribute 'onerror' from <img>"),
    )
    assert rendered.media == ((7, "media/a.png"),)


def test_plain_quiz_text_is_escaped_and_never_reported():
    rendered = render_text("<script>alert(1)</script>", "plain", course_id="c")
    assert rendered.html == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert rendered.problems == ()


def test_sanitise_html_applies_the_same_rules_without_a_report():
    assert sanitise_html('<a href="javascript:x" onclick="y">a</a><script>z</script>', course_id="c") == (
        '<a rel="noopener noreferrer">a</a>z'
    )


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://example.org", "external"),
        ("HTTP://example.org", "external"),
        ("mailto:a@example.org", "external"),
        ("javascript:alert(1)", "unsafe"),
        (" JaVa\tScRiPt:alert(1)", "unsafe"),
        ("java\u00a0script:alert(1)", "unsafe"),
        ("vbscript:x", "unsafe"),
        ("data:text/html,x", "unsafe"),
        ("file:///etc/passwd", "unsafe"),
        ("C:/Windows/x.png", "unsafe"),
        ("#anchor", "relative"),
        ("other-page", "relative"),
        ("media/a.png", "media"),
        ("media/a.png?v=2#x", "media"),
        ("../x", "bad"),
        ("", "relative"),
    ],
)
def test_urls_are_classified_as_a_browser_would_read_them(url, kind):
    assert classify_url(url).kind == kind


# --- the fast path: Markdown without raw HTML skips bleach only because bleach would change nothing ----

_MARKDOWN = st.lists(
    st.sampled_from([
        "# ", "## ", "text", " ", "\n", "\n\n", "*", "**", "_", "`", "```py\n", "```\n", "    code", "> ", "- ",
        "1. ", "3) ", "[", "]", "(", ")", "![", "](", "media/a.png", "https://example.org/?a=1&b=2", "#frag",
        "../x", "javascript:x", '"', "'", "&", "&amp;", "&copy;", "&#x41;", "\\", "|", "| a | b |\n|:-|-:|\n",
        "---\n", "===\n", "<https://example.org>", "<mailto:a@example.org>", "é", "\u00a0", "\x01", "\x7f",
        "\t", "{{7*7}}", ">", "<",
    ]),
    max_size=40,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.one_of(_MARKDOWN, st.text(max_size=80)))
def test_html_built_without_bleach_is_exactly_what_bleach_would_return(source):
    from learnhub.content.markdown import _CONTROLS, _check_tokens, _md, _to_html

    fast_tokens, slow_tokens = _md.parse(source), _md.parse(source)
    raw_html = _check_tokens(fast_tokens, Findings("x"), 0)
    _check_tokens(slow_tokens, Findings("x"), 0)
    assume(not raw_html and not _CONTROLS.search(source))
    fast = _to_html(fast_tokens, "c", default_media_url, sanitise=False)
    assert fast == _to_html(slow_tokens, "c", default_media_url, sanitise=True)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_characters="<>&"), max_size=60), st.sampled_from(["html", "moodle"]))
def test_quiz_text_without_markup_skips_bleach_with_the_same_result(text, text_format):
    rendered = render_text(text, text_format, course_id="c")
    raw = text if text_format == "html" else text.replace("\r\n", "\n").replace("\n", "<br>\n")
    assert rendered.html == sanitise_html(raw, course_id="c")


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"[^\W\d_][^\W_]*(?:[ ,;:'’¿¡?!-]+[^\W_]+)*[.?!:]?", fullmatch=True))
def test_plain_words_in_markdown_skip_markdown_it_with_the_same_result(text):
    from learnhub.content.markdown import _md

    tokens = _md.parse(text)
    assert render_text(text, "markdown", course_id="c").html == _md.renderer.render(
        tokens[1].children if len(tokens) == 3 else tokens, _md.options, {}
    )
