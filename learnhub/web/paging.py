"""Page numbers for a paged list: which links a pager shows, and the page a request asks for."""

from __future__ import annotations

from flask import request

LAST_PAGE_ASKED = 1_000_000  # a bigger number is no page anyone has; it would only overflow an OFFSET


def requested_page() -> int:
    """The `page` query parameter, from 1; anything else (missing, not a number, below 1) is page 1."""
    number = request.args.get("page", type=int)
    return min(number, LAST_PAGE_ASKED) if number and number > 0 else 1


def page_links(current: int, pages: int, around: int = 2) -> list[int | None]:
    """The page numbers a pager links to: the first, the last, and `around` either side of `current`, with
    None where numbers are left out (drawn as an ellipsis). Never more than 2 * around + 5 entries, so a
    cohort of 10,000 people has as short a pager as one of 500."""
    shown = sorted({1, pages, *range(max(current - around, 1), min(current + around, pages) + 1)})
    links: list[int | None] = []
    for number in shown:
        if links and number - links[-1] == 2:
            links.append(number - 1)  # a gap of one page: show that page rather than an ellipsis
        elif links and number - links[-1] > 2:
            links.append(None)
        links.append(number)
    return links
