"""Markdown and quiz text -> sanitised HTML: the only place HTML is produced from course content.

Pipeline: markdown-it-py (CommonMark + tables) renders; learnhub.content.sanitiser (bleach with the
course allow-list) sanitises and rewrites `media/...` links and images to the URL the caller builds.
What the sanitiser strips is reported with its source line from the Markdown tokens (the rendered HTML
has none): every link and image, and the raw HTML through the sanitiser's own scan; and where raw HTML
makes the sanitiser drop text that follows it (an unclosed comment, a <style>, text inside a <table>),
that is reported too.

Speed: html5lib, under bleach, costs about three times markdown-it. Markdown with no raw HTML (no
html_block or html_inline token) and no control characters is HTML that markdown-it built from
escaped text, with tags and attributes from its fixed set, all in the allow-list, and URLs already
checked here; so is a quiz text without `<`, `>`, `&` or control characters. bleach would return
either unchanged (tests compare both paths), so it is skipped for them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

from learnhub.content.problems import Problem
from learnhub.content.sanitiser import (
    Findings,
    MediaUrl,
    classify_url,
    default_media_url,
    rewrite_media,
    sanitise_html,
    scan_html,
    shortened,
)


@dataclass(frozen=True)
class Rendered:
    """Sanitised HTML and what the validator learnt while producing it."""

    html: str
    problems: tuple[Problem, ...]
    media: tuple[tuple[int, str], ...]
    """(line, path relative to the course folder, e.g. "media/a.png") for every media file used."""
    images: tuple[tuple[int, str, str], ...] = ()
    """(line, media path, alt text) for every image of a media file; an empty alt text is an error."""
    title: str | None = None
    """Plain text of the first level-1 heading (Markdown only)."""


_md = MarkdownIt("commonmark", {"html": True, "xhtmlOut": False}).enable("table")
# Every URL reaches our own check (and bleach), so that a refused one is reported, not silently
# rendered as text.
_md.validateLink = lambda url: True  # type: ignore[method-assign]


def _plain_text(children: list[Token]) -> str:
    parts: list[str] = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(_plain_text(child.children or []))
    return " ".join("".join(parts).split())


_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # html5lib rewrites these; leave them to it
_NEEDS_BLEACH = re.compile(r"[<>&\x00-\x08\x0b-\x1f]")  # markup, escapes, control characters
# Words and light punctuation, starting with a letter: no Markdown syntax can start here, and nothing
# needs escaping, so the text is its own HTML (most answers and feedbacks: "Yes.", "Phishing e-mail").
_PLAIN_WORDS = re.compile(r"[^\W\d_][^\W_]*(?:[ ,;:'’¿¡?!-]+[^\W_]+)*[.?!:]?")
_FENCE_LANGUAGE = re.compile(r"^[A-Za-z0-9_+#.-]{1,31}$")


def _check_tokens(tokens: list[Token], report: Findings, line_offset: int) -> bool:
    """Report and neutralise refused URLs, turn table alignment into classes, drop fence languages the
    sanitiser would drop, scan raw HTML. True when the HTML needs bleach: raw HTML, or a link inside a
    link (markdown-it nests an autolink in a link's text; an HTML parser splits them)."""
    block_line = 1 + line_offset
    needs_bleach = False
    for token in tokens:
        if token.map is not None:
            block_line = token.map[0] + 1 + line_offset
        if token.type in ("th_open", "td_open"):
            align = str(token.attrs.pop("style", "")).removeprefix("text-align:")
            if align in ("left", "center", "right"):
                token.attrs["class"] = f"align-{align}"
        elif token.type == "fence":
            if token.info.strip() and not _FENCE_LANGUAGE.match(token.info.split()[0]):
                token.info = ""
        elif token.type == "html_block":
            needs_bleach = True
            scan_html(token.content, block_line, report)
        elif token.type == "inline":
            line = block_line
            depth = 0
            for child in token.children or []:
                if child.type in ("softbreak", "hardbreak"):
                    line += 1
                elif child.type == "html_inline":
                    needs_bleach = True
                    scan_html(child.content, line, report)
                    line += child.content.count("\n")
                elif child.type in ("link_open", "image"):
                    key = "href" if child.type == "link_open" else "src"
                    target = report.url(line, str(child.attrs.get(key, "")), image=key == "src")
                    if target.kind in ("unsafe", "bad"):
                        child.attrs.pop(key, None)
                    if child.type == "image":
                        report.image(line, target, _plain_text(child.children or []))
                    if child.type == "link_open":
                        depth += 1
                        needs_bleach = needs_bleach or depth > 1
                elif child.type == "link_close":
                    depth -= 1
                elif "\n" in child.content and child.type != "code_inline":
                    line += child.content.count("\n")
    return needs_bleach


# --- what the sanitiser may swallow -------------------------------------------------------------------
#
# Raw HTML can open something that never closes: a comment, a <table> (text after it is moved or dropped),
# a <template>, or a <style>/<script>/<pre>/<textarea> block, which Markdown itself reads to the end of the
# file. The sanitiser's tag warnings do not say that the text after it is gone, so the text is checked: every
# piece of Markdown text must still be in the sanitised HTML.

_RAW_TEXT_BLOCK = re.compile(r"^\s*<(script|pre|style|textarea)(?=[\s>]|$)", re.IGNORECASE)
# HTML blocks that CommonMark ends only at their closing mark: without it, they run to the end of the file
# and the sanitiser drops them whole. (opening, closing, what the author wrote)
_UNTIL_CLOSED = (
    (re.compile(r"^\s*<!--"), "-->", "comment"), (re.compile(r"^\s*<!\[CDATA\["), "]]>", "CDATA section"),
    (re.compile(r"^\s*<\?"), "?>", "processing instruction"), (re.compile(r"^\s*<![A-Za-z]"), ">", "declaration"),
)
_TAG = re.compile(r"<[^>]*>")
_NOT_A_LETTER = re.compile(r"[\W_]+")


def _letters(text: str) -> str:
    """Letters and digits only: what survives any re-serialisation of text (entities, spaces, controls)."""
    return _NOT_A_LETTER.sub("", text)


def _pieces(tokens: list[Token], line_offset: int) -> Iterator[tuple[str, int, str]]:
    """("text", line, text) for each piece of Markdown text a reader should see and ("html", line, source)
    for each piece of raw HTML, in order."""
    block_line = 1 + line_offset
    for token in tokens:
        if token.map is not None:
            block_line = token.map[0] + 1 + line_offset
        if token.type in ("fence", "code_block"):
            yield "text", block_line, token.content
        elif token.type == "html_block":
            yield "html", block_line, token.content
        elif token.type == "inline":
            line = block_line
            for child in token.children or []:
                if child.type in ("softbreak", "hardbreak"):
                    line += 1
                elif child.type in ("text", "code_inline"):
                    yield "text", line, child.content
                elif child.type == "html_inline":
                    yield "html", line, child.content
                    line += child.content.count("\n")


def _check_dropped_text(tokens: list[Token], sanitised: str, report: Findings, line_offset: int) -> None:
    """An error where sanitised HTML lost Markdown text, or where a raw-text block swallows the rest."""
    for token in tokens:
        if token.type == "html_block" and token.map is not None:
            opened = _RAW_TEXT_BLOCK.match(token.content)
            if opened and f"</{opened.group(1).lower()}>" not in token.content.lower():
                tag = opened.group(1).lower()
                report.add(token.map[0] + 1 + line_offset, "error",
                           f"the <{tag}> here is never closed, so the rest of the text is kept as raw HTML and "
                           f"its Markdown is not rendered: close it with </{tag}>")
            for opening, closing, name in _UNTIL_CLOSED:
                if opening.match(token.content) and closing not in token.content:
                    report.add(token.map[0] + 1 + line_offset, "error",
                               f"the {name} opened here is never closed, so the rest of the text is dropped: "
                               f"close it with {closing}")
    shown = _letters(html.unescape(_TAG.sub("", sanitised)))
    pieces = list(_pieces(tokens, line_offset))
    texts = [(index, line, letters) for index, (kind, line, text) in enumerate(pieces)
             if kind == "text" and (letters := _letters(text))]
    # In order: sanitising never reorders text it keeps, and "ab" must not count as found inside "aab" shown
    # before it. Leftmost matches, piece after piece, find every piece that is there.
    lost, position = [], 0
    for index, line, letters in texts:
        found = shown.find(letters, position)
        if found < 0:
            lost.append((index, line))
        else:
            position = found + len(letters)
    if not lost:
        return
    first_index, first = lost[0]
    cause = next(((line, source) for kind, line, source in reversed(pieces[:first_index]) if kind == "html"), None)
    because = ""
    if cause:
        because = f", because of the HTML at line {cause[0]} ('{shortened(' '.join(cause[1].split()), 40)}')"
    if len(lost) == sum(index >= first_index for index, _line, _letters in texts):
        message = (f"the rest of the text, from line {first} on, is dropped when the HTML is sanitised{because}: "
                   "close the tag or comment it opens (such as <style> or <!--), or remove it")
    else:
        message = (f"text at line {first} is dropped when the HTML is sanitised{because}: text cannot stand "
                   "there (in a table outside its cells, for instance); move it, or close or remove the HTML")
    report.add(first, "error", message)


def _rewrite_links(tokens: list[Token], course_id: str, media_url: MediaUrl) -> None:
    """What the sanitiser's link pass does after bleach, done on the tokens, for HTML that skips bleach."""
    for token in tokens:
        for child in token.children or []:
            if child.type not in ("link_open", "image"):
                continue
            key = "href" if child.type == "link_open" else "src"
            if key in child.attrs:
                value = str(child.attrs[key])
                target = classify_url(value)
                if target.kind == "media":
                    child.attrs[key] = rewrite_media(value, target, course_id, media_url)
                elif target.kind in ("unsafe", "bad") or key == "src":
                    del child.attrs[key]
            if key == "href":
                child.attrs["rel"] = "noopener noreferrer"


def _to_html(tokens: list[Token], course_id: str, media_url: MediaUrl, *, sanitise: bool) -> str:
    if sanitise:
        return sanitise_html(_md.renderer.render(tokens, _md.options, {}), course_id=course_id, media_url=media_url)
    _rewrite_links(tokens, course_id, media_url)
    return _md.renderer.render(tokens, _md.options, {})


def render_markdown(
    source: str,
    *,
    course_id: str,
    path: str = "<markdown>",
    media_url: MediaUrl = default_media_url,
    line_offset: int = 0,
    drop_title: bool = False,
) -> Rendered:
    """Render a Markdown lesson body to sanitised HTML and report what the sanitiser strips.

    Lines in problems are the source's lines plus `line_offset`. With `drop_title`, a level-1 heading
    that opens the text is taken out of the HTML (the page shows it as the title).

    The result is a function of the arguments alone (and frozen), so the last renders are kept per process:
    validating a draft in the browser after one lesson changed renders only that lesson again (issue 16's
    save-and-validate budget). `media_url` is part of the key by identity: the fingerprinting one a sync or
    preview makes for a folder is new each time, so its renders are never reused for another folder's files."""
    return _render_markdown(source, course_id, path, media_url, line_offset, drop_title)


@lru_cache(maxsize=2048)
def _render_markdown(source: str, course_id: str, path: str, media_url: MediaUrl, line_offset: int,
                     drop_title: bool) -> Rendered:
    report = Findings(path, alt_required=True)
    tokens = _md.parse(source)
    needs_bleach = _check_tokens(tokens, report, line_offset)
    title = None
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h1":
            title = _plain_text(tokens[index + 1].children or []) or None
            break
    if drop_title and len(tokens) >= 3 and tokens[0].type == "heading_open" and tokens[0].tag == "h1":
        tokens = tokens[3:]
    sanitise = needs_bleach or bool(_CONTROLS.search(source))
    rendered = _to_html(tokens, course_id, media_url, sanitise=sanitise)
    if needs_bleach:
        _check_dropped_text(tokens, rendered, report, line_offset)
    return Rendered(
        html=rendered,
        problems=tuple(report.problems),
        media=tuple(report.media),
        images=tuple(report.images),
        title=title,
    )


def render_text(
    text: str,
    text_format: str,
    *,
    course_id: str,
    path: str = "<text>",
    line: int = 1,
    media_url: MediaUrl = default_media_url,
) -> Rendered:
    """Render a short quiz text (question, answer, feedback) given its GIFT text format.

    `markdown`: as a lesson, but a single paragraph is returned without its <p>, so that it fits in a
    label; `html`: sanitised as is; `moodle` (GIFT's default): HTML with line breaks kept, as Moodle
    does; `plain`: escaped, line breaks kept. Problems are located at `line` plus the text's own line.
    """
    if text_format == "plain":
        return Rendered(html=html.escape(text).replace("\n", "<br>\n"), problems=(), media=())
    report = Findings(path)
    if text_format == "markdown" and _PLAIN_WORDS.fullmatch(text):
        rendered = text
    elif text_format == "markdown":
        tokens = _md.parse(text)
        needs_bleach = _check_tokens(tokens, report, line - 1)
        if [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]:
            tokens = [tokens[1]]
        rendered = _to_html(tokens, course_id, media_url, sanitise=needs_bleach or bool(_CONTROLS.search(text)))
        if needs_bleach:
            _check_dropped_text(tokens, rendered, report, line - 1)
    else:  # html, moodle, and anything unknown read as Moodle would
        raw = text if text_format == "html" else text.replace("\r\n", "\n").replace("\n", "<br>\n")
        if _NEEDS_BLEACH.search(text):
            scan_html(text, line, report)
            rendered = sanitise_html(raw, course_id=course_id, media_url=media_url)
        else:  # no markup, nothing to escape: bleach would return it as it is
            rendered = raw
    return Rendered(html=rendered, problems=tuple(report.problems), media=tuple(report.media),
                    images=tuple(report.images))
