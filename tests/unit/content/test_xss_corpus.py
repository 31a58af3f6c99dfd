"""No XSS payload survives, wherever an author can put it: lessons, quiz texts, feedback, titles.

Payloads live in corpus/xss-payloads.txt. "Survives" means: a dangerous element (script, style, iframe,
svg, math, object, embed, form, input...), an `on*` or `style` attribute, a javascript:/vbscript:/data:
URL, an image that is not a course media file, or a link without rel="noopener noreferrer" in any HTML
we produce. Titles are plain text, autoescaped by the templates: they must come back verbatim.
"""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learnhub.content.gift import parse_gift
from learnhub.content.loader import load_course
from learnhub.content.markdown import render_markdown, render_text

CORPUS = Path(__file__).parent / "corpus" / "xss-payloads.txt"
PAYLOADS = [
    (line[0] == "!", line[2:].replace("\\n", "\n"))
    for line in CORPUS.read_text(encoding="utf-8").splitlines()
    if line[:2] in ("! ", ". ")
]
IDS = [f"{n:02d}" for n in range(len(PAYLOADS))]
FORMATS = ("moodle", "html", "markdown", "plain")

# Written from the security checklist, not imported from the code under test.
SAFE_TAGS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "a", "ul", "ol", "li", "strong", "em", "b", "i", "u", "s",
    "code", "pre", "blockquote", "hr", "br", "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
    "img", "figure", "figcaption", "dl", "dt", "dd", "abbr", "sup", "sub", "del", "ins", "kbd", "samp", "var",
    "mark", "small", "q", "cite", "details", "summary", "span", "div",
}
DANGEROUS_TAG = re.compile(
    r"<\s*/?\s*(script|style|iframe|svg|math|object|embed|form|input|button|textarea|select|option|link|meta"
    r"|base|frame|frameset|applet|template|noscript|xmp|plaintext|video|audio|source|marquee|body|html|head"
    r"|isindex|param)\b",
    re.IGNORECASE,
)
DANGEROUS_ATTRIBUTES = {"style", "srcdoc", "formaction", "action", "background", "xlink:href", "target", "id"}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


def assert_clean(fragment: str) -> None:
    """The HTML fragment holds nothing that could run script, load a resource or restyle the page."""
    assert not DANGEROUS_TAG.search(fragment), fragment
    parser = _Tags()
    parser.feed(fragment)
    parser.close()
    for tag, attrs in parser.tags:
        assert tag in SAFE_TAGS, (tag, fragment)
        for name, value in attrs:
            assert not name.startswith("on"), (name, fragment)
            assert name not in DANGEROUS_ATTRIBUTES, (name, fragment)
            if name in ("href", "src"):
                url = re.sub(r"[\x00-\x20\x7f-\xa0]+", "", value or "").lower()
                assert not url.startswith(("javascript:", "vbscript:", "data:")), fragment
                if tag == "img":
                    assert (value or "").startswith("/media/"), fragment
        if tag == "a":
            assert ("rel", "noopener noreferrer") in attrs, fragment


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in strings(item)]
    if isinstance(value, (list, tuple)):
        return [s for item in value for s in strings(item)]
    return []


def gift_escape(text: str) -> str:
    text = text.replace("\\", "\\\\")
    for char in "~=#{}:":
        text = text.replace(char, "\\" + char)
    return text.replace("\n", "\\n")


def gift_quiz(payload: str, text_format: str) -> str:
    p = gift_escape(payload)
    return (
        f"::Q1:: [{text_format}] {p} {{=right#{p} ~{p}#{p} ####{p}}}\n\n"
        f"::Q2:: [{text_format}] {p} {{T#{p}#{p}}}\n\n"
        f"::Q3:: [{text_format}] {p} {{=a ~b}} {p}\n"
    )


def write(folder: Path, files: dict[str, str]) -> Path:
    (folder / "media").mkdir(parents=True)
    (folder / "media" / "x.png").write_bytes(b"\x89PNG")  # so that payloads using it can load
    (folder / "media" / "CREDITS.yaml").write_text("x.png: {source: Drawn for the tests, licence: CC0 1.0}\n")
    for name, content in files.items():
        (folder / name).write_text(content, encoding="utf-8")
    return folder


def course_yaml(course_id: str, items: str, title: str = "XSS", quiz_title: str = "") -> str:
    return (
        f"format: 1\nid: {course_id}\ntitle: {title}\nlanguages: [en]\nkind: skills\nlevel: advanced\n"
        f"modules:\n  - id: main\n    title: {title}\n    items:\n{items}{quiz_title}"
    )


def test_the_corpus_has_at_least_fifty_payloads():
    assert len(PAYLOADS) >= 50
    assert sum(reported for reported, _ in PAYLOADS) >= 50


