"""A lesson's sanitised HTML laid out for reading on any screen (issue 20).

Done when the page is shown, not when the course is synced, so that every stored lesson gets it at once and
raw-HTML tables and images are treated like Markdown ones:

- every table sits in a focusable, labelled region that scrolls sideways on its own (words are never broken
  to fit a phone: the box scrolls instead), as tables in the templates do; when a lesson has several, their
  regions are numbered, since landmarks on a page must have distinct names;
- every image that is not already a link links to the file itself, with a line saying so, so that text in a
  diagram can be read at full size.

The HTML comes from our own pipeline (markdown-it, or bleach through html5lib), so tags are well formed; the
scan below still reads quoted attribute values as a whole, since they may hold a '>'.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markupsafe import Markup

_TAG = re.compile(r"""<(/?)(table|a|img)\b(?:[^>"']|"[^"]*"|'[^']*')*>""", re.IGNORECASE)
_SRC = re.compile(r"""\ssrc=(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)


def for_reading(html: str, table_label: str, image_hint: str, hint_language: str = "",
                numbered_label: Callable[[int], str] | None = None) -> Markup:
    """`html` with each outermost table wrapped in a scrolling region and each image outside a link made a link
    to its own file, followed by `image_hint` (marked as `hint_language`, the page's, since the lesson around it
    may be in another). A lone table's region is named `table_label`; when there are several, the n-th is
    named `numbered_label(n)` (by default `table_label` followed by n)."""
    out: list[str] = []
    regions: list[int] = []  # where in `out` each region opens, named once they are all counted
    position = 0
    tables = links = 0
    hint = Markup('<span class="image-hint"{}>{}</span>').format(
        Markup(' lang="{}"').format(hint_language) if hint_language else "", image_hint)
    for match in _TAG.finditer(html):
        closing, name = match.group(1) == "/", match.group(2).lower()
        out.append(html[position:match.start()])
        tag = match.group(0)
        position = match.end()
        if name == "table":
            if not closing:
                if tables == 0:
                    regions.append(len(out))
                    out.append("")
                tables += 1
                out.append(tag)
            else:
                out.append(tag)
                tables = max(tables - 1, 0)
                if tables == 0:
                    out.append("</div>")
        elif name == "a":
            links = links + (-1 if closing else 1)
            out.append(tag)
        else:
            src = _SRC.search(tag)
            if links > 0 or src is None:
                out.append(tag)
                continue
            target = src.group(1) if src.group(1) is not None else src.group(2).replace('"', "&quot;")
            out.append(f'<a class="image-link" href="{target}">{tag}{hint}</a>')
    out.append(html[position:])
    if tables > 0:  # never leave the region open, whatever the HTML did
        out.append("</div>")
    for number, index in enumerate(regions, start=1):
        label = table_label if len(regions) == 1 else (
            numbered_label(number) if numbered_label else f"{table_label} {number}")
        out[index] = Markup('<div class="table-wrap" role="region" aria-label="{}" tabindex="0">').format(label)
    return Markup("".join(out))  # noqa: S704  # nosec B704 (sanitised HTML, our own tags, escaped texts)
