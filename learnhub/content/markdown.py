"""Markdown and quiz text -> sanitised HTML: the only place HTML is produced from course content.

Pipeline: markdown-it-py (CommonMark + tables) renders; bleach, with the allow-list below, sanitises;
a last pass rewrites `media/...` links and images to the URL the caller builds and puts
`rel="noopener noreferrer"` on every link. bleach is the enforcement; the validator's report of what
it strips comes from a pre-scan of the raw HTML and of every link and image, because only the
Markdown tokens carry source lines (the rendered HTML does not).

Speed: html5lib, under bleach, costs about three times markdown-it. Markdown with no raw HTML (no
html_block or html_inline token) and no control characters is HTML that markdown-it built from
escaped text, with tags and attributes from its fixed set, all in the allow-list, and URLs already
checked here; so is a quiz text without `<`, `>`, `&` or control characters. bleach would return
either unchanged (tests compare both paths), so it is skipped for them.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, unquote

from bleach import html5lib_shim
from bleach.sanitizer import BleachSanitizerFilter, Cleaner
from markdown_it import MarkdownIt
from markdown_it.token import Token

from learnhub.content.problems import Level, Problem

MediaUrl = Callable[[str, str], str]
"""`media_url(course_id, relative_path) -> url`; `relative_path` is inside the course's media/ folder."""

TEXT_FORMATS = ("moodle", "html", "markdown", "plain")

ALLOWED_TAGS = frozenset({
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "a", "ul", "ol", "li", "strong", "em", "b", "i", "u", "s",
    "del", "ins", "mark", "small", "code", "pre", "kbd", "samp", "var", "blockquote", "q", "cite", "hr",
    "br", "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "img", "figure", "figcaption",
    "dl", "dt", "dd", "abbr", "sup", "sub", "details", "summary", "span", "div"
})
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})

_NUMBER = re.compile(r"^[0-9]{1,4}$")
_ATTRIBUTES: dict[str, dict[str, Callable[[str], bool]]] = {
    "a": {"href": lambda v: True, "title": lambda v: True},
    "img": {
        "src": lambda v: True,
        "alt": lambda v: True,
        "title": lambda v: True,
        "width": _NUMBER.match,
        "height": _NUMBER.match,
    },
    "abbr": {"title": lambda v: True},
    "ol": {"start": re.compile(r"^-?[0-9]{1,9}$").match},
    "th": {
        "colspan": _NUMBER.match,
        "rowspan": _NUMBER.match,
        "class": re.compile(r"^align-(left|center|right)$").match,
    },
    "td": {
        "colspan": _NUMBER.match,
        "rowspan": _NUMBER.match,
        "class": re.compile(r"^align-(left|center|right)$").match,
    },
    "code": {"class": re.compile(r"^language-[A-Za-z0-9_+#.-]{1,40}$").match},
    "details": {"open": lambda v: True},
}


def attribute_allowed(tag: str, name: str, value: str) -> bool:
    """The sanitiser's attribute rule, shared by bleach and by the validator's pre-scan."""
    check = _ATTRIBUTES.get(tag, {}).get(name)
    return check is not None and bool(check(value))


def default_media_url(course_id: str, relative_path: str) -> str:
    """The URL used outside the web layer (tests, previews): `/media/<course_id>/<path>`."""
    return f"/media/{quote(course_id)}/{quote(relative_path)}"


@dataclass(frozen=True)
class Rendered:
    """Sanitised HTML and what the validator learnt while producing it."""

    html: str
    problems: tuple[Problem, ...]
    media: tuple[tuple[int, str], ...]
    """(line, path relative to the course folder, e.g. "media/a.png") for every media file used."""
    title: str | None = None
    """Plain text of the first level-1 heading (Markdown only)."""


# --- URLs -------------------------------------------------------------------------------------------

