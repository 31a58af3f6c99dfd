"""What an uploaded media file is, from its bytes, and SVG made safe (issue 16, decision 0078).

A name says nothing about a file: the type is read from its first bytes (the "magic") and must be the one its
name promises, so `photo.png` holding a JPEG, HTML or a script is refused. SVG is XML that can carry scripts,
event handlers, links that run JavaScript, external references and HTML (foreignObject): those are refused,
naming what was found. What remains is rebuilt from an allow-list of elements and attributes, which drops
editor clutter (Inkscape's metadata, unknown attributes) and comments. The XML is read by the standard
library's expat with every DOCTYPE refused (defusedxml is not a dependency), so no entity is ever declared or
expanded and nothing is fetched. Plain Python: messages are lazy strings for the page to render.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.parsers import expat
from xml.sax.saxutils import escape, quoteattr

from flask_babel import LazyString, lazy_gettext

# type -> its magic check
_MAGIC = {
    "png": lambda data: data.startswith(b"\x89PNG\r\n\x1a\n"),
    "jpeg": lambda data: data.startswith(b"\xff\xd8\xff"),
    "gif": lambda data: data[:6] in (b"GIF87a", b"GIF89a"),
    "webp": lambda data: data[:4] == b"RIFF" and data[8:12] == b"WEBP",
    "pdf": lambda data: data.startswith(b"%PDF-"),
}
TYPE_NAMES = {"png": "PNG", "jpeg": "JPEG", "gif": "GIF", "webp": "WebP", "pdf": "PDF", "svg": "SVG"}
EXTENSIONS = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".gif": "gif", ".webp": "webp", ".pdf": "pdf",
              ".svg": "svg"}
IMAGE_TYPES = ("png", "jpeg", "gif", "webp", "svg")


class MediaRefused(Exception):
    """The file cannot be stored; `messages` says why, each naming the file."""

    def __init__(self, messages: list[LazyString]):
        super().__init__("media refused")
        self.messages = messages


def expected_type(name: str) -> str | None:
    """The type a file name promises ("png", "jpeg"...), None for a type the media page does not take."""
    dot = name.rfind(".")
    return EXTENSIONS.get(name[dot:].lower()) if dot >= 0 else None


def sniff(data: bytes) -> str | None:
    """The type read from the bytes: a magic number, or an SVG root element; None when it is none of ours."""
    for kind, matches in _MAGIC.items():
        if matches(data):
            return kind
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<") and re.search(rb"<svg[\s>/]", head):
        return "svg"
    return None


def checked(name: str, data: bytes) -> bytes:
    """The bytes to store for the file `name`: as uploaded when their type is the one the name promises,
    SVG rebuilt by `sanitise_svg`. Raises MediaRefused naming the file otherwise."""
    wanted = expected_type(name)
    if wanted is None:
        raise MediaRefused([lazy_gettext("%(file)s: only PNG, JPEG, GIF, WebP, SVG and PDF files can be uploaded "
                                         "here.", file=name)])
    found = sniff(data)
    if found != wanted:
        if found is None:
            return _refuse(lazy_gettext("%(file)s: the name says %(type)s, but the content is not a %(type)s "
                                        "file (nor any type uploaded here).", file=name, type=TYPE_NAMES[wanted]))
        return _refuse(lazy_gettext("%(file)s: the name says %(type)s, but the content is %(found)s; rename "
                                    "the file or export it again.", file=name, type=TYPE_NAMES[wanted],
                                    found=TYPE_NAMES[found]))
    if wanted == "svg":
        return sanitise_svg(name, data)
    return data


def _refuse(message: LazyString) -> bytes:
    raise MediaRefused([message])


# --- SVG ----------------------------------------------------------------------------------------------------

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

SVG_ELEMENTS = frozenset({
    "svg", "g", "a", "defs", "title", "desc", "symbol", "use", "path", "rect", "circle", "ellipse", "line", "polyline",
    "polygon", "text", "tspan", "textPath", "linearGradient", "radialGradient", "stop", "clipPath", "mask",
    "pattern", "marker", "image", "style", "filter", "feGaussianBlur", "feOffset", "feBlend", "feColorMatrix",
    "feFlood", "feComposite", "feMerge", "feMergeNode", "feDropShadow",
})
SVG_ATTRIBUTES = frozenset({
    "id", "class", "style", "lang", "transform", "viewBox", "preserveAspectRatio", "width", "height", "x", "y",
    "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "d", "points", "pathLength", "dx", "dy", "rotate",
    "textLength", "lengthAdjust", "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width",
    "stroke-opacity", "stroke-linecap", "stroke-linejoin", "stroke-miterlimit", "stroke-dasharray",
    "stroke-dashoffset", "opacity", "color", "display", "visibility", "overflow", "clip-path", "clip-rule",
    "mask", "filter", "font-family", "font-size", "font-weight", "font-style", "font-variant", "text-anchor",
    "dominant-baseline", "alignment-baseline", "baseline-shift", "letter-spacing", "word-spacing",
    "text-decoration", "writing-mode", "direction", "unicode-bidi", "white-space", "offset", "stop-color",
    "stop-opacity", "gradientUnits", "gradientTransform", "spreadMethod", "fx", "fy", "fr", "patternUnits",
    "patternContentUnits", "patternTransform", "clipPathUnits", "maskUnits", "maskContentUnits", "markerWidth",
    "markerHeight", "markerUnits", "refX", "refY", "orient", "marker-start", "marker-mid", "marker-end",
    "startOffset", "method", "spacing", "side", "role", "aria-label", "aria-labelledby", "aria-describedby",
    "aria-hidden", "focusable", "version", "in", "in2", "result", "stdDeviation", "mode", "type", "values",
    "operator", "k1", "k2", "k3", "k4", "flood-color", "flood-opacity", "filterUnits", "primitiveUnits",
    "color-interpolation-filters", "vector-effect", "shape-rendering", "text-rendering", "image-rendering",
    "paint-order", "href",
})
_SAFE_IMAGE_DATA = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*$")
_URL_IN_CSS = re.compile(r"url\(\s*['\"]?\s*([^'\")\s]*)", re.IGNORECASE)
_CSS_DANGER = re.compile(r"@import|expression\s*\(|javascript:|behavior\s*:|-moz-binding", re.IGNORECASE)
MESSAGES_SHOWN = 10


@dataclass
class _Svg:
    """An SVG being read: the rebuilt document, what was found that refuses it, and where the reader is."""

    out: list[str] = field(default_factory=list)
    found: list[str] = field(default_factory=list)
    stack: list[str] = field(default_factory=list)  # kept elements open
    skipping: int = 0  # depth inside an element dropped with its content
    open_empty: bool = False  # the last kept element has no content yet (closed with "/>" if it stays so)
    uses_xlink: bool = False

    def refuse(self, what: LazyString) -> None:
        if str(what) not in self.found:
            self.found.append(str(what))


def _local(qualified: str) -> tuple[str, str]:
    namespace, _, local = qualified.rpartition(" ")
    return namespace, local


def _reference_problem(element: str, name: str, value: str) -> LazyString | None:
    """What is wrong with a reference: only "#id" inside the file, and an embedded PNG, JPEG, GIF or WebP
    picture in <image>, are kept."""
    stripped = "".join(value.split()).lower()
    if stripped.startswith("#") or (element == "image" and _SAFE_IMAGE_DATA.match(value.strip())):
        return None
    if stripped.startswith(("javascript:", "vbscript:")):
        return lazy_gettext('a "%(scheme)s:" link in %(attribute)s on <%(element)s>',
                            scheme=stripped.split(":")[0], attribute=name, element=element)
    return lazy_gettext("an external reference in %(attribute)s on <%(element)s> (%(value)s)", attribute=name,
                        element=element, value=value.strip()[:60])


def _css_problems(element: str, text: str) -> list[LazyString]:
    problems = [lazy_gettext("%(what)s in the style of <%(element)s>", what=match.group(0).strip(),
                             element=element) for match in _CSS_DANGER.finditer(text)]
    problems += [lazy_gettext("an external reference url(%(value)s) in the style of <%(element)s>",
                              value=match.group(1)[:60], element=element)
                 for match in _URL_IN_CSS.finditer(text) if not match.group(1).startswith("#")]
    return problems


def _kept_attributes(svg: _Svg, element: str, attributes: dict[str, str]) -> list[tuple[str, str]]:
    kept = []
    for qualified_name, value in attributes.items():
        namespace, name = _local(qualified_name)
        shown = f"xlink:{name}" if namespace == XLINK_NS else name
        if name.lower().startswith("on"):
            svg.refuse(lazy_gettext("an event handler %(attribute)s on <%(element)s>", attribute=shown,
                                    element=element))
        elif name == "href" and namespace in ("", XLINK_NS):
            problem = _reference_problem(element, shown, value)
            if problem is not None:
                svg.refuse(problem)
                continue
            svg.uses_xlink = svg.uses_xlink or namespace == XLINK_NS
            kept.append((shown, value))
        elif namespace == XML_NS and name in ("space", "lang"):
            kept.append((f"xml:{name}", value))
        elif namespace == "" and name in SVG_ATTRIBUTES:
            if name == "style" or "url(" in value.lower():
                for problem in _css_problems(element, value):
                    svg.refuse(problem)
            kept.append((name, value))
    return kept


def _start(svg: _Svg, qualified: str, attributes: dict[str, str]) -> None:
    namespace, element = _local(qualified)
    if svg.skipping:
        svg.skipping += 1
        return
    if not svg.out and (namespace, element) != (SVG_NS, "svg"):
        svg.refuse(lazy_gettext("a root element <%(element)s> that is not <svg>", element=element))
    if element in ("script", "foreignObject", "iframe", "handler", "listener") or namespace == XHTML_NS:
        svg.refuse(lazy_gettext("a <%(element)s> element", element=element))
    if namespace != SVG_NS or element not in SVG_ELEMENTS:
        svg.skipping = 1  # editor metadata and unknown elements go, with their content
        return
    kept = _kept_attributes(svg, element, attributes)
    if not svg.out:
        kept.insert(0, ("xmlns", SVG_NS))
    svg.out.append(f"<{element}" + "".join(f" {name}={quoteattr(value)}" for name, value in kept) + ">")
    svg.stack.append(element)
    svg.open_empty = True


def _end(svg: _Svg, _qualified: str) -> None:
    if svg.skipping:
        svg.skipping -= 1
        return
    element = svg.stack.pop()
    if svg.open_empty:
        svg.out[-1] = svg.out[-1][:-1] + "/>"
        svg.open_empty = False
    else:
        svg.out.append(f"</{element}>")


def _text(svg: _Svg, data: str) -> None:
    if svg.skipping or not svg.stack:
        return
    if svg.stack[-1] == "style":
        for problem in _css_problems("style", data):
            svg.refuse(problem)
    svg.open_empty = False
    svg.out.append(escape(data))


XHTML_NS = "http://www.w3.org/1999/xhtml"


def sanitise_svg(name: str, data: bytes) -> bytes:
    """The SVG rebuilt from the allow-list (UTF-8, no XML declaration, no comments), or MediaRefused naming
    what was found: a DOCTYPE or entity, a script, an event handler, a javascript: or external reference,
    foreignObject or HTML, CSS that imports or fetches, or XML that does not read."""
    svg = _Svg()
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.ordered_attributes = False

    def doctype(*_args):
        raise _Doctype

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    parser.ExternalEntityRefHandler = doctype
    parser.StartElementHandler = lambda element, attributes: _start(svg, element, attributes)
    parser.EndElementHandler = lambda element: _end(svg, element)
    parser.CharacterDataHandler = lambda data: _text(svg, data)
    try:
        parser.Parse(data, True)
    except _Doctype:
        raise MediaRefused([lazy_gettext("%(file)s: the SVG declares a DOCTYPE or entities, which are not "
                                         "allowed; export it again as plain SVG.", file=name)]) from None
    except expat.ExpatError as error:
        raise MediaRefused([lazy_gettext("%(file)s: the SVG is not well-formed XML (line %(line)d: %(error)s).",
                                         file=name, line=error.lineno or 0,
                                         error=expat.ErrorString(error.code))]) from None
    if svg.found:
        shown = svg.found[:MESSAGES_SHOWN]
        return _refuse(lazy_gettext("%(file)s: the SVG is refused because it contains %(found)s. Remove it "
                                    "and upload the file again.", file=name, found="; ".join(shown)))
    text = "".join(svg.out)
    if svg.uses_xlink:
        text = text.replace(f'xmlns="{SVG_NS}"', f'xmlns="{SVG_NS}" xmlns:xlink="{XLINK_NS}"', 1)
    return (text + "\n").encode("utf-8")


class _Doctype(Exception):
    """Raised from inside expat at the first DOCTYPE or entity declaration."""
