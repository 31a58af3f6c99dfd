"""The HTML course content may hold, and its enforcement: the allow-list of tags, attributes and link
schemes, where a link or image may point (`classify_url`), and the sanitiser (bleach with that allow-list,
then a pass that rewrites `media/...` URLs to the address the caller builds and puts
`rel="noopener noreferrer"` on every link).

bleach is the enforcement. What it will strip is also told to the author, with a file and a line: the
validator reads raw HTML with `scan_html` and every link and image with `Findings.url`, by the same rules
(`attribute_allowed`, `classify_url`), because only the Markdown tokens carry source lines (the sanitised
HTML does not). learnhub.content.markdown turns Markdown and quiz texts into HTML through this module.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, unquote

from bleach import html5lib_shim
from bleach.sanitizer import BleachSanitizerFilter, Cleaner

from learnhub.content.problems import Level, Problem

MediaUrl = Callable[[str, str], str]
"""`media_url(course_id, relative_path) -> url`; `relative_path` is inside the course's media/ folder."""

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


def shortened(text: str, limit: int = 60) -> str:
    """`text` short enough to quote in a problem, control characters shown as "?"."""
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
    shown = shortened(stripped)
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


def rewrite_media(url: str, target: UrlTarget, course_id: str, media_url: MediaUrl) -> str:
    """The address a `media/...` URL (`target.kind == "media"`) points to once served, query and fragment kept."""
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
                        attrs[key] = rewrite_media(value, target, self.course_id, self.media_url)
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


class Findings:
    """Collects problems and media references for one rendered text."""

    def __init__(self, path: str, *, alt_required: bool = False) -> None:
        self.path = path
        self.alt_required = alt_required  # lessons (docs/course-format.md); quiz texts not yet
        self.problems: list[Problem] = []
        self.media: list[tuple[int, str]] = []
        self.images: list[tuple[int, str, str]] = []

    def add(self, line: int, level: Level, message: str) -> None:
        self.problems.append(Problem(self.path, line, level, message))

    def image(self, line: int, target: UrlTarget, alt: str | None) -> None:
        """Note an image of a media file with its alt text; an empty or missing one is an error: the picture
        is lost to a learner who cannot see it (WCAG 1.1.1), as text hidden by raw HTML is lost to everyone."""
        if target.kind != "media" or target.media is None:
            return
        alt = " ".join((alt or "").split())
        self.images.append((line, target.media, alt))
        if not alt and self.alt_required:
            self.add(line, "error", f"image '{shortened(target.media)}' has no alt text: describe it for learners "
                     f"who cannot see it, as in ![what the picture shows]({shortened(target.media)})")

    def url(self, line: int, url: str, *, image: bool) -> UrlTarget:
        """Check one link or image URL; report it; return its classification."""
        target = classify_url(url)
        shown = shortened(url)
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
        self.report: Findings | None = None
        self.first_line = 1

    def scan(self, text: str, first_line: int, report: Findings) -> None:
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
            self.report.add(line, "warning", f"the sanitiser removes the <{shortened(tag, 30)}> tag")
            return
        for name, value in attrs:
            value = value or ""
            if not attribute_allowed(tag, name, value):
                self.report.add(line, "warning",
                                f"the sanitiser removes attribute '{shortened(name, 30)}' from <{tag}>")
            elif (tag, name) in (("a", "href"), ("img", "src")):
                target = self.report.url(line, value, image=tag == "img")
                if tag == "img":
                    self.report.image(line, target, dict(attrs).get("alt"))

    handle_startendtag = handle_starttag


def scan_html(text: str, first_line: int, findings: Findings) -> None:
    """Tell `findings` what the sanitiser will strip from the raw HTML `text`, which starts at `first_line`
    (one scanner per thread, like the sanitiser)."""
    scanner = getattr(_local, "scanner", None)
    if scanner is None:
        scanner = _local.scanner = _HtmlScanner()
    scanner.scan(text, first_line, findings)