_URL_JUNK = re.compile(r"[`\x00-\x20\x7f-\xa0\s]+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _scheme(url: str) -> str | None:
    """The URL's scheme as a browser (and bleach) would see it, whitespace and controls removed."""
    normal = _NON_ASCII.sub("", _URL_JUNK.sub("", url)).lower()
    match = _SCHEME.match(normal)
    return match.group(1) if match else None


@dataclass(frozen=True)
class UrlTarget:
    """What a link or image URL points at, as `classify_url` sorts it."""

    kind: str  # "external", "unsafe", "relative", "media", "bad"
    media: str | None = None  # path relative to the course folder, decoded
    message: str | None = None  # for "bad"


def _short(text: str, limit: int = 60) -> str:
    text = _CONTROL.sub("?", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def classify_url(url: str) -> UrlTarget:
    """Sort a link or image URL: external (http, https, mailto), unsafe (any other scheme), media,
    other relative, or bad (a path that leaves the course folder or cannot be trusted)."""
    scheme = _scheme(url)
    if scheme is not None:
        return UrlTarget("external" if scheme in ALLOWED_PROTOCOLS else "unsafe")
    stripped = url.strip()
    path = re.split(r"[?#]", stripped, maxsplit=1)[0]
    if not path:
        return UrlTarget("relative")
    decoded = unquote(path)
    shown = _short(stripped)
    if "\\" in decoded:
        return UrlTarget("bad", message=f"path '{shown}' contains a backslash; use '/' between folders")
    if decoded.startswith("/"):
        return UrlTarget(
            "bad",
            message=f"path '{shown}' is absolute; write it relative to the course folder, "
            "such as media/picture.png",
        )
    segments = decoded.split("/")
    if ".." in segments:
        return UrlTarget("bad", message=f"path '{shown}' leaves the course folder")
    if "%" in decoded or _CONTROL.search(decoded):
        return UrlTarget("bad", message=f"path '{shown}' is encoded twice or contains control characters")
    if segments[0] != "media":
        return UrlTarget("relative")
    if len(segments) < 2 or any(part in ("", ".") for part in segments[1:]):
        return UrlTarget("bad", message=f"media path '{shown}' must name a file, such as media/picture.png")
    return UrlTarget("media", media=decoded)


def _rewrite_media(url: str, target: UrlTarget, course_id: str, media_url: MediaUrl) -> str:
    assert target.media is not None
    suffix = re.split(r"(?=[?#])", url.strip(), maxsplit=1)
    rest = suffix[1] if len(suffix) > 1 else ""
    return media_url(course_id, target.media.removeprefix("media/")) + rest


# --- sanitiser --------------------------------------------------------------------------------------


class _LinkFilter(html5lib_shim.Filter):
    """After bleach: rewrite media URLs, drop any src/href bleach kept but the course rules refuse,
    and put rel="noopener noreferrer" on every link."""

    def __init__(self, source: Any, course_id: str, media_url: MediaUrl) -> None:
        super().__init__(source)
        self.course_id = course_id
        self.media_url = media_url

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for token in super().__iter__():
            if token["type"] in ("StartTag", "EmptyTag") and token["name"] in ("a", "img"):
                attrs = dict(token.get("data") or {})
                key = (None, "href") if token["name"] == "a" else (None, "src")
                if key in attrs:
                    value = html5lib_shim.convert_entities(attrs[key])
                    target = classify_url(value)
                    if target.kind == "media":
                        attrs[key] = _rewrite_media(value, target, self.course_id, self.media_url)
                    elif target.kind in ("unsafe", "bad") or (
                        token["name"] == "img" and target.kind != "media"
                    ):
                        del attrs[key]
                if token["name"] == "a":
                    attrs[(None, "rel")] = "noopener noreferrer"
                token["data"] = attrs
            yield token


class _Sanitiser(Cleaner):
    def __init__(self) -> None:
        super().__init__(
            tags=ALLOWED_TAGS,
            attributes=attribute_allowed,
            protocols=ALLOWED_PROTOCOLS,
            strip=True,
            strip_comments=True,
        )

    def sanitise(self, text: str, course_id: str, media_url: MediaUrl) -> str:
        if not text:
            return ""
        dom = self.parser.parseFragment(text)
        stream = BleachSanitizerFilter(
            source=self.walker(dom),
            allowed_tags=self.tags,
            attributes=self.attributes,
            strip_disallowed_tags=True,
            strip_html_comments=True,
            allowed_protocols=self.protocols,
        )
        return self.serializer.render(_LinkFilter(stream, course_id, media_url))


_local = threading.local()


def _sanitiser() -> _Sanitiser:
    """One sanitiser per thread: bleach's parser keeps state and is not thread-safe."""
    cleaner = getattr(_local, "sanitiser", None)
    if cleaner is None:
        cleaner = _local.sanitiser = _Sanitiser()
    return cleaner


def sanitise_html(text: str, *, course_id: str, media_url: MediaUrl = default_media_url) -> str:
    """Sanitise an HTML fragment with the course allow-list (no report; see `render_markdown`)."""
    return _sanitiser().sanitise(text, course_id, media_url)


# --- the validator's view: what will be stripped, and where --------------------------------------


class _Report:
    """Collects problems and media references for one rendered text."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.media: list[tuple[int, str]] = []

    def add(self, line: int, level: Level, message: str) -> None:
        self.problems.append(Problem(self.path, line, level, message))

    def url(self, line: int, url: str, *, image: bool) -> UrlTarget:
        """Check one link or image URL; report it; return its classification."""
        target = classify_url(url)
        shown = _short(url)
        if target.kind == "unsafe":
            if image:
                self.add(line, "warning", f"the sanitiser removes image source '{shown}': "
                         "images must be files under media/")
            else:
                self.add(line, "warning", f"the sanitiser removes link '{shown}': "
                         "only http, https, mailto and relative links are allowed")
        elif target.kind == "bad":
            assert target.message is not None
            self.add(line, "error", target.message)
        elif target.kind == "media":
            assert target.media is not None
            self.media.append((line, target.media))
        elif image:
            if not url.strip():
                self.add(line, "error", "image has no source: write ![description](media/picture.png)")
            elif target.kind == "external":
                self.add(line, "error", f"image '{shown}' is not in the course: put the file under "
                         "media/ and refer to it as media/...")
            else:
                self.add(line, "error", f"image '{shown}' must be a file under media/")
        return target


class _HtmlScanner(HTMLParser):
    """Reads a raw HTML fragment the way bleach will treat it and reports what it strips.

    Script and style contents are scanned as markup, as bleach does once it has dropped the tag."""

    CDATA_CONTENT_ELEMENTS: tuple[str, ...] = ()

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.report: _Report | None = None
        self.first_line = 1

    def scan(self, text: str, first_line: int, report: _Report) -> None:
        self.reset()
        self.report, self.first_line = report, first_line
        try:
            self.feed(text)
            self.close()
        except Exception:  # hostile input to the stdlib parser; bleach still sanitises
            report.add(first_line, "warning", "the sanitiser rewrites HTML here that could not be read")

    def _line(self) -> int:
        return self.first_line + self.getpos()[0] - 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert self.report is not None
        line = self._line()
        if tag not in ALLOWED_TAGS:
            self.report.add(line, "warning", f"the sanitiser removes the <{_short(tag, 30)}> tag")
            return
        for name, value in attrs:
            value = value or ""
            if not attribute_allowed(tag, name, value):
                self.report.add(line, "warning",
                                f"the sanitiser removes attribute '{_short(name, 30)}' from <{tag}>")
            elif (tag, name) in (("a", "href"), ("img", "src")):
                self.report.url(line, value, image=tag == "img")

    handle_startendtag = handle_starttag


_md = MarkdownIt("commonmark", {"html": True, "xhtmlOut": False}).enable("table")
# Every URL reaches our own check (and bleach), so that a refused one is reported, not silently
# rendered as text.
_md.validateLink = lambda url: True  # type: ignore[method-assign]


def _scanner() -> _HtmlScanner:
    scanner = getattr(_local, "scanner", None)
    if scanner is None:
        scanner = _local.scanner = _HtmlScanner()
    return scanner


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


def _check_tokens(tokens: list[Token], report: _Report, line_offset: int) -> bool:
    """Report and neutralise refused URLs, turn table alignment into classes, drop fence languages the
    sanitiser would drop, scan raw HTML. True when the HTML needs bleach: raw HTML, or a link inside a
    link (markdown-it nests an autolink in a link's text; an HTML parser splits them)."""
    scanner = _scanner()
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
            scanner.scan(token.content, block_line, report)
        elif token.type == "inline":
            line = block_line
            depth = 0
            for child in token.children or []:
                if child.type in ("softbreak", "hardbreak"):
                    line += 1
                elif child.type == "html_inline":
                    needs_bleach = True
                    scanner.scan(child.content, line, report)
                    line += child.content.count("\n")
                elif child.type in ("link_open", "image"):
                    key = "href" if child.type == "link_open" else "src"
                    target = report.url(line, str(child.attrs.get(key, "")), image=key == "src")
                    if target.kind in ("unsafe", "bad"):
                        child.attrs.pop(key, None)
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
# file. The tag warnings above do not say that the text after it is gone, so the text is checked: every
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


def _check_dropped_text(tokens: list[Token], sanitised: str, report: _Report, line_offset: int) -> None:
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
    because = f", because of the HTML at line {cause[0]} ('{_short(' '.join(cause[1].split()), 40)}')" if cause else ""
    if len(lost) == sum(index >= first_index for index, _line, _letters in texts):
        message = (f"the rest of the text, from line {first} on, is dropped when the HTML is sanitised{because}: "
                   "close the tag or comment it opens (such as <style> or <!--), or remove it")
    else:
        message = (f"text at line {first} is dropped when the HTML is sanitised{because}: text cannot stand "
                   "there (in a table outside its cells, for instance); move it, or close or remove the HTML")
    report.add(first, "error", message)


def _rewrite_links(tokens: list[Token], course_id: str, media_url: MediaUrl) -> None:
    """What _LinkFilter does after bleach, done on the tokens, for HTML that skips bleach."""
    for token in tokens:
        for child in token.children or []:
            if child.type not in ("link_open", "image"):
                continue
            key = "href" if child.type == "link_open" else "src"
            if key in child.attrs:
                value = str(child.attrs[key])
                target = classify_url(value)
                if target.kind == "media":
                    child.attrs[key] = _rewrite_media(value, target, course_id, media_url)
                elif target.kind in ("unsafe", "bad") or key == "src":
                    del child.attrs[key]
            if key == "href":
                child.attrs["rel"] = "noopener noreferrer"


def _to_html(tokens: list[Token], course_id: str, media_url: MediaUrl, *, sanitise: bool) -> str:
    if sanitise:
        return _sanitiser().sanitise(_md.renderer.render(tokens, _md.options, {}), course_id, media_url)
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
    that opens the text is taken out of the HTML (the page shows it as the title)."""
    report = _Report(path)
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
    report = _Report(path)
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
            _scanner().scan(text, line, report)
            rendered = _sanitiser().sanitise(raw, course_id, media_url)
        else:  # no markup, nothing to escape: bleach would return it as it is
            rendered = raw
    return Rendered(html=rendered, problems=tuple(report.problems), media=tuple(report.media))
