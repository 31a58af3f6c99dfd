"""The privacy notice and the terms of use: Markdown an admin writes per interface language, shown to everyone.

A reader gets the page in their language, else in English, else in any language it exists in (saying so);
a page nobody wrote yet is None, and the page says it is not written yet. Every change is audited with the
text before and after.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from learnhub.content.markdown import render_markdown
from learnhub.extensions import db
from learnhub.models import SitePage, User
from learnhub.models.base import utcnow
from learnhub.services import audit

KEYS = ("privacy", "terms")
MAX_LENGTH = 100_000


@dataclass(frozen=True)
class Shown:
    page: SitePage
    html: str


def page_for(key: str, language: str) -> Shown | None:
    """The page in `language`, else English, else the first language it was written in."""
    pages = {page.language: page for page in db.session.scalars(select(SitePage).where(SitePage.key == key)
                                                                .order_by(SitePage.language))}
    page = pages.get(language) or pages.get("en") or next(iter(pages.values()), None)
    if page is None:
        return None
    return Shown(page, render_markdown(page.body, course_id="-", path=f"{key}.{page.language}.md").html)


def versions() -> dict[tuple[str, str], SitePage]:
    """Every written page by (key, language), for the admin's overview."""
    return {(page.key, page.language): page for page in db.session.scalars(select(SitePage))}


def body(key: str, language: str) -> str:
    page = db.session.get(SitePage, (key, language))
    return page.body if page is not None else ""


def save(actor: User, key: str, language: str, text: str, ip: str | None = None) -> bool:
    """Write the page's text in one language (empty text removes that language's version); audited with the
    text before and after. Returns whether anything changed."""
    text = text.strip()
    page = db.session.get(SitePage, (key, language))
    before = page.body if page is not None else ""
    if before == text:
        return False
    if not text:
        db.session.delete(page)
    elif page is None:
        db.session.add(SitePage(key=key, language=language, body=text, updated_by=actor.id))
    else:
        page.body, page.updated_at, page.updated_by = text, utcnow(), actor.id
    db.session.flush()
    audit.record("page.updated", actor_id=actor.id, ip=ip, page=key, language=language, before=before, after=text)
    return True