@pytest.mark.parametrize(("reported", "payload"), PAYLOADS, ids=IDS)
def test_a_payload_in_a_markdown_lesson_is_neutralised_and_reported(reported, payload):
    rendered = render_markdown(f"Before\n\n{payload}\n\nAfter\n", course_id="xss", path="lesson.md")
    assert_clean(rendered.html)
    if reported:
        assert rendered.problems, "the validator must tell the author what was stripped"
        assert all(problem.line in (3, 4) for problem in rendered.problems), rendered.problems


@pytest.mark.parametrize("text_format", FORMATS)
@pytest.mark.parametrize(("reported", "payload"), PAYLOADS, ids=IDS)
def test_a_payload_in_any_quiz_text_format_is_neutralised(reported, payload, text_format):
    rendered = render_text(payload, text_format, course_id="xss", path="quiz.gift", line=5)
    assert_clean(rendered.html)
    if text_format == "plain":
        assert rendered.html == html.escape(payload).replace("\n", "<br>\n")
    elif reported and (text_format == "markdown" or re.search(r"<[A-Za-z]", payload)):
        assert rendered.problems, "the validator must tell the author what was stripped"
        assert {problem.line for problem in rendered.problems} == {5}


@pytest.mark.parametrize(("reported", "payload"), PAYLOADS, ids=IDS)
def test_a_payload_anywhere_in_a_course_never_reaches_its_output(tmp_path, reported, payload):
    """Lesson body, GIFT question text, choices, feedback and general feedback, in all four formats."""
    files = {"lesson.md": f"---\ntitle: Lesson\n---\n{payload}\n"}
    items = "      - lesson: lesson\n"
    for text_format in FORMATS:
        files[f"quiz-{text_format}.gift"] = gift_quiz(payload, text_format)
        items += f"      - quiz: quiz-{text_format}\n"
    files["course.yaml"] = course_yaml("xss", items)
    spec, problems = load_course(write(tmp_path / "courses" / "xss", files))

    questions, _ = parse_gift(files["quiz-html.gift"], "quiz.gift")
    assert questions[0].text == payload.strip(), "the payload must reach the quiz unchanged"
    assert not [p for p in problems if "internal error" in p.message]
    if reported:
        assert [p for p in problems if p.path == "courses/xss/lesson.md"]
    if spec is None:
        assert any(p.is_error for p in problems)  # nothing is served
        return
    for _, item in spec.items():
        for variant in item.variants:
            if hasattr(variant, "html"):
                assert_clean(variant.html)
            else:
                for question in variant.questions:
                    assert question.format == "html"
                    for text in strings(question.to_dict()):
                        assert_clean(text)


@pytest.mark.parametrize(("reported", "payload"), PAYLOADS, ids=IDS)
def test_a_payload_in_titles_stays_plain_text(tmp_path, reported, payload):
    quoted = json.dumps(payload)
    items = "      - lesson: lesson\n      - quiz: check\n"
    files = {
        "course.yaml": course_yaml("titles", items, title=quoted, quiz_title=f"        title: {quoted}\n"),
        "lesson.md": f"---\ntitle: {quoted}\n---\nText.\n",
        "check.gift": "::Q1:: Safe? {T}\n",
    }
    spec, problems = load_course(write(tmp_path / "courses" / "titles", files))
    assert problems == []
    assert spec is not None
    texts = [spec.title.get("en"), spec.modules[0].title.get("en"), spec.item("lesson").title.get("en"),
             spec.item("check").title.get("en")]
    assert texts == [payload, payload, payload.strip(), payload]
    for text in texts:
        assert_clean(html.escape(text))


_FRAGMENTS = st.sampled_from([
    "<", ">", "</", "/>", "script", "img", "svg", "a", "p", "iframe", "style", " ", "\t", "\n", "\n\n", "=", '"',
    "'", "`", "src", "href", "onerror", "onclick", "javascript:", "JaVaScRiPt:", "vbscript:", "data:", "&#",
    "&#x09;", "&colon;", "x", "alert(1)", "[", "](", ")", "![", "<!--", "-->", "media/", "../", "%2e", "%2f",
    "\\", "#", "*", "|", "---", "```", "    ", "<![CDATA[", "]]>", "&", ";", "\x00",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(_FRAGMENTS, max_size=40).map("".join), st.sampled_from(("lesson", *FORMATS)))
def test_arbitrary_markup_soup_never_renders_anything_dangerous(soup, where):
    if where == "lesson":
        rendered = render_markdown(soup, course_id="fuzz", path="lesson.md")
    else:
        rendered = render_text(soup, where, course_id="fuzz", path="quiz.gift")
    assert_clean(rendered.html)
