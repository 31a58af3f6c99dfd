"""The admin list of accounts: search, filters and pages that stay fast at a million accounts (decision 0056).

A search is one or more word prefixes ("garc ana", "lopez@"), case and accents folded, each of which must
start a word of the name, the e-mail address or the organisation. Each prefix is a range of the primary key
of `user_search_words` (binary order on both databases), so no search reads the whole users table. Pages are
keyset pages in name order (folded name, then id): the next page starts after the last account shown, the
previous one ends before the first, so page 20,000 costs what page 1 costs and an account added meanwhile
never shifts a page.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, exists, select, tuple_

from learnhub.extensions import db
from learnhub.models import User, UserSearchWord
from learnhub.models.users import ROLES
from learnhub.text import SEARCH_WORD_LENGTH, fold, search_words

PAGE_SIZE = 50
MAX_SEARCH_WORDS = 5
STATUSES = ("active", "disabled")


@dataclass(frozen=True)
class Filters:
    """What the admin asked for; unknown values are dropped by `clean` rather than refused."""

    search: str = ""
    role: str = ""
    country: str = ""
    status: str = ""

    def clean(self, countries) -> Filters:
        return Filters(search=" ".join(self.search.split())[:200], role=self.role if self.role in ROLES else "",
                       country=self.country if self.country in countries else "",
                       status=self.status if self.status in STATUSES else "")

    @property
    def any(self) -> bool:
        return bool(self.search or self.role or self.country or self.status)


@dataclass(frozen=True)
class Page:
    """One page of accounts in name order; `after`/`before` are the ids to page on from (None: no such page)."""

    users: list[User]
    after: int | None
    before: int | None


def search_terms(search: str) -> list[str]:
    """The folded prefixes a search looks for, longest first (the longest is likely the rarest)."""
    terms = {word for word in search_words(search) if "@" not in word}
    if "@" in search:  # "lopez@exa": the address as typed is a prefix of the whole address too
        terms = {fold(search.strip())[:SEARCH_WORD_LENGTH]} | {term for term in terms if len(term) > 2}
    return sorted(terms, key=lambda term: (-len(term), term))[:MAX_SEARCH_WORDS]


def _prefix(column, term: str):
    """`column` starts with `term`, as an index range: term <= column < term with its last character + 1."""
    upper = term[:-1] + chr(ord(term[-1]) + 1)
    return and_(column >= term, column < upper)


def _filtered(filters: Filters):
    query = select(User)
    terms = search_terms(filters.search)
    if terms:
        first, *others = terms
        query = query.where(User.id.in_(select(UserSearchWord.user_id).where(_prefix(UserSearchWord.word, first))))
        for term in others:
            query = query.where(exists().where(UserSearchWord.user_id == User.id, _prefix(UserSearchWord.word, term)))
    if filters.role:
        query = query.where(User.role == filters.role)
    if filters.country:
        query = query.where(User.country == filters.country)
    if filters.status:
        query = query.where(User.active.is_(filters.status == "active"))
    return query


def page(filters: Filters, *, after: int | None = None, before: int | None = None,
         size: int = PAGE_SIZE) -> Page:
    """The page of accounts matching `filters` that follows account `after` (or precedes `before`; neither: the
    first page). At most three statements whatever the page: the anchor's key, the page, and whether there
    is a page on the other side."""
    query = _filtered(filters)
    key = tuple_(User.name_key, User.id)
    anchor_id = after if after is not None else before
    anchor = db.session.execute(select(User.name_key, User.id).where(User.id == anchor_id)).first() \
        if anchor_id is not None else None
    if anchor is None:
        rows = list(db.session.scalars(query.order_by(User.name_key, User.id).limit(size + 1)))
        more, users = len(rows) > size, rows[:size]
        return Page(users, users[-1].id if more else None, None)
    anchor_key = tuple_(anchor.name_key, anchor.id)
    forward = after is not None
    ordered = (query.where(key > anchor_key).order_by(User.name_key, User.id) if forward
               else query.where(key < anchor_key).order_by(User.name_key.desc(), User.id.desc()))
    rows = list(db.session.scalars(ordered.limit(size + 1)))
    more, users = len(rows) > size, rows[:size]
    if not forward:
        users.reverse()
    if not users:
        return Page([], None, None)
    behind = db.session.scalar(select(
        exists(_filtered(filters).where(key < tuple_(users[0].name_key, users[0].id) if forward
                                        else key > tuple_(users[-1].name_key, users[-1].id)))))
    if forward:
        return Page(users, users[-1].id if more else None, users[0].id if behind else None)
    return Page(users, users[-1].id if behind else None, users[0].id if more else None)
